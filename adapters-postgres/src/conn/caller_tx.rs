//! A caller's transaction as the stores run on it ([`PgTx`]): every statement checked first,
//! its failure recorded, savepoints watched.

use std::sync::Arc;

use async_trait::async_trait;
use containerpub_ports::{OUT_OF_ORDER_END, StoreError, StoreResult};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult, Statement,
    TransactionTrait,
};

use super::PgConn;
use super::state::{Armed, CANCELLED_WRITE, Level, TxState};
use super::task::commit_checked;
use super::tx::{End, Tx, end_level, roll_back_conflict};
use crate::error::{Op, map_db_err};
use crate::handle::Handle;
use crate::replica::{Lease, Routed};

impl PgConn for PgTx {
    const IN_TRANSACTION: bool = true;

    fn usable(&self) -> StoreResult<()> {
        self.check()
    }

    fn poison(&self, err: &StoreError) {
        self.level
            .state
            .abort_with(self.level.depth, err.failed_reason());
    }

    fn cancelled(&self) {
        self.level
            .state
            .abort_with(self.level.depth, CANCELLED_WRITE.to_owned());
    }

    /// A savepoint inside the caller's transaction ([`PgTx::open_savepoint`]); releasing or
    /// rolling it back is watched as well ([`Tx::finish`]).
    async fn begin_tx(&self) -> StoreResult<Tx> {
        let inner = self.open_savepoint().await?;
        Ok(Tx {
            inner,
            top_level: false,
            state: Some(Arc::clone(&self.level.state)),
            depth: self.level.state.open_levels() + 1,
        })
    }
}

impl Routed for PgTx {
    /// Everything in a transaction runs on the primary.
    fn replica(_: &Handle<Self>) -> Option<Lease<'_, Self>> {
        None
    }
}

/// A caller's transaction ([`crate::PgTransaction`]) or one of its savepoints, as the stores
/// run on it: every statement first checks that the transaction is usable, and a statement
/// that fails marks it aborted (see the module docs).
pub(crate) struct PgTx {
    inner: DatabaseTransaction,
    level: Level,
}

impl PgTx {
    /// A transaction just begun on the pool.
    pub(crate) fn top_level(inner: DatabaseTransaction) -> Self {
        Self {
            inner,
            level: Level {
                state: Arc::new(TxState::begun()),
                depth: 1,
            },
        }
    }

    /// A savepoint opened in this transaction by [`PgTx::open_savepoint`]: the innermost
    /// level now (sqlx nests savepoints per connection, whichever handle opened it).
    pub(crate) fn nested(&self, inner: DatabaseTransaction) -> Self {
        Self {
            inner,
            level: Level {
                state: Arc::clone(&self.level.state),
                depth: self.level.state.opened(),
            },
        }
    }

    /// `Ok` if the transaction is usable, else the refusal: `Internal` once it has ended,
    /// the refusal of an unusable transaction otherwise.
    pub(crate) fn check(&self) -> StoreResult<()> {
        self.level.state.ended()?;
        self.level.state.check()
    }

    /// Opens a savepoint. Refused if the transaction is not usable; breaks it if the
    /// savepoint cannot be opened (and ends the session, see [`END_SESSION`]) or if the
    /// caller drops the future meanwhile.
    pub(crate) async fn open_savepoint(&self) -> StoreResult<DatabaseTransaction> {
        self.check()?;
        let state = &*self.level.state;
        let armed = Armed::new(Some(state), "opened a savepoint");
        let opened = self.inner.begin().await;
        armed.disarm();
        match opened {
            Ok(inner) => Ok(inner),
            Err(err) => {
                let err = map_db_err(err, Op::Read);
                state.break_for_good(format!(
                    "a savepoint could not be opened ({})",
                    err.message()
                ));
                // Ignored: on a lost connection it fails, and there is nothing left to end.
                let _ = self.inner.execute_unprepared(END_SESSION).await;
                Err(err)
            }
        }
    }

    /// Commits the transaction (`top_level`) or releases the savepoint. Refused, with nothing
    /// committed, if the transaction is not usable (the level is then rolled back as it is
    /// dropped).
    ///
    /// Refused while a savepoint begun after this level is still open ([`OUT_OF_ORDER_END`]:
    /// sqlx would end that one instead): nothing is committed, the transaction is broken for
    /// good (dropping a savepoint's `self` breaks it, see [`Level`]; a transaction's ends).
    pub(crate) async fn commit(self, top_level: bool) -> StoreResult<()> {
        self.check()?;
        if self.level.has_open_inner() {
            self.level.state.break_for_good(OUT_OF_ORDER_END.to_owned());
            return Err(super::state::unusable(OUT_OF_ORDER_END));
        }
        let PgTx { inner, level } = self;
        if top_level {
            return commit_checked(inner).await;
        }
        end_level(inner, false, End::Commit, Some(&level.state)).await
    }

    /// Rolls the transaction back (`top_level`) or back to the savepoint; works on an
    /// unusable transaction too (that is how a savepoint level recovers). Does nothing once
    /// the transaction has ended. A savepoint rolled back while a savepoint begun after it is
    /// still open breaks the transaction for good ([`Level`]): nothing of it is committed.
    pub(crate) async fn rollback(self, top_level: bool) -> StoreResult<()> {
        if self.level.state.has_ended() {
            return Ok(());
        }
        let PgTx { inner, level } = self;
        let watched = (!top_level).then_some(&*level.state);
        end_level(inner, top_level, End::Rollback, watched).await
    }

    /// Refuses a statement on an unusable transaction (as a `DbErr` that `map_db_err` turns
    /// back into the refusal).
    fn usable(&self) -> Result<(), DbErr> {
        self.check().map_err(|err| DbErr::Custom(err.message()))
    }

    /// Records a statement's failure: the server has aborted this level; after a deadlock or
    /// a serialization failure the whole transaction is rolled back at once
    /// ([`roll_back_conflict`]).
    async fn failed<T>(&self, result: Result<T, DbErr>) -> Result<T, DbErr> {
        if let Err(err) = &result {
            let mapped = map_db_err(err.clone(), Op::Read);
            if mapped.is_transaction_conflict() {
                roll_back_conflict(&self.inner, self.level.depth, &self.level.state, mapped).await;
            } else {
                self.level
                    .state
                    .abort(self.level.depth, mapped.failed_reason());
            }
        }
        result
    }
}

/// Every statement of a caller's transaction: checked first, its failure recorded.
#[async_trait]
impl ConnectionTrait for PgTx {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.usable()?;
        self.failed(self.inner.execute_raw(stmt).await).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.usable()?;
        self.failed(self.inner.execute_unprepared(sql).await).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.usable()?;
        self.failed(self.inner.query_one_raw(stmt).await).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.usable()?;
        self.failed(self.inner.query_all_raw(stmt).await).await
    }

    fn support_returning(&self) -> bool {
        self.inner.support_returning()
    }
}

/// Run on a transaction whose savepoint could not be opened. sqlx 0.9.0 then rolls back the
/// *enclosing* transaction (or savepoint) and forgets it: the transaction's later statements
/// would run in autocommit, each committed at once, and its `COMMIT` would do nothing. So the
/// session ends instead: every later call of the transaction fails with `Unavailable`, its
/// commit reports that nothing was committed ([`commit_checked`]), and the pool discards the
/// connection when it comes back. (A savepoint fails to open only on a lost connection or in
/// an aborted transaction, which PostgreSQL would not let go on anyway.)
pub(super) const END_SESSION: &str = "SELECT pg_terminate_backend(pg_backend_pid())";
