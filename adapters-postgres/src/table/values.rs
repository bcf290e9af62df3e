//! Domain values as the columns store them (the small conversions every table's rows share).

use containerpub_domain::Timestamp;
use sea_orm::Value;

/// A timestamp as the `TIMESTAMP` columns store it (UTC, no zone).
pub(super) fn ts_value(at: Timestamp) -> chrono::NaiveDateTime {
    at.naive_utc()
}

/// An optional text value as a nullable text column stores it.
pub(super) fn opt_string<T: AsRef<str>>(value: Option<T>) -> Option<String> {
    value.map(|v| v.as_ref().to_owned())
}

/// `Some(Some(v))`/`Some(None)` patch values of a nullable text column.
pub(super) fn set_opt_text<C, T: AsRef<str>>(
    out: &mut Vec<(C, Value)>,
    column: C,
    value: Option<Option<T>>,
) {
    if let Some(value) = value {
        out.push((column, Value::from(opt_string(value))));
    }
}
