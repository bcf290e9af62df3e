//! What every handle of one store shares ([`Shared`]): the committed state and the lock
//! table behind one commit mutex, the sequences and the clock; and each open transaction's
//! state ([`Active`]: its working state, savepoints, and why it refuses calls), with commit.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use containerpub_domain::Clock;
use containerpub_ports::{StoreError, StoreResult, TX_ENDED};
use tokio::sync::Notify;

use crate::db::Db;
use crate::hot::Hot;
use crate::locks::{LockTable, TxId};
use crate::sequences::Sequences;

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

/// A savepoint: the working state to restore and the mark of the locks taken after it.
pub(crate) struct Savepoint {
    pub(crate) id: u64,
    pub(crate) work: Db,
    pub(crate) version: u64,
    pub(crate) mark: u64,
}

/// An open transaction's state.
pub(crate) struct Active {
    /// Its identity in the lock table.
    pub(crate) id: TxId,
    /// The commit count of the committed state `work` is based on.
    pub(crate) version: u64,
    /// Its working state: a committed state plus its writes, which it records.
    pub(crate) work: Db,
    /// Open savepoints, oldest first.
    pub(crate) savepoints: Vec<Savepoint>,
    /// The next savepoint id.
    pub(crate) next_savepoint: u64,
    /// The last mark handed to a call or savepoint (marks order the locks it takes).
    pub(crate) last_mark: u64,
    /// Why it refuses every call, once a failed or dropped write made it unusable
    /// (`containerpub_ports::aborted`).
    pub(crate) aborted: Option<Aborted>,
}

/// A transaction made unusable: the savepoint level the failure happened in (rolling that
/// level back makes it usable again), or [`FOR_GOOD`].
pub(crate) struct Aborted {
    pub(crate) level: usize,
    pub(crate) reason: String,
}

/// [`Aborted::level`] of a transaction the database rolled back (a deadlock victim).
pub(crate) const FOR_GOOD: usize = usize::MAX;

impl Active {
    /// READ COMMITTED: before each statement, the latest committed state plus its own writes.
    pub(crate) fn catch_up(&mut self, committed: &Committed) {
        if self.version != committed.version {
            self.work = if self.work.is_clean() {
                committed.db.tracked()
            } else {
                self.work.replayed_onto(&committed.db)
            };
            self.version = committed.version;
        }
    }

    pub(crate) fn next_mark(&mut self) -> u64 {
        self.last_mark += 1;
        self.last_mark
    }

    /// `Ok` if usable, else the refusal.
    pub(crate) fn check(&self) -> StoreResult<()> {
        match &self.aborted {
            None => Ok(()),
            Some(aborted) => Err(StoreError::transaction_unusable(&aborted.reason)),
        }
    }

    /// Makes it unusable from savepoint level `level` (the first reason stays).
    pub(crate) fn abort(&mut self, level: usize, reason: String) {
        if self.aborted.is_none() {
            self.aborted = Some(Aborted { level, reason });
        }
    }

    /// Makes it unusable for good (superseding a failure a rollback could undo).
    pub(crate) fn abort_for_good(&mut self, reason: &str) {
        if self.aborted.as_ref().is_none_or(|a| a.level != FOR_GOOD) {
            self.aborted = Some(Aborted {
                level: FOR_GOOD,
                reason: reason.to_owned(),
            });
        }
    }
}

/// A transaction shared by its handle and its savepoints' handles; `None` once it ended.
pub(crate) type TxCell = Mutex<Option<Active>>;

pub(crate) fn ended() -> StoreError {
    StoreError::internal(TX_ENDED)
}
