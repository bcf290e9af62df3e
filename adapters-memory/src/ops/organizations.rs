//! Organizations and their members: every organization insert also makes the owner a member.

use std::sync::Arc;

use containerpub_domain::{
    MemberProfile, NewOrganization, NewOrganizationMember, Organization, OrganizationMember, Rule,
    Uuid,
};
use containerpub_ports::{ForeignKey, Lookup, StoreError, StoreResult, Table, UniqueKey};

use crate::crud::{self, find_by_key};
use crate::db::Db;
use crate::foreign_keys::delete_rows;
use crate::index::IndexKey;
use crate::ops::internal_missing;
use crate::sequences::Cx;
use crate::table::{Members, Organizations, Profiles, Users};

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
