//! Naming things uniquely per process and machine, and telling whether the process that
//! created something is still alive.

use std::fs;
use std::path::Path;
use std::sync::OnceLock;

/// A random lowercase hex string of `len` characters (at most 32).
pub(crate) fn random_hex(len: usize) -> String {
    let mut s = uuid::Uuid::new_v4().simple().to_string();
    s.truncate(len);
    s
}

/// A short tag identifying this machine (hostname and boot), so that stale databases are only
/// ever swept by a process that can tell whether their creator is still alive.
pub(crate) fn host_tag() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| {
        let read = |p: &str| fs::read_to_string(p).unwrap_or_default();
        let source = format!(
            "{}|{}",
            read("/proc/sys/kernel/hostname").trim(),
            read("/proc/sys/kernel/random/boot_id").trim()
        );
        // FNV-1a, 32 bits: stable across builds, unlike `DefaultHasher`.
        let mut hash: u32 = 0x811c_9dc5;
        for byte in source.bytes() {
            hash ^= u32::from(byte);
            hash = hash.wrapping_mul(0x0100_0193);
        }
        format!("{hash:08x}")
    })
}

/// Whether process `pid` of this machine is alive; `None` when that cannot be told (no
/// `/proc`), in which case nothing is ever swept.
pub(crate) fn pid_alive(pid: u32) -> Option<bool> {
    if !Path::new("/proc/self").exists() {
        return None;
    }
    Some(Path::new(&format!("/proc/{pid}")).exists())
}
