//! Connections, transactions and savepoints, safe against cancellation.
//!
//! The stores run on anything implementing [`PgConn`]: the pool ([`DatabaseConnection`]), a
//! caller's transaction ([`PgTx`]), or a transaction of the adapter's own
//! ([`DatabaseTransaction`]). Multi-step operations and every write made inside a caller's
//! transaction run in their own transaction or savepoint ([`atomic!`], [`guarded!`]), so a
//! failing call leaves no trace and the caller's transaction stays usable.
//!
//! # Usability of a caller's transaction
//! A caller's transaction ([`PgTx`], with its nested savepoints) shares one [`TxState`]: it
//! says whether the transaction can still be used, and every statement, savepoint and commit
//! goes through it first (one atomic load). It stops being usable when
//! - a statement run directly in it (a read, raw SQL) fails: PostgreSQL then aborts the
//!   transaction (the savepoint level it ran in). Rolling that level back makes the rest
//!   usable again; or
//! - a savepoint could not be opened, released or rolled back, or the future of a call was
//!   dropped while it did one of these (then sqlx 0.9.0 may have rolled back the *enclosing*
//!   level and lost count of the nesting): the transaction is broken for good.
//!
//! Every later call is then refused with `Unavailable` ([`unusable`]) without a statement
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

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use containerpub_ports::{StoreError, StoreResult};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    ExecResult, QueryResult, Statement, TransactionTrait,
};

use crate::error::{Op, map_commit_err, map_db_err};
use crate::handle::Handle;
use crate::replica::{Lease, Routed};

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
}

impl PgConn for DatabaseConnection {
    const IN_TRANSACTION: bool = false;

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
    /// [`PgTx::open_savepoint`]: the bodies of [`atomic!`] run on a `DatabaseTransaction` and
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
            depth: self.level.depth + 1,
        })
    }
}

impl Routed for PgTx {
    /// Everything in a transaction runs on the primary.
    fn replica(_: &Handle<Self>) -> Option<Lease<'_, Self>> {
        None
    }
}

/// `TxState::status` of a transaction that is broken for good.
const BROKEN: usize = usize::MAX;

/// The start of every refusal's message ([`unusable`]); `map_db_err` recognises it.
pub(crate) const UNUSABLE: &str = containerpub_ports::TX_UNUSABLE;

/// The error of a call refused because its transaction is no longer usable.
pub(crate) fn unusable(reason: &str) -> StoreError {
    StoreError::transaction_unusable(reason)
}

/// Why a transaction is unusable after a write call was dropped before it finished.
pub(crate) const CANCELLED_WRITE: &str = containerpub_ports::CANCELLED_WRITE;

/// Whether a caller's transaction can still be used: shared by the transaction and all its
/// savepoints (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct TxState {
    /// `0`: usable. `d` in `1..BROKEN`: a statement failed at nesting depth `d` (the
    /// transaction is 1, its savepoints 2, 3, …), so the server has aborted that level;
    /// rolling it back makes the transaction usable again. [`BROKEN`]: unusable for good.
    status: AtomicUsize,
    /// Why it is not usable (written when `status` leaves 0, read only to refuse a call).
    reason: Mutex<Option<String>>,
}

impl TxState {
    /// `Ok` if the transaction is usable, else the refusal ([`unusable`]). One atomic load.
    pub(crate) fn check(&self) -> StoreResult<()> {
        if self.status.load(Ordering::Acquire) == 0 {
            return Ok(());
        }
        let reason = self.reason.lock().unwrap_or_else(PoisonError::into_inner);
        Err(unusable(
            reason.as_deref().unwrap_or("an earlier call failed in it"),
        ))
    }

    fn set_reason(&self, reason: String, replace: bool) {
        let mut slot = self.reason.lock().unwrap_or_else(PoisonError::into_inner);
        if replace || slot.is_none() {
            *slot = Some(reason);
        }
    }

    /// A statement failed at nesting depth `depth`: the server aborted that level.
    fn abort(&self, depth: usize, reason: String) {
        if self
            .status
            .compare_exchange(0, depth, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            self.set_reason(reason, true);
        }
    }

    /// A write call failed at nesting depth `depth` (or was dropped before it finished): that
    /// level is unusable, for `reason` (which replaces the reason its failed statement gave).
    fn abort_with(&self, depth: usize, reason: String) {
        match self
            .status
            .compare_exchange(0, depth, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => self.set_reason(reason, true),
            Err(status) if status == depth => self.set_reason(reason, true),
            Err(_) => {}
        }
    }

    /// The transaction cannot be trusted any more (its savepoint bookkeeping went wrong).
    pub(crate) fn break_for_good(&self, reason: String) {
        let before = self.status.swap(BROKEN, Ordering::AcqRel);
        // An earlier, recoverable failure is superseded; an earlier break keeps its reason.
        self.set_reason(reason, before != BROKEN);
    }

    /// The level at nesting depth `depth` was rolled back (or dropped, which rolls it back):
    /// an abort at that depth or deeper is gone with it.
    fn recover(&self, depth: usize) {
        let status = self.status.load(Ordering::Acquire);
        if status != 0
            && status != BROKEN
            && status >= depth
            && self
                .status
                .compare_exchange(status, 0, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            *self.reason.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
    }
}

/// Breaks the transaction for good if dropped before [`Armed::disarm`]: armed around the
/// steps that must not be interrupted (opening, releasing or rolling back a savepoint), so
/// that a caller dropping the future there leaves a transaction that refuses every later call
/// instead of one that silently runs them outside any transaction.
struct Armed<'a> {
    state: Option<&'a TxState>,
    step: &'static str,
}

impl<'a> Armed<'a> {
    fn new(state: Option<&'a TxState>, step: &'static str) -> Self {
        Self { state, step }
    }

    fn disarm(mut self) {
        self.state = None;
    }
}

impl Drop for Armed<'_> {
    fn drop(&mut self) {
        if let Some(state) = self.state {
            state.break_for_good(format!(
                "a call was cancelled while it {} (the enclosing transaction may have been \
                 rolled back)",
                self.step
            ));
        }
    }
}

/// One level of a caller's transaction: the shared state and the level's nesting depth.
/// Dropping it (after the level was committed, rolled back or dropped) clears an abort of
/// that level ([`TxState::recover`]).
#[derive(Debug)]
struct Level {
    state: Arc<TxState>,
    depth: usize,
}

impl Drop for Level {
    fn drop(&mut self) {
        self.state.recover(self.depth);
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
                state: Arc::default(),
                depth: 1,
            },
        }
    }

    /// A savepoint opened in this transaction by [`PgTx::open_savepoint`].
    pub(crate) fn nested(&self, inner: DatabaseTransaction) -> Self {
        Self {
            inner,
            level: Level {
                state: Arc::clone(&self.level.state),
                depth: self.level.depth + 1,
            },
        }
    }

    /// `Ok` if the transaction is usable, else the refusal.
    pub(crate) fn check(&self) -> StoreResult<()> {
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
    pub(crate) async fn commit(self, top_level: bool) -> StoreResult<()> {
        self.check()?;
        let PgTx { inner, level } = self;
        if top_level {
            return commit_checked(inner).await;
        }
        end_level(inner, false, End::Commit, Some(&level.state)).await
    }

    /// Rolls the transaction back (`top_level`) or back to the savepoint; works on an
    /// unusable transaction too (that is how a savepoint level recovers).
    pub(crate) async fn rollback(self, top_level: bool) -> StoreResult<()> {
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
const END_SESSION: &str = "SELECT pg_terminate_backend(pg_backend_pid())";

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

/// A transaction (or savepoint) begun by [`PgConn::begin_tx`].
pub(crate) struct Tx {
    inner: DatabaseTransaction,
    top_level: bool,
    /// For a savepoint in a caller's transaction: that transaction's state, broken if the
    /// savepoint cannot be released or rolled back (or the future is dropped meanwhile), or
    /// if a deadlock or serialization failure rolled the transaction back.
    state: Option<Arc<TxState>>,
    /// For a savepoint in a caller's transaction: sqlx's nesting depth of `inner` (the
    /// transaction is 1, its savepoints 2, 3, …).
    depth: usize,
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
enum End {
    /// `COMMIT`, or `RELEASE SAVEPOINT`.
    Commit,
    /// `ROLLBACK`, or `ROLLBACK TO SAVEPOINT`.
    Rollback,
}

/// Ends a transaction level ([`commit`] or [`rollback`]). With `state` (a savepoint of a
/// caller's transaction) the step is watched: if it fails, or the future is dropped while it
/// runs ([`Armed`]), the caller's transaction is broken for good, since sqlx may then have
/// rolled back the enclosing level and lost count of the nesting.
async fn end_level(
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
async fn roll_back_conflict<C: ConnectionTrait>(
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

/// Runs a write of one statement of `$rows` rows directly (a statement is atomic on its own;
/// inside a caller's transaction its failure leaves that transaction unusable, see
/// `containerpub_ports::aborted` and [`PgConn::poison`]), except a statement of several rows
/// inside a caller's transaction: that one runs in a savepoint, so that a key violation's row
/// can still be looked for once it failed ([`crate::batch::settle`]). `$c` is bound to the
/// connection to use.
macro_rules! guarded {
    ($conn:expr, rows: $rows:expr, |$c:ident| $body:expr) => {{
        if $crate::conn::PgConn::in_transaction($conn) && $rows > 1 {
            $crate::conn::atomic!($conn, |$c| $body)
        } else {
            let $c = $conn;
            async { $body }.await
        }
    }};
}
pub(crate) use guarded;

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(state: &TxState) -> String {
        match state.check() {
            Err(StoreError::Unavailable { message }) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_failed_statement_lasts_until_its_level_is_rolled_back() {
        let state = TxState::default();
        assert_eq!(state.check(), Ok(()));
        state.abort(2, "a statement failed in it (22012)".to_owned());
        assert_eq!(
            refused(&state),
            "transaction is no longer usable: a statement failed in it (22012); nothing was \
             committed"
        );
        // The first failure is the one reported.
        state.abort(3, "another".to_owned());
        assert!(refused(&state).contains("22012"));
        // Rolling back a deeper level does not undo it; rolling back its own level does.
        state.recover(3);
        assert!(state.check().is_err());
        state.recover(2);
        assert_eq!(state.check(), Ok(()));
        // A failure in the transaction itself is not undone by a savepoint's rollback.
        state.abort(1, "top".to_owned());
        state.recover(2);
        assert!(refused(&state).contains("top"));
    }

    #[test]
    fn a_break_is_for_good_and_a_dropped_guard_breaks() {
        let state = TxState::default();
        Armed::new(Some(&state), "opened a savepoint").disarm();
        assert_eq!(state.check(), Ok(()));
        drop(Armed::new(Some(&state), "opened a savepoint"));
        let message = refused(&state);
        assert!(
            message.contains("a call was cancelled while it opened a savepoint"),
            "{message}"
        );
        state.recover(1);
        assert_eq!(
            refused(&state),
            message,
            "nothing recovers a broken transaction"
        );
        state.break_for_good("later".to_owned());
        assert_eq!(
            refused(&state),
            message,
            "the first break is the one reported"
        );
        // A recoverable failure is superseded by a break.
        let state = TxState::default();
        state.abort(2, "read".to_owned());
        state.break_for_good("savepoint".to_owned());
        state.recover(2);
        assert!(refused(&state).contains("savepoint"));
    }

    #[test]
    fn the_conflict_reset_rebuilds_the_nesting_sqlx_expects() {
        assert_eq!(conflict_reset_sql(1), "ROLLBACK; BEGIN");
        assert_eq!(
            conflict_reset_sql(3),
            "ROLLBACK; BEGIN; SAVEPOINT _sqlx_savepoint_1; SAVEPOINT _sqlx_savepoint_2"
        );
    }

    #[test]
    fn a_refused_statement_maps_back_to_the_refusal() {
        let refusal = unusable("why");
        let err = DbErr::Custom(refusal.message());
        assert_eq!(map_db_err(err, Op::Read), refusal);
        assert!(refusal.is_retryable());
    }
}
