//! The raw SQL escape hatch: named `@parameters`, rows as [`RawRow`]s.
//!
//! # Parameters
//! `@name` (an ASCII letter or `_`, then letters, digits or `_`) is a parameter. The SQL is
//! rewritten to PostgreSQL's `$1, $2, …` (one number per distinct name, in order of first
//! appearance) and every value is bound, never spliced into the text. Left alone:
//! - string literals `'…'` (with `''` escapes) and escape strings `E'…'` (with `\'`),
//! - quoted identifiers `"…"` (with `""` escapes),
//! - comments `-- …` and `/* … */` (nested, as PostgreSQL allows),
//! - dollar-quoted strings `$$…$$` and `$tag$…$tag$`,
//! - casts `::type` (`@id::int8` is a parameter followed by a cast),
//! - `@@` (the text-search operator) and `@` not followed by a name (`@>`, `<@ x`, `@ -1`).
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

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use containerpub_domain::{Rule, Timestamp, Uuid};
use containerpub_ports::{StoreError, StoreResult, Value};
use sea_orm::sea_query::Value as SqValue;
use sea_orm::sqlx::postgres::PgRow;
use sea_orm::sqlx::{Column, Row, TypeInfo, ValueRef};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement};

use crate::error::{Op, map_db_err};

fn bad_params(rule: &'static str) -> StoreError {
    StoreError::invalid("params", Rule::Format(rule))
}

/// SQL with `$n` placeholders and the values to bind, in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rewritten {
    /// The SQL text.
    pub(crate) sql: String,
    /// One value per `$n`.
    pub(crate) values: Vec<SqValue>,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Rewrites `@name` parameters to `$n` and orders the values to bind.
///
/// # Errors
/// `InvalidInput` (field `params`) as described in the module docs.
pub(crate) fn rewrite(sql: &str, params: &[(&str, Value)]) -> StoreResult<Rewritten> {
    let mut by_name: HashMap<&str, (usize, bool)> = HashMap::with_capacity(params.len());
    for (i, (name, _)) in params.iter().enumerate() {
        if by_name.insert(name, (i, false)).is_some() {
            return Err(bad_params("each parameter name given once"));
        }
    }
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    let mut values = Vec::new();
    let mut out = String::with_capacity(sql.len() + 8);
    let chars: Vec<(usize, char)> = sql.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let mut i = 0;
    while let Some(c) = at(i) {
        match c {
            '\'' => {
                // E'…' strings take backslash escapes.
                let escapes = i > 0
                    && matches!(at(i - 1), Some('e' | 'E'))
                    && !(i > 1 && at(i - 2).is_some_and(is_ident_char));
                let end = skip_quoted(&chars, i, '\'', escapes)
                    .ok_or_else(|| bad_params("SQL without an unterminated string literal"))?;
                push_span(&mut out, sql, &chars, i, end);
                i = end;
            }
            '"' => {
                let end = skip_quoted(&chars, i, '"', false)
                    .ok_or_else(|| bad_params("SQL without an unterminated quoted identifier"))?;
                push_span(&mut out, sql, &chars, i, end);
                i = end;
            }
            '-' if at(i + 1) == Some('-') => {
                let end = (i..chars.len())
                    .find(|&j| chars[j].1 == '\n')
                    .map_or(chars.len(), |j| j + 1);
                push_span(&mut out, sql, &chars, i, end);
                i = end;
            }
            '/' if at(i + 1) == Some('*') => {
                let end = skip_block_comment(&chars, i)
                    .ok_or_else(|| bad_params("SQL without an unterminated comment"))?;
                push_span(&mut out, sql, &chars, i, end);
                i = end;
            }
            '$' => {
                if at(i + 1).is_some_and(|c| c.is_ascii_digit())
                    && !(i > 0 && at(i - 1).is_some_and(is_ident_char))
                {
                    return Err(bad_params("named @parameters, not $n placeholders"));
                }
                match dollar_tag(&chars, i) {
                    Some(tag_end) if !(i > 0 && at(i - 1).is_some_and(is_ident_char)) => {
                        let tag: String = chars[i..tag_end].iter().map(|&(_, c)| c).collect();
                        let end = find_tag(&chars, tag_end, &tag).ok_or_else(|| {
                            bad_params("SQL without an unterminated dollar quote")
                        })?;
                        push_span(&mut out, sql, &chars, i, end);
                        i = end;
                    }
                    _ => {
                        out.push('$');
                        i += 1;
                    }
                }
            }
            '@' if at(i + 1) == Some('@') => {
                out.push_str("@@");
                i += 2;
            }
            '@' if at(i + 1).is_some_and(is_ident_start) => {
                let start = i + 1;
                let mut end = start;
                while at(end).is_some_and(is_ident_char) {
                    end += 1;
                }
                let name = span(sql, &chars, start, end);
                let Some((index, used)) = by_name.get_mut(name) else {
                    return Err(bad_params(
                        "a value in params for every @parameter of the SQL",
                    ));
                };
                *used = true;
                let value = &params[*index].1;
                if *value == Value::Null {
                    out.push_str("NULL");
                } else {
                    let next = numbers.len() + 1;
                    let n = *numbers.entry(name).or_insert_with(|| {
                        values.push(crate::sql::bind(value));
                        next
                    });
                    out.push('$');
                    out.push_str(&n.to_string());
                }
                i = end;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    if by_name.values().any(|(_, used)| !used) {
        return Err(bad_params("only parameters the SQL uses"));
    }
    Ok(Rewritten { sql: out, values })
}

fn byte_at(sql: &str, chars: &[(usize, char)], i: usize) -> usize {
    chars.get(i).map_or(sql.len(), |&(b, _)| b)
}

fn span<'a>(sql: &'a str, chars: &[(usize, char)], start: usize, end: usize) -> &'a str {
    &sql[byte_at(sql, chars, start)..byte_at(sql, chars, end)]
}

fn push_span(out: &mut String, sql: &str, chars: &[(usize, char)], start: usize, end: usize) {
    out.push_str(span(sql, chars, start, end));
}

/// The index after the closing quote of a quoted token starting at `start`.
fn skip_quoted(chars: &[(usize, char)], start: usize, quote: char, escapes: bool) -> Option<usize> {
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i].1;
        if escapes && c == '\\' {
            i += 2;
            continue;
        }
        if c == quote {
            if chars.get(i + 1).map(|&(_, c)| c) == Some(quote) {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// The index after a (nested) block comment starting at `start`.
fn skip_block_comment(chars: &[(usize, char)], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < chars.len() {
        let c = chars[i].1;
        let next = chars.get(i + 1).map(|&(_, c)| c);
        if c == '/' && next == Some('*') {
            depth += 1;
            i += 2;
        } else if c == '*' && next == Some('/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += 1;
        }
    }
    None
}

/// If a dollar-quote tag (`$$` or `$tag$`) starts at `start`, the index after it.
fn dollar_tag(chars: &[(usize, char)], start: usize) -> Option<usize> {
    let mut i = start + 1;
    if chars.get(i).is_some_and(|&(_, c)| is_ident_start(c)) {
        while chars.get(i).is_some_and(|&(_, c)| is_ident_char(c)) {
            i += 1;
        }
    }
    (chars.get(i).map(|&(_, c)| c) == Some('$')).then_some(i + 1)
}

/// The index after the closing `tag`, searching from `from`.
fn find_tag(chars: &[(usize, char)], from: usize, tag: &str) -> Option<usize> {
    let tag: Vec<char> = tag.chars().collect();
    (from..chars.len()).find_map(|i| {
        let fits = chars.len() - i >= tag.len()
            && chars[i..i + tag.len()]
                .iter()
                .map(|&(_, c)| c)
                .eq(tag.iter().copied());
        fits.then_some(i + tag.len())
    })
}

/// A value read by [`PgStore::raw_query`](crate::PgStore::raw_query).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RawValue {
    /// SQL NULL.
    Null,
    /// `boolean`
    Bool(bool),
    /// `smallint`, `integer`, `bigint`, `oid`
    Int(i64),
    /// `real`, `double precision`
    Float(f64),
    /// `text`, `varchar`, `char(n)`, `name`
    Text(String),
    /// `uuid`
    Uuid(Uuid),
    /// `timestamp` (without time zone: UTC by this schema's convention)
    Timestamp(NaiveDateTime),
    /// `timestamptz`
    TimestampTz(DateTime<Utc>),
    /// `date`
    Date(NaiveDate),
    /// `json`, `jsonb`
    Json(serde_json::Value),
    /// `bytea`
    Bytes(Vec<u8>),
}

impl RawValue {
    fn kind(&self) -> &'static str {
        match self {
            RawValue::Null => "NULL",
            RawValue::Bool(_) => "a boolean",
            RawValue::Int(_) => "an integer",
            RawValue::Float(_) => "a float",
            RawValue::Text(_) => "text",
            RawValue::Uuid(_) => "a uuid",
            RawValue::Timestamp(_) => "a timestamp",
            RawValue::TimestampTz(_) => "a timestamptz",
            RawValue::Date(_) => "a date",
            RawValue::Json(_) => "JSON",
            RawValue::Bytes(_) => "bytes",
        }
    }
}

/// Conversion of a [`RawValue`] into a Rust type, for [`RawRow::get`].
pub trait FromRawValue: Sized {
    /// The value as `Self`, or `None` if it has another type (or is NULL for a non-`Option`).
    fn from_raw(value: &RawValue) -> Option<Self>;
}

macro_rules! from_raw {
    ($($t:ty => |$v:ident| $e:expr),+ $(,)?) => {
        $(impl FromRawValue for $t {
            fn from_raw(value: &RawValue) -> Option<Self> {
                let $v = value;
                $e
            }
        })+
    };
}

from_raw!(
    bool => |v| match v { RawValue::Bool(b) => Some(*b), _ => None },
    i64 => |v| match v { RawValue::Int(i) => Some(*i), _ => None },
    i32 => |v| match v { RawValue::Int(i) => i32::try_from(*i).ok(), _ => None },
    f64 => |v| match v { RawValue::Float(f) => Some(*f), RawValue::Int(i) => Some(*i as f64), _ => None },
    String => |v| match v { RawValue::Text(s) => Some(s.clone()), _ => None },
    Uuid => |v| match v { RawValue::Uuid(u) => Some(*u), _ => None },
    NaiveDateTime => |v| match v { RawValue::Timestamp(t) => Some(*t), _ => None },
    DateTime<Utc> => |v| match v { RawValue::TimestampTz(t) => Some(*t), _ => None },
    Timestamp => |v| match v {
        RawValue::Timestamp(t) => Timestamp::from_naive_utc("timestamp", *t).ok(),
        RawValue::TimestampTz(t) => Timestamp::new(*t).ok(),
        _ => None,
    },
    NaiveDate => |v| match v { RawValue::Date(d) => Some(*d), _ => None },
    serde_json::Value => |v| match v { RawValue::Json(j) => Some(j.clone()), _ => None },
    Vec<u8> => |v| match v { RawValue::Bytes(b) => Some(b.clone()), _ => None },
    RawValue => |v| Some(v.clone()),
);

impl<T: FromRawValue> FromRawValue for Option<T> {
    fn from_raw(value: &RawValue) -> Option<Self> {
        match value {
            RawValue::Null => Some(None),
            other => T::from_raw(other).map(Some),
        }
    }
}

/// One row returned by the raw escape hatch: its columns, by name, in select order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawRow {
    columns: Vec<(String, RawValue)>,
}

impl RawRow {
    /// The columns, in select order (names may repeat).
    #[must_use]
    pub fn columns(&self) -> &[(String, RawValue)] {
        &self.columns
    }

    /// The value of the first column with this name.
    #[must_use]
    pub fn value(&self, name: &str) -> Option<&RawValue> {
        self.columns
            .iter()
            .find(|(column, _)| column == name)
            .map(|(_, value)| value)
    }

    /// Whether the column is NULL (`None` if there is no such column).
    #[must_use]
    pub fn is_null(&self, name: &str) -> Option<bool> {
        self.value(name).map(|v| *v == RawValue::Null)
    }

    /// The column as `T` (`Option<T>` for nullable columns): `i32`, `i64`, `f64`, `bool`,
    /// `String`, `Uuid`, `NaiveDateTime`, `Timestamp`, `DateTime<Utc>`, `NaiveDate`, JSON,
    /// bytes, or the [`RawValue`] itself.
    ///
    /// # Errors
    /// `Internal` naming the column if there is no such column or it holds another type (or
    /// NULL where `T` is not an `Option`).
    pub fn get<T: FromRawValue>(&self, name: &str) -> StoreResult<T> {
        let value = self
            .value(name)
            .ok_or_else(|| StoreError::internal(format!("raw row: no column {name}")))?;
        T::from_raw(value).ok_or_else(|| {
            StoreError::internal(format!(
                "raw row: column {name} holds {}, not {}",
                value.kind(),
                std::any::type_name::<T>()
            ))
        })
    }

    fn from_pg(row: &PgRow) -> StoreResult<Self> {
        let mut columns = Vec::with_capacity(row.columns().len());
        for column in row.columns() {
            let i = column.ordinal();
            let name = column.name().to_owned();
            let raw = row
                .try_get_raw(i)
                .map_err(|e| StoreError::internal(format!("raw row: column {name}: {e}")))?;
            if raw.is_null() || column.type_info().name() == "VOID" {
                columns.push((name, RawValue::Null));
                continue;
            }
            let type_name = column.type_info().name().to_owned();
            let fail = |e: sea_orm::sqlx::Error| {
                StoreError::internal(format!("raw row: column {name} ({type_name}): {e}"))
            };
            let value = match type_name.as_str() {
                "BOOL" => RawValue::Bool(row.try_get(i).map_err(fail)?),
                "INT2" => RawValue::Int(i64::from(row.try_get::<i16, _>(i).map_err(fail)?)),
                "INT4" => RawValue::Int(i64::from(row.try_get::<i32, _>(i).map_err(fail)?)),
                "INT8" => RawValue::Int(row.try_get(i).map_err(fail)?),
                "OID" => RawValue::Int(i64::from(
                    row.try_get::<sea_orm::sqlx::postgres::types::Oid, _>(i)
                        .map_err(fail)?
                        .0,
                )),
                "FLOAT4" => RawValue::Float(f64::from(row.try_get::<f32, _>(i).map_err(fail)?)),
                "FLOAT8" => RawValue::Float(row.try_get(i).map_err(fail)?),
                "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "CHAR" | "UNKNOWN" => {
                    RawValue::Text(row.try_get(i).map_err(fail)?)
                }
                "UUID" => RawValue::Uuid(row.try_get(i).map_err(fail)?),
                "TIMESTAMP" => RawValue::Timestamp(row.try_get(i).map_err(fail)?),
                "TIMESTAMPTZ" => RawValue::TimestampTz(row.try_get(i).map_err(fail)?),
                "DATE" => RawValue::Date(row.try_get(i).map_err(fail)?),
                "JSON" | "JSONB" => RawValue::Json(row.try_get(i).map_err(fail)?),
                "BYTEA" => RawValue::Bytes(row.try_get(i).map_err(fail)?),
                other => {
                    return Err(StoreError::internal(format!(
                        "raw row: column {name} has type {other}, which raw rows do not read; cast it in SQL (e.g. ::text)"
                    )));
                }
            };
            columns.push((name, value));
        }
        Ok(Self { columns })
    }
}

fn raw_row(row: &QueryResult) -> StoreResult<RawRow> {
    let pg = row
        .try_as_pg_row()
        .ok_or_else(|| StoreError::internal("raw row: not a PostgreSQL row"))?;
    RawRow::from_pg(pg)
}

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
        .map_err(|e| map_db_err(e, Op::Write))?;
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
        .map_err(|e| map_db_err(e, Op::Write))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(sql: &str, params: &[(&str, Value)]) -> (String, Vec<SqValue>) {
        let r = rewrite(sql, params).expect("valid");
        (r.sql, r.values)
    }

    fn err(sql: &str, params: &[(&str, Value)]) -> &'static str {
        match rewrite(sql, params) {
            Err(StoreError::InvalidInput(invalid)) => {
                assert_eq!(invalid.field, "params");
                match invalid.rule {
                    Rule::Format(what) => what,
                    other => panic!("unexpected rule {other:?}"),
                }
            }
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn names_become_numbered_placeholders_in_first_use_order() {
        let (sql, values) = ok(
            "SELECT * FROM users WHERE id = @user_id OR email = @email OR id = @user_id",
            &[
                ("email", Value::Text("a@b.c".into())),
                ("user_id", Value::Int(7)),
            ],
        );
        assert_eq!(
            sql,
            "SELECT * FROM users WHERE id = $1 OR email = $2 OR id = $1"
        );
        assert_eq!(
            values,
            vec![
                SqValue::BigInt(Some(7)),
                SqValue::String(Some("a@b.c".into()))
            ]
        );
    }

    #[test]
    fn casts_and_adjacent_punctuation() {
        let (sql, _) = ok(
            "SELECT @id::int4, (@id)+1, id=@id",
            &[("id", Value::Int(1))],
        );
        assert_eq!(sql, "SELECT $1::int4, ($1)+1, id=$1");
    }

    #[test]
    fn quoted_text_and_comments_are_left_alone() {
        let sql = r#"SELECT '@a', 'it''s @a', E'\'@a', "@a", "x""@a" -- @a
/* @a /* nested @a */ @a */ $$ @a $$, $tag$ @a $x$ @a $tag$, @a"#;
        let (out, values) = ok(sql, &[("a", Value::Bool(true))]);
        assert_eq!(
            out,
            r#"SELECT '@a', 'it''s @a', E'\'@a', "@a", "x""@a" -- @a
/* @a /* nested @a */ @a */ $$ @a $$, $tag$ @a $x$ @a $tag$, $1"#
        );
        assert_eq!(values, vec![SqValue::Bool(Some(true))]);
    }

    #[test]
    fn operators_with_at_signs_are_not_parameters() {
        let (sql, values) = ok(
            "SELECT to_tsvector(x) @@ q, a @> b, a <@ @b, @ -5, e'x'",
            &[("b", Value::Int(1))],
        );
        assert_eq!(
            sql,
            "SELECT to_tsvector(x) @@ q, a @> b, a <@ $1, @ -5, e'x'"
        );
        assert_eq!(values.len(), 1);
    }

    #[test]
    fn nulls_are_written_inline_and_other_values_bound() {
        let uuid = Uuid::from_u128(1);
        let (sql, values) = ok(
            "UPDATE t SET a = @a, b = @b, c = @c WHERE d = @d",
            &[
                ("a", Value::Null),
                ("b", Value::Uuid(uuid)),
                ("c", Value::Timestamp(Timestamp::MIN)),
                ("d", Value::Text("x".into())),
            ],
        );
        assert_eq!(sql, "UPDATE t SET a = NULL, b = $1, c = $2 WHERE d = $3");
        assert_eq!(values[0], SqValue::Uuid(Some(uuid)));
        assert_eq!(values.len(), 3);
    }

    #[test]
    fn unknown_missing_unused_and_duplicate_parameters_are_refused() {
        assert!(err("SELECT @a", &[]).contains("every @parameter"));
        assert!(err("SELECT 1", &[("a", Value::Int(1))]).contains("only parameters"));
        assert!(err("SELECT @a", &[("a", Value::Int(1)), ("a", Value::Int(2))]).contains("once"));
        assert!(err("SELECT $1", &[]).contains("not $n"));
        assert!(err("SELECT 'x", &[]).contains("string"));
        assert!(err(r#"SELECT "x"#, &[]).contains("identifier"));
        assert!(err("SELECT /* x", &[]).contains("comment"));
        assert!(err("SELECT $q$ x", &[]).contains("dollar"));
        // A parameter only inside a comment is unused.
        assert!(err("SELECT 1 -- @a", &[("a", Value::Int(1))]).contains("only parameters"));
    }

    #[test]
    fn dollar_signs_inside_identifiers_and_unicode_pass_through() {
        let (sql, _) = ok("SELECT a$1, 'é@x', @é", &[]);
        assert_eq!(sql, "SELECT a$1, 'é@x', @é");
        let (sql, _) = ok("SELECT 'ü', @ü_1", &[]);
        assert_eq!(sql, "SELECT 'ü', @ü_1");
    }

    #[test]
    fn raw_rows_read_by_name_and_type() {
        let row = RawRow {
            columns: vec![
                ("id".into(), RawValue::Int(5)),
                ("email".into(), RawValue::Text("a@b.c".into())),
                ("gone".into(), RawValue::Null),
            ],
        };
        assert_eq!(row.get::<i32>("id").expect("int"), 5);
        assert_eq!(row.get::<i64>("id").expect("int"), 5);
        assert_eq!(row.get::<String>("email").expect("text"), "a@b.c");
        assert_eq!(row.get::<Option<String>>("gone").expect("null"), None);
        assert_eq!(row.is_null("gone"), Some(true));
        assert!(row.get::<String>("gone").is_err());
        assert!(row.get::<bool>("id").is_err());
        assert!(row.get::<i32>("missing").is_err());
    }
}

#[cfg(test)]
mod fuzz;
mod guard;
