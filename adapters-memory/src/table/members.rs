//! The description of `organization_members`.

use std::sync::Arc;

use containerpub_domain::{
    NewOrganizationMember, OrganizationMember, OrganizationMemberId, OrganizationMemberPatch,
    Timestamp,
};
use containerpub_ports::{OrganizationMemberField, StoreResult, Table, UniqueKey};

use crate::db::{Db, Undo, UndoLog};
use crate::rows::TableState;

use super::def::TableDef;
use super::id32;

/// `organization_members`.
pub(crate) enum Members {}

impl TableDef for Members {
    type Row = OrganizationMember;
    type Field = OrganizationMemberField;
    type New = NewOrganizationMember;
    type Patch = OrganizationMemberPatch;
    type Prep = ();

    const TABLE: Table = Table::OrganizationMembers;
    const UUID_KEY: Option<UniqueKey> = None;

    table_slot!(members, OrganizationMember);
    fn prepare(_db: &mut Db, _new: &NewOrganizationMember) -> StoreResult<()> {
        Ok(())
    }
    fn build(
        new: &NewOrganizationMember,
        (): (),
        id: i64,
        now: Timestamp,
    ) -> StoreResult<OrganizationMember> {
        Ok(OrganizationMember {
            id: OrganizationMemberId::new(id32(id)?),
            organization_uuid: new.organization_uuid,
            user_uuid: new.user_uuid,
            joined_at: now,
        })
    }
    /// The table has no `updated_at`: only the organization changes.
    fn patch(
        row: &OrganizationMember,
        patch: &OrganizationMemberPatch,
        _now: Timestamp,
    ) -> StoreResult<OrganizationMember> {
        let mut row = row.clone();
        if let Some(organization) = patch.organization_uuid {
            row.organization_uuid = organization;
        }
        Ok(row)
    }
    fn upsert_update(
        row: &OrganizationMember,
        new: &NewOrganizationMember,
        now: Timestamp,
    ) -> OrganizationMember {
        OrganizationMember {
            organization_uuid: new.organization_uuid,
            joined_at: now,
            ..row.clone()
        }
    }
}
