//! [`Writer`]: the generic writes of one entity's table.

use async_trait::async_trait;

use crate::entity::Entity;
use crate::error::StoreResult;
use crate::find_or_insert::Found;
use crate::keys::Upserted;
use crate::query::Filter;

/// Writes one entity's table: inserts (one row or a batch), updates and deletes by id or
/// by filter, upserts and create-or-find on a unique key.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Writer<E: Entity>: Send + Sync {
    /// Inserts one entity and returns it as stored.
    ///
    /// # Errors
    /// `Conflict` naming the unique key already holding a value; `ReferenceMissing`
    /// naming the foreign key whose target does not exist; `InvalidInput` for a domain
    /// rule the input breaks.
    async fn insert(&self, new: E::New) -> StoreResult<E>;

    /// Inserts every row or none, returning them as stored, in input order.
    /// An empty batch returns an empty list.
    ///
    /// # Errors
    /// `InBatch { index, error }` naming the first row that fails, with the error
    /// `insert` would give for it (`Conflict`, `ReferenceMissing`); a duplicate key
    /// inside the batch is a `Conflict` of its later occurrence. `InvalidInput`
    /// carries the index of the first bad row; `InvalidInput` (field `rows`) for more
    /// than `MAX_BATCH_ROWS` rows.
    async fn insert_many(&self, rows: Vec<E::New>) -> StoreResult<Vec<E>>;

    /// Applies `patch` to the row with this id and returns it as stored.
    ///
    /// # Errors
    /// `NotFound` (`Lookup::Id`) if no such row; `Conflict`, `ReferenceMissing` and `InvalidInput` as
    /// for `insert`.
    async fn update_by_id(&self, id: E::Id, patch: E::Patch) -> StoreResult<E>;

    /// Applies `patch` to every row matching `filter`; returns how many changed.
    ///
    /// # Errors
    /// `InvalidInput` for a bad filter; `Conflict` and `ReferenceMissing` as for
    /// `update_by_id` (then no row changes).
    async fn update_where(&self, filter: Filter<E::Field>, patch: E::Patch) -> StoreResult<u64>;

    /// Deletes the row with this id, with the schema's `ON DELETE` actions.
    ///
    /// # Errors
    /// `NotFound` (`Lookup::Id`) if no such row; `StillReferenced` if an `ON DELETE RESTRICT` row
    /// references it (then nothing is deleted).
    async fn delete_by_id(&self, id: E::Id) -> StoreResult<()>;

    /// Deletes every row matching `filter`; returns how many.
    ///
    /// # Errors
    /// `InvalidInput` for a bad filter; `StillReferenced` as for `delete_by_id`.
    async fn delete_where(&self, filter: Filter<E::Field>) -> StoreResult<u64>;

    /// Inserts `new`, or, if a row already holds its value of `key`, updates that row
    /// from it; tells which happened.
    ///
    /// # Errors
    /// `Conflict` on a unique key other than `key`; `ReferenceMissing` and
    /// `InvalidInput` as for `insert`.
    async fn upsert(&self, new: E::New, key: E::Key) -> StoreResult<Upserted<E>>;

    /// Create-or-find: returns the row already holding the input's value of `key`,
    /// untouched (no statement writes, no sequence value is taken, `updated_at`
    /// keeps its value), or inserts `new` as `insert` does; tells which. Race-safe:
    /// of concurrent callers with one key value, one inserts and every other gets
    /// that row as `Existing` (a caller that lost the race to insert has taken a
    /// sequence value, as any attempted INSERT does).
    ///
    /// # Errors
    /// As `insert`, except a `Conflict` on `key` itself: `Conflict` on another
    /// unique key, `ReferenceMissing`, `InvalidInput`.
    async fn find_or_insert(&self, new: E::New, key: E::Key) -> StoreResult<Found<E>>;
}
