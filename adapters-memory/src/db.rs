//! The whole database as one persistent value ([`Db`]): its nine tables, the writes of the
//! call running on it in place with their undo log ([`Db::atomically`]: a failed call leaves
//! no trace), and a transaction's write set with its replay onto a newer committed state.

use std::sync::Arc;

use containerpub_ports::{StoreResult, Table};
use imbl::OrdSet;

use crate::locks::{LockCx, Mode, Resource, blocked};
use crate::rows::TableState;
use crate::table::{
    Deployments, Functions, Invocations, Logs, Members, Organizations, Profiles, Repositories,
    Users,
};
use crate::table::{TableDef, dispatch, table_index};

/// Every table. Cloning is O(1) (nine reference counts); a write into a state that shares
/// structure with a clone copies only the O(log n) paths it touches (copy on write), and
/// mutates in place what it owns alone.
pub(crate) struct Db {
    pub(crate) users: Arc<TableState<Users>>,
    pub(crate) profiles: Arc<TableState<Profiles>>,
    pub(crate) organizations: Arc<TableState<Organizations>>,
    pub(crate) members: Arc<TableState<Members>>,
    pub(crate) functions: Arc<TableState<Functions>>,
    pub(crate) deployments: Arc<TableState<Deployments>>,
    pub(crate) logs: Arc<TableState<Logs>>,
    pub(crate) invocations: Arc<TableState<Invocations>>,
    pub(crate) repositories: Arc<TableState<Repositories>>,
    /// Per table, the ids of the rows written (inserted, updated, deleted) since tracking
    /// began: a transaction's write set.
    touched: [OrdSet<i64>; 9],
    /// Whether writes are recorded in `touched` (inside a transaction).
    track: bool,
    /// The undo log of the call running in place, if any.
    undo: Option<Box<Undo>>,
    /// The lock table lent to the call running in place, if any.
    pub(crate) locks: Option<LockCx>,
}

impl Clone for Db {
    fn clone(&self) -> Self {
        Self {
            users: Arc::clone(&self.users),
            profiles: Arc::clone(&self.profiles),
            organizations: Arc::clone(&self.organizations),
            members: Arc::clone(&self.members),
            functions: Arc::clone(&self.functions),
            deployments: Arc::clone(&self.deployments),
            logs: Arc::clone(&self.logs),
            invocations: Arc::clone(&self.invocations),
            repositories: Arc::clone(&self.repositories),
            touched: self.touched.clone(),
            track: self.track,
            undo: None,
            locks: None,
        }
    }
}

/// The rows one table had before each write of the running call, in write order.
pub(crate) type UndoLog<T> = Vec<(i64, Option<Arc<<T as TableDef>::Row>>)>;

/// What a call running in place changed, to put back if it fails.
#[derive(Default)]
pub(crate) struct Undo {
    pub(crate) users: UndoLog<Users>,
    pub(crate) profiles: UndoLog<Profiles>,
    pub(crate) organizations: UndoLog<Organizations>,
    pub(crate) members: UndoLog<Members>,
    pub(crate) functions: UndoLog<Functions>,
    pub(crate) deployments: UndoLog<Deployments>,
    pub(crate) logs: UndoLog<Logs>,
    pub(crate) invocations: UndoLog<Invocations>,
    pub(crate) repositories: UndoLog<Repositories>,
}

/// Puts back the rows one table had before the failed call's writes, latest write first.
fn undo_table<T: TableDef>(db: &mut Db, undo: &mut Undo) {
    let log = std::mem::take(T::undo_log_mut(undo));
    let table = T::state_mut(db);
    for (id, old) in log.into_iter().rev() {
        match old {
            Some(row) => {
                table.put(row);
            }
            None => {
                table.remove(id);
            }
        }
    }
}

impl Default for Db {
    fn default() -> Self {
        Self {
            users: Arc::default(),
            profiles: Arc::default(),
            organizations: Arc::default(),
            members: Arc::default(),
            functions: Arc::default(),
            deployments: Arc::default(),
            logs: Arc::default(),
            invocations: Arc::default(),
            repositories: Arc::default(),
            touched: std::array::from_fn(|_| OrdSet::new()),
            track: false,
            undo: None,
            locks: None,
        }
    }
}

impl Db {
    /// One table.
    pub(crate) fn t<T: TableDef>(&self) -> &TableState<T> {
        T::state(self)
    }

    /// Inserts or replaces a row (recorded in the write set and the undo log).
    pub(crate) fn put<T: TableDef>(&mut self, row: Arc<T::Row>) -> Option<Arc<T::Row>> {
        self.lock_write::<T>(&row);
        self.put_locked::<T>(row)
    }

    /// [`Db::put`] of a row whose locks [`Db::lock_write`] already took.
    pub(crate) fn put_locked<T: TableDef>(&mut self, row: Arc<T::Row>) -> Option<Arc<T::Row>> {
        let id = T::id(&row);
        if self.track {
            self.touched[table_index(T::TABLE)].insert(id);
        }
        let old = T::state_mut(self).put(row);
        if let Some(undo) = self.undo.as_deref_mut() {
            T::undo_log_mut(undo).push((id, old.clone()));
        }
        old
    }

    /// Removes a row (recorded in the write set and the undo log).
    pub(crate) fn remove<T: TableDef>(&mut self, id: i64) -> Option<Arc<T::Row>> {
        let current = Arc::clone(self.t::<T>().get(id)?);
        if let Some(locks) = self.locks.as_mut() {
            locks.take_delete::<T>(&current);
        }
        if self.track {
            self.touched[table_index(T::TABLE)].insert(id);
        }
        let old = T::state_mut(self).remove(id);
        if let Some(undo) = self.undo.as_deref_mut() {
            T::undo_log_mut(undo).push((id, old.clone()));
        }
        old
    }

    /// Runs one call on this state in place: on error (or panic) every row it wrote is put
    /// back, so the call leaves no trace (the indexes follow the rows).
    pub(crate) fn atomically<R>(
        &mut self,
        op: impl FnOnce(&mut Db) -> StoreResult<R>,
    ) -> StoreResult<R> {
        self.atomically_logged(op).0
    }

    /// [`Db::atomically`], also returning the call's undo log if it succeeded: every row it
    /// wrote, in write order, with the row each write replaced.
    pub(crate) fn atomically_logged<R>(
        &mut self,
        op: impl FnOnce(&mut Db) -> StoreResult<R>,
    ) -> (StoreResult<R>, Option<Box<Undo>>) {
        let touched = self.touched.clone();
        self.undo = Some(Box::default());
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| op(self)));
        let undo = self.undo.take();
        let outcome = match outcome {
            Ok(Ok(value)) if !self.is_blocked() => return (Ok(value), undo),
            failed => failed,
        };
        if let Some(mut undo) = undo {
            for table in Table::ALL {
                dispatch!(table, undo_table(self, &mut undo));
            }
            self.touched = touched;
        }
        match outcome {
            Ok(result) => (result, None),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// A working copy for a transaction: the same state, recording its writes.
    pub(crate) fn tracked(&self) -> Self {
        let mut db = self.clone();
        db.track = true;
        db.touched = std::array::from_fn(|_| OrdSet::new());
        db
    }

    /// The state to publish: no write set.
    pub(crate) fn untracked(mut self) -> Self {
        self.track = false;
        self.touched = std::array::from_fn(|_| OrdSet::new());
        self
    }

    /// Per table, the ids of the rows written since tracking began (O(1): shared sets).
    pub(crate) fn written(&self) -> [OrdSet<i64>; 9] {
        self.touched.clone()
    }

    /// Whether nothing was written since tracking began.
    pub(crate) fn is_clean(&self) -> bool {
        self.touched.iter().all(OrdSet::is_empty)
    }

    /// This state's writes (the rows it wrote since tracking began, as they are here)
    /// replayed onto `base`, a newer committed state: READ COMMITTED's view for the next
    /// statement. The rows it wrote are locked by it, so nobody else changed them meanwhile.
    pub(crate) fn replayed_onto(&self, base: &Db) -> Db {
        let mut db = base.clone();
        db.track = self.track;
        db.touched = self.touched.clone();
        for table in Table::ALL {
            dispatch!(table, replay_table(&mut db, self));
        }
        db
    }

    /// Whether the running call met a lock held by another transaction.
    pub(crate) fn is_blocked(&self) -> bool {
        self.locks.as_ref().is_some_and(LockCx::is_blocked)
    }

    /// Stops the running call once it met a lock held by another transaction (the caller
    /// undoes it and waits; the error never leaves the adapter).
    pub(crate) fn check_blocked(&self) -> StoreResult<()> {
        if self.is_blocked() {
            Err(blocked())
        } else {
            Ok(())
        }
    }

    /// Takes an explicit row lock (`SELECT … FOR …` in the PostgreSQL adapter).
    pub(crate) fn lock_row(&mut self, table: Table, id: i64, mode: Mode) -> StoreResult<()> {
        if let Some(locks) = self.locks.as_mut()
            && locks.active()
        {
            locks.take(&Resource::Row(table, id), mode);
        }
        self.check_blocked()
    }

    /// Takes the locks writing `row` takes ([`LockCx::take_write`]).
    pub(crate) fn lock_write<T: TableDef>(&mut self, row: &T::Row) {
        if !self.locks.as_ref().is_some_and(LockCx::active) {
            return;
        }
        let Some(mut locks) = self.locks.take() else {
            return;
        };
        let old = self.t::<T>().get(T::id(row));
        locks.take_write::<T>(old.map(|old| &**old), row);
        self.locks = Some(locks);
    }
}

/// Copies into `db` each row of this table that `work` wrote, as `work` has it (removed
/// where `work` deleted it).
fn replay_table<T: TableDef>(db: &mut Db, work: &Db) {
    let ids: Vec<i64> = work.touched[table_index(T::TABLE)]
        .iter()
        .copied()
        .collect();
    let table = T::state_mut(db);
    for id in ids {
        match work.t::<T>().get(id) {
            Some(row) => {
                table.put(Arc::clone(row));
            }
            None => {
                table.remove(id);
            }
        }
    }
}
