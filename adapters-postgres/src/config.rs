//! Typed connection settings.

use std::fmt;
use std::time::Duration;

mod secrets;

pub use secrets::redact;
pub(crate) use secrets::without_secrets;

/// Default of [`PgConfig::statement_timeout`].
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default of [`PgConfig::idle_in_transaction_timeout`].
pub const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT: Duration = Duration::from_secs(60);

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
/// assert_eq!(config.get_max_connections(), 20);
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
/// Read a setting back with [`PgConfig::url`], or with `get_` and the knob's name
/// ([`PgConfig::get_max_connections`], …): the plain names are the builder methods above (the
/// convention of `std::process::Command::get_program`).
///
/// Statement logging by the driver is always off (the stores emit `tracing` spans instead).
/// Every session runs with `standard_conforming_strings = on` (backslashes in `'…'` are
/// ordinary characters), whatever the server's default: raw SQL and the stores' own SQL are
/// written for it.
#[derive(Clone)]
pub struct PgConfig {
    pub(crate) url: String,
    pub(crate) max_connections: u32,
    pub(crate) min_connections: u32,
    pub(crate) acquire_timeout: Duration,
    pub(crate) statement_timeout: Option<Duration>,
    pub(crate) idle_in_transaction_timeout: Option<Duration>,
    pub(crate) idle_health_check: Option<Duration>,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) max_lifetime: Option<Duration>,
    pub(crate) application_name: Option<String>,
    pub(crate) replicas: crate::replica::ReplicaConfig,
    /// Replica pools: every session `default_transaction_read_only`.
    pub(crate) read_only: bool,
}

impl fmt::Debug for PgConfig {
    /// The URL's password, if any, is not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgConfig")
            .field("url", &redact(&self.url))
            .field("max_connections", &self.max_connections)
            .field("min_connections", &self.min_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .field(
                "idle_in_transaction_timeout",
                &self.idle_in_transaction_timeout,
            )
            .field("idle_health_check", &self.idle_health_check)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_lifetime", &self.max_lifetime)
            .field("application_name", &self.application_name)
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
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Some(DEFAULT_STATEMENT_TIMEOUT),
            idle_in_transaction_timeout: Some(DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT),
            idle_health_check: Some(Duration::from_secs(30)),
            idle_timeout: None,
            max_lifetime: None,
            application_name: None,
            replicas: crate::replica::ReplicaConfig::default(),
            read_only: false,
        }
    }

    /// The most connections the pool opens (at least 1).
    #[must_use]
    pub fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// The connections the pool keeps open while idle.
    #[must_use]
    pub fn min_connections(mut self, n: u32) -> Self {
        self.min_connections = n;
        self
    }

    /// How long a call waits for a connection before failing with `Unavailable`.
    #[must_use]
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// The server-side `statement_timeout` of every connection (default 30 s; `None`: no
    /// limit).
    #[must_use]
    pub fn statement_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.statement_timeout = timeout;
        self
    }

    /// The server-side `idle_in_transaction_session_timeout` of every connection (default
    /// 60 s; `None`: no limit): a session idle inside a transaction this long is ended by the
    /// server, releasing its locks; the transaction's next call fails with `Unavailable` and
    /// nothing of it is committed.
    #[must_use]
    pub fn idle_in_transaction_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_in_transaction_timeout = timeout;
        self
    }

    /// See [`PgConfig::idle_in_transaction_timeout`].
    #[must_use]
    pub fn get_idle_in_transaction_timeout(&self) -> Option<Duration> {
        self.idle_in_transaction_timeout
    }

    /// Ping a pooled connection before handing it out only if it has been idle at least
    /// this long (`None`: never ping; a connection the server dropped then fails one call
    /// with `Unavailable`).
    #[must_use]
    pub fn idle_health_check(mut self, idle_for: Option<Duration>) -> Self {
        self.idle_health_check = idle_for;
        self
    }

    /// Close connections idle this long (`None`: the driver's default).
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Recycle connections this old (`None`: the driver's default).
    #[must_use]
    pub fn max_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.max_lifetime = lifetime;
        self
    }

    /// The `application_name` the connections report.
    #[must_use]
    pub fn application_name(mut self, name: impl Into<String>) -> Self {
        self.application_name = Some(name.into());
        self
    }

    /// The database URL.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// See [`PgConfig::max_connections`].
    #[must_use]
    pub fn get_max_connections(&self) -> u32 {
        self.max_connections
    }

    /// See [`PgConfig::min_connections`].
    #[must_use]
    pub fn get_min_connections(&self) -> u32 {
        self.min_connections
    }

    /// See [`PgConfig::acquire_timeout`].
    #[must_use]
    pub fn get_acquire_timeout(&self) -> Duration {
        self.acquire_timeout
    }

    /// See [`PgConfig::statement_timeout`].
    #[must_use]
    pub fn get_statement_timeout(&self) -> Option<Duration> {
        self.statement_timeout
    }

    /// See [`PgConfig::idle_health_check`].
    #[must_use]
    pub fn get_idle_health_check(&self) -> Option<Duration> {
        self.idle_health_check
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
        let idle_in_transaction = self.idle_in_transaction_timeout;
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
            .max_connections(self.max_connections)
            .min_connections(self.min_connections.min(self.max_connections))
            .acquire_timeout(self.acquire_timeout)
            .sqlx_logging(false);
        // Connections opened before an online schema change broke a cached statement are
        // replaced as they are handed out (`crate::stale_plans`).
        options.map_sqlx_postgres_before_acquire(|_conn, meta| {
            Box::pin(async move { Ok(!crate::stale_plans::is_stale(meta.age)) })
        });
        match self.idle_health_check {
            Some(idle) => {
                options.test_before_acquire_if_idle_for(idle);
            }
            None => {
                options.test_before_acquire(false);
            }
        }
        if let Some(timeout) = self.statement_timeout {
            options.statement_timeout(timeout);
        }
        if let Some(timeout) = self.idle_timeout {
            options.idle_timeout(timeout);
        }
        if let Some(lifetime) = self.max_lifetime {
            options.max_lifetime(lifetime);
        }
        if let Some(name) = &self.application_name {
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
        assert_eq!(c.get_acquire_timeout(), Duration::from_secs(5));
        assert_eq!(c.get_idle_health_check(), Some(Duration::from_secs(30)));
        assert_eq!(c.get_statement_timeout(), Some(DEFAULT_STATEMENT_TIMEOUT));
        assert_eq!(
            c.get_idle_in_transaction_timeout(),
            Some(DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT)
        );
        assert_eq!(
            c.to_options().get_statement_timeout(),
            Some(Duration::from_secs(30))
        );
        let c = c
            .max_connections(0)
            .statement_timeout(Some(Duration::from_millis(1500)));
        assert_eq!(c.get_max_connections(), 1);
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
