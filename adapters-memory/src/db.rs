//! The whole database as one persistent value ([`Db`]), the sequences, foreign-key checks,
//! `ON DELETE` actions, and the merge of a transaction into a newer committed state.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use containerpub_domain::Timestamp;
use containerpub_ports::{ForeignKey, StoreError, StoreResult, Table};
use imbl::OrdSet;

use crate::index::IndexKey;
use crate::schema::{OnDelete, Spec, Target, fk_info, incoming, table_index};
use crate::specs::{
    Deployments, Functions, Invocations, Logs, Members, Organizations, Profiles, Repositories,
    Users,
};
use crate::table::TableState;

/// Calls a generic function with the [`Spec`] of a runtime [`Table`].
macro_rules! dispatch {
    ($table:expr, $func:ident ( $($arg:expr),* $(,)? )) => {
        match $table {
            Table::Users => $func::<$crate::specs::Users>($($arg),*),
            Table::UserInformation => $func::<$crate::specs::Profiles>($($arg),*),
            Table::Organizations => $func::<$crate::specs::Organizations>($($arg),*),
            Table::OrganizationMembers => $func::<$crate::specs::Members>($($arg),*),
            Table::Functions => $func::<$crate::specs::Functions>($($arg),*),
            Table::FunctionDeployments => $func::<$crate::specs::Deployments>($($arg),*),
            Table::FunctionLogs => $func::<$crate::specs::Logs>($($arg),*),
            Table::FunctionInvocations => $func::<$crate::specs::Invocations>($($arg),*),
            Table::Repositories => $func::<$crate::specs::Repositories>($($arg),*),
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
        }
    }
}

/// The rows one table had before each write of the running call, in write order.
pub(crate) type UndoLog<T> = Vec<(i64, Option<Arc<<T as Spec>::Row>>)>;

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

fn undo_table<T: Spec>(db: &mut Db, log: UndoLog<T>) {
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
        }
    }
}

impl Db {
    /// One table.
    pub(crate) fn t<T: Spec>(&self) -> &TableState<T> {
        T::state(self)
    }

    /// Inserts or replaces a row (recorded in the write set and the undo log).
    pub(crate) fn put<T: Spec>(&mut self, row: Arc<T::Row>) -> Option<Arc<T::Row>> {
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
    pub(crate) fn remove<T: Spec>(&mut self, id: i64) -> Option<Arc<T::Row>> {
        self.t::<T>().get(id)?;
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
        let touched = self.touched.clone();
        self.undo = Some(Box::default());
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| op(self)));
        let undo = self.undo.take();
        let failed = !matches!(outcome, Ok(Ok(_)));
        if failed && let Some(undo) = undo {
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
            Ok(result) => result,
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

    /// Whether nothing was written since tracking began.
    pub(crate) fn is_clean(&self) -> bool {
        self.touched.iter().all(OrdSet::is_empty)
    }

    fn touched_ids<T: Spec>(&self) -> Vec<i64> {
        self.touched[table_index(T::TABLE)]
            .iter()
            .copied()
            .collect()
    }

    /// Applies a transaction's writes onto this state (the latest committed one), as
    /// described in SEMANTICS.md: a row it wrote that another commit changed since its
    /// snapshot is a serialization failure (`Unavailable`); otherwise its rows are written
    /// here and unique keys, foreign keys and the rows referencing the rows it deleted are
    /// checked again (`Conflict`, `ReferenceMissing`, `StillReferenced`; `CASCADE` and
    /// `SET NULL` are applied). On error this state is left half-merged: discard it.
    pub(crate) fn merge(&mut self, base: &Db, work: &Db) -> StoreResult<()> {
        for table in Table::ALL {
            dispatch!(table, merge_detect(self, base, work))?;
        }
        for table in Table::ALL {
            dispatch!(table, merge_remove(self, work));
        }
        for table in Table::ALL {
            dispatch!(table, merge_insert(self, work))?;
        }
        for table in Table::ALL {
            dispatch!(table, merge_check_fks(self, work))?;
        }
        let mut queue = VecDeque::new();
        for table in Table::ALL {
            dispatch!(table, merge_orphans(self, base, work, &mut queue))?;
        }
        run_deletes(self, queue)
    }
}

fn merge_detect<T: Spec>(committed: &Db, base: &Db, work: &Db) -> StoreResult<()> {
    for id in work.touched_ids::<T>() {
        let same = match (base.t::<T>().get(id), committed.t::<T>().get(id)) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        if !same {
            return Err(StoreError::unavailable(format!(
                "serialization failure: retry ({} row {id} was changed by a concurrent commit)",
                T::TABLE
            )));
        }
    }
    Ok(())
}

fn merge_remove<T: Spec>(db: &mut Db, work: &Db) {
    for id in work.touched_ids::<T>() {
        db.remove::<T>(id);
    }
}

fn merge_insert<T: Spec>(db: &mut Db, work: &Db) -> StoreResult<()> {
    for id in work.touched_ids::<T>() {
        if let Some(row) = work.t::<T>().get(id) {
            if let Some(key) = db.t::<T>().unique_conflict(row) {
                return Err(StoreError::Conflict { key });
            }
            db.put::<T>(Arc::clone(row));
        }
    }
    Ok(())
}

fn merge_check_fks<T: Spec>(db: &Db, work: &Db) -> StoreResult<()> {
    for id in work.touched_ids::<T>() {
        if let Some(row) = work.t::<T>().get(id) {
            check_fks::<T>(db, row)?;
        }
    }
    Ok(())
}

fn merge_orphans<T: Spec>(
    db: &mut Db,
    base: &Db,
    work: &Db,
    queue: &mut VecDeque<(Table, i64)>,
) -> StoreResult<()> {
    for id in work.touched_ids::<T>() {
        if work.t::<T>().get(id).is_none()
            && let Some(row) = base.t::<T>().get(id)
        {
            on_deleted::<T>(db, row, queue)?;
        }
    }
    Ok(())
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

/// What one write call runs with: the sequences and the instant it stamps rows with.
pub(crate) struct Cx<'a> {
    /// The sequences.
    pub seq: &'a Sequences,
    /// `clock.now()`, read once per call.
    pub now: Timestamp,
}

/// Checks the row's foreign keys in declaration order.
pub(crate) fn check_fks<T: Spec>(db: &Db, row: &T::Row) -> StoreResult<()> {
    for fk in T::FKS {
        if let Some(value) = T::fk_value(row, *fk)
            && !parent_exists(db, *fk, &value)
        {
            return Err(StoreError::ReferenceMissing { key: *fk });
        }
    }
    Ok(())
}

fn parent_exists(db: &Db, fk: ForeignKey, value: &IndexKey) -> bool {
    let info = fk_info(fk);
    dispatch!(info.parent, has_key(db, info.target, value))
}

fn has_key<T: Spec>(db: &Db, target: Target, value: &IndexKey) -> bool {
    match (target, value) {
        (Target::Id, IndexKey::Int(id)) => db.t::<T>().get(*id).is_some(),
        (Target::Uuid, _) => {
            T::UUID_KEY.is_some_and(|k| db.t::<T>().unique_get(k, value).is_some())
        }
        _ => false,
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

fn delete_one<T: Spec>(
    db: &mut Db,
    id: i64,
    queue: &mut VecDeque<(Table, i64)>,
) -> StoreResult<()> {
    match db.remove::<T>(id) {
        Some(row) => on_deleted::<T>(db, &row, queue),
        None => Ok(()),
    }
}

fn parent_key<T: Spec>(row: &T::Row, target: Target) -> Option<IndexKey> {
    match target {
        Target::Id => Some(IndexKey::Int(T::id(row))),
        Target::Uuid => T::UUID_KEY.and_then(|k| T::unique_value(row, k)),
    }
}

fn child_ids<T: Spec>(db: &Db, fk: ForeignKey, parent: &IndexKey) -> Vec<i64> {
    db.t::<T>().children_of(fk, parent)
}

fn set_null<T: Spec>(db: &mut Db, fk: ForeignKey, ids: &[i64]) {
    for id in ids {
        if let Some(row) = db.t::<T>().get(*id).cloned() {
            db.put::<T>(Arc::new(T::set_null(&row, fk)));
        }
    }
}

/// The `ON DELETE` actions for one deleted row: `RESTRICT` references first, then the
/// others in foreign-key order.
fn on_deleted<T: Spec>(
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
            OnDelete::SetNull => dispatch!(info.child, set_null(db, info.fk, &ids)),
            OnDelete::Restrict => {}
        }
    }
    Ok(())
}
