//! The public handles: [`MemoryStore`] (autocommit) and [`MemoryTransaction`] (a transaction
//! or savepoint), and the connection both hand out as every store.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use containerpub_domain::{Clock, SystemClock};
use containerpub_ports::{
    DeploymentStore, FunctionStore, InvocationStore, LogStore, OrganizationMemberStore,
    OrganizationStore, RepositoryStore, StoreError, StoreResult, Stores, Transaction, UnitOfWork,
    UserInformationStore, UserStore, async_trait,
};

use crate::db::{Cx, Db, Sequences};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every write is computed on a copy and swapped in at the end, so a panic while the
    // lock is held cannot leave a half-written state behind: poisoning is harmless.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The committed state and how many commits produced it.
struct Committed {
    db: Db,
    version: u64,
}

/// What every handle of one store shares.
pub(crate) struct Shared {
    clock: Arc<dyn Clock>,
    seq: Sequences,
    committed: Mutex<Committed>,
}

impl Shared {
    /// Publishes a transaction's working state: an O(1) swap if nothing was committed since
    /// its snapshot, else the merge of SEMANTICS.md (nothing published on error).
    fn commit(&self, active: Active) -> StoreResult<()> {
        let Active {
            base,
            base_version,
            work,
            ..
        } = active;
        if work.is_clean() {
            return Ok(());
        }
        let mut committed = lock(&self.committed);
        let previous = if committed.version == base_version {
            std::mem::replace(&mut committed.db, work.untracked())
        } else {
            let mut merged = committed.db.clone();
            merged.merge(&base, &work)?;
            std::mem::replace(&mut committed.db, merged)
        };
        committed.version += 1;
        drop(committed);
        // Freed outside the lock.
        drop(previous);
        drop(base);
        Ok(())
    }
}

/// An open transaction's state.
struct Active {
    /// The committed state it began from.
    base: Db,
    /// The commit count of `base`.
    base_version: u64,
    /// Its working state (base plus its writes, which it records).
    work: Db,
    /// Open savepoints, oldest first: their id and the working state to restore.
    savepoints: Vec<(u64, Db)>,
    /// The next savepoint id.
    next_savepoint: u64,
}

/// A transaction shared by its handle and its savepoints' handles; `None` once it ended.
type TxCell = Mutex<Option<Active>>;

fn ended() -> StoreError {
    StoreError::internal("the transaction has already ended")
}

/// One handle on the data: the committed state (autocommit) or one transaction. It is what
/// [`Stores`] hands out as every entity's store.
#[derive(Clone)]
pub(crate) struct Conn {
    shared: Arc<Shared>,
    tx: Option<Arc<TxCell>>,
}

impl Conn {
    /// Runs a read on the state this handle sees.
    pub(crate) fn read<R>(&self, op: impl FnOnce(&Db) -> StoreResult<R>) -> StoreResult<R> {
        match &self.tx {
            None => op(&lock(&self.shared.committed).db),
            Some(tx) => match lock(tx).as_ref() {
                Some(active) => op(&active.work),
                None => Err(ended()),
            },
        }
    }

    /// Runs one write call atomically, in place on the state this handle writes (copying
    /// only what a snapshot shares), undone if it fails. Outside a transaction the call holds
    /// the commit lock: calls are serialised.
    pub(crate) fn write<R>(
        &self,
        op: impl FnOnce(&mut Db, &Cx<'_>) -> StoreResult<R>,
    ) -> StoreResult<R> {
        let cx = Cx {
            seq: &self.shared.seq,
            now: self.shared.clock.now(),
        };
        match &self.tx {
            None => {
                let mut committed = lock(&self.shared.committed);
                let out = committed.db.atomically(|db| op(db, &cx))?;
                committed.version += 1;
                Ok(out)
            }
            Some(tx) => {
                let mut guard = lock(tx);
                let active = guard.as_mut().ok_or_else(ended)?;
                active.work.atomically(|db| op(db, &cx))
            }
        }
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
/// outside any transaction: each is atomic and they are serialised. [`UnitOfWork::begin`]
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
                    }),
                }),
                tx: None,
            },
        }
    }

    /// The committed state (tests inspect its structure).
    #[cfg(test)]
    pub(crate) fn committed_db(&self) -> Db {
        lock(&self.conn.shared.committed).db.clone()
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
/// Its stores read and write its own working state: a snapshot of the committed state taken
/// by `begin` (O(1): the maps are shared, not copied) plus its writes. `commit` publishes
/// them atomically (or fails with `Unavailable`/`Conflict`/`ReferenceMissing`/
/// `StillReferenced` and publishes nothing); `rollback`, or dropping it, discards them.
///
/// `begin` on a transaction opens a savepoint: it shares the transaction's working state
/// and keeps a snapshot of it; its `rollback` (or drop) restores that snapshot, undoing
/// everything since (including later savepoints), its `commit` releases it.
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
                drop(discarded);
            }
            Some(id) => {
                if let Some(active) = guard.as_mut()
                    && let Some(pos) = active.savepoints.iter().position(|(sp, _)| *sp == id)
                {
                    let mut later = active.savepoints.split_off(pos);
                    let (_, snapshot) = later.swap_remove(0);
                    let discarded = std::mem::replace(&mut active.work, snapshot);
                    drop(guard);
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
        let (base, base_version) = {
            let committed = lock(&shared.committed);
            (committed.db.clone(), committed.version)
        };
        let work = base.tracked();
        Ok(MemoryTransaction {
            conn: Conn {
                shared: Arc::clone(shared),
                tx: Some(Arc::new(Mutex::new(Some(Active {
                    base,
                    base_version,
                    work,
                    savepoints: Vec::new(),
                    next_savepoint: 0,
                })))),
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
        let id = active.next_savepoint;
        active.next_savepoint += 1;
        let snapshot = active.work.clone();
        active.savepoints.push((id, snapshot));
        Ok(MemoryTransaction {
            conn: self.conn.clone(),
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
                let active = lock(&cell).take().ok_or_else(ended)?;
                self.conn.shared.commit(active)
            }
            Some(id) => {
                let mut guard = lock(&cell);
                let active = guard.as_mut().ok_or_else(ended)?;
                let pos = active
                    .savepoints
                    .iter()
                    .position(|(sp, _)| *sp == id)
                    .ok_or_else(|| StoreError::internal("the savepoint was already rolled back"))?;
                // Releasing a savepoint also releases the ones opened after it.
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

macro_rules! stores_for {
    ($($handle:ty),+) => {$(
        impl Stores for $handle {
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
    )+};
}

stores_for!(MemoryStore, MemoryTransaction);
