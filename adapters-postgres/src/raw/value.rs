//! The values of raw rows ([`RawValue`]) and their conversion into Rust types
//! ([`FromRawValue`]).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use containerpub_domain::{Timestamp, Uuid};

/// A value read by [`PgStore::raw_query`](crate::PgStore::raw_query).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RawValue {
    /// SQL NULL.
    Null,
    /// `boolean`
    Bool(bool),
    /// `smallint`, `integer`, `bigint`, `oid`
    Int(i64),
    /// `real`, `double precision`
    Float(f64),
    /// `text`, `varchar`, `char(n)`, `name`
    Text(String),
    /// `uuid`
    Uuid(Uuid),
    /// `timestamp` (without time zone: UTC by this schema's convention)
    Timestamp(NaiveDateTime),
    /// `timestamptz`
    TimestampTz(DateTime<Utc>),
    /// `date`
    Date(NaiveDate),
    /// `json`, `jsonb`
    Json(serde_json::Value),
    /// `bytea`
    Bytes(Vec<u8>),
}

impl RawValue {
    /// The kind of value, as error messages name it.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            RawValue::Null => "NULL",
            RawValue::Bool(_) => "a boolean",
            RawValue::Int(_) => "an integer",
            RawValue::Float(_) => "a float",
            RawValue::Text(_) => "text",
            RawValue::Uuid(_) => "a uuid",
            RawValue::Timestamp(_) => "a timestamp",
            RawValue::TimestampTz(_) => "a timestamptz",
            RawValue::Date(_) => "a date",
            RawValue::Json(_) => "JSON",
            RawValue::Bytes(_) => "bytes",
        }
    }
}

/// Conversion of a [`RawValue`] into a Rust type, for [`RawRow::get`](crate::RawRow::get).
pub trait FromRawValue: Sized {
    /// The value as `Self`, or `None` if it has another type (or is NULL for a non-`Option`).
    fn from_raw(value: &RawValue) -> Option<Self>;
}

/// Implements [`FromRawValue`] for each listed type with the given conversion (a macro: one
/// trait impl per type).
macro_rules! from_raw {
    ($($t:ty => |$v:ident| $e:expr),+ $(,)?) => {
        $(impl FromRawValue for $t {
            fn from_raw(value: &RawValue) -> Option<Self> {
                let $v = value;
                $e
            }
        })+
    };
}

from_raw!(
    bool => |v| match v { RawValue::Bool(b) => Some(*b), _ => None },
    i64 => |v| match v { RawValue::Int(i) => Some(*i), _ => None },
    i32 => |v| match v { RawValue::Int(i) => i32::try_from(*i).ok(), _ => None },
    f64 => |v| match v { RawValue::Float(f) => Some(*f), RawValue::Int(i) => Some(*i as f64), _ => None },
    String => |v| match v { RawValue::Text(s) => Some(s.clone()), _ => None },
    Uuid => |v| match v { RawValue::Uuid(u) => Some(*u), _ => None },
    NaiveDateTime => |v| match v { RawValue::Timestamp(t) => Some(*t), _ => None },
    DateTime<Utc> => |v| match v { RawValue::TimestampTz(t) => Some(*t), _ => None },
    Timestamp => |v| match v {
        RawValue::Timestamp(t) => Timestamp::from_naive_utc("timestamp", *t).ok(),
        RawValue::TimestampTz(t) => Timestamp::new(*t).ok(),
        _ => None,
    },
    NaiveDate => |v| match v { RawValue::Date(d) => Some(*d), _ => None },
    serde_json::Value => |v| match v { RawValue::Json(j) => Some(j.clone()), _ => None },
    Vec<u8> => |v| match v { RawValue::Bytes(b) => Some(b.clone()), _ => None },
    RawValue => |v| Some(v.clone()),
);

impl<T: FromRawValue> FromRawValue for Option<T> {
    fn from_raw(value: &RawValue) -> Option<Self> {
        match value {
            RawValue::Null => Some(None),
            other => T::from_raw(other).map(Some),
        }
    }
}
