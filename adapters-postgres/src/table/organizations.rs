//! The description of `organizations`.

use std::future::Future;

use containerpub_domain::{
    NewOrganization, Organization, OrganizationId, OrganizationPatch, Timestamp,
};
use containerpub_ports::{OrganizationField, OrganizationKey, StoreResult, Table, Upserted};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::Value;

use crate::batch::BatchResult;
use crate::conn::PgConn;
use crate::entity::organization;

use super::check::Check;
use super::def::{TableDef, UpsertTarget};
use super::values::ts_value;

/// `organizations` (inserts also make the owner a member: see [`crate::ops::organizations`]).
pub(crate) struct Organizations;

impl TableDef for Organizations {
    type Entity = organization::Entity;
    type Model = organization::Model;
    type ActiveModel = organization::ActiveModel;
    type Column = organization::Column;
    type Field = OrganizationField;
    type Domain = Organization;
    type Id = OrganizationId;
    type New = NewOrganization;
    type Patch = OrganizationPatch;
    type Key = OrganizationKey;
    const TABLE: Table = Table::Organizations;
    const INSERT_NEEDS_TX: bool = true;
    const UPSERT_NEEDS_TX: bool = true;

    fn column(field: OrganizationField) -> organization::Column {
        use organization::Column as C;
        match field {
            OrganizationField::Id => C::Id,
            OrganizationField::Uuid => C::Uuid,
            OrganizationField::Name => C::Name,
            OrganizationField::OwnerId => C::OwnerId,
            OrganizationField::CreatedAt => C::CreatedAt,
            OrganizationField::UpdatedAt => C::UpdatedAt,
        }
    }

    fn id_value(id: OrganizationId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<organization::Column> {
        Some(organization::Column::Uuid)
    }
    fn updated_at() -> Option<organization::Column> {
        Some(organization::Column::UpdatedAt)
    }

    fn from_model(m: organization::Model) -> StoreResult<Organization> {
        let c = Check(Table::Organizations, m.uuid);
        Ok(Organization {
            id: OrganizationId::new(m.id),
            uuid: m.uuid,
            name: c.name("name", m.name)?,
            owner_uuid: m.owner_id,
            created_at: c.ts("created_at", m.created_at)?,
            updated_at: c.ts("updated_at", m.updated_at)?,
        })
    }

    fn new_row(new: NewOrganization, now: Timestamp) -> organization::ActiveModel {
        organization::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            name: Set(new.name.into_inner()),
            owner_id: Set(new.owner_uuid),
            created_at: Set(ts_value(now)),
            updated_at: Set(ts_value(now)),
        }
    }

    fn patch_values(patch: OrganizationPatch) -> Vec<(organization::Column, Value)> {
        let mut out = Vec::new();
        if let Some(name) = patch.name {
            out.push((organization::Column::Name, Value::from(name.into_inner())));
        }
        if let Some(owner) = patch.owner_uuid {
            out.push((organization::Column::OwnerId, Value::from(owner)));
        }
        out
    }

    fn upsert_target(key: OrganizationKey) -> UpsertTarget<organization::Column> {
        use organization::Column as C;
        match key {
            OrganizationKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[C::Name, C::OwnerId, C::UpdatedAt],
                live_only: false,
            },
            OrganizationKey::Name => UpsertTarget {
                columns: &[C::Name],
                updates: &[C::OwnerId, C::UpdatedAt],
                live_only: false,
            },
        }
    }

    fn insert_rows<D: PgConn>(
        db: &D,
        rows: Vec<NewOrganization>,
        now: Timestamp,
    ) -> impl Future<Output = BatchResult<Vec<Organization>>> + Send {
        crate::ops::organizations::insert_rows(db, rows, now)
    }

    fn upsert_row<D: PgConn>(
        db: &D,
        new: NewOrganization,
        key: OrganizationKey,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Upserted<Organization>>> + Send {
        crate::ops::organizations::upsert_row(db, new, key, now)
    }
}
