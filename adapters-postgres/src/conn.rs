//! Connections, transactions and savepoints, safe against cancellation.
//!
//! The stores run on anything implementing [`PgConn`]: the pool ([`DatabaseConnection`]) or a
//! transaction ([`DatabaseTransaction`]). Multi-step operations and every write made inside a
//! caller's transaction run in their own transaction or savepoint ([`atomic!`],
//! [`guarded!`]), so a failing call leaves no trace and the caller's transaction stays usable.
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

use std::future::Future;

use containerpub_ports::{StoreError, StoreResult};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};

use crate::error::{Op, map_db_err};

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
}

impl PgConn for DatabaseConnection {
    const IN_TRANSACTION: bool = false;

    async fn begin_tx(&self) -> StoreResult<Tx> {
        Ok(Tx {
            inner: begin_top_level(self).await?,
            top_level: true,
        })
    }
}

impl PgConn for DatabaseTransaction {
    const IN_TRANSACTION: bool = true;

    /// A savepoint. If it cannot be opened, the session is ended (see [`END_SESSION`]).
    async fn begin_tx(&self) -> StoreResult<Tx> {
        match self.begin().await {
            Ok(inner) => Ok(Tx {
                inner,
                top_level: false,
            }),
            Err(err) => {
                // Ignored: on a lost connection it fails, and there is nothing left to end.
                let _ = self.execute_unprepared(END_SESSION).await;
                Err(map_db_err(err, Op::Read))
            }
        }
    }
}

/// Run on a transaction whose savepoint could not be opened. sqlx 0.9.0 then rolls back the
/// *enclosing* transaction (or savepoint) and forgets it: the transaction's later statements
/// would run in autocommit, each committed at once, and its `COMMIT` would do nothing. So the
/// session ends instead: every later call of the transaction fails with `Unavailable`, its
/// commit reports that nothing was committed ([`commit_checked`]), and the pool discards the
/// connection when it comes back. (A savepoint fails to open only on a lost connection or in
/// an aborted transaction, which PostgreSQL would not let go on anyway.)
const END_SESSION: &str = "SELECT pg_terminate_backend(pg_backend_pid())";

/// A transaction (or savepoint) begun by [`PgConn::begin_tx`].
pub(crate) struct Tx {
    inner: DatabaseTransaction,
    top_level: bool,
}

impl Tx {
    /// The transaction, to run statements on.
    pub(crate) fn conn(&self) -> &DatabaseTransaction {
        &self.inner
    }

    /// The transaction itself (for a savepoint handed to a caller).
    pub(crate) fn into_inner(self) -> DatabaseTransaction {
        self.inner
    }

    /// Commits on `Ok` (rolls back on `Err`) and returns `result`.
    pub(crate) async fn finish<T>(self, result: StoreResult<T>) -> StoreResult<T> {
        match result {
            Ok(value) => {
                commit(self.inner, self.top_level).await?;
                Ok(value)
            }
            Err(err) => {
                // The call's error matters more than a failed rollback; the server discards
                // the transaction (or the savepoint's work) either way.
                let _ = rollback(self.inner, self.top_level).await;
                Err(err)
            }
        }
    }
}

fn runtime() -> StoreResult<tokio::runtime::Handle> {
    tokio::runtime::Handle::try_current().map_err(|_| {
        StoreError::internal("containerpub-postgres must be used inside a Tokio runtime")
    })
}

fn join_error(err: &tokio::task::JoinError) -> StoreError {
    if err.is_cancelled() {
        StoreError::unavailable("the runtime is shutting down")
    } else {
        StoreError::internal(format!("transaction task failed: {err}"))
    }
}

/// `BEGIN` on a pooled connection, run to completion on its own task (see the module docs).
pub(crate) async fn begin_top_level(db: &DatabaseConnection) -> StoreResult<DatabaseTransaction> {
    let db = db.clone();
    let task = runtime()?.spawn(async move { db.begin().await });
    match task.await {
        Ok(result) => result.map_err(|e| map_db_err(e, Op::Read)),
        Err(err) => Err(join_error(&err)),
    }
}

/// Commits a transaction (releases a savepoint).
pub(crate) async fn commit(tx: DatabaseTransaction, top_level: bool) -> StoreResult<()> {
    if top_level {
        let task = runtime()?.spawn(async move { tx.commit().await });
        match task.await {
            Ok(result) => result.map_err(|e| map_db_err(e, Op::Write)),
            Err(err) => Err(join_error(&err)),
        }
    } else {
        tx.commit().await.map_err(|e| map_db_err(e, Op::Write))
    }
}

/// The statement [`commit_checked`] runs before `COMMIT`: it fails on a lost connection, in
/// an aborted transaction (`25P02`) and outside any transaction block (`25P01`); the
/// savepoint it creates is released by the `COMMIT` that follows.
const COMMIT_CHECK: &str = "SAVEPOINT containerpub_commit_check";

/// Commits a caller's transaction ([`crate::PgTransaction`]; a savepoint: releases it) and
/// returns `Ok` only if it really committed.
///
/// sqlx reports success for a `COMMIT` that committed nothing: PostgreSQL answers `COMMIT`
/// in an aborted transaction with a rollback, not an error (a read or raw statement failed
/// inside it, e.g. on a statement timeout), and once sqlx 0.9.0 fails to open a savepoint
/// (a write inside the transaction on a lost connection or in an aborted transaction) it has
/// rolled back the enclosing transaction and lost count of it, so its `COMMIT` becomes a
/// no-op. So a top-level commit first runs [`COMMIT_CHECK`] on the transaction, on the same
/// task as the `COMMIT`; if it fails, nothing was committed and the result is `Unavailable`
/// (the transaction is dropped, which rolls back whatever is left of it).
pub(crate) async fn commit_checked(tx: DatabaseTransaction, top_level: bool) -> StoreResult<()> {
    if !top_level {
        return commit(tx, false).await;
    }
    let task = runtime()?.spawn(async move {
        if let Err(err) = tx.execute_unprepared(COMMIT_CHECK).await {
            let reason = match map_db_err(err, Op::Read) {
                StoreError::Unavailable { message } | StoreError::Internal { message } => message,
                other => other.to_string(),
            };
            return Err(StoreError::unavailable(format!(
                "cannot commit: the transaction was already rolled back ({reason}); nothing \
                 was committed"
            )));
        }
        tx.commit().await.map_err(|e| map_db_err(e, Op::Write))
    });
    match task.await {
        Ok(result) => result,
        Err(err) => Err(join_error(&err)),
    }
}

/// Rolls a transaction back (to its savepoint).
pub(crate) async fn rollback(tx: DatabaseTransaction, top_level: bool) -> StoreResult<()> {
    if top_level {
        let task = runtime()?.spawn(async move { tx.rollback().await });
        match task.await {
            Ok(result) => result.map_err(|e| map_db_err(e, Op::Read)),
            Err(err) => Err(join_error(&err)),
        }
    } else {
        tx.rollback().await.map_err(|e| map_db_err(e, Op::Read))
    }
}

/// Runs `$body` (an expression that may use `?`, with `$tx: &DatabaseTransaction`) in a new
/// transaction on `$conn` (a savepoint if `$conn` is a transaction): commits on `Ok`, rolls
/// back on `Err`.
macro_rules! atomic {
    ($conn:expr, |$tx:ident| $body:expr) => {{
        let __tx = $crate::conn::PgConn::begin_tx($conn).await?;
        let __result = {
            let $tx = __tx.conn();
            async { $body }.await
        };
        __tx.finish(__result).await
    }};
}
pub(crate) use atomic;

/// Runs a single-statement write: directly on the pool (a statement is atomic on its own),
/// in a savepoint inside a transaction (so that a failing statement does not abort the
/// caller's transaction). `$c` is bound to the connection to use.
macro_rules! guarded {
    ($conn:expr, |$c:ident| $body:expr) => {{
        if $crate::conn::PgConn::in_transaction($conn) {
            $crate::conn::atomic!($conn, |$c| $body)
        } else {
            let $c = $conn;
            async { $body }.await
        }
    }};
}
pub(crate) use guarded;
