//! `TestDatabase::load_fixtures_from`: SQL fixtures from an application's folder, and errors
//! that name the file.

use containerpub_ports::Stores;
use containerpub_tests::fixture;
use containerpub_tests::kit::{FixtureError, TestDatabase, TestStore};

use super::{app_fixtures, panic_message, user_count};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixtures_load_from_an_application_folder() {
    let db = TestDatabase::new().await;
    db.load_fixtures_from(app_fixtures(), &["users"]).await;
    assert_eq!(user_count(&db).await, 1);

    // The store sees the row, and the sequence was moved past it.
    let t = TestStore::postgres_on(db).await;
    let owner = t
        .store
        .users()
        .find_by_email(&fixture::email("app-owner@example.com"))
        .await
        .expect("find")
        .expect("the fixture row");
    assert_eq!(owner.id.get(), 40);
    let next = fixture::user(&t.store, "next@example.com").await;
    assert_eq!(next.id.get(), 41);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_fixture_file_names_its_path_and_loads_nothing() {
    let db = TestDatabase::new().await;
    let missing = app_fixtures().join("functions.sql");
    let err = db
        .try_load_fixtures_from(app_fixtures(), &["users", "functions"])
        .await
        .unwrap_err();
    match &err {
        FixtureError::Unreadable { path, .. } => assert_eq!(path, &missing),
        other => panic!("expected Unreadable, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("cannot read fixture {}: ", missing.display())),
        "{text}"
    );
    // Read before anything runs: `users`, listed first, was not loaded either.
    assert_eq!(user_count(&db).await, 0);

    // The panicking form says the same.
    let message = panic_message(|| async {
        let db = TestDatabase::new().await;
        db.load_fixtures_from(app_fixtures(), &["functions"]).await;
    })
    .expect("a missing file panics");
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_that_is_not_a_table_name_is_refused() {
    let db = TestDatabase::new().await;
    for name in ["../users", "Users", "", "users.sql"] {
        let err = db
            .try_load_fixtures_from(app_fixtures(), &["users", name])
            .await
            .unwrap_err();
        assert_eq!(
            err,
            FixtureError::BadName {
                name: name.to_owned()
            }
        );
    }
    // Checked before anything runs: `users`, listed first, was not loaded.
    assert_eq!(user_count(&db).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_sql_names_its_file_and_rolls_back_the_call() {
    let db = TestDatabase::new().await;
    let err = db
        .try_load_fixtures_from(app_fixtures(), &["users", "broken"])
        .await
        .unwrap_err();
    match &err {
        FixtureError::Failed {
            path,
            database,
            reason,
        } => {
            assert_eq!(path, &app_fixtures().join("broken.sql"));
            assert_eq!(database, db.name());
            assert!(reason.contains("no_such_table"), "{reason}");
            assert!(reason.contains("SQLSTATE 42P01"), "{reason}");
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    assert_eq!(user_count(&db).await, 0);
}
