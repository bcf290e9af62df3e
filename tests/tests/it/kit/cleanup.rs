//! The kit's databases are dropped with their store: after `on_both`'s run (also when the
//! body panicked) and when a `TestStore` is dropped, checked in `pg_database`.

use std::sync::Mutex;

use containerpub_tests::kit::{self, TestStore};

use super::{database_exists, panic_message};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_both_drops_its_database_after_the_run() {
    let name = Mutex::new(None);
    kit::on_both(async |t| {
        if let Some(db) = t.database() {
            assert!(database_exists(db.name()).await);
            *name.lock().unwrap() = Some(db.name().to_owned());
        }
    })
    .await;
    let name = name
        .into_inner()
        .unwrap()
        .expect("the PostgreSQL run's database");
    assert!(!database_exists(&name).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_both_drops_its_database_when_the_body_panics() {
    static NAME: Mutex<Option<String>> = Mutex::new(None);
    let message = panic_message(|| async {
        kit::on_both(async |t| {
            if let Some(db) = t.database() {
                *NAME.lock().unwrap() = Some(db.name().to_owned());
                panic!("deliberate");
            }
        })
        .await;
    });
    assert!(message.expect("a panic").contains("deliberate"));
    let name = NAME
        .lock()
        .unwrap()
        .clone()
        .expect("the PostgreSQL run's database");
    assert!(!database_exists(&name).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_store_drops_its_database_on_drop() {
    let t = TestStore::postgres().await;
    let name = t.database().expect("a PostgreSQL store").name().to_owned();
    assert!(database_exists(&name).await);
    drop(t);
    assert!(!database_exists(&name).await);
}
