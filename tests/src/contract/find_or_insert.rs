//! Create-or-find (`find_or_insert(new, key)`): the existing row untouched or the input
//! inserted, telling which; no write and no sequence value when the row exists; race-safe.

use std::sync::Arc;

use containerpub_domain::{NewFunction, NewOrganization, NewRepository, NewUser, UserId};
use containerpub_ports::{
    Filter, ForeignKey, Found, FunctionKey, OrganizationKey, Query, RepositoryKey, StoreError,
    Stores, Transaction, UniqueKey, UserKey,
};
use tokio::sync::Barrier;

use super::seed::{email, hash, name, new_user, path};
use super::{ContractStore, Fixture};

/// `find_or_insert` on users (by e-mail and by uuid), functions (by owner and name),
/// organizations (by name: the existing one's memberships are left alone) and repositories
/// (by live path: a soft-deleted holder does not count): `Inserted` with the stamps of an
/// insert, then `Existing` equal to the stored row (no stamp moves, no column taken from the
/// input), and the next insert gets the next id (the `Existing` calls took no sequence
/// value, unlike `upsert`). Errors are `insert`'s, except a `Conflict` on the key itself.
#[allow(clippy::too_many_lines)]
pub async fn find_or_insert_creates_or_finds<U: ContractStore>(fx: Fixture<U>) {
    let users = fx.db.users();
    let t0 = fx.now();
    let first = users
        .find_or_insert(new_user("ann@example.com"), UserKey::Email)
        .await
        .expect("find_or_insert");
    let Found::Inserted(ann) = first else {
        panic!("expected Inserted, got {first:?}")
    };
    assert_eq!(ann.id, UserId::new(1));
    assert_eq!((ann.created_at, ann.updated_at), (t0, t0));
    fx.tick();
    // Same e-mail, another uuid and a password hash: the stored row, untouched.
    let again = NewUser::new(email("ann@example.com")).with_password_hash(hash("h"));
    assert_eq!(
        users.find_or_insert(again.clone(), UserKey::Email).await,
        Ok(Found::Existing(ann.clone()))
    );
    let by_uuid = NewUser {
        uuid: ann.uuid,
        ..new_user("other@example.com")
    };
    assert_eq!(
        users.find_or_insert(by_uuid.clone(), UserKey::Uuid).await,
        Ok(Found::Existing(ann.clone()))
    );
    assert_eq!(users.find_by_id(ann.id).await, Ok(Some(ann.clone())));
    // No sequence value was taken by the two `Existing` calls.
    let bob = users
        .insert(new_user("bob@example.com"))
        .await
        .expect("insert");
    assert_eq!(bob.id, UserId::new(2));
    // A conflict on another key than the one named is insert's `Conflict`.
    assert_eq!(
        users.find_or_insert(by_uuid, UserKey::Email).await,
        Err(StoreError::Conflict {
            key: UniqueKey::UsersUuid
        })
    );
    assert_eq!(users.count(Filter::All).await, Ok(2));

    // Functions by (owner, name); a missing owner is insert's `ReferenceMissing`.
    let functions = fx.db.functions();
    let f = functions
        .find_or_insert(
            NewFunction::new(ann.id, name("api")),
            FunctionKey::OwnerAndName,
        )
        .await
        .expect("find_or_insert")
        .into_inner();
    let found = functions
        .find_or_insert(
            NewFunction::new(ann.id, name("api")),
            FunctionKey::OwnerAndName,
        )
        .await;
    assert_eq!(found, Ok(Found::Existing(f.clone())));
    let other_owner = functions
        .find_or_insert(
            NewFunction::new(bob.id, name("api")),
            FunctionKey::OwnerAndName,
        )
        .await
        .expect("find_or_insert");
    assert!(other_owner.was_inserted());
    assert_eq!(
        functions
            .find_or_insert(
                NewFunction::new(UserId::new(999), name("api")),
                FunctionKey::OwnerAndName
            )
            .await,
        Err(StoreError::ReferenceMissing {
            key: ForeignKey::FunctionsUserId
        })
    );

    // Organizations by name: the existing one is returned, no membership is added.
    let orgs = fx.db.organizations();
    let acme = orgs
        .find_or_insert(
            NewOrganization::new(name("acme"), ann.uuid),
            OrganizationKey::Name,
        )
        .await
        .expect("find_or_insert");
    assert!(acme.was_inserted());
    let acme = acme.into_inner();
    assert_eq!(
        orgs.find_or_insert(
            NewOrganization::new(name("acme"), bob.uuid),
            OrganizationKey::Name
        )
        .await,
        Ok(Found::Existing(acme.clone()))
    );
    assert_eq!(fx.db.organization_members().count(Filter::All).await, Ok(1));

    // Repositories by live path.
    let repos = fx.db.repositories();
    let top = repos
        .find_or_insert(NewRepository::new(path("acme")), RepositoryKey::LivePath)
        .await
        .expect("find_or_insert");
    assert!(top.was_inserted());
    let top = top.into_inner();
    assert_eq!(
        repos
            .find_or_insert(NewRepository::new(path("acme")), RepositoryKey::LivePath)
            .await,
        Ok(Found::Existing(top.clone()))
    );
    assert_eq!(
        repos
            .find_or_insert(NewRepository::new(path("x/y")), RepositoryKey::LivePath)
            .await,
        Err(StoreError::ReferenceMissing {
            key: ForeignKey::RepositoriesParentId
        })
    );
    assert_eq!(repos.soft_delete(top.id.into()).await, Ok(1));
    let again = repos
        .find_or_insert(NewRepository::new(path("acme")), RepositoryKey::LivePath)
        .await
        .expect("find_or_insert");
    assert!(again.was_inserted(), "a soft-deleted holder does not count");
    assert_ne!(again.row().id, top.id);

    // Inside a transaction: it sees the transaction's own rows; a rollback undoes an insert.
    let tx = fx.db.begin().await.expect("begin");
    let carl = tx
        .users()
        .find_or_insert(new_user("carl@example.com"), UserKey::Email)
        .await
        .expect("find_or_insert");
    assert!(carl.was_inserted());
    assert_eq!(
        tx.users()
            .find_or_insert(new_user("carl@example.com"), UserKey::Email)
            .await,
        Ok(Found::Existing(carl.row().clone()))
    );
    tx.rollback().await.expect("rollback");
    assert_eq!(
        users
            .find_all(Query::filter(
                containerpub_ports::UserField::Email.eq(email("carl@example.com"))
            ))
            .await,
        Ok(vec![])
    );
}

/// 32 concurrent callers on one key (each in its own transaction, started together): one
/// inserts, every caller gets the same row, one row exists. The same with plain calls.
pub async fn find_or_insert_is_race_safe<U: ContractStore>(fx: Fixture<U>) {
    for in_transactions in [true, false] {
        let address = if in_transactions {
            "race@example.com"
        } else {
            "plain@example.com"
        };
        let barrier = Arc::new(Barrier::new(32));
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let db = fx.db.clone();
            let barrier = Arc::clone(&barrier);
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                let new = new_user(address);
                if in_transactions {
                    let tx = db.begin().await.expect("begin");
                    let found = tx
                        .users()
                        .find_or_insert(new, UserKey::Email)
                        .await
                        .expect("find_or_insert");
                    tx.commit().await.expect("commit");
                    found
                } else {
                    db.users()
                        .find_or_insert(new, UserKey::Email)
                        .await
                        .expect("find_or_insert")
                }
            }));
        }
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.expect("task"));
        }
        let inserted = results.iter().filter(|r| r.was_inserted()).count();
        assert_eq!(inserted, 1, "exactly one caller inserts");
        let first = results[0].row().clone();
        assert!(results.iter().all(|r| *r.row() == first), "one row for all");
        assert_eq!(
            fx.db
                .users()
                .count(containerpub_ports::UserField::Email.eq(email(address)))
                .await,
            Ok(1)
        );
    }
}
