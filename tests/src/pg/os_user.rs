//! Running PostgreSQL's server programs as the `postgres` OS user when the tests run as root
//! (`initdb`, `pg_ctl` and `postgres` refuse root).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Whether this process runs as root (then `initdb`/`postgres` must run as `postgres`).
pub(crate) fn is_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if let Ok(meta) = fs::metadata("/proc/self") {
                return meta.uid() == 0;
            }
        }
        Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false)
    })
}

/// The OS account that runs the server processes of the harness' clusters when we are root.
pub(crate) const PG_OS_USER: &str = "postgres";

/// `(uid, gid)` of [`PG_OS_USER`].
pub(crate) fn pg_os_user_ids() -> Result<(u32, u32), String> {
    let id = |flag: &str| -> Result<u32, String> {
        let out = Command::new("id")
            .args([flag, PG_OS_USER])
            .output()
            .map_err(|e| format!("cannot run `id`: {e}"))?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| {
                format!(
                    "running as root, the PostgreSQL server must run as the OS user \
                     `{PG_OS_USER}`, which does not exist (create it: `useradd --system \
                     {PG_OS_USER}`, or run the tests as an ordinary user)"
                )
            })
    };
    Ok((id("-u")?, id("-g")?))
}

/// Gives `path` to [`PG_OS_USER`] when we are root; nothing otherwise.
pub(crate) fn give_to_pg_user(path: &Path) -> Result<(), String> {
    if !is_root() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        let (uid, gid) = pg_os_user_ids()?;
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .map_err(|e| format!("cannot chown {} to {PG_OS_USER}: {e}", path.display()))?;
    }
    Ok(())
}

/// Where `runuser` is, to run server binaries as [`PG_OS_USER`] when we are root.
pub(crate) fn runuser() -> Result<PathBuf, String> {
    [
        "/usr/sbin/runuser",
        "/sbin/runuser",
        "/usr/bin/runuser",
        "/bin/runuser",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
    .ok_or_else(|| {
        "running as root, the harness starts PostgreSQL as the `postgres` user with \
             `runuser`, which was not found (install util-linux, or run the tests as an \
             ordinary user)"
            .to_owned()
    })
}
