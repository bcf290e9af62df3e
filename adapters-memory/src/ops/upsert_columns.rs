//! `UserWriter::upsert_updating` in memory: inside the call's one atomic step, the input's
//! columns that the update branch must not take are replaced by the holder's stored values,
//! then the ordinary upsert runs (so its checks, sequence value and stamps are `upsert`'s,
//! and an untaken column, holding the stored value, can neither change nor conflict).

use containerpub_domain::NewUser;
use containerpub_ports::{UserColumn, UserKey};

use crate::crud;
use crate::db::Db;
use crate::index::IndexKey;
use crate::table::Users;

/// `new` with the columns not in `update` taken from the row holding `key`'s value (if any).
pub(crate) fn keep_unchosen(
    db: &Db,
    new: &NewUser,
    key: UserKey,
    update: &[UserColumn],
) -> NewUser {
    let value = match key {
        UserKey::Uuid => IndexKey::Uuid(new.uuid),
        UserKey::Email => IndexKey::text(new.email.as_str()),
    };
    let Some(holder) = crud::find_by_key::<Users>(db, key.unique_key(), &value) else {
        return new.clone();
    };
    let mut new = new.clone();
    if !update.contains(&UserColumn::Email) {
        new.email = holder.email.clone();
    }
    if !update.contains(&UserColumn::PasswordHash) {
        new.password_hash = holder.password_hash.clone();
    }
    new
}
