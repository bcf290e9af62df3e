//! What [`PgStore::replica_status`](crate::PgStore::replica_status) reports.

use std::time::Duration;

/// The state of one replica, as of its last check (see [`PgStore::replica_status`](crate::PgStore::replica_status)).
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
