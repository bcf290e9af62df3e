//! [`Reader`]: the generic reads of one entity's table.

use async_trait::async_trait;
use containerpub_domain::Page;

use crate::entity::Entity;
use crate::error::StoreResult;
use crate::query::grouping::{Group, GroupQuery};
use crate::query::projection::Row;
use crate::query::{Filter, KeysetRequest, PageRequest, Query, Sort, Window};

/// Reads one entity's table: by id, by query, in offset pages and keyset windows, as
/// projections and groups, and counts.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Reader<E: Entity>: Send + Sync {
    /// Finds the entity with this internal id.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn find_by_id(&self, id: E::Id) -> StoreResult<Option<E>>;

    /// The first row of `query` (its order; limit ignored, offset applied).
    ///
    /// # Errors
    /// `InvalidInput` for a filter operand of the wrong kind, a NULL operand, text with
    /// NUL, or an offset above `i64::MAX`.
    async fn find_one(&self, query: Query<E::Field>) -> StoreResult<Option<E>>;

    /// The rows matching `query.filter`, in `query.sort` order then by id, after
    /// skipping `query.offset`, at most `query.limit`.
    ///
    /// # Errors
    /// `InvalidInput` as for `find_one`, or a limit above `i64::MAX`, or (field
    /// `limit`) no limit while more than `MAX_UNLIMITED_ROWS` rows match.
    async fn find_all(&self, query: Query<E::Field>) -> StoreResult<Vec<E>>;

    /// One offset page: the rows of `page` in `sort` order (then by id) and the total.
    ///
    /// # Errors
    /// `InvalidInput` for a bad filter, `page` below 1, or `page_size` outside
    /// 1..=`MAX_PAGE_SIZE`.
    async fn find_page(
        &self,
        filter: Filter<E::Field>,
        sort: Vec<Sort<E::Field>>,
        page: PageRequest,
    ) -> StoreResult<Page<E>>;

    /// One keyset window: up to `window.limit` rows after `window.after`, in `sort`
    /// order then by id. Walking `next` cursors visits every matching row once, with
    /// no gaps or repeats, however deep.
    ///
    /// # Errors
    /// `InvalidInput` for a bad filter, a nullable sort field, `limit` outside
    /// 1..=`MAX_PAGE_SIZE`, or (field `cursor`) a cursor that is malformed or came
    /// from another query.
    async fn find_window(
        &self,
        filter: Filter<E::Field>,
        sort: Vec<Sort<E::Field>>,
        window: KeysetRequest,
    ) -> StoreResult<Window<E>>;

    /// Projection of `find_all`: for each row of `query`, the values of `fields`
    /// in list order (see [`crate::query::projection`]).
    ///
    /// # Errors
    /// As `find_all`; `InvalidInput` (field `fields`) for an empty field list.
    async fn select(&self, query: Query<E::Field>, fields: Vec<E::Field>) -> StoreResult<Vec<Row>>;

    /// Projection of `find_page`: the same page and total, each row as the values
    /// of `fields`.
    ///
    /// # Errors
    /// As `find_page`; `InvalidInput` (field `fields`) for an empty field list.
    async fn select_page(
        &self,
        filter: Filter<E::Field>,
        sort: Vec<Sort<E::Field>>,
        page: PageRequest,
        fields: Vec<E::Field>,
    ) -> StoreResult<Page<Row>>;

    /// Projection of `find_window`: the same rows and the same `next` cursor, each
    /// row as the values of `fields`.
    ///
    /// # Errors
    /// As `find_window`; `InvalidInput` (field `fields`) for an empty field list.
    async fn select_window(
        &self,
        filter: Filter<E::Field>,
        sort: Vec<Sort<E::Field>>,
        window: KeysetRequest,
        fields: Vec<E::Field>,
    ) -> StoreResult<Window<Row>>;

    /// Groups the rows matching `query.filter` by `query.by`: each group's key, row
    /// count and aggregates, in `query.order`, at most `query.limit` groups (see
    /// [`crate::query::grouping`]).
    ///
    /// # Errors
    /// `InvalidInput` for a bad filter, an aggregate of a non-integer field, or a
    /// limit above `i64::MAX`; `Internal` if a sum exceeds `i64`.
    async fn group_by(&self, query: GroupQuery<E::Field>) -> StoreResult<Vec<Group>>;

    /// How many rows match `filter`.
    ///
    /// # Errors
    /// `InvalidInput` for a bad filter.
    async fn count(&self, filter: Filter<E::Field>) -> StoreResult<u64>;

    /// Whether any row matches `filter`.
    ///
    /// # Errors
    /// `InvalidInput` for a bad filter.
    async fn exists(&self, filter: Filter<E::Field>) -> StoreResult<bool>;
}
