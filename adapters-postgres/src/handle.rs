//! One store handle for every table: [`Handle<C>`], a connection `C` (the pool or a
//! transaction) with its clock and replicas. It implements every store trait: the generic
//! surface once in [`crate::surface`], the entity-specific methods in [`crate::roles`];
//! [`written`] wraps every write call.

use std::future::Future;
use std::sync::Arc;

use containerpub_domain::{Clock, Timestamp};
use containerpub_ports::{StoreResult, Table};

use crate::conn::PgConn;
use crate::replica::ReplicaSet;
use crate::trace::traced;

/// Every store, bound to one connection (the pool, or a transaction) and a clock.
pub(crate) struct Handle<C> {
    /// The connection statements run on.
    pub(crate) conn: C,
    /// Where stamps come from.
    pub(crate) clock: Arc<dyn Clock>,
    /// The read replicas reader methods run on (see [`crate::replica`]): only on the pool
    /// handle of a store that has replicas; `None` on transactions and replica handles.
    pub(crate) replicas: Option<Arc<ReplicaSet>>,
}

impl<C: Clone> Clone for Handle<C> {
    fn clone(&self) -> Self {
        Self {
            conn: self.conn.clone(),
            clock: Arc::clone(&self.clock),
            replicas: self.replicas.clone(),
        }
    }
}

impl<C> Handle<C> {
    /// The clock's reading (once per call).
    pub(crate) fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

/// A write call: traced ([`traced`]); inside a caller's transaction, an error that aborts it
/// ([`StoreError::aborts_transaction`](containerpub_ports::StoreError::aborts_transaction)) leaves that transaction level unusable
/// ([`PgConn::poison`]), whether the statement failed on the server (which aborted the level
/// already) or the adapter failed after it (a reply that could not be read: the write must
/// not be committed).
pub(crate) async fn written<C: PgConn, T: crate::trace::Rows>(
    h: &Handle<C>,
    op: &'static str,
    table: Table,
    call: impl Future<Output = StoreResult<T>>,
) -> StoreResult<T> {
    h.conn.usable()?;
    let running = Running(Some(&h.conn));
    let result = traced(&h.conn, op, table, call).await;
    running.finished();
    if let Err(err) = &result
        && err.aborts_transaction()
    {
        h.conn.poison(err);
    }
    result
}

/// A write call in progress: dropped before [`Running::finished`] (the caller dropped the
/// call's future), it leaves a caller's transaction unusable ([`PgConn::cancelled`]).
struct Running<'a, C: PgConn>(Option<&'a C>);

impl<C: PgConn> Running<'_, C> {
    fn finished(mut self) {
        self.0 = None;
    }
}

impl<C: PgConn> Drop for Running<'_, C> {
    fn drop(&mut self) {
        if let Some(conn) = self.0 {
            conn.cancelled();
        }
    }
}
