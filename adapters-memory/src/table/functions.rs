//! The description of `functions`.

use std::sync::Arc;

use containerpub_domain::{Function, FunctionId, FunctionPatch, NewFunction, Timestamp};
use containerpub_ports::{ForeignKey, FunctionField, StoreResult, Table, UniqueKey};

use crate::db::{Db, Undo, UndoLog};
use crate::rows::TableState;

use super::def::TableDef;
use super::id32;

/// `functions`.
pub(crate) enum Functions {}

impl TableDef for Functions {
    type Row = Function;
    type Field = FunctionField;
    type New = NewFunction;
    type Patch = FunctionPatch;
    type Prep = ();

    const TABLE: Table = Table::Functions;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::FunctionsUuid);

    table_slot!(functions, Function);
    fn set_null(row: &Function, fk: ForeignKey) -> Function {
        let mut row = row.clone();
        if fk == ForeignKey::FunctionsActiveDeploymentId {
            row.active_deployment_id = None;
        }
        row
    }
    fn prepare(_db: &mut Db, _new: &NewFunction) -> StoreResult<()> {
        Ok(())
    }
    fn build(new: &NewFunction, (): (), id: i64, now: Timestamp) -> StoreResult<Function> {
        Ok(Function {
            id: FunctionId::new(id32(id)?),
            uuid: new.uuid,
            user_id: new.user_id,
            name: new.name.clone(),
            status: new.status,
            active_deployment_id: None,
            analysis_result: new.analysis_result.clone(),
            created_at: now,
            updated_at: now,
        })
    }
    fn patch(row: &Function, patch: &FunctionPatch, now: Timestamp) -> StoreResult<Function> {
        let mut row = row.clone();
        if let Some(name) = &patch.name {
            row.name = name.clone();
        }
        if let Some(status) = patch.status {
            row.status = status;
        }
        if let Some(analysis) = &patch.analysis_result {
            row.analysis_result = analysis.clone();
        }
        row.updated_at = now;
        Ok(row)
    }
    fn upsert_update(row: &Function, new: &NewFunction, now: Timestamp) -> Function {
        Function {
            user_id: new.user_id,
            name: new.name.clone(),
            status: new.status,
            analysis_result: new.analysis_result.clone(),
            updated_at: now,
            ..row.clone()
        }
    }
}
