//! Scenarios 6–8 (PostgreSQL): futures dropped at every await point, `begin()` dropped after
//! one poll, and statement timeouts / caller deadlines; and a write dropped at every await
//! point inside a transaction (a transaction whose server side may be gone refuses every
//! later call instead of running it in autocommit).

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use containerpub_ports::{Filter, StoreError, StoreResult, Stores, Transaction, UnitOfWork};
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::fixture::new_user;
use containerpub_tests::pg::TestDatabase;

use super::support::{GENEROUS_ACQUIRE, Observer, PollBudget, tasks_settled};

/// A fresh database, a store on it with a pool of one connection (further configured by
/// `configure`), and an observer of the database.
async fn one_connection_store(
    configure: impl FnOnce(PgConfig) -> PgConfig,
) -> (TestDatabase, PgStore, Observer) {
    let test_db = TestDatabase::new().await;
    let store = PgStore::connect(configure(PgConfig::new(test_db.url()).max_connections(1)))
        .await
        .expect("connect");
    let observer = Observer::connect(test_db.url()).await;
    (test_db, store, observer)
}

/// Closes the observer and the store, then drops the database.
async fn close_all(observer: Observer, store: PgStore, test_db: TestDatabase) {
    observer.close().await;
    store.close().await;
    test_db.drop_db().await;
}

/// The multi-step transaction of scenario 6: begin, insert A, insert B, commit. Sets
/// `commit_started` just before `commit` is first polled (it starts the commit on a task of
/// its own in that very poll).
async fn two_inserts(
    store: &PgStore,
    a: &str,
    b: &str,
    commit_started: &AtomicBool,
) -> StoreResult<()> {
    let tx = store.begin().await?;
    tx.users().insert(new_user(a)).await?;
    tx.users().insert(new_user(b)).await?;
    commit_started.store(true, Ordering::SeqCst);
    tx.commit().await
}

/// Waits until nothing the dropped future left behind is still running, then checks that the
/// pool's one connection is usable and outside any transaction: an autocommit write through
/// the store is visible from another connection, and no session of the database is idle in a
/// transaction.
async fn assert_pool_clean(store: &PgStore, observer: &mut Observer, baseline: usize, tag: &str) {
    tasks_settled(baseline).await;
    let marker = format!(
        "marker-{}@example.com",
        tag.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    store
        .users()
        .insert(new_user(&marker))
        .await
        .unwrap_or_else(|e| panic!("{tag}: the pooled connection is unusable: {e:?}"));
    assert_eq!(
        observer.users_with_emails(&[&marker]).await,
        1,
        "{tag}: an autocommit write is visible from another connection"
    );
    // A leaked transaction would stay open for good; a closing session only for a moment.
    observer.wait_no_idle_in_transaction(tag).await;
}

/// Scenario 6: the transaction future is dropped after its k-th poll, for k = 1, 2, 3, …
/// until it completes. Each time, neither write is visible unless the commit had started (a
/// started commit completes on its own task: then both are), and the pool's only connection
/// is usable and outside any transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_dropped_at_every_await_point() {
    /// More polls than the transaction ever needs (it completes long before).
    const MAX_POLLS: usize = 2_000;
    let (test_db, store, mut observer) =
        one_connection_store(|config| config.acquire_timeout(GENEROUS_ACQUIRE)).await;
    let metrics = tokio::runtime::Handle::current().metrics();
    // Open the pool's connection (and the driver's background tasks) before counting tasks.
    store.users().count(Filter::All).await.expect("warm up");

    // A sweep drops the transaction after 1, 2, 3, … polls until it completes. How many polls
    // each step needs depends on timing (an answer already waiting costs no `Pending`), so
    // sweeps repeat (at most 10) until drops both before and during the commit were seen.
    let (mut before_commit, mut during_commit, mut sweeps) = (0, 0, 0);
    let mut polls = Vec::new();
    while sweeps < 10 && (before_commit < 3 || during_commit < 1) {
        sweeps += 1;
        let mut completed_after = None;
        for k in 1..=MAX_POLLS {
            let tag = format!("s{sweeps}k{k}");
            let (a, b) = (
                format!("a-{tag}@example.com"),
                format!("b-{tag}@example.com"),
            );
            let commit_started = AtomicBool::new(false);
            let baseline = metrics.num_alive_tasks();
            let outcome = PollBudget::new(two_inserts(&store, &a, &b, &commit_started), k).await;
            assert_pool_clean(&store, &mut observer, baseline, &tag).await;
            let present = observer.users_with_emails(&[&a, &b]).await;
            match outcome {
                Some(result) => {
                    result.expect("the transaction, polled to the end, succeeds");
                    assert_eq!(present, 2, "{tag}: a completed transaction is visible");
                    completed_after = Some(k);
                    break;
                }
                None if commit_started.load(Ordering::SeqCst) => {
                    during_commit += 1;
                    assert_eq!(
                        present, 2,
                        "{tag}: dropped while committing: the commit completes on its own"
                    );
                }
                None => {
                    before_commit += 1;
                    assert_eq!(present, 0, "{tag}: dropped before commit: nothing visible");
                }
            }
        }
        polls.push(completed_after.expect("the transaction completes within MAX_POLLS polls"));
    }
    eprintln!(
        "scenario 6: {sweeps} sweep(s), completed after {polls:?} polls; dropped \
         {before_commit} times before the commit, {during_commit} times during it"
    );
    assert!(
        before_commit >= 3 && during_commit >= 1,
        "drops happened at every stage ({before_commit} before the commit, {during_commit} \
         during it, in {sweeps} sweeps)"
    );
    close_all(observer, store, test_db).await;
}

/// Scenario 7: `begin()` polled once and dropped, 200 times, on a pool of one connection:
/// no transaction is left open, and an autocommit write afterwards is visible from another
/// connection (sqlx issue 4385).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn begin_polled_once_and_dropped_leaks_nothing() {
    let (test_db, store, mut observer) =
        one_connection_store(|config| config.acquire_timeout(GENEROUS_ACQUIRE)).await;
    store.users().count(Filter::All).await.expect("warm up");
    let baseline = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let mut cx = Context::from_waker(Waker::noop());
    let mut in_flight = 0;
    for _ in 0..200 {
        let mut begin = pin!(store.begin());
        // The BEGIN runs on a task of its own; on a multi-thread runtime another worker can
        // finish it before this first poll returns. Such a transaction is simply dropped
        // (rolled back) too; the scenario is about the ones dropped while still in flight.
        match begin.as_mut().poll(&mut cx) {
            Poll::Pending => in_flight += 1,
            Poll::Ready(result) => drop(result.expect("a completed BEGIN succeeds")),
        }
    }
    assert!(
        in_flight >= 100,
        "most begins were dropped in flight ({in_flight} of 200)"
    );
    assert_pool_clean(&store, &mut observer, baseline, "after 200 dropped begins").await;
    // And the connection still runs transactions that commit.
    let tx = store.begin().await.expect("begin");
    tx.users()
        .insert(new_user("in-tx@example.com"))
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    assert_eq!(observer.users_with_emails(&["in-tx@example.com"]).await, 1);
    close_all(observer, store, test_db).await;
}

/// How soon after a stopped statement began the next call must be done.
const NEXT_CALL_BOUND: Duration = Duration::from_millis(400);

/// Within 400 ms of `start`, the next call succeeds (its connection is free again), and no
/// `pg_sleep(5)` is left running: the statement timeout stopped it long before it would have
/// ended by itself. Returns when the next call was done, counted from `start`.
async fn next_call_is_served(store: &PgStore, observer: &mut Observer, start: Instant) -> Duration {
    store
        .users()
        .count(Filter::All)
        .await
        .expect("the next call succeeds");
    let next_ok = start.elapsed();
    assert!(
        next_ok < NEXT_CALL_BOUND,
        "the connection was free again after {next_ok:?}"
    );
    assert_eq!(
        observer
            .running_settled("pg_sleep(5)", Duration::from_secs(2))
            .await,
        0
    );
    next_ok
}

/// Scenario 8: a statement timeout of 200 ms on a pool of one connection. A slow query is
/// stopped by the server (`Unavailable`, SQLSTATE 57014) and the next call succeeds within
/// 400 ms of the start; a caller giving up after 50 ms (its future dropped) gets the same
/// bound, because the server stops the abandoned statement too. Afterwards no backend still
/// runs the sleep.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statement_timeout_stops_slow_queries_and_frees_the_connection() {
    const TIMEOUT: Duration = Duration::from_millis(200);
    let (test_db, store, mut observer) =
        one_connection_store(|config| config.statement_timeout(Some(TIMEOUT))).await;
    store.users().count(Filter::All).await.expect("warm up");

    // The server stops the statement.
    let start = Instant::now();
    let err = store
        .raw_query("SELECT 1 AS one FROM pg_sleep(5)", &[])
        .await
        .expect_err("pg_sleep(5) outlives the statement timeout");
    let failed_after = start.elapsed();
    assert!(
        matches!(&err, StoreError::Unavailable { message, .. } if message.contains("57014")),
        "a statement timeout is Unavailable (57014): {err:?}"
    );
    assert!(
        failed_after >= TIMEOUT && failed_after < NEXT_CALL_BOUND,
        "stopped by the server after {failed_after:?}"
    );
    let next_ok = next_call_is_served(&store, &mut observer, start).await;
    eprintln!(
        "scenario 8: stopped by the server after {failed_after:?}, next call done after \
         {next_ok:?}"
    );

    // The caller's own deadline drops the future; the statement it started keeps the
    // connection only until the server's timeout stops it.
    let start = Instant::now();
    let gave_up = tokio::time::timeout(
        Duration::from_millis(50),
        store.raw_query("SELECT 2 AS two FROM pg_sleep(5)", &[]),
    )
    .await;
    assert!(gave_up.is_err(), "the caller's deadline fires first");
    let next_ok = next_call_is_served(&store, &mut observer, start).await;
    eprintln!("scenario 8: after a caller's 50 ms deadline, next call done after {next_ok:?}");
    close_all(observer, store, test_db).await;
}

/// Scenario 8, inside a transaction: a read stopped by the statement timeout aborts the
/// transaction on the server. Every later call of it fails (a write never runs outside it),
/// its commit says that nothing was committed (`Unavailable`, not a silent `Ok`), none of
/// its writes, before or after the timeout, is present, and the pool serves again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statement_timeout_inside_a_transaction_fails_its_commit() {
    let (test_db, store, mut observer) =
        one_connection_store(|config| config.statement_timeout(Some(Duration::from_millis(200))))
            .await;
    let emails = [
        "before@example.com",
        "after1@example.com",
        "after2@example.com",
    ];

    let tx = store.begin().await.expect("begin");
    tx.users()
        .insert(new_user(emails[0]))
        .await
        .expect("insert before the timeout");
    let err = tx
        .raw_query("SELECT 1 AS one FROM pg_sleep(5)", &[])
        .await
        .expect_err("the statement timeout stops the read");
    assert!(matches!(err, StoreError::Unavailable { .. }), "{err:?}");
    for email in &emails[1..] {
        let result = tx.users().insert(new_user(email)).await;
        assert!(
            result.is_err(),
            "a write after the abort must fail: {result:?}"
        );
    }
    let commit = tx.commit().await;
    assert!(
        matches!(&commit, Err(StoreError::Unavailable { message, .. }) if message.contains("commit")),
        "the commit reports that nothing was committed: {commit:?}"
    );
    assert_eq!(observer.users_with_emails(&emails).await, 0);
    // The pool replaces the connection it lost and serves again.
    let user = store
        .users()
        .insert(new_user("later@example.com"))
        .await
        .expect("the store serves again");
    assert_eq!(observer.users_with_emails(&[user.email.as_str()]).await, 1);
    observer
        .wait_no_idle_in_transaction("after the aborted transaction")
        .await;
    close_all(observer, store, test_db).await;
}

/// What happened to one transaction of [`write_dropped_inside_a_transaction`].
#[derive(Debug, PartialEq, Eq)]
enum Fate {
    /// B completed within its polls: A, B and C were written and committed.
    Completed,
    /// B was dropped while the transaction stayed intact: C was written, the commit
    /// succeeded, and B left no trace.
    Intact,
    /// B was dropped where it broke the transaction: C (or the commit) was refused, and
    /// nothing was committed.
    Refused,
}

/// True if `result` is the refusal of a transaction that is no longer usable.
fn is_refusal<T: std::fmt::Debug>(result: &StoreResult<T>) -> bool {
    matches!(
        result,
        Err(StoreError::Unavailable { message, .. })
            if message.starts_with("transaction is no longer usable")
                && message.ends_with("nothing was committed")
    )
}

/// One run of the scenario below with B dropped after `polls` polls: begin (and, if `nested`,
/// a savepoint in it, which the writes go through), insert A, insert B (dropped), insert C,
/// commit (the savepoint, then the transaction). Checks what the database then holds.
/// `sweep` keeps the e-mails of every run apart.
async fn write_dropped_after(
    store: &PgStore,
    observer: &mut Observer,
    sweep: usize,
    polls: usize,
    nested: bool,
) -> Fate {
    let tag = format!("{}s{sweep}k{polls}", if nested { "savepoint-" } else { "" });
    let [a, b, c] = ["a", "b", "c"].map(|x| format!("{x}-{tag}@example.com"));
    let baseline = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let tx = store.begin().await.expect("begin");
    let savepoint = if nested {
        Some(tx.begin().await.expect("savepoint"))
    } else {
        None
    };
    let writes = savepoint.as_ref().unwrap_or(&tx);
    writes
        .users()
        .insert(new_user(&a))
        .await
        .unwrap_or_else(|e| panic!("{tag}: insert A: {e:?}"));
    let b_done = match PollBudget::new(writes.users().insert(new_user(&b)), polls).await {
        Some(result) => {
            result.unwrap_or_else(|e| panic!("{tag}: B, polled to the end, fails: {e:?}"));
            true
        }
        None => false,
    };
    let c_result = writes.users().insert(new_user(&c)).await;
    let committed = if c_result.is_ok() {
        let released = match savepoint {
            Some(savepoint) => savepoint.commit().await,
            None => Ok(()),
        };
        match released {
            Ok(()) => tx.commit().await,
            Err(err) => Err(err),
        }
    } else {
        assert!(is_refusal(&c_result), "{tag}: C is refused: {c_result:?}");
        // Every later call through the transaction (and its savepoint) is refused too.
        assert!(
            is_refusal(&writes.users().count(Filter::All).await),
            "{tag}: a read is refused"
        );
        assert!(
            is_refusal(&writes.raw_query("SELECT 1 AS one", &[]).await),
            "{tag}: raw SQL is refused"
        );
        assert!(
            is_refusal(&writes.begin().await.map(drop)),
            "{tag}: a savepoint is refused"
        );
        if let Some(savepoint) = savepoint {
            let released = savepoint.commit().await;
            assert!(is_refusal(&released), "{tag}: releasing: {released:?}");
            // The refused release rolled the savepoint back, and the failure with it: the
            // transaction commits, without A (written in the savepoint).
            tx.commit()
                .await
                .unwrap_or_else(|e| panic!("{tag}: the enclosing transaction: {e:?}"));
            released
        } else {
            let commit = tx.commit().await;
            assert!(
                is_refusal(&commit),
                "{tag}: the commit is refused: {commit:?}"
            );
            commit
        }
    };
    assert_pool_clean(store, observer, baseline, &tag).await;
    let mut present = [0; 3];
    for (count, email) in present.iter_mut().zip([&a, &b, &c]) {
        *count = observer.users_with_emails(&[email]).await;
    }
    let [has_a, has_b, has_c] = present;
    assert!(has_c == 0 || has_a == 1, "{tag}: never C without A");
    match (b_done, committed) {
        (true, Ok(())) => {
            assert!(c_result.is_ok(), "{tag}");
            assert_eq!((has_a, has_b, has_c), (1, 1, 1), "{tag}: all committed");
            Fate::Completed
        }
        (false, Ok(())) => {
            assert_eq!(
                (has_a, has_b, has_c),
                (1, 0, 1),
                "{tag}: A and C committed, the dropped B left no trace"
            );
            Fate::Intact
        }
        (_, Err(err)) => {
            assert!(
                matches!(err, StoreError::Unavailable { .. }),
                "{tag}: a failed commit is Unavailable: {err:?}"
            );
            assert_eq!(
                (has_a, has_b, has_c),
                (0, 0, 0),
                "{tag}: nothing of a transaction that did not commit"
            );
            Fate::Refused
        }
    }
}

/// A write inside a transaction dropped after k polls, for k = 1, 2, … up
/// to the poll it completes in (every await point), directly in the transaction and in a
/// savepoint of it. A write dropped before it finished may still run in the transaction, so
/// the transaction (the level the write ran in) refuses every later call (never runs C, never
/// in autocommit) and its commit says that nothing was committed. The database holds all of
/// the transaction's successful writes or none, never C without A, and the pool's one
/// connection is clean afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_dropped_inside_a_transaction() {
    /// More polls than one insert ever needs.
    const MAX_POLLS: usize = 500;
    /// Sweeps per mode, at least and at most.
    const MIN_SWEEPS: usize = 3;
    const MAX_SWEEPS: usize = 30;
    let (test_db, store, mut observer) =
        one_connection_store(|config| config.acquire_timeout(GENEROUS_ACQUIRE)).await;
    store.users().count(Filter::All).await.expect("warm up");
    for nested in [false, true] {
        // How many polls each step needs depends on timing (an answer already waiting costs
        // no `Pending`: on loopback a whole insert may complete in one poll), so sweeps
        // repeat until drops of both kinds were seen.
        let (mut refused, mut intact, mut polls_needed) = (0, 0, Vec::new());
        for sweep in 0..MAX_SWEEPS {
            if sweep >= MIN_SWEEPS && refused > 0 && intact > 0 {
                break;
            }
            let mut fates = Vec::new();
            for polls in 1..=MAX_POLLS {
                let fate = write_dropped_after(&store, &mut observer, sweep, polls, nested).await;
                let done = fate == Fate::Completed;
                fates.push(fate);
                if done {
                    break;
                }
            }
            assert_eq!(
                fates.last(),
                Some(&Fate::Completed),
                "the write completes within {MAX_POLLS} polls"
            );
            refused += fates.iter().filter(|f| **f == Fate::Refused).count();
            intact += fates.iter().filter(|f| **f == Fate::Intact).count();
            polls_needed.push(fates.len());
        }
        eprintln!(
            "write dropped inside a {}: completed after {polls_needed:?} polls; {refused} \
             drops refused, {intact} left the transaction intact",
            if nested { "savepoint" } else { "transaction" },
        );
        assert!(refused >= 1, "dropped writes were refused");
        assert_eq!(
            intact, 0,
            "a write dropped before it finished leaves its transaction unusable (the INSERT \
             may still run in it)"
        );
    }
    close_all(observer, store, test_db).await;
}
