//! Top-level `BEGIN`, `COMMIT` and `ROLLBACK`, each run to completion on its own Tokio task
//! (see the module docs of [`crate::conn`], "Cancellation").

use std::future::Future;

use containerpub_ports::{StoreError, StoreResult};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait,
};

use crate::error::{Op, map_commit_err, map_db_err};

/// The Tokio runtime the crate runs in.
///
/// # Errors
/// `Internal` outside a Tokio runtime.
pub(crate) fn runtime() -> StoreResult<tokio::runtime::Handle> {
    tokio::runtime::Handle::try_current().map_err(|_| {
        StoreError::internal("containerpub-postgres must be used inside a Tokio runtime")
    })
}

/// Runs `work` to completion on its own task and returns its result: a caller dropping the
/// returned future does not stop it (see the module docs, "Cancellation").
///
/// # Errors
/// `work`'s error; `Internal` outside a Tokio runtime or if the task panicked;
/// `Unavailable` if the runtime is shutting down.
async fn on_own_task<T, F>(work: F) -> StoreResult<T>
where
    T: Send + 'static,
    F: Future<Output = StoreResult<T>> + Send + 'static,
{
    match runtime()?.spawn(work).await {
        Ok(result) => result,
        Err(err) if err.is_cancelled() => {
            Err(StoreError::unavailable("the runtime is shutting down"))
        }
        Err(err) => Err(StoreError::internal(format!(
            "transaction task failed: {err}"
        ))),
    }
}

/// `BEGIN` (with `access`, if given) on a pooled connection, run to completion on its own
/// task.
async fn begin_on_task(
    db: &DatabaseConnection,
    access: Option<AccessMode>,
) -> StoreResult<DatabaseTransaction> {
    let db = db.clone();
    on_own_task(async move {
        db.begin_with_config(None, access)
            .await
            .map_err(|e| map_db_err(e, Op::Read))
    })
    .await
}

/// `BEGIN` on a pooled connection, run to completion on its own task (see the module docs).
pub(crate) async fn begin_top_level(db: &DatabaseConnection) -> StoreResult<DatabaseTransaction> {
    begin_on_task(db, None).await
}

/// `BEGIN READ ONLY` on a pooled connection, run to completion on its own task.
pub(crate) async fn begin_read_only(db: &DatabaseConnection) -> StoreResult<DatabaseTransaction> {
    begin_on_task(db, Some(AccessMode::ReadOnly)).await
}

/// Commits a transaction (releases a savepoint).
pub(crate) async fn commit(tx: DatabaseTransaction, top_level: bool) -> StoreResult<()> {
    if top_level {
        on_own_task(async move { tx.commit().await.map_err(map_commit_err) }).await
    } else {
        tx.commit().await.map_err(|e| map_db_err(e, Op::Write))
    }
}

/// The statement [`commit_checked`] runs before `COMMIT`: it fails on a lost connection, in
/// an aborted transaction (`25P02`) and outside any transaction block (`25P01`); the
/// savepoint it creates is released by the `COMMIT` that follows.
const COMMIT_CHECK: &str = "SAVEPOINT containerpub_commit_check";

/// Commits a caller's top-level transaction ([`crate::PgTransaction`]) and returns `Ok` only if it really committed.
///
/// sqlx reports success for a `COMMIT` that committed nothing: PostgreSQL answers `COMMIT`
/// in an aborted transaction with a rollback, not an error (a read or raw statement failed
/// inside it, e.g. on a statement timeout), and once sqlx 0.9.0 fails to open a savepoint
/// (a write inside the transaction on a lost connection or in an aborted transaction) it has
/// rolled back the enclosing transaction and lost count of it, so its `COMMIT` becomes a
/// no-op. So a top-level commit first runs [`COMMIT_CHECK`] on the transaction, on the same
/// task as the `COMMIT`; if it fails, nothing was committed and the result is `Unavailable`
/// (the transaction is dropped, which rolls back whatever is left of it).
pub(crate) async fn commit_checked(tx: DatabaseTransaction) -> StoreResult<()> {
    on_own_task(async move {
        if let Err(err) = tx.execute_unprepared(COMMIT_CHECK).await {
            let reason = map_db_err(err, Op::Read).message();
            return Err(StoreError::unavailable(format!(
                "cannot commit: the transaction was already rolled back ({reason}); nothing \
                 was committed"
            )));
        }
        tx.commit().await.map_err(map_commit_err)
    })
    .await
}

/// Rolls a transaction back (to its savepoint).
pub(crate) async fn rollback(tx: DatabaseTransaction, top_level: bool) -> StoreResult<()> {
    if top_level {
        on_own_task(async move { tx.rollback().await.map_err(|e| map_db_err(e, Op::Read)) }).await
    } else {
        tx.rollback().await.map_err(|e| map_db_err(e, Op::Read))
    }
}
