//! Issue 19, item 4: deadlocks and serialization failures inside a transaction. The victim's
//! transaction is rolled back on the server at once (its locks released, so the other
//! transaction proceeds without waiting for the victim to be dropped), refuses every later
//! call, and says to retry the whole unit of work; `transaction_retrying` does that.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use containerpub_domain::{User, UserPatch};
use containerpub_memory::MemoryStore;
use containerpub_ports::{
    StoreError, StoreResult, Stores, Transaction, UniqueKey, UnitOfWork, UnitOfWorkExt,
};
use containerpub_tests::fixture::{email, user};
use containerpub_tests::pg::TestDatabase;
use tokio::sync::Barrier;

use super::support::{Observer, pg_store};

fn rename(to: &str) -> UserPatch {
    UserPatch {
        email: Some(email(to)),
        ..UserPatch::default()
    }
}

fn says_retry_the_unit_of_work(err: &StoreError) -> bool {
    matches!(err, StoreError::Unavailable { message, .. } if message.contains("retry the whole unit of work"))
}

/// Two transactions update a and b in crossed order: one is the deadlock victim.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadlock_victim_releases_its_locks_at_once_and_refuses_later_calls() {
    let test_db = TestDatabase::new().await;
    let store = pg_store(test_db.url(), 3).await;
    let a = user(&store, "a@example.com").await;
    let b = user(&store, "b@example.com").await;

    let tx1 = store.begin().await.expect("begin 1");
    let tx2 = store.begin().await.expect("begin 2");
    tx1.users()
        .update_by_id(a.id, rename("a1@example.com"))
        .await
        .expect("tx1 locks a");
    tx2.users()
        .update_by_id(b.id, rename("b2@example.com"))
        .await
        .expect("tx2 locks b");
    // Crossed: each waits for the other's row. Neither transaction is dropped meanwhile.
    let bound = Duration::from_secs(10);
    let (r1, r2) = tokio::join!(
        tokio::time::timeout(
            bound,
            tx1.users().update_by_id(b.id, rename("b1@example.com"))
        ),
        tokio::time::timeout(
            bound,
            tx2.users().update_by_id(a.id, rename("a2@example.com"))
        ),
    );
    let r1 = r1.expect("tx1's call ends while both transactions are alive");
    let r2 = r2.expect("tx2's call ends while both transactions are alive");
    let (victim, winner, victim_err) = match (r1, r2) {
        (Err(err), Ok(_)) => (tx1, tx2, err),
        (Ok(_), Err(err)) => (tx2, tx1, err),
        other => panic!("expected exactly one deadlock victim, got {other:?}"),
    };
    assert!(victim_err.is_retryable(), "{victim_err:?}");
    assert!(says_retry_the_unit_of_work(&victim_err), "{victim_err:?}");

    // The victim refuses everything, saying why.
    let later = victim.users().find_by_id(a.id).await;
    assert!(
        matches!(&later, Err(e) if says_retry_the_unit_of_work(e)),
        "a later call in the victim: {later:?}"
    );
    let write = victim
        .users()
        .update_by_id(a.id, rename("z@example.com"))
        .await;
    assert!(
        matches!(&write, Err(e) if says_retry_the_unit_of_work(e)),
        "{write:?}"
    );
    // The winner commits before the victim is dropped.
    winner.commit().await.expect("the winner commits");
    let commit = victim.commit().await;
    assert!(
        matches!(&commit, Err(e) if says_retry_the_unit_of_work(e)),
        "the victim's commit: {commit:?}"
    );

    // Only the winner's writes are there; no session is left in a transaction.
    let mut observer = Observer::connect(test_db.url()).await;
    observer
        .wait_no_idle_in_transaction("after the deadlock")
        .await;
    let emails = [
        "a1@example.com",
        "b1@example.com",
        "a2@example.com",
        "b2@example.com",
    ];
    assert_eq!(observer.users_with_emails(&emails).await, 2);
    let (mine, theirs) = if observer.users_with_emails(&["a1@example.com"]).await == 1 {
        (["a1@example.com", "b1@example.com"], "winner tx1")
    } else {
        (["a2@example.com", "b2@example.com"], "winner tx2")
    };
    assert_eq!(observer.users_with_emails(&mine).await, 2, "{theirs}");
    observer.close().await;
    store.close().await;
    test_db.drop_db().await;
}

/// Both crossed units of work, each in `transaction_retrying`: both succeed, at least one
/// of them (the victim) on a later attempt. (A retry, run at once, can cross the other unit
/// again before it has taken its second lock and deadlock once more: hence a few attempts.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_retrying_reruns_the_deadlock_victim() {
    let test_db = TestDatabase::new().await;
    let store = pg_store(test_db.url(), 3).await;
    let a = user(&store, "a@example.com").await;
    let b = user(&store, "b@example.com").await;
    const ATTEMPTS: u32 = 6;
    let barrier = Arc::new(Barrier::new(2));
    let attempts = Arc::new(AtomicUsize::new(0));
    let unit = |first: User, second: User, tag: &'static str| {
        let store = store.clone();
        let barrier = Arc::clone(&barrier);
        let attempts = Arc::clone(&attempts);
        async move {
            let tries = AtomicUsize::new(0);
            store
                .transaction_retrying(ATTEMPTS, async |tx| {
                    let attempt = tries.fetch_add(1, Ordering::SeqCst);
                    attempts.fetch_add(1, Ordering::SeqCst);
                    tx.users()
                        .update_by_id(first.id, rename(&format!("{tag}-1@example.com")))
                        .await?;
                    if attempt == 0 {
                        barrier.wait().await;
                    }
                    tx.users()
                        .update_by_id(second.id, rename(&format!("{tag}-2@example.com")))
                        .await?;
                    Ok::<_, StoreError>(attempt)
                })
                .await
        }
    };
    let (r1, r2) = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(unit(a.clone(), b.clone(), "x"), unit(b, a, "y"))
    })
    .await
    .expect("both units of work finish");
    let tries = [r1.expect("unit x"), r2.expect("unit y")];
    assert!(
        tries.iter().any(|&t| t > 0),
        "a victim was retried: {tries:?}"
    );
    assert_eq!(attempts.load(Ordering::SeqCst), tries[0] + tries[1] + 2);
    let mut observer = Observer::connect(test_db.url()).await;
    observer
        .wait_no_idle_in_transaction("after the retries")
        .await;
    assert_eq!(
        observer
            .users_with_emails(&[
                "x-1@example.com",
                "x-2@example.com",
                "y-1@example.com",
                "y-2@example.com"
            ])
            .await,
        2,
        "a and b hold the last committed unit's e-mails"
    );
    observer.close().await;
    store.close().await;
    test_db.drop_db().await;
}

/// The retrying form on the memory adapter: retryable errors are retried up to the bound,
/// others returned at once.
#[tokio::test]
async fn transaction_retrying_is_bounded_and_retries_only_retryable_errors() {
    let db = MemoryStore::new();
    let run = |attempts: u32, fail: Vec<StoreError>| {
        let db = db.clone();
        async move {
            let calls = AtomicUsize::new(0);
            let result: StoreResult<usize> = db
                .transaction_retrying(attempts, async |_tx| {
                    let n = calls.fetch_add(1, Ordering::SeqCst);
                    fail.get(n).cloned().map_or(Ok(n), Err)
                })
                .await;
            (result, calls.load(Ordering::SeqCst))
        }
    };
    let gone = StoreError::unavailable("gone");
    assert_eq!(run(3, vec![gone.clone(), gone.clone()]).await, (Ok(2), 3));
    assert_eq!(
        run(2, vec![gone.clone(), gone.clone()]).await,
        (Err(gone.clone()), 2)
    );
    assert_eq!(run(0, vec![gone.clone()]).await, (Err(gone.clone()), 1));
    let conflict = StoreError::Conflict {
        key: UniqueKey::UsersEmail,
    };
    assert_eq!(
        run(5, vec![conflict.clone()]).await,
        (Err(conflict.clone()), 1)
    );
    let unknown = StoreError::outcome_unknown("lost");
    assert_eq!(run(5, vec![unknown.clone()]).await, (Err(unknown), 1));
}
