//! The application test kit (`containerpub_tests::kit`): fixtures from an application's
//! folder, the both-adapters runner, database cleanup, and the README's example.

mod cleanup;
mod fixtures_from;
mod on_both;
mod readme;

use std::future::Future;
use std::path::PathBuf;

use sqlx::{Connection, PgConnection};

/// The application fixture folder of these tests (`kit/app_fixtures`).
fn app_fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/kit/app_fixtures")
}

/// Runs `make()`'s future on a runtime of its own in a thread of its own and returns its
/// panic message (`None` if it did not panic).
fn panic_message<F, Fut>(make: F) -> Option<String>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let joined = std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(make());
    })
    .join();
    let payload = joined.err()?;
    Some(match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => (*payload.downcast::<&str>().expect("a text panic")).to_owned(),
    })
}

/// Whether database `name` exists on the shared test server, read from `pg_database`.
async fn database_exists(name: &str) -> bool {
    let mut admin = PgConnection::connect(&containerpub_tests::pg::admin_url().await)
        .await
        .expect("connect as admin");
    let exists = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(&mut admin)
        .await
        .expect("query pg_database");
    let _ = admin.close().await;
    exists
}

/// The number of rows of `users` in `db`.
async fn user_count(db: &containerpub_tests::kit::TestDatabase) -> i64 {
    let mut conn = db.connect().await;
    let n = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&mut conn)
        .await
        .expect("count users");
    let _ = conn.close().await;
    n
}
