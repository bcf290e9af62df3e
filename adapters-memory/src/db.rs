//! The whole database as one persistent value ([`Db`]), the sequences, foreign-key checks,
//! `ON DELETE` actions, the locks a write takes, and the replay of a transaction's writes
//! onto a newer committed state.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use containerpub_domain::Timestamp;
use containerpub_ports::{ForeignKey, StoreError, StoreResult, Table};
use imbl::OrdSet;

use crate::index::IndexKey;
use crate::locks::{LockCx, Mode, Resource};
use crate::rows::TableState;
use crate::table::{
    Deployments, Functions, Invocations, Logs, Members, Organizations, Profiles, Repositories,
    Users,
};
use crate::table::{OnDelete, TableDef, Target, fk_info, incoming, table_index};

/// Calls a generic function with the [`TableDef`] of a runtime [`Table`].
macro_rules! dispatch {
    ($table:expr, $func:ident ( $($arg:expr),* $(,)? )) => {
        match $table {
            Table::Users => $func::<$crate::table::Users>($($arg),*),
            Table::UserInformation => $func::<$crate::table::Profiles>($($arg),*),
            Table::Organizations => $func::<$crate::table::Organizations>($($arg),*),
            Table::OrganizationMembers => $func::<$crate::table::Members>($($arg),*),
            Table::Functions => $func::<$crate::table::Functions>($($arg),*),
            Table::FunctionDeployments => $func::<$crate::table::Deployments>($($arg),*),
            Table::FunctionLogs => $func::<$crate::table::Logs>($($arg),*),
            Table::FunctionInvocations => $func::<$crate::table::Invocations>($($arg),*),
            Table::Repositories => $func::<$crate::table::Repositories>($($arg),*),
        }
    };
}

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

fn undo_table<T: TableDef>(db: &mut Db, log: UndoLog<T>) {
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
            T::undo_log(undo).push((id, old.clone()));
        }
        old
    }

    /// Removes a row (recorded in the write set and the undo log).
    pub(crate) fn remove<T: TableDef>(&mut self, id: i64) -> Option<Arc<T::Row>> {
        let current = Arc::clone(self.t::<T>().get(id)?);
        self.lock_remove::<T>(&current);
        if self.track {
            self.touched[table_index(T::TABLE)].insert(id);
        }
        let old = T::state_mut(self).remove(id);
        if let Some(undo) = self.undo.as_deref_mut() {
            T::undo_log(undo).push((id, old.clone()));
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
        if let Some(undo) = undo {
            let Undo {
                users,
                profiles,
                organizations,
                members,
                functions,
                deployments,
                logs,
                invocations,
                repositories,
            } = *undo;
            undo_table::<Users>(self, users);
            undo_table::<Profiles>(self, profiles);
            undo_table::<Organizations>(self, organizations);
            undo_table::<Members>(self, members);
            undo_table::<Functions>(self, functions);
            undo_table::<Deployments>(self, deployments);
            undo_table::<Logs>(self, logs);
            undo_table::<Invocations>(self, invocations);
            undo_table::<Repositories>(self, repositories);
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
        self.locks.as_ref().is_some_and(|l| l.blocked.is_some())
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

    /// The locks writing `row` takes: the row itself if it exists (`FOR UPDATE` when a
    /// unique value changes, else `FOR NO KEY UPDATE`), and every unique value it had and
    /// will have (an uncommitted index entry: other writers of that value wait).
    pub(crate) fn lock_write<T: TableDef>(&mut self, row: &T::Row) {
        if !self.locks.as_ref().is_some_and(LockCx::active) {
            return;
        }
        let Some(mut locks) = self.locks.take() else {
            return;
        };
        let id = T::id(row);
        if let Some(old) = self.t::<T>().get(id) {
            let key_change = T::UNIQUES.iter().any(|key| {
                match (T::unique_value(old, *key), T::unique_value(row, *key)) {
                    (Some(a), Some(b)) => a != b,
                    _ => false,
                }
            });
            let mode = if key_change {
                Mode::Update
            } else {
                Mode::NoKeyUpdate
            };
            locks.take(&Resource::Row(T::TABLE, id), mode);
            for key in T::UNIQUES {
                if let Some(value) = T::unique_value(old, *key) {
                    locks.take(&Resource::Key(*key, value), Mode::Update);
                }
            }
        }
        for key in T::UNIQUES {
            if let Some(value) = T::unique_value(row, *key) {
                locks.take(&Resource::Key(*key, value), Mode::Update);
            }
        }
        self.locks = Some(locks);
    }

    /// The locks deleting `row` takes: `FOR UPDATE` on it and its unique values.
    fn lock_remove<T: TableDef>(&mut self, row: &T::Row) {
        let Some(locks) = self.locks.as_mut() else {
            return;
        };
        if !locks.active() {
            return;
        }
        locks.take(&Resource::Row(T::TABLE, T::id(row)), Mode::Update);
        for key in T::UNIQUES {
            if let Some(value) = T::unique_value(row, *key) {
                locks.take(&Resource::Key(*key, value), Mode::Update);
            }
        }
    }
}

/// What a call that met another transaction's lock returns until it is undone.
fn blocked() -> StoreError {
    StoreError::internal("the call waits for a lock held by another transaction")
}

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

/// The per-table sequences: shared by every transaction, never rolled back.
pub(crate) struct Sequences([AtomicI64; 9]);

impl Default for Sequences {
    fn default() -> Self {
        Self(std::array::from_fn(|_| AtomicI64::new(0)))
    }
}

impl Sequences {
    /// `nextval` of the table's id sequence (`SERIAL` tables stop at `i32::MAX`).
    pub(crate) fn next(&self, table: Table) -> StoreResult<i64> {
        let value = self.0[table_index(table)].fetch_add(1, Ordering::Relaxed) + 1;
        let max = match table {
            Table::FunctionLogs | Table::FunctionInvocations => i64::MAX,
            _ => i64::from(i32::MAX),
        };
        if value > max || value < 1 {
            return Err(StoreError::internal(format!(
                "the id sequence of {table} is exhausted"
            )));
        }
        Ok(value)
    }
}

/// The sequence values of one call. A call that waits for a lock is undone and run again;
/// the values its first runs took are handed out again, in the same order, so that it takes
/// each value once, as the PostgreSQL statement that waits half-way does.
pub(crate) struct CallSeq<'a> {
    shared: &'a Sequences,
    /// Per table: the values taken so far, and how many the current run has used.
    taken: RefCell<[(Vec<i64>, usize); 9]>,
}

impl<'a> CallSeq<'a> {
    /// A call's view of the sequences.
    pub(crate) fn new(shared: &'a Sequences) -> Self {
        Self {
            shared,
            taken: RefCell::new(std::array::from_fn(|_| (Vec::new(), 0))),
        }
    }

    /// `nextval`: the value the previous run took at this point, or a fresh one.
    pub(crate) fn next(&self, table: Table) -> StoreResult<i64> {
        let mut taken = self.taken.borrow_mut();
        let (values, used) = &mut taken[table_index(table)];
        if let Some(value) = values.get(*used) {
            *used += 1;
            return Ok(*value);
        }
        let value = self.shared.next(table)?;
        values.push(value);
        *used += 1;
        Ok(value)
    }

    /// Starts another run of the call.
    pub(crate) fn rewind(&self) {
        for (_, used) in self.taken.borrow_mut().iter_mut() {
            *used = 0;
        }
    }
}

/// What one write call runs with: the sequences and the instant it stamps rows with.
pub(crate) struct Cx<'a> {
    /// The sequences.
    pub seq: CallSeq<'a>,
    /// `clock.now()`, read once per call.
    pub now: Timestamp,
}

/// Checks the row's foreign keys in declaration order, locking each parent found
/// `FOR KEY SHARE` (a transaction deleting it, or changing its key, makes the check wait).
pub(crate) fn check_fks<T: TableDef>(db: &mut Db, row: &T::Row) -> StoreResult<()> {
    for fk in T::FKS {
        if let Some(value) = T::fk_value(row, *fk) {
            let info = fk_info(*fk);
            let Some(parent) = dispatch!(info.parent, parent_id(db, info.target, &value)) else {
                return Err(StoreError::ReferenceMissing { key: *fk });
            };
            db.lock_row(info.parent, parent, Mode::KeyShare)?;
        }
    }
    Ok(())
}

fn parent_id<T: TableDef>(db: &Db, target: Target, value: &IndexKey) -> Option<i64> {
    match (target, value) {
        (Target::Id, IndexKey::Int(id)) => db.t::<T>().get(*id).map(|_| *id),
        (Target::Uuid, _) => T::UUID_KEY.and_then(|k| db.t::<T>().unique_get(k, value)),
        _ => None,
    }
}

/// Deletes rows of `table` (already known to exist) and applies the `ON DELETE` actions of
/// every foreign key referencing them, recursively: `RESTRICT` → `StillReferenced`,
/// `CASCADE` → deleted too, `SET NULL` → the column cleared (no stamp). The rows given are
/// deleted first, then the cascades, breadth first.
pub(crate) fn delete_rows(db: &mut Db, table: Table, ids: Vec<i64>) -> StoreResult<()> {
    run_deletes(db, ids.into_iter().map(|id| (table, id)).collect())
}

fn run_deletes(db: &mut Db, mut queue: VecDeque<(Table, i64)>) -> StoreResult<()> {
    while let Some((table, id)) = queue.pop_front() {
        dispatch!(table, delete_one(db, id, &mut queue))?;
    }
    Ok(())
}

fn delete_one<T: TableDef>(
    db: &mut Db,
    id: i64,
    queue: &mut VecDeque<(Table, i64)>,
) -> StoreResult<()> {
    match db.remove::<T>(id) {
        Some(row) => {
            db.check_blocked()?;
            on_deleted::<T>(db, &row, queue)
        }
        None => Ok(()),
    }
}

fn parent_key<T: TableDef>(row: &T::Row, target: Target) -> Option<IndexKey> {
    match target {
        Target::Id => Some(IndexKey::Int(T::id(row))),
        Target::Uuid => T::UUID_KEY.and_then(|k| T::unique_value(row, k)),
    }
}

fn child_ids<T: TableDef>(db: &Db, fk: ForeignKey, parent: &IndexKey) -> Vec<i64> {
    db.t::<T>().children_of(fk, parent)
}

fn set_null<T: TableDef>(db: &mut Db, fk: ForeignKey, ids: &[i64]) -> StoreResult<()> {
    for id in ids {
        if let Some(row) = db.t::<T>().get(*id).cloned() {
            db.put::<T>(Arc::new(T::set_null(&row, fk)));
            db.check_blocked()?;
        }
    }
    Ok(())
}

/// The `ON DELETE` actions for one deleted row: `RESTRICT` references first, then the
/// others in foreign-key order.
fn on_deleted<T: TableDef>(
    db: &mut Db,
    row: &T::Row,
    queue: &mut VecDeque<(Table, i64)>,
) -> StoreResult<()> {
    let referencing: Vec<_> = incoming(T::TABLE)
        .filter_map(|info| {
            let key = parent_key::<T>(row, info.target)?;
            let ids = dispatch!(info.child, child_ids(db, info.fk, &key));
            (!ids.is_empty()).then_some((info, ids))
        })
        .collect();
    if let Some((info, _)) = referencing
        .iter()
        .find(|(info, _)| info.action == OnDelete::Restrict)
    {
        return Err(StoreError::StillReferenced { key: info.fk });
    }
    for (info, ids) in referencing {
        match info.action {
            OnDelete::Cascade => queue.extend(ids.into_iter().map(|id| (info.child, id))),
            OnDelete::SetNull => dispatch!(info.child, set_null(db, info.fk, &ids))?,
            OnDelete::Restrict => {}
        }
    }
    Ok(())
}
