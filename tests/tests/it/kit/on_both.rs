//! `kit::on_both`: one body, one run per adapter, each on a fresh store with its clock; a
//! failure names the adapter.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use containerpub_domain::Clock;
use containerpub_domain::chrono::TimeDelta;
use containerpub_ports::{Stores, UnitOfWorkExt};
use containerpub_tests::fixture;
use containerpub_tests::kit::{self, Adapter};

use super::{panic_message, user_count};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_the_body_once_per_adapter_on_a_fresh_store() {
    let runs = Mutex::new(Vec::new());
    kit::on_both(async |t| {
        // Fresh: no rows, ids from 1, the clock at t0.
        assert_eq!(t.clock.now(), fixture::t0());
        t.clock.advance(TimeDelta::seconds(5));
        let user = t
            .store
            .transaction(async |tx| tx.users().insert(fixture::new_user("a@example.com")).await)
            .await
            .expect("insert");
        assert_eq!(user.id.get(), 1);
        assert_eq!(user.created_at, fixture::at(5));
        // On PostgreSQL the row is in the run's own database.
        if let Some(db) = t.database() {
            assert_eq!(user_count(db).await, 1);
        }
        runs.lock()
            .unwrap()
            .push((t.adapter(), t.database().map(|db| db.name().to_owned())));
    })
    .await;
    let runs = runs.into_inner().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0], (Adapter::Memory, None));
    assert_eq!(runs[1].0, Adapter::Postgres);
    assert!(runs[1].1.is_some());
}

#[test]
fn a_panic_names_the_adapter_and_both_runs_happen() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let message = panic_message(|| async {
        kit::on_both(async |t| {
            RUNS.fetch_add(1, Ordering::SeqCst);
            assert!(t.adapter() != Adapter::Postgres, "only on one adapter");
        })
        .await;
    })
    .expect("on_both panics");
    assert_eq!(RUNS.load(Ordering::SeqCst), 2);
    assert!(
        message.starts_with(
            "the test body failed on PostgreSQL\n  memory: passed\n  PostgreSQL: panicked: "
        ),
        "{message}"
    );
    assert!(message.contains("only on one adapter"), "{message}");
}

#[test]
fn an_error_names_the_adapter() {
    let message = panic_message(|| async {
        kit::on_both(async |t| {
            if t.adapter() == Adapter::Memory {
                return Err("deliberate".to_owned());
            }
            Ok(())
        })
        .await;
    })
    .expect("on_both panics");
    assert!(
        message
            .starts_with("the test body failed on memory\n  memory: returned Err(\"deliberate\")"),
        "{message}"
    );
    assert!(message.ends_with("\n  PostgreSQL: passed"), "{message}");
}

#[test]
fn failures_on_both_adapters_name_both() {
    let message = panic_message(|| async {
        kit::on_each(&Adapter::BOTH, async |t| fail(t.adapter())).await;
    })
    .expect("on_each panics");
    assert!(
        message.starts_with("the test body failed on memory and PostgreSQL\n"),
        "{message}"
    );
    assert!(
        message.contains("\n  memory: panicked: broken on memory"),
        "{message}"
    );
    assert!(
        message.contains("\n  PostgreSQL: panicked: broken on PostgreSQL"),
        "{message}"
    );
}

/// Fails the run it is called in.
fn fail(adapter: Adapter) {
    panic!("broken on {adapter}");
}
