//! The description of `functions`.

use containerpub_domain::{
    DeploymentId, Function, FunctionId, FunctionPatch, FunctionStatus, Json, NewFunction,
    Timestamp, UserId,
};
use containerpub_ports::{FunctionField, FunctionKey, StoreResult, Table};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::Value;

use crate::entity::function;

use super::check::Check;
use super::def::{TableDef, UpsertTarget};
use super::values::ts_value;

/// `functions`
pub(crate) struct Functions;

impl TableDef for Functions {
    type Entity = function::Entity;
    type Model = function::Model;
    type ActiveModel = function::ActiveModel;
    type Column = function::Column;
    type Field = FunctionField;
    type Domain = Function;
    type Id = FunctionId;
    type New = NewFunction;
    type Patch = FunctionPatch;
    type Key = FunctionKey;
    const TABLE: Table = Table::Functions;

    fn column(field: FunctionField) -> function::Column {
        use function::Column as C;
        match field {
            FunctionField::Id => C::Id,
            FunctionField::Uuid => C::Uuid,
            FunctionField::UserId => C::UserId,
            FunctionField::Name => C::Name,
            FunctionField::Status => C::Status,
            FunctionField::ActiveDeploymentId => C::ActiveDeploymentId,
            FunctionField::CreatedAt => C::CreatedAt,
            FunctionField::UpdatedAt => C::UpdatedAt,
        }
    }

    fn id_value(id: FunctionId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<function::Column> {
        Some(function::Column::Uuid)
    }
    fn updated_at() -> Option<function::Column> {
        Some(function::Column::UpdatedAt)
    }

    fn from_model(m: function::Model) -> StoreResult<Function> {
        let c = Check(Table::Functions, m.uuid);
        Ok(Function {
            id: FunctionId::new(m.id),
            uuid: m.uuid,
            user_id: UserId::new(m.user_id),
            name: c.name("name", m.name)?,
            status: c.word::<FunctionStatus>("status", &m.status)?,
            active_deployment_id: m.active_deployment_id.map(DeploymentId::new),
            analysis_result: m
                .analysis_result
                .map(|v| c.wrap("analysis_result", Json::new("analysis_result", v)))
                .transpose()?,
            created_at: c.ts("created_at", m.created_at)?,
            updated_at: c.ts("updated_at", m.updated_at)?,
        })
    }

    fn new_row(new: NewFunction, now: Timestamp) -> function::ActiveModel {
        function::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            user_id: Set(new.user_id.get()),
            name: Set(new.name.into_inner()),
            status: Set(new.status.as_str().to_owned()),
            active_deployment_id: NotSet,
            analysis_result: Set(new.analysis_result.map(Json::into_value)),
            created_at: Set(ts_value(now)),
            updated_at: Set(ts_value(now)),
        }
    }

    fn patch_values(patch: FunctionPatch) -> Vec<(function::Column, Value)> {
        let mut out = Vec::new();
        if let Some(name) = patch.name {
            out.push((function::Column::Name, Value::from(name.into_inner())));
        }
        if let Some(status) = patch.status {
            out.push((
                function::Column::Status,
                Value::from(status.as_str().to_owned()),
            ));
        }
        if let Some(result) = patch.analysis_result {
            out.push((
                function::Column::AnalysisResult,
                Value::from(result.map(Json::into_value)),
            ));
        }
        out
    }

    fn upsert_target(key: FunctionKey) -> UpsertTarget<function::Column> {
        use function::Column as C;
        match key {
            FunctionKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[
                    C::UserId,
                    C::Name,
                    C::Status,
                    C::AnalysisResult,
                    C::UpdatedAt,
                ],
                live_only: false,
            },
            FunctionKey::OwnerAndName => UpsertTarget {
                columns: &[C::UserId, C::Name],
                updates: &[C::Status, C::AnalysisResult, C::UpdatedAt],
                live_only: false,
            },
        }
    }
}
