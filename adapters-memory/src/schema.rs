//! The table description every entity implements ([`Spec`]) and the schema's foreign keys
//! with their `ON DELETE` actions.

use std::sync::Arc;

use containerpub_domain::Timestamp;
use containerpub_ports::support::Record;
use containerpub_ports::{Field, ForeignKey, StoreResult, Table, UniqueKey};

use crate::db::{Cx, Db, Undo, UndoLog};
use crate::index::IndexKey;
use crate::table::TableState;

/// What an equality filter on a field can be answered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// The primary key.
    Id,
    /// A (non-partial, or partial but only ever read among visible rows) unique index.
    Unique(UniqueKey),
    /// The child index of a foreign key.
    Child(ForeignKey),
}

/// One table of the schema, described for the generic engine: its row type, keys, indexes,
/// and how rows are built from inputs and changed by patches.
pub(crate) trait Spec: Sized + Send + Sync + 'static {
    /// The entity stored.
    type Row: Record<Field = Self::Field> + Clone + Send + Sync + 'static;
    /// Its field enum.
    type Field: Field;
    /// The insert input.
    type New: Send + Sync;
    /// The update input.
    type Patch: Send + Sync;
    /// What the pre-statement step of an insert found (`()` for most tables).
    type Prep;

    /// The table.
    const TABLE: Table;
    /// Its unique keys, in [`UniqueKey`] declaration order (the check order).
    const UNIQUES: &'static [UniqueKey];
    /// Its foreign keys, in [`ForeignKey`] declaration order (the check order).
    const FKS: &'static [ForeignKey];
    /// The unique key of its `uuid` column, if it has one.
    const UUID_KEY: Option<UniqueKey>;
    /// The unique key kept in an ordered index (range scans), if any.
    const ORDERED_UNIQUE: Option<UniqueKey> = None;
    /// The foreign key whose child index also lists rows where it is NULL, if any.
    const NULL_CHILDREN: Option<ForeignKey> = None;
    /// Whether a batch insert runs one statement per row (because each row's pre-statement
    /// step depends on the rows before it) instead of chunks of `BATCH_CHUNK_ROWS`.
    const ROW_BY_ROW: bool = false;
    /// `(function_id, timestamp)` fields of an event table kept in time order per function.
    const TIME_FIELDS: Option<(Self::Field, Self::Field)> = None;

    /// The table's state in a database.
    fn state(db: &Db) -> &TableState<Self>;
    /// The table's state in a database, for writing (copy-on-write).
    fn state_mut(db: &mut Db) -> &mut TableState<Self>;
    /// The table's undo log.
    fn undo_log(undo: &mut Undo) -> &mut UndoLog<Self>;

    /// The row's primary key.
    fn id(row: &Self::Row) -> i64;
    /// The row's value of a unique key; `None` where a partial key's predicate is false.
    fn unique_value(row: &Self::Row, key: UniqueKey) -> Option<IndexKey>;
    /// The input's value of a unique key, for the upserts whose pre-statement step can fail
    /// (deployments, repositories): without the function or parent, the row holding the key
    /// is still updated. `None` for other tables and keys.
    fn new_unique_value(_new: &Self::New, _key: UniqueKey) -> Option<IndexKey> {
        None
    }
    /// The row's value of a foreign key; `None` when NULL.
    fn fk_value(row: &Self::Row, fk: ForeignKey) -> Option<IndexKey>;
    /// Which index answers `field = value`.
    fn lookup(field: Self::Field) -> Option<Lookup>;
    /// Whether reads see the row (repositories hide soft-deleted rows).
    fn visible(_row: &Self::Row) -> bool {
        true
    }
    /// `(function_id, timestamp)` of an event row.
    fn time_key(_row: &Self::Row) -> Option<(i64, Timestamp)> {
        None
    }
    /// The table's check constraints (the domain types already guarantee them).
    fn check(_row: &Self::Row) -> StoreResult<()> {
        Ok(())
    }
    /// The row with the column of `fk` set to NULL (`ON DELETE SET NULL`; no stamp).
    fn set_null(row: &Self::Row, _fk: ForeignKey) -> Self::Row {
        row.clone()
    }

    /// The step before an insert statement (may read and lock other rows).
    fn prepare(db: &mut Db, new: &Self::New) -> StoreResult<Self::Prep>;
    /// The row an insert writes.
    fn build(new: &Self::New, prep: Self::Prep, id: i64, now: Timestamp) -> StoreResult<Self::Row>;
    /// The row with `patch` applied and stamped.
    fn patch(row: &Self::Row, patch: &Self::Patch, now: Timestamp) -> StoreResult<Self::Row>;
    /// The row updated by an upsert from `new` (its update branch).
    fn upsert_update(row: &Self::Row, new: &Self::New, now: Timestamp) -> Self::Row;
    /// Statements that follow an insert statement, for its rows (organizations: the owners'
    /// memberships). `first`: the batch index of `rows[0]` in a batch (errors name the row
    /// they came from), `None` for a single-row call.
    fn after_insert(
        _db: &mut Db,
        _cx: &Cx<'_>,
        _rows: &[Arc<Self::Row>],
        _first: Option<usize>,
    ) -> StoreResult<()> {
        Ok(())
    }
    /// Rejects patches `update_where` cannot apply (repositories: paths).
    fn check_bulk_patch(_patch: &Self::Patch) -> StoreResult<()> {
        Ok(())
    }
    /// `update_by_id` (repositories move subtrees).
    fn update_by_id(
        db: &mut Db,
        cx: &Cx<'_>,
        id: i64,
        patch: &Self::Patch,
    ) -> StoreResult<Arc<Self::Row>> {
        crate::engine::update_by_id_generic::<Self>(db, cx, id, patch)
    }
}

/// Which column of the parent a foreign key references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// `REFERENCES parent(id)`
    Id,
    /// `REFERENCES parent(uuid)`
    Uuid,
}

/// A foreign key's `ON DELETE` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnDelete {
    /// Delete the referencing rows.
    Cascade,
    /// Set the referencing column to NULL.
    SetNull,
    /// Refuse the delete.
    Restrict,
}

/// One foreign key of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FkInfo {
    /// The constraint.
    pub fk: ForeignKey,
    /// The referencing table.
    pub child: Table,
    /// The referenced table.
    pub parent: Table,
    /// The referenced column.
    pub target: Target,
    /// What deleting the parent does.
    pub action: OnDelete,
}

/// The schema's description of a foreign key (SCHEMA.md).
pub(crate) const fn fk_info(fk: ForeignKey) -> FkInfo {
    use ForeignKey as K;
    use OnDelete::{Cascade, Restrict, SetNull};
    let (parent, target, action) = match fk {
        K::FunctionsUserId => (Table::Users, Target::Id, Cascade),
        K::FunctionsActiveDeploymentId => (Table::FunctionDeployments, Target::Id, SetNull),
        K::DeploymentsFunctionId => (Table::Functions, Target::Id, Cascade),
        K::LogsFunctionId => (Table::Functions, Target::Id, Cascade),
        K::InvocationsFunctionId => (Table::Functions, Target::Id, Cascade),
        K::UserInformationUserId => (Table::Users, Target::Uuid, Cascade),
        K::OrganizationsOwnerId => (Table::Users, Target::Uuid, Restrict),
        K::OrganizationMembersOrganizationId => (Table::Organizations, Target::Uuid, Cascade),
        K::OrganizationMembersUserId => (Table::Users, Target::Uuid, Cascade),
        K::RepositoriesParentId => (Table::Repositories, Target::Id, Cascade),
    };
    FkInfo {
        fk,
        child: fk.table(),
        parent,
        target,
        action,
    }
}

/// The foreign keys referencing `table`, in declaration order.
pub(crate) fn incoming(table: Table) -> impl Iterator<Item = FkInfo> {
    ForeignKey::ALL
        .iter()
        .map(|fk| fk_info(*fk))
        .filter(move |info| info.parent == table)
}

/// Position of `table` in [`Table::ALL`] (per-table arrays).
pub(crate) const fn table_index(table: Table) -> usize {
    match table {
        Table::Users => 0,
        Table::Functions => 1,
        Table::FunctionDeployments => 2,
        Table::FunctionLogs => 3,
        Table::FunctionInvocations => 4,
        Table::UserInformation => 5,
        Table::Organizations => 6,
        Table::OrganizationMembers => 7,
        Table::Repositories => 8,
    }
}
