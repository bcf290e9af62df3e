//! Invocation statistics: `FunctionStatsDto` (no Dart counterpart).

use chrono::{DateTime, Utc};
use containerpub_domain::FunctionStats;
use serde::Serialize;
use uuid::Uuid;

/// Invocation statistics of one function since a point in time: `{function_uuid?, since,
/// total, success, error, timeout, avg_duration_ms?, max_duration_ms?, p50_duration_ms?,
/// p95_duration_ms?, p99_duration_ms?}`. The duration keys are absent when there were no
/// invocations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionStatsDto {
    /// The function's uuid, only when the caller supplied it
    /// ([`FunctionStatsDto::for_function`]); otherwise the key is absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_uuid: Option<Uuid>,
    /// The start of the window (inclusive).
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub since: DateTime<Utc>,
    /// Number of invocations.
    pub total: u64,
    /// Successful ones.
    pub success: u64,
    /// Failed ones.
    pub error: u64,
    /// Timed-out ones.
    pub timeout: u64,
    /// Mean duration in ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avg_duration_ms: Option<f64>,
    /// Longest duration in ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_duration_ms: Option<i32>,
    /// Median duration in ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p50_duration_ms: Option<f64>,
    /// 95th percentile duration in ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p95_duration_ms: Option<f64>,
    /// 99th percentile duration in ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p99_duration_ms: Option<f64>,
}

impl FunctionStatsDto {
    /// Projects statistics and names the function by `function_uuid`; the caller vouches that
    /// it is the function the statistics are about.
    #[must_use]
    pub fn for_function(stats: &FunctionStats, function_uuid: Uuid) -> Self {
        Self {
            function_uuid: Some(function_uuid),
            ..Self::from(stats)
        }
    }
}

impl From<&FunctionStats> for FunctionStatsDto {
    /// Projects statistics without naming the function (they hold only its internal id).
    fn from(stats: &FunctionStats) -> Self {
        Self {
            function_uuid: None,
            since: stats.since.as_datetime(),
            total: stats.total,
            success: stats.success,
            error: stats.error,
            timeout: stats.timeout,
            avg_duration_ms: stats.avg_duration_ms,
            max_duration_ms: stats.max_duration_ms,
            p50_duration_ms: stats.p50_duration_ms,
            p95_duration_ms: stats.p95_duration_ms,
            p99_duration_ms: stats.p99_duration_ms,
        }
    }
}
