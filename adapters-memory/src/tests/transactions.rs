//! Isolation, commit, rollback, drop, savepoints, concurrent commits, sequences, snapshots.

use containerpub_domain::{
    NewDeployment, NewFunction, NewOrganization, NewUser, UserId, UserPatch,
};
use containerpub_ports::{
    ForeignKey, StoreError, Stores, Transaction, UniqueKey, UnitOfWork, UnitOfWorkExt,
};

use super::{function, name, store, user};
use crate::specs::Users;

fn new_user(email: &str) -> NewUser {
    NewUser::parse(email).expect("valid")
}

#[tokio::test]
async fn a_transaction_is_isolated_until_it_commits() {
    let (db, _) = store();
    let tx = db.begin().await.expect("begin");
    let ada = user(&tx, "ada@example.com").await;
    assert_eq!(
        tx.users().find_by_uuid(ada.uuid).await,
        Ok(Some(ada.clone()))
    );
    assert_eq!(db.users().find_by_uuid(ada.uuid).await, Ok(None));
    assert_eq!(db.users().count(Default::default()).await, Ok(0));
    tx.commit().await.expect("commit");
    assert_eq!(db.users().find_by_uuid(ada.uuid).await, Ok(Some(ada)));
}

#[tokio::test]
async fn rollback_and_drop_discard_but_sequences_stay_consumed() {
    let (db, _) = store();
    let tx = db.begin().await.expect("begin");
    assert_eq!(user(&tx, "a@example.com").await.id, UserId::new(1));
    tx.rollback().await.expect("rollback");
    {
        let tx = db.begin().await.expect("begin");
        assert_eq!(user(&tx, "b@example.com").await.id, UserId::new(2));
    }
    assert_eq!(db.users().count(Default::default()).await, Ok(0));
    assert_eq!(user(&db, "c@example.com").await.id, UserId::new(3));
}

#[tokio::test]
async fn a_failed_call_inside_a_transaction_leaves_it_usable() {
    let (db, _) = store();
    let tx = db.begin().await.expect("begin");
    let ada = user(&tx, "ada@example.com").await;
    assert!(
        tx.users()
            .insert(new_user("ada@example.com"))
            .await
            .is_err()
    );
    assert!(
        tx.functions()
            .insert_many(vec![
                NewFunction::new(ada.id, name("ok")),
                NewFunction::new(UserId::new(99), name("bad")),
            ])
            .await
            .is_err()
    );
    assert_eq!(tx.functions().count(Default::default()).await, Ok(0));
    function(&tx, ada.id, "api").await;
    tx.commit().await.expect("commit");
    assert_eq!(db.functions().count(Default::default()).await, Ok(1));
}

#[tokio::test]
async fn savepoints_roll_back_only_what_followed_them() {
    let (db, _) = store();
    let tx = db.begin().await.expect("begin");
    user(&tx, "a@example.com").await;

    let sp = tx.begin().await.expect("savepoint");
    user(&sp, "b@example.com").await;
    assert_eq!(
        tx.users().count(Default::default()).await,
        Ok(2),
        "shared state"
    );
    sp.rollback().await.expect("rollback to savepoint");
    assert_eq!(tx.users().count(Default::default()).await, Ok(1));

    let sp = tx.begin().await.expect("savepoint");
    user(&sp, "c@example.com").await;
    sp.commit().await.expect("release");

    {
        let sp = tx.begin().await.expect("savepoint");
        user(&sp, "d@example.com").await;
        // dropped: rolled back
    }

    // Rolling back an outer savepoint discards the inner ones too.
    let outer = tx.begin().await.expect("outer");
    user(&outer, "e@example.com").await;
    let inner = outer.begin().await.expect("inner");
    user(&inner, "f@example.com").await;
    outer.rollback().await.expect("rollback outer");
    assert!(matches!(
        inner.commit().await,
        Err(StoreError::Internal { .. })
    ));

    tx.commit().await.expect("commit");
    let emails: Vec<String> = db
        .users()
        .find_all(Default::default())
        .await
        .expect("rows")
        .into_iter()
        .map(|u| u.email.as_str().to_owned())
        .collect();
    assert_eq!(emails, ["a@example.com", "c@example.com"]);
}

#[tokio::test]
async fn handles_of_an_ended_transaction_refuse_work() {
    let (db, _) = store();
    let tx = db.begin().await.expect("begin");
    let sp = tx.begin().await.expect("savepoint");
    tx.commit().await.expect("commit");
    assert!(matches!(
        sp.users().count(Default::default()).await,
        Err(StoreError::Internal { .. })
    ));
    assert!(sp.begin().await.is_err());
    sp.rollback().await.expect("nothing to do");
}

#[tokio::test]
async fn the_closure_form_commits_on_ok_and_rolls_back_on_err() {
    let (db, _) = store();
    let ada = db
        .transaction(|tx| {
            Box::pin(async move {
                let owner = tx.users().insert(new_user("ada@example.com")).await?;
                tx.organizations()
                    .create_with_owner(NewOrganization::new(name("acme"), owner.uuid))
                    .await?;
                Ok::<_, StoreError>(owner)
            })
        })
        .await
        .expect("committed");
    let err = db
        .transaction(|tx| {
            Box::pin(async move {
                tx.users().insert(new_user("bob@example.com")).await?;
                tx.users().insert(new_user("bob@example.com")).await?;
                Ok::<_, StoreError>(())
            })
        })
        .await;
    assert_eq!(
        err,
        Err(StoreError::Conflict {
            key: UniqueKey::UsersEmail
        })
    );
    assert_eq!(db.users().count(Default::default()).await, Ok(1));
    assert!(
        db.organization_members()
            .membership_of(ada.uuid)
            .await
            .expect("read")
            .is_some()
    );
}

#[tokio::test]
async fn concurrent_writes_of_one_row_fail_the_second_commit_retryably() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    let t1 = db.begin().await.expect("begin");
    let t2 = db.begin().await.expect("begin");
    let patch = |email: &str| UserPatch {
        email: Some(containerpub_domain::Email::parse(email).expect("valid")),
        ..UserPatch::default()
    };
    t1.users()
        .update_by_id(ada.id, patch("one@example.com"))
        .await
        .expect("t1");
    t2.users()
        .update_by_id(ada.id, patch("two@example.com"))
        .await
        .expect("t2");
    t1.commit().await.expect("first commit");
    let err = t2.commit().await.expect_err("second commit");
    assert!(err.is_retryable(), "{err:?}");
    let now = db
        .users()
        .find_by_id(ada.id)
        .await
        .expect("read")
        .expect("row");
    assert_eq!(now.email.as_str(), "one@example.com");
}

#[tokio::test]
async fn concurrent_commits_merge_and_recheck_keys() {
    let (db, _) = store();
    // Disjoint writes merge.
    let t1 = db.begin().await.expect("begin");
    let t2 = db.begin().await.expect("begin");
    user(&t1, "a@example.com").await;
    user(&t2, "b@example.com").await;
    t1.commit().await.expect("t1");
    t2.commit().await.expect("t2 merged");
    assert_eq!(db.users().count(Default::default()).await, Ok(2));

    // The same new key in both: the second commit conflicts and publishes nothing.
    let t1 = db.begin().await.expect("begin");
    let t2 = db.begin().await.expect("begin");
    user(&t1, "c@example.com").await;
    user(&t2, "c@example.com").await;
    user(&t2, "d@example.com").await;
    t1.commit().await.expect("t1");
    assert_eq!(
        t2.commit().await,
        Err(StoreError::Conflict {
            key: UniqueKey::UsersEmail
        })
    );
    assert_eq!(db.users().count(Default::default()).await, Ok(3));

    // A child whose parent was deleted meanwhile.
    let owner = user(&db, "owner@example.com").await;
    let t1 = db.begin().await.expect("begin");
    function(&t1, owner.id, "api").await;
    db.users().delete_by_id(owner.id).await.expect("deleted");
    assert_eq!(
        t1.commit().await,
        Err(StoreError::ReferenceMissing {
            key: ForeignKey::FunctionsUserId
        })
    );
    assert_eq!(db.functions().count(Default::default()).await, Ok(0));
}

#[tokio::test]
async fn deletes_merged_late_apply_their_actions_to_newer_rows() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    // CASCADE: a function created meanwhile goes with its owner.
    let t1 = db.begin().await.expect("begin");
    t1.users()
        .delete_by_id(ada.id)
        .await
        .expect("deleted in t1");
    function(&db, ada.id, "api").await;
    t1.commit().await.expect("merged");
    assert_eq!(db.functions().count(Default::default()).await, Ok(0));
    assert_eq!(db.users().count(Default::default()).await, Ok(0));

    // RESTRICT: an organization created meanwhile keeps its owner; nothing is published.
    let bob = user(&db, "bob@example.com").await;
    let t1 = db.begin().await.expect("begin");
    t1.users()
        .delete_by_id(bob.id)
        .await
        .expect("deleted in t1");
    super::org(&db, "acme", &bob).await;
    assert_eq!(
        t1.commit().await,
        Err(StoreError::StillReferenced {
            key: ForeignKey::OrganizationsOwnerId
        })
    );
    assert!(db.users().find_by_id(bob.id).await.expect("read").is_some());
}

#[tokio::test]
async fn deployment_inserts_lock_their_function() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    let api = function(&db, ada.id, "api").await;
    let t1 = db.begin().await.expect("begin");
    let t2 = db.begin().await.expect("begin");
    let d1 = t1
        .deployments()
        .insert(NewDeployment::new(api.id))
        .await
        .expect("t1");
    let d2 = t2
        .deployments()
        .insert(NewDeployment::new(api.id))
        .await
        .expect("t2");
    assert_eq!((d1.version.get(), d2.version.get()), (1, 1));
    t1.commit().await.expect("t1");
    assert!(t2.commit().await.expect_err("t2").is_retryable());
    // Retried, it takes the next version.
    let t2 = db.begin().await.expect("begin");
    let d2 = t2
        .deployments()
        .insert(NewDeployment::new(api.id))
        .await
        .expect("t2");
    t2.commit().await.expect("t2");
    assert_eq!(d2.version.get(), 2);
}

#[tokio::test]
async fn begin_shares_the_committed_maps_instead_of_copying_them() {
    let (db, _) = store();
    let rows: Vec<NewUser> = (0..2_000)
        .map(|i| new_user(&format!("u{i}@example.com")))
        .collect();
    db.users().insert_many(rows).await.expect("inserted");
    let tx = db.begin().await.expect("begin");
    let committed = db.committed_db();
    let work = tx.work_db().expect("open");
    assert_eq!(work.t::<Users>().len(), 2_000);
    assert!(work.t::<Users>().shares_rows_with(committed.t::<Users>()));
    user(&tx, "new@example.com").await;
    let work = tx.work_db().expect("open");
    assert!(!work.t::<Users>().shares_rows_with(committed.t::<Users>()));
    tx.commit().await.expect("commit");
    // Nothing else committed meanwhile: the working state itself was published.
    assert!(
        db.committed_db()
            .t::<Users>()
            .shares_rows_with(work.t::<Users>())
    );
}
