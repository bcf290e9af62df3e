//! Running a command with a time limit, its output captured in a file, and quoting words for
//! `/bin/sh`.

use std::fs::{self, File};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use containerpub_postgres::redact_url;

use super::names;

/// Runs `cmd` to completion, killing it after `timeout`. Standard output and error go to a
/// temporary file (never a pipe: a daemon the command leaves behind could hold a pipe open
/// forever), whose content is returned on success and quoted in the error otherwise.
pub(crate) fn run_blocking(mut cmd: Command, timeout: Duration) -> Result<String, String> {
    let desc = describe(&cmd);
    let log_path = super::watchdog::scratch_dir().join(format!(
        "cp-pg-cmd-{}-{}.log",
        std::process::id(),
        names::random_hex(12)
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
        s.push_str(&shown(&arg.to_string_lossy()));
    }
    s
}

/// A command-line argument as it may be shown in a message: a URL (anything with `://`)
/// through the adapter's [`redact_url`], which hides its password; any other word as it is.
fn shown(arg: &str) -> String {
    if arg.contains("://") {
        redact_url(arg)
    } else {
        arg.to_owned()
    }
}

/// Quotes `s` as one word for `/bin/sh`.
pub(crate) fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            shown("postgres://u:secret@127.0.0.1:5432/db?x=1"),
            "postgres://u:***@127.0.0.1:5432/db?x=1"
        );
        assert_eq!(
            shown("postgres://u@127.0.0.1:5432/db"),
            "postgres://u@127.0.0.1:5432/db"
        );
        assert_eq!(
            shown("postgres://127.0.0.1:5432/db"),
            "postgres://127.0.0.1:5432/db"
        );
        assert_eq!(shown("--schema-only"), "--schema-only");
        let mut cmd = Command::new("pg_dump");
        cmd.arg("--dbname").arg("postgres://u:secret@h/db");
        assert_eq!(describe(&cmd), "pg_dump --dbname postgres://u:***@h/db");
    }

    #[test]
    fn quotes_for_sh() {
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
    }
}
