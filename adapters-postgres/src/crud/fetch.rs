//! Running statements and decoding their rows: rows to domain entities through the table's
//! `TableDef`, the fetch and write executors over any connection, scalar columns and the
//! input order of inserted rows.

use containerpub_ports::support::Record;
use containerpub_ports::{Field, StoreError, StoreResult, Value};
use sea_orm::sea_query::SelectStatement;
use sea_orm::{ConnectionTrait, FromQueryResult, QueryResult};

use crate::error::{Op, map_db_err};
use crate::table::TableDef;

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
