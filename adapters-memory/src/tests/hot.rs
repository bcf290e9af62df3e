//! The committed state's hot uuid index (`crate::hot`): after every kind of committed write,
//! and after writes that are undone or rolled back, it equals a rebuild from the committed
//! rows (`MemoryStore::assert_hot_index_consistent`), and reads outside a transaction
//! through it see exactly the committed rows.

use std::pin::pin;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};

use containerpub_domain::{Email, LogLevel, NewDeployment, NewLog, NewUser, UserPatch, Uuid};
use containerpub_ports::{
    Found, StoreError, Stores, Transaction, UnitOfWork, Upserted, UserField, UserKey,
};

use super::{function, org, repo, store, text, user};
use crate::MemoryStore;
use crate::db::Undo;
use crate::hot::Hot;

fn new_user(email: &str) -> NewUser {
    NewUser::parse(email).expect("valid")
}

fn email_patch(email: &str) -> UserPatch {
    UserPatch {
        email: Some(Email::parse(email).expect("valid")),
        ..UserPatch::default()
    }
}

/// Polls a future once (with a waker that does nothing): whether it is still pending.
fn is_pending<F: Future>(future: Pin<&mut F>) -> bool {
    future
        .poll(&mut Context::from_waker(Waker::noop()))
        .is_pending()
}

/// The hot index equals a rebuild from the committed rows.
fn consistent(db: &MemoryStore) {
    db.assert_hot_index_consistent();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}

#[test]
#[should_panic(expected = "users: the hot index holds 0 uuids, the committed rows 1")]
fn the_check_finds_a_missing_entry() {
    let (db, _) = store();
    runtime().block_on(user(&db, "ada@example.com"));
    Hot::default().assert_consistent(&db.committed_db());
}

#[test]
#[should_panic(expected = "users: the hot index's entry of row 1 is stale or missing")]
fn the_check_finds_a_stale_entry() {
    let (db, _) = store();
    let rt = runtime();
    let ada = rt.block_on(user(&db, "ada@example.com"));
    let before = db.committed_db();
    let mut hot = Hot::default();
    let mut undo = Undo::default();
    undo.users.push((i64::from(ada.id.get()), None));
    hot.written(&before, &undo);
    hot.assert_consistent(&before);
    rt.block_on(
        db.users()
            .update_by_id(ada.id, email_patch("ada2@example.com")),
    )
    .expect("updated");
    hot.assert_consistent(&db.committed_db());
}

#[tokio::test]
async fn inserts_and_updates_reach_the_index() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    consistent(&db);
    let many = db
        .users()
        .insert_many(vec![
            new_user("bob@example.com"),
            new_user("cy@example.com"),
        ])
        .await
        .expect("inserted");
    consistent(&db);
    for u in &many {
        assert_eq!(db.users().find_by_uuid(u.uuid).await, Ok(Some(u.clone())));
    }
    let renamed = db
        .users()
        .update_by_id(ada.id, email_patch("ada2@example.com"))
        .await
        .expect("updated");
    consistent(&db);
    assert_eq!(db.users().find_by_uuid(ada.uuid).await, Ok(Some(renamed)));
    assert_eq!(
        db.users()
            .update_where(
                UserField::Email.starts_with("b"),
                email_patch("bo@example.com")
            )
            .await,
        Ok(1)
    );
    consistent(&db);
    let bob = db.users().find_by_uuid(many[0].uuid).await.expect("read");
    assert_eq!(
        bob.map(|u| u.email.to_string()),
        Some("bo@example.com".to_owned())
    );
}

#[tokio::test]
async fn deletes_cascades_and_set_null_reach_the_index() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    let bob = user(&db, "bob@example.com").await;
    let api = function(&db, ada.id, "api").await;
    let deployment = db
        .deployments()
        .insert(NewDeployment::new(api.id))
        .await
        .expect("deployed");
    db.deployments()
        .activate(deployment.id)
        .await
        .expect("activated");
    consistent(&db);
    // ON DELETE SET NULL: the function's row changes (same uuid, new row).
    db.deployments()
        .delete_by_id(deployment.id)
        .await
        .expect("deleted");
    consistent(&db);
    let api_now = db.functions().find_by_uuid(api.uuid).await.expect("read");
    assert_eq!(api_now.and_then(|f| f.active_deployment_id), None);
    assert_eq!(
        db.deployments().find_by_uuid(deployment.uuid).await,
        Ok(None)
    );
    // CASCADE: the user's functions and their logs go with it.
    db.logs()
        .append(vec![NewLog::new(api.id, LogLevel::Info, text("hi"))])
        .await
        .expect("appended");
    consistent(&db);
    db.users().delete_by_id(ada.id).await.expect("deleted");
    consistent(&db);
    assert_eq!(db.users().find_by_uuid(ada.uuid).await, Ok(None));
    assert_eq!(db.functions().find_by_uuid(api.uuid).await, Ok(None));
    assert_eq!(
        db.users()
            .delete_where(UserField::Id.eq(bob.id.get()))
            .await,
        Ok(1)
    );
    consistent(&db);
    assert_eq!(db.users().find_by_uuid(bob.uuid).await, Ok(None));
}

#[tokio::test]
async fn a_soft_deleted_row_is_not_found() {
    let (db, _) = store();
    let a = repo(&db, "a").await;
    assert_eq!(
        db.repositories().find_by_uuid(a.uuid).await,
        Ok(Some(a.clone()))
    );
    assert_eq!(db.repositories().soft_delete(a.id.into()).await, Ok(1));
    consistent(&db);
    assert_eq!(db.repositories().find_by_uuid(a.uuid).await, Ok(None));
    // A transaction's read of its own state agrees.
    let tx = db.begin().await.expect("begin");
    assert_eq!(tx.repositories().find_by_uuid(a.uuid).await, Ok(None));
    tx.rollback().await.expect("rolled back");
}

#[tokio::test]
async fn upserts_and_find_or_insert_reach_the_index() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    // Update branch: the holder of the e-mail keeps its uuid, gets a new row.
    let mut again = new_user("ada@example.com");
    again.uuid = Uuid::from_u128(42);
    let updated = db
        .users()
        .upsert(again, UserKey::Email)
        .await
        .expect("upserted");
    assert!(matches!(updated, Upserted::Updated(ref u) if u.uuid == ada.uuid));
    consistent(&db);
    assert_eq!(db.users().find_by_uuid(Uuid::from_u128(42)).await, Ok(None));
    // Insert branch.
    let inserted = db
        .users()
        .upsert(new_user("bob@example.com"), UserKey::Email)
        .await
        .expect("upserted");
    assert!(inserted.was_inserted());
    consistent(&db);
    assert_eq!(
        db.users().find_by_uuid(inserted.row().uuid).await,
        Ok(Some(inserted.row().clone()))
    );
    // find_or_insert: found, then inserted.
    let found = db
        .users()
        .find_or_insert(new_user("bob@example.com"), UserKey::Email)
        .await
        .expect("found");
    assert!(matches!(found, Found::Existing(_)));
    let cy = db
        .users()
        .find_or_insert(new_user("cy@example.com"), UserKey::Email)
        .await
        .expect("inserted");
    consistent(&db);
    let cy = cy.into_inner();
    assert_eq!(db.users().find_by_uuid(cy.uuid).await, Ok(Some(cy)));
    // Organizations: upsert inserts the owner's membership too.
    let o = org(&db, "acme", &ada).await;
    consistent(&db);
    assert_eq!(db.organizations().find_by_uuid(o.uuid).await, Ok(Some(o)));
}

#[tokio::test]
async fn failed_autocommit_writes_leave_the_index_as_it_was() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    // A batch whose second row collides: its first row is undone.
    let first = new_user("bob@example.com");
    let first_uuid = first.uuid;
    assert!(
        db.users()
            .insert_many(vec![first, new_user("ada@example.com")])
            .await
            .is_err()
    );
    consistent(&db);
    assert_eq!(db.users().find_by_uuid(first_uuid).await, Ok(None));
    // An update_where failing on its second row leaves the first unchanged.
    user(&db, "cy@example.com").await;
    assert!(
        db.users()
            .update_where(Default::default(), email_patch("same@example.com"))
            .await
            .is_err()
    );
    consistent(&db);
    assert_eq!(
        db.users().find_by_uuid(ada.uuid).await,
        Ok(Some(ada.clone()))
    );
    // A delete a RESTRICT reference refuses (the owner of an organization).
    org(&db, "acme", &ada).await;
    assert!(matches!(
        db.users().delete_by_id(ada.id).await,
        Err(StoreError::StillReferenced { .. })
    ));
    consistent(&db);
    assert_eq!(db.users().find_by_uuid(ada.uuid).await, Ok(Some(ada)));
}

#[tokio::test]
async fn commits_reach_the_index_and_rollbacks_leave_it() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    // Rollback: nothing reaches the committed index.
    let tx = db.begin().await.expect("begin");
    let ghost = tx
        .users()
        .insert(new_user("ghost@example.com"))
        .await
        .expect("inserted");
    tx.users().delete_by_id(ada.id).await.expect("deleted");
    assert_eq!(db.users().find_by_uuid(ghost.uuid).await, Ok(None));
    assert_eq!(
        tx.users().find_by_uuid(ghost.uuid).await,
        Ok(Some(ghost.clone()))
    );
    tx.rollback().await.expect("rolled back");
    consistent(&db);
    assert_eq!(db.users().find_by_uuid(ghost.uuid).await, Ok(None));
    assert_eq!(
        db.users().find_by_uuid(ada.uuid).await,
        Ok(Some(ada.clone()))
    );
    // A savepoint rolled back: its writes are gone from what the commit publishes.
    let tx = db.begin().await.expect("begin");
    let bob = tx
        .users()
        .insert(new_user("bob@example.com"))
        .await
        .expect("inserted");
    let sp = tx.begin().await.expect("savepoint");
    let cy = sp
        .users()
        .insert(new_user("cy@example.com"))
        .await
        .expect("inserted");
    sp.users().delete_by_id(ada.id).await.expect("deleted");
    sp.rollback().await.expect("rolled back");
    tx.commit().await.expect("committed");
    consistent(&db);
    assert_eq!(db.users().find_by_uuid(bob.uuid).await, Ok(Some(bob)));
    assert_eq!(db.users().find_by_uuid(cy.uuid).await, Ok(None));
    assert_eq!(
        db.users().find_by_uuid(ada.uuid).await,
        Ok(Some(ada.clone()))
    );
    // A commit replayed onto a newer committed state (another write committed meanwhile).
    let tx = db.begin().await.expect("begin");
    let dan = tx
        .users()
        .insert(new_user("dan@example.com"))
        .await
        .expect("inserted");
    let renamed = tx
        .users()
        .update_by_id(ada.id, email_patch("ada2@example.com"))
        .await
        .expect("updated");
    let eve = user(&db, "eve@example.com").await;
    let other = db.begin().await.expect("begin");
    let fay = other
        .users()
        .insert(new_user("fay@example.com"))
        .await
        .expect("inserted");
    other.commit().await.expect("committed");
    tx.commit().await.expect("committed");
    consistent(&db);
    for u in [&dan, &renamed, &eve, &fay] {
        assert_eq!(db.users().find_by_uuid(u.uuid).await, Ok(Some(u.clone())));
    }
    // A transaction that wrote nothing, or was dropped, changes nothing.
    db.begin()
        .await
        .expect("begin")
        .commit()
        .await
        .expect("committed");
    let dropped = db.begin().await.expect("begin");
    dropped.users().delete_by_id(dan.id).await.expect("deleted");
    drop(dropped);
    consistent(&db);
    assert_eq!(db.users().find_by_uuid(dan.uuid).await, Ok(Some(dan)));
}

#[tokio::test]
async fn an_autocommit_write_that_waited_for_a_lock_reaches_the_index() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    let tx = db.begin().await.expect("begin");
    tx.users()
        .update_by_id(ada.id, email_patch("t@example.com"))
        .await
        .expect("updated");
    let users = db.users();
    let mut waiting = pin!(users.update_by_id(ada.id, email_patch("w@example.com")));
    assert!(is_pending(waiting.as_mut()));
    consistent(&db);
    tx.commit().await.expect("committed");
    let after = waiting.await.expect("updated once the lock is given back");
    consistent(&db);
    assert_eq!(db.users().find_by_uuid(ada.uuid).await, Ok(Some(after)));
}
