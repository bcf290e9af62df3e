//! The description of `user_information`: profiles.

use containerpub_domain::{
    NewUserInformation, Role, Timestamp, UserInformation, UserInformationId, UserInformationPatch,
};
use containerpub_ports::{StoreResult, Table, UserInformationField, UserInformationKey};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::Value;

use crate::entity::profile;

use super::check::Check;
use super::def::{TableDef, UpsertTarget};
use super::values::{opt_string, set_opt_text, ts_value};

/// `user_information`
pub(crate) struct Profiles;

impl TableDef for Profiles {
    type Entity = profile::Entity;
    type Model = profile::Model;
    type ActiveModel = profile::ActiveModel;
    type Column = profile::Column;
    type Field = UserInformationField;
    type Domain = UserInformation;
    type Id = UserInformationId;
    type New = NewUserInformation;
    type Patch = UserInformationPatch;
    type Key = UserInformationKey;
    const TABLE: Table = Table::UserInformation;

    fn column(field: UserInformationField) -> profile::Column {
        use profile::Column as C;
        match field {
            UserInformationField::Id => C::Id,
            UserInformationField::Uuid => C::Uuid,
            UserInformationField::UserId => C::UserId,
            UserInformationField::FirstName => C::FirstName,
            UserInformationField::LastName => C::LastName,
            UserInformationField::PhoneNumber => C::PhoneNumber,
            UserInformationField::Country => C::Country,
            UserInformationField::City => C::City,
            UserInformationField::Address => C::Address,
            UserInformationField::ZipCode => C::ZipCode,
            UserInformationField::Avatar => C::Avatar,
            UserInformationField::Role => C::Role,
            UserInformationField::CreatedAt => C::CreatedAt,
            UserInformationField::UpdatedAt => C::UpdatedAt,
        }
    }

    fn id_value(id: UserInformationId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<profile::Column> {
        Some(profile::Column::Uuid)
    }
    fn updated_at() -> Option<profile::Column> {
        Some(profile::Column::UpdatedAt)
    }

    fn from_model(m: profile::Model) -> StoreResult<UserInformation> {
        let c = Check(Table::UserInformation, m.uuid);
        Ok(UserInformation {
            id: UserInformationId::new(m.id),
            uuid: m.uuid,
            user_uuid: m.user_id,
            first_name: c.opt_text("first_name", m.first_name)?,
            last_name: c.opt_text("last_name", m.last_name)?,
            phone_number: c.opt_text("phone_number", m.phone_number)?,
            country: c.opt_text("country", m.country)?,
            city: c.opt_text("city", m.city)?,
            address: c.opt_text("address", m.address)?,
            zip_code: c.opt_text("zip_code", m.zip_code)?,
            avatar: c.opt_text("avatar", m.avatar)?,
            role: c.word::<Role>("role", &m.role)?,
            created_at: c.ts("created_at", m.created_at)?,
            updated_at: c.ts("updated_at", m.updated_at)?,
        })
    }

    fn new_row(new: NewUserInformation, now: Timestamp) -> profile::ActiveModel {
        profile::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            user_id: Set(new.user_uuid),
            first_name: Set(opt_string(new.first_name)),
            last_name: Set(opt_string(new.last_name)),
            phone_number: Set(opt_string(new.phone_number)),
            country: Set(opt_string(new.country)),
            city: Set(opt_string(new.city)),
            address: Set(opt_string(new.address)),
            zip_code: Set(opt_string(new.zip_code)),
            avatar: Set(opt_string(new.avatar)),
            role: Set(new.role.as_str().to_owned()),
            created_at: Set(ts_value(now)),
            updated_at: Set(ts_value(now)),
        }
    }

    fn patch_values(patch: UserInformationPatch) -> Vec<(profile::Column, Value)> {
        use profile::Column as C;
        let mut out = Vec::new();
        set_opt_text(&mut out, C::FirstName, patch.first_name);
        set_opt_text(&mut out, C::LastName, patch.last_name);
        set_opt_text(&mut out, C::PhoneNumber, patch.phone_number);
        set_opt_text(&mut out, C::Country, patch.country);
        set_opt_text(&mut out, C::City, patch.city);
        set_opt_text(&mut out, C::Address, patch.address);
        set_opt_text(&mut out, C::ZipCode, patch.zip_code);
        set_opt_text(&mut out, C::Avatar, patch.avatar);
        if let Some(role) = patch.role {
            out.push((C::Role, Value::from(role.as_str().to_owned())));
        }
        out
    }

    fn upsert_target(key: UserInformationKey) -> UpsertTarget<profile::Column> {
        use profile::Column as C;
        const PROFILE: &[C] = &[
            C::FirstName,
            C::LastName,
            C::PhoneNumber,
            C::Country,
            C::City,
            C::Address,
            C::ZipCode,
            C::Avatar,
            C::Role,
            C::UpdatedAt,
        ];
        match key {
            UserInformationKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: PROFILE,
                live_only: false,
            },
            UserInformationKey::User => UpsertTarget {
                columns: &[C::UserId],
                updates: PROFILE,
                live_only: false,
            },
        }
    }
}
