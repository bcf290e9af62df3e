//! Why no connection could be had: the pool's timeout, explained.
//!
//! sqlx 0.9.0's pool retries a refused connection silently until its acquire timeout and
//! then reports only `PoolTimedOut`: the connect error is dropped (sqlx-core 0.9.0,
//! `pool/inner.rs`, `PoolInner::connect`: `ConnectionRefused` and transient server errors
//! loop until the deadline, then `Error::PoolTimedOut`; the pool keeps no last error). So
//! when the pool times out while it had room for a new connection (connecting must have
//! failed, since no connection was busy in the way), one direct connection attempt with the
//! same options, bounded by [`PROBE_TIMEOUT`], says why: `Unavailable` naming the server's
//! `host:port` (never the user or password) and the connect error (kept as the cause's
//! source). A pool that timed out with every connection in use says so instead.

use std::sync::Arc;
use std::time::Duration;

use containerpub_ports::{Cause, StoreError};
use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection, PgPool};
use sea_orm::sqlx::{self, Connection};

use crate::error::{Op, POOL_TIMED_OUT, map_sqlx_err};

/// How long the diagnosing connection attempt may take.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether `err` is the pool giving no connection in time.
pub(crate) fn is_pool_timeout(err: &StoreError) -> bool {
    matches!(err, StoreError::Unavailable { message, .. }
        if message == POOL_TIMED_OUT || message.starts_with(NO_CONNECTION))
}

/// The start of the message of a `DbErr::ConnectionAcquire` (`crate::error::map_db_err`).
pub(crate) const NO_CONNECTION: &str = "no database connection available";

/// `err` explained, if it is a pool timeout of `pool` (see the module docs); else `err`.
pub(crate) async fn explain(pool: &PgPool, err: StoreError) -> StoreError {
    if !is_pool_timeout(&err) {
        return err;
    }
    let (size, max) = (pool.size(), pool.options().get_max_connections());
    if size >= max {
        return StoreError::unavailable(format!(
            "{POOL_TIMED_OUT}: all {max} connections of the pool are in use"
        ))
        .with_cause(err.cause().cloned().unwrap_or_default());
    }
    probe(&pool.connect_options()).await.unwrap_or(err)
}

/// One connection attempt with `options`: the `Unavailable` saying why it failed, or `None`
/// if it succeeded (then the failure was passing).
pub(crate) async fn probe(options: &PgConnectOptions) -> Option<StoreError> {
    let server = format!("{}:{}", options.get_host(), options.get_port());
    let attempt = tokio::time::timeout(PROBE_TIMEOUT, PgConnection::connect_with(options)).await;
    match attempt {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            None
        }
        Ok(Err(e)) => {
            let mapped = map_sqlx_err(&e, Op::Read);
            let why = match &e {
                sqlx::Error::Io(io) => io.to_string(),
                _ => mapped.message(),
            };
            let cause = match (&e, mapped.cause()) {
                (sqlx::Error::Io(_) | sqlx::Error::Tls(_), _) => {
                    Cause::none().with_source(Arc::new(e) as _)
                }
                (_, Some(cause)) => cause.clone(),
                (_, None) => Cause::none(),
            };
            Some(
                StoreError::unavailable(format!("cannot connect to PostgreSQL at {server}: {why}"))
                    .with_cause(cause),
            )
        }
        Err(_) => Some(StoreError::unavailable(format!(
            "cannot connect to PostgreSQL at {server}: no answer within {} s",
            PROBE_TIMEOUT.as_secs()
        ))),
    }
}
