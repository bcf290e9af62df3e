//! Issue 19, item 1 (PostgreSQL): a `COMMIT` that reached the server but whose reply was lost
//! is reported as `OutcomeUnknown` (the rows are there), never as the retryable
//! `Unavailable` that promises nothing was committed; retrying with the same client uuids
//! gives a `Conflict`, never a duplicate.

use std::time::Duration;

use containerpub_domain::NewOrganization;
use containerpub_ports::{Filter, StoreError, Stores, Transaction, UnitOfWork};
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::pg::TestDatabase;

use super::proxy::FaultProxy;
use containerpub_tests::fixture::{name, new_user, user};

use super::support::{Observer, poll_until};

fn assert_outcome_unknown(what: &str, result: Result<impl std::fmt::Debug, StoreError>) {
    match result {
        Err(err @ StoreError::OutcomeUnknown { .. }) => {
            assert!(!err.is_retryable(), "{what}: {err:?} must not be retryable");
        }
        other => panic!("{what}: expected OutcomeUnknown, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_whose_reply_is_lost_is_outcome_unknown_and_a_retry_cannot_duplicate() {
    let test_db = TestDatabase::new().await;
    let proxy = FaultProxy::start(test_db.url()).await;
    let store = PgStore::connect(
        PgConfig::new(proxy.url(test_db.url()))
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(10)),
    )
    .await
    .expect("connect through the proxy");
    let mut observer = Observer::connect(test_db.url()).await;

    // A caller's transaction.
    let ada = new_user("ada@example.com");
    let tx = store.begin().await.expect("begin");
    tx.users().insert(ada.clone()).await.expect("insert");
    proxy.drop_after_commit();
    assert_outcome_unknown("commit", tx.commit().await);
    assert_eq!(proxy.cuts(), 1, "the proxy cut the connection after COMMIT");
    // The server commits what it received before the cut.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while observer.users_with_emails(&["ada@example.com"]).await != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the commit whose reply was lost is not visible after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // The documented safe retry: the same input (same uuid) again.
    let retried = store.users().insert(ada.clone()).await;
    assert!(
        matches!(retried, Err(StoreError::Conflict { .. })),
        "a retried insert with the same uuid: {retried:?}"
    );
    assert_eq!(observer.users_with_emails(&["ada@example.com"]).await, 1);
    assert!(
        matches!(store.users().find_by_uuid(ada.uuid).await, Ok(Some(_))),
        "the row is found by its uuid"
    );

    // A transaction of the adapter's own (organization + owner membership).
    let owner = user(&store, "owner@example.com").await;
    proxy.drop_after_commit();
    assert_outcome_unknown(
        "create_with_owner",
        store
            .organizations()
            .create_with_owner(NewOrganization::new(name("acme"), owner.uuid))
            .await,
    );
    poll_until("the organization is there", Duration::from_secs(5), || {
        let store = store.clone();
        async move { store.organizations().count(Filter::All).await == Ok(1) }
    })
    .await;
    assert_eq!(proxy.cuts(), 2);

    observer.close().await;
    store.close().await;
    test_db.drop_db().await;
}
