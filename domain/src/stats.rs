//! Invocation statistics of a function ([`FunctionStats`]) and the maths both adapters share
//! for them: the mean and PostgreSQL's continuous percentile.

use crate::enums::InvocationStatus;
use crate::ids::FunctionId;
use crate::time::Timestamp;
use crate::values::DurationMs;

/// Invocation statistics of one function since a point in time.
///
/// Percentiles are continuous (linear interpolation between the two nearest ranks, as
/// PostgreSQL's `percentile_cont`); the average is `sum / total` in `f64`. All duration figures
/// are `None` when there were no invocations.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionStats {
    /// The function.
    pub function_id: FunctionId,
    /// The start of the window (inclusive).
    pub since: Timestamp,
    /// Number of invocations.
    pub total: u64,
    /// Successful ones.
    pub success: u64,
    /// Failed ones.
    pub error: u64,
    /// Timed-out ones.
    pub timeout: u64,
    /// Mean duration in ms.
    pub avg_duration_ms: Option<f64>,
    /// Longest duration in ms.
    pub max_duration_ms: Option<i32>,
    /// Median duration in ms.
    pub p50_duration_ms: Option<f64>,
    /// 95th percentile duration in ms.
    pub p95_duration_ms: Option<f64>,
    /// 99th percentile duration in ms.
    pub p99_duration_ms: Option<f64>,
}

impl FunctionStats {
    /// Computes the statistics from every invocation in the window (any order).
    #[must_use]
    pub fn compute(
        function_id: FunctionId,
        since: Timestamp,
        invocations: impl IntoIterator<Item = (InvocationStatus, DurationMs)>,
    ) -> Self {
        let mut durations = Vec::new();
        let (mut success, mut error, mut timeout) = (0, 0, 0);
        for (status, duration) in invocations {
            match status {
                InvocationStatus::Success => success += 1,
                InvocationStatus::Error => error += 1,
                InvocationStatus::Timeout => timeout += 1,
            }
            durations.push(duration.get());
        }
        durations.sort_unstable();
        let sum: i64 = durations.iter().map(|&d| i64::from(d)).sum();
        let total = durations.len() as u64;
        Self {
            function_id,
            since,
            total,
            success,
            error,
            timeout,
            avg_duration_ms: mean(sum, total),
            max_duration_ms: durations.last().copied(),
            p50_duration_ms: percentile_cont(&durations, 0.5),
            p95_duration_ms: percentile_cont(&durations, 0.95),
            p99_duration_ms: percentile_cont(&durations, 0.99),
        }
    }
}

/// `sum / count` as `f64`, `None` for no rows: the one definition of the average that every
/// adapter uses, so they agree to the last bit.
#[must_use]
#[allow(clippy::cast_precision_loss)]
pub fn mean(sum: i64, count: u64) -> Option<f64> {
    (count > 0).then(|| sum as f64 / count as f64)
}

/// Continuous percentile of sorted values, computed exactly as PostgreSQL's
/// `percentile_cont(fraction) WITHIN GROUP (ORDER BY …)` does in `float8`.
#[must_use]
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn percentile_cont(sorted: &[i32], fraction: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let row = fraction * (sorted.len() - 1) as f64;
    let first = row.floor();
    let second = row.ceil();
    let lo = f64::from(sorted[first as usize]);
    if first == second {
        return Some(lo);
    }
    let hi = f64::from(sorted[second as usize]);
    Some(lo + (hi - lo) * (row - first))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_postgres() {
        assert_eq!(percentile_cont(&[], 0.5), None);
        assert_eq!(percentile_cont(&[7], 0.99), Some(7.0));
        assert_eq!(percentile_cont(&[1, 2, 3, 4], 0.5), Some(2.5));
        // 0.95 * 9 = 8.55 -> 90 + (100 - 90) * 0.55
        let tens: Vec<i32> = (1..=10).map(|i| i * 10).collect();
        let p95 = percentile_cont(&tens, 0.95).expect("non-empty");
        assert!((p95 - 95.5).abs() < 1e-9, "{p95}");
        assert_eq!(percentile_cont(&tens, 0.0), Some(10.0));
        assert_eq!(percentile_cont(&tens, 1.0), Some(100.0));
    }

    #[test]
    fn stats_count_by_status() {
        let d = |ms| DurationMs::new(ms).expect("valid");
        let stats = FunctionStats::compute(
            FunctionId::new(1),
            Timestamp::MIN,
            [
                (InvocationStatus::Success, d(10)),
                (InvocationStatus::Error, d(30)),
                (InvocationStatus::Timeout, d(20)),
                (InvocationStatus::Success, d(40)),
            ],
        );
        assert_eq!(
            (stats.total, stats.success, stats.error, stats.timeout),
            (4, 2, 1, 1)
        );
        assert_eq!(stats.avg_duration_ms, Some(25.0));
        assert_eq!(stats.max_duration_ms, Some(40));
        assert_eq!(stats.p50_duration_ms, Some(25.0));
        let empty = FunctionStats::compute(FunctionId::new(1), Timestamp::MIN, []);
        assert_eq!(empty.total, 0);
        assert_eq!(empty.avg_duration_ms, None);
        assert_eq!(empty.p99_duration_ms, None);
    }
}
