//! Generic CRUD, written once over [`TableDef`] and generic over the connection, so the same
//! code runs on the pool and inside a transaction.
//!
//! Two layers: statement builders (pure, unit-tested without a server) and executors taking a
//! connection; the entry points at the bottom take a [`Handle`] and decide validation, the
//! clock reading and the transaction strategy of each call.

use containerpub_domain::Page;
use containerpub_domain::Timestamp;
use containerpub_ports::support::{Keyset, Record, effective_sort};
use containerpub_ports::{
    BATCH_CHUNK_ROWS, Field, Filter, KeysetRequest, Lookup, PageRequest, Query, Sort, StoreError,
    StoreResult, Upserted, Value, Window,
};
use sea_orm::sea_query::{
    DeleteStatement, Expr, ExprTrait, InsertStatement, OnConflict, Query as SqlQuery,
    ReturningClause, SelectStatement, UpdateStatement,
};
use sea_orm::{
    ConnectionTrait, EntityTrait, FromQueryResult, IdenStatic, Insert, Iterable, QueryResult,
    QueryTrait,
};

use crate::batch::{BatchResult, KeyRows, Steps, settle};
use crate::conn::{PgConn, atomic, guarded};
use crate::error::{Op, map_db_err};
use crate::handle::Handle;
use crate::reply::replied;
use crate::sql::{col, filter_expr, keyset_after, live, order_by, select_all, select_where};
use crate::table::TableDef;

// ---------------------------------------------------------------------------------------------
// Executors

/// Maps rows to domain entities.
pub(crate) fn to_domain<T: TableDef>(rows: Vec<QueryResult>) -> StoreResult<Vec<T::Domain>> {
    rows.iter().map(model_of::<T>).collect()
}

/// One row as a domain entity (columns without prefix).
pub(crate) fn model_of<T: TableDef>(row: &QueryResult) -> StoreResult<T::Domain> {
    prefixed_model_of::<T>(row, "")
}

/// One row as a domain entity, its columns named `{prefix}{column}`.
pub(crate) fn prefixed_model_of<T: TableDef>(
    row: &QueryResult,
    prefix: &str,
) -> StoreResult<T::Domain> {
    let model = T::Model::from_query_result(row, prefix)
        .map_err(|e| crate::unreadable::unreadable::<T>(row, prefix, &e))?;
    T::from_model(model)
}

/// Runs a query and maps every row.
pub(crate) async fn fetch_all<T: TableDef, D: ConnectionTrait>(
    db: &D,
    stmt: &SelectStatement,
) -> StoreResult<Vec<T::Domain>> {
    let rows = db
        .query_all(stmt)
        .await
        .map_err(|e| map_db_err(e, Op::Read))?;
    to_domain::<T>(rows)
}

/// Runs a query and maps its first row.
pub(crate) async fn fetch_opt<T: TableDef, D: ConnectionTrait>(
    db: &D,
    stmt: &SelectStatement,
) -> StoreResult<Option<T::Domain>> {
    let row = db
        .query_one(stmt)
        .await
        .map_err(|e| map_db_err(e, Op::Read))?;
    row.as_ref().map(model_of::<T>).transpose()
}

/// Runs a writing statement that returns rows, mapping each.
pub(crate) async fn write_returning<T: TableDef, D: ConnectionTrait, S>(
    db: &D,
    stmt: &S,
    op: Op,
) -> StoreResult<Vec<T::Domain>>
where
    S: sea_orm::StatementBuilder + Sync,
{
    let rows = db.query_all(stmt).await.map_err(|e| map_db_err(e, op))?;
    to_domain::<T>(rows)
}

/// Runs a statement and returns the number of rows it affected.
pub(crate) async fn execute<D: ConnectionTrait, S>(db: &D, stmt: &S, op: Op) -> StoreResult<u64>
where
    S: sea_orm::StatementBuilder + Sync,
{
    db.execute(stmt)
        .await
        .map(|r| r.rows_affected())
        .map_err(|e| map_db_err(e, op))
}

/// Reads one scalar column of the first row.
pub(crate) fn scalar<V: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> StoreResult<V> {
    row.try_get::<V>("", column)
        .map_err(|e| StoreError::internal(format!("cannot read column {column}: {e}")))
}

/// Sorts rows by id: the order a single INSERT statement consumed its sequence values in,
/// which is the input order.
pub(crate) fn by_id<T: TableDef>(mut rows: Vec<T::Domain>) -> Vec<T::Domain> {
    rows.sort_by_cached_key(|row| match row.get(T::Field::ID) {
        Value::Int(id) => id,
        _ => 0,
    });
    rows
}

// ---------------------------------------------------------------------------------------------
// Statement builders

/// `SELECT … WHERE id = $1` (live rows only where that applies).
pub(crate) fn select_by_id<T: TableDef>(id: T::Id) -> SelectStatement {
    let mut stmt = select_all::<T>();
    stmt.and_where(col::<T>(T::Field::ID).eq(T::id_value(id)));
    stmt
}

/// `SELECT … WHERE <filter> ORDER BY <effective sort> LIMIT … OFFSET …`.
pub(crate) fn select_query<T: TableDef>(query: &Query<T::Field>) -> SelectStatement {
    let mut stmt = select_where::<T>(&query.filter);
    order_by::<T>(&mut stmt, &effective_sort(&query.sort));
    // Without a limit: one row more than `MAX_UNLIMITED_ROWS`, to tell an oversized result.
    stmt.limit(query.fetch_limit());
    if query.offset > 0 {
        stmt.offset(query.offset);
    }
    stmt
}

/// `SELECT count(*) FROM … WHERE <filter>`.
pub(crate) fn select_count<T: TableDef>(filter: &Filter<T::Field>) -> SelectStatement {
    let mut stmt = select_where::<T>(filter);
    stmt.clear_selects();
    stmt.expr_as(Expr::cust("count(*)"), "count");
    stmt
}

/// `SELECT EXISTS (SELECT 1 FROM … WHERE <filter>)`.
pub(crate) fn select_exists<T: TableDef>(filter: &Filter<T::Field>) -> SelectStatement {
    let mut inner = select_where::<T>(filter);
    inner.clear_selects();
    inner.expr(Expr::cust("1"));
    let mut stmt = SqlQuery::select();
    stmt.expr_as(Expr::exists(inner), "exists");
    stmt
}

/// One keyset window's query: `limit + 1` rows strictly after the position.
pub(crate) fn select_window<T: TableDef>(
    filter: &Filter<T::Field>,
    plan: &Keyset<T::Field>,
) -> SelectStatement {
    let mut stmt = select_where::<T>(filter);
    if let Some(after) = &plan.after {
        stmt.and_where(keyset_after::<T>(&plan.sort, after));
    }
    order_by::<T>(&mut stmt, &plan.sort);
    stmt.limit(plan.limit.saturating_add(1));
    stmt
}

/// Every column of the table, by name. Statements never say `*`: PostgreSQL refuses to run
/// a prepared `RETURNING *` / `SELECT *` whose result gained a column (`0A000 cached plan must
/// not change result type`) on every warm pooled connection after an online `ADD COLUMN`.
fn every_column<T: TableDef>() -> impl Iterator<Item = <T::Entity as EntityTrait>::Column> {
    <<T::Entity as EntityTrait>::Column as Iterable>::iter()
}

/// `RETURNING <every column>`.
fn returning_every_column<T: TableDef>() -> ReturningClause {
    SqlQuery::returning().columns(every_column::<T>())
}

/// `INSERT INTO … (…) VALUES (…), … RETURNING <every column>` for rows the generic insert
/// writes.
pub(crate) fn insert_stmt<T: TableDef>(
    rows: impl IntoIterator<Item = T::ActiveModel>,
) -> InsertStatement {
    let mut stmt = Insert::many(rows).into_query();
    stmt.returning(returning_every_column::<T>());
    stmt
}

/// The upsert: `INSERT … ON CONFLICT (<key>) [WHERE deleted_at IS NULL] DO UPDATE SET
/// <other input columns> = EXCLUDED.… RETURNING <every column>, (xmax = 0) AS "inserted"` (`xmax` is 0
/// exactly for the row version an INSERT created).
pub(crate) fn upsert_stmt<T: TableDef>(row: T::ActiveModel, key: T::Key) -> InsertStatement {
    let target = T::upsert_target(key);
    let mut stmt = Insert::one(row).into_query();
    let mut on_conflict = OnConflict::columns(target.columns.iter().copied());
    on_conflict.update_columns(target.updates.iter().copied());
    if target.live_only
        && let Some(deleted_at) = T::deleted_at()
    {
        on_conflict.target_and_where(Expr::col(deleted_at).is_null());
    }
    stmt.on_conflict(on_conflict);
    let columns: Vec<String> = every_column::<T>()
        .map(|column| format!("\"{}\"", column.as_str()))
        .collect();
    stmt.returning(SqlQuery::returning().expr(Expr::cust(format!(
        r#"{}, (xmax = 0) AS "inserted""#,
        columns.join(", ")
    ))));
    stmt
}

/// `UPDATE … SET <patch>, updated_at = now WHERE …` (without the WHERE).
pub(crate) fn update_stmt<T: TableDef>(patch: T::Patch, now: Timestamp) -> UpdateStatement {
    let mut stmt = SqlQuery::update();
    stmt.table(T::Entity::default());
    let values = T::patch_values(patch);
    let empty = values.is_empty();
    for (column, value) in values {
        stmt.value(column, value);
    }
    if let Some(updated_at) = T::updated_at() {
        stmt.value(updated_at, now.naive_utc());
    } else if empty {
        // A table without a stamp and an empty patch: the row is still "updated".
        let id = T::column(T::Field::ID);
        stmt.value(id, Expr::col(id));
    }
    if let Some(live) = live::<T>() {
        stmt.and_where(live);
    }
    stmt
}

/// `DELETE FROM … WHERE …` (live rows only where that applies; without the WHERE).
pub(crate) fn delete_stmt<T: TableDef>() -> DeleteStatement {
    let mut stmt = SqlQuery::delete();
    stmt.from_table(T::Entity::default());
    if let Some(live) = live::<T>() {
        stmt.and_where(live);
    }
    stmt
}

// ---------------------------------------------------------------------------------------------
// Generic write steps (the default hooks of `TableDef`)

/// One INSERT per `BATCH_CHUNK_ROWS` rows, rows returned in input order; a key violation
/// names its row ([`Steps`]).
pub(crate) async fn insert_rows_generic<T: TableDef, D: PgConn>(
    db: &D,
    rows: Vec<T::New>,
    now: Timestamp,
) -> BatchResult<Vec<T::Domain>> {
    let mut out = Vec::with_capacity(rows.len());
    let mut steps = Steps::default();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<T::ActiveModel> = rows
            .by_ref()
            .take(BATCH_CHUNK_ROWS)
            .map(|new| T::new_row(new, now))
            .collect();
        let (first, len) = (out.len(), chunk.len());
        let keys = KeyRows::of_models::<T>(first, &chunk);
        let stmt = insert_stmt::<T>(chunk);
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
        out.extend(by_id::<T>(written));
    }
    Ok(out)
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

/// UPDATE … WHERE id = $1 RETURNING <every column>.
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
    let query = Query {
        filter,
        sort,
        limit: Some(page.page_size),
        offset,
    };
    let items = if offset < total {
        let mut stmt = select_query::<T>(&query);
        and_within(&mut stmt, within.as_ref());
        fetch_all::<T, _>(&h.conn, &stmt).await?
    } else {
        Vec::new()
    };
    Ok(Page::new(items, total, page.page, page.page_size))
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
        atomic!(&h.conn, |tx| T::insert_rows(tx, vec![new], now).await);
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
            atomic!(&h.conn, |tx| T::insert_rows(tx, rows, now).await)
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
        atomic!(&h.conn, |tx| T::upsert_row(tx, new, key, now).await)
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
        atomic!(&h.conn, |tx| T::update_row(tx, id, patch, now).await)
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

#[cfg(test)]
mod tests {
    use containerpub_domain::{
        Email, FunctionId, LogLevel, NewLog, NewUser, OrganizationPatch, Text, UserId, UserPatch,
    };
    use containerpub_ports::{FunctionField, KeysetRequest, LogField, UserField, UserKey};
    use sea_orm::sea_query::PostgresQueryBuilder;

    use super::*;
    use crate::table::{Functions, Logs, Organizations, Users};

    fn now() -> Timestamp {
        Timestamp::from_unix_micros("now", 1_700_000_000_000_000).expect("valid")
    }

    #[test]
    fn find_all_binds_limit_and_offset_after_the_filter() {
        let q = Query::filter(UserField::Email.starts_with("ada"))
            .order_by(UserField::CreatedAt.desc())
            .limit(5)
            .offset(10);
        let (s, v) = select_query::<Users>(&q).build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"SELECT "users"."id", "users"."uuid", "users"."email", "users"."password_hash", "users"."created_at", "users"."updated_at" FROM "users" WHERE "users"."email" COLLATE "C" LIKE $1 ESCAPE '\' ORDER BY "users"."created_at" DESC NULLS FIRST, "users"."id" ASC NULLS LAST LIMIT $2 OFFSET $3"#
        );
        assert_eq!(v.0.len(), 3);
    }

    #[test]
    fn count_and_exists() {
        let (s, _) = select_count::<Users>(&Filter::All).build(PostgresQueryBuilder);
        assert_eq!(s, r#"SELECT count(*) AS "count" FROM "users""#);
        let (s, _) = select_exists::<Functions>(&FunctionField::UserId.eq(UserId::new(3)))
            .build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"SELECT EXISTS(SELECT 1 FROM "functions" WHERE "functions"."user_id" = CAST($1 AS int8)) AS "exists""#
        );
    }

    #[test]
    fn windows_fetch_one_more_row_than_asked() {
        let filter = LogField::FunctionId.eq(FunctionId::new(1));
        let sort = vec![LogField::Timestamp.asc()];
        let plan = Keyset::plan(&filter, &sort, &KeysetRequest::first(50)).expect("valid");
        let (s, v) = select_window::<Logs>(&filter, &plan).build(PostgresQueryBuilder);
        assert!(s.ends_with(
            r#"WHERE "function_logs"."function_id" = CAST($1 AS int8) ORDER BY "function_logs"."timestamp" ASC NULLS LAST, "function_logs"."id" ASC NULLS LAST LIMIT $2"#
        ), "{s}");
        assert_eq!(v.0[1], sea_orm::Value::BigUnsigned(Some(51)));
    }

    #[test]
    fn inserts_set_every_input_column_and_the_stamps() {
        let new = NewUser::new(Email::parse("ada@example.com").expect("valid"));
        let uuid = new.uuid;
        let (s, v) = insert_stmt::<Users>([Users::new_row(new, now())]).build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"INSERT INTO "users" ("uuid", "email", "password_hash", "created_at", "updated_at") VALUES ($1, $2, $3, $4, $5) RETURNING "id", "uuid", "email", "password_hash", "created_at", "updated_at""#
        );
        assert_eq!(v.0[0], sea_orm::Value::Uuid(Some(uuid)));
        assert_eq!(
            v.0[3],
            sea_orm::Value::ChronoDateTime(Some(now().naive_utc()))
        );
    }

    #[test]
    fn every_chunk_fits_the_parameter_limit() {
        fn params<T: TableDef>(new: T::New) -> usize {
            let (_, v) = insert_stmt::<T>([T::new_row(new, now())]).build(PostgresQueryBuilder);
            v.0.len()
        }
        let widest = [
            params::<Users>(NewUser::new(Email::parse("a@b.c").expect("valid"))),
            params::<crate::table::Profiles>(containerpub_domain::NewUserInformation::new(
                uuid::Uuid::nil(),
            )),
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        assert_eq!(widest, 13);
        assert!(widest * BATCH_CHUNK_ROWS <= 65_535);
    }

    #[test]
    fn upserts_update_the_other_input_columns() {
        let new = NewUser::new(Email::parse("ada@example.com").expect("valid"));
        let (s, _) = upsert_stmt::<Users>(Users::new_row(new, now()), UserKey::Email)
            .build(PostgresQueryBuilder);
        assert!(
            s.ends_with(
                r#"ON CONFLICT ("email") DO UPDATE SET "password_hash" = "excluded"."password_hash", "updated_at" = "excluded"."updated_at" RETURNING "id", "uuid", "email", "password_hash", "created_at", "updated_at", (xmax = 0) AS "inserted""#
            ),
            "{s}"
        );
        let log = NewLog::new(
            FunctionId::new(1),
            LogLevel::Info,
            Text::new("m", "x").expect("valid"),
        );
        let (s, _) =
            upsert_stmt::<Logs>(Logs::new_row(log, now()), containerpub_ports::LogKey::Uuid)
                .build(PostgresQueryBuilder);
        assert!(s.contains(r#"ON CONFLICT ("uuid") DO UPDATE SET "level" = "excluded"."level", "message" = "excluded"."message", "timestamp" = "excluded"."timestamp""#), "{s}");
    }

    #[test]
    fn updates_stamp_and_keep_soft_deleted_rows_out() {
        let mut stmt = update_stmt::<Users>(
            UserPatch {
                password_hash: Some(None),
                ..UserPatch::default()
            },
            now(),
        );
        stmt.and_where(col::<Users>(UserField::Id).eq(1));
        let (s, _) = stmt.build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"UPDATE "users" SET "password_hash" = $1, "updated_at" = $2 WHERE "users"."id" = $3"#
        );
        let (s, _) = update_stmt::<Organizations>(OrganizationPatch::default(), now())
            .build(PostgresQueryBuilder);
        assert_eq!(s, r#"UPDATE "organizations" SET "updated_at" = $1"#);
        let (s, _) = update_stmt::<crate::table::Members>(
            containerpub_domain::OrganizationMemberPatch::default(),
            now(),
        )
        .build(PostgresQueryBuilder);
        assert_eq!(s, r#"UPDATE "organization_members" SET "id" = "id""#);
        let (s, _) = update_stmt::<crate::table::Repositories>(
            containerpub_domain::RepositoryPatch::default(),
            now(),
        )
        .build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"UPDATE "repositories" SET "updated_at" = $1 WHERE "repositories"."deleted_at" IS NULL"#
        );
        let (s, _) = delete_stmt::<crate::table::Repositories>().build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"DELETE FROM "repositories" WHERE "repositories"."deleted_at" IS NULL"#
        );
    }

    /// Every upsert target's conflict columns, live-rows restriction and update columns are
    /// the ports' catalog's for its unique key.
    #[test]
    fn upsert_targets_are_the_catalog_s() {
        use containerpub_ports::{
            DeploymentKey, FunctionKey, InvocationKey, LogKey, OrganizationKey,
            OrganizationMemberKey, Predicate, RepositoryKey, UniqueKey, UserInformationKey,
        };
        use sea_orm::IdenStatic;

        use crate::table::{Deployments, Invocations, Members, Profiles, Repositories};

        fn check<T: TableDef>(keys: &[(T::Key, UniqueKey)]) {
            let names = |columns: &[T::Column]| -> Vec<&'static str> {
                columns.iter().map(IdenStatic::as_str).collect()
            };
            for (key, unique) in keys {
                let target = T::upsert_target(*key);
                let catalog = |columns: &[containerpub_ports::Column]| -> Vec<&'static str> {
                    columns.iter().map(|c| c.name()).collect()
                };
                assert_eq!(names(target.columns), catalog(unique.columns()), "{unique}");
                assert_eq!(
                    names(target.updates),
                    catalog(unique.upsert_updates().expect("an upsert target")),
                    "{unique}"
                );
                assert_eq!(
                    target.live_only,
                    unique.predicate() == Some(Predicate::Live),
                    "{unique}"
                );
            }
        }
        check::<Users>(&[UserKey::Uuid, UserKey::Email].map(|k| (k, k.unique_key())));
        check::<Profiles>(
            &[UserInformationKey::Uuid, UserInformationKey::User].map(|k| (k, k.unique_key())),
        );
        check::<Organizations>(
            &[OrganizationKey::Uuid, OrganizationKey::Name].map(|k| (k, k.unique_key())),
        );
        check::<Members>(&[OrganizationMemberKey::User].map(|k| (k, k.unique_key())));
        check::<Functions>(
            &[FunctionKey::Uuid, FunctionKey::OwnerAndName].map(|k| (k, k.unique_key())),
        );
        check::<Deployments>(&[DeploymentKey::Uuid].map(|k| (k, k.unique_key())));
        check::<Logs>(&[LogKey::Uuid].map(|k| (k, k.unique_key())));
        check::<Invocations>(&[InvocationKey::Uuid].map(|k| (k, k.unique_key())));
        check::<Repositories>(
            &[RepositoryKey::Uuid, RepositoryKey::LivePath].map(|k| (k, k.unique_key())),
        );
    }
}
