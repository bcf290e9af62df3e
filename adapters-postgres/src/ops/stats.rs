//! The statistics of a function's invocations: one query counting per status and computing
//! the sum, the maximum and the percentiles of the durations since a timestamp.

use containerpub_domain::{
    DurationMs, Function, FunctionId, FunctionStats, InvocationStatus, Timestamp, mean,
};
use containerpub_ports::{Ref, StoreError, StoreResult};
use sea_orm::Value;

use crate::conn::PgConn;
use crate::crud::scalar;
use crate::error::Op;
use crate::handle::Handle;
use crate::ops::raw_statements::query_raw;

/// The statistics query over the function `$1` names (`WHERE` part below): whether it exists
/// and, in one pass over the `(function_id, "timestamp")` index range, its statistics.
/// A macro because it builds a `const &str` with `concat!` (a function cannot make one).
macro_rules! stats_query {
    ($function:literal) => {
        concat!(
            r#"WITH "f" AS (SELECT "id" FROM "functions" WHERE "#,
            $function,
            r#") SELECT (SELECT "id" FROM "f") AS "function_id", count(*) AS "total", count(*) FILTER (WHERE "status" = $3) AS "success", count(*) FILTER (WHERE "status" = $4) AS "error", count(*) FILTER (WHERE "status" = $5) AS "timeout", sum("duration_ms")::int8 AS "sum", max("duration_ms") AS "max", percentile_cont(0.5) WITHIN GROUP (ORDER BY "duration_ms") AS "p50", percentile_cont(0.95) WITHIN GROUP (ORDER BY "duration_ms") AS "p95", percentile_cont(0.99) WITHIN GROUP (ORDER BY "duration_ms") AS "p99" FROM "function_invocations" WHERE "function_id" = (SELECT "id" FROM "f") AND "timestamp" >= $2"#
        )
    };
}

/// [`stats_query`] of the function with id `$1`.
pub(crate) const STATS: &str = stats_query!(r#""id" = $1"#);
/// [`stats_query`] of the function with uuid `$1`.
pub(crate) const STATS_BY_UUID: &str = stats_query!(r#""uuid" = $1"#);

/// `stats`: counts per status, sum and max, continuous percentiles in SQL; the average is
/// `domain::mean(sum, total)`, computed here so both adapters agree to the last bit. `None`
/// when the function does not exist (its id comes back NULL).
pub(crate) async fn stats<C: PgConn>(
    h: &Handle<C>,
    function: Ref<Function>,
    since: Timestamp,
) -> StoreResult<Option<FunctionStats>> {
    let (sql, function) = match function {
        Ref::Id(id) => (STATS, Value::from(id.get())),
        Ref::Uuid(uuid) => (STATS_BY_UUID, Value::from(uuid)),
    };
    let values = vec![
        function,
        Value::from(since.naive_utc()),
        Value::from(InvocationStatus::Success.as_str()),
        Value::from(InvocationStatus::Error.as_str()),
        Value::from(InvocationStatus::Timeout.as_str()),
    ];
    let rows = query_raw(&h.conn, sql, values, Op::Read).await?;
    let row = rows
        .first()
        .ok_or_else(|| StoreError::internal("the statistics query returned no row"))?;
    let Some(function_id): Option<i32> = scalar(row, "function_id")? else {
        return Ok(None);
    };
    let count = |column: &str| -> StoreResult<u64> {
        let n: i64 = scalar(row, column)?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    let total = count("total")?;
    let sum: Option<i64> = scalar(row, "sum")?;
    let max: Option<i32> = scalar(row, "max")?;
    if let Some(max) = max {
        // Re-validate like any stored duration.
        DurationMs::new(max).map_err(|e| {
            StoreError::internal(format!("function_invocations.duration_ms: {}", e.rule))
        })?;
    }
    Ok(Some(FunctionStats {
        function_id: FunctionId::new(function_id),
        since,
        total,
        success: count("success")?,
        error: count("error")?,
        timeout: count("timeout")?,
        avg_duration_ms: mean(sum.unwrap_or(0), total),
        max_duration_ms: max,
        p50_duration_ms: scalar(row, "p50")?,
        p95_duration_ms: scalar(row, "p95")?,
        p99_duration_ms: scalar(row, "p99")?,
    }))
}
