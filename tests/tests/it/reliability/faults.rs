//! Scenarios 9–11 (PostgreSQL): the server restarted in the middle of a workload and stopped
//! for a while, on a throwaway cluster of the test's own (never the shared server), and a
//! pool of two connections serving a hundred concurrent transactions.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use containerpub_domain::{LogLevel, NewDeployment, NewFunction, NewLog, NewOrganization, UserId};
use containerpub_ports::{
    Filter, FunctionField, StoreError, StoreResult, Stores, Transaction, UnitOfWork,
};
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::fixture::{name, new_user, text, user};
use containerpub_tests::pg::{Cluster, TestDatabase};
use containerpub_tests::storm::all_at_once;
use sqlx::{Connection, PgConnection};

use super::support::{pg_store, poll_until};

/// Creates the database `app` on `cluster`, migrates it, and returns its URL.
async fn app_database(cluster: &Cluster) -> String {
    let mut admin = PgConnection::connect(&cluster.url("postgres"))
        .await
        .expect("connect to the cluster");
    sqlx::raw_sql("CREATE DATABASE app")
        .execute(&mut admin)
        .await
        .expect("create database app");
    let _ = admin.close().await;
    let url = cluster.url("app");
    containerpub_migration::up(&url).await.expect("migrate app");
    url
}

/// Whether a fresh connection to `url` can be opened right now.
async fn accepts_connections(url: &str) -> bool {
    match tokio::time::timeout(Duration::from_secs(2), PgConnection::connect(url)).await {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            true
        }
        _ => false,
    }
}

/// Which step of a workload transaction failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Step {
    Begin,
    Write,
    Commit,
}

/// One transaction of the workload: its user's e-mail, its outcome and when it ended.
#[derive(Debug)]
struct Attempt {
    email: String,
    outcome: Result<(), (Step, StoreError)>,
    ended: Instant,
}

/// begin; insert a user; insert a function of it; commit.
async fn user_with_function(store: &PgStore, email: &str) -> Result<(), (Step, StoreError)> {
    let tx = store.begin().await.map_err(|e| (Step::Begin, e))?;
    let user = tx
        .users()
        .insert(new_user(email))
        .await
        .map_err(|e| (Step::Write, e))?;
    tx.functions()
        .insert(NewFunction::new(user.id, name("f")))
        .await
        .map_err(|e| (Step::Write, e))?;
    tx.commit().await.map_err(|e| (Step::Commit, e))
}

/// Runs `count` workload transactions one after the other (no retries: each attempt writes
/// rows of its own).
async fn workload(
    store: PgStore,
    task: usize,
    count: usize,
    done: Arc<AtomicUsize>,
) -> Vec<Attempt> {
    let mut attempts = Vec::with_capacity(count);
    for i in 0..count {
        let email = format!("w{task}-{i}@example.com");
        let outcome = user_with_function(&store, &email).await;
        attempts.push(Attempt {
            email,
            outcome,
            ended: Instant::now(),
        });
        done.fetch_add(1, Ordering::SeqCst);
    }
    attempts
}

/// Watches a restart from outside: waits until fresh connections fail (the server is going
/// down), then until one succeeds again (it accepts connections), then calls the store until
/// a call succeeds. Returns (accepting again, store serving again).
async fn watch_restart(url: &str, store: &PgStore) -> (Instant, Instant) {
    poll_until("the server goes down", Duration::from_secs(60), || async {
        !accepts_connections(url).await
    })
    .await;
    poll_until(
        "the server accepts connections again",
        Duration::from_secs(60),
        || accepts_connections(url),
    )
    .await;
    let accepting = Instant::now();
    let deadline = accepting + Duration::from_secs(10);
    loop {
        match store.users().count(Filter::All).await {
            Ok(_) => return (accepting, Instant::now()),
            Err(e) => {
                assert!(e.is_retryable(), "a store call failed with {e:?}");
                assert!(
                    Instant::now() < deadline,
                    "the store does not serve again 10 s after the server came back: {e:?}"
                );
            }
        }
    }
}

/// Scenario 9: `pg_ctl restart -m fast` in the middle of 1,000 small transactions from 4
/// tasks. Every transaction that returned `Ok` is fully present, every one that returned
/// `Unavailable` fully absent (including errors of `COMMIT` itself), every other error is an
/// `OutcomeUnknown` of a `COMMIT` whose reply was lost (present fully or not at all),
/// and the same store serves again within 1 s of the server accepting connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restart_mid_workload_keeps_transactions_atomic() {
    const TASKS: usize = 4;
    const PER_TASK: usize = 250;
    let cluster = Cluster::start().await;
    let url = app_database(&cluster).await;
    // A connection per task plus one for the probe, so the probe never queues behind them.
    let store = PgStore::connect(
        PgConfig::new(&url)
            .max_connections(TASKS as u32 + 1)
            .acquire_timeout(Duration::from_secs(1)),
    )
    .await
    .expect("connect");

    let done = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| tokio::spawn(workload(store.clone(), task, PER_TASK, Arc::clone(&done))))
        .collect();
    poll_until(
        "300 transactions done before the restart",
        Duration::from_secs(60),
        || {
            let n = done.load(Ordering::SeqCst);
            async move { n >= 300 }
        },
    )
    .await;
    let before_restart = done.load(Ordering::SeqCst);
    let ((), (accepting, serving)) = tokio::join!(cluster.restart(), watch_restart(&url, &store));
    let recovery = serving - accepting;

    let mut attempts = Vec::with_capacity(TASKS * PER_TASK);
    for task in tasks {
        attempts.extend(
            tokio::time::timeout(Duration::from_secs(60), task)
                .await
                .expect("the workload ends within 60 s of the restart")
                .expect("workload task"),
        );
    }
    assert_eq!(attempts.len(), TASKS * PER_TASK);

    // What the database holds: each user with its number of functions.
    let mut observer = PgConnection::connect(&url).await.expect("observer");
    let stored: HashMap<String, i64> = sqlx::query_as(
        "SELECT u.email, count(f.id) FROM users u LEFT JOIN functions f ON f.user_id = u.id \
         GROUP BY u.email",
    )
    .fetch_all(&mut observer)
    .await
    .expect("read users")
    .into_iter()
    .collect();
    let _ = observer.close().await;

    // Per failing step: how many, and one message.
    let mut errors: HashMap<Step, (usize, String)> = HashMap::new();
    let mut ok_after_recovery = 0;
    let mut unknown = 0;
    for attempt in &attempts {
        let present = stored.get(&attempt.email).copied();
        match &attempt.outcome {
            Ok(()) => {
                assert_eq!(
                    present,
                    Some(1),
                    "{}: Ok but not fully present",
                    attempt.email
                );
                if attempt.ended > serving {
                    ok_after_recovery += 1;
                }
            }
            // A COMMIT sent just before the server went down, whose reply was lost: it may
            // have committed or not, and says so.
            Err((Step::Commit, StoreError::OutcomeUnknown { .. })) => {
                assert!(
                    present.is_none() || present == Some(1),
                    "{}: a commit of unknown outcome left a partial transaction",
                    attempt.email
                );
                unknown += 1;
            }
            Err((step, error)) => {
                assert!(
                    matches!(error, StoreError::Unavailable { .. }),
                    "{}: {step:?} failed with {error:?}, not Unavailable",
                    attempt.email
                );
                assert_eq!(
                    present, None,
                    "{}: {step:?} failed ({error:?}) but its rows are present",
                    attempt.email
                );
                let entry = errors.entry(*step).or_insert((0, error.to_string()));
                entry.0 += 1;
            }
        }
    }
    let ok = attempts.iter().filter(|a| a.outcome.is_ok()).count();
    assert!(
        (ok..=ok + unknown).contains(&stored.len()),
        "no rows besides those of successful transactions (and of commits of unknown outcome)"
    );
    eprintln!(
        "scenario 9: restart after {before_restart} transactions; {unknown} commits of unknown \
         outcome; errors by step {errors:?}; \
         {ok_after_recovery} Ok after the store served again; store served {recovery:?} after \
         the server accepted connections"
    );
    assert!(
        errors.values().map(|(n, _)| n).sum::<usize>() > 0,
        "the restart hit the workload (no transaction failed)"
    );
    assert!(
        ok_after_recovery > 0,
        "the workload went on after the restart"
    );
    assert!(
        recovery < Duration::from_secs(1),
        "the store served again {recovery:?} after the server accepted connections"
    );
    store.close().await;
    drop(cluster);
}

/// Asserts that `call` fails with `Unavailable` within `bound`.
async fn fails_fast<T: std::fmt::Debug>(
    what: &str,
    bound: Duration,
    call: impl std::future::Future<Output = StoreResult<T>>,
) {
    let start = Instant::now();
    let result = tokio::time::timeout(bound + Duration::from_secs(5), call)
        .await
        .unwrap_or_else(|_| panic!("{what}: still running {bound:?} + 5 s after the stop"));
    let took = start.elapsed();
    assert!(
        matches!(result, Err(StoreError::Unavailable { .. })),
        "{what} while the server is down: {result:?}"
    );
    assert!(
        took < bound,
        "{what} took {took:?} to fail (bound {bound:?})"
    );
}

/// Scenario 10: with the server stopped, every kind of call fails with `Unavailable` within
/// the acquire timeout (1 s) plus 1 s, sequentially and 8 at once, a transaction opened
/// before the stop fails and commits nothing; after `start_again` the same store object
/// works.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stopped_server_fails_fast_and_the_same_store_recovers() {
    const ACQUIRE: Duration = Duration::from_secs(1);
    const BOUND: Duration = Duration::from_secs(2);
    let cluster = Cluster::start().await;
    let url = app_database(&cluster).await;
    let store = PgStore::connect(
        PgConfig::new(&url)
            .max_connections(4)
            .acquire_timeout(ACQUIRE),
    )
    .await
    .expect("connect");
    let owner = user(&store, "owner@example.com").await;
    // Four connections in the pool: four transactions open at once.
    let mut open = Vec::new();
    for _ in 0..4 {
        open.push(store.begin().await.expect("begin"));
    }
    let pending = open.pop().expect("a transaction");
    for tx in open {
        tx.commit().await.expect("commit");
    }
    pending
        .users()
        .insert(new_user("pending@example.com"))
        .await
        .expect("insert in the open transaction");

    cluster.stop().await;

    fails_fast("an insert inside an open transaction", BOUND, async {
        pending
            .users()
            .insert(new_user("pending2@example.com"))
            .await
    })
    .await;
    fails_fast("commit", BOUND, pending.commit()).await;
    fails_fast("find_by_id", BOUND, store.users().find_by_id(owner.id)).await;
    fails_fast(
        "insert",
        BOUND,
        store.users().insert(new_user("x@example.com")),
    )
    .await;
    fails_fast("begin", BOUND, async { store.begin().await.map(drop) }).await;
    fails_fast(
        "create_with_owner",
        BOUND,
        store
            .organizations()
            .create_with_owner(NewOrganization::new(name("org"), owner.uuid)),
    )
    .await;
    fails_fast("count", BOUND, store.users().count(Filter::All)).await;
    fails_fast("raw_query", BOUND, store.raw_query("SELECT 1 AS one", &[])).await;
    let at_once = all_at_once(8, |i| {
        let store = store.clone();
        async move {
            fails_fast(
                "one of 8 concurrent inserts",
                BOUND,
                store.users().insert(new_user(&format!("c{i}@example.com"))),
            )
            .await;
        }
    });
    at_once.await;

    cluster.start_again().await;
    poll_until(
        "the same store serves again after start_again",
        Duration::from_secs(10),
        || async { store.users().count(Filter::All).await.is_ok() },
    )
    .await;
    assert_eq!(
        store.users().count(Filter::All).await,
        Ok(1),
        "only the owner: the pending transaction committed nothing"
    );
    let after = user(&store, "after@example.com").await;
    let tx = store.begin().await.expect("begin after the restart");
    tx.functions()
        .insert(NewFunction::new(after.id, name("f")))
        .await
        .expect("insert in a transaction");
    tx.commit().await.expect("commit");
    assert_eq!(
        store
            .functions()
            .count(FunctionField::UserId.eq(after.id))
            .await,
        Ok(1)
    );
    store.close().await;
    drop(cluster);
}

/// The multi-step operation of scenario 11, all in one transaction: reads, writes, domain
/// operations that take savepoints of their own, and a nested savepoint.
async fn busy_transaction(store: &PgStore, i: usize) -> StoreResult<UserId> {
    let tx = store.begin().await?;
    let user = tx
        .users()
        .insert(new_user(&format!("p{i}@example.com")))
        .await?;
    assert!(tx.users().find_by_id(user.id).await?.is_some());
    let f = tx
        .functions()
        .insert(NewFunction::new(user.id, name("f")))
        .await?;
    tx.deployments()
        .create_next_version(NewDeployment::new(f.id))
        .await?;
    let second = tx
        .deployments()
        .create_next_version(NewDeployment::new(f.id))
        .await?;
    tx.deployments().activate(second.id).await?;
    tx.organizations()
        .create_with_owner(NewOrganization::new(name(&format!("org{i}")), user.uuid))
        .await?;
    let logs = (0..3)
        .map(|n| NewLog::new(f.id, LogLevel::Info, text(&format!("line {n}"))))
        .collect();
    tx.logs().append(logs).await?;
    let savepoint = tx.begin().await?;
    savepoint
        .users()
        .insert(new_user(&format!("discarded{i}@example.com")))
        .await?;
    savepoint.rollback().await?;
    let details = tx.functions().details(f.id.into()).await?.expect("details");
    assert_eq!(details.deployments.len(), 2);
    tx.commit().await?;
    Ok(user.id)
}

/// Scenario 11: a pool of 2 connections, 100 concurrent multi-step transactions: all
/// complete (no code path inside a transaction asks the pool for a second connection, or
/// they would deadlock; bounded at 60 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pool_of_two_serves_a_hundred_transactions() {
    let test_db = TestDatabase::new().await;
    let store = pg_store(test_db.url(), 2).await;
    let started = Instant::now();
    let results = tokio::time::timeout(
        Duration::from_secs(60),
        all_at_once(100, |i| {
            let store = store.clone();
            async move { busy_transaction(&store, i).await }
        }),
    )
    .await
    .expect("100 transactions on a pool of 2 finish within 60 s (else: a deadlock)");
    eprintln!(
        "scenario 11: 100 transactions on a pool of 2 in {:?}",
        started.elapsed()
    );
    for (i, result) in results.iter().enumerate() {
        assert!(result.is_ok(), "transaction {i}: {result:?}");
    }
    assert_eq!(store.users().count(Filter::All).await, Ok(100));
    assert_eq!(store.deployments().count(Filter::All).await, Ok(200));
    assert_eq!(store.logs().count(Filter::All).await, Ok(300));
    assert_eq!(store.organizations().count(Filter::All).await, Ok(100));
    store.close().await;
    test_db.drop_db().await;
}
