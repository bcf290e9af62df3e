//! One open transaction's state ([`Active`]): its working state and how it catches up with
//! newer commits (READ COMMITTED), its savepoints, the marks that order the locks it takes,
//! and why it refuses calls once a failure made it unusable ([`Aborted`]).

use std::sync::Mutex;

use containerpub_ports::{StoreError, StoreResult, TX_ENDED};

use crate::db::Db;
use crate::locks::TxId;
use crate::shared::Committed;

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

    /// A new mark, later than every mark handed out before.
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

/// What a call on a transaction that already ended returns.
pub(crate) fn ended() -> StoreError {
    StoreError::internal(TX_ENDED)
}
