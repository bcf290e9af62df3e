//! What functions emit: `FunctionLogDto` and `FunctionInvocationDto`.

use chrono::{DateTime, Utc};
use containerpub_domain::{Invocation, InvocationStatus, LogEntry, LogLevel};
use serde::Serialize;
use uuid::Uuid;

use crate::user::text;

/// A log line: `{uuid, level, message, timestamp}`. No function id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionLogDto {
    /// The log entry's uuid.
    pub uuid: Uuid,
    /// Level as its stored word.
    #[serde(serialize_with = "crate::word::serialize")]
    pub level: LogLevel,
    /// The message, as stored.
    pub message: String,
    /// When the event happened.
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub timestamp: DateTime<Utc>,
}

impl FunctionLogDto {
    /// The DTO of one log entry (the same as `FunctionLogDto::from(&log)`).
    #[must_use]
    pub fn from_entity(log: &LogEntry) -> Self {
        Self {
            uuid: log.uuid,
            level: log.level,
            message: log.message.as_str().to_owned(),
            timestamp: log.timestamp.as_datetime(),
        }
    }
}

impl From<&LogEntry> for FunctionLogDto {
    fn from(log: &LogEntry) -> Self {
        Self::from_entity(log)
    }
}

/// One invocation: `{uuid, status, duration_ms, error?, timestamp}`, the keys of Dart's
/// `FunctionInvocationDto` for the columns this schema has (it has no `logs`, `request_info`,
/// `result` or `success` column, and Dart omits those keys when they are null). `error` is the
/// stored text as is (Dart stores it Base64-encoded and sends it so). No function id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionInvocationDto {
    /// The invocation's uuid.
    pub uuid: Uuid,
    /// Outcome as its stored word.
    #[serde(serialize_with = "crate::word::serialize")]
    pub status: InvocationStatus,
    /// Duration in milliseconds.
    pub duration_ms: i32,
    /// Error message when it failed; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the invocation happened.
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub timestamp: DateTime<Utc>,
}

impl FunctionInvocationDto {
    /// The DTO of one invocation (the same as `FunctionInvocationDto::from(&invocation)`).
    #[must_use]
    pub fn from_entity(invocation: &Invocation) -> Self {
        Self {
            uuid: invocation.uuid,
            status: invocation.status,
            duration_ms: invocation.duration_ms.get(),
            error: text(invocation.error.as_ref()),
            timestamp: invocation.timestamp.as_datetime(),
        }
    }
}

impl From<&Invocation> for FunctionInvocationDto {
    fn from(invocation: &Invocation) -> Self {
        Self::from_entity(invocation)
    }
}
