//! The description of `user_information`.

use std::sync::Arc;

use containerpub_domain::{
    NewUserInformation, Timestamp, UserInformation, UserInformationId, UserInformationPatch,
};
use containerpub_ports::{StoreResult, Table, UniqueKey, UserInformationField};

use crate::db::{Db, Undo, UndoLog};
use crate::rows::TableState;

use super::def::TableDef;
use super::id32;

/// `user_information`.
pub(crate) enum Profiles {}

impl TableDef for Profiles {
    type Row = UserInformation;
    type Field = UserInformationField;
    type New = NewUserInformation;
    type Patch = UserInformationPatch;
    type Prep = ();

    const TABLE: Table = Table::UserInformation;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::UserInformationUuid);

    table_slot!(profiles, UserInformation);
    fn prepare(_db: &mut Db, _new: &NewUserInformation) -> StoreResult<()> {
        Ok(())
    }
    fn build(
        new: &NewUserInformation,
        (): (),
        id: i64,
        now: Timestamp,
    ) -> StoreResult<UserInformation> {
        Ok(fresh(new, UserInformationId::new(id32(id)?), now))
    }
    fn patch(
        row: &UserInformation,
        patch: &UserInformationPatch,
        now: Timestamp,
    ) -> StoreResult<UserInformation> {
        fn set<T: Clone>(column: &mut T, value: Option<&T>) {
            if let Some(value) = value {
                column.clone_from(value);
            }
        }
        let mut row = row.clone();
        set(&mut row.first_name, patch.first_name.as_ref());
        set(&mut row.last_name, patch.last_name.as_ref());
        set(&mut row.phone_number, patch.phone_number.as_ref());
        set(&mut row.country, patch.country.as_ref());
        set(&mut row.city, patch.city.as_ref());
        set(&mut row.address, patch.address.as_ref());
        set(&mut row.zip_code, patch.zip_code.as_ref());
        set(&mut row.avatar, patch.avatar.as_ref());
        set(&mut row.role, patch.role.as_ref());
        row.updated_at = now;
        Ok(row)
    }
    fn upsert_update(
        row: &UserInformation,
        new: &NewUserInformation,
        now: Timestamp,
    ) -> UserInformation {
        // Every profile column; the identity (id, uuid, the user's uuid) and
        // `created_at` are kept.
        UserInformation {
            uuid: row.uuid,
            user_uuid: row.user_uuid,
            created_at: row.created_at,
            ..fresh(new, row.id, now)
        }
    }
}

/// The row `new` describes under `id`, stamped `now`.
fn fresh(new: &NewUserInformation, id: UserInformationId, now: Timestamp) -> UserInformation {
    UserInformation {
        id,
        uuid: new.uuid,
        user_uuid: new.user_uuid,
        first_name: new.first_name.clone(),
        last_name: new.last_name.clone(),
        phone_number: new.phone_number.clone(),
        country: new.country.clone(),
        city: new.city.clone(),
        address: new.address.clone(),
        zip_code: new.zip_code.clone(),
        avatar: new.avatar.clone(),
        role: new.role,
        created_at: now,
        updated_at: now,
    }
}
