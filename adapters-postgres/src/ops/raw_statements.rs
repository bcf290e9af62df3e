//! Raw SQL statements with `$n` parameters (every value bound): building one, running it for
//! its rows or its affected-row count, and consuming a table's next sequence value.

use containerpub_ports::StoreResult;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

use crate::error::{Op, map_db_err};

/// A raw statement with `$n` parameters (every value bound).
pub(crate) fn statement(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

/// Runs a raw statement that returns rows.
pub(crate) async fn query_raw<D: ConnectionTrait>(
    db: &D,
    sql: &str,
    values: Vec<Value>,
    op: Op,
) -> StoreResult<Vec<QueryResult>> {
    db.query_all_raw(statement(sql, values))
        .await
        .map_err(|e| map_db_err(e, op))
}

/// Runs a raw statement and returns the number of rows it affected.
pub(crate) async fn execute_raw<D: ConnectionTrait>(
    db: &D,
    sql: &str,
    values: Vec<Value>,
    op: Op,
) -> StoreResult<u64> {
    db.execute_raw(statement(sql, values))
        .await
        .map(|r| r.rows_affected())
        .map_err(|e| map_db_err(e, op))
}

/// Takes (and so consumes) the next value of a table's id sequence: an upsert always takes
/// one, even on paths that update without running an INSERT.
pub(crate) async fn consume_sequence_value<D: ConnectionTrait>(
    db: &D,
    table: &str,
) -> StoreResult<()> {
    query_raw(
        db,
        "SELECT nextval(pg_get_serial_sequence($1, 'id'))",
        vec![Value::from(table.to_owned())],
        Op::Read,
    )
    .await
    .map(drop)
}
