//! Projections (`select`, `select_page`, `select_window`): the statements of `find_all`,
//! `find_page` and `find_window` with their select list replaced by the chosen columns
//! (aliased `p0`, `p1`, …), each read back as a [`Value`] of its field's kind.

use std::sync::Arc;

use containerpub_domain::{Page, Timestamp, Uuid};
use containerpub_ports::query::projection::{PartialRow, Row, validate_fields, window_columns};
use containerpub_ports::support::Keyset;
use containerpub_ports::{
    Field, Filter, KeysetRequest, PageRequest, Query, Sort, StoreError, StoreResult, Value,
    ValueKind, Window,
};
use sea_orm::sea_query::SelectStatement;
use sea_orm::{ConnectionTrait, QueryResult};

use crate::conn::PgConn;
use crate::crud::{count, page_query, select_query, select_window as window_stmt};
use crate::error::{Op, map_db_err};
use crate::handle::Handle;
use crate::sql::col;
use crate::table::TableDef;

/// Replaces the select list by `columns`, aliased `p0`, `p1`, ….
fn with_columns<T: TableDef>(mut stmt: SelectStatement, columns: &[T::Field]) -> SelectStatement {
    stmt.clear_selects();
    for (i, field) in columns.iter().enumerate() {
        stmt.expr_as(col::<T>(*field), format!("p{i}"));
    }
    stmt
}

fn read_err(column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::internal(format!("cannot read projected column {column}: {e}"))
}

/// The value of one projected column, by its field's kind (NULL as [`Value::Null`]).
pub(crate) fn value_of<F: Field>(row: &QueryResult, i: usize, field: F) -> StoreResult<Value> {
    let alias = format!("p{i}");
    let alias = alias.as_str();
    let value = match field.kind() {
        ValueKind::Bool => row
            .try_get::<Option<bool>>("", alias)
            .map_err(|e| read_err(field.column(), e))?
            .map(Value::Bool),
        ValueKind::Int => match row.try_get::<Option<i32>>("", alias) {
            Ok(v) => v.map(|v| Value::Int(i64::from(v))),
            Err(_) => row
                .try_get::<Option<i64>>("", alias)
                .map_err(|e| read_err(field.column(), e))?
                .map(Value::Int),
        },
        ValueKind::Text => row
            .try_get::<Option<String>>("", alias)
            .map_err(|e| read_err(field.column(), e))?
            .map(Value::Text),
        ValueKind::Uuid => row
            .try_get::<Option<Uuid>>("", alias)
            .map_err(|e| read_err(field.column(), e))?
            .map(Value::Uuid),
        ValueKind::Timestamp => match row
            .try_get::<Option<containerpub_domain::chrono::NaiveDateTime>>("", alias)
            .map_err(|e| read_err(field.column(), e))?
        {
            Some(at) => Some(Value::Timestamp(
                Timestamp::from_naive_utc(field.column(), at)
                    .map_err(|e| read_err(field.column(), e))?,
            )),
            None => None,
        },
    };
    Ok(value.unwrap_or(Value::Null))
}

async fn fetch<T: TableDef, D: ConnectionTrait>(
    db: &D,
    stmt: &SelectStatement,
    columns: &[T::Field],
) -> StoreResult<Vec<Row>> {
    let rows = db
        .query_all(stmt)
        .await
        .map_err(|e| map_db_err(e, Op::Read))?;
    rows.iter()
        .map(|row| {
            columns
                .iter()
                .enumerate()
                .map(|(i, f)| value_of(row, i, *f))
                .collect()
        })
        .collect()
}

/// `select`
pub(crate) async fn select<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    query: Query<T::Field>,
    fields: Vec<T::Field>,
) -> StoreResult<Vec<Row>> {
    validate_fields(&fields)?;
    query.validate()?;
    let stmt = with_columns::<T>(select_query::<T>(&query), &fields);
    let rows = fetch::<T, _>(&h.conn, &stmt, &fields).await?;
    // As `find_all`: without a limit, more than MAX_UNLIMITED_ROWS matching rows is refused
    // (the statement fetched one row past the cap to tell), never silently cut.
    query.check_unlimited(rows.len())?;
    Ok(rows)
}

/// `select_page`: the total, then the page's rows (as `find_page`).
pub(crate) async fn select_page<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    filter: Filter<T::Field>,
    sort: Vec<Sort<T::Field>>,
    page: PageRequest,
    fields: Vec<T::Field>,
) -> StoreResult<Page<Row>> {
    validate_fields(&fields)?;
    filter.validate()?;
    let offset = page.offset()?;
    let total = count::<T, C>(h, filter.clone()).await?;
    let items = match page_query(filter, sort, &page, offset, total) {
        Some(query) => {
            let stmt = with_columns::<T>(select_query::<T>(&query), &fields);
            fetch::<T, _>(&h.conn, &stmt, &fields).await?
        }
        None => Vec::new(),
    };
    Ok(Page::new(items, total, page.page, page.page_size))
}

/// `select_window`: the requested columns and the sort keys, `limit + 1` rows after the
/// cursor's position, then `Keyset::window` (the same cursor as `find_window`'s).
pub(crate) async fn select_window<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    filter: Filter<T::Field>,
    sort: Vec<Sort<T::Field>>,
    window: KeysetRequest,
    fields: Vec<T::Field>,
) -> StoreResult<Window<Row>> {
    validate_fields(&fields)?;
    let plan = Keyset::plan(&filter, &sort, &window)?;
    let columns: Arc<[T::Field]> = window_columns(&fields, &plan.sort).into();
    let stmt = with_columns::<T>(window_stmt::<T>(&filter, &plan), &columns);
    let rows = fetch::<T, _>(&h.conn, &stmt, &columns)
        .await?
        .into_iter()
        .map(|values| PartialRow::new(Arc::clone(&columns), values, fields.len()))
        .collect();
    Ok(plan.window(rows).map(PartialRow::into_row))
}
