//! Store errors on PostgreSQL keep their cause for logs (SQLSTATE, the server's primary
//! message, never its DETAIL), say when the database lacks the schema (with the commands that
//! fix it), and say why no connection could be had.

use std::error::Error as _;
use std::time::Duration;

use containerpub_domain::UserPatch;
use containerpub_ports::{Filter, Query, SCHEMA_FIX, StoreError, Stores, UnitOfWork};
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::fixture::user;
use containerpub_tests::pg::{Cluster, TestDatabase};

/// A store on `db`.
async fn store_on(db: &TestDatabase) -> PgStore {
    PgStore::connect(PgConfig::new(db.url()))
        .await
        .expect("connect")
}

/// The server's error an error carries as its source, as text.
fn server_cause(err: &StoreError) -> String {
    err.source().expect("the server's error").to_string()
}

/// A statement timeout hit by a store call (an UPDATE waiting for a row lock) is
/// `Unavailable` carrying SQLSTATE `57014` and the server's message as its source; equality
/// ignores both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_carries_its_sqlstate_and_message() {
    let db = TestDatabase::new().await;
    let store = store_on(&db).await;
    let ada = user(&store, "ada@example.com").await;
    let impatient = PgStore::connect(
        PgConfig::new(db.url()).statement_timeout(Some(Duration::from_millis(200))),
    )
    .await
    .expect("connect");
    let tx = store.begin().await.expect("begin");
    tx.users()
        .update_by_id(ada.id, UserPatch::default())
        .await
        .expect("lock the row");
    let err = impatient
        .users()
        .update_by_id(ada.id, UserPatch::default())
        .await
        .expect_err("waits for the lock until the statement timeout");
    drop(tx);
    assert!(err.is_retryable(), "{err:?}");
    assert_eq!(err.sqlstate(), Some("57014"), "{err:?}");
    let source = server_cause(&err);
    assert!(
        source.contains("canceling statement due to statement timeout")
            && source.contains("SQLSTATE 57014"),
        "{source}"
    );
    // The cause does not take part in equality.
    let StoreError::Unavailable { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(err, StoreError::unavailable(message.clone()));
    impatient.close().await;
    store.close().await;
    db.drop_db().await;
}

/// An `Internal` from a server error keeps the SQLSTATE and the primary message, never the
/// DETAIL (here `Key (id)=(…) already exists.`: an internal id).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cause_never_holds_the_detail() {
    let db = TestDatabase::new().await;
    let store = store_on(&db).await;
    let ada = user(&store, "ada@example.com").await;
    let bob = user(&store, "bob@example.com").await;
    let err = store
        .raw_execute(
            "UPDATE users SET id = (SELECT max(id) FROM users) WHERE id = (SELECT min(id) FROM users)",
            &[],
        )
        .await
        .expect_err("users_pkey");
    assert!(matches!(err, StoreError::Internal { .. }), "{err:?}");
    assert_eq!(err.sqlstate(), Some("23505"));
    let source = server_cause(&err);
    assert!(source.contains("users_pkey"), "{source}");
    for text in [err.to_string(), format!("{err:?}"), source] {
        assert!(!text.contains("Key ("), "no DETAIL in {text}");
        for id in [ada.id.get(), bob.id.get()] {
            assert!(
                !text.contains(&format!("({id})")),
                "no internal id in {text}"
            );
        }
    }
    store.close().await;
    db.drop_db().await;
}

/// A store on a database without the schema (never migrated), or with a foreign table of the
/// same name (a column missing): `SchemaMismatch`, whose `Display` gives the migration
/// commands. Raw SQL naming a missing table stays `Internal` (the caller's SQL).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unmigrated_database_says_how_to_migrate_it() {
    let db = TestDatabase::empty().await;
    let store = store_on(&db).await;
    let err = store
        .users()
        .count(Filter::All)
        .await
        .expect_err("no users table");
    assert!(matches!(err, StoreError::SchemaMismatch { .. }), "{err:?}");
    assert_eq!(err.sqlstate(), Some("42P01"));
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(
        text.contains(r#"relation "users" does not exist"#),
        "{text}"
    );
    assert!(text.contains(SCHEMA_FIX), "{text}");
    assert!(
        text.contains("cargo run -p containerpub-migration -- up")
            && text.contains("cargo run -p containerpub-migration -- adopt --dry-run"),
        "{text}"
    );
    let raw = store
        .raw_query("SELECT * FROM nowhere", &[])
        .await
        .expect_err("no such table");
    assert!(matches!(raw, StoreError::Internal { .. }), "{raw:?}");
    assert_eq!(raw.sqlstate(), Some("42P01"));

    // A foreign `users` table (a column missing): 42703.
    db.execute("CREATE TABLE users (id serial PRIMARY KEY, uuid uuid NOT NULL)")
        .await;
    let err = store
        .users()
        .find_all(Query::filter(Filter::All))
        .await
        .expect_err("columns missing");
    assert!(matches!(err, StoreError::SchemaMismatch { .. }), "{err:?}");
    assert_eq!(err.sqlstate(), Some("42703"));
    store.close().await;
    db.drop_db().await;
}

/// A port nothing listens on: `connect` says the connection was refused and names the
/// server's `host:port`, never the password, instead of only "timed out waiting for a
/// database connection" (sqlx 0.9's pool retries a refused connection until its acquire
/// timeout and drops the error).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_says_so() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let url = format!("postgres://app:s3cret-pw@127.0.0.1:{port}/app");
    let err = PgStore::connect(PgConfig::new(&url).acquire_timeout(Duration::from_millis(300)))
        .await
        .expect_err("nothing listens");
    assert!(err.is_retryable(), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(&format!("cannot connect to PostgreSQL at 127.0.0.1:{port}")),
        "{text}"
    );
    assert!(text.to_lowercase().contains("refused"), "{text}");
    for shown in [text, format!("{err:?}")] {
        assert!(!shown.contains("s3cret"), "no password in {shown}");
    }
    // The connect error itself is the source, for logs.
    let source = err.source().expect("the connect error").to_string();
    assert!(source.to_lowercase().contains("refused"), "{source}");
}

/// The server stops under a running store: once its connections are gone, a call says that
/// connecting to `host:port` is refused, not only that the pool timed out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_that_cannot_reconnect_says_why() {
    let cluster = Cluster::start().await;
    let store = PgStore::connect(
        PgConfig::new(cluster.url("postgres"))
            .max_connections(2)
            .acquire_timeout(Duration::from_millis(500)),
    )
    .await
    .expect("connect");
    store.raw_query("SELECT 1", &[]).await.expect("serving");
    cluster.stop().await;
    let mut seen = Vec::new();
    for _ in 0..5 {
        let err = store
            .raw_query("SELECT 1", &[])
            .await
            .expect_err("the server is down");
        let text = err.to_string();
        seen.push(text.clone());
        if text.contains(&format!(
            "cannot connect to PostgreSQL at 127.0.0.1:{}",
            cluster.port()
        )) {
            assert!(text.to_lowercase().contains("refused"), "{text}");
            assert!(err.is_retryable());
            return;
        }
    }
    panic!("no call said why connecting failed: {seen:#?}");
}
