//! Routing a read to a replica, and back to the primary when the replica fails it.

use std::sync::Arc;

use containerpub_ports::{StoreError, StoreResult};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use tokio::sync::Notify;

use super::lag::Verdict;
use super::node::Node;
use crate::conn::PgConn;
use crate::handle::Handle;

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
    /// is started now), for `Internal` (a connection dying mid-protocol) and for
    /// `SchemaMismatch` (a replica behind a schema change); no for the answers of the domain (`NotFound`, `InvalidInput`, …),
    /// which the primary would give too, or which are just as stale as a result would be.
    pub(crate) fn fall_back(&self, err: &StoreError) -> bool {
        // A statement timeout is the statement's doing: the replica stays healthy and the
        // caller gets the error (the same statement would run as long on the primary).
        if crate::error::is_statement_timeout(err) {
            return false;
        }
        let unavailable = matches!(err, StoreError::Unavailable { .. });
        if !unavailable
            && !matches!(
                err,
                StoreError::Internal { .. } | StoreError::SchemaMismatch { .. }
            )
        {
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

/// Runs a read, `body`, on a replica when [`Routed::replica`] gives one, else on `handle`
/// itself; a replica read that fails so that [`Lease::fall_back`] says so runs again on
/// `handle`. `args` are the values `body` reads: the replica attempt gets a clone of them, the
/// last attempt the values themselves.
///
/// `body` takes its values as arguments rather than capturing them: a future of an
/// `AsyncFn` closure that borrows its captures holds a reference of a higher-ranked lifetime,
/// and rustc then cannot show the store method's future to be `Send` (as `async_trait`
/// requires): "implementation of `Send` is not general enough".
pub(crate) async fn routed<C: Routed, A: Clone, T>(
    handle: &Handle<C>,
    args: A,
    body: impl AsyncFn(&Handle<C>, A) -> StoreResult<T>,
) -> StoreResult<T> {
    let Some(lease) = C::replica(handle) else {
        // A transaction that is no longer usable refuses before validating.
        handle.conn.usable()?;
        return body(handle, args).await;
    };
    match body(&lease.handle, args.clone()).await {
        Err(err) if lease.fall_back(&err) => body(handle, args).await,
        other => other,
    }
}
