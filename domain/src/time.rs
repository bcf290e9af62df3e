//! Timestamps as PostgreSQL keeps them (the clocks that give "now" are in [`crate::clock`]).

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, TimeDelta, Utc};

use crate::error::{Rule, ValidationError};

pub use crate::clock::{Clock, ManualClock, SystemClock};

/// A UTC instant at microsecond precision, within years 1 to 9999.
///
/// This is exactly what a PostgreSQL `TIMESTAMP` column holding UTC round-trips: finer
/// precision is truncated on construction (PostgreSQL would round; truncating here means both
/// adapters store the same value), and instants outside the supported range are rejected.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The earliest supported instant, `0001-01-01T00:00:00Z`.
    pub const MIN: Timestamp = Timestamp(DateTime::from_naive_utc_and_offset(
        match NaiveDate::from_ymd_opt(1, 1, 1) {
            Some(d) => d,
            None => unreachable!(),
        }
        .and_hms_opt(0, 0, 0)
        .expect("valid time"),
        Utc,
    ));

    /// The latest supported instant, `9999-12-31T23:59:59.999999Z`.
    pub const MAX: Timestamp = Timestamp(DateTime::from_naive_utc_and_offset(
        match NaiveDate::from_ymd_opt(9999, 12, 31) {
            Some(d) => d,
            None => unreachable!(),
        }
        .and_hms_micro_opt(23, 59, 59, 999_999)
        .expect("valid time"),
        Utc,
    ));

    /// Validates an instant, truncating it to microseconds.
    ///
    /// # Errors
    /// [`Rule::OutOfRange`] (field `timestamp`) outside [`Timestamp::MIN`]..=[`Timestamp::MAX`].
    pub fn new(at: DateTime<Utc>) -> Result<Self, ValidationError> {
        Self::for_field("timestamp", at)
    }

    /// As [`Timestamp::new`], naming `field` in the error.
    ///
    /// # Errors
    /// [`Rule::OutOfRange`] outside the supported range.
    pub fn for_field(field: &'static str, at: DateTime<Utc>) -> Result<Self, ValidationError> {
        let at = at.trunc_subsecs(6);
        if at < Self::MIN.0 || at > Self::MAX.0 {
            return Err(ValidationError::new(field, Rule::OutOfRange));
        }
        Ok(Self(at))
    }

    /// From a naive UTC date-time (as a `TIMESTAMP` column is read).
    ///
    /// # Errors
    /// [`Rule::OutOfRange`] outside the supported range.
    pub fn from_naive_utc(field: &'static str, at: NaiveDateTime) -> Result<Self, ValidationError> {
        Self::for_field(field, at.and_utc())
    }

    /// The instant as a chrono `DateTime<Utc>`.
    #[must_use]
    pub const fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// The instant as a naive UTC date-time (as a `TIMESTAMP` column stores it).
    #[must_use]
    pub fn naive_utc(&self) -> NaiveDateTime {
        self.0.naive_utc()
    }

    /// Microseconds since the Unix epoch.
    #[must_use]
    pub fn unix_micros(&self) -> i64 {
        self.0.timestamp_micros()
    }

    /// From microseconds since the Unix epoch.
    ///
    /// # Errors
    /// [`Rule::OutOfRange`] outside the supported range.
    pub fn from_unix_micros(field: &'static str, micros: i64) -> Result<Self, ValidationError> {
        let at = DateTime::from_timestamp_micros(micros)
            .ok_or(ValidationError::new(field, Rule::OutOfRange))?;
        Self::for_field(field, at)
    }

    /// This instant moved by `delta`, saturating at the supported range.
    #[must_use]
    pub fn saturating_add(&self, delta: TimeDelta) -> Self {
        match self.0.checked_add_signed(delta) {
            Some(at) if at > Self::MAX.0 => Self::MAX,
            Some(at) if at < Self::MIN.0 => Self::MIN,
            Some(at) => Self(at.trunc_subsecs(6)),
            None if delta > TimeDelta::zero() => Self::MAX,
            None => Self::MIN,
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.0.format("%Y-%m-%dT%H:%M:%S%.6fZ"))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%dT%H:%M:%S%.6fZ"))
    }
}

impl TryFrom<DateTime<Utc>> for Timestamp {
    type Error = ValidationError;
    fn try_from(at: DateTime<Utc>) -> Result<Self, Self::Error> {
        Self::new(at)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(t: Timestamp) -> Self {
        t.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn truncates_to_microseconds() {
        let at = Utc
            .timestamp_opt(1_700_000_000, 123_456_789)
            .single()
            .expect("valid");
        let t = Timestamp::new(at).expect("in range");
        assert_eq!(t.as_datetime().timestamp_subsec_nanos(), 123_456_000);
    }

    #[test]
    fn rejects_out_of_range_naming_the_field() {
        let before = Timestamp::MIN.as_datetime() - TimeDelta::microseconds(1);
        let err = Timestamp::for_field("deployed_at", before).expect_err("out of range");
        assert_eq!(err, ValidationError::new("deployed_at", Rule::OutOfRange));
        let after = Timestamp::MAX.as_datetime() + TimeDelta::microseconds(1);
        assert!(Timestamp::new(after).is_err());
        assert!(Timestamp::new(Timestamp::MIN.as_datetime()).is_ok());
        assert!(Timestamp::new(Timestamp::MAX.as_datetime()).is_ok());
    }

    #[test]
    fn unix_micros_round_trip() {
        let t = Timestamp::from_unix_micros("t", 1_700_000_000_123_456).expect("valid");
        assert_eq!(t.unix_micros(), 1_700_000_000_123_456);
        assert!(Timestamp::from_unix_micros("t", i64::MAX).is_err());
    }
}
