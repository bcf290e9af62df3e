//! The description of `users`.

use std::sync::Arc;

use containerpub_domain::{NewUser, Timestamp, User, UserId, UserPatch};
use containerpub_ports::{StoreResult, Table, UniqueKey, UserField};

use crate::db::{Db, Undo, UndoLog};
use crate::rows::TableState;

use super::def::TableDef;
use super::id32;

/// `users`.
pub(crate) enum Users {}

impl TableDef for Users {
    type Row = User;
    type Field = UserField;
    type New = NewUser;
    type Patch = UserPatch;
    type Prep = ();

    const TABLE: Table = Table::Users;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::UsersUuid);

    table_slot!(users, User);
    fn prepare(_db: &mut Db, _new: &NewUser) -> StoreResult<()> {
        Ok(())
    }
    fn build(new: &NewUser, (): (), id: i64, now: Timestamp) -> StoreResult<User> {
        Ok(User {
            id: UserId::new(id32(id)?),
            uuid: new.uuid,
            email: new.email.clone(),
            password_hash: new.password_hash.clone(),
            created_at: now,
            updated_at: now,
        })
    }
    fn patch(row: &User, patch: &UserPatch, now: Timestamp) -> StoreResult<User> {
        let mut row = row.clone();
        if let Some(email) = &patch.email {
            row.email = email.clone();
        }
        if let Some(hash) = &patch.password_hash {
            row.password_hash = hash.clone();
        }
        row.updated_at = now;
        Ok(row)
    }
    fn upsert_update(row: &User, new: &NewUser, now: Timestamp) -> User {
        User {
            email: new.email.clone(),
            password_hash: new.password_hash.clone(),
            updated_at: now,
            ..row.clone()
        }
    }
}
