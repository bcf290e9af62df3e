//! The whole contract suite on databases the Dart backend created and `adopt` took over (seed
//! era, and seed era upgraded by the later Dart backend), not on freshly migrated ones.

use containerpub_migration::adopt::{self, Resolutions};
use containerpub_postgres::PgStore;
use containerpub_tests::contract::Fixture;
use containerpub_tests::pg::TestDatabase;
use tokio::sync::OnceCell;

use super::{HEAD_UPGRADE, SEED_SCHEMA};

/// The adopted database of an era, built once per test process; every scenario gets a copy.
async fn template(later: bool) -> &'static TestDatabase {
    static SEED: OnceCell<TestDatabase> = OnceCell::const_new();
    static LATER: OnceCell<TestDatabase> = OnceCell::const_new();
    let cell = if later { &LATER } else { &SEED };
    cell.get_or_init(|| async move {
        let test_db = TestDatabase::empty().await;
        test_db.execute(SEED_SCHEMA).await;
        if later {
            test_db.execute(HEAD_UPGRADE).await;
        }
        let report = adopt::adopt(test_db.url(), &Resolutions::none(), &mut |_: &str| {})
            .await
            .expect("adopt");
        assert!(report.applied, "{}", report.to_text());
        test_db
    })
    .await
}

async fn adopted(later: bool) -> Fixture<PgStore> {
    Fixture::postgres(template(later).await.copy().await).await
}

mod seed_era {
    async fn fixture() -> containerpub_tests::contract::Fixture<containerpub_postgres::PgStore> {
        super::adopted(false).await
    }
    containerpub_tests::contract_suite!(fixture);
}

mod later_era {
    async fn fixture() -> containerpub_tests::contract::Fixture<containerpub_postgres::PgStore> {
        super::adopted(true).await
    }
    containerpub_tests::contract_suite!(fixture);
}
