//! Operating-system helpers of the harness: running commands with a time limit, finding the
//! PostgreSQL binaries, running them as the `postgres` user when we are root, naming things
//! uniquely per process, and telling whether a process that created something is still alive.

use std::env;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A random lowercase hex string of `len` characters (at most 32).
pub(crate) fn random_hex(len: usize) -> String {
    let mut s = uuid::Uuid::new_v4().simple().to_string();
    s.truncate(len);
    s
}

/// Runs `cmd` to completion, killing it after `timeout`. Standard output and error go to a
/// temporary file (never a pipe: a daemon the command leaves behind could hold a pipe open
/// forever), whose content is returned on success and quoted in the error otherwise.
pub(crate) fn run_blocking(mut cmd: Command, timeout: Duration) -> Result<String, String> {
    let desc = describe(&cmd);
    let log_path = super::watchdog::scratch_dir().join(format!(
        "cp-pg-cmd-{}-{}.log",
        std::process::id(),
        random_hex(12)
    ));
    let file = File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let file2 = file
        .try_clone()
        .map_err(|e| format!("cannot duplicate a file handle: {e}"))?;
    cmd.stdin(Stdio::null()).stdout(file).stderr(file2);
    let spawned = cmd.spawn();
    let result = match spawned {
        Err(e) => Err(format!("cannot run `{desc}`: {e}")),
        Ok(mut child) => {
            let deadline = Instant::now() + timeout;
            loop {
                match child.try_wait() {
                    Ok(Some(status)) => {
                        let out = read_lossy(&log_path);
                        break if status.success() {
                            Ok(out)
                        } else {
                            Err(format!("`{desc}` failed ({status}):\n{}", out.trim_end()))
                        };
                    }
                    Ok(None) if Instant::now() >= deadline => {
                        let _ = child.kill();
                        let _ = child.wait();
                        let out = read_lossy(&log_path);
                        break Err(format!(
                            "`{desc}` did not finish within {timeout:?}:\n{}",
                            out.trim_end()
                        ));
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                    Err(e) => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break Err(format!("waiting for `{desc}` failed: {e}"));
                    }
                }
            }
        }
    };
    let _ = fs::remove_file(&log_path);
    result
}

/// [`run_blocking`] on tokio's blocking pool.
pub(crate) async fn run(cmd: Command, timeout: Duration) -> Result<String, String> {
    tokio::task::spawn_blocking(move || run_blocking(cmd, timeout))
        .await
        .map_err(|e| format!("command task failed: {e}"))?
}

fn read_lossy(path: &Path) -> String {
    fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// The command line, for messages.
fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&redact(&arg.to_string_lossy()));
    }
    s
}

/// `url` with any password replaced by `***`, for messages.
pub(crate) fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &authority[..colon],
            &rest[at..]
        ),
        _ => url.to_owned(),
    }
}

/// Quotes `s` as one word for `/bin/sh`.
pub(crate) fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

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
fn runuser() -> Result<PathBuf, String> {
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

/// The words of a command running the server binary `program` of `bin_dir`, prefixed with
/// `runuser -u postgres --` when we are root (`initdb`, `pg_ctl` and `postgres` refuse root).
pub(crate) fn server_command_words(bin_dir: &Path, program: &str) -> Result<Vec<String>, String> {
    let exe = bin_dir.join(program).to_string_lossy().into_owned();
    if is_root() {
        pg_os_user_ids()?;
        Ok(vec![
            runuser()?.to_string_lossy().into_owned(),
            "-u".into(),
            PG_OS_USER.into(),
            "--".into(),
            exe,
        ])
    } else {
        Ok(vec![exe])
    }
}

/// [`server_command_words`] as a [`Command`].
pub(crate) fn server_command(bin_dir: &Path, program: &str) -> Result<Command, String> {
    let words = server_command_words(bin_dir, program)?;
    let mut cmd = Command::new(&words[0]);
    cmd.args(&words[1..]);
    // The `postgres` OS user may not be allowed into the caller's working directory, and
    // `initdb`/`pg_ctl` fail when they cannot resolve it.
    cmd.current_dir(env::temp_dir());
    // The server must not inherit a client's PG* settings (PGPORT, PGDATA, …) of the caller.
    for (key, _) in env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            cmd.env_remove(&key);
        }
    }
    Ok(cmd)
}

/// The directory of the PostgreSQL server binaries (`initdb`, `pg_ctl`, `postgres`): found
/// through `PATH` (symlinks resolved), else the newest `/usr/lib/postgresql/*/bin`, else
/// `/usr/local/pgsql/bin`.
pub(crate) fn server_bin_dir() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let complete = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
        if let Some(path) = env::var_os("PATH") {
            for dir in env::split_paths(&path) {
                if let Ok(initdb) = fs::canonicalize(dir.join("initdb"))
                    && let Some(real) = initdb.parent()
                    && complete(real)
                {
                    return Some(real.to_path_buf());
                }
            }
        }
        versioned_bin_dirs()
            .into_iter()
            .map(|(_, dir)| dir)
            .chain([PathBuf::from("/usr/local/pgsql/bin")])
            .find(|dir| complete(dir))
    })
    .clone()
}

/// `/usr/lib/postgresql/<major>/bin` directories, newest first.
fn versioned_bin_dirs() -> Vec<(u32, PathBuf)> {
    let mut dirs: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((major, entry.path().join("bin")))
        })
        .filter(|(_, dir)| dir.is_dir())
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.0));
    dirs
}

/// A client program (`pg_dump`, `psql`, `pg_basebackup`, …) suited to a server of
/// `server_major`: the one of that version under `/usr/lib/postgresql`, else of a newer
/// version there, else the server binaries' directory, else `PATH`.
pub(crate) fn client_binary(program: &str, server_major: Option<u32>) -> Option<PathBuf> {
    let versioned = versioned_bin_dirs();
    let exact = server_major.and_then(|major| {
        versioned
            .iter()
            .find(|(m, _)| *m == major)
            .map(|(_, d)| d.clone())
    });
    let newer = versioned
        .iter()
        .filter(|(m, _)| server_major.is_none_or(|major| *m >= major))
        .map(|(_, d)| d.clone());
    let path_dirs = env::var_os("PATH")
        .map(|p| env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    exact
        .into_iter()
        .chain(newer)
        .chain(server_bin_dir())
        .chain(path_dirs)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://u:secret@127.0.0.1:5432/db?x=1"),
            "postgres://u:***@127.0.0.1:5432/db?x=1"
        );
        assert_eq!(
            redact("postgres://u@127.0.0.1:5432/db"),
            "postgres://u@127.0.0.1:5432/db"
        );
        assert_eq!(
            redact("postgres://127.0.0.1:5432/db"),
            "postgres://127.0.0.1:5432/db"
        );
    }

    #[test]
    fn quotes_for_sh() {
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
    }
}
