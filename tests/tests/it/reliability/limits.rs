//! Issue 19, item 7: limits with documented defaults. Exceeding one is a typed
//! `InvalidInput`, the same on both adapters, never a crash: filter depth and size, `find_all`
//! without a limit, batch size; and the PostgreSQL session timeouts.

use std::time::Duration;

use containerpub_domain::{LogLevel, NewLog, Rule};
use containerpub_memory::MemoryStore;
use containerpub_ports::query::grouping::GroupQuery;
use containerpub_ports::{
    Filter, LogField, MAX_BATCH_ROWS, MAX_FILTER_DEPTH, MAX_FILTER_SIZE, MAX_UNLIMITED_ROWS, Query,
    StoreError, Stores, Transaction, UnitOfWork, UserField,
};
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::fixture::{function, new_user, text, user};
use containerpub_tests::pg::TestDatabase;

use super::support::{Observer, pg_store};

fn invalid(field: &'static str, rule: Rule) -> StoreError {
    StoreError::invalid(field, rule)
}

fn too_large(field: &'static str, max: usize, actual: usize) -> StoreError {
    invalid(
        field,
        Rule::TooLarge {
            max: max as i64,
            actual: actual as i64,
        },
    )
}

/// The same calls, the same errors, on any adapter.
async fn limits<S: Stores + ?Sized>(db: &S) {
    let owner = user(db, "owner@example.com").await;
    let f = function(db, &owner, "f").await;

    // 10,000 nested NOTs: refused, not a stack overflow. (Built afresh for each call: a
    // derived `clone` of it would itself recurse 10,000 deep.)
    let deep = || {
        let mut deep = UserField::Id.eq(owner.id);
        for _ in 0..10_000 {
            deep = !deep;
        }
        deep
    };
    let depth_error = too_large("filter_depth", MAX_FILTER_DEPTH, 10_001);
    assert_eq!(
        db.users().find_all(Query::filter(deep())).await,
        Err(depth_error.clone())
    );
    assert_eq!(db.users().count(deep()).await, Err(depth_error.clone()));
    assert_eq!(db.users().delete_where(deep()).await, Err(depth_error));
    // At the limit it runs.
    let mut ok = UserField::Id.eq(owner.id);
    for _ in 1..MAX_FILTER_DEPTH {
        ok = !ok;
    }
    let expected = if MAX_FILTER_DEPTH % 2 == 1 { 1 } else { 0 };
    assert_eq!(db.users().count(ok).await, Ok(expected));

    // A filter of more than MAX_FILTER_SIZE parts.
    let wide = Filter::any((0..MAX_FILTER_SIZE as i64).map(|i| UserField::Id.eq(i)));
    assert_eq!(
        db.users().count(wide).await,
        Err(too_large(
            "filter_size",
            MAX_FILTER_SIZE,
            MAX_FILTER_SIZE + 1
        ))
    );

    // A batch over MAX_BATCH_ROWS: refused before anything is written.
    let logs = |n: usize| -> Vec<NewLog> {
        (0..n)
            .map(|_| NewLog::new(f.id, LogLevel::Info, text("x")))
            .collect()
    };
    let too_many = too_large("rows", MAX_BATCH_ROWS, MAX_BATCH_ROWS + 1);
    assert_eq!(
        db.logs().append(logs(MAX_BATCH_ROWS + 1)).await,
        Err(too_many.clone())
    );
    assert_eq!(
        db.logs()
            .insert_many(logs(MAX_BATCH_ROWS + 1))
            .await
            .map(|v| v.len()),
        Err(too_many)
    );
    assert_eq!(db.logs().count(Filter::All).await, Ok(0));

    // find_all without a limit over MAX_UNLIMITED_ROWS matching rows.
    assert_eq!(
        db.logs().append(logs(MAX_BATCH_ROWS)).await,
        Ok(MAX_BATCH_ROWS as u64)
    );
    assert_eq!(db.logs().append(logs(1)).await, Ok(1));
    let all = Query::filter(LogField::FunctionId.eq(f.id));
    let refused = db.logs().find_all(all.clone()).await.map(|v| v.len());
    assert!(
        matches!(&refused, Err(StoreError::InvalidInput(i)) if i.field == "limit"),
        "{refused:?}"
    );
    // `select` (a projection of `find_all`) refuses the same way, never cuts the rows.
    let fields = vec![LogField::Id];
    assert_eq!(
        db.logs().select(all.clone(), fields.clone()).await,
        Err(refused.clone().unwrap_err())
    );
    assert_eq!(
        db.logs()
            .select(all.clone().limit(MAX_UNLIMITED_ROWS + 1), fields)
            .await
            .map(|rows| rows.len()),
        Ok(MAX_UNLIMITED_ROWS as usize + 1)
    );
    // `group_by` needs no limit: it reads every matching row, however many.
    let groups = db
        .logs()
        .group_by(GroupQuery::by(LogField::FunctionId).filter(all.filter.clone()))
        .await
        .expect("grouping more than MAX_UNLIMITED_ROWS rows");
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].count, MAX_UNLIMITED_ROWS + 1);
    let limited = all.clone().limit(MAX_UNLIMITED_ROWS + 1);
    assert_eq!(
        db.logs().find_all(limited).await.map(|v| v.len()),
        Ok(MAX_UNLIMITED_ROWS as usize + 1)
    );
    // One row fewer matches: no limit needed.
    let fewer = all.and_where(LogField::Id.gt(1));
    assert_eq!(
        db.logs().find_all(fewer).await.map(|v| v.len()),
        Ok(MAX_UNLIMITED_ROWS as usize)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_on_memory() {
    limits(&MemoryStore::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_on_postgres() {
    let test_db = TestDatabase::new().await;
    let store = pg_store(test_db.url(), 2).await;
    limits(&store).await;
    store.close().await;
    test_db.drop_db().await;
}

/// The default session timeouts, and a transaction left idle past its timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_timeouts_have_production_defaults_and_end_idle_transactions() {
    let test_db = TestDatabase::new().await;
    let store = pg_store(test_db.url(), 1).await;
    let rows = store
        .raw_query(
            "SELECT current_setting('statement_timeout') AS st, \
             current_setting('idle_in_transaction_session_timeout') AS idle",
            &[],
        )
        .await
        .expect("settings");
    assert_eq!(rows[0].get::<String>("st").as_deref(), Ok("30s"));
    assert_eq!(rows[0].get::<String>("idle").as_deref(), Ok("1min"));
    store.close().await;

    let store = PgStore::connect(
        PgConfig::new(test_db.url())
            .max_connections(1)
            .idle_in_transaction_timeout(Some(Duration::from_millis(200))),
    )
    .await
    .expect("connect");
    let tx = store.begin().await.expect("begin");
    tx.users()
        .insert(new_user("idle@example.com"))
        .await
        .expect("insert");
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mut observer = Observer::connect(test_db.url()).await;
    observer
        .wait_no_idle_in_transaction("the server ended the idle transaction")
        .await;
    let late = tx.users().insert(new_user("late@example.com")).await;
    assert!(
        matches!(late, Err(StoreError::Unavailable { .. })),
        "{late:?}"
    );
    assert!(tx.commit().await.is_err(), "nothing to commit");
    assert_eq!(
        observer
            .users_with_emails(&["idle@example.com", "late@example.com"])
            .await,
        0
    );
    // The pool serves again on a new connection.
    store
        .users()
        .insert(new_user("after@example.com"))
        .await
        .expect("a later call on a fresh connection");
    observer.close().await;
    store.close().await;
    test_db.drop_db().await;
}
