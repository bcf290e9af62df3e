//! The generic store surface on [`Handle<C>`], written once for every entity: one
//! `impl Reader<E>`, one `impl UuidReader<E>` and one `impl Writer<E>` over [`Mapped`], each
//! method a traced delegation to the generic code in [`crate::crud`] (or [`crate::ops`] for
//! projections, groupings and create-or-find). Reads run through [`routed`] (on a replica
//! when the handle has one, see [`crate::replica`]); writes through [`written`].
//!
//! ## From a port method to its SQL
//! A read such as `find_window` reaches its SQL statement in four files:
//! 1. `ports/src/stores/reader.rs`: the port method and its contract
//!    ([`containerpub_ports::Reader`]);
//! 2. this file: tracing and replica routing, then `crud::find_window::<E::Table, _>`;
//! 3. `crud.rs`: validation and the keyset plan, then the statement;
//! 4. `crud/statements.rs`: the statement (`select_window`), whose `WHERE` and `ORDER BY` are
//!    the typed filter and sort rendered by `sql.rs` (columns from `TableDef::column`, every
//!    value bound).
//!
//! The rows come back through `crud/fetch.rs` (`fetch_all`), mapped to the entity by the
//! table's `TableDef`.
//!
//! The table definitions themselves (columns, row mapping) are in `table.rs`; entity-specific
//! operations are hand-written in [`crate::roles`].

use async_trait::async_trait;
use containerpub_domain::{Page, Uuid};
use containerpub_ports::query::grouping::{Group, GroupQuery};
use containerpub_ports::query::projection::Row;
use containerpub_ports::{
    Filter, Found, KeyFilter, KeysetRequest, PageRequest, Query, Reader, Sort, StoreResult,
    Upserted, UuidReader, Window, WithUuid, Writer,
};

use crate::conn::PgConn;
use crate::crud;
use crate::handle::{Handle, written};
use crate::mapped::Mapped;
use crate::ops;
use crate::replica::{Routed, routed};
use crate::trace::traced;

#[async_trait]
impl<C: Routed, E: Mapped> Reader<E> for Handle<C> {
    async fn find_by_id(&self, id: E::Id) -> StoreResult<Option<E>> {
        let call = routed(self, id, async |h, id| {
            crud::find_by_id::<E::Table, C>(h, id).await
        });
        traced(&self.conn, "find_by_id", E::TABLE, call).await
    }

    async fn find_one(&self, query: Query<E::Field>) -> StoreResult<Option<E>> {
        let call = routed(self, query, async |h, query| {
            crud::find_one::<E::Table, C>(h, query).await
        });
        traced(&self.conn, "find_one", E::TABLE, call).await
    }

    async fn find_all(&self, query: Query<E::Field>) -> StoreResult<Vec<E>> {
        let call = routed(self, query, async |h, query| {
            crud::find_all::<E::Table, C>(h, query).await
        });
        traced(&self.conn, "find_all", E::TABLE, call).await
    }

    async fn find_page(
        &self,
        filter: Filter<E::Field>,
        sort: Vec<Sort<E::Field>>,
        page: PageRequest,
    ) -> StoreResult<Page<E>> {
        let call = routed(
            self,
            (filter, sort, page),
            async |h, (filter, sort, page)| {
                crud::find_page::<E::Table, C>(h, filter, sort, page).await
            },
        );
        traced(&self.conn, "find_page", E::TABLE, call).await
    }

    async fn find_window(
        &self,
        filter: Filter<E::Field>,
        sort: Vec<Sort<E::Field>>,
        window: KeysetRequest,
    ) -> StoreResult<Window<E>> {
        let call = routed(
            self,
            (filter, sort, window),
            async |h, (filter, sort, window)| {
                crud::find_window::<E::Table, C>(h, filter, sort, window).await
            },
        );
        traced(&self.conn, "find_window", E::TABLE, call).await
    }

    async fn select(&self, query: Query<E::Field>, fields: Vec<E::Field>) -> StoreResult<Vec<Row>> {
        let call = routed(self, (query, fields), async |h, (query, fields)| {
            ops::projection::select::<E::Table, C>(h, query, fields).await
        });
        traced(&self.conn, "select", E::TABLE, call).await
    }

    async fn select_page(
        &self,
        filter: Filter<E::Field>,
        sort: Vec<Sort<E::Field>>,
        page: PageRequest,
        fields: Vec<E::Field>,
    ) -> StoreResult<Page<Row>> {
        let call = routed(
            self,
            (filter, sort, page, fields),
            async |h, (filter, sort, page, fields)| {
                ops::projection::select_page::<E::Table, C>(h, filter, sort, page, fields).await
            },
        );
        traced(&self.conn, "select_page", E::TABLE, call).await
    }

    async fn select_window(
        &self,
        filter: Filter<E::Field>,
        sort: Vec<Sort<E::Field>>,
        window: KeysetRequest,
        fields: Vec<E::Field>,
    ) -> StoreResult<Window<Row>> {
        let call = routed(
            self,
            (filter, sort, window, fields),
            async |h, (filter, sort, window, fields)| {
                ops::projection::select_window::<E::Table, C>(h, filter, sort, window, fields).await
            },
        );
        traced(&self.conn, "select_window", E::TABLE, call).await
    }

    async fn group_by(&self, query: GroupQuery<E::Field>) -> StoreResult<Vec<Group>> {
        let call = routed(self, query, async |h, query| {
            ops::grouping::group_by::<E::Table, C>(h, query).await
        });
        traced(&self.conn, "group_by", E::TABLE, call).await
    }

    async fn count(&self, filter: Filter<E::Field>) -> StoreResult<u64> {
        let call = routed(self, filter, async |h, filter| {
            crud::count::<E::Table, C>(h, filter).await
        });
        traced(&self.conn, "count", E::TABLE, call).await
    }

    async fn exists(&self, filter: Filter<E::Field>) -> StoreResult<bool> {
        let call = routed(self, filter, async |h, filter| {
            crud::exists::<E::Table, C>(h, filter).await
        });
        traced(&self.conn, "exists", E::TABLE, call).await
    }
}

#[async_trait]
impl<C: Routed, E: Mapped + WithUuid> UuidReader<E> for Handle<C> {
    async fn find_by_uuid(&self, uuid: Uuid) -> StoreResult<Option<E>> {
        let call = routed(self, uuid, async |h, uuid| {
            crud::find_by_uuid::<E::Table, C>(h, uuid).await
        });
        traced(&self.conn, "find_by_uuid", E::TABLE, call).await
    }
}

#[async_trait]
impl<C: PgConn, E: Mapped> Writer<E> for Handle<C>
where
    E::New: KeyFilter<Field = E::Field, Key = E::Key>,
{
    async fn insert(&self, new: E::New) -> StoreResult<E> {
        let call = crud::insert::<E::Table, C>(self, new);
        written(self, "insert", E::TABLE, call).await
    }

    async fn insert_many(&self, rows: Vec<E::New>) -> StoreResult<Vec<E>> {
        let call = crud::insert_many::<E::Table, C>(self, rows);
        written(self, "insert_many", E::TABLE, call).await
    }

    async fn update_by_id(&self, id: E::Id, patch: E::Patch) -> StoreResult<E> {
        let call = crud::update_by_id::<E::Table, C>(self, id, patch);
        written(self, "update_by_id", E::TABLE, call).await
    }

    async fn update_where(&self, filter: Filter<E::Field>, patch: E::Patch) -> StoreResult<u64> {
        let call = crud::update_where::<E::Table, C>(self, filter, patch);
        written(self, "update_where", E::TABLE, call).await
    }

    async fn delete_by_id(&self, id: E::Id) -> StoreResult<()> {
        let call = crud::delete_by_id::<E::Table, C>(self, id);
        written(self, "delete_by_id", E::TABLE, call).await
    }

    async fn delete_where(&self, filter: Filter<E::Field>) -> StoreResult<u64> {
        let call = crud::delete_where::<E::Table, C>(self, filter);
        written(self, "delete_where", E::TABLE, call).await
    }

    async fn upsert(&self, new: E::New, key: E::Key) -> StoreResult<Upserted<E>> {
        let call = crud::upsert::<E::Table, C>(self, new, key);
        written(self, "upsert", E::TABLE, call).await
    }

    async fn find_or_insert(&self, new: E::New, key: E::Key) -> StoreResult<Found<E>> {
        let call = ops::find_or_insert::run::<E::Table, C>(self, new, key);
        written(self, "find_or_insert", E::TABLE, call).await
    }
}
