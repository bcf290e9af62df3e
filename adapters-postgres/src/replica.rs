//! Read replicas: one primary and any number of streaming standbys.
//!
//! # Routing
//! - Every `Reader` method called on a [`PgStore`](crate::PgStore) outside a transaction runs on a healthy
//!   replica, chosen round-robin; with no healthy replica it runs on the primary.
//! - Writer methods, everything on a [`PgTransaction`](crate::PgTransaction) (reads included),
//!   [`PgStore::raw_query`](crate::PgStore::raw_query) /
//!   [`PgStore::raw_execute`](crate::PgStore::raw_execute) and every read made through
//!   [`PgStore::primary`](crate::PgStore::primary) (read-your-writes) run on the primary.
//! - A replica read failing with `Unavailable` (a lost connection, a standby shutting down, a
//!   query cancelled by a recovery conflict, no replica connection within
//!   `replica_acquire_timeout`) runs again on the primary, so the caller does not see it; the
//!   replica is skipped until it passes a check again (one is started at once). One failing
//!   with `Internal` (say, a replica still behind a schema change) runs again on the primary
//!   too, without skipping the replica. One stopped by `statement_timeout` (`57014`) is
//!   returned to the caller as is: the replica is healthy, and the primary would take as long.
//! - Replica sessions run with `default_transaction_read_only = on`.
//!
//! One mechanism does it: the reader methods of [`Handle`](crate::handle::Handle) wrap their body in [`routed`],
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

mod config;
mod lag;
mod node;
mod routing;
mod set;
mod status;
mod store;

pub use config::ReplicaSettings;
pub(crate) use config::check_urls;
pub(crate) use routing::{Lease, Routed, routed};
pub(crate) use set::{ReplicaSet, connect};
pub use status::ReplicaStatus;
