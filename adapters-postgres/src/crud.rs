//! Generic CRUD, written once over [`TableDef`] and generic over the connection, so the same
//! code runs on the pool and inside a transaction.
//!
//! The statement builders are in [`statements`] (pure, unit-tested without a server), the
//! executors taking a connection and decoding rows in [`fetch`]; this file holds the generic
//! write steps (the default hooks of `TableDef`) and the entry points, which take a
//! [`Handle`] and decide validation, the clock reading and the transaction strategy of each
//! call.

pub(crate) mod fetch;
pub(crate) mod statements;

use containerpub_domain::Page;
use containerpub_domain::Timestamp;
use containerpub_ports::support::{Keyset, effective_sort};
use containerpub_ports::{
    BATCH_CHUNK_ROWS, Field, Filter, KeysetRequest, Lookup, PageRequest, Query, Sort, StoreError,
    StoreResult, Upserted, Value, Window,
};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, InsertStatement, SelectStatement};

use crate::batch::{BatchResult, KeyRows, Steps, settle};
use crate::conn::{PgConn, atomic, guarded};
use crate::error::{Op, map_db_err};
use crate::handle::Handle;
use crate::reply::replied;
use crate::sql::{col, filter_expr, order_by, select_where};
use crate::table::TableDef;

pub(crate) use fetch::{
    by_id, execute, fetch_all, fetch_opt, model_of, prefixed_model_of, scalar, to_domain,
    write_returning,
};
pub(crate) use statements::{
    delete_stmt, insert_stmt, returning_every_column, select_by_id, select_count, select_exists,
    select_query, select_window, update_stmt, upsert_stmt,
};

// ---------------------------------------------------------------------------------------------
// Generic write steps (the default hooks of `TableDef`)

/// Splits a batch's rows into owned chunks of `BATCH_CHUNK_ROWS` rows, one a statement.
pub(crate) fn chunks<I: IntoIterator>(rows: I) -> impl Iterator<Item = Vec<I::Item>> {
    let mut rows = rows.into_iter().peekable();
    std::iter::from_fn(move || {
        rows.peek()?;
        Some(rows.by_ref().take(BATCH_CHUNK_ROWS).collect())
    })
}

/// One INSERT per `BATCH_CHUNK_ROWS` rows, rows returned in input order; a key violation
/// names its row ([`Steps`]).
pub(crate) async fn insert_rows_generic<T: TableDef, D: PgConn>(
    db: &D,
    rows: Vec<T::New>,
    now: Timestamp,
) -> BatchResult<Vec<T::Domain>> {
    let mut out = Vec::with_capacity(rows.len());
    let mut steps = Steps::default();
    for chunk in chunks(rows.into_iter().map(|new| T::new_row(new, now))) {
        let written = insert_chunk::<T, D>(db, &mut steps, out.len(), chunk).await?;
        out.extend(written);
    }
    Ok(out)
}

/// Writes `rows` (new rows of `T`, rows `first ..` of the batch) as one INSERT statement of
/// the batch `steps` runs, and returns the written rows in input order.
pub(crate) async fn insert_chunk<T: TableDef, D: PgConn>(
    db: &D,
    steps: &mut Steps,
    first: usize,
    rows: Vec<T::ActiveModel>,
) -> BatchResult<Vec<T::Domain>> {
    let len = rows.len();
    let keys = KeyRows::of_models::<T>(first, &rows);
    let stmt = insert_stmt::<T>(rows);
    let written = steps
        .run(
            db,
            T::TABLE,
            first,
            len,
            write_returning::<T, _, _>(db, &stmt, Op::Write),
            keys,
        )
        .await?;
    Ok(by_id::<T>(written))
}

/// Runs an upsert statement built by [`upsert_stmt`].
pub(crate) async fn run_upsert<T: TableDef, D: ConnectionTrait>(
    db: &D,
    stmt: &InsertStatement,
) -> StoreResult<Option<Upserted<T::Domain>>> {
    let row = db
        .query_one(stmt)
        .await
        .map_err(|e| map_db_err(e, Op::Write))?;
    let Some(row) = row else { return Ok(None) };
    let inserted: bool = scalar(&row, "inserted")?;
    let entity = model_of::<T>(&row)?;
    Ok(Some(if inserted {
        Upserted::Inserted(entity)
    } else {
        Upserted::Updated(entity)
    }))
}

/// INSERT … ON CONFLICT … DO UPDATE.
pub(crate) async fn upsert_generic<T: TableDef, D: PgConn>(
    db: &D,
    new: T::New,
    key: T::Key,
    now: Timestamp,
) -> StoreResult<Upserted<T::Domain>> {
    let stmt = upsert_stmt::<T>(T::new_row(new, now), key);
    run_upsert::<T, D>(db, &stmt)
        .await?
        .ok_or_else(|| StoreError::internal(format!("{}: the upsert returned no row", T::TABLE)))
}

/// `UPDATE … WHERE id = $1 RETURNING` every column.
pub(crate) async fn update_by_id_generic<T: TableDef, D: PgConn>(
    db: &D,
    id: T::Id,
    patch: T::Patch,
    now: Timestamp,
) -> StoreResult<T::Domain> {
    let mut stmt = update_stmt::<T>(patch, now);
    stmt.and_where(col::<T>(T::Field::ID).eq(T::id_value(id)));
    stmt.returning(returning_every_column::<T>());
    write_returning::<T, _, _>(db, &stmt, Op::Write)
        .await?
        .pop()
        .ok_or(StoreError::not_found(T::TABLE, Lookup::Id))
}

// ---------------------------------------------------------------------------------------------
// Entry points

/// `find_by_id`
pub(crate) async fn find_by_id<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    id: T::Id,
) -> StoreResult<Option<T::Domain>> {
    fetch_opt::<T, _>(&h.conn, &select_by_id::<T>(id)).await
}

/// `find_by_uuid`
pub(crate) async fn find_by_uuid<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    uuid: containerpub_domain::Uuid,
) -> StoreResult<Option<T::Domain>> {
    let Some(stmt) = crate::lookup::by_uuid::<T>(uuid) else {
        return Ok(None);
    };
    let row = h
        .conn
        .query_one_raw(stmt)
        .await
        .map_err(|e| map_db_err(e, Op::Read))?;
    row.as_ref().map(model_of::<T>).transpose()
}

/// Rows where one column equals a value (the domain finders: by email, name, path, user…).
pub(crate) async fn find_by_column<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    field: T::Field,
    value: Value,
) -> StoreResult<Option<T::Domain>> {
    find_one::<T, C>(h, Query::filter(Filter::eq(field, value))).await
}

/// `find_one`: the first row of `find_all` with limit 1 (offset applied).
pub(crate) async fn find_one<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    query: Query<T::Field>,
) -> StoreResult<Option<T::Domain>> {
    let query = Query {
        limit: Some(1),
        ..query
    };
    query.validate()?;
    fetch_opt::<T, _>(&h.conn, &select_query::<T>(&query)).await
}

/// `find_all`
pub(crate) async fn find_all<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    query: Query<T::Field>,
) -> StoreResult<Vec<T::Domain>> {
    query.validate()?;
    let rows = fetch_all::<T, _>(&h.conn, &select_query::<T>(&query)).await?;
    query.check_unlimited(rows.len())?;
    Ok(rows)
}

/// `find_page`: the total, then the page's rows.
pub(crate) async fn find_page<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    filter: Filter<T::Field>,
    sort: Vec<Sort<T::Field>>,
    page: PageRequest,
) -> StoreResult<Page<T::Domain>> {
    find_page_within::<T, C>(h, filter, None, sort, page).await
}

/// `find_page` with, besides the typed filter, a condition it cannot state (`within`: a
/// uuid resolved by a subquery, [`crate::reference`]) in both statements.
pub(crate) async fn find_page_within<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    filter: Filter<T::Field>,
    within: Option<Expr>,
    sort: Vec<Sort<T::Field>>,
    page: PageRequest,
) -> StoreResult<Page<T::Domain>> {
    filter.validate()?;
    let offset = page.offset()?;
    let mut count = select_count::<T>(&filter);
    and_within(&mut count, within.as_ref());
    let total = count_of(h, &count).await?;
    let items = match page_query(filter, sort, &page, offset, total) {
        Some(query) => {
            let mut stmt = select_query::<T>(&query);
            and_within(&mut stmt, within.as_ref());
            fetch_all::<T, _>(&h.conn, &stmt).await?
        }
        None => Vec::new(),
    };
    Ok(Page::new(items, total, page.page, page.page_size))
}

/// The query reading `page` (which starts at row `offset`) of the rows matching `filter` in
/// `sort` order; `None` when the page starts past the last of the `total` rows, so that
/// there is nothing to read.
pub(crate) fn page_query<F>(
    filter: Filter<F>,
    sort: Vec<Sort<F>>,
    page: &PageRequest,
    offset: u64,
    total: u64,
) -> Option<Query<F>> {
    (offset < total).then(|| Query {
        filter,
        sort,
        limit: Some(page.page_size),
        offset,
    })
}

/// `find_one` with a condition besides the typed filter (see [`find_page_within`]).
pub(crate) async fn find_one_within<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    query: Query<T::Field>,
    within: Option<Expr>,
) -> StoreResult<Option<T::Domain>> {
    let query = Query {
        limit: Some(1),
        ..query
    };
    query.validate()?;
    let mut stmt = select_query::<T>(&query);
    and_within(&mut stmt, within.as_ref());
    fetch_opt::<T, _>(&h.conn, &stmt).await
}

/// `find_window`: `limit + 1` rows after the cursor's position, then `Keyset::window`.
pub(crate) async fn find_window<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    filter: Filter<T::Field>,
    sort: Vec<Sort<T::Field>>,
    window: KeysetRequest,
) -> StoreResult<Window<T::Domain>> {
    find_window_within::<T, C>(h, filter, None, sort, window).await
}

/// `find_window` with a condition besides the typed filter (see [`find_page_within`]).
pub(crate) async fn find_window_within<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    filter: Filter<T::Field>,
    within: Option<Expr>,
    sort: Vec<Sort<T::Field>>,
    window: KeysetRequest,
) -> StoreResult<Window<T::Domain>> {
    let plan = Keyset::plan(&filter, &sort, &window)?;
    let mut stmt = select_window::<T>(&filter, &plan);
    and_within(&mut stmt, within.as_ref());
    let rows = fetch_all::<T, _>(&h.conn, &stmt).await?;
    Ok(plan.window(rows))
}

fn and_within(stmt: &mut SelectStatement, within: Option<&Expr>) {
    if let Some(condition) = within {
        stmt.and_where(condition.clone());
    }
}

async fn count_rows<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    filter: &Filter<T::Field>,
) -> StoreResult<u64> {
    count_of(h, &select_count::<T>(filter)).await
}

async fn count_of<C: PgConn>(h: &Handle<C>, stmt: &SelectStatement) -> StoreResult<u64> {
    let row = h
        .conn
        .query_one(stmt)
        .await
        .map_err(|e| map_db_err(e, Op::Read))?
        .ok_or_else(|| StoreError::internal("count(*) returned no row"))?;
    let count: i64 = scalar(&row, "count")?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// `count`
pub(crate) async fn count<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    filter: Filter<T::Field>,
) -> StoreResult<u64> {
    filter.validate()?;
    count_rows::<T, C>(h, &filter).await
}

/// `exists`
pub(crate) async fn exists<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    filter: Filter<T::Field>,
) -> StoreResult<bool> {
    filter.validate()?;
    let row = h
        .conn
        .query_one(&select_exists::<T>(&filter))
        .await
        .map_err(|e| map_db_err(e, Op::Read))?
        .ok_or_else(|| StoreError::internal("EXISTS returned no row"))?;
    scalar(&row, "exists")
}

/// `insert`
pub(crate) async fn insert<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    new: T::New,
) -> StoreResult<T::Domain> {
    insert_many::<T, C>(h, vec![new])
        .await
        // A single insert is not a batch: its errors carry no row index.
        .map_err(StoreError::without_index)?
        .pop()
        .ok_or_else(|| StoreError::internal(format!("{}: the insert returned no row", T::TABLE)))
}

/// `insert` run on its own: in a savepoint inside a caller's transaction (a transaction of its
/// own on the pool), so that its failure leaves the caller's transaction usable. For
/// `find_or_insert`, which reads the winner's row after losing a race on the key.
pub(crate) async fn insert_isolated<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    new: T::New,
) -> StoreResult<T::Domain> {
    let now = h.now();
    let written: BatchResult<Vec<T::Domain>> =
        atomic(&h.conn, async |tx| T::insert_rows(tx, vec![new], now).await).await;
    settle(&h.conn, written)
        .await
        .map_err(StoreError::without_index)?
        .pop()
        .ok_or_else(|| StoreError::internal(format!("{}: the insert returned no row", T::TABLE)))
}

/// `insert_many`: chunks of `BATCH_CHUNK_ROWS` rows, all in one transaction; a key
/// violation names its row (`InBatch`, see [`crate::batch`]).
pub(crate) async fn insert_many<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    rows: Vec<T::New>,
) -> StoreResult<Vec<T::Domain>> {
    containerpub_ports::check_batch_len(rows.len())?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let now = h.now();
    let written: BatchResult<Vec<T::Domain>> =
        if T::INSERT_NEEDS_TX || rows.len() > BATCH_CHUNK_ROWS {
            atomic(&h.conn, async |tx| T::insert_rows(tx, rows, now).await).await
        } else {
            replied!(&h.conn, rows: rows.len(), |c| T::insert_rows(c, rows, now).await)
        };
    settle(&h.conn, written).await
}

/// `upsert`
pub(crate) async fn upsert<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    new: T::New,
    key: T::Key,
) -> StoreResult<Upserted<T::Domain>> {
    let now = h.now();
    if T::UPSERT_NEEDS_TX {
        atomic(&h.conn, async |tx| T::upsert_row(tx, new, key, now).await).await
    } else {
        replied!(&h.conn, rows: 1, |c| T::upsert_row(c, new, key, now).await)
    }
}

/// `update_by_id`
pub(crate) async fn update_by_id<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    id: T::Id,
    patch: T::Patch,
) -> StoreResult<T::Domain> {
    let now = h.now();
    if T::update_needs_tx(&patch) {
        atomic(&h.conn, async |tx| T::update_row(tx, id, patch, now).await).await
    } else {
        replied!(&h.conn, rows: 1, |c| T::update_row(c, id, patch, now).await)
    }
}

/// `update_where`: one UPDATE; returns how many rows changed.
pub(crate) async fn update_where<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    filter: Filter<T::Field>,
    patch: T::Patch,
) -> StoreResult<u64> {
    filter.validate()?;
    T::check_where_patch(&patch)?;
    let mut stmt = update_stmt::<T>(patch, h.now());
    if !matches!(filter, Filter::All) {
        stmt.and_where(filter_expr::<T>(&filter));
    }
    guarded!(&h.conn, rows: 1, |c| execute(c, &stmt, Op::Write).await)
}

/// `delete_by_id`
pub(crate) async fn delete_by_id<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    id: T::Id,
) -> StoreResult<()> {
    let mut stmt = delete_stmt::<T>();
    stmt.and_where(col::<T>(T::Field::ID).eq(T::id_value(id)));
    let deleted = guarded!(&h.conn, rows: 1, |c| execute(c, &stmt, Op::Delete).await)?;
    if deleted == 0 {
        return Err(StoreError::not_found(T::TABLE, Lookup::Id));
    }
    Ok(())
}

/// `delete_where`
pub(crate) async fn delete_where<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    filter: Filter<T::Field>,
) -> StoreResult<u64> {
    filter.validate()?;
    let mut stmt = delete_stmt::<T>();
    if !matches!(filter, Filter::All) {
        stmt.and_where(filter_expr::<T>(&filter));
    }
    guarded!(&h.conn, rows: 1, |c| execute(c, &stmt, Op::Delete).await)
}

/// A select used by the domain queries: rows matching `filter` in `sort` order.
pub(crate) async fn select_sorted<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    filter: Filter<T::Field>,
    sort: &[Sort<T::Field>],
) -> StoreResult<Vec<T::Domain>> {
    let mut stmt = select_where::<T>(&filter);
    order_by::<T>(&mut stmt, &effective_sort(sort));
    fetch_all::<T, _>(&h.conn, &stmt).await
}
