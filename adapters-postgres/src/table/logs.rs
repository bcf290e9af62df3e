//! The description of `function_logs`.

use std::future::Future;

use containerpub_domain::{FunctionId, LogEntry, LogId, LogLevel, LogPatch, NewLog, Timestamp};
use containerpub_ports::{LogField, LogKey, StoreResult, Table};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::Value;

use crate::batch::BatchResult;
use crate::conn::PgConn;
use crate::entity::log;

use super::check::Check;
use super::def::{TableDef, UpsertTarget};
use super::values::ts_value;

/// `function_logs` (batches go through `UNNEST`: see [`crate::ops::events`]).
pub(crate) struct Logs;

impl TableDef for Logs {
    type Entity = log::Entity;
    type Model = log::Model;
    type ActiveModel = log::ActiveModel;
    type Column = log::Column;
    type Field = LogField;
    type Domain = LogEntry;
    type Id = LogId;
    type New = NewLog;
    type Patch = LogPatch;
    type Key = LogKey;
    const TABLE: Table = Table::FunctionLogs;

    fn column(field: LogField) -> log::Column {
        use log::Column as C;
        match field {
            LogField::Id => C::Id,
            LogField::Uuid => C::Uuid,
            LogField::FunctionId => C::FunctionId,
            LogField::Level => C::Level,
            LogField::Message => C::Message,
            LogField::Timestamp => C::Timestamp,
        }
    }

    fn id_value(id: LogId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<log::Column> {
        Some(log::Column::Uuid)
    }
    fn updated_at() -> Option<log::Column> {
        None
    }

    fn from_model(m: log::Model) -> StoreResult<LogEntry> {
        let c = Check(Table::FunctionLogs, m.uuid);
        Ok(LogEntry {
            id: LogId::new(m.id),
            uuid: m.uuid,
            function_id: FunctionId::new(m.function_id),
            level: c.word::<LogLevel>("level", &m.level)?,
            message: c.text("message", m.message)?,
            timestamp: c.ts("timestamp", m.timestamp)?,
        })
    }

    fn new_row(new: NewLog, now: Timestamp) -> log::ActiveModel {
        log::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            function_id: Set(new.function_id.get()),
            level: Set(new.level.as_str().to_owned()),
            message: Set(new.message.into_inner()),
            timestamp: Set(ts_value(new.timestamp.unwrap_or(now))),
        }
    }

    fn patch_values(patch: LogPatch) -> Vec<(log::Column, Value)> {
        let mut out = Vec::new();
        if let Some(level) = patch.level {
            out.push((log::Column::Level, Value::from(level.as_str().to_owned())));
        }
        if let Some(message) = patch.message {
            out.push((log::Column::Message, Value::from(message.into_inner())));
        }
        out
    }

    fn upsert_target(key: LogKey) -> UpsertTarget<log::Column> {
        use log::Column as C;
        match key {
            LogKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[C::Level, C::Message, C::Timestamp],
                live_only: false,
            },
        }
    }

    fn insert_rows<D: PgConn>(
        db: &D,
        rows: Vec<NewLog>,
        now: Timestamp,
    ) -> impl Future<Output = BatchResult<Vec<LogEntry>>> + Send {
        crate::ops::events::insert_log_rows(db, rows, now)
    }
}
