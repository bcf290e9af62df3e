//! Throwaway PostgreSQL clusters: `initdb` into a temporary directory, a free loopback port,
//! `pg_ctl` to start, stop and restart, and removal on drop.

use std::fmt;
use std::fs;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use super::{binaries, command, names, os_user, watchdog};

/// How long `initdb`, `pg_basebackup` and each `pg_ctl` action may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);
/// `pg_ctl -t`: how long `pg_ctl` waits for the server to start or stop.
const PG_CTL_WAIT_SECS: &str = "90";
/// The include file, inside the data directory, holding the harness' and the caller's settings.
const CONF_FILE: &str = "containerpub.conf";

/// Extra configuration for a [`Cluster`].
///
/// The harness always sets `listen_addresses = '127.0.0.1'`, the port, no Unix socket and
/// `fsync = off`; [`ClusterConfig::setting`] lines come after those, so they win (PostgreSQL
/// keeps the last value of a setting). Authentication is `trust` for local connections,
/// including replication connections from 127.0.0.1.
#[derive(Debug, Clone, Default)]
pub struct ClusterConfig {
    settings: Vec<String>,
    hba: Vec<String>,
}

impl ClusterConfig {
    /// No extra settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one `postgresql.conf` line, such as `"wal_level = replica"` or
    /// `"max_wal_senders = 5"`.
    pub fn setting(mut self, line: impl Into<String>) -> Self {
        self.settings.push(line.into());
        self
    }

    /// Adds one `pg_hba.conf` line, placed *before* the default ones (the first matching line
    /// decides), such as `"host replication all 127.0.0.1/32 trust"`.
    pub fn hba(mut self, line: impl Into<String>) -> Self {
        self.hba.push(line.into());
        self
    }

    /// Settings for a primary that streaming replicas ([`Cluster::start_replica_of`]) follow:
    /// `wal_level = replica`, `max_wal_senders = 10`, `wal_keep_size = '64MB'`, and trust for
    /// replication connections from 127.0.0.1.
    pub fn replication_primary() -> Self {
        Self::new()
            .setting("wal_level = replica")
            .setting("max_wal_senders = 10")
            .setting("wal_keep_size = '64MB'")
            .hba("host replication all 127.0.0.1/32 trust")
    }
}

/// A throwaway PostgreSQL cluster: its own data directory, server process and loopback port.
///
/// The server listens on 127.0.0.1 only; the superuser is `postgres`, with `trust`
/// authentication. When the tests run as root, `initdb` and the server run as the OS user
/// `postgres` (which must exist) on a directory that user owns. Dropping the `Cluster` stops
/// the server (`pg_ctl stop -m fast`) and removes its directory; if the test process dies
/// first, the harness' exit watchdog does it.
pub struct Cluster {
    base_dir: PathBuf,
    data_dir: PathBuf,
    bin_dir: PathBuf,
    port: AtomicU16,
    /// [`ClusterConfig::setting`] lines, written with the port before each start.
    settings: Vec<String>,
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cluster")
            .field("data_dir", &self.data_dir)
            .field("port", &self.port())
            .finish()
    }
}

impl Cluster {
    /// Starts a new cluster with the default configuration.
    ///
    /// # Panics
    /// If no PostgreSQL server binaries are installed or the cluster cannot start; the message
    /// says why.
    pub async fn start() -> Cluster {
        Self::start_with(ClusterConfig::new()).await
    }

    /// Starts a new cluster with extra configuration lines.
    ///
    /// # Panics
    /// As [`Cluster::start`].
    pub async fn start_with(config: ClusterConfig) -> Cluster {
        match Self::try_start_with(config).await {
            Ok(cluster) => cluster,
            Err(e) => panic!("cannot start a throwaway PostgreSQL cluster: {e}"),
        }
    }

    /// Starts a new cluster, or says why it could not.
    ///
    /// # Errors
    /// A message: binaries not found, `initdb` or `pg_ctl start` failed (with their output and
    /// the tail of the server log).
    pub async fn try_start_with(config: ClusterConfig) -> Result<Cluster, String> {
        sweep_stale_files();
        let bin_dir = binaries::server_bin_dir().ok_or_else(|| {
            "initdb/pg_ctl not found on PATH nor under /usr/lib/postgresql/*/bin; install \
             PostgreSQL (`apt-get install postgresql`)"
                .to_owned()
        })?;
        let cluster = Self::new_dir(bin_dir, &config)?;
        cluster.initdb().await?;
        cluster.configure(&config)?;
        cluster.start_on_free_port().await?;
        Ok(cluster)
    }

    /// Starts a streaming replica of `primary`: `pg_basebackup -R -X stream` of it into a new
    /// directory, then a server on its own port that follows the primary (a hot standby, read
    /// only). `primary` needs `wal_level = replica` or higher (PostgreSQL's default) and a free
    /// WAL sender; the default `pg_hba.conf` already trusts replication from 127.0.0.1.
    ///
    /// # Panics
    /// If the base backup or the start fails.
    pub async fn start_replica_of(primary: &Cluster, config: ClusterConfig) -> Cluster {
        let attempt = async {
            let replica = Self::new_dir(primary.bin_dir.clone(), &config)?;
            let mut cmd = replica.command("pg_basebackup");
            cmd.args(["-h", "127.0.0.1", "-U", "postgres", "-p"])
                .arg(primary.port().to_string())
                .arg("-D")
                .arg(&replica.data_dir)
                .args(["-R", "-X", "stream", "-c", "fast", "--no-sync"]);
            command::run(cmd, COMMAND_TIMEOUT).await?;
            replica.configure(&config)?;
            replica.start_on_free_port().await?;
            Ok::<_, String>(replica)
        };
        match attempt.await {
            Ok(replica) => replica,
            Err(e) => panic!("cannot start a replica of {primary:?}: {e}"),
        }
    }

    /// A `postgres://` URL for database `db` of this cluster, as the superuser `postgres`.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{db}?sslmode=disable",
            self.port()
        )
    }

    /// The loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port.load(Ordering::Relaxed)
    }

    /// The data directory (`PGDATA`).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The directory of the PostgreSQL binaries used (`initdb`, `pg_ctl`, `postgres`, …).
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The server's log file (outside the data directory).
    pub fn log_file(&self) -> PathBuf {
        self.base_dir.join("server.log")
    }

    /// Whether the server is running (its `postmaster.pid` exists).
    pub fn is_running(&self) -> bool {
        self.data_dir.join("postmaster.pid").exists()
    }

    /// A command running `program` of [`Cluster::bin_dir`] as the cluster's OS user (through
    /// `runuser -u postgres --` when the tests run as root), for what the helpers here do not
    /// cover (`pg_controldata`, `pg_ctl promote`, …).
    ///
    /// # Panics
    /// When running as root without `runuser` or without a `postgres` OS user.
    pub fn command(&self, program: &str) -> std::process::Command {
        binaries::server_command(&self.bin_dir, program).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Stops the server (`pg_ctl stop -m fast`), waiting until it is down.
    ///
    /// # Panics
    /// If `pg_ctl` fails.
    pub async fn stop(&self) {
        if let Err(e) = command::run(self.pg_ctl_stop("fast"), COMMAND_TIMEOUT).await {
            panic!("{}", self.with_log(e));
        }
    }

    /// Starts the server again after [`Cluster::stop`], on the same port and data directory.
    ///
    /// # Panics
    /// If `pg_ctl start` fails.
    pub async fn start_again(&self) {
        if let Err(e) = self.pg_ctl_start().await {
            panic!("{e}");
        }
    }

    /// Restarts the server (`pg_ctl restart -m fast`): every connection is cut.
    ///
    /// # Panics
    /// If `pg_ctl restart` fails.
    pub async fn restart(&self) {
        let mut cmd = self.pg_ctl();
        cmd.arg("-l").arg(self.log_file()).args([
            "-m",
            "fast",
            "-w",
            "-t",
            PG_CTL_WAIT_SECS,
            "restart",
        ]);
        if let Err(e) = command::run(cmd, COMMAND_TIMEOUT).await {
            panic!("{}", self.with_log(e));
        }
    }

    fn new_dir(bin_dir: PathBuf, config: &ClusterConfig) -> Result<Cluster, String> {
        let base_dir = std::env::temp_dir().join(format!(
            "{CLUSTER_DIR_PREFIX}{}-{}",
            std::process::id(),
            names::random_hex(8)
        ));
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(&base_dir)
            .map_err(|e| format!("cannot create {}: {e}", base_dir.display()))?;
        let cluster = Cluster {
            data_dir: base_dir.join("data"),
            base_dir,
            bin_dir,
            port: AtomicU16::new(0),
            settings: config.settings.clone(),
        };
        os_user::give_to_pg_user(&cluster.base_dir)?;
        // From here on, dropping `cluster` removes the directory; the watchdog covers a crash.
        let stop: Vec<String> = binaries::server_command_words(&cluster.bin_dir, "pg_ctl")?
            .into_iter()
            .chain(
                [
                    "-D",
                    &cluster.data_dir.to_string_lossy(),
                    "-m",
                    "immediate",
                    "-w",
                    "-t",
                    "30",
                    "stop",
                ]
                .map(String::from),
            )
            .collect();
        watchdog::register_cluster(&cluster.base_dir, stop);
        Ok(cluster)
    }

    async fn initdb(&self) -> Result<(), String> {
        // C.UTF-8 gives Unicode-aware ctype (upper/lower) with byte-order collation; where that
        // locale does not exist, fall back to plain C.
        let mut last_error = String::new();
        for locale in [["--locale=C.UTF-8"], ["--no-locale"]] {
            let mut cmd = binaries::server_command(&self.bin_dir, "initdb")?;
            cmd.arg("-D")
                .arg(&self.data_dir)
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "-N"])
                .args(locale);
            match command::run(cmd, COMMAND_TIMEOUT).await {
                Ok(_) => return Ok(()),
                Err(e) => {
                    last_error = e;
                    let _ = fs::remove_dir_all(&self.data_dir);
                }
            }
        }
        Err(last_error)
    }

    fn configure(&self, config: &ClusterConfig) -> Result<(), String> {
        let io = |path: &Path, e: std::io::Error| format!("{}: {e}", path.display());
        let conf = self.data_dir.join("postgresql.conf");
        let mut text = fs::read_to_string(&conf).map_err(|e| io(&conf, e))?;
        let include = format!("include_if_exists = '{CONF_FILE}'");
        if !text.contains(&include) {
            text.push_str(&format!("\n{include}\n"));
            fs::write(&conf, text).map_err(|e| io(&conf, e))?;
        }
        if !config.hba.is_empty() {
            let hba = self.data_dir.join("pg_hba.conf");
            let old = fs::read_to_string(&hba).map_err(|e| io(&hba, e))?;
            let new = format!(
                "# added by containerpub_tests::pg::ClusterConfig\n{}\n\n{old}",
                config.hba.join("\n")
            );
            fs::write(&hba, new).map_err(|e| io(&hba, e))?;
        }
        Ok(())
    }

    fn write_port(&self, port: u16) -> Result<(), String> {
        let extra = self.settings.join("\n");
        let path = self.data_dir.join(CONF_FILE);
        let text = format!(
            "# written by containerpub_tests::pg::Cluster\n\
             listen_addresses = '127.0.0.1'\n\
             port = {port}\n\
             unix_socket_directories = ''\n\
             fsync = off\n\
             # ClusterConfig::setting lines\n\
             {extra}\n"
        );
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        os_user::give_to_pg_user(&path)?;
        self.port.store(port, Ordering::Relaxed);
        Ok(())
    }

    async fn start_on_free_port(&self) -> Result<(), String> {
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            self.write_port(port)?;
            match self.pg_ctl_start().await {
                Ok(()) => return Ok(()),
                Err(e) if e.contains("could not bind") || e.contains("already in use") => {
                    last_error = e;
                }
                Err(e) => return Err(e),
            }
        }
        Err(last_error)
    }

    async fn pg_ctl_start(&self) -> Result<(), String> {
        let mut cmd = self.pg_ctl();
        cmd.arg("-l")
            .arg(self.log_file())
            .args(["-w", "-t", PG_CTL_WAIT_SECS, "start"]);
        command::run(cmd, COMMAND_TIMEOUT)
            .await
            .map(drop)
            .map_err(|e| self.with_log(e))
    }

    fn pg_ctl(&self) -> std::process::Command {
        let mut cmd = self.command("pg_ctl");
        cmd.arg("-D").arg(&self.data_dir);
        cmd
    }

    fn pg_ctl_stop(&self, mode: &str) -> std::process::Command {
        let mut cmd = self.pg_ctl();
        cmd.args(["-m", mode, "-w", "-t", PG_CTL_WAIT_SECS, "stop"]);
        cmd
    }

    fn with_log(&self, error: String) -> String {
        let log = fs::read_to_string(self.log_file()).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!(
            "{error}\n--- last lines of {} ---\n{}",
            self.log_file().display(),
            tail.join("\n")
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.is_running()
            && let Err(e) = command::run_blocking(self.pg_ctl_stop("fast"), COMMAND_TIMEOUT)
        {
            eprintln!("containerpub_tests::pg: stopping {self:?}: {e}");
        }
        match fs::remove_dir_all(&self.base_dir) {
            Ok(()) => watchdog::release_cluster(&self.base_dir),
            Err(e) => eprintln!(
                "containerpub_tests::pg: removing {}: {e}",
                self.base_dir.display()
            ),
        }
    }
}

/// Directory-name prefix of clusters under the temporary directory; followed by
/// `<pid>-<random>`, which lets a later run sweep what a dead process left.
pub(crate) const CLUSTER_DIR_PREFIX: &str = "cp-pg-cluster-";

/// A loopback port nobody listens on right now.
fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("cannot find a free loopback port: {e}"))
}

/// Removes what processes of this machine that no longer exist left in the temporary
/// directory (killed before their watchdog could run, or while it ran): their clusters,
/// stopped first, and their scratch files. Only entries named by this harness
/// (`cp-pg-<kind>-<pid>-…`) whose pid is gone are touched. Best effort, once per process.
pub(crate) fn sweep_stale_files() {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(|| {
        let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(rest) = ["cp-pg-cluster-", "cp-pg-run-", "cp-pg-cmd-", "cp-pg-dump-"]
                .iter()
                .find_map(|prefix| name.strip_prefix(prefix))
            else {
                continue;
            };
            let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
                continue;
            };
            if pid == std::process::id() || names::pid_alive(pid) != Some(false) {
                continue;
            }
            let path = entry.path();
            if name.starts_with(CLUSTER_DIR_PREFIX) {
                stop_orphan_server(&path.join("data"));
            }
            let _ = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
        }
    });
}

/// Stops the server of data directory `data` if one still runs: only a live `postgres` whose
/// command line names this very directory is signalled (SIGQUIT: immediate shutdown).
fn stop_orphan_server(data: &Path) {
    let Some(postmaster) = fs::read_to_string(data.join("postmaster.pid"))
        .ok()
        .and_then(|s| s.lines().next().and_then(|l| l.trim().parse::<u32>().ok()))
    else {
        return;
    };
    let cmdline = fs::read(format!("/proc/{postmaster}/cmdline")).unwrap_or_default();
    let cmdline = String::from_utf8_lossy(&cmdline);
    if !(cmdline.contains("postgres") && cmdline.contains(&*data.to_string_lossy())) {
        return;
    }
    let mut kill = std::process::Command::new("kill");
    kill.args(["-QUIT", &postmaster.to_string()]);
    let _ = command::run_blocking(kill, Duration::from_secs(5));
    for _ in 0..100 {
        if names::pid_alive(postmaster) != Some(true) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
