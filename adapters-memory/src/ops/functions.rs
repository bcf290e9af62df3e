//! Functions by owner, function details and the summaries join.

use containerpub_domain::{Deployment, Function, FunctionDetails, FunctionSummary, Page, User};
use containerpub_ports::{ForeignKey, FunctionField, PageRequest, Query, Ref, StoreResult};

use crate::crud;
use crate::db::Db;
use crate::index::IndexKey;
use crate::ops::internal_missing;
use crate::reference::{find_by_ref, refers_to};
use crate::table::{Deployments, Functions, Users};

/// `find_by_owner`: `created_at` desc, id desc.
pub(crate) fn find_by_owner(
    db: &Db,
    owner: Ref<User>,
    page: PageRequest,
) -> StoreResult<Page<Function>> {
    crud::find_page::<Functions>(
        db,
        &refers_to::<Users, _>(db, FunctionField::UserId, owner),
        &[FunctionField::CreatedAt.desc(), FunctionField::Id.desc()],
        page,
    )
}

/// `details(function)`: deployments highest version first.
pub(crate) fn details(db: &Db, function: Ref<Function>) -> StoreResult<Option<FunctionDetails>> {
    let Some(function) = find_by_ref::<Functions>(db, function) else {
        return Ok(None);
    };
    let fid = i64::from(function.id.get());
    let owner = crud::find_by_id::<Users>(db, i64::from(function.user_id.get()))
        .ok_or_else(|| internal_missing("a function's owner"))?;
    let table = db.t::<Deployments>();
    let mut deployments: Vec<Deployment> = table
        .children_of(ForeignKey::DeploymentsFunctionId, &IndexKey::Int(fid))
        .into_iter()
        .filter_map(|d| table.get(d).map(|row| Deployment::clone(row)))
        .collect();
    deployments.sort_by_key(|d| std::cmp::Reverse(d.version));
    Ok(Some(FunctionDetails {
        function,
        owner,
        deployments,
    }))
}

/// `summaries(query)`: `find_all` with each owner's e-mail and deployment count.
pub(crate) fn summaries(
    db: &Db,
    query: &Query<FunctionField>,
) -> StoreResult<Vec<FunctionSummary>> {
    let users = db.t::<Users>();
    let deployments = db.t::<Deployments>();
    crud::find_all::<Functions>(db, query)?
        .into_iter()
        .map(|function| {
            let owner = users
                .get(i64::from(function.user_id.get()))
                .ok_or_else(|| internal_missing("a function's owner"))?;
            let count = deployments.children_count(
                ForeignKey::DeploymentsFunctionId,
                &IndexKey::Int(i64::from(function.id.get())),
            );
            Ok(FunctionSummary {
                owner_email: owner.email.clone(),
                deployment_count: count as u64,
                function: Function::clone(&function),
            })
        })
        .collect()
}
