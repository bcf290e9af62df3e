//! Where services spend their time: several writes in one transaction, and many callers at
//! once. Each pair runs the adapter and hand-written sqlx doing the same work on the same
//! database with the same pool settings, interleaved in the same run.
//!
//! - `tx_10_writes_ratio`: `begin`, ten single-row `users().insert` and `commit`, against a
//!   raw `BEGIN`, ten prepared `INSERT … RETURNING` of the same columns and `COMMIT` (time
//!   per unit of work, adapter / raw).
//! - `concurrent_lookup_ratio`: `concurrency` tasks calling `find_by_uuid` for a fixed time
//!   on a pool of `concurrency` connections, against the raw prepared lookup (throughput,
//!   adapter / raw).
//! - `concurrent_append_ratio`: `concurrency` tasks appending `load_batch`-row log batches,
//!   each to its own function, against raw `UNNEST` inserts (rows per second, adapter / raw).

use std::sync::Arc;
use std::time::{Duration, Instant};

use containerpub_domain::{FunctionId, NewLog, Uuid};
use containerpub_ports::{Stores, Transaction, UnitOfWork};
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::fixture::series_user;
use sqlx::PgConnection;
use sqlx::postgres::PgPool;

use super::super::report::{Measurement, Target, round3};
use super::super::{Rng, Sizes, interleave, interleave_ops, sys};
use super::{RAW_LOOKUP, STATEMENT_TIMEOUT, UserRow, log_rows, raw_pool};

/// Writes per unit of work in the transaction pair.
const TX_WRITES: usize = 10;

/// The raw single-row insert: the columns the adapter writes, the row it decodes.
const RAW_INSERT_USER: &str = "INSERT INTO users (uuid, email, password_hash, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $4) \
     RETURNING id, uuid, email, password_hash, created_at, updated_at";

/// The raw log batch: one array parameter per column, as the adapter's `append` binds them.
const RAW_APPEND_LOGS: &str = r#"INSERT INTO function_logs (uuid, function_id, level, message, "timestamp") SELECT * FROM UNNEST($1::uuid[], $2::int4[], $3::varchar[], $4::text[], $5::timestamp[])"#;

/// The three pairs, on their own pools of `sizes.concurrency` connections.
pub(crate) async fn run(
    url: &str,
    seed: &mut PgConnection,
    sizes: &Sizes,
    uuids: &[Uuid],
    floor: Option<&sys::Pgbench>,
) -> Vec<Measurement> {
    let config = PgConfig::new(url)
        .max_connections(u32::try_from(sizes.concurrency).unwrap_or(8))
        .statement_timeout(Some(STATEMENT_TIMEOUT));
    let (store, raw) = match PgStore::connect(config.clone()).await {
        Ok(store) => match raw_pool(&config).await {
            Ok(raw) => (store, raw),
            Err(e) => return failed_all(&e),
        },
        Err(e) => return failed_all(&format!("PgStore::connect: {e}")),
    };
    let functions = match seed_functions(seed, sizes.concurrency).await {
        Ok(f) => f,
        Err(e) => return failed_all(&e),
    };
    let out = vec![
        tx_writes(&store, &raw, sizes).await,
        concurrent_lookup(&store, &raw, sizes, uuids, floor).await,
        concurrent_append(&store, &raw, sizes, &functions).await,
    ];
    store.close().await;
    raw.close().await;
    out
}

/// The three measurements as failed, when their setup fails.
fn failed_all(error: &str) -> Vec<Measurement> {
    vec![
        Measurement::failed("tx_10_writes_ratio", "ratio", TX_TARGET, error),
        Measurement::failed("concurrent_lookup_ratio", "ratio", LOAD_TARGET, error),
        Measurement::failed("concurrent_append_ratio", "ratio", LOAD_TARGET, error),
    ]
}

const TX_TARGET: Target = Target::AtMost(1.3);
const LOAD_TARGET: Target = Target::AtLeast(0.85);

/// One function per appending task.
async fn seed_functions(seed: &mut PgConnection, n: usize) -> Result<Vec<FunctionId>, String> {
    let ids: Vec<i32> = sqlx::query_scalar(
        "INSERT INTO functions (user_id, name) \
         SELECT (SELECT min(id) FROM users), 'load-fn-' || g FROM generate_series(1, $1) g \
         RETURNING id",
    )
    .bind(i32::try_from(n).map_err(|e| e.to_string())?)
    .fetch_all(&mut *seed)
    .await
    .map_err(|e| format!("seeding functions: {e}"))?;
    Ok(ids.into_iter().map(FunctionId::new).collect())
}

/// `tx_10_writes_ratio`.
async fn tx_writes(store: &PgStore, raw: &PgPool, sizes: &Sizes) -> Measurement {
    const NAME: &str = "tx_10_writes_ratio";
    // Distinct e-mails for every insert of either side (series_user numbers them).
    let mut next_a = 10_000_000;
    let mut next_b = 20_000_000;
    let rounds = interleave_ops(
        sizes.rounds,
        sizes.tx_per_round,
        async |_| -> Result<Duration, String> {
            let users: Vec<_> = (0..TX_WRITES)
                .map(|_| {
                    next_a += 1;
                    series_user(next_a)
                })
                .collect();
            let t = Instant::now();
            let tx = store.begin().await.map_err(|e| format!("begin: {e}"))?;
            for user in users {
                tx.users()
                    .insert(user)
                    .await
                    .map_err(|e| format!("insert: {e}"))?;
            }
            tx.commit().await.map_err(|e| format!("commit: {e}"))?;
            Ok(t.elapsed())
        },
        async |_| -> Result<Duration, String> {
            let users: Vec<_> = (0..TX_WRITES)
                .map(|_| {
                    next_b += 1;
                    series_user(next_b)
                })
                .collect();
            let now = containerpub_domain::chrono::Utc::now().naive_utc();
            let t = Instant::now();
            let mut tx = raw.begin().await.map_err(|e| format!("BEGIN: {e}"))?;
            for user in &users {
                let row: UserRow = sqlx::query_as(RAW_INSERT_USER)
                    .bind(user.uuid)
                    .bind(user.email.as_str())
                    .bind(user.password_hash.as_ref().map(|h| h.expose()))
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| format!("raw insert: {e}"))?;
                std::hint::black_box(row);
            }
            tx.commit().await.map_err(|e| format!("COMMIT: {e}"))?;
            Ok(t.elapsed())
        },
    )
    .await
    .map(|r| r.map(|s| s * 1e6));
    match rounds {
        Ok(r) => Measurement::new(NAME, r.ratio(), "ratio", TX_TARGET)
            .with_rounds(&r, "adapter_us", "raw_us")
            .with("writes_per_tx", TX_WRITES)
            .with("tx_per_round", sizes.tx_per_round)
            .with("rounds", sizes.rounds)
            .with(
                "summary",
                format!(
                    "{TX_WRITES} inserts + commit: adapter {:.0} µs, raw sqlx {:.0} µs",
                    r.a(),
                    r.b()
                ),
            ),
        Err(e) => Measurement::failed(NAME, "ratio", TX_TARGET, e),
    }
}

/// Runs `tasks` copies of `op` for `for_time`; returns completed operations per second.
/// `op(task, i)` does one operation and returns how many units it completed.
async fn load<F, Fut>(tasks: usize, for_time: Duration, op: F) -> Result<f64, String>
where
    F: Fn(usize, u64) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<u64, String>> + Send + 'static,
{
    let started = Instant::now();
    let deadline = started + for_time;
    let mut handles = Vec::with_capacity(tasks);
    for task in 0..tasks {
        let op = op.clone();
        handles.push(tokio::spawn(async move {
            let mut done = 0_u64;
            let mut i = 0_u64;
            while Instant::now() < deadline {
                done += op(task, i).await?;
                i += 1;
            }
            Ok::<u64, String>(done)
        }));
    }
    let mut total = 0;
    for handle in handles {
        total += handle.await.map_err(|e| format!("load task: {e}"))??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// `concurrent_lookup_ratio`.
async fn concurrent_lookup(
    store: &PgStore,
    raw: &PgPool,
    sizes: &Sizes,
    uuids: &[Uuid],
    floor: Option<&sys::Pgbench>,
) -> Measurement {
    const NAME: &str = "concurrent_lookup_ratio";
    let order: Arc<Vec<Uuid>> = Arc::new(Rng::new(11).sample(uuids, 4_096));
    let (tasks, secs) = (sizes.concurrency, sizes.load_time);
    let rounds = interleave(
        sizes.rounds,
        async || {
            let (store, order) = (store.clone(), order.clone());
            load(tasks, secs, move |task, i| {
                let (store, order) = (store.clone(), order.clone());
                async move {
                    let uuid = order[(task * 997 + i as usize) % order.len()];
                    let user = store.users().find_by_uuid(uuid).await;
                    user.map_err(|e| format!("find_by_uuid: {e}"))?
                        .ok_or("find_by_uuid found no row")?;
                    Ok(1)
                }
            })
            .await
        },
        async || {
            let (raw, order) = (raw.clone(), order.clone());
            load(tasks, secs, move |task, i| {
                let (raw, order) = (raw.clone(), order.clone());
                async move {
                    let uuid = order[(task * 997 + i as usize) % order.len()];
                    sqlx::query_as::<_, UserRow>(RAW_LOOKUP)
                        .bind(uuid)
                        .fetch_optional(&raw)
                        .await
                        .map_err(|e| format!("raw lookup: {e}"))?
                        .ok_or("raw lookup found no row")?;
                    Ok(1)
                }
            })
            .await
        },
    )
    .await;
    let r = match rounds {
        Ok(r) => r,
        Err(e) => return Measurement::failed(NAME, "ratio", LOAD_TARGET, e),
    };
    let mut m = Measurement::new(NAME, r.ratio(), "ratio", LOAD_TARGET)
        .with_rounds(&r, "adapter_lookups_per_s", "raw_lookups_per_s")
        .with("tasks", tasks)
        .with("pool", tasks)
        .with("seconds_per_side_per_round", round3(secs.as_secs_f64()))
        .with("rounds", sizes.rounds);
    let mut summary = format!(
        "{tasks} tasks: adapter {:.0} lookups/s, raw sqlx {:.0} lookups/s",
        r.a(),
        r.b()
    );
    if let Some(f) = floor {
        m = m
            .with("pgbench_tps", round3(f.tps))
            .with("pgbench_command", f.command.clone());
        summary.push_str(&format!(", {} {:.0} tps", f.command, f.tps));
    }
    m.with("summary", summary)
}

/// `concurrent_append_ratio`.
async fn concurrent_append(
    store: &PgStore,
    raw: &PgPool,
    sizes: &Sizes,
    functions: &[FunctionId],
) -> Measurement {
    const NAME: &str = "concurrent_append_ratio";
    let functions: Arc<Vec<FunctionId>> = Arc::new(functions.to_vec());
    let (tasks, secs, batch) = (sizes.concurrency, sizes.load_time, sizes.load_batch);
    // Each side, task and batch stamps its rows apart from every other.
    let stamp_base = |side: i64, task: usize, i: u64| -> i64 {
        40_000_000_000_000
            + side * 1_000_000_000_000
            + task as i64 * 10_000_000_000
            + i as i64 * 10_000
    };
    let rounds = interleave(
        sizes.rounds,
        async || {
            let (store, functions) = (store.clone(), functions.clone());
            load(tasks, secs, move |task, i| {
                let (store, functions) = (store.clone(), functions.clone());
                async move {
                    let mut next = stamp_base(0, task, i);
                    let rows = log_rows(functions[task], batch, &mut next);
                    let n = store
                        .logs()
                        .append(rows)
                        .await
                        .map_err(|e| format!("append: {e}"))?;
                    Ok(n)
                }
            })
            .await
        },
        async || {
            let (raw, functions) = (raw.clone(), functions.clone());
            load(tasks, secs, move |task, i| {
                let (raw, functions) = (raw.clone(), functions.clone());
                async move {
                    let mut next = stamp_base(1, task, i);
                    let rows = log_rows(functions[task], batch, &mut next);
                    raw_append(&raw, &rows).await
                }
            })
            .await
        },
    )
    .await;
    match rounds {
        Ok(r) => Measurement::new(NAME, r.ratio(), "ratio", LOAD_TARGET)
            .with_rounds(&r, "adapter_rows_per_s", "raw_rows_per_s")
            .with("tasks", tasks)
            .with("batch_rows", batch)
            .with("seconds_per_side_per_round", round3(secs.as_secs_f64()))
            .with("rounds", sizes.rounds)
            .with(
                "summary",
                format!(
                    "{tasks} tasks x {batch}-row batches: adapter {:.0} rows/s, raw UNNEST {:.0} rows/s",
                    r.a(),
                    r.b()
                ),
            ),
        Err(e) => Measurement::failed(NAME, "ratio", LOAD_TARGET, e),
    }
}

/// One raw `UNNEST` insert of `rows`: the rows written.
async fn raw_append(raw: &PgPool, rows: &[NewLog]) -> Result<u64, String> {
    let n = rows.len();
    let (mut uuids, mut functions, mut levels, mut messages, mut stamps) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for row in rows {
        uuids.push(row.uuid);
        functions.push(row.function_id.get());
        levels.push(row.level.as_str());
        messages.push(row.message.as_str());
        stamps.push(row.timestamp.map(|t| t.naive_utc()));
    }
    let done = sqlx::query(RAW_APPEND_LOGS)
        .bind(uuids)
        .bind(functions)
        .bind(levels)
        .bind(messages)
        .bind(stamps)
        .execute(raw)
        .await
        .map_err(|e| format!("raw UNNEST: {e}"))?;
    Ok(done.rows_affected())
}
