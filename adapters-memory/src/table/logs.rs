//! The description of `function_logs`.

use std::sync::Arc;

use containerpub_domain::{LogEntry, LogId, LogPatch, NewLog, Timestamp};
use containerpub_ports::{LogField, StoreResult, Table, UniqueKey};

use crate::db::{Db, Undo, UndoLog};
use crate::rows::TableState;

use super::def::TableDef;

/// `function_logs`.
pub(crate) enum Logs {}

impl TableDef for Logs {
    type Row = LogEntry;
    type Field = LogField;
    type New = NewLog;
    type Patch = LogPatch;
    type Prep = ();

    const TABLE: Table = Table::FunctionLogs;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::LogsUuid);
    const TIME_FIELDS: Option<(LogField, LogField)> =
        Some((LogField::FunctionId, LogField::Timestamp));

    table_slot!(logs, LogEntry);
    fn time_key(row: &LogEntry) -> Option<(i64, Timestamp)> {
        Some((i64::from(row.function_id.get()), row.timestamp))
    }
    fn prepare(_db: &mut Db, _new: &NewLog) -> StoreResult<()> {
        Ok(())
    }
    fn build(new: &NewLog, (): (), id: i64, now: Timestamp) -> StoreResult<LogEntry> {
        Ok(LogEntry {
            id: LogId::new(id),
            uuid: new.uuid,
            function_id: new.function_id,
            level: new.level,
            message: new.message.clone(),
            timestamp: new.timestamp.unwrap_or(now),
        })
    }
    fn patch(row: &LogEntry, patch: &LogPatch, _now: Timestamp) -> StoreResult<LogEntry> {
        let mut row = row.clone();
        if let Some(level) = patch.level {
            row.level = level;
        }
        if let Some(message) = &patch.message {
            row.message = message.clone();
        }
        Ok(row)
    }
    fn upsert_update(row: &LogEntry, new: &NewLog, now: Timestamp) -> LogEntry {
        LogEntry {
            level: new.level,
            message: new.message.clone(),
            timestamp: new.timestamp.unwrap_or(now),
            ..row.clone()
        }
    }
}
