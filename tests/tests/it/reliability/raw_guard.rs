//! Issue 19, item 3 (PostgreSQL): raw SQL cannot poison pooled connections or a caller's
//! transaction. Transaction control and session-state statements are refused with
//! `InvalidInput` (field `sql`) before anything is sent.

use containerpub_domain::Rule;
use containerpub_ports::{StoreError, Stores, Transaction, UnitOfWork};
use containerpub_tests::fixture::new_user;
use containerpub_tests::pg::TestDatabase;

use super::support::{Observer, pg_store};

fn refused(what: &str, result: Result<impl std::fmt::Debug, StoreError>) {
    match result {
        Err(StoreError::InvalidInput(invalid)) => {
            assert_eq!(invalid.field, "sql", "{what}");
            assert!(
                matches!(invalid.rule, Rule::Format(_)),
                "{what}: {invalid:?}"
            );
        }
        other => panic!("{what}: expected InvalidInput(sql), got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_transaction_control_and_session_state_are_refused_and_leave_the_pool_clean() {
    let test_db = TestDatabase::new().await;
    // A pool of one: whatever a raw statement leaves on the connection, the next call gets.
    let store = pg_store(test_db.url(), 1).await;
    let mut observer = Observer::connect(test_db.url()).await;

    // BEGIN on the pool, then an autocommit insert: it must really commit.
    refused("raw_execute(BEGIN)", store.raw_execute("BEGIN", &[]).await);
    refused(
        "raw_execute(START TRANSACTION)",
        store.raw_execute("start transaction", &[]).await,
    );
    store
        .users()
        .insert(new_user("after-begin@example.com"))
        .await
        .expect("insert");
    assert_eq!(
        observer
            .users_with_emails(&["after-begin@example.com"])
            .await,
        1,
        "the autocommit insert is committed"
    );
    observer.wait_no_idle_in_transaction("after BEGIN").await;

    // Session state: later, unrelated calls keep working.
    for sql in [
        "SET search_path TO pg_catalog",
        "SELECT set_config('search_path', 'pg_catalog', false)",
        "RESET ALL",
        "DISCARD ALL",
        "SELECT pg_advisory_lock(1)",
        "CREATE TEMP TABLE t (x int)",
        "PREPARE q AS SELECT 1",
        "LISTEN ch",
        // The ways around a check of leading keywords: a quoted function name, a DO block,
        // temporary objects made by SELECT INTO or CREATE OR REPLACE.
        "SELECT \"set_config\"('search_path', 'pg_catalog', false)",
        "DO $$BEGIN PERFORM set_config('search_path', 'pg_catalog', false); END$$",
        "SELECT 1 AS x INTO TEMP t",
        "CREATE OR REPLACE TEMP VIEW v AS SELECT 1",
    ] {
        refused(sql, store.raw_query(sql, &[]).await);
        refused(sql, store.raw_execute(sql, &[]).await);
    }
    assert_eq!(store.users().count(Default::default()).await, Ok(1));
    let rows = store
        .raw_query("SELECT current_setting('search_path') AS path", &[])
        .await
        .expect("read search_path");
    let path: String = rows[0].get("path").expect("text");
    assert!(path.contains("public"), "{path}");

    // COMMIT / ROLLBACK inside a caller's transaction: refused, and the transaction goes on
    // and commits normally.
    let tx = store.begin().await.expect("begin");
    tx.users()
        .insert(new_user("in-tx@example.com"))
        .await
        .expect("insert in tx");
    for sql in [
        "COMMIT",
        "ROLLBACK",
        "END",
        "SAVEPOINT s",
        "RELEASE SAVEPOINT s",
        "ABORT",
    ] {
        refused(sql, tx.raw_execute(sql, &[]).await);
    }
    assert_eq!(
        observer.users_with_emails(&["in-tx@example.com"]).await,
        0,
        "nothing committed behind the transaction's back"
    );
    tx.commit().await.expect("commit");
    assert_eq!(observer.users_with_emails(&["in-tx@example.com"]).await, 1);
    // SET LOCAL lasts until the end of the transaction: allowed.
    let tx = store.begin().await.expect("begin");
    tx.raw_execute("SET LOCAL statement_timeout = '5s'", &[])
        .await
        .expect("SET LOCAL");
    tx.rollback().await.expect("rollback");

    observer.close().await;
    store.close().await;
    test_db.drop_db().await;
}
