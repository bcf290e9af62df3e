//! The public handles: [`MemoryStore`] (autocommit) and [`MemoryTransaction`] (a transaction
//! or savepoint), and the connection both hand out as every store.

use std::fmt;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use containerpub_domain::{Clock, SystemClock};
use containerpub_ports::{
    CANCELLED_WRITE, DeploymentStore, FunctionStore, InvocationStore, LogStore, OUT_OF_ORDER_END,
    OrganizationMemberStore, OrganizationStore, RepositoryStore, StoreError, StoreResult, Stores,
    TX_ENDED, Transaction, UnitOfWork, UserInformationStore, UserStore, async_trait,
};
use tokio::sync::Notify;

use crate::db::{CallSeq, Cx, Db, Sequences};
use crate::locks::{LockCx, LockTable, TxId, deadlock};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A failing or panicking call is undone before the lock is released (`Db::atomically`),
    // and every other critical section only swaps values in: poisoning is harmless.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The committed state, how many commits produced it, and the locks of open transactions.
struct Committed {
    db: Db,
    version: u64,
    locks: LockTable,
}

/// What every handle of one store shares.
pub(crate) struct Shared {
    clock: Arc<dyn Clock>,
    seq: Sequences,
    committed: Mutex<Committed>,
    /// Woken whenever locks are given back or a deadlock victim is chosen: the calls waiting
    /// for a lock try again.
    released: Notify,
    next_tx: AtomicU64,
}

impl Shared {
    /// Publishes a transaction's working state (its writes replayed onto the latest committed
    /// state if others committed meanwhile: the rows it wrote are locked by it, so nothing
    /// can conflict) and gives back its locks.
    fn commit(&self, mut active: Active) {
        let mut committed = lock(&self.committed);
        let c = &mut *committed;
        let mut previous = None;
        if !active.work.is_clean() {
            active.catch_up(c);
            let work = std::mem::take(&mut active.work);
            previous = Some(std::mem::replace(&mut c.db, work.untracked()));
            c.version += 1;
        }
        c.locks.end_wait(active.id);
        let released = c.locks.release(active.id, 0);
        drop(committed);
        if released {
            self.released.notify_waiters();
        }
        // Freed outside the lock.
        drop(previous);
        drop(active);
    }

    /// Gives back the locks `tx` took at `mark` or later (all of them: 0) and ends its wait.
    fn release(&self, tx: TxId, mark: u64) {
        let mut committed = lock(&self.committed);
        committed.locks.end_wait(tx);
        let released = committed.locks.release(tx, mark);
        drop(committed);
        if released {
            self.released.notify_waiters();
        }
    }
}

/// A savepoint: the working state to restore and the mark of the locks taken after it.
struct Savepoint {
    id: u64,
    work: Db,
    version: u64,
    mark: u64,
}

/// An open transaction's state.
struct Active {
    /// Its identity in the lock table.
    id: TxId,
    /// The commit count of the committed state `work` is based on.
    version: u64,
    /// Its working state: a committed state plus its writes, which it records.
    work: Db,
    /// Open savepoints, oldest first.
    savepoints: Vec<Savepoint>,
    /// The next savepoint id.
    next_savepoint: u64,
    /// The last mark handed to a call or savepoint (marks order the locks it takes).
    last_mark: u64,
    /// Why it refuses every call, once a failed or dropped write made it unusable
    /// (`containerpub_ports::aborted`).
    aborted: Option<Aborted>,
}

/// A transaction made unusable: the savepoint level the failure happened in (rolling that
/// level back makes it usable again), or [`FOR_GOOD`].
struct Aborted {
    level: usize,
    reason: String,
}

/// [`Aborted::level`] of a transaction the database rolled back (a deadlock victim).
const FOR_GOOD: usize = usize::MAX;

impl Active {
    /// READ COMMITTED: before each statement, the latest committed state plus its own writes.
    fn catch_up(&mut self, committed: &Committed) {
        if self.version != committed.version {
            self.work = if self.work.is_clean() {
                committed.db.tracked()
            } else {
                self.work.replayed_onto(&committed.db)
            };
            self.version = committed.version;
        }
    }

    fn next_mark(&mut self) -> u64 {
        self.last_mark += 1;
        self.last_mark
    }

    /// `Ok` if usable, else the refusal.
    fn check(&self) -> StoreResult<()> {
        match &self.aborted {
            None => Ok(()),
            Some(aborted) => Err(StoreError::transaction_unusable(&aborted.reason)),
        }
    }

    /// Makes it unusable from savepoint level `level` (the first reason stays).
    fn abort(&mut self, level: usize, reason: String) {
        if self.aborted.is_none() {
            self.aborted = Some(Aborted { level, reason });
        }
    }

    /// Makes it unusable for good (superseding a failure a rollback could undo).
    fn abort_for_good(&mut self, reason: &str) {
        if self.aborted.as_ref().is_none_or(|a| a.level != FOR_GOOD) {
            self.aborted = Some(Aborted {
                level: FOR_GOOD,
                reason: reason.to_owned(),
            });
        }
    }
}

/// A transaction shared by its handle and its savepoints' handles; `None` once it ended.
type TxCell = Mutex<Option<Active>>;

fn ended() -> StoreError {
    StoreError::internal(TX_ENDED)
}

/// One write call in progress: if it is dropped while waiting for a lock (or fails), the
/// locks it took are given back and its wait forgotten, so it leaves nothing behind; dropped
/// inside a transaction, it leaves that transaction level unusable, as on PostgreSQL (where
/// the dropped statement may still run).
struct Call<'a> {
    shared: &'a Shared,
    /// The transaction it runs in and its savepoint level.
    cell: Option<(&'a TxCell, usize)>,
    /// The transaction and the call's mark, once it ran inside one.
    tx: Option<(TxId, u64)>,
    /// When it began waiting (kept across its runs: the deadlock victim is the longest
    /// waiter).
    since: Option<u64>,
    /// Finished: nothing to give back on drop.
    done: bool,
}

impl Drop for Call<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let Some((cell, level)) = self.cell
            && let Some(active) = lock(cell).as_mut()
        {
            active.abort(level, CANCELLED_WRITE.to_owned());
        }
        if let Some((tx, mark)) = self.tx {
            self.shared.release(tx, mark);
        }
    }
}

/// One handle on the data: the committed state (autocommit) or one transaction. It is what
/// [`Stores`] hands out as every entity's store.
#[derive(Clone)]
pub(crate) struct Conn {
    shared: Arc<Shared>,
    tx: Option<Arc<TxCell>>,
    /// The savepoint level its writes run at: 0 for the transaction (and autocommit), `n`
    /// for the `n`-th savepoint open in it.
    level: usize,
}

impl Conn {
    /// `Ok` unless this is a transaction that a failed or dropped write left unusable: then
    /// the refusal (for calls that have nothing to do, such as an empty batch).
    pub(crate) fn usable(&self) -> StoreResult<()> {
        match &self.tx {
            None => Ok(()),
            Some(tx) => lock(tx).as_ref().ok_or_else(ended)?.check(),
        }
    }

    /// Runs a read on the state this handle sees: the committed state, or the transaction's
    /// own writes over the latest committed state. Reads never wait for locks.
    pub(crate) fn read<R>(&self, op: impl FnOnce(&Db) -> StoreResult<R>) -> StoreResult<R> {
        match &self.tx {
            None => op(&lock(&self.shared.committed).db),
            Some(tx) => {
                let mut guard = lock(tx);
                let active = guard.as_mut().ok_or_else(ended)?;
                active.check()?;
                active.catch_up(&lock(&self.shared.committed));
                op(&active.work)
            }
        }
    }

    /// Runs one write call atomically, in place on the state this handle writes, undone if
    /// it fails. A row or key value it needs that another transaction has locked makes it
    /// wait (without holding any mutex) until that transaction gives its locks back, then
    /// run again on the newer committed state, re-checking everything; the sequence values
    /// its first run took are reused. Calls are serialised on the commit lock.
    ///
    /// # Errors
    /// What `op` returns; the deadlock error (`Unavailable`, as PostgreSQL's `40P01`) if the
    /// call is chosen as a deadlock victim.
    pub(crate) async fn write<R: Send>(
        &self,
        op: impl Fn(&mut Db, &Cx<'_>) -> StoreResult<R> + Send + Sync,
    ) -> StoreResult<R> {
        self.run_write(op, true).await
    }

    /// [`Conn::write`] for a call whose failure must leave its transaction usable, as a
    /// savepoint of its own does on PostgreSQL (`find_or_insert`'s insert, which reads the
    /// winner's row after losing a race on the key).
    pub(crate) async fn write_isolated<R: Send>(
        &self,
        op: impl Fn(&mut Db, &Cx<'_>) -> StoreResult<R> + Send + Sync,
    ) -> StoreResult<R> {
        self.run_write(op, false).await
    }

    /// A write call that failed with `err` after its own writes were undone (see
    /// [`Conn::write_isolated`]): if `err` aborts a transaction, this one becomes unusable.
    pub(crate) fn poison(&self, err: &StoreError) {
        if err.aborts_transaction()
            && let Some(tx) = &self.tx
            && let Some(active) = lock(tx).as_mut()
        {
            active.abort(self.level, err.failed_reason());
        }
    }

    async fn run_write<R: Send>(
        &self,
        op: impl Fn(&mut Db, &Cx<'_>) -> StoreResult<R> + Send + Sync,
        poison: bool,
    ) -> StoreResult<R> {
        let cx = Cx {
            seq: CallSeq::new(&self.shared.seq),
            now: self.shared.clock.now(),
        };
        let mut call = Call {
            shared: &self.shared,
            cell: self.tx.as_deref().map(|cell| (cell, self.level)),
            tx: None,
            since: None,
            done: false,
        };
        loop {
            let mut notified = pin!(self.shared.released.notified());
            notified.as_mut().enable();
            cx.seq.rewind();
            if let Some(out) = self.attempt(&op, &cx, &mut call, poison) {
                return out;
            }
            notified.await;
        }
    }

    /// One run of a write call: `None` if it must wait for a lock.
    fn attempt<R>(
        &self,
        op: &impl Fn(&mut Db, &Cx<'_>) -> StoreResult<R>,
        cx: &Cx<'_>,
        call: &mut Call<'_>,
        poison: bool,
    ) -> Option<StoreResult<R>> {
        let Some(tx) = &self.tx else {
            let mut committed = lock(&self.shared.committed);
            let c = &mut *committed;
            c.db.locks = Some(LockCx {
                table: std::mem::take(&mut c.locks),
                me: None,
                mark: 0,
                blocked: None,
            });
            let out = c.db.atomically(|db| op(db, cx));
            let lent = c.db.locks.take()?;
            c.locks = lent.table;
            if lent.blocked.is_some() {
                return None;
            }
            if out.is_ok() {
                c.version += 1;
            }
            call.done = true;
            return Some(out);
        };
        let mut guard = lock(tx);
        let Some(active) = guard.as_mut() else {
            call.done = true;
            return Some(Err(ended()));
        };
        if let Err(refused) = active.check() {
            call.done = true;
            return Some(Err(refused));
        }
        let mut committed = lock(&self.shared.committed);
        let c = &mut *committed;
        let me = active.id;
        let mark = match call.tx {
            Some((_, mark)) => mark,
            None => active.next_mark(),
        };
        call.tx = Some((me, mark));
        if c.locks.is_victim(me) {
            drop(committed);
            return Some(self.rolled_back(guard, call));
        }
        active.catch_up(c);
        active.work.locks = Some(LockCx {
            table: std::mem::take(&mut c.locks),
            me: Some(me),
            mark,
            blocked: None,
        });
        let out = active.work.atomically(|db| op(db, cx));
        let lent = active.work.locks.take()?;
        c.locks = lent.table;
        if let Some(holder) = lent.blocked {
            return match c.locks.wait(me, holder, call.since) {
                Ok((since, marked)) => {
                    call.since = Some(since);
                    drop(committed);
                    if marked {
                        self.shared.released.notify_waiters();
                    }
                    None
                }
                Err(()) => {
                    drop(committed);
                    Some(self.rolled_back(guard, call))
                }
            };
        }
        c.locks.end_wait(me);
        drop(committed);
        if poison
            && let Err(err) = &out
            && err.aborts_transaction()
        {
            active.abort(self.level, err.failed_reason());
        }
        drop(guard);
        if out.is_err() {
            // As a PostgreSQL savepoint rolled back: the failed call's locks go.
            self.shared.release(me, mark);
        }
        call.done = true;
        Some(out)
    }

    /// The call's transaction was chosen as a deadlock victim: as PostgreSQL does, the whole
    /// transaction is rolled back at once (its locks given back, so the others go on) and
    /// refuses every later call; the call gets the deadlock error.
    fn rolled_back<R>(
        &self,
        mut guard: MutexGuard<'_, Option<Active>>,
        call: &mut Call<'_>,
    ) -> StoreResult<R> {
        let err = deadlock();
        if let Some(active) = guard.as_mut() {
            active.aborted = Some(Aborted {
                level: FOR_GOOD,
                reason: err.rolled_back_reason(),
            });
            let discarded = std::mem::take(&mut active.work);
            let id = active.id;
            drop(guard);
            self.shared.release(id, 0);
            drop(discarded);
        }
        call.done = true;
        Err(err)
    }
}

impl fmt::Debug for Conn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conn")
            .field("transaction", &self.tx.is_some())
            .finish_non_exhaustive()
    }
}

/// The in-memory store: every port, with the semantics of the PostgreSQL schema.
///
/// Cheap to create (one per test) and to clone (clones share the data). Calls on it run
/// outside any transaction: each is atomic (they wait for transactions' locks, holding none
/// themselves). [`UnitOfWork::begin`]
/// starts a [`MemoryTransaction`].
#[derive(Clone)]
pub struct MemoryStore {
    conn: Conn,
}

impl MemoryStore {
    /// An empty store stamping rows with the [`SystemClock`].
    #[must_use]
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// An empty store stamping rows with `clock` (a `ManualClock` pins time in tests).
    #[must_use]
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            conn: Conn {
                shared: Arc::new(Shared {
                    clock,
                    seq: Sequences::default(),
                    committed: Mutex::new(Committed {
                        db: Db::default(),
                        version: 0,
                        locks: LockTable::default(),
                    }),
                    released: Notify::new(),
                    next_tx: AtomicU64::new(0),
                }),
                tx: None,
                level: 0,
            },
        }
    }

    /// The committed state (tests inspect its structure).
    #[cfg(test)]
    pub(crate) fn committed_db(&self) -> Db {
        lock(&self.conn.shared.committed).db.clone()
    }

    /// How many resources are locked and how many transactions wait (tests).
    #[cfg(test)]
    pub(crate) fn lock_counts(&self) -> (usize, usize) {
        let committed = lock(&self.conn.shared.committed);
        (committed.locks.held_count(), committed.locks.wait_count())
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

/// A transaction on a [`MemoryStore`], or a savepoint inside one.
///
/// READ COMMITTED with row locks, as in PostgreSQL (`docs/SEMANTICS.md`, "Concurrency"): its
/// stores see the latest committed state plus its own writes; its writes lock the rows and
/// unique values they touch until it ends, and its calls wait for other transactions' locks
/// (reads never wait). `commit` publishes its writes atomically; `rollback`, or dropping it,
/// discards them; both give its locks back.
///
/// `begin` on a transaction opens a savepoint: it shares the transaction's working state
/// and keeps a snapshot of it; its `rollback` (or drop) restores that snapshot, undoing
/// everything since (including later savepoints) and giving back the locks taken since; its
/// `commit` releases it.
pub struct MemoryTransaction {
    conn: Conn,
    /// The savepoint id, or `None` for the transaction itself.
    savepoint: Option<u64>,
    /// Committed or rolled back explicitly (then dropping does nothing).
    done: bool,
}

impl MemoryTransaction {
    fn cell(&self) -> StoreResult<&Arc<TxCell>> {
        self.conn
            .tx
            .as_ref()
            .ok_or_else(|| StoreError::internal("a transaction handle without a transaction"))
    }

    /// The working state (tests inspect its structure).
    #[cfg(test)]
    pub(crate) fn work_db(&self) -> Option<Db> {
        let cell = self.conn.tx.as_ref()?;
        lock(cell).as_ref().map(|active| active.work.clone())
    }

    fn finish_rollback(&self) {
        let Some(cell) = self.conn.tx.as_ref() else {
            return;
        };
        let mut guard = lock(cell);
        match self.savepoint {
            None => {
                let discarded = guard.take();
                drop(guard);
                if let Some(active) = &discarded {
                    self.conn.shared.release(active.id, 0);
                }
                drop(discarded);
            }
            Some(id) => {
                if let Some(active) = guard.as_mut()
                    && let Some(pos) = active.savepoints.iter().position(|sp| sp.id == id)
                {
                    let out_of_order = pos + 1 < active.savepoints.len();
                    let mut later = active.savepoints.split_off(pos);
                    let savepoint = later.swap_remove(0);
                    let discarded = std::mem::replace(&mut active.work, savepoint.work);
                    active.version = savepoint.version;
                    // A failure at this savepoint's level or deeper is undone with it.
                    if active
                        .aborted
                        .as_ref()
                        .is_some_and(|a| a.level != FOR_GOOD && a.level > pos)
                    {
                        active.aborted = None;
                    }
                    if out_of_order {
                        // A savepoint begun after it is still open: ended out of order.
                        active.abort_for_good(OUT_OF_ORDER_END);
                    }
                    let tx = active.id;
                    drop(guard);
                    // As in PostgreSQL, the locks taken since the savepoint are given back.
                    self.conn.shared.release(tx, savepoint.mark);
                    drop(discarded);
                    drop(later);
                }
            }
        }
    }
}

impl fmt::Debug for MemoryTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTransaction")
            .field("savepoint", &self.savepoint)
            .finish_non_exhaustive()
    }
}

impl Drop for MemoryTransaction {
    fn drop(&mut self) {
        if !self.done {
            self.finish_rollback();
        }
    }
}

#[async_trait]
impl UnitOfWork for MemoryStore {
    type Tx = MemoryTransaction;

    async fn begin(&self) -> StoreResult<MemoryTransaction> {
        let shared = &self.conn.shared;
        let (work, version) = {
            let committed = lock(&shared.committed);
            (committed.db.tracked(), committed.version)
        };
        Ok(MemoryTransaction {
            conn: Conn {
                shared: Arc::clone(shared),
                tx: Some(Arc::new(Mutex::new(Some(Active {
                    id: shared.next_tx.fetch_add(1, Ordering::Relaxed) + 1,
                    version,
                    work,
                    savepoints: Vec::new(),
                    next_savepoint: 0,
                    last_mark: 0,
                    aborted: None,
                })))),
                level: 0,
            },
            savepoint: None,
            done: false,
        })
    }
}

#[async_trait]
impl UnitOfWork for MemoryTransaction {
    type Tx = MemoryTransaction;

    /// Opens a savepoint.
    async fn begin(&self) -> StoreResult<MemoryTransaction> {
        let cell = self.cell()?;
        let mut guard = lock(cell);
        let active = guard.as_mut().ok_or_else(ended)?;
        active.check()?;
        let id = active.next_savepoint;
        active.next_savepoint += 1;
        let mark = active.next_mark();
        let savepoint = Savepoint {
            id,
            work: active.work.clone(),
            version: active.version,
            mark,
        };
        active.savepoints.push(savepoint);
        Ok(MemoryTransaction {
            conn: Conn {
                level: active.savepoints.len(),
                ..self.conn.clone()
            },
            savepoint: Some(id),
            done: false,
        })
    }
}

#[async_trait]
impl Transaction for MemoryTransaction {
    async fn commit(mut self) -> StoreResult<()> {
        self.done = true;
        let cell = Arc::clone(self.cell()?);
        match self.savepoint {
            None => {
                let mut guard = lock(&cell);
                let open = guard.as_ref().ok_or_else(ended)?;
                if !open.savepoints.is_empty() {
                    // A savepoint begun in it is still open: nothing is committed, and the
                    // transaction is rolled back as this handle is dropped.
                    drop(guard);
                    self.done = false;
                    return Err(StoreError::transaction_unusable(OUT_OF_ORDER_END));
                }
                let active = guard.take().ok_or_else(ended)?;
                drop(guard);
                if let Err(refused) = active.check() {
                    // Nothing is committed: the transaction is rolled back.
                    self.conn.shared.release(active.id, 0);
                    return Err(refused);
                }
                self.conn.shared.commit(active);
                Ok(())
            }
            Some(id) => {
                let mut guard = lock(&cell);
                let active = guard.as_mut().ok_or_else(ended)?;
                if let Err(refused) = active.check() {
                    // Not released: rolled back, as the refused savepoint is on PostgreSQL.
                    drop(guard);
                    self.finish_rollback();
                    return Err(refused);
                }
                let pos = active
                    .savepoints
                    .iter()
                    .position(|sp| sp.id == id)
                    .ok_or_else(|| StoreError::internal("the savepoint was already rolled back"))?;
                if pos + 1 < active.savepoints.len() {
                    // A savepoint begun after it is still open: ended out of order.
                    active.abort_for_good(OUT_OF_ORDER_END);
                    return Err(StoreError::transaction_unusable(OUT_OF_ORDER_END));
                }
                let released = active.savepoints.split_off(pos);
                drop(guard);
                drop(released);
                Ok(())
            }
        }
    }

    async fn rollback(mut self) -> StoreResult<()> {
        self.done = true;
        self.finish_rollback();
        Ok(())
    }
}

impl Stores for MemoryStore {
    fn users(&self) -> &dyn UserStore {
        &self.conn
    }
    fn user_information(&self) -> &dyn UserInformationStore {
        &self.conn
    }
    fn organizations(&self) -> &dyn OrganizationStore {
        &self.conn
    }
    fn organization_members(&self) -> &dyn OrganizationMemberStore {
        &self.conn
    }
    fn functions(&self) -> &dyn FunctionStore {
        &self.conn
    }
    fn deployments(&self) -> &dyn DeploymentStore {
        &self.conn
    }
    fn logs(&self) -> &dyn LogStore {
        &self.conn
    }
    fn invocations(&self) -> &dyn InvocationStore {
        &self.conn
    }
    fn repositories(&self) -> &dyn RepositoryStore {
        &self.conn
    }
    /// Always consistent: every read sees every committed write.
    fn consistent(&self) -> &dyn Stores {
        self
    }
}

impl Stores for MemoryTransaction {
    fn users(&self) -> &dyn UserStore {
        &self.conn
    }
    fn user_information(&self) -> &dyn UserInformationStore {
        &self.conn
    }
    fn organizations(&self) -> &dyn OrganizationStore {
        &self.conn
    }
    fn organization_members(&self) -> &dyn OrganizationMemberStore {
        &self.conn
    }
    fn functions(&self) -> &dyn FunctionStore {
        &self.conn
    }
    fn deployments(&self) -> &dyn DeploymentStore {
        &self.conn
    }
    fn logs(&self) -> &dyn LogStore {
        &self.conn
    }
    fn invocations(&self) -> &dyn InvocationStore {
        &self.conn
    }
    fn repositories(&self) -> &dyn RepositoryStore {
        &self.conn
    }
    /// Always consistent: every read sees every committed write.
    fn consistent(&self) -> &dyn Stores {
        self
    }
}
