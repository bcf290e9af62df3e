//! The replicas of a store: opening them, picking one for a read, and the background task
//! that checks them.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use containerpub_ports::{StoreError, StoreResult};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use tokio::sync::Notify;
use tokio::task::JoinSet;

use super::config::ReplicaSettings;
use super::lag::{Lsn, Verdict};
use super::node::{Node, get};
use super::status::ReplicaStatus;
use crate::config::{PgConfig, PoolSettings, redact};
use crate::conn;

/// How long a check query may take once connected (enforced on the client side: the check
/// connections keep the store's `statement_timeout`, so that a PgBouncer in between sees the
/// same startup parameters as for the store's own connections).
const CHECK_QUERY_TIMEOUT: Duration = Duration::from_secs(1);
/// After a failed replica read wakes the checker: how long it waits first, so that a burst of
/// failures leads to one check.
const RECHECK_DELAY: Duration = Duration::from_millis(20);
const PRIMARY_LSN_SQL: &str = r#"SELECT pg_current_wal_flush_lsn()::text AS "lsn""#;

/// The replicas of a store, shared by its clones and watched by a background task.
pub(crate) struct ReplicaSet {
    nodes: Vec<Arc<Node>>,
    /// Round-robin position.
    next: AtomicUsize,
    /// One connection to the primary, for its WAL position.
    primary: DatabaseConnection,
    max_lag: Option<Duration>,
    /// How long one check may take.
    check_limit: Duration,
    /// Wakes the checker early (a replica read failed, or the store is closing).
    pub(super) wake: Arc<Notify>,
    closed: AtomicBool,
}

impl ReplicaSet {
    /// The next healthy replica, round-robin.
    pub(super) fn pick(&self) -> Option<&Node> {
        let n = self.nodes.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &*self.nodes[(start.wrapping_add(i)) % n])
            .find(|node| node.healthy.load(Ordering::Acquire))
    }

    async fn primary_lsn(&self) -> Option<Lsn> {
        let stmt = Statement::from_string(DbBackend::Postgres, PRIMARY_LSN_SQL);
        let row = tokio::time::timeout(self.check_limit, self.primary.query_one_raw(stmt))
            .await
            .ok()?
            .ok()??;
        get::<String>(&row, "lsn")
            .ok()
            .as_deref()
            .and_then(Lsn::parse)
    }

    /// Checks every replica (concurrently) and records the verdicts.
    async fn check_all(&self) {
        let reference = self.primary_lsn().await;
        let mut checks = JoinSet::new();
        for node in &self.nodes {
            checks.spawn(Arc::clone(node).check(reference, self.max_lag, self.check_limit));
        }
        while checks.join_next().await.is_some() {}
    }

    /// The state of every replica.
    pub(super) fn status(&self) -> Vec<ReplicaStatus> {
        self.nodes
            .iter()
            .map(|node| {
                let verdict = node
                    .status
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                ReplicaStatus {
                    url: node.label.clone(),
                    healthy: verdict.healthy,
                    lag: verdict.lag,
                    reason: verdict.reason,
                }
            })
            .collect()
    }

    /// Stops the checker and closes the replica pools.
    pub(crate) async fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.wake.notify_one();
        for node in &self.nodes {
            node.healthy.store(false, Ordering::Release);
            *node.status.lock().unwrap_or_else(PoisonError::into_inner) =
                Verdict::skipped(None, "the store is closed");
            let _ = node.pool.close_by_ref().await;
            let _ = node.probe.close_by_ref().await;
        }
        let _ = self.primary.close_by_ref().await;
    }
}

/// The checker: every `interval` (or soon after a wake-up), until the store is closed or
/// dropped. It holds the set only while a check runs.
async fn watch(set: Weak<ReplicaSet>, wake: Arc<Notify>, interval: Duration) {
    loop {
        if tokio::time::timeout(interval, wake.notified())
            .await
            .is_ok()
        {
            tokio::time::sleep(RECHECK_DELAY).await;
        }
        let Some(set) = set.upgrade() else { return };
        if set.closed.load(Ordering::Acquire) {
            return;
        }
        set.check_all().await;
    }
}

/// A pool for `config` that connects lazily (on first use, never in here).
async fn lazy_pool(config: PgConfig) -> StoreResult<DatabaseConnection> {
    let mut options = config.to_options();
    options.connect_lazy(true);
    Database::connect(options)
        .await
        .map_err(|_| StoreError::internal("cannot configure a PostgreSQL replica pool"))
}

/// Opens the replica pools and the check connections (lazily: a replica that is down does not
/// fail the store), checks every replica once, and starts the checker. `None` without
/// replicas.
///
/// # Errors
/// `Internal` if a pool cannot be configured or there is no Tokio runtime.
pub(crate) async fn connect(config: &PgConfig) -> StoreResult<Option<Arc<ReplicaSet>>> {
    let settings = &config.replicas;
    if settings.urls.is_empty() {
        return Ok(None);
    }
    let runtime = conn::runtime()?;
    let check_name = match &config.pool.application_name {
        Some(name) => format!("{name} replica check"),
        None => "containerpub replica check".to_owned(),
    };
    // Checks run on one connection per server, named apart from the store's own.
    let probe = |base: &PgConfig| PgConfig {
        pool: PoolSettings {
            max_connections: 1,
            min_connections: 0,
            acquire_timeout: settings.acquire_timeout,
            idle_health_check: None,
            application_name: Some(check_name.clone()),
            ..base.pool.clone()
        },
        replicas: ReplicaSettings::default(),
        ..base.clone()
    };
    let mut nodes = Vec::with_capacity(settings.urls.len());
    for url in &settings.urls {
        let base = PgConfig {
            url: url.clone(),
            pool: PoolSettings {
                acquire_timeout: settings.acquire_timeout,
                ..config.pool.clone()
            },
            replicas: ReplicaSettings::default(),
            read_only: true,
        };
        nodes.push(Arc::new(Node {
            label: redact(url),
            probe: lazy_pool(probe(&base)).await?,
            pool: lazy_pool(base).await?,
            healthy: AtomicBool::new(false),
            status: Mutex::new(Verdict::skipped(None, "not checked yet")),
        }));
    }
    let set = Arc::new(ReplicaSet {
        nodes,
        next: AtomicUsize::new(0),
        primary: lazy_pool(probe(config)).await?,
        max_lag: settings.max_lag,
        check_limit: settings.acquire_timeout + CHECK_QUERY_TIMEOUT,
        wake: Arc::new(Notify::new()),
        closed: AtomicBool::new(false),
    });
    set.check_all().await;
    runtime.spawn(watch(
        Arc::downgrade(&set),
        Arc::clone(&set.wake),
        settings.check_interval,
    ));
    Ok(Some(set))
}
