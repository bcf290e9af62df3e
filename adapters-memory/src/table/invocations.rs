//! The description of `function_invocations`.

use std::sync::Arc;

use containerpub_domain::{Invocation, InvocationId, InvocationPatch, NewInvocation, Timestamp};
use containerpub_ports::{
    CheckConstraint, InvocationField, StoreError, StoreResult, Table, UniqueKey,
};

use crate::db::{Db, Undo, UndoLog};
use crate::rows::TableState;

use super::def::TableDef;

/// `function_invocations`.
pub(crate) enum Invocations {}

impl TableDef for Invocations {
    type Row = Invocation;
    type Field = InvocationField;
    type New = NewInvocation;
    type Patch = InvocationPatch;
    type Prep = ();

    const TABLE: Table = Table::FunctionInvocations;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::InvocationsUuid);
    const TIME_FIELDS: Option<(InvocationField, InvocationField)> =
        Some((InvocationField::FunctionId, InvocationField::Timestamp));

    table_slot!(invocations, Invocation);
    fn time_key(row: &Invocation) -> Option<(i64, Timestamp)> {
        Some((i64::from(row.function_id.get()), row.timestamp))
    }
    fn check(row: &Invocation) -> StoreResult<()> {
        if row.duration_ms.get() < 0 {
            return Err(StoreError::check_violation(
                CheckConstraint::InvocationsDurationMs,
            ));
        }
        Ok(())
    }
    fn prepare(_db: &mut Db, _new: &NewInvocation) -> StoreResult<()> {
        Ok(())
    }
    fn build(new: &NewInvocation, (): (), id: i64, now: Timestamp) -> StoreResult<Invocation> {
        Ok(Invocation {
            id: InvocationId::new(id),
            uuid: new.uuid,
            function_id: new.function_id,
            status: new.status,
            duration_ms: new.duration_ms,
            error: new.error.clone(),
            timestamp: new.timestamp.unwrap_or(now),
        })
    }
    fn patch(
        row: &Invocation,
        patch: &InvocationPatch,
        _now: Timestamp,
    ) -> StoreResult<Invocation> {
        let mut row = row.clone();
        if let Some(status) = patch.status {
            row.status = status;
        }
        if let Some(duration) = patch.duration_ms {
            row.duration_ms = duration;
        }
        if let Some(error) = &patch.error {
            row.error = error.clone();
        }
        Ok(row)
    }
    fn upsert_update(row: &Invocation, new: &NewInvocation, now: Timestamp) -> Invocation {
        Invocation {
            status: new.status,
            duration_ms: new.duration_ms,
            error: new.error.clone(),
            timestamp: new.timestamp.unwrap_or(now),
            ..row.clone()
        }
    }
}
