//! The generic operations every store has, written once over [`TableDef`]: reads (by id, by key,
//! one, all, offset pages, keyset windows, count, exists) and statements (insert, batch
//! insert, update, update where, delete, delete where, upsert), with the check order of
//! SEMANTICS.md.

use std::sync::Arc;

use containerpub_domain::{Page, Uuid};
use containerpub_ports::support::{Keyset, effective_sort};
use containerpub_ports::{
    BATCH_CHUNK_ROWS, Filter, KeysetRequest, Lookup, PageRequest, Query, Sort, StoreError,
    StoreResult, UniqueKey, Upserted, Window,
};

use crate::db::Db;
use crate::foreign_keys::{check_fks, delete_rows};
use crate::index::IndexKey;
use crate::rows::Scan;
use crate::sequences::Cx;
use crate::table::TableDef;

/// The rows as owned entities.
pub(crate) fn owned<R: Clone>(rows: Vec<Arc<R>>) -> Vec<R> {
    rows.into_iter().map(|row| R::clone(&row)).collect()
}

pub(crate) fn single<R>(rows: Vec<R>) -> StoreResult<R> {
    rows.into_iter()
        .next()
        .ok_or_else(|| StoreError::internal("a statement returned no row"))
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

/// The visible row with this id.
pub(crate) fn find_by_id<T: TableDef>(db: &Db, id: i64) -> Option<T::Row> {
    db.t::<T>().get_visible(id).map(|row| T::Row::clone(row))
}

/// The visible row holding `value` of a unique key.
pub(crate) fn find_by_key<T: TableDef>(
    db: &Db,
    key: UniqueKey,
    value: &IndexKey,
) -> Option<T::Row> {
    if let (Some(uuid_key), IndexKey::Uuid(uuid)) = (T::UUID_KEY, value)
        && key == uuid_key
    {
        return find_by_uuid::<T>(db, uuid);
    }
    let id = db.t::<T>().unique_get(key, value)?;
    find_by_id::<T>(db, id)
}

/// The visible row with this uuid (one index search).
pub(crate) fn find_by_uuid<T: TableDef>(db: &Db, uuid: &Uuid) -> Option<T::Row> {
    db.t::<T>()
        .get_by_uuid(uuid)
        .filter(|row| T::visible(row))
        .map(|row| T::Row::clone(row))
}

/// The visible rows matching `filter` in the effective order of `sort`, from `offset` on, at
/// most `take`.
fn select<T: TableDef>(
    db: &Db,
    filter: &Filter<T::Field>,
    sort: &[Sort<T::Field>],
    offset: u64,
    take: usize,
) -> Vec<Arc<T::Row>> {
    db.t::<T>().select(&Scan {
        filter,
        sort: &effective_sort(sort),
        after: None,
        skip: to_usize(offset),
        take,
    })
}

/// `find_all`.
pub(crate) fn find_all<T: TableDef>(
    db: &Db,
    query: &Query<T::Field>,
) -> StoreResult<Vec<Arc<T::Row>>> {
    query.validate()?;
    let take = to_usize(query.fetch_limit());
    let rows = select::<T>(db, &query.filter, &query.sort, query.offset, take);
    query.check_unlimited(rows.len())?;
    Ok(rows)
}

/// `find_one`: the first row of `find_all` with limit 1.
pub(crate) fn find_one<T: TableDef>(
    db: &Db,
    query: &Query<T::Field>,
) -> StoreResult<Option<T::Row>> {
    query.validate_ignoring_limit()?;
    let rows = select::<T>(db, &query.filter, &query.sort, query.offset, 1);
    Ok(rows.into_iter().next().map(|row| T::Row::clone(&row)))
}

/// `find_page`: the filter is checked first, then the page request.
pub(crate) fn find_page<T: TableDef>(
    db: &Db,
    filter: &Filter<T::Field>,
    sort: &[Sort<T::Field>],
    page: PageRequest,
) -> StoreResult<Page<T::Row>> {
    filter.validate()?;
    let offset = page.offset()?;
    let total = db.t::<T>().count(filter);
    let items = select::<T>(db, filter, sort, offset, to_usize(page.page_size));
    Ok(Page::new(owned(items), total, page.page, page.page_size))
}

/// The window `plan` asks for of the visible rows matching `filter`: `limit + 1` rows
/// strictly after its position, built by [`Keyset::window`].
fn select_window<T: TableDef>(
    db: &Db,
    filter: &Filter<T::Field>,
    plan: &Keyset<T::Field>,
) -> Window<T::Row> {
    let rows = db.t::<T>().select(&Scan {
        filter,
        sort: &plan.sort,
        after: plan.after.as_deref(),
        skip: 0,
        take: to_usize(plan.limit).saturating_add(1),
    });
    plan.window(owned(rows))
}

/// `find_window`: planned by [`Keyset::plan`], then [`select_window`].
pub(crate) fn find_window<T: TableDef>(
    db: &Db,
    filter: &Filter<T::Field>,
    sort: &[Sort<T::Field>],
    window: &KeysetRequest,
) -> StoreResult<Window<T::Row>> {
    let plan = Keyset::plan(filter, sort, window)?;
    Ok(select_window::<T>(db, filter, &plan))
}

/// `find_window` over the rows that also match `within`, a condition that is not part of
/// the query's shape: the cursor is planned (and fingerprinted) for `filter` alone, as the
/// PostgreSQL adapter plans a uuid-first read whose uuid a subquery resolves.
pub(crate) fn find_window_within<T: TableDef>(
    db: &Db,
    filter: &Filter<T::Field>,
    within: Filter<T::Field>,
    sort: &[Sort<T::Field>],
    window: &KeysetRequest,
) -> StoreResult<Window<T::Row>> {
    let plan = Keyset::plan(filter, sort, window)?;
    Ok(select_window::<T>(db, &filter.clone().and(within), &plan))
}

/// `count`.
pub(crate) fn count<T: TableDef>(db: &Db, filter: &Filter<T::Field>) -> StoreResult<u64> {
    filter.validate()?;
    Ok(db.t::<T>().count(filter))
}

/// `exists`.
pub(crate) fn exists<T: TableDef>(db: &Db, filter: &Filter<T::Field>) -> StoreResult<bool> {
    filter.validate()?;
    Ok(db.t::<T>().any(filter))
}

/// The ids of the visible rows matching `filter`, in id order.
fn matching_ids<T: TableDef>(db: &Db, filter: &Filter<T::Field>) -> Vec<i64> {
    let rows = select::<T>(db, filter, &[], 0, usize::MAX);
    rows.iter().map(|row| T::id(row)).collect()
}

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

/// Checks one new row (check constraints, then unique keys in order) and writes it, so the
/// rows after it in the same statement see it. The locks come first (the row if it exists,
/// its unique values): a value another transaction wrote and has not committed makes the
/// statement wait for it, then conflict or proceed, as a PostgreSQL unique index does.
fn insert_row<T: TableDef>(db: &mut Db, row: T::Row) -> StoreResult<Arc<T::Row>> {
    T::check(&row)?;
    db.lock_write::<T>(&row);
    db.check_blocked()?;
    if let Some(key) = db.t::<T>().unique_conflict(&row) {
        return Err(StoreError::Conflict { key });
    }
    let row = Arc::new(row);
    db.put_locked::<T>(Arc::clone(&row));
    Ok(row)
}

/// Tags a batch row's error with its index ([`StoreError::at_index`]: `InBatch`, or the
/// `InvalidInput`'s own index): `first` is the batch index of the statement's row 0 (`None`
/// outside a batch: errors stay untagged).
fn tag(first: Option<usize>, row: usize) -> impl FnOnce(StoreError) -> StoreError {
    move |err| match first {
        Some(first) => err.at_index(first + row),
        None => err,
    }
}

/// One INSERT statement: per row in order, the next sequence value, the row, its unique
/// keys; after all rows, their foreign keys in order (a duplicate key names the later row,
/// which meets the earlier one already written). A row failing its unique keys stops the
/// statement (the rows after it take no sequence value). `items` hold each row's index in
/// the batch starting at `first`.
fn insert_statement<T: TableDef>(
    db: &mut Db,
    cx: &Cx<'_>,
    items: Vec<(usize, &T::New, T::Prep)>,
    first: Option<usize>,
) -> StoreResult<Vec<Arc<T::Row>>> {
    let mut rows = Vec::with_capacity(items.len());
    let mut indexes = Vec::with_capacity(items.len());
    for (index, new, prep) in items {
        let id = cx.seq.next(T::TABLE)?;
        let row = T::build(new, prep, id, cx.now).map_err(tag(first, index))?;
        rows.push(insert_row::<T>(db, row).map_err(tag(first, index))?);
        indexes.push(index);
    }
    for (row, index) in rows.iter().zip(indexes) {
        check_fks::<T>(db, row).map_err(tag(first, index))?;
    }
    Ok(rows)
}

/// Inserts a batch: chunks of [`BATCH_CHUNK_ROWS`] rows per statement (one statement per row
/// for tables whose rows depend on the rows before them), each followed by the table's
/// follow-up statements for its rows (organizations: their owners' memberships). `batch`
/// tags errors with the row index ([`StoreError::at_index`]).
pub(crate) fn insert_batch<T: TableDef>(
    db: &mut Db,
    cx: &Cx<'_>,
    news: &[T::New],
    batch: bool,
) -> StoreResult<Vec<Arc<T::Row>>> {
    if batch {
        containerpub_ports::check_batch_len(news.len())?;
    }
    insert_batch_from::<T>(db, cx, news, batch.then_some(0))
}

/// [`insert_batch`] of rows that stand at indexes `first`, `first + 1`, … of a batch (`None`:
/// not a batch, errors stay untagged).
pub(crate) fn insert_batch_from<T: TableDef>(
    db: &mut Db,
    cx: &Cx<'_>,
    news: &[T::New],
    first: Option<usize>,
) -> StoreResult<Vec<Arc<T::Row>>> {
    if news.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(news.len());
    let chunk_rows = if T::ROW_BY_ROW { 1 } else { BATCH_CHUNK_ROWS };
    let mut rows = news.iter().enumerate().peekable();
    while rows.peek().is_some() {
        let start = out.len();
        let mut items = Vec::with_capacity(chunk_rows);
        for (index, new) in rows.by_ref().take(chunk_rows) {
            let prep = T::prepare(db, new).map_err(tag(first, index))?;
            items.push((index, new, prep));
        }
        out.extend(insert_statement::<T>(db, cx, items, first)?);
        T::after_insert(db, cx, &out[start..], first.map(|first| first + start))?;
    }
    Ok(out)
}

/// `insert`.
pub(crate) fn insert<T: TableDef>(
    db: &mut Db,
    cx: &Cx<'_>,
    new: &T::New,
) -> StoreResult<Arc<T::Row>> {
    single(insert_batch::<T>(db, cx, std::slice::from_ref(new), false)?)
}

/// One UPDATE statement over rows already computed: per row in order, check constraints and
/// unique keys (the row itself aside), written at once; after all rows, foreign keys.
pub(crate) fn update_statement<T: TableDef>(
    db: &mut Db,
    rows: Vec<T::Row>,
) -> StoreResult<Vec<Arc<T::Row>>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(insert_row::<T>(db, row)?);
    }
    for row in &out {
        check_fks::<T>(db, row)?;
    }
    Ok(out)
}

/// `update_by_id` for tables without a special rule.
pub(crate) fn update_by_id_generic<T: TableDef>(
    db: &mut Db,
    cx: &Cx<'_>,
    id: i64,
    patch: &T::Patch,
) -> StoreResult<Arc<T::Row>> {
    let row = db
        .t::<T>()
        .get_visible(id)
        .cloned()
        .ok_or(StoreError::not_found(T::TABLE, Lookup::Id))?;
    let updated = T::patch(&row, patch, cx.now)?;
    single(update_statement::<T>(db, vec![updated])?)
}

/// `update_where`: the filter is checked, then the patch; the matching rows are updated in
/// id order as one statement.
pub(crate) fn update_where<T: TableDef>(
    db: &mut Db,
    cx: &Cx<'_>,
    filter: &Filter<T::Field>,
    patch: &T::Patch,
) -> StoreResult<u64> {
    filter.validate()?;
    T::check_bulk_patch(patch)?;
    let ids = matching_ids::<T>(db, filter);
    let mut rows = Vec::with_capacity(ids.len());
    for id in &ids {
        if let Some(row) = db.t::<T>().get(*id) {
            rows.push(T::patch(row, patch, cx.now)?);
        }
    }
    update_statement::<T>(db, rows)?;
    Ok(ids.len() as u64)
}

/// `delete_by_id`.
pub(crate) fn delete_by_id<T: TableDef>(db: &mut Db, id: i64) -> StoreResult<()> {
    if db.t::<T>().get_visible(id).is_none() {
        return Err(StoreError::not_found(T::TABLE, Lookup::Id));
    }
    delete_rows(db, T::TABLE, vec![id])
}

/// `delete_where`: every matching (visible) row, with the `ON DELETE` actions; the count is
/// the rows matched.
pub(crate) fn delete_where<T: TableDef>(
    db: &mut Db,
    filter: &Filter<T::Field>,
) -> StoreResult<u64> {
    filter.validate()?;
    let ids = matching_ids::<T>(db, filter);
    let n = ids.len() as u64;
    delete_rows(db, T::TABLE, ids)?;
    Ok(n)
}

/// `upsert`: the pre-statement step, a sequence value (always), then the row holding the
/// input's value of `key` is updated (a soft-deleted holder is a `Conflict` on `key`: writes
/// never touch soft-deleted rows) or the input is inserted with the normal checks and
/// follow-up statements.
pub(crate) fn upsert<T: TableDef>(
    db: &mut Db,
    cx: &Cx<'_>,
    new: &T::New,
    key: UniqueKey,
) -> StoreResult<Upserted<Arc<T::Row>>> {
    let prep = match T::prepare(db, new) {
        Ok(prep) => prep,
        // The key's holder is looked for first (SEMANTICS.md, Upsert): without the function
        // or parent only the update branch can apply, on a live holder.
        Err(missing) => {
            let Some(existing) = T::new_unique_value(new, key)
                .and_then(|value| db.t::<T>().unique_get(key, &value))
                .and_then(|holder| db.t::<T>().get(holder).cloned())
                .filter(|row| T::visible(row))
            else {
                return Err(missing);
            };
            cx.seq.next(T::TABLE)?;
            let updated = T::upsert_update(&existing, new, cx.now);
            return Ok(Upserted::Updated(single(update_statement::<T>(
                db,
                vec![updated],
            )?)?));
        }
    };
    let id = cx.seq.next(T::TABLE)?;
    let candidate = T::build(new, prep, id, cx.now)?;
    let holder = T::unique_value(&candidate, key)
        .and_then(|value| db.t::<T>().unique_get(key, &value))
        .and_then(|holder| db.t::<T>().get(holder).cloned());
    match holder {
        Some(existing) => {
            if !T::visible(&existing) {
                return Err(StoreError::Conflict { key });
            }
            let updated = T::upsert_update(&existing, new, cx.now);
            Ok(Upserted::Updated(single(update_statement::<T>(
                db,
                vec![updated],
            )?)?))
        }
        None => {
            let row = insert_row::<T>(db, candidate)?;
            check_fks::<T>(db, &row)?;
            T::after_insert(db, cx, std::slice::from_ref(&row), None)?;
            Ok(Upserted::Inserted(row))
        }
    }
}

/// An upsert result as owned entities.
pub(crate) fn owned_upserted<R: Clone>(result: Upserted<Arc<R>>) -> Upserted<R> {
    match result {
        Upserted::Inserted(row) => Upserted::Inserted(R::clone(&row)),
        Upserted::Updated(row) => Upserted::Updated(R::clone(&row)),
    }
}
