//! The one timestamp format of every DTO: RFC 3339, UTC, always six fractional digits
//! (`2025-01-02T03:04:05.123456Z`), matching the microsecond precision the domain keeps.
//!
//! Use it on a `DateTime<Utc>` field with `#[serde(with = "containerpub_dto::timestamp")]`.
//! Deserialization accepts any RFC 3339 date-time and converts it to UTC.

use chrono::{DateTime, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};

/// The `strftime` pattern used to write timestamps.
pub const FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// Formats an instant as the DTOs do.
#[must_use]
pub fn format(at: &DateTime<Utc>) -> String {
    at.format(FORMAT).to_string()
}

/// Serializes an instant as [`FORMAT`].
///
/// # Errors
/// Only those of the serializer.
pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&at.format(FORMAT))
}

/// Deserializes any RFC 3339 date-time, converted to UTC.
///
/// # Errors
/// When the value is not an RFC 3339 string.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(deserializer)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| D::Error::custom(format_args!("invalid RFC 3339 timestamp {text:?}: {e}")))
}
