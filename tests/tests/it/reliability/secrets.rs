//! Issue 19, item 5: URL passwords never show, whatever the URL looks like: not in
//! `PgConfig`'s `Debug`, the replica status, the adapter's log lines, nor connection errors.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::pg::TestDatabase;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Every field of every span and event, as text.
#[derive(Default, Clone)]
struct Capture(Arc<Mutex<Vec<String>>>);

impl Visit for Capture {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if let Ok(mut lines) = self.0.lock() {
            lines.push(format!("{}={value:?}", field.name()));
        }
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        span.record(&mut self.clone());
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut self.clone());
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        event.record(&mut self.clone());
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

const SECRETS: [&str; 4] = ["p@ss", "hunter2", "k3y", "%40ss"];

fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        if let Some(line) = text.lines().find(|line| line.contains(secret)) {
            panic!("{what} shows {secret:?}: {line}");
        }
    }
}

/// A URL with a password holding `@`, and `password` / `sslpassword` parameters, on a port
/// where nothing listens.
fn hostile(db: &str) -> String {
    format!("postgres://u:p@ss@127.0.0.1:1/{db}?password=hunter2&sslpassword=k3y")
}

#[tokio::test]
async fn hostile_urls_never_show_their_passwords() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let test_db = TestDatabase::new().await;

    // A replica that is down: status, reasons and logs.
    let config = PgConfig::new(test_db.url())
        .replica(hostile("replica"))
        .replica_acquire_timeout(Duration::from_millis(200))
        .replica_check_interval(Duration::from_millis(20));
    assert_clean("PgConfig's Debug", &format!("{config:?}"));
    let store = PgStore::connect(config).await.expect("connect");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let status = store.replica_status();
    assert_eq!(status.len(), 1);
    assert!(!status[0].healthy);
    assert_eq!(
        status[0].url,
        "postgres://u:***@127.0.0.1:1/replica?password=***&sslpassword=***"
    );
    assert_clean("the replica status", &format!("{status:?}"));
    store.close().await;

    // A primary that is down, and one with a bad scheme.
    for url in [
        hostile("primary"),
        hostile("x").replace("postgres:", "mysql:"),
    ] {
        let err = PgStore::connect(
            PgConfig::new(url.as_str()).acquire_timeout(Duration::from_millis(300)),
        )
        .await
        .expect_err("cannot connect");
        assert_clean("a connection error", &format!("{err} {err:?}"));
    }

    let lines = capture.0.lock().expect("captured").join("\n");
    assert_clean("the log lines", &lines);
    test_db.drop_db().await;
}
