//! Cleanup when the test process ends, however it ends.
//!
//! Rust never drops statics, and a test binary may end by `exit`, a panic in a non-test
//! thread, or a signal. So the first time the harness creates something that must not outlive
//! the run (a throwaway cluster, the template database, test databases), it starts a small
//! `/bin/sh` watchdog whose standard input is a pipe held by this process. The kernel closes
//! the pipe when this process ends, whatever the cause; the watchdog then reads end-of-file and
//! runs `cleanup.sh`, a script this process rewrites whenever something is registered or
//! released: stop clusters and remove their directories, drop databases (with `psql`, when
//! one is installed). Objects released normally are removed from the script first.
//!
//! The watchdog ignores SIGINT/SIGTERM/SIGHUP, so a Ctrl-C of `cargo test` still cleans up.
//! If the watchdog itself cannot run (no `/bin/sh`), the sweep at the next run
//! ([`super::databases`]) removes what a dead process left.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use super::{binaries, command, names};

#[derive(Default)]
struct Registry {
    /// Cluster directory → the shell words that stop its server.
    clusters: BTreeMap<PathBuf, Vec<String>>,
    /// Database name → (psql, admin URL) able to drop it.
    databases: BTreeMap<String, (PathBuf, String)>,
}

struct Watchdog {
    dir: PathBuf,
    registry: Mutex<Registry>,
    /// Held, never written: its closing at process exit wakes the watchdog.
    _stdin: Mutex<ChildStdin>,
}

fn watchdog() -> Option<&'static Watchdog> {
    static WATCHDOG: OnceLock<Option<Watchdog>> = OnceLock::new();
    WATCHDOG
        .get_or_init(|| match spawn() {
            Ok(w) => Some(w),
            Err(e) => {
                eprintln!(
                    "containerpub_tests::pg: no exit watchdog ({e}); what this run leaves \
                     behind is swept by the next run"
                );
                None
            }
        })
        .as_ref()
}

fn spawn() -> io::Result<Watchdog> {
    let dir = std::env::temp_dir().join(format!(
        "cp-pg-run-{}-{}",
        std::process::id(),
        names::random_hex(8)
    ));
    create_private_dir(&dir)?;
    let script = dir.join("cleanup.sh");
    fs::write(&script, render(&dir, &Registry::default()))?;
    let child = Command::new("/bin/sh")
        .arg("-c")
        .arg(r#"trap '' INT TERM HUP; cat >/dev/null; /bin/sh "$1" >/dev/null 2>&1"#)
        .arg("cp-pg-watchdog")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let stdin = child
        .stdin
        .ok_or_else(|| io::Error::other("watchdog has no stdin"))?;
    Ok(Watchdog {
        dir,
        registry: Mutex::new(Registry::default()),
        _stdin: Mutex::new(stdin),
    })
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

fn render(dir: &Path, registry: &Registry) -> String {
    let mut s = String::from(
        "# containerpub_tests::pg: run by the watchdog once the test process has ended.\n\
         export PGCONNECT_TIMEOUT=10\n",
    );
    let mut by_server: BTreeMap<(&PathBuf, &String), Vec<&String>> = BTreeMap::new();
    for (name, (psql, url)) in &registry.databases {
        by_server.entry((psql, url)).or_default().push(name);
    }
    // A statement of the dead process may still run on the server (a `CREATE DATABASE` copying
    // the template blocks dropping it, and creates its copy afterwards): retry until the drops
    // succeed, then once more a little later.
    for (n, ((psql, url), names)) in by_server.into_iter().enumerate() {
        s.push_str(&format!(
            "drop_{n}() {{\n  {} -X -q -v ON_ERROR_STOP=1 -d {}",
            command::sh_quote(&psql.to_string_lossy()),
            command::sh_quote(url)
        ));
        for name in names {
            s.push_str(" \\\n    -c ");
            s.push_str(&command::sh_quote(&format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )));
        }
        s.push_str(&format!(
            "\n}}\n\
             i=0; until drop_{n} || [ $i -ge 20 ]; do sleep 1; i=$((i + 1)); done\n\
             sleep 2\n\
             i=0; until drop_{n} || [ $i -ge 5 ]; do sleep 1; i=$((i + 1)); done\n"
        ));
    }
    for (cluster_dir, stop) in &registry.clusters {
        // A command of the dead process may still be running (`initdb`, `pg_ctl start`) and
        // write into the directory while it is removed: stop and remove until it stays gone.
        let dir = command::sh_quote(&cluster_dir.to_string_lossy());
        let words: Vec<String> = stop.iter().map(|w| command::sh_quote(w)).collect();
        s.push_str(&format!(
            "i=0\nwhile [ -e {dir} ] && [ $i -lt 30 ]; do\n  \
             {} >/dev/null 2>&1\n  rm -rf {dir} 2>/dev/null\n  \
             [ -e {dir} ] && sleep 1\n  i=$((i + 1))\ndone\n",
            words.join(" ")
        ));
    }
    s.push_str(&format!(
        "rm -rf {}\n",
        command::sh_quote(&dir.to_string_lossy())
    ));
    s
}

fn update(change: impl FnOnce(&mut Registry)) {
    let Some(w) = watchdog() else { return };
    let mut registry = w.registry.lock().unwrap_or_else(|e| e.into_inner());
    change(&mut registry);
    let tmp = w.dir.join("cleanup.sh.new");
    let written = fs::write(&tmp, render(&w.dir, &registry))
        .and_then(|()| fs::rename(&tmp, w.dir.join("cleanup.sh")));
    if let Err(e) = written {
        eprintln!("containerpub_tests::pg: cannot update the exit watchdog's script: {e}");
    }
}

/// A directory for this process' temporary files, removed when the process ends (the
/// temporary directory itself if there is no watchdog).
pub(crate) fn scratch_dir() -> PathBuf {
    watchdog().map_or_else(std::env::temp_dir, |w| w.dir.clone())
}

/// Stop the cluster in `dir` with `stop` and remove `dir` if this process ends first.
pub(crate) fn register_cluster(dir: &Path, stop: Vec<String>) {
    update(|r| {
        r.clusters.insert(dir.to_path_buf(), stop);
    });
}

/// The cluster in `dir` was stopped and removed: nothing left to do at exit.
pub(crate) fn release_cluster(dir: &Path) {
    update(|r| {
        r.clusters.remove(dir);
    });
}

/// Drop database `name` through `admin_url` if this process ends first (needs `psql`).
pub(crate) fn register_database(name: &str, admin_url: &str, server_major: Option<u32>) {
    let Some(psql) = binaries::client_binary("psql", server_major) else {
        return;
    };
    update(|r| {
        r.databases
            .insert(name.to_owned(), (psql, admin_url.to_owned()));
    });
}

/// Database `name` was dropped: nothing left to do at exit.
pub(crate) fn release_database(name: &str) {
    update(|r| {
        r.databases.remove(name);
    });
}
