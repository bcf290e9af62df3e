//! The deploy service on PostgreSQL: each test gets a migrated database of its own, dropped
//! afterwards (the server is found or started as the library's own tests do).

mod common;

use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::pg::TestDatabase;

/// A store on a fresh, migrated database; keep the database alive while the store is used.
async fn postgres() -> (TestDatabase, PgStore) {
    let database = TestDatabase::new().await;
    let store = PgStore::connect(PgConfig::new(database.url()))
        .await
        .expect("connected");
    (database, store)
}

#[tokio::test]
async fn deploys_twice() {
    let (_database, store) = postgres().await;
    common::deploys_twice(store).await;
}

#[tokio::test]
async fn an_unknown_owner_writes_nothing() {
    let (_database, store) = postgres().await;
    common::an_unknown_owner_writes_nothing(store).await;
}
