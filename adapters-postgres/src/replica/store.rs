//! The replica methods of [`PgStore`]: the primary view, the replicas' status, and raw reads
//! on a replica.

use containerpub_ports::{StoreResult, Value};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

use super::routing::Routed;
use super::set::ReplicaSet;
use super::status::ReplicaStatus;
use crate::conn;
use crate::handle::Handle;
use crate::raw::{self, RawRow};
use crate::store::PgStore;

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
        PgStore::new(Handle {
            conn: self.handle.conn.clone(),
            clock: Arc::clone(&self.handle.clock),
            replicas: None,
        })
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
    let tx = conn::begin_read_only(db).await?;
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
