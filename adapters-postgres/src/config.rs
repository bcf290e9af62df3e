//! Typed connection settings.

use std::fmt;
use std::time::Duration;

mod pool;
mod secrets;

pub use pool::{DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, PoolSettings};
pub use secrets::redact;
pub(crate) use secrets::without_secrets;

use crate::replica::ReplicaSettings;

/// How to connect to PostgreSQL: the URL and the pool's knobs.
///
/// ```
/// use std::time::Duration;
/// use containerpub_postgres::PgConfig;
///
/// let config = PgConfig::new("postgres://app@127.0.0.1:5432/containerpub")
///     .max_connections(20)
///     .acquire_timeout(Duration::from_secs(3))
///     .statement_timeout(Some(Duration::from_secs(10)));
/// assert_eq!(config.pool().max_connections, 20);
/// ```
///
/// | knob | default | cost / effect |
/// |---|---|---|
/// | `max_connections` | 10 | server backends held open at most |
/// | `min_connections` | 0 | connections kept open while idle |
/// | `acquire_timeout` | 5 s | how long a call waits for a free connection before `Unavailable` |
/// | `statement_timeout` | 30 s | server-side limit per statement (`57014` → `Unavailable`); also bounds how long a cancelled call's statement can keep its connection busy (`None`: no limit) |
/// | `idle_in_transaction_timeout` | 60 s | the server ends a session left idle inside a transaction this long (a transaction forgotten by its caller no longer holds its locks and connection for good; its next call is `Unavailable`, nothing committed) (`None`: no limit) |
/// | `idle_health_check` | 30 s | ping a pooled connection before use only if it sat idle at least this long (a ping costs one round trip; pinging on every acquire made point lookups ~1.7× slower) |
/// | `idle_timeout` | sqlx default (10 min) | close connections idle this long |
/// | `max_lifetime` | sqlx default (30 min) | recycle connections this old |
/// | `application_name` | none | shown in `pg_stat_activity` |
/// | `replica` / `replicas` | none | read replicas: reads outside a transaction go there (see `docs/SCALING.md`); each has a pool of its own with the knobs above |
/// | `max_replica_lag` | 5 s | a replica further behind is skipped (`None`: never skipped for lag); reads may be this stale, plus up to one check interval |
/// | `replica_check_interval` | 1 s | how often each replica's health and lag are checked: one small query per replica and one on the primary each time, each on one extra connection of its own |
/// | `replica_acquire_timeout` | 1 s | how long a read waits for a replica connection before running on the primary |
///
/// Read the settings back with [`PgConfig::url`], [`PgConfig::pool`] (the pool's knobs:
/// `config.pool().max_connections`) and [`PgConfig::replica_settings`] (the replicas' URLs and
/// knobs); the plain names are the builder methods above.
///
/// Statement logging by the driver is always off (the stores emit `tracing` spans instead).
/// Every session runs with `standard_conforming_strings = on` (backslashes in `'…'` are
/// ordinary characters), whatever the server's default: raw SQL and the stores' own SQL are
/// written for it.
#[derive(Clone)]
pub struct PgConfig {
    pub(crate) url: String,
    pub(crate) pool: PoolSettings,
    pub(crate) replicas: ReplicaSettings,
    /// Replica pools: every session `default_transaction_read_only`.
    pub(crate) read_only: bool,
}

impl fmt::Debug for PgConfig {
    /// The URL's password, if any, is not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgConfig")
            .field("url", &redact(&self.url))
            .field("pool", &self.pool)
            .field("replicas", &self.replicas)
            .finish()
    }
}

impl PgConfig {
    /// Settings for the database at `url` (`postgres://user[:password]@host[:port]/db`),
    /// with the defaults listed on [`PgConfig`].
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            pool: PoolSettings::default(),
            replicas: ReplicaSettings::default(),
            read_only: false,
        }
    }

    /// The most connections the pool opens (at least 1).
    #[must_use]
    pub fn max_connections(mut self, n: u32) -> Self {
        self.pool.max_connections = n.max(1);
        self
    }

    /// The connections the pool keeps open while idle.
    #[must_use]
    pub fn min_connections(mut self, n: u32) -> Self {
        self.pool.min_connections = n;
        self
    }

    /// How long a call waits for a connection before failing with `Unavailable`.
    #[must_use]
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.pool.acquire_timeout = timeout;
        self
    }

    /// The server-side `statement_timeout` of every connection (default 30 s; `None`: no
    /// limit).
    #[must_use]
    pub fn statement_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool.statement_timeout = timeout;
        self
    }

    /// The server-side `idle_in_transaction_session_timeout` of every connection (default
    /// 60 s; `None`: no limit): a session idle inside a transaction this long is ended by the
    /// server, releasing its locks; the transaction's next call fails with `Unavailable` and
    /// nothing of it is committed.
    #[must_use]
    pub fn idle_in_transaction_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool.idle_in_transaction_timeout = timeout;
        self
    }

    /// Ping a pooled connection before handing it out only if it has been idle at least
    /// this long (`None`: never ping; a connection the server dropped then fails one call
    /// with `Unavailable`).
    #[must_use]
    pub fn idle_health_check(mut self, idle_for: Option<Duration>) -> Self {
        self.pool.idle_health_check = idle_for;
        self
    }

    /// Close connections idle this long (`None`: the driver's default).
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool.idle_timeout = timeout;
        self
    }

    /// Recycle connections this old (`None`: the driver's default).
    #[must_use]
    pub fn max_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.pool.max_lifetime = lifetime;
        self
    }

    /// The `application_name` the connections report.
    #[must_use]
    pub fn application_name(mut self, name: impl Into<String>) -> Self {
        self.pool.application_name = Some(name.into());
        self
    }

    /// The database URL.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The pool's knobs, as the builder methods set them.
    #[must_use]
    pub fn pool(&self) -> &PoolSettings {
        &self.pool
    }

    /// The driver's options for one connection (URL without secrets, password apart), as
    /// the pool connects; `None` for a URL that does not parse.
    pub(crate) fn connect_options(&self) -> Option<sea_orm::sqlx::postgres::PgConnectOptions> {
        let (url, password) = without_secrets(&self.url)?;
        let options = url
            .parse::<sea_orm::sqlx::postgres::PgConnectOptions>()
            .ok()?;
        Some(match password {
            Some(password) => options.password(&password),
            None => options,
        })
    }

    pub(crate) fn to_options(&self) -> sea_orm::ConnectOptions {
        // The driver gets the URL without secrets and the password apart (see
        // `without_secrets`); `PgStore::connect` refuses a URL that does not parse.
        let (url, password) =
            without_secrets(&self.url).unwrap_or_else(|| (self.url.clone(), None));
        let mut options = sea_orm::ConnectOptions::new(url);
        let idle_in_transaction = self.pool.idle_in_transaction_timeout;
        let read_only = self.read_only;
        options.map_sqlx_postgres_opts(move |mut opts| {
            if let Some(password) = &password {
                opts = opts.password(password);
            }
            if let Some(timeout) = idle_in_transaction {
                opts = opts.options([(
                    "idle_in_transaction_session_timeout",
                    timeout.as_millis().to_string(),
                )]);
            }
            if read_only {
                opts = opts.options([("default_transaction_read_only", "on")]);
            }
            // Raw SQL is rewritten, and `LIKE … ESCAPE '\'` written, for standard strings.
            opts = opts.options([("standard_conforming_strings", "on")]);
            opts
        });
        options
            .max_connections(self.pool.max_connections)
            .min_connections(self.pool.min_connections.min(self.pool.max_connections))
            .acquire_timeout(self.pool.acquire_timeout)
            .sqlx_logging(false);
        // Connections opened before an online schema change broke a cached statement are
        // replaced as they are handed out (`crate::stale_plans`).
        options.map_sqlx_postgres_before_acquire(|_conn, meta| {
            Box::pin(async move { Ok(!crate::stale_plans::is_stale(meta.age)) })
        });
        match self.pool.idle_health_check {
            Some(idle) => {
                options.test_before_acquire_if_idle_for(idle);
            }
            None => {
                options.test_before_acquire(false);
            }
        }
        if let Some(timeout) = self.pool.statement_timeout {
            options.statement_timeout(timeout);
        }
        if let Some(timeout) = self.pool.idle_timeout {
            options.idle_timeout(timeout);
        }
        if let Some(lifetime) = self.pool.max_lifetime {
            options.max_lifetime(lifetime);
        }
        if let Some(name) = &self.pool.application_name {
            options.set_application_name(name.clone());
        }
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_setters() {
        let c = PgConfig::new("postgres://u:secret@h/db");
        assert_eq!(c.url(), "postgres://u:secret@h/db");
        assert_eq!(c.pool().acquire_timeout, Duration::from_secs(5));
        assert_eq!(c.pool().idle_health_check, Some(Duration::from_secs(30)));
        assert_eq!(c.pool().statement_timeout, Some(DEFAULT_STATEMENT_TIMEOUT));
        assert_eq!(
            c.pool().idle_in_transaction_timeout,
            Some(DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT)
        );
        assert_eq!(
            c.to_options().get_statement_timeout(),
            Some(Duration::from_secs(30))
        );
        let c = c
            .max_connections(0)
            .statement_timeout(Some(Duration::from_millis(1500)));
        assert_eq!(c.pool().max_connections, 1);
        let options = c.to_options();
        assert_eq!(
            options.get_statement_timeout(),
            Some(Duration::from_millis(1500))
        );
        assert!(!options.get_test_before_acquire());
        assert_eq!(
            options.get_test_before_acquire_if_idle_for(),
            Some(Duration::from_secs(30))
        );
        assert!(!options.get_sqlx_logging());
        let c = c.idle_health_check(None);
        assert!(!c.to_options().get_test_before_acquire());
        assert_eq!(c.to_options().get_test_before_acquire_if_idle_for(), None);
    }

    #[test]
    fn debug_hides_the_password() {
        let text = format!("{:?}", PgConfig::new("postgres://u:secret@h/db"));
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("postgres://u:***@h/db"));
    }
}
