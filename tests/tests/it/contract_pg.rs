//! The contract suite on the PostgreSQL adapter: every scenario on its own fresh database.

use std::sync::Arc;

use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::contract::{self, Fixture};
use containerpub_tests::pg::TestDatabase;

async fn pg_fixture() -> Fixture<PgStore> {
    let test_db = TestDatabase::new().await;
    let clock = contract::start_clock();
    let db = PgStore::connect(PgConfig::new(test_db.url()).max_connections(4))
        .await
        .expect("connect to the test database")
        .with_clock(Arc::new(clock.clone()));
    Fixture::with_guard(db, clock, test_db)
}

containerpub_tests::contract_suite!(pg_fixture);
