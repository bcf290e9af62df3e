//! The description of `function_deployments`.

use std::future::Future;

use containerpub_domain::{
    Deployment, DeploymentId, DeploymentPatch, DeploymentStatus, FunctionId, NewDeployment,
    Timestamp, Version,
};
use containerpub_ports::{DeploymentField, DeploymentKey, StoreResult, Table, Upserted};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::Value;

use crate::batch::BatchResult;
use crate::conn::PgConn;
use crate::entity::deployment;

use super::check::Check;
use super::def::{TableDef, UpsertTarget};
use super::values::{opt_string, set_opt_text, ts_value};

/// `function_deployments` (inserts lock the function and take its next version: see
/// [`crate::ops::deployments`]).
pub(crate) struct Deployments;

impl TableDef for Deployments {
    type Entity = deployment::Entity;
    type Model = deployment::Model;
    type ActiveModel = deployment::ActiveModel;
    type Column = deployment::Column;
    type Field = DeploymentField;
    type Domain = Deployment;
    type Id = DeploymentId;
    type New = NewDeployment;
    type Patch = DeploymentPatch;
    type Key = DeploymentKey;
    const TABLE: Table = Table::FunctionDeployments;
    const INSERT_NEEDS_TX: bool = true;
    const UPSERT_NEEDS_TX: bool = true;

    fn column(field: DeploymentField) -> deployment::Column {
        use deployment::Column as C;
        match field {
            DeploymentField::Id => C::Id,
            DeploymentField::Uuid => C::Uuid,
            DeploymentField::FunctionId => C::FunctionId,
            DeploymentField::Version => C::Version,
            DeploymentField::ImageTag => C::ImageTag,
            DeploymentField::S3Key => C::S3Key,
            DeploymentField::Status => C::Status,
            DeploymentField::IsActive => C::IsActive,
            DeploymentField::BuildLogs => C::BuildLogs,
            DeploymentField::DeployedAt => C::DeployedAt,
        }
    }

    fn id_value(id: DeploymentId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<deployment::Column> {
        Some(deployment::Column::Uuid)
    }
    fn updated_at() -> Option<deployment::Column> {
        None
    }

    fn from_model(m: deployment::Model) -> StoreResult<Deployment> {
        let c = Check(Table::FunctionDeployments, m.uuid);
        Ok(Deployment {
            id: DeploymentId::new(m.id),
            uuid: m.uuid,
            function_id: FunctionId::new(m.function_id),
            version: c.wrap("version", Version::new(m.version))?,
            image_tag: c.opt_text("image_tag", m.image_tag)?,
            s3_key: c.opt_text("s3_key", m.s3_key)?,
            status: c.word::<DeploymentStatus>("status", &m.status)?,
            is_active: m.is_active,
            build_logs: c.opt_text("build_logs", m.build_logs)?,
            deployed_at: c.ts("deployed_at", m.deployed_at)?,
        })
    }

    /// The row without its version (set by [`crate::ops::deployments`]).
    fn new_row(new: NewDeployment, now: Timestamp) -> deployment::ActiveModel {
        deployment::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            function_id: Set(new.function_id.get()),
            version: NotSet,
            image_tag: Set(opt_string(new.image_tag)),
            s3_key: Set(opt_string(new.s3_key)),
            status: Set(new.status.as_str().to_owned()),
            is_active: Set(false),
            build_logs: Set(opt_string(new.build_logs)),
            deployed_at: Set(ts_value(now)),
        }
    }

    fn patch_values(patch: DeploymentPatch) -> Vec<(deployment::Column, Value)> {
        use deployment::Column as C;
        let mut out = Vec::new();
        set_opt_text(&mut out, C::ImageTag, patch.image_tag);
        set_opt_text(&mut out, C::S3Key, patch.s3_key);
        if let Some(status) = patch.status {
            out.push((C::Status, Value::from(status.as_str().to_owned())));
        }
        set_opt_text(&mut out, C::BuildLogs, patch.build_logs);
        out
    }

    fn upsert_target(key: DeploymentKey) -> UpsertTarget<deployment::Column> {
        use deployment::Column as C;
        match key {
            DeploymentKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[C::ImageTag, C::S3Key, C::Status, C::BuildLogs],
                live_only: false,
            },
        }
    }

    fn insert_rows<D: PgConn>(
        db: &D,
        rows: Vec<NewDeployment>,
        now: Timestamp,
    ) -> impl Future<Output = BatchResult<Vec<Deployment>>> + Send {
        crate::ops::deployments::insert_rows(db, rows, now)
    }

    fn upsert_row<D: PgConn>(
        db: &D,
        new: NewDeployment,
        key: DeploymentKey,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Upserted<Deployment>>> + Send {
        crate::ops::deployments::upsert_row(db, new, key, now)
    }
}
