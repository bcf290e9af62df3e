//! One replica: its read pool, its check connection, and its check.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use containerpub_ports::{StoreError, StoreResult};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement};

use super::lag::{Lsn, Sample, Verdict, assess};
use crate::error::{Op, map_db_err};

const CHECK_SQL: &str = r#"SELECT pg_is_in_recovery() AS "in_recovery", pg_last_wal_replay_lsn()::text AS "replay_lsn", pg_last_wal_receive_lsn()::text AS "receive_lsn", EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS "replay_age""#;

/// One replica: its read pool, its check connection and its state.
pub(super) struct Node {
    /// The URL without password.
    pub(super) label: String,
    /// Reads run here.
    pub(super) pool: DatabaseConnection,
    /// Checks run here (one connection), so that a busy read pool does not fail them.
    pub(super) probe: DatabaseConnection,
    /// Whether reads may go here (the fast path of [`ReplicaSet::pick`](super::set::ReplicaSet::pick)).
    pub(super) healthy: AtomicBool,
    /// The last check's verdict.
    pub(super) status: Mutex<Verdict>,
}

impl Node {
    /// Records a check's verdict (logging a change of health).
    pub(super) fn record(&self, verdict: Verdict) {
        let was = self.healthy.swap(verdict.healthy, Ordering::AcqRel);
        if was && !verdict.healthy {
            tracing::warn!(
                target: "containerpub_postgres",
                replica = %self.label,
                reason = verdict.reason.as_deref().unwrap_or(""),
                "replica skipped: reads go to other replicas or the primary"
            );
        } else if !was && verdict.healthy {
            tracing::info!(target: "containerpub_postgres", replica = %self.label, lag = ?verdict.lag, "replica serves reads");
        }
        *self.status.lock().unwrap_or_else(PoisonError::into_inner) = verdict;
    }

    async fn sample(&self) -> StoreResult<Sample> {
        let row = self
            .probe
            .query_one_raw(Statement::from_string(DbBackend::Postgres, CHECK_SQL))
            .await
            .map_err(|e| map_db_err(e, Op::Read))?
            .ok_or_else(|| StoreError::internal("the replica check returned no row"))?;
        let get_lsn = |column: &str| -> StoreResult<Option<Lsn>> {
            Ok(get::<Option<String>>(&row, column)?
                .as_deref()
                .and_then(Lsn::parse))
        };
        Ok(Sample {
            in_recovery: get(&row, "in_recovery")?,
            replay: get_lsn("replay_lsn")?,
            receive: get_lsn("receive_lsn")?,
            replay_age: get(&row, "replay_age")?,
        })
    }

    /// Checks the replica (within `limit`) and records the verdict.
    pub(super) async fn check(
        self: Arc<Self>,
        reference: Option<Lsn>,
        max_lag: Option<Duration>,
        limit: Duration,
    ) {
        // A second try on a fresh connection if the first fails: a check connection the server
        // or a proxy closed while idle must not get the replica skipped.
        let mut first_error = None;
        let attempts = async {
            match self.sample().await {
                Err(err) => {
                    first_error = Some(err);
                    self.sample().await
                }
                ok => ok,
            }
        };
        let outcome = tokio::time::timeout(limit, attempts).await;
        let verdict = match (outcome, first_error) {
            (Ok(Ok(sample)), _) => assess(&sample, reference, max_lag),
            (Ok(Err(err)), _) | (Err(_), Some(err)) => {
                Verdict::skipped(None, format!("check failed: {err}"))
            }
            (Err(_), None) => Verdict::skipped(None, format!("check timed out after {limit:?}")),
        };
        self.record(verdict);
    }
}

/// A column of a check's row.
pub(super) fn get<V: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> StoreResult<V> {
    row.try_get::<V>("", column)
        .map_err(|e| StoreError::internal(format!("replica check: column {column}: {e}")))
}
