//! Connections, transactions and savepoints, safe against cancellation.
//!
//! The stores run on anything implementing [`PgConn`]: the pool ([`DatabaseConnection`]), a
//! caller's transaction ([`PgTx`]), or a transaction of the adapter's own
//! ([`DatabaseTransaction`]). Multi-step operations and every write made inside a caller's
//! transaction run in their own transaction or savepoint ([`atomic()`], [`guarded!`]), so a
//! failing call leaves no trace and the caller's transaction stays usable.
//!
//! # Usability of a caller's transaction
//! A caller's transaction ([`PgTx`], with its nested savepoints) shares one [`TxState`](state::TxState): it
//! says whether the transaction can still be used, and every statement, savepoint and commit
//! goes through it first (one atomic load). It stops being usable when
//! - a statement run directly in it (a read, raw SQL) fails: PostgreSQL then aborts the
//!   transaction (the savepoint level it ran in). Rolling that level back makes the rest
//!   usable again; or
//! - a savepoint could not be opened, released or rolled back, or the future of a call was
//!   dropped while it did one of these (then sqlx 0.9.0 may have rolled back the *enclosing*
//!   level and lost count of the nesting): the transaction is broken for good.
//!
//! Every later call is then refused with `Unavailable` ([`unusable`](state::unusable)) without a statement
//! being sent, and its commit reports that nothing was committed. A write that fails inside
//! its own savepoint (a `Conflict`, say) is rolled back to the savepoint and leaves the
//! transaction usable. A call dropped while its statements run leaves it usable too: the
//! savepoint it runs in is rolled back when its future is dropped.
//!
//! # Cancellation
//! sqlx 0.9.0 can leave a pooled connection inside a transaction when a `begin()` future is
//! polled once and dropped (sqlx issue 4385: `BEGIN` is queued, the future is dropped before
//! the transaction depth is recorded, the connection returns to the pool in a transaction and
//! later autocommit writes on it silently never commit). So a top-level `BEGIN` runs to
//! completion on a spawned task and the finished transaction is handed back through the
//! task's `JoinHandle`; if the caller went away, the task's output (the transaction) is dropped
//! by the runtime, which rolls it back before the connection returns to the pool. `COMMIT` and
//! `ROLLBACK` of a top-level transaction run on a spawned task too, so a dropped commit future
//! cannot leave the transaction half-finished: it completes (or fails) on its own.
//!
//! Savepoints are not moved to a task: they share the enclosing transaction's connection (a
//! task outliving the caller could hold it while the enclosing transaction is dropped), and a
//! savepoint interrupted half-way stays confined to the enclosing transaction, which either
//! commits or rolls back everything after it anyway.

mod atomic;
mod caller_tx;
mod state;
mod task;
mod tx;

use std::future::Future;

use containerpub_ports::{StoreError, StoreResult};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};

use crate::error::{Op, map_db_err};
use caller_tx::END_SESSION;

pub(crate) use atomic::{atomic, guarded};
pub(crate) use caller_tx::PgTx;
pub(crate) use state::UNUSABLE;
pub(crate) use task::{begin_read_only, begin_top_level, commit, rollback, runtime};
pub(crate) use tx::{CallError, Tx};

/// A connection the stores can run on: the pool or a transaction.
pub(crate) trait PgConn: ConnectionTrait + Send + Sync + 'static {
    /// Whether statements already run inside a transaction (then writes are guarded by a
    /// savepoint each, so that a failing call does not abort the caller's transaction).
    const IN_TRANSACTION: bool;

    /// Begins a transaction on the pool, or a savepoint inside a transaction.
    fn begin_tx(&self) -> impl Future<Output = StoreResult<Tx>> + Send;

    /// [`PgConn::IN_TRANSACTION`] of a value.
    fn in_transaction(&self) -> bool {
        Self::IN_TRANSACTION
    }

    /// `Ok` unless this is a caller's transaction that is no longer usable: then the refusal
    /// (checked before a call validates its input, as the memory store does).
    fn usable(&self) -> StoreResult<()> {
        Ok(())
    }

    /// A write call failed with `err`, which aborts a caller's transaction
    /// ([`StoreError::aborts_transaction`]): a caller's transaction level becomes unusable
    /// (nothing else does anything).
    fn poison(&self, _err: &StoreError) {}

    /// A write call was dropped before it finished: a caller's transaction level becomes
    /// unusable, since the write may still run in it (nothing else does anything).
    fn cancelled(&self) {}

    /// `err`, explained where this connection knows more: the pool turns its timeout into
    /// why no connection could be had (`crate::connect_failure`); a transaction, which holds
    /// its connection, returns `err` as it is.
    fn explain(&self, err: StoreError) -> impl Future<Output = StoreError> + Send {
        std::future::ready(err)
    }
}

impl PgConn for DatabaseConnection {
    const IN_TRANSACTION: bool = false;

    async fn explain(&self, err: StoreError) -> StoreError {
        crate::connect_failure::explain(self.get_postgres_connection_pool(), err).await
    }

    async fn begin_tx(&self) -> StoreResult<Tx> {
        Ok(Tx {
            inner: begin_top_level(self).await?,
            top_level: true,
            state: None,
            depth: 1,
        })
    }
}

impl PgConn for DatabaseTransaction {
    const IN_TRANSACTION: bool = true;

    /// A savepoint (inside a transaction of the adapter's own). If it cannot be opened, the
    /// session is ended (see [`END_SESSION`]). Its opening is not watched like
    /// [`PgTx::open_savepoint`]: the bodies of [`atomic()`] run on a `DatabaseTransaction` and
    /// must not open savepoints of sqlx's (a cancelled one would roll back the caller's level
    /// unnoticed); batches use plain `SAVEPOINT` statements instead ([`crate::batch::Steps`]).
    async fn begin_tx(&self) -> StoreResult<Tx> {
        match self.begin().await {
            Ok(inner) => Ok(Tx {
                inner,
                top_level: false,
                state: None,
                depth: 0,
            }),
            Err(err) => {
                // Ignored: on a lost connection it fails, and there is nothing left to end.
                let _ = self.execute_unprepared(END_SESSION).await;
                Err(map_db_err(err, Op::Read))
            }
        }
    }
}
