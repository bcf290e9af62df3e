//! The contract suite on the PostgreSQL adapter: every scenario on its own fresh database.

use containerpub_tests::contract::Fixture;
use containerpub_tests::pg::TestDatabase;

containerpub_tests::contract_suite!(|| async {
    Fixture::postgres(TestDatabase::new().await).await
});
