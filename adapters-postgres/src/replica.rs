//! Read replicas: one primary and any number of streaming standbys.
//!
//! # Routing
//! - Every `Reader` method called on a [`PgStore`] outside a transaction runs on a healthy
//!   replica, chosen round-robin; with no healthy replica it runs on the primary.
//! - Writer methods, everything on a [`PgTransaction`](crate::PgTransaction) (reads included),
//!   [`PgStore::raw_query`] / [`PgStore::raw_execute`] and every read made through
//!   [`PgStore::primary`] (read-your-writes) run on the primary.
//! - A replica read failing with `Unavailable` (a lost connection, a standby shutting down, a
//!   query cancelled by a recovery conflict, no replica connection within
//!   `replica_acquire_timeout`) runs again on the primary, so the caller does not see it; the
//!   replica is skipped until it passes a check again (one is started at once). One failing
//!   with `Internal` (say, a replica still behind a schema change) runs again on the primary
//!   too, without skipping the replica.
//!
//! One mechanism does it: the reader methods of [`Handle`] wrap their body in [`routed!`],
//! which asks [`Routed::replica`] for a handle on a replica pool (only the pool handle of a
//! store with replicas has one) and runs the very same generic code on it.
//!
//! # Health and lag
//! A background task checks every replica each `replica_check_interval` (and right after a
//! replica read failed), on a connection of its own, with
//! `SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn(), pg_last_wal_receive_lsn(),
//! now() - pg_last_xact_replay_timestamp()`. A replica is used when it answers, is in recovery
//! (a standby: a promoted or misconfigured server is never read from), and its lag is at most
//! `max_replica_lag`. The lag is:
//! - **zero** when the replica has replayed everything the primary had written when the check
//!   began: its replay position is at or past the primary's `pg_current_wal_flush_lsn()`
//!   (what a standby can have received), sampled just before (if the primary does not answer,
//!   the replica's own receive position stands in for it). On an idle primary the replay timestamp stops advancing, so without this rule an
//!   idle, fully caught-up standby would look ever more "behind";
//! - otherwise **`now() - pg_last_xact_replay_timestamp()`** on the replica: how long ago the
//!   last transaction it replayed committed on the primary (the clocks of both machines
//!   matter);
//! - **unknown** when it is behind and has replayed no transaction since it started: such a
//!   replica is skipped while a limit is set.
//!
//! Comparing with the primary's position, rather than only the replica's own receive
//! position, also catches a standby that lost its connection to an active primary: it has
//! replayed all it received, but the primary has moved on.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use containerpub_domain::Rule;
use containerpub_ports::{StoreError, StoreResult, Value};
use sea_orm::{
    AccessMode, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    QueryResult, Statement, TransactionTrait,
};
use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::config::{PgConfig, redact};
use crate::conn::{self, PgConn};
use crate::error::{Op, map_db_err};
use crate::handle::Handle;
use crate::raw::{self, RawRow};
use crate::store::PgStore;

/// Default of [`PgConfig::max_replica_lag`].
const DEFAULT_MAX_LAG: Duration = Duration::from_secs(5);
/// Default of [`PgConfig::replica_check_interval`].
const DEFAULT_CHECK_INTERVAL: Duration = Duration::from_secs(1);
/// Default of [`PgConfig::replica_acquire_timeout`].
const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);
/// The shortest check interval accepted.
const MIN_CHECK_INTERVAL: Duration = Duration::from_millis(10);
/// How long a check query may take once connected (enforced on the client side: the check
/// connections keep the store's `statement_timeout`, so that a PgBouncer in between sees the
/// same startup parameters as for the store's own connections).
const CHECK_QUERY_TIMEOUT: Duration = Duration::from_secs(1);
/// After a failed replica read wakes the checker: how long it waits first, so that a burst of
/// failures leads to one check.
const RECHECK_DELAY: Duration = Duration::from_millis(20);

const CHECK_SQL: &str = r#"SELECT pg_is_in_recovery() AS "in_recovery", pg_last_wal_replay_lsn()::text AS "replay_lsn", pg_last_wal_receive_lsn()::text AS "receive_lsn", EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS "replay_age""#;
const PRIMARY_LSN_SQL: &str = r#"SELECT pg_current_wal_flush_lsn()::text AS "lsn""#;

// ---------------------------------------------------------------------------------------------
// Configuration

/// The replica part of a [`PgConfig`].
#[derive(Clone)]
pub(crate) struct ReplicaConfig {
    urls: Vec<String>,
    max_lag: Option<Duration>,
    check_interval: Duration,
    acquire_timeout: Duration,
}

impl Default for ReplicaConfig {
    fn default() -> Self {
        Self {
            urls: Vec::new(),
            max_lag: Some(DEFAULT_MAX_LAG),
            check_interval: DEFAULT_CHECK_INTERVAL,
            acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT,
        }
    }
}

impl fmt::Debug for ReplicaConfig {
    /// Passwords in the URLs are not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let urls: Vec<String> = self.urls.iter().map(|url| redact(url)).collect();
        f.debug_struct("ReplicaConfig")
            .field("urls", &urls)
            .field("max_lag", &self.max_lag)
            .field("check_interval", &self.check_interval)
            .field("acquire_timeout", &self.acquire_timeout)
            .finish()
    }
}

/// Read replicas (see `docs/SCALING.md`).
impl PgConfig {
    /// Adds a read replica: a streaming standby of the primary (`postgres://…` URL, same
    /// database). Reads made outside a transaction go to healthy replicas, round-robin; see
    /// the crate docs, "Read replicas".
    ///
    /// ```
    /// use std::time::Duration;
    /// use containerpub_postgres::PgConfig;
    ///
    /// let config = PgConfig::new("postgres://app@10.0.0.1:5432/containerpub")
    ///     .replica("postgres://app@10.0.0.2:5432/containerpub")
    ///     .replica("postgres://app@10.0.0.3:5432/containerpub")
    ///     .max_replica_lag(Duration::from_secs(2));
    /// assert_eq!(config.get_replicas().len(), 2);
    /// ```
    #[must_use]
    pub fn replica(mut self, url: impl Into<String>) -> Self {
        self.replicas.urls.push(url.into());
        self
    }

    /// Adds several read replicas (after those added before), as [`PgConfig::replica`].
    #[must_use]
    pub fn replicas<I, S>(mut self, urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.replicas.urls.extend(urls.into_iter().map(Into::into));
        self
    }

    /// Skip a replica whose replay lag exceeds this (default 5 s); `None`: never skip a
    /// replica for its lag (a reachable standby is always used, however far behind).
    /// Accepts a `Duration` or an `Option<Duration>`.
    #[must_use]
    pub fn max_replica_lag(mut self, max: impl Into<Option<Duration>>) -> Self {
        self.replicas.max_lag = max.into();
        self
    }

    /// How often every replica's health and lag are checked (default 1 s, at least 10 ms): a
    /// replica that went away, fell behind or came back is noticed within about this long.
    #[must_use]
    pub fn replica_check_interval(mut self, every: Duration) -> Self {
        self.replicas.check_interval = every.max(MIN_CHECK_INTERVAL);
        self
    }

    /// How long a read waits for a replica connection before it runs on the primary instead,
    /// and how long a check waits to connect (default 1 s).
    #[must_use]
    pub fn replica_acquire_timeout(mut self, timeout: Duration) -> Self {
        self.replicas.acquire_timeout = timeout;
        self
    }

    /// The replica URLs, in the order added.
    #[must_use]
    pub fn get_replicas(&self) -> &[String] {
        &self.replicas.urls
    }

    /// See [`PgConfig::max_replica_lag`].
    #[must_use]
    pub fn get_max_replica_lag(&self) -> Option<Duration> {
        self.replicas.max_lag
    }

    /// See [`PgConfig::replica_check_interval`].
    #[must_use]
    pub fn get_replica_check_interval(&self) -> Duration {
        self.replicas.check_interval
    }

    /// See [`PgConfig::replica_acquire_timeout`].
    #[must_use]
    pub fn get_replica_acquire_timeout(&self) -> Duration {
        self.replicas.acquire_timeout
    }
}

fn valid_url(url: &str) -> bool {
    (url.starts_with("postgres://") || url.starts_with("postgresql://"))
        && crate::config::without_secrets(url).is_some_and(|(safe, _)| {
            safe.parse::<sea_orm::sqlx::postgres::PgConnectOptions>()
                .is_ok()
        })
}

/// Checks the replica URLs before anything connects.
///
/// # Errors
/// `InvalidInput` (field `replicas`) for a URL that is not `postgres://…`.
pub(crate) fn check_urls(config: &PgConfig) -> StoreResult<()> {
    if config.replicas.urls.iter().all(|url| valid_url(url)) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "replicas",
            Rule::Format("a postgres://user@host:port/database URL"),
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Status

/// The state of one replica, as of its last check (see [`PgStore::replica_status`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReplicaStatus {
    /// The replica's URL, password hidden.
    pub url: String,
    /// Whether reads are sent to it now.
    pub healthy: bool,
    /// Its replay lag at the last check (zero when caught up); `None` when unknown or
    /// unreachable.
    pub lag: Option<Duration>,
    /// Why it is skipped (`None` while healthy).
    pub reason: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Lag

/// A WAL position (`pg_lsn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Lsn(u64);

impl Lsn {
    /// Parses PostgreSQL's text form, `16/B374D848`.
    fn parse(text: &str) -> Option<Lsn> {
        let (high, low) = text.trim().split_once('/')?;
        let high = u32::from_str_radix(high, 16).ok()?;
        let low = u32::from_str_radix(low, 16).ok()?;
        Some(Lsn((u64::from(high) << 32) | u64::from(low)))
    }
}

/// What a check read from a replica.
#[derive(Debug, Clone, PartialEq)]
struct Sample {
    in_recovery: bool,
    replay: Option<Lsn>,
    receive: Option<Lsn>,
    /// `now() - pg_last_xact_replay_timestamp()`, in seconds.
    replay_age: Option<f64>,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq)]
struct Verdict {
    healthy: bool,
    lag: Option<Duration>,
    reason: Option<String>,
}

impl Verdict {
    fn skipped(lag: Option<Duration>, reason: impl Into<String>) -> Self {
        Self {
            healthy: false,
            lag,
            reason: Some(reason.into()),
        }
    }
}

/// The replica's lag (see the module docs); `reference` is the primary's WAL position sampled
/// before the replica was asked, if the primary answered.
fn measure_lag(sample: &Sample, reference: Option<Lsn>) -> Option<Duration> {
    if let (Some(replay), Some(target)) = (sample.replay, reference.or(sample.receive))
        && replay >= target
    {
        return Some(Duration::ZERO);
    }
    sample
        .replay_age
        .and_then(|secs| Duration::try_from_secs_f64(secs.max(0.0)).ok())
}

/// Whether reads may go to a replica that answered `sample`.
fn assess(sample: &Sample, reference: Option<Lsn>, max_lag: Option<Duration>) -> Verdict {
    if !sample.in_recovery {
        return Verdict::skipped(None, "not a standby: pg_is_in_recovery() is false");
    }
    let lag = measure_lag(sample, reference);
    match (max_lag, lag) {
        (Some(max), Some(lag)) if lag > max => Verdict::skipped(
            Some(lag),
            format!("lagging: {lag:?} behind, more than the {max:?} allowed"),
        ),
        (Some(_), None) => Verdict::skipped(
            None,
            "lag unknown: behind the primary and no transaction replayed since it started",
        ),
        (_, lag) => Verdict {
            healthy: true,
            lag,
            reason: None,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The replica set

/// One replica: its read pool, its check connection and its state.
struct Node {
    /// The URL without password.
    label: String,
    /// Reads run here.
    pool: DatabaseConnection,
    /// Checks run here (one connection), so that a busy read pool does not fail them.
    probe: DatabaseConnection,
    /// Whether reads may go here (the fast path of [`ReplicaSet::pick`]).
    healthy: AtomicBool,
    status: Mutex<Verdict>,
}

impl Node {
    fn record(&self, verdict: Verdict) {
        let was = self.healthy.swap(verdict.healthy, Ordering::AcqRel);
        if was && !verdict.healthy {
            tracing::warn!(
                target: "containerpub_postgres",
                replica = %self.label,
                reason = verdict.reason.as_deref().unwrap_or(""),
                "replica skipped: reads go to other replicas or the primary"
            );
        } else if !was && verdict.healthy {
            tracing::info!(target: "containerpub_postgres", replica = %self.label, lag = ?verdict.lag, "replica serves reads");
        }
        *self.status.lock().unwrap_or_else(PoisonError::into_inner) = verdict;
    }

    async fn sample(&self) -> StoreResult<Sample> {
        let row = self
            .probe
            .query_one_raw(Statement::from_string(DbBackend::Postgres, CHECK_SQL))
            .await
            .map_err(|e| map_db_err(e, Op::Read))?
            .ok_or_else(|| StoreError::internal("the replica check returned no row"))?;
        let get_lsn = |column: &str| -> StoreResult<Option<Lsn>> {
            Ok(get::<Option<String>>(&row, column)?
                .as_deref()
                .and_then(Lsn::parse))
        };
        Ok(Sample {
            in_recovery: get(&row, "in_recovery")?,
            replay: get_lsn("replay_lsn")?,
            receive: get_lsn("receive_lsn")?,
            replay_age: get(&row, "replay_age")?,
        })
    }

    async fn check(
        self: Arc<Self>,
        reference: Option<Lsn>,
        max_lag: Option<Duration>,
        limit: Duration,
    ) {
        // A second try on a fresh connection if the first fails: a check connection the server
        // or a proxy closed while idle must not get the replica skipped.
        let mut first_error = None;
        let attempts = async {
            match self.sample().await {
                Err(err) => {
                    first_error = Some(err);
                    self.sample().await
                }
                ok => ok,
            }
        };
        let outcome = tokio::time::timeout(limit, attempts).await;
        let verdict = match (outcome, first_error) {
            (Ok(Ok(sample)), _) => assess(&sample, reference, max_lag),
            (Ok(Err(err)), _) | (Err(_), Some(err)) => {
                Verdict::skipped(None, format!("check failed: {err}"))
            }
            (Err(_), None) => Verdict::skipped(None, format!("check timed out after {limit:?}")),
        };
        self.record(verdict);
    }
}

fn get<V: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> StoreResult<V> {
    row.try_get::<V>("", column)
        .map_err(|e| StoreError::internal(format!("replica check: column {column}: {e}")))
}

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
    wake: Arc<Notify>,
    closed: AtomicBool,
}

impl ReplicaSet {
    /// The next healthy replica, round-robin.
    fn pick(&self) -> Option<&Node> {
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
    fn status(&self) -> Vec<ReplicaStatus> {
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
    let runtime = runtime()?;
    let check_name = match &config.application_name {
        Some(name) => format!("{name} replica check"),
        None => "containerpub replica check".to_owned(),
    };
    // Checks run on one connection per server, named apart from the store's own.
    let probe = |base: &PgConfig| PgConfig {
        max_connections: 1,
        min_connections: 0,
        acquire_timeout: settings.acquire_timeout,
        idle_health_check: None,
        application_name: Some(check_name.clone()),
        replicas: ReplicaConfig::default(),
        ..base.clone()
    };
    let mut nodes = Vec::with_capacity(settings.urls.len());
    for url in &settings.urls {
        let base = PgConfig {
            url: url.clone(),
            acquire_timeout: settings.acquire_timeout,
            replicas: ReplicaConfig::default(),
            ..config.clone()
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

fn runtime() -> StoreResult<tokio::runtime::Handle> {
    tokio::runtime::Handle::try_current().map_err(|_| {
        StoreError::internal("containerpub-postgres must be used inside a Tokio runtime")
    })
}

// ---------------------------------------------------------------------------------------------
// Routing

/// A read's claim on one replica: a handle on its pool, and what to do if the read fails.
pub(crate) struct Lease<'a, C> {
    /// The handle to run the read on (it has no replicas of its own).
    pub(crate) handle: Handle<C>,
    node: &'a Node,
    wake: &'a Notify,
}

impl<C> Lease<'_, C> {
    /// Whether the read that failed with `err` on this replica must run again on the primary:
    /// yes for `Unavailable` (then the replica is also skipped until it passes a check, and one
    /// is started now) and for `Internal` (a replica behind a schema change, a connection
    /// dying mid-protocol); no for the answers of the domain (`NotFound`, `InvalidInput`, …),
    /// which the primary would give too, or which are just as stale as a result would be.
    pub(crate) fn fall_back(&self, err: &StoreError) -> bool {
        let unavailable = matches!(err, StoreError::Unavailable { .. });
        if !unavailable && !matches!(err, StoreError::Internal { .. }) {
            return false;
        }
        tracing::debug!(
            target: "containerpub_postgres",
            replica = %self.node.label,
            error = %err,
            "replica read failed; running it on the primary"
        );
        if unavailable {
            self.node
                .record(Verdict::skipped(None, format!("a read failed: {err}")));
            self.wake.notify_one();
        }
        true
    }
}

/// A connection type whose handles may route reads to replicas: the pool does (when the store
/// has replicas), a transaction never does.
pub(crate) trait Routed: PgConn + Sized {
    /// A handle on a healthy replica for one read, if this handle routes reads.
    fn replica(h: &Handle<Self>) -> Option<Lease<'_, Self>>;
}

impl Routed for DatabaseConnection {
    fn replica(h: &Handle<Self>) -> Option<Lease<'_, Self>> {
        let set = h.replicas.as_deref()?;
        let node = set.pick()?;
        Some(Lease {
            handle: Handle {
                conn: node.pool.clone(),
                clock: Arc::clone(&h.clock),
                replicas: None,
            },
            node,
            wake: &set.wake,
        })
    }
}

impl Routed for DatabaseTransaction {
    fn replica(_: &Handle<Self>) -> Option<Lease<'_, Self>> {
        None
    }
}

/// A read, as a future: `$body` (an expression using the handle `$h`, evaluating to a future)
/// runs on a replica when [`Routed::replica`] gives one, else on `$handle` itself; a replica
/// read that fails with `Unavailable` runs again on `$handle`. The listed `[$arg]` variables
/// are moved by `$body`: the replica attempt gets clones of them.
macro_rules! routed {
    ($handle:expr, |$h:ident| $body:expr) => {
        $crate::replica::routed!($handle, [], |$h| $body)
    };
    ($handle:expr, [$($arg:ident),* $(,)?], |$h:ident| $body:expr) => {
        async {
            let __handle = $handle;
            match $crate::replica::Routed::replica(__handle) {
                ::core::option::Option::None => {
                    let $h = __handle;
                    $body.await
                }
                ::core::option::Option::Some(__lease) => {
                    let __first = {
                        let $h = &__lease.handle;
                        $(let $arg = ::core::clone::Clone::clone(&$arg);)*
                        $body.await
                    };
                    match __first {
                        ::core::result::Result::Err(__err) if __lease.fall_back(&__err) => {
                            let $h = __handle;
                            $body.await
                        }
                        __other => __other,
                    }
                }
            }
        }
    };
}
pub(crate) use routed;

// ---------------------------------------------------------------------------------------------
// PgStore

/// Read replicas.
impl PgStore {
    /// The same store with every read on the primary: read-your-writes. Reads through it see
    /// every write committed before them, including the caller's own a moment ago; use it
    /// where replica lag would be visible (reading back what was just written). Cheap: it
    /// shares the pools. Writes and transactions are on the primary anyway.
    ///
    /// ```no_run
    /// # use containerpub_ports::Stores;
    /// # async fn demo(store: &containerpub_postgres::PgStore, new: containerpub_domain::NewUser) -> containerpub_ports::StoreResult<()> {
    /// let user = store.users().insert(new).await?;
    /// let again = store.primary().users().find_by_id(user.id).await?; // never stale
    /// assert!(again.is_some());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn primary(&self) -> PgStore {
        PgStore {
            handle: Handle {
                conn: self.handle.conn.clone(),
                clock: Arc::clone(&self.handle.clock),
                replicas: None,
            },
        }
    }

    /// The state of each configured replica as of its last check, in configuration order
    /// (empty without replicas, and on a [`PgStore::primary`] view).
    #[must_use]
    pub fn replica_status(&self) -> Vec<ReplicaStatus> {
        self.handle
            .replicas
            .as_deref()
            .map(ReplicaSet::status)
            .unwrap_or_default()
    }

    /// Runs a raw read-only query on a healthy replica, routed like the store's reads: with no
    /// healthy replica, or if the replica fails with `Unavailable` or `Internal`, it runs on
    /// the primary, inside a `READ ONLY` transaction (so a write fails the same way
    /// everywhere). [`PgStore::raw_query`] and [`PgStore::raw_execute`] always run on the
    /// primary.
    ///
    /// # Errors
    /// As [`PgStore::raw_query`]; a statement that writes fails with `Internal` (SQLSTATE
    /// `25006`, read-only transaction) wherever it runs.
    pub async fn raw_query_replica(
        &self,
        sql: &str,
        params: &[(&str, Value)],
    ) -> StoreResult<Vec<RawRow>> {
        if let Some(lease) = <DatabaseConnection as Routed>::replica(&self.handle) {
            match raw::query(&lease.handle.conn, sql, params).await {
                Err(err) if lease.fall_back(&err) => {}
                other => return other,
            }
        }
        read_only_query(&self.handle.conn, sql, params).await
    }
}

/// A raw query on the primary inside a `READ ONLY` transaction; `BEGIN`, `COMMIT` and
/// `ROLLBACK` run to completion on their own task (see [`crate::conn`]).
async fn read_only_query(
    db: &DatabaseConnection,
    sql: &str,
    params: &[(&str, Value)],
) -> StoreResult<Vec<RawRow>> {
    let pool = db.clone();
    let begin = runtime()?.spawn(async move {
        pool.begin_with_config(None, Some(AccessMode::ReadOnly))
            .await
    });
    let tx = match begin.await {
        Ok(result) => result.map_err(|e| map_db_err(e, Op::Read))?,
        Err(_) => return Err(StoreError::unavailable("the runtime is shutting down")),
    };
    match raw::query(&tx, sql, params).await {
        Ok(rows) => {
            conn::commit(tx, true).await?;
            Ok(rows)
        }
        Err(err) => {
            let _ = conn::rollback(tx, true).await;
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(replay: &str, receive: Option<&str>, age: Option<f64>) -> Sample {
        Sample {
            in_recovery: true,
            replay: Lsn::parse(replay),
            receive: receive.and_then(Lsn::parse),
            replay_age: age,
        }
    }

    #[test]
    fn lsns_parse_and_order() {
        assert_eq!(Lsn::parse("0/0"), Some(Lsn(0)));
        assert_eq!(Lsn::parse("16/B374D848"), Some(Lsn(0x16_B374_D848)));
        assert!(Lsn::parse("1/0") > Lsn::parse("0/FFFFFFFF"));
        assert_eq!(Lsn::parse("x/1"), None);
        assert_eq!(Lsn::parse("12"), None);
    }

    #[test]
    fn caught_up_with_the_primary_is_no_lag_however_old_the_last_transaction() {
        let s = sample("0/3000148", Some("0/3000148"), Some(3600.0));
        assert_eq!(
            measure_lag(&s, Lsn::parse("0/3000148")),
            Some(Duration::ZERO)
        );
        let v = assess(&s, Lsn::parse("0/3000148"), Some(Duration::from_millis(1)));
        assert!(v.healthy, "{v:?}");
    }

    #[test]
    fn behind_the_primary_the_lag_is_the_replay_age() {
        // The replica replayed all it received, but the primary moved on (a lost link).
        let s = sample("0/3000148", Some("0/3000148"), Some(2.5));
        assert_eq!(
            measure_lag(&s, Lsn::parse("0/4000000")),
            Some(Duration::from_millis(2500))
        );
        let v = assess(&s, Lsn::parse("0/4000000"), Some(Duration::from_secs(1)));
        assert!(!v.healthy);
        assert!(
            v.reason
                .as_deref()
                .is_some_and(|r| r.starts_with("lagging")),
            "{v:?}"
        );
        assert!(assess(&s, Lsn::parse("0/4000000"), Some(Duration::from_secs(3))).healthy);
        assert!(assess(&s, Lsn::parse("0/4000000"), None).healthy);
    }

    #[test]
    fn without_the_primary_the_receive_position_is_the_reference() {
        let s = sample("0/5000000", Some("0/5000000"), Some(100.0));
        assert_eq!(measure_lag(&s, None), Some(Duration::ZERO));
        // Received more than replayed (replay paused): lagging by the replay age.
        let s = sample("0/5000000", Some("0/6000000"), Some(0.25));
        assert_eq!(measure_lag(&s, None), Some(Duration::from_millis(250)));
        // Right after a restart the receive position can trail the replay position.
        let s = sample("0/5000100", Some("0/5000000"), None);
        assert_eq!(measure_lag(&s, None), Some(Duration::ZERO));
    }

    #[test]
    fn unknown_lag_and_primaries_are_skipped() {
        let s = sample("0/5000000", Some("0/6000000"), None);
        assert_eq!(measure_lag(&s, None), None);
        assert!(!assess(&s, None, Some(Duration::from_secs(5))).healthy);
        assert!(assess(&s, None, None).healthy);
        let primary = Sample {
            in_recovery: false,
            replay: None,
            receive: None,
            replay_age: None,
        };
        assert!(!assess(&primary, None, None).healthy);
        let skewed = sample("0/1", Some("0/2"), Some(-0.5));
        assert_eq!(measure_lag(&skewed, None), Some(Duration::ZERO));
    }

    #[test]
    fn replica_settings_and_debug() {
        let c = PgConfig::new("postgres://u@p/db")
            .replica("postgres://u:secret@r1/db")
            .replicas(["postgres://u@r2/db", "postgres://u@r3/db"])
            .max_replica_lag(None)
            .replica_check_interval(Duration::ZERO)
            .replica_acquire_timeout(Duration::from_millis(300));
        assert_eq!(c.get_replicas().len(), 3);
        assert_eq!(c.get_max_replica_lag(), None);
        assert_eq!(c.get_replica_check_interval(), MIN_CHECK_INTERVAL);
        assert_eq!(c.get_replica_acquire_timeout(), Duration::from_millis(300));
        let c = c.max_replica_lag(Duration::from_secs(2));
        assert_eq!(c.get_max_replica_lag(), Some(Duration::from_secs(2)));
        let text = format!("{c:?}");
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("postgres://u:***@r1/db"), "{text}");
        assert!(check_urls(&c).is_ok());
        assert!(check_urls(&c.replica("mysql://x@y/z")).is_err());
        let d = PgConfig::new("postgres://u@p/db");
        assert_eq!(d.get_max_replica_lag(), Some(DEFAULT_MAX_LAG));
        assert_eq!(d.get_replica_check_interval(), DEFAULT_CHECK_INTERVAL);
        assert_eq!(d.get_replica_acquire_timeout(), DEFAULT_ACQUIRE_TIMEOUT);
    }
}
