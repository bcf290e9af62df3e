//! Statements prepared before an online schema change.
//!
//! sqlx keeps every statement prepared on a pooled connection. After `ALTER TABLE … ADD
//! COLUMN`, PostgreSQL refuses to run such a statement again if its result columns changed
//! (`0A000 cached plan must not change result type`), for as long as the connection lives.
//! The adapter's own statements name their columns, so only raw SQL (`SELECT *`) can meet
//! it. When it does, the error is `Unavailable` (retrying succeeds) and the moment is
//! recorded here; from then on the pool discards, as it hands them out, the connections
//! opened before that moment (their cached statements may be stale), and opens fresh ones.
//! The record is process-wide: a schema change concerns every pool on that database, and
//! discarding a connection of another database costs one reconnect.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The message PostgreSQL gives with `0A000` when a cached plan's result type changed.
pub(crate) const STALE_PLAN: &str = "cached plan must not change result type";

/// The instant the other readings count from.
fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

/// Microseconds after [`base`] of the last stale plan seen, plus one (0: none seen).
static SEEN_AT: AtomicU64 = AtomicU64::new(0);

fn micros_since_base(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(base()).as_micros()).unwrap_or(u64::MAX)
}

/// A statement was refused with [`STALE_PLAN`]: connections opened until now are stale.
pub(crate) fn record() {
    SEEN_AT.fetch_max(micros_since_base(Instant::now()) + 1, Ordering::AcqRel);
}

/// Whether a pooled connection of age `age` was opened before the last stale plan seen.
pub(crate) fn is_stale(age: Duration) -> bool {
    let seen = SEEN_AT.load(Ordering::Acquire);
    if seen == 0 {
        return false;
    }
    let opened = Instant::now().checked_sub(age).unwrap_or_else(base);
    micros_since_base(opened) < seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_opened_before_a_stale_plan_are_stale_and_later_ones_not() {
        let _ = base();
        std::thread::sleep(Duration::from_millis(5));
        record();
        // Opened a second ago (before the record): stale. Opened just now: not.
        assert!(is_stale(Duration::from_secs(1)));
        std::thread::sleep(Duration::from_millis(5));
        assert!(!is_stale(Duration::ZERO));
    }
}
