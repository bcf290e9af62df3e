//! Upserts with chosen update columns (`UserWriter::upsert_updating`).

use containerpub_domain::{NewUser, User, UserId};
use containerpub_ports::{StoreError, UniqueKey, Upserted, UserColumn, UserKey};

use super::seed::{email, hash, new_user};
use super::{ContractStore, Fixture};

fn hash_of(user: &User) -> Option<&str> {
    user.password_hash.as_ref().map(|h| h.expose())
}

/// `upsert_updating` takes only the chosen columns in its update branch (an upsert by
/// e-mail without a hash leaves the stored hash alone), stamps `updated_at`, takes a
/// sequence value as `upsert` does, cannot conflict on a column it does not take, and
/// inserts the whole input when no row holds the key; plain `upsert` keeps its documented
/// default (every non-key column, so a missing hash clears the stored one).
#[allow(clippy::too_many_lines)]
pub async fn users_upsert_with_chosen_columns<U: ContractStore>(fx: Fixture<U>) {
    let users = fx.db.users();
    let ann = users
        .insert(new_user("ann@example.com").with_password_hash(hash("h1")))
        .await
        .expect("insert");
    let bob = users
        .insert(new_user("bob@example.com"))
        .await
        .expect("insert");
    let t1 = fx.tick();

    // By e-mail, no column chosen: only `updated_at` changes; the hash stays.
    let got = users
        .upsert_updating(new_user("ann@example.com"), UserKey::Email, vec![])
        .await
        .expect("upsert_updating");
    let Upserted::Updated(row) = got else {
        panic!("expected Updated, got {got:?}")
    };
    assert_eq!(
        row,
        User {
            updated_at: t1,
            ..ann.clone()
        }
    );
    assert_eq!(hash_of(&row), Some("h1"));
    // Choosing the hash takes it.
    let t2 = fx.tick();
    let row = users
        .upsert_updating(
            new_user("ann@example.com").with_password_hash(hash("h2")),
            UserKey::Email,
            vec![UserColumn::PasswordHash, UserColumn::Email],
        )
        .await
        .expect("upsert_updating")
        .into_inner();
    assert_eq!(
        (hash_of(&row), row.updated_at, row.id),
        (Some("h2"), t2, ann.id)
    );

    // By uuid: an e-mail not chosen is neither taken nor checked (bob's e-mail is held).
    let by_uuid = NewUser {
        uuid: ann.uuid,
        ..new_user("bob@example.com")
    };
    let row = users
        .upsert_updating(
            by_uuid.clone(),
            UserKey::Uuid,
            vec![UserColumn::PasswordHash],
        )
        .await
        .expect("upsert_updating")
        .into_inner();
    assert_eq!(row.email, email("ann@example.com"));
    assert_eq!(
        hash_of(&row),
        None,
        "the hash was chosen: the input has none"
    );
    // Chosen, it conflicts.
    assert_eq!(
        users
            .upsert_updating(by_uuid, UserKey::Uuid, vec![UserColumn::Email])
            .await,
        Err(StoreError::Conflict {
            key: UniqueKey::UsersEmail
        })
    );
    // No holder: the whole input is inserted.
    let carl = users
        .upsert_updating(
            new_user("carl@example.com").with_password_hash(hash("h3")),
            UserKey::Email,
            vec![],
        )
        .await
        .expect("upsert_updating");
    assert!(carl.was_inserted());
    assert_eq!(hash_of(carl.row()), Some("h3"));
    // Every upsert_updating took a sequence value (2 users, 4 upserts, then carl's): id 7.
    assert_eq!(carl.row().id, UserId::new(7));

    // Plain `upsert` keeps its default: every non-key column, the hash included.
    users
        .upsert_updating(
            new_user("bob@example.com").with_password_hash(hash("b1")),
            UserKey::Email,
            vec![UserColumn::PasswordHash],
        )
        .await
        .expect("set bob's hash");
    let row = users
        .upsert(new_user("bob@example.com"), UserKey::Email)
        .await
        .expect("upsert")
        .into_inner();
    assert_eq!((row.id, hash_of(&row)), (bob.id, None));
}
