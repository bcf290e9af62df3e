//! The one timestamp format of every DTO: what Dart's `DateTime.toIso8601String()` writes for
//! a UTC `DateTime`, which is what the ContainerPub frontend reads.
//!
//! Always a trailing `Z`; the fraction has 3 digits when the instant is a whole millisecond and
//! 6 digits otherwise: `2025-11-20T09:30:01.120Z`, `2025-11-20T09:30:01.123456Z`,
//! `2025-11-20T09:30:01.000Z`. Years are written with 4 digits (the domain's range is
//! 0001–9999, where Dart also writes 4).
//!
//! Use it on a `DateTime<Utc>` field with `#[serde(serialize_with = "crate::timestamp::serialize")]`.

use chrono::{DateTime, Utc};
use serde::Serializer;

/// The `strftime` pattern for an instant that is a whole millisecond.
pub const MILLIS_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";

/// The `strftime` pattern for any other instant (the domain keeps microseconds).
pub const MICROS_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// The pattern Dart would use for this instant.
fn pattern(at: &DateTime<Utc>) -> &'static str {
    if at.timestamp_subsec_micros().is_multiple_of(1000) {
        MILLIS_FORMAT
    } else {
        MICROS_FORMAT
    }
}

/// Formats an instant as the DTOs do.
#[must_use]
pub fn format(at: &DateTime<Utc>) -> String {
    at.format(pattern(at)).to_string()
}

/// Serializes an instant as [`format()`] does.
///
/// # Errors
/// Only those of the serializer.
pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&at.format(pattern(at)))
}
