//! The raw SQL escape hatch: named `@parameters`, rows as [`RawRow`]s.
//!
//! # Parameters
//! `@name` (an ASCII letter or `_`, then letters, digits or `_`) is a parameter. The SQL is
//! rewritten to PostgreSQL's `$1, $2, …` (one number per distinct name, in order of first
//! appearance) and every value is bound, never spliced into the text. Left alone:
//! - string literals `'…'` (with `''` escapes) and escape strings `E'…'` (with `\'`),
//! - quoted identifiers `"…"` (with `""` escapes),
//! - comments `-- …` (to the end of the line, `\n` or `\r`) and `/* … */` (nested, as
//!   PostgreSQL allows),
//! - dollar-quoted strings `$$…$$` and `$tag$…$tag$` (tags as PostgreSQL reads them, with
//!   non-ASCII letters: `$é$…$é$`),
//! - `@` right after a letter, digit, `_`, `$` or non-ASCII character (`x@a` is the operator
//!   `@` between `x` and `a`),
//! - casts `::type` (`@id::int8` is a parameter followed by a cast),
//! - `@@` (the text-search operator) and `@` not followed by a name (`@>`, `<@ x`, `@ -1`).
//!
//! Plain `'…'` literals are read with `standard_conforming_strings = on` (backslashes are
//! ordinary characters), which the adapter sets on every session it opens, whatever the
//! server's or database's default (see `PgConfig`).
//!
//! Write operators ending in `@` with a space before a parameter (`tags <@ @wanted`): `<@x`
//! reads as `<` followed by the parameter `@x`. `$1`-style placeholders are refused (mixing
//! them with named parameters would be ambiguous).
//!
//! A `Value::Null` parameter is written into the SQL as the keyword `NULL` instead of a
//! placeholder: a bound NULL would have to be given a type (sea-query binds `text`), which
//! PostgreSQL then refuses in `int_col = @x`; the literal takes its type from the context,
//! exactly as an untyped parameter would. Every other value is a bound parameter.
//!
//! # Refused statements
//! Statements that would leave a pooled connection (or a transaction) in a state the stores
//! do not expect are refused before anything is sent, with `InvalidInput` (field `sql`):
//! transaction control (`BEGIN`, `START TRANSACTION`, `COMMIT`, `END`, `ROLLBACK`, `ABORT`,
//! `SAVEPOINT`, `RELEASE`, `PREPARE`, `COMMIT PREPARED`, …) and session state (`SET` other than
//! `SET LOCAL`, `RESET`, `DISCARD`, `LISTEN`, `UNLISTEN`, `LOAD`, `DEALLOCATE`, `DECLARE`,
//! `CREATE TEMP…`, and the functions `set_config` and `pg_advisory_lock` /
//! `pg_try_advisory_lock` (with `_shared`)). See [`guard`].
//!
//! Names that the SQL uses but `params` lacks, names in `params` the SQL never uses, a name
//! given twice, `$n` placeholders and unterminated quotes or comments are all
//! `StoreError::InvalidInput` with field `params`.

mod guard;
mod lex;
mod rewrite;
mod row;
mod value;

use containerpub_ports::{StoreResult, Value};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::error::{Op, map_db_err};

use rewrite::{Rewritten, rewrite};
pub use row::RawRow;
pub(crate) use row::raw_row;
pub use value::{FromRawValue, RawValue};

fn statement(sql: &str, params: &[(&str, Value)]) -> StoreResult<Statement> {
    guard::check(sql)?;
    let Rewritten { sql, values } = rewrite(sql, params)?;
    Ok(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        values,
    ))
}

/// Runs a raw query and reads every row.
pub(crate) async fn query<D: ConnectionTrait>(
    db: &D,
    sql: &str,
    params: &[(&str, Value)],
) -> StoreResult<Vec<RawRow>> {
    let stmt = statement(sql, params)?;
    let rows = db
        .query_all_raw(stmt)
        .await
        .map_err(|e| map_db_err(e, Op::Raw))?;
    rows.iter().map(raw_row).collect()
}

/// Runs a raw statement; returns the number of rows it affected.
pub(crate) async fn execute<D: ConnectionTrait>(
    db: &D,
    sql: &str,
    params: &[(&str, Value)],
) -> StoreResult<u64> {
    let stmt = statement(sql, params)?;
    db.execute_raw(stmt)
        .await
        .map(|r| r.rows_affected())
        .map_err(|e| map_db_err(e, Op::Raw))
}
