//! The description of `users`: accounts.

use containerpub_domain::{NewUser, PasswordHash, Timestamp, User, UserId, UserPatch};
use containerpub_ports::{StoreResult, Table, UserField, UserKey};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::Value;

use crate::entity::user;

use super::check::Check;
use super::def::{TableDef, UpsertTarget};
use super::values::ts_value;

/// `users`
pub(crate) struct Users;

impl TableDef for Users {
    type Entity = user::Entity;
    type Model = user::Model;
    type ActiveModel = user::ActiveModel;
    type Column = user::Column;
    type Field = UserField;
    type Domain = User;
    type Id = UserId;
    type New = NewUser;
    type Patch = UserPatch;
    type Key = UserKey;
    const TABLE: Table = Table::Users;

    fn column(field: UserField) -> user::Column {
        use user::Column as C;
        match field {
            UserField::Id => C::Id,
            UserField::Uuid => C::Uuid,
            UserField::Email => C::Email,
            UserField::CreatedAt => C::CreatedAt,
            UserField::UpdatedAt => C::UpdatedAt,
        }
    }

    fn id_value(id: UserId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<user::Column> {
        Some(user::Column::Uuid)
    }
    fn updated_at() -> Option<user::Column> {
        Some(user::Column::UpdatedAt)
    }

    fn from_model(m: user::Model) -> StoreResult<User> {
        let c = Check(Table::Users, m.uuid);
        Ok(User {
            id: UserId::new(m.id),
            uuid: m.uuid,
            email: c.email("email", &m.email)?,
            password_hash: m
                .password_hash
                .map(|h| c.wrap("password_hash", PasswordHash::new(h)))
                .transpose()?,
            created_at: c.ts("created_at", m.created_at)?,
            updated_at: c.ts("updated_at", m.updated_at)?,
        })
    }

    fn new_row(new: NewUser, now: Timestamp) -> user::ActiveModel {
        user::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            email: Set(new.email.as_str().to_owned()),
            password_hash: Set(new.password_hash.map(|h| h.expose().to_owned())),
            created_at: Set(ts_value(now)),
            updated_at: Set(ts_value(now)),
        }
    }

    fn patch_values(patch: UserPatch) -> Vec<(user::Column, Value)> {
        let mut out = Vec::new();
        if let Some(email) = patch.email {
            out.push((user::Column::Email, Value::from(email.as_str().to_owned())));
        }
        if let Some(hash) = patch.password_hash {
            out.push((
                user::Column::PasswordHash,
                Value::from(hash.map(|h| h.expose().to_owned())),
            ));
        }
        out
    }

    fn upsert_target(key: UserKey) -> UpsertTarget<user::Column> {
        use user::Column as C;
        match key {
            UserKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[C::Email, C::PasswordHash, C::UpdatedAt],
                live_only: false,
            },
            UserKey::Email => UpsertTarget {
                columns: &[C::Email],
                updates: &[C::PasswordHash, C::UpdatedAt],
                live_only: false,
            },
        }
    }
}
