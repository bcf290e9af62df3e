//! The [`TableDef`] trait: one table as the generic CRUD code sees it, with the write hooks
//! that multi-statement tables override, and the [`UpsertTarget`] of a key.

use std::future::Future;

use containerpub_domain::Timestamp;
use containerpub_ports::support::Record;
use containerpub_ports::{Field, StoreResult, Table, Upserted};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, EntityTrait, FromQueryResult, Value,
};

use crate::batch::BatchResult;
use crate::conn::PgConn;
use crate::crud;

/// The target of an upsert: the key's columns, and whether the key is a partial index
/// restricted to live rows (`WHERE deleted_at IS NULL`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct UpsertTarget<C: 'static> {
    /// The key's columns (the `ON CONFLICT` target).
    pub(crate) columns: &'static [C],
    /// The columns the update branch takes from the input (`EXCLUDED`).
    pub(crate) updates: &'static [C],
    /// The key is the partial index of live rows.
    pub(crate) live_only: bool,
}

/// One table, as the generic CRUD code sees it.
pub(crate) trait TableDef: Sized + Send + Sync + 'static {
    /// The SeaORM entity.
    type Entity: EntityTrait<Model = Self::Model, Column = Self::Column, ActiveModel = Self::ActiveModel>
        + Default;
    /// A row as read.
    type Model: FromQueryResult + Send + Sync + 'static;
    /// A row to write.
    type ActiveModel: ActiveModelTrait<Entity = Self::Entity>
        + ActiveModelBehavior
        + Send
        + Sync
        + 'static;
    /// The entity's columns.
    type Column: ColumnTrait + Copy + Send + Sync + 'static;
    /// The ports' field enum.
    type Field: Field;
    /// The domain entity.
    type Domain: Record<Field = Self::Field> + Send + Sync + 'static;
    /// The typed id.
    type Id: Copy + Send + Sync + 'static;
    /// The insert input.
    type New: Send + Sync + 'static;
    /// The update input.
    type Patch: Send + Sync + 'static;
    /// The upsert targets.
    type Key: Copy + Send + Sync + 'static;

    /// The table.
    const TABLE: Table;
    /// Inserts take more than one statement, so even one row runs in a transaction.
    const INSERT_NEEDS_TX: bool = false;
    /// Upserts take more than one statement.
    const UPSERT_NEEDS_TX: bool = false;

    /// The column of a field.
    fn column(field: Self::Field) -> Self::Column;
    /// The id as a bound value.
    fn id_value(id: Self::Id) -> Value;
    /// The `uuid` column, if the table has one.
    fn uuid_column() -> Option<Self::Column>;
    /// `updated_at`, stamped by every update, if the table has it.
    fn updated_at() -> Option<Self::Column>;
    /// `deleted_at`, for soft-deleting tables: statements then see and change live rows only
    /// (`deleted_at IS NULL`).
    fn deleted_at() -> Option<Self::Column> {
        None
    }
    /// A stored row as a domain entity, re-validated.
    ///
    /// # Errors
    /// `UnreadableRow` naming the table, row and column of a value the domain rejects.
    fn from_model(model: Self::Model) -> StoreResult<Self::Domain>;
    /// The row an input becomes (for tables written by the generic insert).
    fn new_row(new: Self::New, now: Timestamp) -> Self::ActiveModel;
    /// The column updates of a patch (without the `updated_at` stamp).
    fn patch_values(patch: Self::Patch) -> Vec<(Self::Column, Value)>;
    /// The upsert target of a key.
    fn upsert_target(key: Self::Key) -> UpsertTarget<Self::Column>;

    /// Checks a patch for `update_where` (repositories refuse paths there).
    ///
    /// # Errors
    /// `InvalidInput` for a patch `update_where` cannot apply.
    fn check_where_patch(_patch: &Self::Patch) -> StoreResult<()> {
        Ok(())
    }

    /// Whether `update_by_id` with this patch takes more than one statement.
    fn update_needs_tx(_patch: &Self::Patch) -> bool {
        false
    }

    /// Inserts a non-empty batch, in input order, in statements of `BATCH_CHUNK_ROWS` rows
    /// (run through [`crate::batch::Steps`], so that a key violation names its row). Runs
    /// inside a transaction when there is more than one statement.
    fn insert_rows<D: PgConn>(
        db: &D,
        rows: Vec<Self::New>,
        now: Timestamp,
    ) -> impl Future<Output = BatchResult<Vec<Self::Domain>>> + Send {
        crud::insert_rows_generic::<Self, D>(db, rows, now)
    }

    /// Inserts `new` or updates the row holding its key.
    fn upsert_row<D: PgConn>(
        db: &D,
        new: Self::New,
        key: Self::Key,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Upserted<Self::Domain>>> + Send {
        crud::upsert_generic::<Self, D>(db, new, key, now)
    }

    /// Applies a patch to the (live) row with this id.
    fn update_row<D: PgConn>(
        db: &D,
        id: Self::Id,
        patch: Self::Patch,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Self::Domain>> + Send {
        crud::update_by_id_generic::<Self, D>(db, id, patch, now)
    }
}
