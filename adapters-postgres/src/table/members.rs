//! The description of `organization_members`.

use containerpub_domain::{
    NewOrganizationMember, OrganizationMember, OrganizationMemberId, OrganizationMemberPatch,
    Timestamp,
};
use containerpub_ports::{OrganizationMemberField, OrganizationMemberKey, StoreResult, Table};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::Value;

use crate::entity::member;

use super::check::Check;
use super::def::{TableDef, UpsertTarget};
use super::values::ts_value;

/// `organization_members`
pub(crate) struct Members;

impl TableDef for Members {
    type Entity = member::Entity;
    type Model = member::Model;
    type ActiveModel = member::ActiveModel;
    type Column = member::Column;
    type Field = OrganizationMemberField;
    type Domain = OrganizationMember;
    type Id = OrganizationMemberId;
    type New = NewOrganizationMember;
    type Patch = OrganizationMemberPatch;
    type Key = OrganizationMemberKey;
    const TABLE: Table = Table::OrganizationMembers;

    fn column(field: OrganizationMemberField) -> member::Column {
        use member::Column as C;
        match field {
            OrganizationMemberField::Id => C::Id,
            OrganizationMemberField::OrganizationId => C::OrganizationId,
            OrganizationMemberField::UserId => C::UserId,
            OrganizationMemberField::JoinedAt => C::JoinedAt,
        }
    }

    fn id_value(id: OrganizationMemberId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<member::Column> {
        None
    }
    fn updated_at() -> Option<member::Column> {
        None
    }

    fn from_model(m: member::Model) -> StoreResult<OrganizationMember> {
        let c = Check(Table::OrganizationMembers, m.user_id);
        Ok(OrganizationMember {
            id: OrganizationMemberId::new(m.id),
            organization_uuid: m.organization_id,
            user_uuid: m.user_id,
            joined_at: c.ts("joined_at", m.joined_at)?,
        })
    }

    fn new_row(new: NewOrganizationMember, now: Timestamp) -> member::ActiveModel {
        member::ActiveModel {
            id: NotSet,
            organization_id: Set(new.organization_uuid),
            user_id: Set(new.user_uuid),
            joined_at: Set(ts_value(now)),
        }
    }

    fn patch_values(patch: OrganizationMemberPatch) -> Vec<(member::Column, Value)> {
        patch
            .organization_uuid
            .map(|org| (member::Column::OrganizationId, Value::from(org)))
            .into_iter()
            .collect()
    }

    fn upsert_target(key: OrganizationMemberKey) -> UpsertTarget<member::Column> {
        use member::Column as C;
        match key {
            OrganizationMemberKey::User => UpsertTarget {
                columns: &[C::UserId],
                updates: &[C::OrganizationId, C::JoinedAt],
                live_only: false,
            },
        }
    }
}
