//! An injectable clock: the source of "now" for every store, the system's or one a test moves.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{TimeDelta, Utc};

use crate::time::Timestamp;

/// A source of "now", injected wherever a store stamps a row, so tests can pin time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant, truncated to microseconds.
    fn now(&self) -> Timestamp;
}

/// The system clock (UTC).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::new(Utc::now()).unwrap_or(Timestamp::MAX)
    }
}

/// A clock that only moves when told to. Clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<Timestamp>>);

impl ManualClock {
    /// A clock showing `at`.
    #[must_use]
    pub fn new(at: Timestamp) -> Self {
        Self(Arc::new(Mutex::new(at)))
    }

    /// Sets the time.
    pub fn set(&self, at: Timestamp) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }

    /// Moves the time forward (or back) by `delta`.
    pub fn advance(&self, delta: TimeDelta) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now = now.saturating_add(delta);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(Timestamp::MIN);
        assert_eq!(clock.now(), Timestamp::MIN);
        clock.advance(TimeDelta::seconds(5));
        assert_eq!(
            clock.now().unix_micros() - Timestamp::MIN.unix_micros(),
            5_000_000
        );
        clock.advance(TimeDelta::MAX);
        assert_eq!(clock.now(), Timestamp::MAX);
        let shared = clock.clone();
        shared.set(Timestamp::MIN);
        assert_eq!(clock.now(), Timestamp::MIN);
    }

    #[test]
    fn system_clock_is_truncated() {
        let now = SystemClock.now();
        assert_eq!(now.as_datetime().timestamp_subsec_nanos() % 1_000, 0);
    }
}
