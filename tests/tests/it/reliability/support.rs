//! Helpers shared by the reliability scenarios: PostgreSQL stores and observers, polling with
//! a deadline, and a future wrapper that gives up after a number of polls. (Their fixtures
//! come from `containerpub_tests::fixture`, storms from `containerpub_tests::storm`.)

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use containerpub_postgres::{PgConfig, PgStore};
use sqlx::{Connection, PgConnection};

/// How long a concurrency scenario's calls may wait for a pooled connection: far above what
/// they need, so that a busy shared machine cannot turn a queue into an `Unavailable`.
pub(super) const GENEROUS_ACQUIRE: Duration = Duration::from_secs(30);

/// A PostgreSQL store on `url`: a pool of `max_connections` and a generous acquire timeout.
pub(super) async fn pg_store(url: &str, max_connections: u32) -> PgStore {
    PgStore::connect(
        PgConfig::new(url)
            .max_connections(max_connections)
            .acquire_timeout(GENEROUS_ACQUIRE),
    )
    .await
    .expect("connect the store under test")
}

/// Polls `condition` every few milliseconds until it holds; fails the test if it still does
/// not after `timeout`.
pub(super) async fn poll_until<F, Fut>(what: &str, timeout: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if condition().await {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still not true after {timeout:?}: {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits until the current runtime has no more live tasks than `baseline`: every task the
/// adapter spawned (`BEGIN`/`COMMIT`/`ROLLBACK` run on tasks of their own) and every
/// return-to-pool task of the driver has finished.
pub(super) async fn tasks_settled(baseline: usize) {
    let metrics = tokio::runtime::Handle::current().metrics();
    poll_until(
        "the tasks spawned for dropped futures have finished",
        Duration::from_secs(20),
        || {
            let alive = metrics.num_alive_tasks();
            async move { alive <= baseline }
        },
    )
    .await;
}

/// A plain connection to the database under test, outside every pool under test: what
/// another client would see.
pub(super) struct Observer {
    conn: PgConnection,
}

impl Observer {
    /// Connects to `url`.
    pub(super) async fn connect(url: &str) -> Observer {
        let conn = tokio::time::timeout(Duration::from_secs(10), PgConnection::connect(url))
            .await
            .expect("observer connection: no answer within 10 s")
            .expect("observer connection");
        Observer { conn }
    }

    /// Sessions of this database (other than the observer) idle inside a transaction.
    pub(super) async fn idle_in_transaction(&mut self) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND state LIKE 'idle in transaction%'",
        )
        .fetch_one(&mut self.conn)
        .await
        .expect("pg_stat_activity")
    }

    /// Waits (up to 5 s) until no session of this database is idle inside a transaction: a
    /// leaked transaction stays open for good, a session being closed only for a moment.
    pub(super) async fn wait_no_idle_in_transaction(&mut self, tag: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let open = self.idle_in_transaction().await;
            if open == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{tag}: {open} session(s) still idle in a transaction after 5 s"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Sessions of this database (other than the observer) running a statement containing
    /// `pattern`.
    pub(super) async fn running(&mut self, pattern: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND state = 'active' AND strpos(query, $1) > 0",
        )
        .bind(pattern)
        .fetch_one(&mut self.conn)
        .await
        .expect("pg_stat_activity")
    }

    /// How many sessions run a statement containing `pattern`, once that count is 0 or
    /// `within` has passed (polled every 20 ms): the statistics a session reports lag behind
    /// the statement it was stopped in, more so on a loaded machine.
    pub(super) async fn running_settled(&mut self, pattern: &str, within: Duration) -> i64 {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let running = self.running(pattern).await;
            if running == 0 || tokio::time::Instant::now() >= deadline {
                return running;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// How many users have one of these e-mails.
    pub(super) async fn users_with_emails(&mut self, emails: &[&str]) -> i64 {
        let emails: Vec<String> = emails.iter().map(|e| (*e).to_owned()).collect();
        sqlx::query_scalar("SELECT count(*) FROM users WHERE email = ANY($1)")
            .bind(emails)
            .fetch_one(&mut self.conn)
            .await
            .expect("count users")
    }

    /// Closes the connection.
    pub(super) async fn close(self) {
        let _ = self.conn.close().await;
    }
}

/// A future that gives up after `budget` polls: resolves to `Some(output)` if the inner
/// future completed within them, else to `None` right after the last one returned `Pending`
/// (the inner future is then dropped with the wrapper, as a caller's timeout would).
pub(super) struct PollBudget<F: Future> {
    inner: Pin<Box<F>>,
    left: usize,
}

impl<F: Future> PollBudget<F> {
    /// Wraps `inner`, allowing it `budget` polls.
    pub(super) fn new(inner: F, budget: usize) -> Self {
        Self {
            inner: Box::pin(inner),
            left: budget,
        }
    }
}

impl<F: Future> Future for PollBudget<F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        self.left -= 1;
        match self.inner.as_mut().poll(cx) {
            Poll::Ready(output) => Poll::Ready(Some(output)),
            Poll::Pending if self.left == 0 => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
