//! The replica settings of a [`PgConfig`]: the builder methods, their defaults, how they are
//! read back ([`ReplicaSettings`]), and the check of the URLs before anything connects.

use std::fmt;
use std::time::Duration;

use containerpub_domain::Rule;
use containerpub_ports::{StoreError, StoreResult};

use crate::config::{PgConfig, redact};

/// Default of [`PgConfig::max_replica_lag`].
const DEFAULT_MAX_LAG: Duration = Duration::from_secs(5);
/// Default of [`PgConfig::replica_check_interval`].
const DEFAULT_CHECK_INTERVAL: Duration = Duration::from_secs(1);
/// Default of [`PgConfig::replica_acquire_timeout`].
const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);
/// The shortest check interval accepted.
const MIN_CHECK_INTERVAL: Duration = Duration::from_millis(10);

/// The replica part of a [`PgConfig`], as set by its builder methods; read it with
/// [`PgConfig::replica_settings`]. Its `Debug` does not show the URLs' passwords.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplicaSettings {
    /// The replica URLs, in the order added ([`PgConfig::replica`], [`PgConfig::replicas`]).
    pub urls: Vec<String>,
    /// [`PgConfig::max_replica_lag`].
    pub max_lag: Option<Duration>,
    /// [`PgConfig::replica_check_interval`].
    pub check_interval: Duration,
    /// [`PgConfig::replica_acquire_timeout`].
    pub acquire_timeout: Duration,
}

impl Default for ReplicaSettings {
    /// No replicas, and the defaults listed on [`PgConfig`].
    fn default() -> Self {
        Self {
            urls: Vec::new(),
            max_lag: Some(DEFAULT_MAX_LAG),
            check_interval: DEFAULT_CHECK_INTERVAL,
            acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT,
        }
    }
}

impl fmt::Debug for ReplicaSettings {
    /// Passwords in the URLs are not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let urls: Vec<String> = self.urls.iter().map(|url| redact(url)).collect();
        f.debug_struct("ReplicaSettings")
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
    /// assert_eq!(config.replica_settings().urls.len(), 2);
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

    /// The replicas' URLs and knobs, as the builder methods set them.
    #[must_use]
    pub fn replica_settings(&self) -> &ReplicaSettings {
        &self.replicas
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_settings_and_debug() {
        let c = PgConfig::new("postgres://u@p/db")
            .replica("postgres://u:secret@r1/db")
            .replicas(["postgres://u@r2/db", "postgres://u@r3/db"])
            .max_replica_lag(None)
            .replica_check_interval(Duration::ZERO)
            .replica_acquire_timeout(Duration::from_millis(300));
        assert_eq!(c.replica_settings().urls.len(), 3);
        assert_eq!(c.replica_settings().max_lag, None);
        assert_eq!(c.replica_settings().check_interval, MIN_CHECK_INTERVAL);
        assert_eq!(
            c.replica_settings().acquire_timeout,
            Duration::from_millis(300)
        );
        let c = c.max_replica_lag(Duration::from_secs(2));
        assert_eq!(c.replica_settings().max_lag, Some(Duration::from_secs(2)));
        for text in [format!("{c:?}"), format!("{:?}", c.replica_settings())] {
            assert!(!text.contains("secret"), "{text}");
            assert!(text.contains("postgres://u:***@r1/db"), "{text}");
        }
        assert!(check_urls(&c).is_ok());
        assert!(check_urls(&c.replica("mysql://x@y/z")).is_err());
        let d = PgConfig::new("postgres://u@p/db");
        assert_eq!(d.replica_settings().max_lag, Some(DEFAULT_MAX_LAG));
        assert_eq!(d.replica_settings().check_interval, DEFAULT_CHECK_INTERVAL);
        assert_eq!(
            d.replica_settings().acquire_timeout,
            DEFAULT_ACQUIRE_TIMEOUT
        );
    }
}
