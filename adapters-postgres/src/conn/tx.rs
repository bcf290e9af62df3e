//! A transaction (or savepoint) the adapter begins for one call ([`Tx`]), ended by its
//! result; the one path that ends any transaction level ([`end_level`]) and the rollback after
//! a deadlock or serialization failure.

use std::sync::Arc;

use containerpub_ports::{StoreError, StoreResult};
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use super::state::{Armed, TxState};
use super::task::{commit, rollback};

/// The error of a call run by [`Tx::finish`]: a [`StoreError`], or one that may hold one.
pub(crate) trait CallError: From<StoreError> {
    /// The store error, if the error is (or holds) one already.
    fn store_error(&self) -> Option<&StoreError>;
}

impl CallError for StoreError {
    fn store_error(&self) -> Option<&StoreError> {
        Some(self)
    }
}

/// A transaction (or savepoint) begun by [`PgConn::begin_tx`](super::PgConn::begin_tx).
pub(crate) struct Tx {
    /// The transaction (or savepoint).
    pub(super) inner: DatabaseTransaction,
    /// A transaction begun on the pool (not a savepoint).
    pub(super) top_level: bool,
    /// For a savepoint in a caller's transaction: that transaction's state, broken if the
    /// savepoint cannot be released or rolled back (or the future is dropped meanwhile), or
    /// if a deadlock or serialization failure rolled the transaction back.
    pub(super) state: Option<Arc<TxState>>,
    /// For a savepoint in a caller's transaction: sqlx's nesting depth of `inner` (the
    /// transaction is 1, its savepoints 2, 3, …).
    pub(super) depth: usize,
}

impl Tx {
    /// The transaction, to run statements on.
    pub(crate) fn conn(&self) -> &DatabaseTransaction {
        &self.inner
    }

    /// Commits on `Ok` (rolls back on `Err`) and returns `result`.
    pub(crate) async fn finish<T, E: CallError>(self, result: Result<T, E>) -> Result<T, E> {
        let Tx {
            inner,
            top_level,
            state,
            depth,
        } = self;
        let state = state.as_deref();
        match result {
            Ok(value) => {
                end_level(inner, top_level, End::Commit, state).await?;
                Ok(value)
            }
            Err(err) => {
                if let (Some(state), Some(conflict)) = (
                    state,
                    err.store_error().filter(|e| e.is_transaction_conflict()),
                ) {
                    roll_back_conflict(&inner, depth, state, conflict.clone()).await;
                }
                // The call's error matters more than a failed rollback; the server discards
                // the transaction (or the savepoint's work) either way, but a caller's
                // transaction whose savepoint could not be rolled back is not used again
                // (`end_level` breaks it).
                let _ = end_level(inner, top_level, End::Rollback, state).await;
                Err(err)
            }
        }
    }
}

/// How a transaction level ends.
#[derive(Debug, Clone, Copy)]
pub(super) enum End {
    /// `COMMIT`, or `RELEASE SAVEPOINT`.
    Commit,
    /// `ROLLBACK`, or `ROLLBACK TO SAVEPOINT`.
    Rollback,
}

/// Ends a transaction level ([`commit`] or [`rollback`]). With `state` (a savepoint of a
/// caller's transaction) the step is watched: if it fails, or the future is dropped while it
/// runs ([`Armed`]), the caller's transaction is broken for good, since sqlx may then have
/// rolled back the enclosing level and lost count of the nesting.
pub(super) async fn end_level(
    inner: DatabaseTransaction,
    top_level: bool,
    end: End,
    state: Option<&TxState>,
) -> StoreResult<()> {
    let (step, failed) = match end {
        End::Commit => ("released a savepoint", "released"),
        End::Rollback => ("rolled back a savepoint", "rolled back"),
    };
    let armed = Armed::new(state, step);
    let ended = match end {
        End::Commit => commit(inner, top_level).await,
        End::Rollback => rollback(inner, top_level).await,
    };
    armed.disarm();
    if let (Err(err), Some(state)) = (&ended, state) {
        state.break_for_good(format!(
            "a savepoint could not be {failed} ({})",
            err.message()
        ));
    }
    ended
}

/// After a deadlock (`40P01`) or serialization failure (`40001`) inside a caller's
/// transaction: rolls the whole transaction back on the server at once, so that its locks are
/// released and the transaction it deadlocked with proceeds now (not when the caller drops
/// this one), and breaks it for good, so that every later call (its commit included) is
/// refused, saying to retry the whole unit of work.
///
/// `conn` is at sqlx nesting depth `depth`. The statement sent, `ROLLBACK; BEGIN;` then one
/// empty `SAVEPOINT _sqlx_savepoint_<n>` per level below `depth`, leaves the session with the
/// nesting sqlx expects, holding nothing: the `ROLLBACK TO SAVEPOINT` / `ROLLBACK` that sqlx
/// sends as each level is rolled back or dropped then succeeds. If it fails (a lost
/// connection), the server ends the transaction anyway.
pub(super) async fn roll_back_conflict<C: ConnectionTrait>(
    conn: &C,
    depth: usize,
    state: &TxState,
    err: StoreError,
) {
    state.break_for_good(err.rolled_back_reason());
    let _ = conn.execute_unprepared(&conflict_reset_sql(depth)).await;
}

/// The statement of [`roll_back_conflict`] for sqlx nesting depth `depth`.
fn conflict_reset_sql(depth: usize) -> String {
    let mut sql = String::from("ROLLBACK; BEGIN");
    for level in 1..depth {
        sql.push_str(&format!("; SAVEPOINT _sqlx_savepoint_{level}"));
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_conflict_reset_rebuilds_the_nesting_sqlx_expects() {
        assert_eq!(conflict_reset_sql(1), "ROLLBACK; BEGIN");
        assert_eq!(
            conflict_reset_sql(3),
            "ROLLBACK; BEGIN; SAVEPOINT _sqlx_savepoint_1; SAVEPOINT _sqlx_savepoint_2"
        );
    }
}
