//! The description of `function_deployments`.

use std::sync::Arc;

use containerpub_domain::{
    Deployment, DeploymentId, DeploymentPatch, NewDeployment, Timestamp, Version,
};
use containerpub_ports::{
    CheckConstraint, DeploymentField, ForeignKey, StoreError, StoreResult, Table, UniqueKey,
};

use crate::db::{Db, Undo, UndoLog};
use crate::index::IndexKey;
use crate::locks::Mode;
use crate::rows::TableState;

use super::Functions;
use super::def::TableDef;
use super::id32;

/// `function_deployments`.
pub(crate) enum Deployments {}

impl TableDef for Deployments {
    type Row = Deployment;
    type Field = DeploymentField;
    type New = NewDeployment;
    type Patch = DeploymentPatch;
    type Prep = Version;

    const TABLE: Table = Table::FunctionDeployments;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::DeploymentsUuid);
    const ROW_BY_ROW: bool = true;

    table_slot!(deployments, Deployment);
    fn new_unique_value(new: &NewDeployment, key: UniqueKey) -> Option<IndexKey> {
        (key == UniqueKey::DeploymentsUuid).then_some(IndexKey::Uuid(new.uuid))
    }
    fn check(row: &Deployment) -> StoreResult<()> {
        if row.version.get() < 1 {
            return Err(StoreError::check_violation(
                CheckConstraint::DeploymentsVersion,
            ));
        }
        Ok(())
    }
    /// The function must exist (else `ReferenceMissing`, before any sequence value); it is
    /// locked `FOR NO KEY UPDATE` as the PostgreSQL adapter does (a concurrent transaction
    /// inserting a deployment of it, activating one or updating it waits for this one); the
    /// version is the function's highest plus one, read once the lock is held.
    fn prepare(db: &mut Db, new: &NewDeployment) -> StoreResult<Version> {
        let function = i64::from(new.function_id.get());
        if db.t::<Functions>().get(function).is_none() {
            return Err(StoreError::ReferenceMissing {
                key: ForeignKey::DeploymentsFunctionId,
            });
        }
        db.lock_row(Table::Functions, function, Mode::NoKeyUpdate)?;
        let table = db.t::<Deployments>();
        let highest = table
            .children_of(ForeignKey::DeploymentsFunctionId, &IndexKey::Int(function))
            .into_iter()
            .filter_map(|id| table.get(id).map(|d| d.version))
            .max();
        match highest {
            None => Ok(Version::FIRST),
            Some(version) => version.next().map_err(StoreError::from),
        }
    }
    fn build(
        new: &NewDeployment,
        version: Version,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<Deployment> {
        Ok(Deployment {
            id: DeploymentId::new(id32(id)?),
            uuid: new.uuid,
            function_id: new.function_id,
            version,
            image_tag: new.image_tag.clone(),
            s3_key: new.s3_key.clone(),
            status: new.status,
            is_active: false,
            build_logs: new.build_logs.clone(),
            deployed_at: now,
        })
    }
    /// The table has no `updated_at`.
    fn patch(
        row: &Deployment,
        patch: &DeploymentPatch,
        _now: Timestamp,
    ) -> StoreResult<Deployment> {
        let mut row = row.clone();
        if let Some(tag) = &patch.image_tag {
            row.image_tag = tag.clone();
        }
        if let Some(key) = &patch.s3_key {
            row.s3_key = key.clone();
        }
        if let Some(status) = patch.status {
            row.status = status;
        }
        if let Some(logs) = &patch.build_logs {
            row.build_logs = logs.clone();
        }
        Ok(row)
    }
    fn upsert_update(row: &Deployment, new: &NewDeployment, _now: Timestamp) -> Deployment {
        Deployment {
            image_tag: new.image_tag.clone(),
            s3_key: new.s3_key.clone(),
            status: new.status,
            build_logs: new.build_logs.clone(),
            ..row.clone()
        }
    }
}
