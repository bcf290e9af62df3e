//! Logs and invocations: set-based batch inserts through `UNNEST` (one array parameter per
//! column, one statement per `BATCH_CHUNK_ROWS` rows, so no batch size reaches the
//! 65,535-parameter limit), written once for both tables ([`Event`]). The statistics query
//! is in [`crate::ops::stats`].
//!
//! sea-query cannot bind an array holding NULL elements, so the nullable `error` column of
//! invocations travels as a text array (empty where NULL) plus a boolean NULL mask.

use containerpub_domain::{Invocation, LogEntry, NewInvocation, NewLog, Timestamp};
use containerpub_ports::{BATCH_CHUNK_ROWS, InvocationField, LogField, StoreResult};
use sea_orm::Value;
use sea_orm::sea_query::ArrayType;

use crate::batch::{BatchResult, KeyRows, Steps, settle};
use crate::conn::{PgConn, atomic, guarded};
use crate::crud::chunks;
use crate::crud::{by_id, to_domain};
use crate::error::Op;
use crate::handle::Handle;
use crate::ops::raw_statements::{execute_raw, query_raw};
use crate::table::{Invocations, Logs, TableDef};

/// The log insert: five arrays, one row per element.
pub(crate) const APPEND_LOGS: &str = r#"INSERT INTO "function_logs" ("uuid", "function_id", "level", "message", "timestamp") SELECT * FROM UNNEST($1::uuid[], $2::int4[], $3::varchar[], $4::text[], $5::timestamp[])"#;

/// The log insert returning rows: `WITH ORDINALITY … ORDER BY` pins the insertion (and so the
/// id) order to the input order.
pub(crate) const INSERT_LOGS: &str = r#"INSERT INTO "function_logs" ("uuid", "function_id", "level", "message", "timestamp") SELECT u."uuid", u."function_id", u."level", u."message", u."timestamp" FROM UNNEST($1::uuid[], $2::int4[], $3::varchar[], $4::text[], $5::timestamp[]) WITH ORDINALITY AS u("uuid", "function_id", "level", "message", "timestamp", "ord") ORDER BY u."ord" RETURNING "id", "uuid", "function_id", "level", "message", "timestamp""#;

/// The invocation insert (the `error` column rebuilt from its NULL mask).
pub(crate) const APPEND_INVOCATIONS: &str = r#"INSERT INTO "function_invocations" ("uuid", "function_id", "status", "duration_ms", "error", "timestamp") SELECT u."uuid", u."function_id", u."status", u."duration_ms", CASE WHEN u."error_is_null" THEN NULL ELSE u."error" END, u."timestamp" FROM UNNEST($1::uuid[], $2::int4[], $3::varchar[], $4::int4[], $5::text[], $6::bool[], $7::timestamp[]) AS u("uuid", "function_id", "status", "duration_ms", "error", "error_is_null", "timestamp")"#;

/// The invocation insert returning rows, in input order.
pub(crate) const INSERT_INVOCATIONS: &str = r#"INSERT INTO "function_invocations" ("uuid", "function_id", "status", "duration_ms", "error", "timestamp") SELECT u."uuid", u."function_id", u."status", u."duration_ms", CASE WHEN u."error_is_null" THEN NULL ELSE u."error" END, u."timestamp" FROM UNNEST($1::uuid[], $2::int4[], $3::varchar[], $4::int4[], $5::text[], $6::bool[], $7::timestamp[]) WITH ORDINALITY AS u("uuid", "function_id", "status", "duration_ms", "error", "error_is_null", "timestamp", "ord") ORDER BY u."ord" RETURNING "id", "uuid", "function_id", "status", "duration_ms", "error", "timestamp""#;

fn array(ty: ArrayType, items: Vec<Value>) -> Value {
    Value::Array(ty, Some(Box::new(items)))
}

/// The column arrays of a chunk of logs.
pub(crate) fn log_arrays(
    chunk: impl ExactSizeIterator<Item = NewLog>,
    now: Timestamp,
) -> Vec<Value> {
    let n = chunk.len();
    let (mut uuids, mut functions, mut levels, mut messages, mut times) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for log in chunk {
        uuids.push(Value::Uuid(Some(log.uuid)));
        functions.push(Value::Int(Some(log.function_id.get())));
        levels.push(Value::String(Some(log.level.as_str().to_owned())));
        messages.push(Value::String(Some(log.message.into_inner())));
        times.push(Value::ChronoDateTime(Some(
            log.timestamp.unwrap_or(now).naive_utc(),
        )));
    }
    vec![
        array(ArrayType::Uuid, uuids),
        array(ArrayType::Int, functions),
        array(ArrayType::String, levels),
        array(ArrayType::String, messages),
        array(ArrayType::ChronoDateTime, times),
    ]
}

/// The column arrays of a chunk of invocations.
pub(crate) fn invocation_arrays(
    chunk: impl ExactSizeIterator<Item = NewInvocation>,
    now: Timestamp,
) -> Vec<Value> {
    let n = chunk.len();
    let (mut uuids, mut functions, mut statuses, mut durations) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut errors, mut error_nulls, mut times) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for inv in chunk {
        uuids.push(Value::Uuid(Some(inv.uuid)));
        functions.push(Value::Int(Some(inv.function_id.get())));
        statuses.push(Value::String(Some(inv.status.as_str().to_owned())));
        durations.push(Value::Int(Some(inv.duration_ms.get())));
        error_nulls.push(Value::Bool(Some(inv.error.is_none())));
        errors.push(Value::String(Some(
            inv.error.map(|e| e.into_inner()).unwrap_or_default(),
        )));
        times.push(Value::ChronoDateTime(Some(
            inv.timestamp.unwrap_or(now).naive_utc(),
        )));
    }
    vec![
        array(ArrayType::Uuid, uuids),
        array(ArrayType::Int, functions),
        array(ArrayType::String, statuses),
        array(ArrayType::Int, durations),
        array(ArrayType::String, errors),
        array(ArrayType::Bool, error_nulls),
        array(ArrayType::ChronoDateTime, times),
    ]
}

/// A log or invocation input: a row of an event table, written in chunks of `UNNEST` arrays.
trait Event: Send + Sync + Sized + 'static {
    /// The table written.
    type Table: TableDef<New = Self>;
    /// The chunk insert (`append`, `record_many`).
    const APPEND: &'static str;
    /// The chunk insert returning its rows in input order (`insert_many`).
    const INSERT: &'static str;
    /// The column arrays of a chunk.
    fn arrays(chunk: std::vec::IntoIter<Self>, now: Timestamp) -> Vec<Value>;
    /// The value of a key column (`uuid`, `function_id`), for [`KeyRows`].
    fn key_value(&self, field: <Self::Table as TableDef>::Field) -> Option<Value>;
}

impl Event for NewLog {
    type Table = Logs;
    const APPEND: &'static str = APPEND_LOGS;
    const INSERT: &'static str = INSERT_LOGS;
    fn arrays(chunk: std::vec::IntoIter<Self>, now: Timestamp) -> Vec<Value> {
        log_arrays(chunk, now)
    }
    fn key_value(&self, field: LogField) -> Option<Value> {
        match field {
            LogField::Uuid => Some(Value::Uuid(Some(self.uuid))),
            LogField::FunctionId => Some(Value::Int(Some(self.function_id.get()))),
            _ => None,
        }
    }
}

impl Event for NewInvocation {
    type Table = Invocations;
    const APPEND: &'static str = APPEND_INVOCATIONS;
    const INSERT: &'static str = INSERT_INVOCATIONS;
    fn arrays(chunk: std::vec::IntoIter<Self>, now: Timestamp) -> Vec<Value> {
        invocation_arrays(chunk, now)
    }
    fn key_value(&self, field: InvocationField) -> Option<Value> {
        match field {
            InvocationField::Uuid => Some(Value::Uuid(Some(self.uuid))),
            InvocationField::FunctionId => Some(Value::Int(Some(self.function_id.get()))),
            _ => None,
        }
    }
}

/// Runs `run` on the column arrays of every chunk as one statement of the batch ([`Steps`]:
/// a key violation names its row; each chunk's key values are kept for that while it runs).
async fn write_chunks<D: PgConn, E: Event, R, F, Fut>(
    db: &D,
    rows: Vec<E>,
    now: Timestamp,
    run: F,
) -> BatchResult<Vec<R>>
where
    F: Fn(Vec<Value>) -> Fut,
    Fut: std::future::Future<Output = StoreResult<R>>,
{
    let mut steps = Steps::default();
    let mut out = Vec::new();
    let mut first = 0;
    for chunk in chunks(rows) {
        let keys = KeyRows::new::<E::Table, _>(first, &chunk, E::key_value, |_| true);
        let len = chunk.len();
        let written = steps
            .run(
                db,
                E::Table::TABLE,
                first,
                len,
                run(E::arrays(chunk.into_iter(), now)),
                keys,
            )
            .await?;
        out.push(written);
        first += len;
    }
    Ok(out)
}

/// `append` and `record_many`: all or nothing, one `UNNEST` statement per chunk (in a
/// transaction when there is more than one), returning the row count.
async fn write_all<C: PgConn, E: Event>(h: &Handle<C>, rows: Vec<E>) -> StoreResult<u64> {
    containerpub_ports::check_batch_len(rows.len())?;
    if rows.is_empty() {
        return Ok(0);
    }
    let now = h.now();
    let written = if rows.len() > BATCH_CHUNK_ROWS {
        atomic(&h.conn, async |tx| write_counted(tx, rows, now).await).await
    } else {
        guarded!(&h.conn, rows: rows.len(), |c| write_counted(c, rows, now).await)
    };
    settle(&h.conn, written).await
}

/// Writes every chunk with `E::APPEND`, returning the total row count.
async fn write_counted<D: PgConn, E: Event>(
    db: &D,
    rows: Vec<E>,
    now: Timestamp,
) -> BatchResult<u64> {
    let counts = write_chunks(db, rows, now, |values| {
        execute_raw(db, E::APPEND, values, Op::Write)
    })
    .await?;
    Ok(counts.into_iter().sum())
}

/// The `insert_rows` hook of an event table: `UNNEST … RETURNING <every column>`, rows in
/// input order.
async fn insert_rows<D: PgConn, E: Event>(
    db: &D,
    rows: Vec<E>,
    now: Timestamp,
) -> BatchResult<Vec<<E::Table as TableDef>::Domain>> {
    let n = rows.len();
    let chunks = write_chunks(db, rows, now, |values| async move {
        let rows = query_raw(db, E::INSERT, values, Op::Write).await?;
        to_domain::<E::Table>(rows)
    })
    .await?;
    let mut out = Vec::with_capacity(n);
    for chunk in chunks {
        out.extend(by_id::<E::Table>(chunk));
    }
    Ok(out)
}

/// `append`: [`write_all`] of logs.
pub(crate) async fn append<C: PgConn>(h: &Handle<C>, logs: Vec<NewLog>) -> StoreResult<u64> {
    write_all(h, logs).await
}

/// `record_many`: [`write_all`] of invocations.
pub(crate) async fn record_many<C: PgConn>(
    h: &Handle<C>,
    invocations: Vec<NewInvocation>,
) -> StoreResult<u64> {
    write_all(h, invocations).await
}

/// The `insert_rows` hook of logs ([`insert_rows`]).
pub(crate) async fn insert_log_rows<D: PgConn>(
    db: &D,
    rows: Vec<NewLog>,
    now: Timestamp,
) -> BatchResult<Vec<LogEntry>> {
    insert_rows(db, rows, now).await
}

/// The `insert_rows` hook of invocations ([`insert_rows`]).
pub(crate) async fn insert_invocation_rows<D: PgConn>(
    db: &D,
    rows: Vec<NewInvocation>,
    now: Timestamp,
) -> BatchResult<Vec<Invocation>> {
    insert_rows(db, rows, now).await
}

#[cfg(test)]
mod tests {
    use containerpub_domain::{DurationMs, FunctionId, InvocationStatus, LogLevel, Text};

    use super::*;

    #[test]
    fn arrays_hold_one_element_per_row_and_no_nulls() {
        let now = Timestamp::MIN;
        let logs = vec![
            NewLog::new(
                FunctionId::new(1),
                LogLevel::Warn,
                Text::new("message", "a").expect("valid"),
            ),
            NewLog::new(
                FunctionId::new(2),
                LogLevel::Info,
                Text::new("message", "b").expect("valid"),
            ),
        ];
        let arrays = log_arrays(logs.into_iter(), now);
        assert_eq!(arrays.len(), 5);
        for a in &arrays {
            let items = a.as_ref_array().expect("array");
            assert_eq!(items.len(), 2);
            assert!(items.iter().all(Value::is_some));
        }
        let mut inv = NewInvocation::new(
            FunctionId::new(1),
            InvocationStatus::Error,
            DurationMs::new(5).expect("valid"),
        );
        inv.error = Some(Text::new("error", "boom").expect("valid"));
        let ok = NewInvocation::new(
            FunctionId::new(1),
            InvocationStatus::Success,
            DurationMs::new(1).expect("valid"),
        );
        let arrays = invocation_arrays(vec![inv, ok].into_iter(), now);
        assert_eq!(
            arrays[4].as_ref_array().expect("array"),
            &vec![Value::from("boom"), Value::from("")]
        );
        assert_eq!(
            arrays[5].as_ref_array().expect("array"),
            &vec![Value::from(false), Value::from(true)]
        );
    }

    #[test]
    fn batches_split_into_chunks() {
        let sizes: Vec<usize> = chunks((0..12_001).collect::<Vec<_>>())
            .map(|c| c.len())
            .collect();
        assert_eq!(sizes, vec![5_000, 5_000, 2_001]);
        assert_eq!(chunks(Vec::<u8>::new()).count(), 0);
    }
}
