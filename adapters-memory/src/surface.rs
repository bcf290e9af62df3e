//! The generic store surface on [`Handle`], written once for every entity: one
//! `impl Reader<E>`, one `impl UuidReader<E>` and one `impl Writer<E>` over [`Mapped`], each
//! method a delegation to the generic CRUD code ([`crate::crud`]) run by [`Handle::read`] or
//! [`Handle::write`]. Entity-specific operations are hand-written in [`crate::roles`].

use containerpub_domain::{Page, Uuid};
use containerpub_ports::query::grouping::{Group, GroupQuery};
use containerpub_ports::query::projection::{self, Row};
use containerpub_ports::{
    Filter, Found, KeyFilter, KeysetRequest, PageRequest, Query, Reader, Sort, StoreResult,
    Upserted, UuidReader, Window, WithUuid, Writer, async_trait, find_or_insert_with,
};

use crate::crud;
use crate::handle::Handle;
use crate::mapped::Mapped;
use crate::table::TableDef;

#[async_trait]
impl<E: Mapped> Reader<E> for Handle {
    async fn find_by_id(&self, id: E::Id) -> StoreResult<Option<E>> {
        self.read(|db| Ok(crud::find_by_id::<E::Table>(db, E::raw_id(id))))
    }

    async fn find_one(&self, query: Query<E::Field>) -> StoreResult<Option<E>> {
        self.read(|db| crud::find_one::<E::Table>(db, &query))
    }

    async fn find_all(&self, query: Query<E::Field>) -> StoreResult<Vec<E>> {
        self.read(|db| crud::find_all::<E::Table>(db, &query).map(crud::owned))
    }

    async fn find_page(
        &self,
        filter: Filter<E::Field>,
        sort: Vec<Sort<E::Field>>,
        page: PageRequest,
    ) -> StoreResult<Page<E>> {
        self.read(|db| crud::find_page::<E::Table>(db, &filter, &sort, page))
    }

    async fn find_window(
        &self,
        filter: Filter<E::Field>,
        sort: Vec<Sort<E::Field>>,
        window: KeysetRequest,
    ) -> StoreResult<Window<E>> {
        self.read(|db| crud::find_window::<E::Table>(db, &filter, &sort, &window))
    }

    async fn select(&self, query: Query<E::Field>, fields: Vec<E::Field>) -> StoreResult<Vec<Row>> {
        self.usable()?;
        projection::validate_fields(&fields)?;
        let rows = Reader::<E>::find_all(self, query).await?;
        Ok(rows
            .iter()
            .map(|row| projection::project(row, &fields))
            .collect())
    }

    async fn select_page(
        &self,
        filter: Filter<E::Field>,
        sort: Vec<Sort<E::Field>>,
        page: PageRequest,
        fields: Vec<E::Field>,
    ) -> StoreResult<Page<Row>> {
        self.usable()?;
        projection::validate_fields(&fields)?;
        let page = Reader::<E>::find_page(self, filter, sort, page).await?;
        Ok(page.map(|row| projection::project(&row, &fields)))
    }

    async fn select_window(
        &self,
        filter: Filter<E::Field>,
        sort: Vec<Sort<E::Field>>,
        window: KeysetRequest,
        fields: Vec<E::Field>,
    ) -> StoreResult<Window<Row>> {
        self.usable()?;
        projection::validate_fields(&fields)?;
        let window = Reader::<E>::find_window(self, filter, sort, window).await?;
        Ok(window.map(|row| projection::project(&row, &fields)))
    }

    async fn group_by(&self, query: GroupQuery<E::Field>) -> StoreResult<Vec<Group>> {
        self.usable()?;
        query.validate()?;
        // Every matching row, however many: `find_all`'s cap on reads without a limit does
        // not apply to grouping (PostgreSQL groups on the server), hence the explicit limit.
        let all = Query::filter(query.filter.clone()).limit(i64::MAX as u64);
        let rows = Reader::<E>::find_all(self, all).await?;
        crate::ops::grouping::group(&rows, &query)
    }

    async fn count(&self, filter: Filter<E::Field>) -> StoreResult<u64> {
        self.read(|db| crud::count::<E::Table>(db, &filter))
    }

    async fn exists(&self, filter: Filter<E::Field>) -> StoreResult<bool> {
        self.read(|db| crud::exists::<E::Table>(db, &filter))
    }
}

#[async_trait]
impl<E: Mapped + WithUuid> UuidReader<E> for Handle {
    async fn find_by_uuid(&self, uuid: Uuid) -> StoreResult<Option<E>> {
        self.read_by_uuid::<E::Table>(&uuid)
    }
}

#[async_trait]
impl<E: Mapped> Writer<E> for Handle
where
    E::New: KeyFilter<Field = E::Field, Key = E::Key>,
{
    async fn insert(&self, new: E::New) -> StoreResult<E> {
        self.write(|db, cx| crud::insert::<E::Table>(db, cx, &new).map(|row| E::clone(&row)))
            .await
    }

    async fn insert_many(&self, rows: Vec<E::New>) -> StoreResult<Vec<E>> {
        if rows.is_empty() {
            self.usable()?;
            return Ok(Vec::new());
        }
        self.write(|db, cx| crud::insert_batch::<E::Table>(db, cx, &rows, true).map(crud::owned))
            .await
    }

    async fn update_by_id(&self, id: E::Id, patch: E::Patch) -> StoreResult<E> {
        self.write(|db, cx| {
            <E::Table as TableDef>::update_by_id(db, cx, E::raw_id(id), &patch)
                .map(|row| E::clone(&row))
        })
        .await
    }

    async fn update_where(&self, filter: Filter<E::Field>, patch: E::Patch) -> StoreResult<u64> {
        self.write(|db, cx| crud::update_where::<E::Table>(db, cx, &filter, &patch))
            .await
    }

    async fn delete_by_id(&self, id: E::Id) -> StoreResult<()> {
        self.write(|db, _| crud::delete_by_id::<E::Table>(db, E::raw_id(id)))
            .await
    }

    async fn delete_where(&self, filter: Filter<E::Field>) -> StoreResult<u64> {
        self.write(|db, _| crud::delete_where::<E::Table>(db, &filter))
            .await
    }

    async fn upsert(&self, new: E::New, key: E::Key) -> StoreResult<Upserted<E>> {
        let unique = <E::New as KeyFilter>::unique_key(key);
        self.write(|db, cx| {
            crud::upsert::<E::Table>(db, cx, &new, unique).map(crud::owned_upserted)
        })
        .await
    }

    async fn find_or_insert(&self, new: E::New, key: E::Key) -> StoreResult<Found<E>> {
        let filter = new.key_filter(key);
        let found = find_or_insert_with(
            <E::New as KeyFilter>::unique_key(key),
            || Reader::<E>::find_one(self, Query::filter(filter.clone())),
            self.write_isolated(|db, cx| {
                crud::insert::<E::Table>(db, cx, &new).map(|row| E::clone(&row))
            }),
        )
        .await;
        if let Err(err) = &found {
            self.poison(err);
        }
        found
    }
}
