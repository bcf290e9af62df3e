//! Finding PostgreSQL's programs: the server binaries' directory, the `/usr/lib/postgresql`
//! versions, a client program suited to a server's major version, and the command that runs a
//! server program (as the `postgres` user when we are root).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::os_user;

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

/// The words of a command running the server binary `program` of `bin_dir`, prefixed with
/// `runuser -u postgres --` when we are root (`initdb`, `pg_ctl` and `postgres` refuse root).
pub(crate) fn server_command_words(bin_dir: &Path, program: &str) -> Result<Vec<String>, String> {
    let exe = bin_dir.join(program).to_string_lossy().into_owned();
    if os_user::is_root() {
        os_user::pg_os_user_ids()?;
        Ok(vec![
            os_user::runuser()?.to_string_lossy().into_owned(),
            "-u".into(),
            os_user::PG_OS_USER.into(),
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
