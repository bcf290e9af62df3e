//! The description of `function_invocations`.

use std::future::Future;

use containerpub_domain::{
    DurationMs, FunctionId, Invocation, InvocationId, InvocationPatch, InvocationStatus,
    NewInvocation, Timestamp,
};
use containerpub_ports::{InvocationField, InvocationKey, StoreResult, Table};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::Value;

use crate::batch::BatchResult;
use crate::conn::PgConn;
use crate::entity::invocation;

use super::check::Check;
use super::def::{TableDef, UpsertTarget};
use super::values::{opt_string, set_opt_text, ts_value};

/// `function_invocations` (batches go through `UNNEST`: see [`crate::ops::events`]).
pub(crate) struct Invocations;

impl TableDef for Invocations {
    type Entity = invocation::Entity;
    type Model = invocation::Model;
    type ActiveModel = invocation::ActiveModel;
    type Column = invocation::Column;
    type Field = InvocationField;
    type Domain = Invocation;
    type Id = InvocationId;
    type New = NewInvocation;
    type Patch = InvocationPatch;
    type Key = InvocationKey;
    const TABLE: Table = Table::FunctionInvocations;

    fn column(field: InvocationField) -> invocation::Column {
        use invocation::Column as C;
        match field {
            InvocationField::Id => C::Id,
            InvocationField::Uuid => C::Uuid,
            InvocationField::FunctionId => C::FunctionId,
            InvocationField::Status => C::Status,
            InvocationField::DurationMs => C::DurationMs,
            InvocationField::Error => C::Error,
            InvocationField::Timestamp => C::Timestamp,
        }
    }

    fn id_value(id: InvocationId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<invocation::Column> {
        Some(invocation::Column::Uuid)
    }
    fn updated_at() -> Option<invocation::Column> {
        None
    }

    fn from_model(m: invocation::Model) -> StoreResult<Invocation> {
        let c = Check(Table::FunctionInvocations, m.uuid);
        Ok(Invocation {
            id: InvocationId::new(m.id),
            uuid: m.uuid,
            function_id: FunctionId::new(m.function_id),
            status: c.word::<InvocationStatus>("status", &m.status)?,
            duration_ms: c.wrap("duration_ms", DurationMs::new(m.duration_ms))?,
            error: c.opt_text("error", m.error)?,
            timestamp: c.ts("timestamp", m.timestamp)?,
        })
    }

    fn new_row(new: NewInvocation, now: Timestamp) -> invocation::ActiveModel {
        invocation::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            function_id: Set(new.function_id.get()),
            status: Set(new.status.as_str().to_owned()),
            duration_ms: Set(new.duration_ms.get()),
            error: Set(opt_string(new.error)),
            timestamp: Set(ts_value(new.timestamp.unwrap_or(now))),
        }
    }

    fn patch_values(patch: InvocationPatch) -> Vec<(invocation::Column, Value)> {
        use invocation::Column as C;
        let mut out = Vec::new();
        if let Some(status) = patch.status {
            out.push((C::Status, Value::from(status.as_str().to_owned())));
        }
        if let Some(duration) = patch.duration_ms {
            out.push((C::DurationMs, Value::from(duration.get())));
        }
        set_opt_text(&mut out, C::Error, patch.error);
        out
    }

    fn upsert_target(key: InvocationKey) -> UpsertTarget<invocation::Column> {
        use invocation::Column as C;
        match key {
            InvocationKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[C::Status, C::DurationMs, C::Error, C::Timestamp],
                live_only: false,
            },
        }
    }

    fn insert_rows<D: PgConn>(
        db: &D,
        rows: Vec<NewInvocation>,
        now: Timestamp,
    ) -> impl Future<Output = BatchResult<Vec<Invocation>>> + Send {
        crate::ops::events::insert_invocation_rows(db, rows, now)
    }
}
