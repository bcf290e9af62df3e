//! The description of `organizations`.

use std::sync::Arc;

use containerpub_domain::{
    NewOrganization, NewOrganizationMember, Organization, OrganizationId, OrganizationPatch,
    Timestamp,
};
use containerpub_ports::{OrganizationField, StoreResult, Table, UniqueKey};

use crate::crud;
use crate::db::{Db, Undo, UndoLog};
use crate::rows::TableState;
use crate::sequences::Cx;

use super::Members;
use super::def::TableDef;
use super::id32;

/// `organizations`.
pub(crate) enum Organizations {}

impl TableDef for Organizations {
    type Row = Organization;
    type Field = OrganizationField;
    type New = NewOrganization;
    type Patch = OrganizationPatch;
    type Prep = ();

    const TABLE: Table = Table::Organizations;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::OrganizationsUuid);

    table_slot!(organizations, Organization);
    fn prepare(_db: &mut Db, _new: &NewOrganization) -> StoreResult<()> {
        Ok(())
    }
    fn build(new: &NewOrganization, (): (), id: i64, now: Timestamp) -> StoreResult<Organization> {
        Ok(Organization {
            id: OrganizationId::new(id32(id)?),
            uuid: new.uuid,
            name: new.name.clone(),
            owner_uuid: new.owner_uuid,
            created_at: now,
            updated_at: now,
        })
    }
    fn patch(
        row: &Organization,
        patch: &OrganizationPatch,
        now: Timestamp,
    ) -> StoreResult<Organization> {
        let mut row = row.clone();
        if let Some(name) = &patch.name {
            row.name = name.clone();
        }
        if let Some(owner) = patch.owner_uuid {
            row.owner_uuid = owner;
        }
        row.updated_at = now;
        Ok(row)
    }
    fn upsert_update(row: &Organization, new: &NewOrganization, now: Timestamp) -> Organization {
        Organization {
            name: new.name.clone(),
            owner_uuid: new.owner_uuid,
            updated_at: now,
            ..row.clone()
        }
    }
    /// The owners' memberships: one more INSERT into `organization_members` after each
    /// statement of organizations; in a batch, a membership's error names its organization's
    /// row.
    fn after_insert(
        db: &mut Db,
        cx: &Cx<'_>,
        rows: &[Arc<Organization>],
        first: Option<usize>,
    ) -> StoreResult<()> {
        let members: Vec<NewOrganizationMember> = rows
            .iter()
            .map(|org| NewOrganizationMember {
                organization_uuid: org.uuid,
                user_uuid: org.owner_uuid,
            })
            .collect();
        crud::insert_batch_from::<Members>(db, cx, &members, first).map(drop)
    }
}
