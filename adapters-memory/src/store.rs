//! The public handles: [`MemoryStore`] (autocommit) and [`MemoryTransaction`] (a transaction
//! or savepoint); both hand out the same stores, a [`Handle`] bound to themselves.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use containerpub_domain::{Clock, SystemClock};
use containerpub_ports::{
    OUT_OF_ORDER_END, StoreError, StoreResult, StoreSet, Stores, Transaction, UnitOfWork,
    async_trait,
};
use tokio::sync::Notify;

use crate::active::{Active, FOR_GOOD, Savepoint, TxCell, ended};
use crate::db::Db;
use crate::handle::Handle;
use crate::hot::Hot;
use crate::locks::LockTable;
use crate::sequences::Sequences;
use crate::shared::{Committed, Shared, lock};

/// The in-memory store: every port, with the semantics of the PostgreSQL schema.
///
/// Cheap to create (one per test) and to clone (clones share the data). Calls on it run
/// outside any transaction: each is atomic (they wait for transactions' locks, holding none
/// themselves). [`UnitOfWork::begin`] starts a [`MemoryTransaction`].
#[derive(Clone)]
pub struct MemoryStore {
    handle: Handle,
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
            handle: Handle {
                shared: Arc::new(Shared {
                    clock,
                    seq: Sequences::default(),
                    committed: Mutex::new(Committed {
                        db: Db::default(),
                        hot: Hot::default(),
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
        lock(&self.handle.shared.committed).db.clone()
    }

    /// Panics unless the committed state's hot uuid index equals a rebuild from its rows
    /// (tests).
    #[cfg(test)]
    pub(crate) fn assert_hot_index_consistent(&self) {
        let committed = lock(&self.handle.shared.committed);
        committed.hot.assert_consistent(&committed.db);
    }

    /// How many resources are locked and how many transactions wait (tests).
    #[cfg(test)]
    pub(crate) fn lock_counts(&self) -> (usize, usize) {
        let committed = lock(&self.handle.shared.committed);
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
    handle: Handle,
    /// The savepoint id, or `None` for the transaction itself.
    savepoint: Option<u64>,
    /// Committed or rolled back explicitly (then dropping does nothing).
    done: bool,
}

impl MemoryTransaction {
    fn cell(&self) -> StoreResult<&Arc<TxCell>> {
        self.handle
            .tx
            .as_ref()
            .ok_or_else(|| StoreError::internal("a transaction handle without a transaction"))
    }

    /// The working state (tests inspect its structure).
    #[cfg(test)]
    pub(crate) fn work_db(&self) -> Option<Db> {
        let cell = self.handle.tx.as_ref()?;
        lock(cell).as_ref().map(|active| active.work.clone())
    }

    fn finish_rollback(&self) {
        let Some(cell) = self.handle.tx.as_ref() else {
            return;
        };
        let mut guard = lock(cell);
        match self.savepoint {
            None => {
                let discarded = guard.take();
                drop(guard);
                if let Some(active) = &discarded {
                    self.handle.shared.release(active.id, 0);
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
                    self.handle.shared.release(tx, savepoint.mark);
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
        let shared = &self.handle.shared;
        let (work, version) = {
            let committed = lock(&shared.committed);
            (committed.db.tracked(), committed.version)
        };
        Ok(MemoryTransaction {
            handle: Handle {
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
            handle: Handle {
                level: active.savepoints.len(),
                ..self.handle.clone()
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
                    self.handle.shared.release(active.id, 0);
                    return Err(refused);
                }
                self.handle.shared.commit(active);
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
    #[inline]
    fn store_set(&self) -> StoreSet<'_> {
        StoreSet::of(&self.handle)
    }
    /// Always consistent: every read sees every committed write.
    fn consistent(&self) -> &dyn Stores {
        self
    }
}

impl Stores for MemoryTransaction {
    #[inline]
    fn store_set(&self) -> StoreSet<'_> {
        StoreSet::of(&self.handle)
    }
    /// Always consistent: every read sees every committed write.
    fn consistent(&self) -> &dyn Stores {
        self
    }
}
