//! The migration CLI never destroys what it did not create, and `status` changes nothing.

use containerpub_tests::pg::TestDatabase;

use super::{cli, scalar, seed_db};

async fn tables(db: &TestDatabase) -> String {
    scalar(
        db,
        "SELECT string_agg(relname::text, ',' ORDER BY relname) FROM pg_class \
         WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'",
    )
    .await
    .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_changes_nothing() {
    let empty = TestDatabase::empty().await;
    let (code, out, _) = cli(&empty, &["status"]).await;
    assert_eq!(code, 0);
    assert!(
        out.contains("Migration 'm20250101_000001_create_users'... Pending"),
        "{out}"
    );
    assert_eq!(tables(&empty).await, "", "status created a table");

    let legacy = seed_db(true).await;
    let before = tables(&legacy).await;
    let (code, _, _) = cli(&legacy, &["status"]).await;
    assert_eq!(code, 0);
    assert_eq!(tables(&legacy).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_points_a_dart_database_at_adopt() {
    let legacy = seed_db(true).await;
    let before = tables(&legacy).await;
    let (code, _, err) = cli(&legacy, &["up"]).await;
    assert_eq!(code, 2);
    assert!(err.contains("migration adopt --dry-run"), "{err}");
    assert_eq!(tables(&legacy).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_refuses_to_drop_tables_it_did_not_create() {
    let legacy = seed_db(true).await;
    let before = tables(&legacy).await;
    let (code, _, err) = cli(&legacy, &["fresh"]).await;
    assert_eq!(code, 2);
    assert!(
        err.contains("table users (5 rows), not created by these migrations"),
        "{err}"
    );
    assert!(err.contains("--allow-data-loss"), "{err}");
    assert_eq!(tables(&legacy).await, before);

    let (code, _, err) = cli(&legacy, &["fresh", "--allow-data-loss"]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        scalar(&legacy, "SELECT count(*)::text FROM users")
            .await
            .as_deref(),
        Some("0")
    );
    assert_eq!(
        containerpub_migration::applied(legacy.url())
            .await
            .expect("applied"),
        containerpub_migration::names()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_reset_refresh_refuse_to_drop_rows() {
    let db = TestDatabase::new().await;
    // An empty migrated database: rolling back loses nothing.
    let (code, _, err) = cli(&db, &["down", "-n", "1"]).await;
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = cli(&db, &["up"]).await;
    assert_eq!(code, 0, "{err}");
    db.execute(
        "INSERT INTO users (email) VALUES ('a@example.com'); \
         INSERT INTO repositories (name, path) VALUES ('acme', 'acme')",
    )
    .await;
    // The last two migrations: the case-insensitive indexes, then `repositories`.
    let (code, _, err) = cli(&db, &["down", "-n", "2"]).await;
    assert_eq!(code, 2);
    assert!(err.contains("table repositories: 1 rows"), "{err}");
    for command in ["reset", "refresh"] {
        let (code, _, err) = cli(&db, &[command]).await;
        assert_eq!(code, 2, "{command}");
        assert!(err.contains("table users: 1 rows"), "{command}: {err}");
    }
    assert_eq!(
        scalar(&db, "SELECT count(*)::text FROM users")
            .await
            .as_deref(),
        Some("1")
    );
    // A table these migrations did not create is refused too.
    db.execute("CREATE TABLE audit (id int)").await;
    let (code, _, err) = cli(&db, &["reset"]).await;
    assert_eq!(code, 2);
    assert!(
        err.contains("table audit (0 rows), not created by these migrations"),
        "{err}"
    );
    let (code, _, err) = cli(&db, &["reset", "--allow-data-loss"]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(tables(&db).await, "audit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_schema_public_is_accepted() {
    let db = TestDatabase::empty().await;
    let (code, _, err) = cli(&db, &["-s", "tenant", "status"]).await;
    assert_eq!(code, 1);
    assert!(err.contains("schema public only"), "{err}");
    let (code, _, _) = cli(&db, &["-s", "public", "status"]).await;
    assert_eq!(code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_without_n_rolls_back_only_the_last_migration() {
    let db = TestDatabase::new().await;
    db.execute("INSERT INTO users (email) VALUES ('a@example.com')")
        .await;
    let (code, out, err) = cli(&db, &["down"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("down: done"), "{out}");
    let mut expected = containerpub_migration::names();
    expected.pop();
    assert_eq!(
        containerpub_migration::applied(db.url())
            .await
            .expect("applied"),
        expected,
        "only the last migration is rolled back"
    );
    assert_eq!(
        scalar(&db, "SELECT count(*)::text FROM users")
            .await
            .as_deref(),
        Some("1")
    );
}
