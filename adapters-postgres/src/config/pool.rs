//! The pool's knobs of a [`PgConfig`](super::PgConfig), read back through
//! [`PgConfig::pool`](super::PgConfig::pool), and their defaults.

use std::time::Duration;

/// Default of [`PgConfig::statement_timeout`](super::PgConfig::statement_timeout).
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default of [`PgConfig::idle_in_transaction_timeout`](super::PgConfig::idle_in_transaction_timeout).
pub const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT: Duration = Duration::from_secs(60);

/// The pool's knobs of a [`PgConfig`](super::PgConfig), as set by its builder methods of the
/// same names (see the table there for what each does); read them with
/// [`PgConfig::pool`](super::PgConfig::pool): `config.pool().max_connections`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolSettings {
    /// The most connections the pool opens (at least 1).
    pub max_connections: u32,
    /// The connections the pool keeps open while idle.
    pub min_connections: u32,
    /// How long a call waits for a connection before failing with `Unavailable`.
    pub acquire_timeout: Duration,
    /// The server-side `statement_timeout` of every connection (`None`: no limit).
    pub statement_timeout: Option<Duration>,
    /// The server-side `idle_in_transaction_session_timeout` of every connection (`None`: no
    /// limit).
    pub idle_in_transaction_timeout: Option<Duration>,
    /// Ping a pooled connection before handing it out only if it has been idle at least this
    /// long (`None`: never ping).
    pub idle_health_check: Option<Duration>,
    /// Close connections idle this long (`None`: the driver's default).
    pub idle_timeout: Option<Duration>,
    /// Recycle connections this old (`None`: the driver's default).
    pub max_lifetime: Option<Duration>,
    /// The `application_name` the connections report.
    pub application_name: Option<String>,
}

impl Default for PoolSettings {
    /// The defaults listed on [`PgConfig`](super::PgConfig).
    fn default() -> Self {
        Self {
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Some(DEFAULT_STATEMENT_TIMEOUT),
            idle_in_transaction_timeout: Some(DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT),
            idle_health_check: Some(Duration::from_secs(30)),
            idle_timeout: None,
            max_lifetime: None,
            application_name: None,
        }
    }
}
