//! Typed values: what a field holds, a filter compares with, a sort key and a cursor carry.

use containerpub_domain::{Timestamp, Uuid};

/// The kind of value a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// `BOOLEAN`
    Bool,
    /// `INTEGER` / `BIGINT`
    Int,
    /// `VARCHAR` / `TEXT`
    Text,
    /// `UUID`
    Uuid,
    /// `TIMESTAMP`
    Timestamp,
}

/// A typed value in a filter, a sort key or a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    /// SQL NULL (what a nullable field holds when empty; never a filter operand).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (ids, versions, durations).
    Int(i64),
    /// Text (names, enum words, messages).
    Text(String),
    /// A uuid.
    Uuid(Uuid),
    /// A timestamp.
    Timestamp(Timestamp),
}

impl Value {
    /// The kind of a non-null value.
    #[must_use]
    pub fn kind(&self) -> Option<ValueKind> {
        match self {
            Value::Null => None,
            Value::Bool(_) => Some(ValueKind::Bool),
            Value::Int(_) => Some(ValueKind::Int),
            Value::Text(_) => Some(ValueKind::Text),
            Value::Uuid(_) => Some(ValueKind::Uuid),
            Value::Timestamp(_) => Some(ValueKind::Timestamp),
        }
    }
}

macro_rules! value_from {
    ($($t:ty => |$v:ident| $e:expr),+ $(,)?) => {
        $(impl From<$t> for Value {
            fn from($v: $t) -> Self {
                $e
            }
        })+
    };
}

value_from!(
    bool => |v| Value::Bool(v),
    i32 => |v| Value::Int(i64::from(v)),
    i64 => |v| Value::Int(v),
    String => |v| Value::Text(v),
    &str => |v| Value::Text(v.to_owned()),
    Uuid => |v| Value::Uuid(v),
    Timestamp => |v| Value::Timestamp(v),
    containerpub_domain::UserId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::UserInformationId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::OrganizationId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::OrganizationMemberId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::FunctionId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::DeploymentId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::LogId => |v| Value::Int(v.get()),
    containerpub_domain::InvocationId => |v| Value::Int(v.get()),
    containerpub_domain::RepositoryId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::Version => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::DurationMs => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::Email => |v| Value::Text(v.as_str().to_owned()),
    &containerpub_domain::Email => |v| Value::Text(v.as_str().to_owned()),
    containerpub_domain::RepositoryPath => |v| Value::Text(v.as_str().to_owned()),
    containerpub_domain::FunctionStatus => |v| Value::Text(v.as_str().to_owned()),
    containerpub_domain::DeploymentStatus => |v| Value::Text(v.as_str().to_owned()),
    containerpub_domain::LogLevel => |v| Value::Text(v.as_str().to_owned()),
    containerpub_domain::InvocationStatus => |v| Value::Text(v.as_str().to_owned()),
    containerpub_domain::Role => |v| Value::Text(v.as_str().to_owned()),
);

impl<const N: usize> From<containerpub_domain::BoundedText<N>> for Value {
    fn from(v: containerpub_domain::BoundedText<N>) -> Self {
        Value::Text(v.into_inner())
    }
}

impl<const N: usize> From<containerpub_domain::Name<N>> for Value {
    fn from(v: containerpub_domain::Name<N>) -> Self {
        Value::Text(v.into_inner())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
