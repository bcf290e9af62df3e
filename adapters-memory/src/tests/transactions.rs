//! Row locks between concurrent transactions (waits, deadlocks, dropped waiters), savepoints
//! giving locks back, and snapshots shared instead of copied. Commit, isolation, rollback,
//! savepoints (ended innermost first), handles outliving their transaction and the closure
//! form are contract scenarios (`containerpub-tests`), run on both adapters.

use containerpub_domain::{NewDeployment, NewUser, User, UserPatch};
use containerpub_ports::{StoreError, Stores, Transaction, UniqueKey, UnitOfWork};

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Waker};

use super::{function, store, user};
use crate::table::Users;
use crate::{MemoryStore, MemoryTransaction};

fn new_user(email: &str) -> NewUser {
    NewUser::parse(email).expect("valid")
}

/// Polls a future once (with a waker that does nothing): whether it is still pending.
fn is_pending<F: Future>(future: Pin<&mut F>) -> bool {
    future
        .poll(&mut Context::from_waker(Waker::noop()))
        .is_pending()
}

fn email_patch(email: &str) -> UserPatch {
    UserPatch {
        email: Some(containerpub_domain::Email::parse(email).expect("valid")),
        ..UserPatch::default()
    }
}

/// A store with two users, `a@example.com` and `b@example.com`.
async fn two_users() -> (MemoryStore, User, User) {
    let (db, _) = store();
    let a = user(&db, "a@example.com").await;
    let b = user(&db, "b@example.com").await;
    (db, a, b)
}

/// A transaction that has locked `locked` (with an empty update).
async fn begin_locking(db: &MemoryStore, locked: &User) -> MemoryTransaction {
    let tx = db.begin().await.expect("begin");
    tx.users()
        .update_by_id(locked.id, UserPatch::default())
        .await
        .expect("the transaction locks its row");
    tx
}

#[tokio::test]
async fn a_second_writer_of_a_row_waits_then_updates_the_committed_row() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    let t1 = db.begin().await.expect("begin");
    let t2 = db.begin().await.expect("begin");
    t1.users()
        .update_by_id(ada.id, email_patch("one@example.com"))
        .await
        .expect("t1");
    let updated = {
        let users = t2.users();
        let mut second = pin!(users.update_by_id(ada.id, UserPatch::default()));
        assert!(is_pending(second.as_mut()), "t2 waits for t1's row lock");
        // Reads never wait: outside and in t2, the committed row.
        assert_eq!(
            db.users().find_by_id(ada.id).await.expect("read"),
            Some(ada.clone())
        );
        assert_eq!(
            t2.users().find_by_id(ada.id).await.expect("read"),
            Some(ada.clone())
        );
        t1.commit().await.expect("t1");
        second.await.expect("t2 proceeds once t1 committed")
    };
    assert_eq!(
        updated.email.as_str(),
        "one@example.com",
        "t2 updated the row t1 committed"
    );
    t2.commit().await.expect("t2");
    assert_eq!(db.lock_counts(), (0, 0), "every lock was given back");
}

#[tokio::test]
async fn a_transaction_sees_what_others_committed_since_it_began() {
    let (db, _) = store();
    let tx = db.begin().await.expect("begin");
    let ada = user(&db, "ada@example.com").await;
    user(&tx, "bob@example.com").await;
    assert_eq!(tx.users().find_by_id(ada.id).await, Ok(Some(ada)));
    assert_eq!(tx.users().count(Default::default()).await, Ok(2));
    tx.commit().await.expect("commit");
    assert_eq!(db.users().count(Default::default()).await, Ok(2));
}

#[tokio::test]
async fn an_uncommitted_unique_value_makes_the_insert_wait_then_conflict_or_proceed() {
    let (db, _) = store();
    // The holder commits: the waiter conflicts.
    let t1 = db.begin().await.expect("begin");
    user(&t1, "c@example.com").await;
    let users = db.users();
    let mut second = pin!(users.insert(new_user("c@example.com")));
    assert!(is_pending(second.as_mut()));
    t1.commit().await.expect("t1");
    assert_eq!(
        second.await,
        Err(StoreError::Conflict {
            key: UniqueKey::UsersEmail
        })
    );
    // The holder rolls back: the waiter inserts, with the id it took before waiting.
    let t1 = db.begin().await.expect("begin");
    let held = user(&t1, "d@example.com").await;
    let users = db.users();
    let mut second = pin!(users.insert(new_user("d@example.com")));
    assert!(is_pending(second.as_mut()));
    t1.rollback().await.expect("t1");
    let inserted = second.await.expect("inserted once t1 rolled back");
    assert_eq!(inserted.id.get(), held.id.get() + 1);
    assert_eq!(db.users().count(Default::default()).await, Ok(2));
}

#[tokio::test]
async fn a_delete_waits_for_a_child_inserted_by_an_open_transaction() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    let t1 = db.begin().await.expect("begin");
    function(&t1, ada.id, "api").await;
    let users = db.users();
    let mut delete = pin!(users.delete_by_id(ada.id));
    assert!(is_pending(delete.as_mut()), "the FK check's KEY SHARE lock");
    t1.commit().await.expect("t1");
    delete.await.expect("deleted, with the new child");
    assert_eq!(db.functions().count(Default::default()).await, Ok(0));
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
    let d2 = {
        let deployments = t2.deployments();
        let mut d2 = pin!(deployments.create_next_version(NewDeployment::new(api.id)));
        assert!(is_pending(d2.as_mut()));
        // A log of the same function does not wait (KEY SHARE against NO KEY UPDATE).
        db.logs()
            .append(vec![containerpub_domain::NewLog::new(
                api.id,
                containerpub_domain::LogLevel::Info,
                super::text("hello"),
            )])
            .await
            .expect("appended while the function is locked");
        t1.commit().await.expect("t1");
        d2.await.expect("t2")
    };
    t2.commit().await.expect("t2");
    assert_eq!((d1.version.get(), d2.version.get()), (1, 2));
}

#[tokio::test]
async fn crossed_locks_fail_the_first_waiter_with_a_deadlock() {
    let (db, a, b) = two_users().await;
    let (t1, t2) = (begin_locking(&db, &a).await, begin_locking(&db, &b).await);
    {
        let u2 = t2.users();
        let mut second = pin!(u2.update_by_id(a.id, email_patch("a2@example.com")));
        let err = {
            let u1 = t1.users();
            let mut first = pin!(u1.update_by_id(b.id, email_patch("b1@example.com")));
            assert!(is_pending(first.as_mut()), "t1 waits for t2");
            assert!(is_pending(second.as_mut()), "t2 waits for t1");
            first.await.expect_err("t1 waited first: the victim")
        };
        assert_eq!(err, crate::locks::deadlock());
        assert!(err.is_retryable());
        // As on PostgreSQL, the victim's transaction is rolled back at once: t2 proceeds
        // before t1 ends, and t1 refuses every later call.
        second.await.expect("t2 proceeds");
        assert_eq!(
            t1.users().count(Default::default()).await,
            Err(StoreError::transaction_unusable(&err.rolled_back_reason()))
        );
        t1.rollback().await.expect("t1");
    }
    t2.commit().await.expect("t2");
    let emails: Vec<String> = db
        .users()
        .find_all(Default::default())
        .await
        .expect("read")
        .iter()
        .map(|u| u.email.as_str().to_owned())
        .collect();
    assert_eq!(emails, ["a2@example.com", "b@example.com"]);
    assert_eq!(db.lock_counts(), (0, 0));
}

#[tokio::test]
async fn a_waiter_dropped_while_waiting_leaves_nothing_behind() {
    let (db, a, b) = two_users().await;
    let (t1, t2) = (
        begin_locking(&db, &a).await,
        db.begin().await.expect("begin"),
    );
    let held = db.lock_counts();
    {
        // t2's call locks b, then waits for a; dropped, it gives b back.
        let users = t2.users();
        let mut waiting = pin!(users.update_where(
            containerpub_ports::UserField::Id.is_in([b.id.get(), a.id.get()]),
            UserPatch::default(),
        ));
        assert!(is_pending(waiting.as_mut()));
        assert_eq!(db.lock_counts().1, 1, "one transaction waits");
    }
    assert_eq!(
        db.lock_counts(),
        held,
        "the dropped call left no lock and no wait"
    );
    // b is free again; t2 refuses every later call, as on PostgreSQL (where the dropped
    // statement may still run in it), and commits nothing.
    db.users()
        .update_by_id(b.id, email_patch("b1@example.com"))
        .await
        .expect("b is not locked");
    t1.commit().await.expect("t1");
    let refusal = StoreError::transaction_unusable(containerpub_ports::CANCELLED_WRITE);
    assert_eq!(
        t2.users()
            .update_by_id(a.id, email_patch("a2@example.com"))
            .await,
        Err(refusal.clone())
    );
    assert_eq!(t2.commit().await, Err(refusal));
    assert_eq!(db.lock_counts(), (0, 0));
}

#[tokio::test]
async fn savepoint_rollback_gives_back_the_locks_taken_after_it() {
    let (db, _) = store();
    let a = user(&db, "a@example.com").await;
    let tx = db.begin().await.expect("begin");
    let sp = tx.begin().await.expect("savepoint");
    sp.users()
        .update_by_id(a.id, UserPatch::default())
        .await
        .expect("locks a");
    sp.rollback().await.expect("rolled back");
    db.users()
        .update_by_id(a.id, email_patch("a1@example.com"))
        .await
        .expect("a is free again");
    tx.commit().await.expect("commit");
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
