//! The table description every entity implements ([`TableDef`]), with its key handling derived
//! from the ports' schema catalog (unique keys, their partial predicates, foreign keys with
//! their `ON DELETE` actions).

use std::sync::Arc;

use containerpub_domain::Timestamp;
use containerpub_ports::support::Record;
use containerpub_ports::{
    Column, Field, ForeignKey, Predicate, StoreResult, Table, UniqueKey, Value,
};
pub(crate) use containerpub_ports::{OnDelete, Target};

use crate::db::{Db, Undo, UndoLog};
use crate::index::IndexKey;
use crate::rows::TableState;
use crate::sequences::Cx;

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

/// One table of the schema, described for the generic CRUD code ([`crate::crud`]): its row type, keys, indexes,
/// and how rows are built from inputs and changed by patches.
pub(crate) trait TableDef: Sized + Send + Sync + 'static {
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
    const UNIQUES: &'static [UniqueKey] = UniqueKey::of(Self::TABLE);
    /// Its foreign keys, in [`ForeignKey`] declaration order (the check order).
    const FKS: &'static [ForeignKey] = ForeignKey::of(Self::TABLE);
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
    fn undo_log(undo: &Undo) -> &UndoLog<Self>;
    /// The same, for writing.
    fn undo_log_mut(undo: &mut Undo) -> &mut UndoLog<Self>;
    /// The table's map in the committed state's hot uuid index.
    fn hot(hot: &crate::hot::Hot) -> &crate::hot::HotMap<Self::Row>;
    /// The same, for writing.
    fn hot_mut(hot: &mut crate::hot::Hot) -> &mut crate::hot::HotMap<Self::Row>;

    /// The row's primary key.
    fn id(row: &Self::Row) -> i64;
    /// The row's value of a unique key (its catalog columns); `None` where a partial key's
    /// predicate is false, a column is NULL, or the key is another table's.
    fn unique_value(row: &Self::Row, key: UniqueKey) -> Option<IndexKey> {
        let covered = match key.predicate() {
            None => true,
            Some(Predicate::IsTrue(column)) => {
                value_of::<Self>(row, column).is_some_and(|v| v == Value::Bool(true))
            }
            Some(Predicate::Live) => Self::visible(row),
        };
        if !covered {
            return None;
        }
        match key.columns() {
            [column] => IndexKey::from_owned(value_of::<Self>(row, *column)?),
            [a, b] => IndexKey::pair(value_of::<Self>(row, *a)?, value_of::<Self>(row, *b)?),
            _ => None,
        }
    }
    /// The input's value of a unique key, for the upserts whose pre-statement step can fail
    /// (deployments, repositories): without the function or parent, the row holding the key
    /// is still updated. `None` for other tables and keys.
    fn new_unique_value(_new: &Self::New, _key: UniqueKey) -> Option<IndexKey> {
        None
    }
    /// The row's value of a foreign key (its catalog column); `None` when NULL or the key is
    /// another table's.
    fn fk_value(row: &Self::Row, fk: ForeignKey) -> Option<IndexKey> {
        IndexKey::from_owned(value_of::<Self>(row, fk.column())?)
    }
    /// Which index answers `field = value`: the primary key; else a one-column unique key
    /// on the field that covers every visible row (a partial key on live rows does, as reads
    /// see live rows only); else the child index of a foreign key on the field.
    fn lookup(field: Self::Field) -> Option<Lookup> {
        if field == <Self::Field as Field>::ID {
            return Some(Lookup::Id);
        }
        let is_field = |column: &Column| column.field::<Self::Field>() == Some(field);
        let unique = Self::UNIQUES.iter().find(|key| {
            matches!(key.columns(), [column] if is_field(column))
                && !matches!(key.predicate(), Some(Predicate::IsTrue(_)))
        });
        if let Some(key) = unique {
            return Some(Lookup::Unique(*key));
        }
        Self::FKS
            .iter()
            .find(|fk| is_field(&fk.column()))
            .map(|fk| Lookup::Child(*fk))
    }
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
        crate::crud::update_by_id_generic::<Self>(db, cx, id, patch)
    }
}

/// One foreign key of the schema, as the cascades read it from the catalog.
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

/// The catalog's description of a foreign key.
pub(crate) const fn fk_info(fk: ForeignKey) -> FkInfo {
    FkInfo {
        fk,
        child: fk.table(),
        parent: fk.parent(),
        target: fk.target(),
        action: fk.on_delete(),
    }
}

/// The foreign keys referencing `table`, in declaration order.
pub(crate) fn incoming(table: Table) -> impl Iterator<Item = FkInfo> {
    ForeignKey::referencing(table).map(fk_info)
}

/// The row's value of a catalog column that is one of its fields (`None` otherwise).
fn value_of<T: TableDef>(row: &T::Row, column: Column) -> Option<Value> {
    column.field::<T::Field>().map(|field| row.get(field))
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

#[cfg(test)]
mod tests {
    use containerpub_ports::{
        DeploymentField as D, FunctionField as F, InvocationField as I, LogField as L,
        OrganizationField as O, OrganizationMemberField as M, RepositoryField as R, UserField as U,
        UserInformationField as P,
    };

    use super::*;
    use crate::table::{
        Deployments, Functions, Invocations, Logs, Members, Organizations, Profiles, Repositories,
        Users,
    };

    /// The lookups derived from the catalog, for every field: `expected` lists the fields
    /// that have one; every other field has none.
    fn check<T: TableDef>(expected: &[(T::Field, Lookup)]) {
        for field in <T::Field as Field>::ALL {
            let want = expected.iter().find(|(f, _)| f == field).map(|(_, l)| *l);
            assert_eq!(T::lookup(*field), want, "{field:?}");
        }
    }

    #[test]
    fn lookups_derived_from_the_catalog_use_the_indexes_of_each_field() {
        use Lookup::{Child, Id, Unique};
        use {ForeignKey as Fk, UniqueKey as Uk};
        check::<Users>(&[
            (U::Id, Id),
            (U::Uuid, Unique(Uk::UsersUuid)),
            (U::Email, Unique(Uk::UsersEmail)),
        ]);
        check::<Profiles>(&[
            (P::Id, Id),
            (P::Uuid, Unique(Uk::UserInformationUuid)),
            (P::UserId, Unique(Uk::UserInformationUserId)),
        ]);
        check::<Organizations>(&[
            (O::Id, Id),
            (O::Uuid, Unique(Uk::OrganizationsUuid)),
            (O::Name, Unique(Uk::OrganizationsName)),
            (O::OwnerId, Child(Fk::OrganizationsOwnerId)),
        ]);
        check::<Members>(&[
            (M::Id, Id),
            (
                M::OrganizationId,
                Child(Fk::OrganizationMembersOrganizationId),
            ),
            (M::UserId, Unique(Uk::OrganizationMembersUserId)),
        ]);
        check::<Functions>(&[
            (F::Id, Id),
            (F::Uuid, Unique(Uk::FunctionsUuid)),
            (F::UserId, Child(Fk::FunctionsUserId)),
            (
                F::ActiveDeploymentId,
                Child(Fk::FunctionsActiveDeploymentId),
            ),
        ]);
        // The active-deployment key covers active rows only: not a lookup of function_id.
        check::<Deployments>(&[
            (D::Id, Id),
            (D::Uuid, Unique(Uk::DeploymentsUuid)),
            (D::FunctionId, Child(Fk::DeploymentsFunctionId)),
        ]);
        check::<Logs>(&[
            (L::Id, Id),
            (L::Uuid, Unique(Uk::LogsUuid)),
            (L::FunctionId, Child(Fk::LogsFunctionId)),
        ]);
        check::<Invocations>(&[
            (I::Id, Id),
            (I::Uuid, Unique(Uk::InvocationsUuid)),
            (I::FunctionId, Child(Fk::InvocationsFunctionId)),
        ]);
        check::<Repositories>(&[
            (R::Id, Id),
            (R::Uuid, Unique(Uk::RepositoriesUuid)),
            (R::Path, Unique(Uk::RepositoriesLivePath)),
            (R::ParentId, Child(Fk::RepositoriesParentId)),
        ]);
    }

    #[test]
    fn foreign_key_info_comes_from_the_catalog() {
        let info = fk_info(ForeignKey::FunctionsActiveDeploymentId);
        assert_eq!(info.child, Table::Functions);
        assert_eq!(info.parent, Table::FunctionDeployments);
        assert_eq!(info.target, Target::Id);
        assert_eq!(info.action, OnDelete::SetNull);
        let into_functions: Vec<ForeignKey> =
            incoming(Table::Functions).map(|info| info.fk).collect();
        assert_eq!(
            into_functions,
            [
                ForeignKey::DeploymentsFunctionId,
                ForeignKey::LogsFunctionId,
                ForeignKey::InvocationsFunctionId,
            ]
        );
    }

    /// `upsert_update` of a row stored from `old`, by `new` at a later time: the fields the
    /// catalog's update columns of `key` name are `new`'s (as an insert of `new` then would
    /// write them), every other field is kept. (The key's own columns are left out: the
    /// holder already has the input's values there.)
    fn check_upsert<T: TableDef>(
        key: UniqueKey,
        old: &T::New,
        new: &T::New,
        prep: impl Fn() -> T::Prep,
    ) {
        use containerpub_domain::Timestamp;
        let at = |micros| Timestamp::from_unix_micros("at", micros).expect("valid");
        let stored = T::build(old, prep(), 1, at(1_000_000)).expect("row");
        let inserted = T::build(new, prep(), 1, at(2_000_000)).expect("row");
        let updated = T::upsert_update(&stored, new, at(2_000_000));
        let updates: Vec<T::Field> = key
            .upsert_updates()
            .expect("an upsert target")
            .iter()
            .filter_map(|column| column.field::<T::Field>())
            .collect();
        let key_fields: Vec<T::Field> = key
            .columns()
            .iter()
            .filter_map(|column| column.field::<T::Field>())
            .collect();
        for field in <T::Field as Field>::ALL {
            if key_fields.contains(field) {
                continue;
            }
            let want = if updates.contains(field) {
                inserted.get(*field)
            } else {
                stored.get(*field)
            };
            assert_eq!(updated.get(*field), want, "{key}: {field:?}");
        }
    }

    #[test]
    fn upserts_update_the_catalog_s_columns_and_keep_the_others() {
        use containerpub_domain::{
            DeploymentStatus, DurationMs, Email, FunctionId, FunctionStatus, InvocationStatus,
            LogLevel, Name, NewDeployment, NewFunction, NewInvocation, NewLog, NewOrganization,
            NewOrganizationMember, NewRepository, NewUser, NewUserInformation, RepositoryPath,
            Role, Text, UserId, Uuid, Version,
        };
        let users = [
            NewUser::new(Email::parse("a@example.com").expect("valid")),
            NewUser::new(Email::parse("b@example.com").expect("valid")),
        ];
        for key in [UniqueKey::UsersUuid, UniqueKey::UsersEmail] {
            check_upsert::<Users>(key, &users[0], &users[1], || ());
        }
        let old = NewUserInformation::new(Uuid::from_u128(1));
        let mut new = NewUserInformation::new(Uuid::from_u128(2));
        new.role = Role::ALL[1];
        for key in [
            UniqueKey::UserInformationUuid,
            UniqueKey::UserInformationUserId,
        ] {
            check_upsert::<Profiles>(key, &old, &new, || ());
        }
        let name = |s: &str| Name::new("name", s).expect("valid");
        let old = NewOrganization::new(name("a"), Uuid::from_u128(1));
        let new = NewOrganization::new(name("b"), Uuid::from_u128(2));
        for key in [UniqueKey::OrganizationsUuid, UniqueKey::OrganizationsName] {
            check_upsert::<Organizations>(key, &old, &new, || ());
        }
        let member = |org, user| NewOrganizationMember {
            organization_uuid: Uuid::from_u128(org),
            user_uuid: Uuid::from_u128(user),
        };
        check_upsert::<Members>(
            UniqueKey::OrganizationMembersUserId,
            &member(1, 2),
            &member(3, 4),
            || (),
        );
        let old = NewFunction::new(UserId::new(1), name("a"));
        let mut new = NewFunction::new(UserId::new(2), name("b"));
        new.status = FunctionStatus::ALL[1];
        for key in [UniqueKey::FunctionsUuid, UniqueKey::FunctionsUserIdName] {
            check_upsert::<Functions>(key, &old, &new, || ());
        }
        let old = NewDeployment::new(FunctionId::new(1));
        let mut new = NewDeployment::new(FunctionId::new(2));
        new.status = DeploymentStatus::ALL[1];
        new.build_logs = Some(Text::new("build_logs", "built").expect("valid"));
        check_upsert::<Deployments>(UniqueKey::DeploymentsUuid, &old, &new, || Version::FIRST);
        let text = |s: &str| Text::new("message", s).expect("valid");
        let old = NewLog::new(FunctionId::new(1), LogLevel::ALL[0], text("a"));
        let new = NewLog::new(FunctionId::new(2), LogLevel::ALL[1], text("b"));
        check_upsert::<Logs>(UniqueKey::LogsUuid, &old, &new, || ());
        let duration = |ms| DurationMs::new(ms).expect("valid");
        let old = NewInvocation::new(FunctionId::new(1), InvocationStatus::ALL[0], duration(1));
        let mut new = NewInvocation::new(FunctionId::new(2), InvocationStatus::ALL[1], duration(2));
        new.error = Some(text("boom"));
        check_upsert::<Invocations>(UniqueKey::InvocationsUuid, &old, &new, || ());
        let path = |s: &str| NewRepository::new(RepositoryPath::parse(s).expect("valid"));
        for key in [UniqueKey::RepositoriesUuid, UniqueKey::RepositoriesLivePath] {
            check_upsert::<Repositories>(key, &path("a"), &path("b"), || None);
        }
    }
}
