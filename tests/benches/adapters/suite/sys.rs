//! The machine: CPUs, memory, peak RSS from `/proc`, and `pgbench` for the server's floor.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the run ran on.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    /// Logical CPUs available to the process.
    pub nproc: usize,
    /// `MemTotal` of `/proc/meminfo`, KiB.
    pub mem_total_kib: u64,
    /// `model name` of `/proc/cpuinfo`.
    pub cpu_model: String,
    /// `SHOW server_version` of the server used.
    pub postgres_version: String,
    /// When the run ended, UTC, RFC 3339.
    pub date_utc: String,
    /// `/proc/loadavg` when the run started (the machine is shared: other work shows here).
    pub loadavg_start: String,
    /// `/proc/loadavg` when the run ended.
    pub loadavg_end: String,
}

/// The first three fields of `/proc/loadavg` (1, 5 and 15-minute load averages).
pub(crate) fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads the machine's description; `postgres_version` comes from the server.
pub(crate) fn machine(postgres_version: String, loadavg_start: String) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    let mem_total_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| field_kib(&m, "MemTotal"))
        .unwrap_or(0);
    Machine {
        nproc: std::thread::available_parallelism().map_or(0, usize::from),
        mem_total_kib,
        cpu_model,
        postgres_version,
        date_utc: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        loadavg_start,
        loadavg_end: loadavg(),
    }
}

/// A `Key:   1234 kB` field of a `/proc` file, in KiB.
fn field_kib(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// A field of `/proc/self/status` (`VmRSS`, `VmHWM`), KiB.
pub(crate) fn status_kib(key: &str) -> Option<u64> {
    field_kib(&std::fs::read_to_string("/proc/self/status").ok()?, key)
}

/// Resets the process' peak RSS (`VmHWM`) to its current RSS (Linux ≥ 4.0:
/// `echo 5 > /proc/self/clear_refs`). Returns whether it worked.
pub(crate) fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// `pgbench`: on `PATH`, else the newest `/usr/lib/postgresql/*/bin/pgbench`.
fn pgbench_binary() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("pgbench"))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| {
        let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let major = e.file_name().to_str()?.parse().ok()?;
                Some((major, e.path().join("bin/pgbench")))
            })
            .filter(|(_, p)| p.is_file())
            .collect();
        dirs.sort_by_key(|d| std::cmp::Reverse(d.0));
        dirs.into_iter().next().map(|(_, p)| p)
    })
}

/// What `pgbench -S` reported.
#[derive(Debug, Clone)]
pub(crate) struct Pgbench {
    /// `tps = … (without initial connection time)`.
    pub tps: f64,
    /// `latency average = … ms`.
    pub latency_ms: f64,
    /// The command run (without the URL).
    pub command: String,
    /// The binary used.
    pub binary: String,
}

/// Initialises `url` (scale 1) and runs `pgbench -S -M prepared -c clients -j min(clients, 2)
/// -T secs` on it. `Ok(None)` when pgbench is not installed.
pub(crate) async fn pgbench(
    url: String,
    secs: u64,
    clients: usize,
) -> Result<Option<Pgbench>, String> {
    let Some(binary) = pgbench_binary() else {
        return Ok(None);
    };
    tokio::task::spawn_blocking(move || {
        let init = ["-i", "-s", "1", "-q"];
        run_bounded(&binary, &init, &url, Duration::from_secs(120))?;
        let secs_text = secs.to_string();
        let clients_text = clients.to_string();
        let threads_text = clients.clamp(1, 2).to_string();
        let select = [
            "-S",
            "-M",
            "prepared",
            "-c",
            clients_text.as_str(),
            "-j",
            threads_text.as_str(),
            "-T",
            secs_text.as_str(),
        ];
        let out = run_bounded(&binary, &select, &url, Duration::from_secs(secs + 60))?;
        let number = |prefix: &str| -> Result<f64, String> {
            out.lines()
                .find_map(|l| l.trim().strip_prefix(prefix))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("pgbench printed no `{prefix}`:\n{out}"))
        };
        Ok(Some(Pgbench {
            tps: number("tps =")?,
            latency_ms: number("latency average =")?,
            command: format!("pgbench {}", select.join(" ")),
            binary: binary.display().to_string(),
        }))
    })
    .await
    .map_err(|e| format!("pgbench task: {e}"))?
}

/// Runs `binary args… url`, killing it after `limit`; returns its standard output.
fn run_bounded(
    binary: &PathBuf,
    args: &[&str],
    url: &str,
    limit: Duration,
) -> Result<String, String> {
    let mut child = Command::new(binary)
        .args(args)
        .arg(url)
        .env("PGCONNECT_TIMEOUT", "10")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("pgbench {} took over {limit:?}", args.join(" ")));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("waiting for pgbench: {e}")),
        }
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    if !status.success() {
        return Err(format!(
            "pgbench {} failed ({status}): {stderr}",
            args.join(" ")
        ));
    }
    Ok(stdout)
}
