//! Read replicas (`PgConfig::replica`) on a real primary and a real streaming standby, each a
//! throwaway cluster of its own: reads go to the standby, writes and transactions to the
//! primary, `PgStore::primary` reads its own writes, a stopped or lagging standby sends reads
//! back to the primary without a single failed call, and they return once it recovers.
//!
//! Where a read ran is read off the servers themselves: every store connection reports the
//! `application_name` [`APP`], and `pg_stat_activity` keeps each session's last statement and
//! its start time, so a `count(*)` on `users` started after a given instant shows on exactly
//! the server that ran it. Stale results on a standby whose replay is paused are the second,
//! independent witness.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use containerpub_domain::{NewOrganization, User, UserPatch};
use containerpub_ports::{Filter, StoreError, Stores, Transaction, UnitOfWork};
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::fixture::{email, name, user};
use containerpub_tests::pg::{Cluster, ClusterConfig};
use sqlx::{Connection, PgConnection};

/// The `application_name` of the stores under test.
const APP: &str = "cp-it-replicas";
/// How long a condition may take to come true.
const DEADLINE: Duration = Duration::from_secs(30);

/// A migrated primary and a streaming standby of it.
async fn primary_and_standby() -> (Cluster, Cluster) {
    let primary = Cluster::start_with(ClusterConfig::replication_primary()).await;
    containerpub_migration::up(&primary.url("postgres"))
        .await
        .expect("migrations");
    let standby = Cluster::start_replica_of(&primary, ClusterConfig::new()).await;
    (primary, standby)
}

/// A store on `primary` with `standby` as its replica, checked every 100 ms.
fn config(primary: &Cluster, standby: &Cluster) -> PgConfig {
    PgConfig::new(primary.url("postgres"))
        .replica(standby.url("postgres"))
        .application_name(APP)
        .max_connections(4)
        .replica_check_interval(Duration::from_millis(100))
        .replica_acquire_timeout(Duration::from_millis(500))
}

async fn admin(cluster: &Cluster) -> PgConnection {
    PgConnection::connect(&cluster.url("postgres"))
        .await
        .expect("admin connection")
}

/// Polls `condition` every 50 ms until it holds; panics with `what` after [`DEADLINE`].
async fn eventually<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + DEADLINE;
    while !condition().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Server {
    Primary,
    Standby,
}

/// How many sessions of [`APP`] on `cluster` started a statement like `pattern` at or after
/// `since` (`None` if the server cannot be reached).
async fn statements_since(cluster: &Cluster, pattern: &str, since: &str) -> Option<i64> {
    let mut conn = PgConnection::connect(&cluster.url("postgres")).await.ok()?;
    let n = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity \
         WHERE application_name = $1 AND query LIKE $2 AND query_start >= $3::timestamptz",
    )
    .bind(APP)
    .bind(pattern)
    .bind(since)
    .fetch_one(&mut conn)
    .await
    .ok();
    let _ = conn.close().await;
    n
}

/// `store.users().count(All)`, and the servers that ran it.
async fn count_users(store: &PgStore, primary: &Cluster, standby: &Cluster) -> (u64, Vec<Server>) {
    const COUNT: &str = r#"SELECT count(*) AS "count" FROM "users"%"#;
    let mut clock = admin(primary).await;
    let since: String = sqlx::query_scalar("SELECT clock_timestamp()::text")
        .fetch_one(&mut clock)
        .await
        .expect("clock");
    let _ = clock.close().await;
    let n = store
        .users()
        .count(Filter::All)
        .await
        .expect("a read never fails while the primary is up");
    let mut servers = Vec::new();
    if statements_since(primary, COUNT, &since).await.unwrap_or(0) > 0 {
        servers.push(Server::Primary);
    }
    if statements_since(standby, COUNT, &since).await.unwrap_or(0) > 0 {
        servers.push(Server::Standby);
    }
    (n, servers)
}

async fn set_replay(standby: &Cluster, paused: bool) {
    let mut conn = admin(standby).await;
    let call = if paused {
        "SELECT pg_wal_replay_pause()"
    } else {
        "SELECT pg_wal_replay_resume()"
    };
    sqlx::query(call).execute(&mut conn).await.expect(call);
    if paused {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let state: String = sqlx::query_scalar("SELECT pg_get_wal_replay_pause_state()")
                .fetch_one(&mut conn)
                .await
                .expect("pause state");
            if state == "paused" {
                break;
            }
            assert!(Instant::now() < deadline, "replay did not pause");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let _ = conn.close().await;
}

async fn users_on(cluster: &Cluster) -> i64 {
    let mut conn = admin(cluster).await;
    let n = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    let _ = conn.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_go_to_the_standby_writes_and_transactions_to_the_primary() {
    let (primary, standby) = primary_and_standby().await;
    let store = PgStore::connect(config(&primary, &standby).max_replica_lag(None))
        .await
        .expect("connect");
    let status = store.replica_status();
    assert_eq!(status.len(), 1);
    assert!(status[0].healthy, "{status:?}");

    // The standby refuses writes: every write the store makes below succeeds, so each one
    // ran on the primary.
    let mut direct = admin(&standby).await;
    let refused = sqlx::query("INSERT INTO users (email) VALUES ('x@example.com')")
        .execute(&mut direct)
        .await
        .expect_err("a standby is read-only");
    let code = refused
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned());
    assert_eq!(code.as_deref(), Some("25006"), "{refused}");
    let _ = direct.close().await;

    let ada = user(&store, "ada@example.com").await;
    let ada = store
        .users()
        .update_by_id(
            ada.id,
            UserPatch {
                email: Some(email("ada@lovelace.org")),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap();
    let acme = name("acme");
    let (org, _) = store
        .organizations()
        .create_with_owner(NewOrganization::new(acme.clone(), ada.uuid))
        .await
        .unwrap();

    // Reads are served by the standby once it has replayed those writes.
    eventually("a count runs on the standby and sees the user", || async {
        count_users(&store, &primary, &standby).await == (1, vec![Server::Standby])
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            count_users(&store, &primary, &standby).await,
            (1, vec![Server::Standby])
        );
    }
    let found = store.organizations().find_by_name(&acme).await.unwrap();
    assert_eq!(found.map(|o| o.id), Some(org.id));
    let members = store.organization_members().members_of(org.uuid).await;
    assert_eq!(members.unwrap().len(), 1);
    let on_replica = store
        .raw_query_replica("SELECT pg_is_in_recovery() AS standby", &[])
        .await
        .unwrap();
    assert!(on_replica[0].get::<bool>("standby").unwrap());
    let on_primary = store
        .raw_query("SELECT pg_is_in_recovery() AS standby", &[])
        .await
        .unwrap();
    assert!(!on_primary[0].get::<bool>("standby").unwrap());

    // A transaction runs on the primary, its reads included: it sees its own uncommitted
    // insert, which no other session can.
    let tx = store.begin().await.unwrap();
    user(&tx, "bob@example.com").await;
    assert_eq!(tx.users().count(Filter::All).await.unwrap(), 2);
    let rows = tx
        .raw_query("SELECT pg_is_in_recovery() AS standby", &[])
        .await
        .unwrap();
    assert!(!rows[0].get::<bool>("standby").unwrap());
    tx.commit().await.unwrap();

    // Read-your-writes: with the standby's replay paused, a store read is stale (it really
    // is served by the standby) while the primary view sees the row written a moment ago.
    eventually("the standby has both users", || async {
        users_on(&standby).await == 2
    })
    .await;
    set_replay(&standby, true).await;
    let carol: User = user(&store, "carol@example.com").await;
    assert_eq!(store.users().find_by_id(carol.id).await.unwrap(), None);
    let primary_view = store.primary();
    assert_eq!(
        primary_view.users().find_by_id(carol.id).await.unwrap(),
        Some(carol.clone())
    );
    assert_eq!(primary_view.users().count(Filter::All).await.unwrap(), 3);
    assert!(primary_view.replica_status().is_empty());
    // The same choice through the ports: service code written against
    // `Stores` asks for a consistent read.
    assert_eq!(
        read_back(&store, carol.id).await,
        Some(carol.clone()),
        "Stores::consistent reads the primary"
    );
    let tx = store.begin().await.unwrap();
    assert_eq!(read_back(&tx, carol.id).await, Some(carol.clone()));
    tx.rollback().await.unwrap();
    set_replay(&standby, false).await;
    eventually("the standby replays the new user", || async {
        store.users().find_by_id(carol.id).await.unwrap() == Some(carol.clone())
    })
    .await;

    // No write of the store ever reached the standby: none of its sessions there ran one.
    let writes = statements_since(&standby, "INSERT%", "-infinity")
        .await
        .unwrap()
        + statements_since(&standby, "UPDATE%", "-infinity")
            .await
            .unwrap()
        + statements_since(&standby, "DELETE%", "-infinity")
            .await
            .unwrap()
        + statements_since(&standby, "BEGIN%", "-infinity")
            .await
            .unwrap();
    assert_eq!(writes, 0);
    // The raw replica query refuses writes, whether it runs on the standby or falls back to the
    // primary (in a READ ONLY transaction).
    let fallback = store.primary();
    for store in [&store, &fallback] {
        let refused = store
            .raw_query_replica(
                "INSERT INTO users (email) VALUES ('y@example.com') RETURNING id",
                &[],
            )
            .await;
        assert!(
            matches!(&refused, Err(StoreError::Internal { message, .. }) if message.contains("25006")),
            "{refused:?}"
        );
    }
    let rows = fallback
        .raw_query_replica("SELECT pg_is_in_recovery() AS standby", &[])
        .await
        .unwrap();
    assert!(!rows[0].get::<bool>("standby").unwrap());
    assert_eq!(users_on(&primary).await, 3);

    // Replica sessions are read-only by default.
    let rows = store
        .raw_query_replica(
            "SELECT current_setting('default_transaction_read_only') AS ro, \
             pg_is_in_recovery() AS standby",
            &[],
        )
        .await
        .unwrap();
    assert!(
        rows[0].get::<bool>("standby").unwrap(),
        "served by the standby"
    );
    assert_eq!(rows[0].get::<String>("ro").unwrap(), "on");

    // A statement timeout on the replica is the caller's error: it does not get the replica
    // skipped, and the statement does not run again on the primary. The
    // statement sleeps only on a standby, so a run on the primary would succeed.
    let short = PgStore::connect(
        config(&primary, &standby)
            .max_replica_lag(None)
            .statement_timeout(Some(Duration::from_millis(300))),
    )
    .await
    .expect("connect");
    let timed_out = short
        .raw_query_replica(
            "SELECT CASE WHEN pg_is_in_recovery() THEN pg_sleep(5) END IS NULL AS slept",
            &[],
        )
        .await;
    assert!(
        matches!(&timed_out, Err(StoreError::Unavailable { message, .. }) if message.contains("57014")),
        "{timed_out:?}"
    );
    assert!(
        short.replica_status()[0].healthy,
        "{:?}",
        short.replica_status()
    );
    short.close().await;

    store.close().await;
    drop(standby);
    drop(primary);
}

/// Waits until `store` reads `users` (`expected` rows) on the standby only.
async fn reads_on_standby(store: &PgStore, primary: &Cluster, standby: &Cluster, expected: u64) {
    eventually("reads run on the standby", || async {
        count_users(store, primary, standby).await == (expected, vec![Server::Standby])
    })
    .await;
}

/// Asserts three times over that `store` reads `users` (`expected` rows) on the primary only.
async fn reads_on_primary(store: &PgStore, primary: &Cluster, standby: &Cluster, expected: u64) {
    for _ in 0..3 {
        assert_eq!(
            count_users(store, primary, standby).await,
            (expected, vec![Server::Primary])
        );
    }
}

/// Waits until the background reader counting in `reads` has read a few more times than
/// `before`.
async fn keeps_reading(reads: &AtomicU64, before: u64) {
    eventually("the reader keeps reading", || async {
        reads.load(Ordering::Relaxed) > before + 5
    })
    .await;
}

/// A read-your-writes read through the ports.
async fn read_back<S: Stores + ?Sized>(
    stores: &S,
    id: containerpub_domain::UserId,
) -> Option<User> {
    stores.consistent().users().find_by_id(id).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_standby_sends_reads_to_the_primary_until_it_is_back() {
    let (primary, standby) = primary_and_standby().await;
    let store = PgStore::connect(config(&primary, &standby).max_replica_lag(None))
        .await
        .expect("connect");
    user(&store, "ada@example.com").await;
    reads_on_standby(&store, &primary, &standby, 1).await;

    // A reader that never stops, through the stop and the restart; none of its reads may fail.
    // It has a store of its own (same settings, another `application_name`), so that its
    // statements do not hide the ones `count_users` looks for.
    let background = PgStore::connect(
        config(&primary, &standby)
            .max_replica_lag(None)
            .application_name("cp-it-replicas-reader"),
    )
    .await
    .expect("connect");
    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicU64::new(0));
    let reader = tokio::spawn({
        let (store, stop, reads) = (background.clone(), Arc::clone(&stop), Arc::clone(&reads));
        async move {
            let mut failures = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(120);
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                match store.users().exists(Filter::All).await {
                    Ok(true) => {}
                    other => failures.push(format!("{other:?}")),
                }
                reads.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            failures
        }
    });

    standby.stop().await;
    eventually("the standby is marked unhealthy", || async {
        !store.replica_status()[0].healthy
    })
    .await;
    let before = reads.load(Ordering::Relaxed);
    reads_on_primary(&store, &primary, &standby, 1).await;
    keeps_reading(&reads, before).await;

    standby.start_again().await;
    reads_on_standby(&store, &primary, &standby, 1).await;
    keeps_reading(&reads, reads.load(Ordering::Relaxed)).await;

    stop.store(true, Ordering::Relaxed);
    let failures = reader.await.expect("reader task");
    assert_eq!(failures, Vec::<String>::new());
    assert!(reads.load(Ordering::Relaxed) > 10);
    background.close().await;
    store.close().await;
    drop(standby);
    drop(primary);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lagging_standby_is_skipped_until_it_catches_up() {
    let (primary, standby) = primary_and_standby().await;
    let store =
        PgStore::connect(config(&primary, &standby).max_replica_lag(Duration::from_millis(1)))
            .await
            .expect("connect");
    user(&store, "ada@example.com").await;
    // Caught up with an idle primary counts as no lag, however old the last transaction.
    reads_on_standby(&store, &primary, &standby, 1).await;

    set_replay(&standby, true).await;
    user(&store, "bob@example.com").await;
    eventually("the standby is skipped for its lag", || async {
        let status = &store.replica_status()[0];
        !status.healthy
            && status
                .reason
                .as_deref()
                .is_some_and(|r| r.starts_with("lagging"))
    })
    .await;
    // The standby still has one user; reads see both, from the primary.
    assert_eq!(users_on(&standby).await, 1);
    reads_on_primary(&store, &primary, &standby, 2).await;

    set_replay(&standby, false).await;
    reads_on_standby(&store, &primary, &standby, 2).await;
    store.close().await;
    drop(standby);
    drop(primary);
}
