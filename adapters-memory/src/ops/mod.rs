//! The domain operations beside the generic surface: relations, profiles, memberships,
//! activation, statistics, retention and the repository tree; `group_by` ([`grouping`]) and
//! `upsert_updating`'s untaken columns ([`upsert_columns`]).

pub(crate) mod grouping;
pub(crate) mod upsert_columns;

use std::sync::Arc;

use containerpub_domain::{
    Deployment, DeploymentStatus, Function, FunctionDetails, FunctionStats, FunctionSummary,
    MemberProfile, NewOrganization, NewOrganizationMember, Organization, OrganizationMember, Page,
    Repository, RepositoryId, RepositoryPatch, RepositoryPath, Rule, Timestamp, User, UserProfile,
    Uuid,
};
use containerpub_ports::{
    ForeignKey, FunctionField, Lookup, PageRequest, Query, Ref, StoreError, StoreResult, Table,
    UniqueKey,
};

use crate::crud::{self, find_by_key, single, update_statement};
use crate::db::{Cx, Db, delete_rows};
use crate::index::IndexKey;
use crate::locks::Mode;
use crate::reference::{find_by_ref, refers_to};
use crate::table::{
    Deployments, Functions, Invocations, Logs, Members, NOT_BELOW_ITSELF, Organizations, Profiles,
    Repositories, Users,
};

fn internal_missing(what: &str) -> StoreError {
    StoreError::internal(format!("inconsistent state: {what} is missing"))
}

// ---------------------------------------------------------------------------------------------
// Users, profiles, organizations, members
// ---------------------------------------------------------------------------------------------

/// `profile(user)`: the user and their profile.
pub(crate) fn profile(db: &Db, user: Uuid) -> Option<UserProfile> {
    let account = find_by_key::<Users>(db, UniqueKey::UsersUuid, &IndexKey::Uuid(user))?;
    let information =
        find_by_key::<Profiles>(db, UniqueKey::UserInformationUserId, &IndexKey::Uuid(user));
    Some(UserProfile {
        user: account,
        information,
    })
}

/// `with_organization(user)`: the user, their organization and their profile, from one
/// snapshot.
pub(crate) fn with_organization(
    db: &Db,
    user: Uuid,
) -> Option<(
    containerpub_domain::UserWithOrganization,
    Option<containerpub_domain::UserInformation>,
)> {
    let UserProfile {
        user: account,
        information,
    } = profile(db, user)?;
    let organization = organization_of(db, user);
    Some((
        containerpub_domain::UserWithOrganization {
            user: account,
            organization,
        },
        information,
    ))
}

/// `organization_of(user)`.
pub(crate) fn organization_of(db: &Db, user: Uuid) -> Option<Organization> {
    let member = find_by_key::<Members>(
        db,
        UniqueKey::OrganizationMembersUserId,
        &IndexKey::Uuid(user),
    )?;
    find_by_key::<Organizations>(
        db,
        UniqueKey::OrganizationsUuid,
        &IndexKey::Uuid(member.organization_uuid),
    )
}

/// `create_with_owner`: the organization's INSERT, then its owner's membership.
pub(crate) fn create_with_owner(
    db: &mut Db,
    cx: &Cx<'_>,
    new: &NewOrganization,
) -> StoreResult<(Organization, OrganizationMember)> {
    let org = crud::insert::<Organizations>(db, cx, new)?;
    let member = find_by_key::<Members>(
        db,
        UniqueKey::OrganizationMembersUserId,
        &IndexKey::Uuid(org.owner_uuid),
    )
    .ok_or_else(|| internal_missing("the owner's membership"))?;
    Ok((Organization::clone(&org), member))
}

/// `members_of(organization)`: in order of joining, then id.
pub(crate) fn members_of(db: &Db, organization: Uuid) -> StoreResult<Vec<MemberProfile>> {
    let table = db.t::<Members>();
    let mut members: Vec<&Arc<OrganizationMember>> = table
        .children_of(
            ForeignKey::OrganizationMembersOrganizationId,
            &IndexKey::Uuid(organization),
        )
        .into_iter()
        .filter_map(|id| table.get(id))
        .collect();
    members.sort_by_key(|m| (m.joined_at, m.id));
    members
        .into_iter()
        .map(|member| {
            let key = IndexKey::Uuid(member.user_uuid);
            let user = find_by_key::<Users>(db, UniqueKey::UsersUuid, &key)
                .ok_or_else(|| internal_missing("a member's user"))?;
            let information = find_by_key::<Profiles>(db, UniqueKey::UserInformationUserId, &key);
            Ok(MemberProfile {
                member: OrganizationMember::clone(member),
                user,
                information,
            })
        })
        .collect()
}

/// `add_member(organization, user)`: one INSERT.
pub(crate) fn add_member(
    db: &mut Db,
    cx: &Cx<'_>,
    organization: Uuid,
    user: Uuid,
) -> StoreResult<OrganizationMember> {
    let member = crud::insert::<Members>(
        db,
        cx,
        &NewOrganizationMember {
            organization_uuid: organization,
            user_uuid: user,
        },
    )?;
    Ok(OrganizationMember::clone(&member))
}

/// `remove_member(organization, user)`.
pub(crate) fn remove_member(db: &mut Db, organization: Uuid, user: Uuid) -> StoreResult<()> {
    let member = find_by_key::<Members>(
        db,
        UniqueKey::OrganizationMembersUserId,
        &IndexKey::Uuid(user),
    )
    .filter(|m| m.organization_uuid == organization)
    .ok_or(StoreError::not_found(
        Table::OrganizationMembers,
        Lookup::Membership { organization, user },
    ))?;
    let owner = find_by_key::<Organizations>(
        db,
        UniqueKey::OrganizationsUuid,
        &IndexKey::Uuid(organization),
    )
    .map(|org| org.owner_uuid);
    if owner == Some(user) {
        return Err(StoreError::invalid(
            "user_id",
            Rule::Invariant("the organization's owner cannot be removed"),
        ));
    }
    delete_rows(
        db,
        Table::OrganizationMembers,
        vec![i64::from(member.id.get())],
    )
}

// ---------------------------------------------------------------------------------------------
// Functions and deployments
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Logs and invocations
// ---------------------------------------------------------------------------------------------

/// `stats(function, since)`: invocations with `timestamp >= since`, from the time index;
/// `None` if the function does not exist.
pub(crate) fn stats(db: &Db, function: Ref<Function>, since: Timestamp) -> Option<FunctionStats> {
    let function = find_by_ref::<Functions>(db, function)?.id;
    let table = db.t::<Invocations>();
    let rows = table
        .function_events_since(i64::from(function.get()), since)
        .into_iter()
        .filter_map(|id| table.get(id).map(|i| (i.status, i.duration_ms)));
    Some(FunctionStats::compute(function, since, rows))
}

/// `delete_older_than(cutoff)`: logs with `timestamp < cutoff`.
pub(crate) fn delete_older_than(db: &mut Db, cutoff: Timestamp) -> StoreResult<u64> {
    let ids = db.t::<Logs>().events_before(cutoff);
    let n = ids.len() as u64;
    delete_rows(db, Table::FunctionLogs, ids)?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// Repositories
// ---------------------------------------------------------------------------------------------

/// The live repository at `path`.
pub(crate) fn live_at(db: &Db, path: &str) -> Option<Arc<Repository>> {
    let table = db.t::<Repositories>();
    table
        .unique_get(UniqueKey::RepositoriesLivePath, &IndexKey::text(path))
        .and_then(|id| table.get_visible(id).cloned())
}

/// The id of the live parent of `path` (`None` at the top), or `ReferenceMissing`.
pub(crate) fn live_parent(db: &Db, path: &RepositoryPath) -> StoreResult<Option<RepositoryId>> {
    match path.parent() {
        None => Ok(None),
        Some(parent) => live_at(db, parent.as_str()).map(|row| Some(row.id)).ok_or(
            StoreError::ReferenceMissing {
                key: ForeignKey::RepositoriesParentId,
            },
        ),
    }
}

/// [`live_parent`], locked `FOR SHARE` as the PostgreSQL adapter does (a transaction
/// renaming, moving or deleting the parent waits, and waits for it).
pub(crate) fn lock_live_parent(
    db: &mut Db,
    path: &RepositoryPath,
) -> StoreResult<Option<RepositoryId>> {
    let parent = live_parent(db, path)?;
    if let Some(parent) = parent {
        db.lock_row(Table::Repositories, i64::from(parent.get()), Mode::Share)?;
    }
    Ok(parent)
}

/// The live repositories below `path` (paths starting with `path/`), ordered by path.
fn live_descendants(db: &Db, path: &RepositoryPath) -> Vec<Arc<Repository>> {
    let table = db.t::<Repositories>();
    // Every path starting with "p/" lies in ["p/", "p0"): '0' is the byte after '/'.
    table
        .unique_range(
            UniqueKey::RepositoriesLivePath,
            IndexKey::text(&format!("{path}/")),
            IndexKey::text(&format!("{path}0")),
        )
        .into_iter()
        .filter_map(|id| table.get_visible(id).cloned())
        .collect()
}

fn live_repository(db: &Db, repository: Ref<Repository>) -> StoreResult<Arc<Repository>> {
    let table = db.t::<Repositories>();
    match repository {
        Ref::Id(id) => table.get_visible(i64::from(id.get())),
        Ref::Uuid(uuid) => table
            .get_by_uuid(&uuid)
            .filter(|row| <Repositories as crate::table::TableDef>::visible(row)),
    }
    .cloned()
    .ok_or_else(|| StoreError::not_found(Table::Repositories, repository.lookup()))
}

/// `descendants_of(id)`.
pub(crate) fn descendants_of(db: &Db, repository: Ref<Repository>) -> StoreResult<Vec<Repository>> {
    let row = live_repository(db, repository)?;
    Ok(crud::owned(live_descendants(db, &row.path)))
}

/// `ancestors_of(id)`: the live repositories at each ancestor path, nearest first.
pub(crate) fn ancestors_of(db: &Db, repository: Ref<Repository>) -> StoreResult<Vec<Repository>> {
    let row = live_repository(db, repository)?;
    let mut out = Vec::new();
    let mut next = row.path.parent();
    while let Some(path) = next {
        if let Some(ancestor) = live_at(db, path.as_str()) {
            out.push(Repository::clone(&ancestor));
        }
        next = path.parent();
    }
    Ok(out)
}

/// `siblings_of(id)`: live rows with the same `parent_id` (NULL for top-level ones), itself
/// excluded, ordered by path.
pub(crate) fn siblings_of(db: &Db, repository: Ref<Repository>) -> StoreResult<Vec<Repository>> {
    let row = live_repository(db, repository)?;
    let table = db.t::<Repositories>();
    let parent = row
        .parent_id
        .map_or(IndexKey::Null, |p| IndexKey::Int(i64::from(p.get())));
    let mut siblings: Vec<Repository> = table
        .children_of(ForeignKey::RepositoriesParentId, &parent)
        .into_iter()
        .filter(|sibling| *sibling != i64::from(row.id.get()))
        .filter_map(|sibling| table.get_visible(sibling).map(|r| Repository::clone(r)))
        .collect();
    siblings.sort_by(|a, b| a.path.as_str().cmp(b.path.as_str()));
    Ok(siblings)
}

/// `soft_delete(id)`: one UPDATE setting `deleted_at = updated_at = now` on the row and its
/// live descendants.
pub(crate) fn soft_delete(
    db: &mut Db,
    cx: &Cx<'_>,
    repository: Ref<Repository>,
) -> StoreResult<u64> {
    let row = live_repository(db, repository)?;
    let mut rows = vec![row.clone()];
    rows.extend(live_descendants(db, &row.path));
    let n = rows.len() as u64;
    let deleted = rows
        .into_iter()
        .map(|r| Repository {
            deleted_at: Some(cx.now),
            updated_at: cx.now,
            ..Repository::clone(&r)
        })
        .collect();
    update_statement::<Repositories>(db, deleted)?;
    Ok(n)
}

/// `update_by_id` on repositories: a rename or move with the whole live subtree.
pub(crate) fn update_repository(
    db: &mut Db,
    cx: &Cx<'_>,
    id: i64,
    patch: &RepositoryPatch,
) -> StoreResult<Arc<Repository>> {
    let row = db
        .t::<Repositories>()
        .get_visible(id)
        .cloned()
        .ok_or(StoreError::not_found(Table::Repositories, Lookup::Id))?;
    let stamp_only = |db: &mut Db| {
        single(update_statement::<Repositories>(
            db,
            vec![Repository {
                updated_at: cx.now,
                ..Repository::clone(&row)
            }],
        )?)
    };
    let Some(new_path) = &patch.path else {
        return stamp_only(db);
    };
    // A new path: the row is locked `FOR UPDATE` first, as in the PostgreSQL adapter.
    db.lock_row(Table::Repositories, id, Mode::Update)?;
    if *new_path == row.path {
        return stamp_only(db);
    }
    if new_path.is_below(&row.path) {
        return Err(StoreError::invalid(
            "path",
            Rule::Invariant(NOT_BELOW_ITSELF),
        ));
    }
    let parent_id = lock_live_parent(db, new_path)?;
    let descendants = live_descendants(db, &row.path);
    let mut rewritten = Vec::with_capacity(descendants.len());
    for descendant in &descendants {
        let path = descendant.path.rebase(&row.path, new_path)?;
        rewritten.push(Repository {
            path,
            updated_at: cx.now,
            ..Repository::clone(descendant)
        });
    }
    let moved = single(update_statement::<Repositories>(
        db,
        vec![Repository {
            name: new_path.name().to_owned(),
            path: new_path.clone(),
            parent_id,
            updated_at: cx.now,
            ..Repository::clone(&row)
        }],
    )?)?;
    update_statement::<Repositories>(db, rewritten)?;
    Ok(moved)
}

/// The deployments' insert and `create_next_version`.
pub(crate) fn insert_deployment(
    db: &mut Db,
    cx: &Cx<'_>,
    new: &containerpub_domain::NewDeployment,
) -> StoreResult<Deployment> {
    let row = crud::insert::<Deployments>(db, cx, new)?;
    Ok(Deployment::clone(&row))
}
