//! Smoke tests of the PostgreSQL adapter's own machinery (transactions polled once and
//! dropped, savepoints, batches past the parameter limit, transactions made unusable by a
//! failed statement), each on a fresh database from the shared harness
//! (`containerpub_tests::pg`). The stores' behaviour is the contract suite's.

use std::future::Future;
use std::task::{Context, Waker};
use std::time::Duration;

use containerpub_domain::NewUser;
use containerpub_ports::{
    Filter, StoreError, Stores, Transaction, UniqueKey, UnitOfWork, UserField, Value,
};
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::fixture::new_user;
use containerpub_tests::pg::TestDatabase;

/// A fresh migrated database and a store on it, its pool configured by `configure`.
async fn store_on_a_new_database(
    configure: impl FnOnce(PgConfig) -> PgConfig,
) -> (TestDatabase, PgStore) {
    let db = TestDatabase::new().await;
    let store = PgStore::connect(configure(PgConfig::new(db.url())))
        .await
        .expect("connect");
    (db, store)
}

/// Closes `store`'s pool, then drops its database.
async fn close(store: PgStore, db: TestDatabase) {
    store.close().await;
    db.drop_db().await;
}

/// The e-mail addresses of every user, in id order.
async fn emails_in_id_order(store: &PgStore) -> Vec<String> {
    store
        .users()
        .find_all(containerpub_ports::Query::new().order_by(UserField::Id.asc()))
        .await
        .expect("read")
        .into_iter()
        .map(|u| u.email.as_str().to_owned())
        .collect()
}

/// sqlx 0.9.0 issue 4385: a `begin()` polled once and dropped must not leave the pooled
/// connection inside a transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn begin_and_commit_dropped_after_one_poll_leave_nothing_open() {
    let (db, store) = store_on_a_new_database(|config| config.max_connections(1)).await;
    let observer = PgStore::connect(PgConfig::new(db.url()))
        .await
        .expect("connect");
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..200 {
        let mut begin = std::pin::pin!(store.begin());
        let _ = begin.as_mut().poll(&mut cx);
    }
    for i in 0..20 {
        let tx = store.begin().await.expect("begin");
        tx.users()
            .insert(new_user(&format!("c{i}@example.com")))
            .await
            .expect("insert");
        let mut commit = std::pin::pin!(tx.commit());
        let _ = commit.as_mut().poll(&mut cx);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let user = store
        .users()
        .insert(new_user("after@example.com"))
        .await
        .expect("autocommit insert");
    assert!(
        observer
            .users()
            .find_by_id(user.id)
            .await
            .expect("read")
            .is_some(),
        "the autocommit insert is visible from another connection"
    );
    assert_eq!(
        observer.users().count(Filter::All).await.expect("count"),
        21,
        "every dropped commit completed"
    );
    let open = observer
        .raw_query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = @db AND state LIKE 'idle in transaction%'",
            &[("db", Value::Text(db.name().to_owned()))],
        )
        .await
        .expect("pg_stat_activity");
    assert_eq!(open[0].get::<i64>("n").expect("count"), 0);
    store.close().await;
    observer.close().await;
    db.drop_db().await;
}

/// Savepoints, and a failing call inside a savepoint leaving the transaction usable once the
/// savepoint is rolled back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_savepoints_and_failed_calls() {
    let (db, store) = store_on_a_new_database(|config| config).await;
    let tx = store.begin().await.expect("begin");
    tx.users()
        .insert(new_user("a@example.com"))
        .await
        .expect("insert");
    let attempt = tx.begin().await.expect("savepoint");
    assert_eq!(
        attempt.users().insert(new_user("a@example.com")).await,
        Err(StoreError::Conflict {
            key: UniqueKey::UsersEmail
        })
    );
    attempt.rollback().await.expect("rollback to the savepoint");
    let inner = tx.begin().await.expect("savepoint");
    inner
        .users()
        .insert(new_user("b@example.com"))
        .await
        .expect("insert");
    inner.rollback().await.expect("rollback to savepoint");
    let inner = tx.begin().await.expect("savepoint");
    inner
        .users()
        .insert(new_user("c@example.com"))
        .await
        .expect("insert");
    inner.commit().await.expect("release savepoint");
    assert_eq!(store.users().count(Filter::All).await.expect("count"), 0);
    tx.commit().await.expect("commit");
    let emails = emails_in_id_order(&store).await;
    assert_eq!(emails, ["a@example.com", "c@example.com"]);
    close(store, db).await;
}

/// Batches past the 65,535-parameter limit, in one transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_of_any_size() {
    let (db, store) = store_on_a_new_database(|config| config).await;
    let users: Vec<NewUser> = (0..13_108)
        .map(|i| new_user(&format!("bulk{i}@example.com")))
        .collect();
    let inserted = store.users().insert_many(users).await.expect("insert_many");
    assert_eq!(inserted.len(), 13_108);
    assert_eq!(inserted[13_107].email.as_str(), "bulk13107@example.com");
    let mut users: Vec<NewUser> = (0..13_108)
        .map(|i| new_user(&format!("more{i}@example.com")))
        .collect();
    users.push(new_user("bulk0@example.com"));
    // The third statement fails on its last row, which the error names.
    assert_eq!(
        store.users().insert_many(users).await,
        Err(StoreError::Conflict {
            key: UniqueKey::UsersEmail
        }
        .at_index(13_108))
    );
    assert_eq!(
        store.users().count(Filter::All).await.expect("count"),
        13_108
    );
    close(store, db).await;
}

/// True if `result` is the refusal of a transaction that is no longer usable.
fn refused<T: std::fmt::Debug>(result: &Result<T, StoreError>) -> bool {
    matches!(
        result,
        Err(StoreError::Unavailable { message, .. })
            if message.starts_with("transaction is no longer usable")
    )
}

/// A statement failing directly in a transaction (raw SQL, a read) aborts it on the server:
/// every later call through it is refused (nothing is sent), and so is its commit. In a
/// savepoint, rolling the savepoint back (or dropping it) makes the enclosing transaction
/// usable again. A failing write, in its own savepoint, leaves the transaction usable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_statements_make_a_transaction_unusable() {
    let (db, store) = store_on_a_new_database(|config| config.max_connections(1)).await;

    // In the transaction itself: unusable until it ends, nothing committed.
    let tx = store.begin().await.expect("begin");
    tx.users()
        .insert(new_user("lost@example.com"))
        .await
        .expect("insert");
    let err = tx
        .raw_query("SELECT 1 / 0 AS x", &[])
        .await
        .expect_err("division by zero");
    assert!(matches!(&err, StoreError::Internal { message, .. } if message.contains("22012")));
    assert!(refused(&tx.users().insert(new_user("x@example.com")).await));
    assert!(refused(&tx.users().count(Filter::All).await));
    assert!(refused(&tx.raw_execute("SELECT 1", &[]).await));
    assert!(refused(&tx.begin().await.map(drop)));
    let commit = tx.commit().await;
    assert!(refused(&commit), "{commit:?}");
    assert!(
        matches!(&commit, Err(StoreError::Unavailable { message, .. }) if message.contains("22012") && message.ends_with("nothing was committed")),
        "{commit:?}"
    );
    assert_eq!(store.users().count(Filter::All).await, Ok(0));

    // In a savepoint: its rollback (or drop) recovers the enclosing transaction.
    let tx = store.begin().await.expect("begin");
    tx.users()
        .insert(new_user("kept@example.com"))
        .await
        .expect("insert");
    let savepoint = tx.begin().await.expect("savepoint");
    savepoint
        .users()
        .insert(new_user("undone@example.com"))
        .await
        .expect("insert");
    assert!(savepoint.raw_query("SELECT 1 / 0 AS x", &[]).await.is_err());
    assert!(refused(&savepoint.users().count(Filter::All).await));
    assert!(
        refused(&tx.users().count(Filter::All).await),
        "the server aborted the savepoint level, which the transaction runs in too"
    );
    savepoint
        .rollback()
        .await
        .expect("rollback to the savepoint");
    assert_eq!(tx.users().count(Filter::All).await, Ok(1));
    let savepoint = tx.begin().await.expect("savepoint");
    assert!(savepoint.raw_execute("SELECT 1 / 0", &[]).await.is_err());
    let release = savepoint.commit().await;
    assert!(
        refused(&release),
        "releasing an aborted savepoint: {release:?}"
    );
    // A failing write leaves its level unusable; in a savepoint, rolling it back recovers.
    let attempt = tx.begin().await.expect("savepoint");
    assert_eq!(
        attempt.users().insert(new_user("kept@example.com")).await,
        Err(StoreError::Conflict {
            key: UniqueKey::UsersEmail
        })
    );
    assert!(refused(&tx.users().count(Filter::All).await));
    drop(attempt);
    tx.users()
        .insert(new_user("also-kept@example.com"))
        .await
        .expect("insert after the recovered savepoints");
    tx.commit().await.expect("commit");
    let emails = emails_in_id_order(&store).await;
    assert_eq!(emails, ["kept@example.com", "also-kept@example.com"]);
    close(store, db).await;
}
