//! What every handle of one store shares ([`Shared`]): the committed state with its hot
//! index and the lock table behind one commit mutex ([`Committed`]), the sequences and the
//! clock; with commit (publishing a transaction's working state) and the giving back of the
//! locks a transaction, savepoint or call took.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use containerpub_domain::Clock;
use tokio::sync::Notify;

use crate::active::Active;
use crate::db::Db;
use crate::hot::Hot;
use crate::locks::{LockTable, TxId};
use crate::sequences::Sequences;

/// Locks one of the store's mutexes (a poisoned one is used as it is).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A failing or panicking call is undone before the lock is released (`Db::atomically`),
    // and every other critical section only swaps values in: poisoning is harmless.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The committed state, its hash index by uuid, how many commits produced it, and the locks
/// of open transactions.
pub(crate) struct Committed {
    pub(crate) db: Db,
    /// `db`'s rows by uuid, kept in step with `db` by every change to it (reads outside a
    /// transaction look uuids up here).
    pub(crate) hot: Hot,
    pub(crate) version: u64,
    pub(crate) locks: LockTable,
}

/// What every handle of one store shares.
pub(crate) struct Shared {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) seq: Sequences,
    pub(crate) committed: Mutex<Committed>,
    /// Woken whenever locks are given back or a deadlock victim is chosen: the calls waiting
    /// for a lock try again.
    pub(crate) released: Notify,
    pub(crate) next_tx: AtomicU64,
}

impl Shared {
    /// Publishes a transaction's working state (its writes replayed onto the latest committed
    /// state if others committed meanwhile: the rows it wrote are locked by it, so nothing
    /// can conflict) and gives back its locks.
    pub(crate) fn commit(&self, mut active: Active) {
        let mut committed = lock(&self.committed);
        let c = &mut *committed;
        let mut previous = None;
        if !active.work.is_clean() {
            active.catch_up(c);
            let work = std::mem::take(&mut active.work);
            let written = work.written();
            let work = work.untracked();
            c.hot.published(&c.db, &work, &written);
            previous = Some(std::mem::replace(&mut c.db, work));
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
    pub(crate) fn release(&self, tx: TxId, mark: u64) {
        let mut committed = lock(&self.committed);
        committed.locks.end_wait(tx);
        let released = committed.locks.release(tx, mark);
        drop(committed);
        if released {
            self.released.notify_waiters();
        }
    }
}
