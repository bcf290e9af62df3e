//! The kit's databases are dropped with their store: after `on_both`'s run (also when the
//! body panicked) and when a `TestStore` is dropped, checked in `pg_database`.

use std::sync::Mutex;

use containerpub_tests::kit::{self, Adapter, TestStore};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_run_s_database_is_gone_before_the_next_run_starts() {
    let names = Mutex::new(Vec::<String>::new());
    kit::on_each(&[Adapter::Postgres, Adapter::Postgres], async |t| {
        let earlier = names.lock().unwrap().clone();
        for name in &earlier {
            assert!(!database_exists(name).await, "{name} still exists");
        }
        let name = t.database().expect("PostgreSQL").name().to_owned();
        names.lock().unwrap().push(name);
    })
    .await;
    let names = names.into_inner().unwrap();
    assert_eq!(names.len(), 2);
    assert_ne!(names[0], names[1]);
}
