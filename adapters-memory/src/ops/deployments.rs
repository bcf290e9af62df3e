//! Deployments: the insert, the active deployment of a function, and activation.

use containerpub_domain::{Deployment, DeploymentStatus, Function};
use containerpub_ports::{Lookup, Ref, StoreError, StoreResult, Table, UniqueKey};

use crate::crud::{self, find_by_key, single, update_statement};
use crate::db::Db;
use crate::index::IndexKey;
use crate::locks::Mode;
use crate::ops::internal_missing;
use crate::sequences::Cx;
use crate::table::{Deployments, Functions};

/// The deployments' insert and `create_next_version`.
pub(crate) fn insert_deployment(
    db: &mut Db,
    cx: &Cx<'_>,
    new: &containerpub_domain::NewDeployment,
) -> StoreResult<Deployment> {
    let row = crud::insert::<Deployments>(db, cx, new)?;
    Ok(Deployment::clone(&row))
}

/// `active_for(function)`: the function's active deployment (a uuid no visible function
/// holds has none).
pub(crate) fn active_for(db: &Db, function: Ref<Function>) -> Option<Deployment> {
    let function = match function {
        Ref::Id(id) => id,
        Ref::Uuid(uuid) => crud::find_by_uuid::<Functions>(db, &uuid)?.id,
    };
    find_by_key::<Deployments>(
        db,
        UniqueKey::DeploymentsActiveFunctionId,
        &IndexKey::Int(i64::from(function.get())),
    )
}

/// `activate(id)`: lock the function `FOR NO KEY UPDATE` (as the PostgreSQL adapter does),
/// clear its other active deployment, set this one, point the function at it (three UPDATE
/// statements).
pub(crate) fn activate(db: &mut Db, cx: &Cx<'_>, id: i64) -> StoreResult<Deployment> {
    let not_found = || StoreError::not_found(Table::FunctionDeployments, Lookup::Id);
    let function = db
        .t::<Deployments>()
        .get(id)
        .map(|d| i64::from(d.function_id.get()))
        .ok_or_else(not_found)?;
    db.lock_row(Table::Functions, function, Mode::NoKeyUpdate)?;
    let deployment = db
        .t::<Deployments>()
        .get(id)
        .cloned()
        .ok_or_else(not_found)?;
    let other = db
        .t::<Deployments>()
        .unique_get(
            UniqueKey::DeploymentsActiveFunctionId,
            &IndexKey::Int(function),
        )
        .filter(|other| *other != id)
        .and_then(|other| db.t::<Deployments>().get(other).cloned());
    if let Some(other) = other {
        update_statement::<Deployments>(
            db,
            vec![Deployment {
                is_active: false,
                status: DeploymentStatus::Disabled,
                ..Deployment::clone(&other)
            }],
        )?;
    }
    let activated = single(update_statement::<Deployments>(
        db,
        vec![Deployment {
            is_active: true,
            status: DeploymentStatus::Active,
            ..Deployment::clone(&deployment)
        }],
    )?)?;
    let row = db
        .t::<Functions>()
        .get(function)
        .cloned()
        .ok_or_else(|| internal_missing("a deployment's function"))?;
    update_statement::<Functions>(
        db,
        vec![Function {
            active_deployment_id: Some(activated.id),
            updated_at: cx.now,
            ..Function::clone(&row)
        }],
    )?;
    Ok(Deployment::clone(&activated))
}
