//! PostgreSQL: the adapter (`containerpub_postgres::PgStore`) against hand-written sqlx on
//! the same database, the same pool settings and the same rows.
//!
//! Big tables are seeded with SQL (`INSERT … SELECT generate_series(…)`), then
//! `VACUUM ANALYZE`d, so every measured plan starts from settled statistics.

use std::hint::black_box;
use std::time::{Duration, Instant};

use containerpub_domain::chrono::NaiveDateTime;
use containerpub_domain::{FunctionId, LogEntry, LogLevel, NewLog, Text, Timestamp, Uuid};
use containerpub_ports::{Cursor, KeysetRequest, LogQuery, PageRequest, Stores};
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::pg::TestDatabase;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolCopyExt, PgPoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, PgConnection};

use super::copy::{COPY_LOGS, encode_logs};
use super::report::{Measurement, Target, round3};
use super::{Rng, Sizes, insert_series_batch, interleave_ops, median, sys};

mod load;

/// The server-side statement timeout of both pools (the 100k-row batch must fit in it).
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(300);
/// 2024-01-01T00:00:00Z: seeded and generated rows are stamped from here.
const BASE_UNIX_MICROS: i64 = 1_704_067_200_000_000;
/// The measurements this module produces (failed ones are reported if seeding fails).
const NAMES: &[(&str, &str, Target)] = &[
    ("lookup_by_uuid_ratio", "ratio", Target::AtMost(1.1)),
    ("batch_insert_logs_ratio", "ratio", Target::AtLeast(0.75)),
    ("batch_insert_100k_ok", "bool", Target::True),
    ("stats_50k_ratio", "ratio", Target::AtMost(1.1)),
    ("keyset_depth_ratio", "ratio", Target::AtMost(1.5)),
    ("transfer_rows_per_s", "rows/s", Target::Report),
    ("tx_10_writes_ratio", "ratio", Target::AtMost(1.3)),
    ("concurrent_lookup_ratio", "ratio", Target::AtLeast(0.85)),
    ("concurrent_append_ratio", "ratio", Target::AtLeast(0.85)),
];

/// The raw lookup: the same columns the adapter decodes.
const RAW_LOOKUP: &str =
    "SELECT id, uuid, email, password_hash, created_at, updated_at FROM users WHERE uuid = $1";
type UserRow = (
    i32,
    Uuid,
    String,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
);

/// The hand-written statistics query.
const RAW_STATS: &str = r#"SELECT count(*),
       count(*) FILTER (WHERE status = 'success'),
       count(*) FILTER (WHERE status = 'error'),
       count(*) FILTER (WHERE status = 'timeout'),
       avg(duration_ms)::float8,
       max(duration_ms),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms),
       percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms),
       percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms)
  FROM function_invocations
 WHERE function_id = $1 AND "timestamp" >= $2"#;
type StatsRow = (
    i64,
    i64,
    i64,
    i64,
    Option<f64>,
    Option<i32>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

/// The keyset predicate as the adapter builds it (`adapters-postgres/src/sql.rs`,
/// `keyset_after`: `k1 > v1 OR (k1 = v1 AND k2 > v2)`), for `EXPLAIN` only.
const KEYSET_OR_FORM: &str = r#"SELECT * FROM function_logs WHERE function_id = $1 AND ("timestamp" > $2 OR ("timestamp" = $2 AND id > $3)) ORDER BY "timestamp", id LIMIT $4"#;
/// The adapter's predicate behind a redundant bound on the first sort key, which a B-tree can
/// seek to whatever the directions of the other keys.
const KEYSET_BOUNDED_OR_FORM: &str = r#"SELECT * FROM function_logs WHERE function_id = $1 AND "timestamp" >= $2 AND ("timestamp" > $2 OR ("timestamp" = $2 AND id > $3)) ORDER BY "timestamp", id LIMIT $4"#;
/// The same window with a row-value comparison, which a B-tree can seek to.
const KEYSET_ROW_FORM: &str = r#"SELECT * FROM function_logs WHERE function_id = $1 AND ("timestamp", id) > ($2, $3) ORDER BY "timestamp", id LIMIT $4"#;
/// The first window, row form.
const KEYSET_FIRST: &str =
    r#"SELECT * FROM function_logs WHERE function_id = $1 ORDER BY "timestamp", id LIMIT $2"#;
type LogRow = (i64, Uuid, i32, String, String, NaiveDateTime);

/// The adapter and a raw pool with the same settings.
struct Env {
    store: PgStore,
    raw: PgPool,
    url: String,
}

impl Env {
    async fn close(self) {
        self.store.close().await;
        self.raw.close().await;
    }
}

/// Runs every PostgreSQL measurement; returns the server's version.
pub(crate) async fn run(sizes: &Sizes, out: &mut Vec<Measurement>) -> String {
    let (floor, load_floor) = if sizes.pgbench_secs > 0 {
        let (m, floor) = pgbench_floor("pgbench_select_latency_us", sizes.pgbench_secs, 1).await;
        out.push(m);
        let (m, load_floor) = pgbench_floor(
            "pgbench_select_load_latency_us",
            sizes.pgbench_secs,
            sizes.concurrency,
        )
        .await;
        out.push(m);
        (floor, load_floor)
    } else {
        (None, None)
    };

    let db = TestDatabase::new().await;
    let mut seed = db.connect().await;
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&mut seed)
        .await
        .unwrap_or_else(|e| format!("unknown ({e})"));
    let result = match connect(db.url()).await {
        Ok(env) => {
            let floors = (floor.as_ref(), load_floor.as_ref());
            let result = main_pairs(&env, &mut seed, sizes, floors, out).await;
            env.close().await;
            result
        }
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        for (name, unit, target) in NAMES {
            if !out.iter().any(|m| m.name == *name) {
                out.push(Measurement::failed(name, unit, *target, e.clone()));
            }
        }
    }
    let _ = seed.close().await;
    db.drop_db().await;

    if !sizes.series_sizes.is_empty() {
        let db = TestDatabase::new().await;
        if let Err(e) = series(&db, sizes, out).await {
            out.push(Measurement::failed(
                "series_postgres",
                "-",
                Target::Report,
                e,
            ));
        }
        db.drop_db().await;
    }
    version
}

/// The adapter's pool and a sqlx pool configured like it.
async fn connect(url: &str) -> Result<Env, String> {
    let config = PgConfig::new(url).statement_timeout(Some(STATEMENT_TIMEOUT));
    let store = PgStore::connect(config.clone())
        .await
        .map_err(|e| format!("PgStore::connect: {e}"))?;
    let raw = raw_pool(&config).await?;
    Ok(Env {
        store,
        raw,
        url: url.to_owned(),
    })
}

/// A sqlx pool with the settings of `config`: the same size, acquire timeout, statement
/// timeout, no statement logging, and a ping only for connections idle at least the
/// health-check time (what the adapter's SeaORM options do).
async fn raw_pool(config: &PgConfig) -> Result<PgPool, String> {
    let options: PgConnectOptions = config.url().parse().map_err(|e| format!("bad URL: {e}"))?;
    let mut options = options.disable_statement_logging();
    let pool = config.pool();
    if let Some(timeout) = pool.statement_timeout {
        options = options.options([("statement_timeout", timeout.as_millis().to_string())]);
    }
    let idle = pool.idle_health_check;
    PgPoolOptions::new()
        .max_connections(pool.max_connections)
        .min_connections(pool.min_connections)
        .acquire_timeout(pool.acquire_timeout)
        .test_before_acquire(false)
        .before_acquire(move |conn, meta| {
            Box::pin(async move {
                if let Some(idle) = idle
                    && meta.idle_for >= idle
                {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_with(options)
        .await
        .map_err(|e| format!("raw pool: {e}"))
}

/// The raw lookups again, on a current-thread runtime of their own thread (a reference for
/// what the client runtime costs; not interleaved): µs per lookup.
async fn raw_lookups_current_thread(url: &str, order: &[Uuid]) -> Result<f64, String> {
    let config = PgConfig::new(url).statement_timeout(Some(STATEMENT_TIMEOUT));
    let order = order.to_vec();
    tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let pool = raw_pool(&config).await?;
            for &u in order.iter().take(order.len() / 5 + 1) {
                raw_lookup(&pool, u).await?;
            }
            let mut spent = Duration::ZERO;
            for &u in &order {
                spent += raw_lookup(&pool, u).await?;
            }
            pool.close().await;
            Ok(spent.as_secs_f64() * 1e6 / order.len().max(1) as f64)
        })
    })
    .await
    .map_err(|e| format!("current-thread lookups: {e}"))?
}

/// Runs one SQL statement on the seeding connection.
async fn exec(seed: &mut PgConnection, sql: &'static str) -> Result<(), String> {
    sqlx::raw_sql(sql)
        .execute(&mut *seed)
        .await
        .map(drop)
        .map_err(|e| format!("{sql}: {e}"))
}

/// Adds `users` rows `from..=to` (emails `user<n>@bench.example`) and re-analyzes the table.
async fn seed_users(seed: &mut PgConnection, from: usize, to: usize) -> Result<(), String> {
    if to >= from {
        sqlx::query(
            "INSERT INTO users (email, password_hash) \
             SELECT 'user' || g || '@bench.example', '$argon2id$v=19$m=19456,t=2,p=1$' || md5(g::text) \
             FROM generate_series($1::int4, $2::int4) g",
        )
        .bind(i32::try_from(from).map_err(|e| e.to_string())?)
        .bind(i32::try_from(to).map_err(|e| e.to_string())?)
        .execute(&mut *seed)
        .await
        .map_err(|e| format!("seeding users: {e}"))?;
    }
    exec(seed, "VACUUM ANALYZE users").await
}

/// `n` random uuids of `users`.
async fn sample_users(seed: &mut PgConnection, n: usize) -> Result<Vec<Uuid>, String> {
    sqlx::query_scalar("SELECT uuid FROM users ORDER BY random() LIMIT $1")
        .bind(n as i64)
        .fetch_all(&mut *seed)
        .await
        .map_err(|e| format!("sampling users: {e}"))
}

/// The timestamp `offset_us` after [`BASE_UNIX_MICROS`].
fn stamp(offset_us: i64) -> Timestamp {
    Timestamp::from_unix_micros("timestamp", BASE_UNIX_MICROS + offset_us).expect("a valid time")
}

/// `n` log rows for `function`, stamped from `*next` µs on.
fn log_rows(function: FunctionId, n: usize, next: &mut i64) -> Vec<NewLog> {
    const LEVELS: [LogLevel; 4] = [
        LogLevel::Debug,
        LogLevel::Info,
        LogLevel::Warn,
        LogLevel::Error,
    ];
    (0..n)
        .map(|i| {
            *next += 1;
            let message = format!("request {next} handled: status 200, 1234 bytes, upstream ok");
            NewLog::new(
                function,
                LEVELS[i % LEVELS.len()],
                Text::new("message", message).expect("a valid message"),
            )
            .at(stamp(*next))
        })
        .collect()
}

/// One `COPY … FROM STDIN (FORMAT binary)` of `rows` through the raw pool.
async fn copy_logs(pool: &PgPool, rows: &[NewLog], now: Timestamp) -> Result<u64, String> {
    let data = encode_logs(rows, now);
    let mut copy = pool
        .copy_in_raw(COPY_LOGS)
        .await
        .map_err(|e| format!("COPY: {e}"))?;
    copy.send(data)
        .await
        .map_err(|e| format!("COPY data: {e}"))?;
    copy.finish().await.map_err(|e| format!("COPY end: {e}"))
}

/// Every pair on the main database.
async fn main_pairs(
    env: &Env,
    seed: &mut PgConnection,
    sizes: &Sizes,
    (floor, load_floor): (Option<&sys::Pgbench>, Option<&sys::Pgbench>),
    out: &mut Vec<Measurement>,
) -> Result<(), String> {
    // users (lookup pair) and functions (one for appends, one large, the rest invocations).
    let started = Instant::now();
    seed_users(seed, 1, sizes.users).await?;
    let functions: Vec<i32> = sqlx::query_scalar(
        "INSERT INTO functions (user_id, name) \
         SELECT (SELECT min(id) FROM users), 'bench-fn-' || g FROM generate_series(1, $1) g \
         RETURNING id",
    )
    .bind(i32::try_from(2 + sizes.invocation_functions).map_err(|e| e.to_string())?)
    .fetch_all(&mut *seed)
    .await
    .map_err(|e| format!("seeding functions: {e}"))?;
    let append_fn = FunctionId::new(functions[0]);
    let big_fn = FunctionId::new(functions[1]);
    let stats_fns: Vec<i32> = functions[2..].to_vec();
    sqlx::query(
        "INSERT INTO function_logs (function_id, level, message, \"timestamp\") \
         SELECT $1, (ARRAY['debug','info','warn','error'])[1 + g % 4], \
                'request ' || g || ' handled: status 200, 1234 bytes, upstream ok', \
                timestamp '2024-01-01' + g * interval '1 millisecond' \
         FROM generate_series(1, $2) g",
    )
    .bind(big_fn.get())
    .bind(i32::try_from(sizes.big_logs).map_err(|e| e.to_string())?)
    .execute(&mut *seed)
    .await
    .map_err(|e| format!("seeding function_logs: {e}"))?;
    let invocations = sizes.invocation_functions * sizes.invocations_per_function;
    sqlx::query(
        "INSERT INTO function_invocations (function_id, status, duration_ms, error, \"timestamp\") \
         SELECT ($1::int4[])[1 + g % cardinality($1::int4[])], \
                CASE WHEN g % 20 = 0 THEN 'error' WHEN g % 50 = 1 THEN 'timeout' ELSE 'success' END, \
                (g::int8 * 7919 % 3000)::int4, \
                CASE WHEN g % 20 = 0 THEN 'upstream failed' END, \
                timestamp '2024-01-01' + g * interval '10 milliseconds' \
         FROM generate_series(0, $2 - 1) g",
    )
    .bind(&stats_fns)
    .bind(i32::try_from(invocations).map_err(|e| e.to_string())?)
    .execute(&mut *seed)
    .await
    .map_err(|e| format!("seeding function_invocations: {e}"))?;
    exec(seed, "VACUUM ANALYZE functions").await?;
    exec(seed, "VACUUM ANALYZE function_logs").await?;
    exec(seed, "VACUUM ANALYZE function_invocations").await?;
    let seed_s = started.elapsed().as_secs_f64();
    eprintln!("postgres: seeded in {seed_s:.1} s");

    let uuids = sample_users(seed, sizes.users).await?;
    out.push(
        lookup(env, sizes, &uuids, floor)
            .await
            .with("seed_s", round3(seed_s)),
    );
    eprintln!("postgres: lookups done");
    out.extend(load::run(&env.url, seed, sizes, &uuids, load_floor).await);
    eprintln!("postgres: transactions and load done");
    out.extend(append(env, sizes, append_fn).await);
    eprintln!("postgres: appends done");
    let stats_fns: Vec<FunctionId> = stats_fns.into_iter().map(FunctionId::new).collect();
    out.push(stats(env, sizes, &stats_fns).await);
    eprintln!("postgres: stats done");
    out.extend(keyset(env, sizes, big_fn).await);
    eprintln!("postgres: keyset done");
    out.push(transfer(env, sizes, big_fn).await);
    eprintln!("postgres: transfer done");
    Ok(())
}

/// `lookup_by_uuid_ratio`: the adapter's `find_by_uuid` over the raw prepared statement.
async fn lookup(
    env: &Env,
    sizes: &Sizes,
    uuids: &[Uuid],
    floor: Option<&sys::Pgbench>,
) -> Measurement {
    const NAME: &str = "lookup_by_uuid_ratio";
    let order = Rng::new(7).sample(uuids, sizes.lookups_per_round);
    let (store, raw) = (&env.store, &env.raw);
    let rounds = interleave_ops(
        sizes.rounds,
        order.len(),
        async |i| adapter_lookup(store, order[i]).await,
        async |i| raw_lookup(raw, order[i]).await,
    )
    .await
    .map(|r| r.map(|s| s * 1e6));
    let r = match rounds {
        Ok(r) => r,
        Err(e) => return Measurement::failed(NAME, "ratio", Target::AtMost(1.1), e),
    };
    let mut m = Measurement::new(NAME, r.ratio(), "ratio", Target::AtMost(1.1))
        .with_rounds(&r, "adapter_us", "raw_us")
        .with("rows", sizes.users)
        .with("lookups_per_round", sizes.lookups_per_round)
        .with("rounds", sizes.rounds);
    let mut summary = format!("adapter {:.1} µs, raw sqlx {:.1} µs", r.a(), r.b());
    match raw_lookups_current_thread(&env.url, &order).await {
        Ok(us) => {
            m = m.with("raw_current_thread_us", round3(us));
            summary.push_str(&format!(" (raw on a current-thread runtime {us:.1} µs)"));
        }
        Err(e) => m = m.with("raw_current_thread_error", e),
    }
    if let Some(f) = floor {
        let floor_us = f.latency_ms * 1000.0;
        m = m
            .with("pgbench_latency_us", round3(floor_us))
            .with("pgbench_tps", round3(f.tps));
        summary.push_str(&format!(", pgbench -S floor {floor_us:.1} µs"));
    }
    m.with("summary", summary)
}

/// One adapter lookup, timed.
async fn adapter_lookup(store: &PgStore, uuid: Uuid) -> Result<Duration, String> {
    let t = Instant::now();
    let user = store.users().find_by_uuid(uuid).await;
    let spent = t.elapsed();
    let user = user.map_err(|e| format!("find_by_uuid: {e}"))?;
    black_box(user.ok_or("find_by_uuid found no row")?);
    Ok(spent)
}

/// One raw lookup (prepared statement, same columns decoded), timed.
async fn raw_lookup(raw: &PgPool, uuid: Uuid) -> Result<Duration, String> {
    let t = Instant::now();
    let row = sqlx::query_as::<_, UserRow>(RAW_LOOKUP)
        .bind(uuid)
        .fetch_optional(raw)
        .await;
    let spent = t.elapsed();
    let row = row.map_err(|e| format!("raw lookup: {e}"))?;
    black_box(row.ok_or("raw lookup found no row")?);
    Ok(spent)
}

/// `batch_insert_logs_ratio` (1,000-row `append` over binary `COPY`) and `batch_insert_100k_ok`.
async fn append(env: &Env, sizes: &Sizes, function: FunctionId) -> Vec<Measurement> {
    const NAME: &str = "batch_insert_logs_ratio";
    let (store, raw) = (&env.store, &env.raw);
    let (batch, batches) = (sizes.log_batch, sizes.batches_per_round);
    let now = stamp(0);
    // Rows are stamped far from the seeded ones; each side counts its own stamps.
    let mut next_a: i64 = 10_000_000_000_000;
    let mut next_b: i64 = 20_000_000_000_000;
    // Every batch's time, to show the distribution (a COPY's final message can wait for a
    // delayed ACK: sqlx 0.9 does not set TCP_NODELAY).
    let (mut each_a, mut each_b) = (Vec::new(), Vec::new());
    let rounds = interleave_ops(
        sizes.rounds,
        batches,
        async |_| -> Result<Duration, String> {
            let rows = log_rows(function, batch, &mut next_a);
            let t = Instant::now();
            let n = store.logs().append(rows).await;
            let spent = t.elapsed();
            each_a.push(spent.as_secs_f64() * 1e3);
            let n = n.map_err(|e| format!("append: {e}"))?;
            if n != batch as u64 {
                return Err(format!("append wrote {n} rows of {batch}"));
            }
            Ok(spent)
        },
        async |_| -> Result<Duration, String> {
            let rows = log_rows(function, batch, &mut next_b);
            let t = Instant::now();
            let n = copy_logs(raw, &rows, now).await;
            let spent = t.elapsed();
            each_b.push(spent.as_secs_f64() * 1e3);
            let n = n?;
            if n != batch as u64 {
                return Err(format!("COPY wrote {n} rows of {batch}"));
            }
            Ok(spent)
        },
    )
    .await
    .map(|r| r.map(|s| batch as f64 / s));
    let ratio = match rounds {
        Ok(r) => Measurement::new(NAME, r.ratio(), "ratio", Target::AtLeast(0.75))
            .with_rounds(&r, "adapter_rows_per_s", "copy_rows_per_s")
            .with("adapter_batch_ms", spread(&each_a))
            .with("copy_batch_ms", spread(&each_b))
            .with("batch_rows", batch)
            .with("batches_per_round", batches)
            .with("rounds", sizes.rounds)
            .with(
                "summary",
                format!(
                    "append {:.0} rows/s, binary COPY {:.0} rows/s",
                    r.a(),
                    r.b()
                ),
            ),
        Err(e) => Measurement::failed(NAME, "ratio", Target::AtLeast(0.75), e),
    };

    const BIG: &str = "batch_insert_100k_ok";
    let mut next: i64 = 30_000_000_000_000;
    let rows = log_rows(function, sizes.big_batch, &mut next);
    let t = Instant::now();
    let result = store.logs().append(rows).await;
    let elapsed = t.elapsed();
    let big = match result {
        Ok(n) => Measurement::new(
            BIG,
            if n == sizes.big_batch as u64 {
                1.0
            } else {
                0.0
            },
            "bool",
            Target::True,
        )
        .with("rows", sizes.big_batch)
        .with("written", n)
        .with("ms", round3(elapsed.as_secs_f64() * 1e3))
        .with(
            "rows_per_s",
            round3(sizes.big_batch as f64 / elapsed.as_secs_f64()),
        )
        .with(
            "summary",
            format!(
                "{n} rows in {:.0} ms ({:.0} rows/s)",
                elapsed.as_secs_f64() * 1e3,
                sizes.big_batch as f64 / elapsed.as_secs_f64()
            ),
        ),
        Err(e) => Measurement::new(BIG, 0.0, "bool", Target::True).with("error", e.to_string()),
    };
    vec![ratio, big]
}

/// p50, p90 and max of a list of times.
fn spread(values: &[f64]) -> serde_json::Value {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| {
        sorted
            .get(((sorted.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .map_or(f64::NAN, round3)
    };
    serde_json::json!({ "p50": at(0.5), "p90": at(0.9), "max": at(1.0), "count": sorted.len() })
}

/// `stats_50k_ratio`: `invocations().stats` over the hand-written query, plus its `EXPLAIN`.
async fn stats(env: &Env, sizes: &Sizes, functions: &[FunctionId]) -> Measurement {
    const NAME: &str = "stats_50k_ratio";
    let target = Target::AtMost(1.1);
    let (store, raw) = (&env.store, &env.raw);
    let since = Timestamp::from_unix_micros("since", 0).expect("the epoch");
    let calls = sizes.stats_calls_per_round;

    // The two must agree before their speed is compared.
    let f0 = functions[0];
    let adapter = match store.invocations().stats(f0.into(), since).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            return Measurement::failed(NAME, "ratio", target, "stats: no such function");
        }
        Err(e) => return Measurement::failed(NAME, "ratio", target, format!("stats: {e}")),
    };
    let row: StatsRow = match sqlx::query_as(RAW_STATS)
        .bind(f0.get())
        .bind(since.naive_utc())
        .fetch_one(raw)
        .await
    {
        Ok(row) => row,
        Err(e) => return Measurement::failed(NAME, "ratio", target, format!("raw stats: {e}")),
    };
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
        (None, None) => true,
        _ => false,
    };
    let same = adapter.total as i64 == row.0
        && adapter.success as i64 == row.1
        && adapter.error as i64 == row.2
        && adapter.timeout as i64 == row.3
        && close(adapter.avg_duration_ms, row.4)
        && adapter.max_duration_ms == row.5
        && close(adapter.p50_duration_ms, row.6)
        && close(adapter.p95_duration_ms, row.7)
        && close(adapter.p99_duration_ms, row.8);

    let rounds = interleave_ops(
        sizes.rounds,
        calls,
        async |i| -> Result<Duration, String> {
            let t = Instant::now();
            let s = store
                .invocations()
                .stats((functions[i % functions.len()]).into(), since)
                .await;
            let spent = t.elapsed();
            black_box(s.map_err(|e| format!("stats: {e}"))?);
            Ok(spent)
        },
        async |i| -> Result<Duration, String> {
            let t = Instant::now();
            let row: Result<StatsRow, _> = sqlx::query_as(RAW_STATS)
                .bind(functions[i % functions.len()].get())
                .bind(since.naive_utc())
                .fetch_one(raw)
                .await;
            let spent = t.elapsed();
            black_box(row.map_err(|e| format!("raw stats: {e}"))?);
            Ok(spent)
        },
    )
    .await
    .map(|r| r.map(|s| s * 1e3));
    let r = match rounds {
        Ok(r) => r,
        Err(e) => return Measurement::failed(NAME, "ratio", target, e),
    };
    let plan = explain(raw, RAW_STATS, |q| q.bind(f0.get()).bind(since.naive_utc())).await;
    let (index_scan, node, explain_ms, plan_lines) = match &plan {
        Ok(lines) => {
            let node = lines
                .iter()
                .find(|l| l.contains("function_invocations_function_id_timestamp_idx"))
                .cloned();
            let scan = node.as_deref().is_some_and(|l| l.contains("Index"));
            (scan, node, execution_ms(lines), lines.clone())
        }
        Err(e) => (false, None, None, vec![format!("EXPLAIN failed: {e}")]),
    };
    Measurement::new(NAME, r.ratio(), "ratio", target)
        .with_rounds(&r, "adapter_ms", "raw_ms")
        .with("matching_rows", adapter.total)
        .with(
            "table_rows",
            sizes.invocation_functions * sizes.invocations_per_function,
        )
        .with("functions", sizes.invocation_functions)
        .with("calls_per_round", calls)
        .with("same_figures", same)
        .with("explain_index_scan", index_scan)
        .with("explain_index_node", node.map(|n| n.trim().to_owned()))
        .with("explain_execution_ms", explain_ms)
        .with("explain_plan", plan_lines)
        .with(
            "summary",
            format!(
                "adapter {:.2} ms, hand-written {:.2} ms; EXPLAIN index scan: {index_scan}",
                r.a(),
                r.b()
            ),
        )
}

/// An `EXPLAIN` statement being bound: it returns one text column.
type ExplainQuery<'q> = sqlx::query::QueryScalar<
    'q,
    sqlx::Postgres,
    String,
    <sqlx::Postgres as sqlx::Database>::Arguments,
>;

/// `EXPLAIN (ANALYZE, BUFFERS)` of `sql` with the binds `bind` adds: the plan's lines.
async fn explain<F>(pool: &PgPool, sql: &str, bind: F) -> Result<Vec<String>, String>
where
    F: for<'q> FnOnce(ExplainQuery<'q>) -> ExplainQuery<'q>,
{
    let text = format!("EXPLAIN (ANALYZE, BUFFERS) {sql}");
    bind(sqlx::query_scalar(AssertSqlSafe(text)))
        .fetch_all(pool)
        .await
        .map_err(|e| e.to_string())
}

/// `Execution Time: … ms` of an `EXPLAIN ANALYZE`.
fn execution_ms(lines: &[String]) -> Option<f64> {
    lines.iter().find_map(|l| {
        l.trim()
            .strip_prefix("Execution Time:")?
            .trim()
            .strip_suffix("ms")?
            .trim()
            .parse()
            .ok()
    })
}

/// `keyset_depth_ratio` (a window `keyset_depth` rows deep over the first window), and
/// `offset_depth_ratio` beside it (`find_page` at the same depth over the first page).
async fn keyset(env: &Env, sizes: &Sizes, function: FunctionId) -> Vec<Measurement> {
    const NAME: &str = "keyset_depth_ratio";
    let target = Target::AtMost(1.5);
    let (store, raw) = (&env.store, &env.raw);
    let query = LogQuery::for_function(function);
    let window = sizes.keyset_window;

    // Walk to the depth (windows of at most 10,000 rows, the port's maximum).
    let walk_started = Instant::now();
    let mut cursor: Option<Cursor> = None;
    let mut walked = 0usize;
    let mut last: Option<LogEntry> = None;
    while walked < sizes.keyset_depth {
        let take = (sizes.keyset_depth - walked).min(10_000) as u64;
        let request = match cursor.take() {
            None => KeysetRequest::first(take),
            Some(c) => KeysetRequest::after(c, take),
        };
        match store.logs().for_function(query.clone(), request).await {
            Ok(w) => {
                walked += w.items.len();
                last = w.items.last().cloned().or(last);
                cursor = w.next;
                if cursor.is_none() {
                    break;
                }
            }
            Err(e) => {
                return vec![Measurement::failed(
                    NAME,
                    "ratio",
                    target,
                    format!("for_function: {e}"),
                )];
            }
        }
    }
    let walk_s = walk_started.elapsed().as_secs_f64();
    let (Some(deep), Some(last)) = (cursor, last) else {
        return vec![Measurement::failed(
            NAME,
            "ratio",
            target,
            format!("only {walked} rows to walk"),
        )];
    };

    let calls = sizes.window_calls_per_round;
    let rounds = interleave_ops(
        sizes.rounds,
        calls,
        async |_| -> Result<Duration, String> {
            let request = KeysetRequest::after(deep.clone(), window);
            let t = Instant::now();
            let w = store.logs().for_function(query.clone(), request).await;
            let spent = t.elapsed();
            let w = w.map_err(|e| format!("for_function (deep): {e}"))?;
            if w.items.len() as u64 != window {
                return Err(format!("deep window has {} rows", w.items.len()));
            }
            black_box(w);
            Ok(spent)
        },
        async |_| -> Result<Duration, String> {
            let t = Instant::now();
            let w = store
                .logs()
                .for_function(query.clone(), KeysetRequest::first(window))
                .await;
            let spent = t.elapsed();
            black_box(w.map_err(|e| format!("for_function (first): {e}"))?);
            Ok(spent)
        },
    )
    .await
    .map(|r| r.map(|s| s * 1e3));

    // Why: the plans of the adapter's predicate and of a row-value comparison, at this depth.
    let at = last.timestamp.naive_utc();
    let id = last.id.get();
    let limit = (window + 1) as i64;
    let fid = i64::from(function.get());
    let or_plan = explain(raw, KEYSET_OR_FORM, |q| {
        q.bind(fid).bind(at).bind(id).bind(limit)
    })
    .await;
    let bounded_plan = explain(raw, KEYSET_BOUNDED_OR_FORM, |q| {
        q.bind(fid).bind(at).bind(id).bind(limit)
    })
    .await;
    let row_plan = explain(raw, KEYSET_ROW_FORM, |q| {
        q.bind(fid).bind(at).bind(id).bind(limit)
    })
    .await;
    let first_plan = explain(raw, KEYSET_FIRST, |q| q.bind(fid).bind(limit)).await;
    let plan_detail = |p: &Result<Vec<String>, String>| -> serde_json::Value {
        match p {
            Ok(lines) => serde_json::json!({
                "execution_ms": execution_ms(lines),
                "plan": lines,
            }),
            Err(e) => serde_json::json!({ "error": e }),
        }
    };

    let ratio = match rounds {
        Ok(r) => Measurement::new(NAME, r.ratio(), "ratio", target)
            .with_rounds(&r, "deep_ms", "first_ms")
            .with("depth", sizes.keyset_depth)
            .with("window_rows", window)
            .with("function_rows", sizes.big_logs)
            .with("calls_per_round", calls)
            .with("walk_to_depth_s", round3(walk_s))
            .with("explain_adapter_or_form", plan_detail(&or_plan))
            .with("explain_bounded_or_form", plan_detail(&bounded_plan))
            .with("explain_row_value_form", plan_detail(&row_plan))
            .with("explain_first_window", plan_detail(&first_plan))
            .with(
                "summary",
                format!(
                    "window at depth {}: {:.2} ms, first: {:.2} ms",
                    sizes.keyset_depth,
                    r.a(),
                    r.b()
                ),
            ),
        Err(e) => Measurement::failed(NAME, "ratio", target, e),
    };

    // Offset paging at the same depth, beside it (report only).
    const OFFSET: &str = "offset_depth_ratio";
    let (filter, sort) = query.to_filter_and_sort(function);
    let deep_page = sizes.keyset_depth as u64 / window + 1;
    let page_calls = (calls / 4).max(2);
    let rounds = interleave_ops(
        sizes.rounds,
        page_calls,
        async |_| -> Result<Duration, String> {
            let (f, o) = (filter.clone(), sort.clone());
            let t = Instant::now();
            let p = store
                .logs()
                .find_page(f, o, PageRequest::new(deep_page, window))
                .await;
            let spent = t.elapsed();
            black_box(p.map_err(|e| format!("find_page (deep): {e}"))?);
            Ok(spent)
        },
        async |_| -> Result<Duration, String> {
            let (f, o) = (filter.clone(), sort.clone());
            let t = Instant::now();
            let p = store
                .logs()
                .find_page(f, o, PageRequest::new(1, window))
                .await;
            let spent = t.elapsed();
            black_box(p.map_err(|e| format!("find_page (first): {e}"))?);
            Ok(spent)
        },
    )
    .await
    .map(|r| r.map(|s| s * 1e3));
    let offset = match rounds {
        Ok(r) => Measurement::new(OFFSET, r.ratio(), "ratio", Target::Report)
            .with_rounds(&r, "deep_ms", "first_ms")
            .with("page", deep_page)
            .with("page_size", window)
            .with("calls_per_round", page_calls)
            .with(
                "summary",
                format!(
                    "find_page {deep_page}: {:.2} ms, page 1: {:.2} ms (each counts {} rows)",
                    r.a(),
                    r.b(),
                    sizes.big_logs
                ),
            ),
        Err(e) => Measurement::failed(OFFSET, "ratio", Target::Report, e),
    };
    vec![ratio, offset]
}

/// `transfer_rows_per_s`: every log row of the large function through `for_function`
/// windows, with the process' peak RSS; a raw row-value keyset walk beside it.
async fn transfer(env: &Env, sizes: &Sizes, function: FunctionId) -> Measurement {
    const NAME: &str = "transfer_rows_per_s";
    let (store, raw) = (&env.store, &env.raw);
    let query = LogQuery::for_function(function);
    let window = sizes.transfer_window;

    let rss_before = sys::status_kib("VmRSS");
    let reset = sys::reset_peak_rss();
    let hwm_before = sys::status_kib("VmHWM");
    let started = Instant::now();
    let mut rows = 0usize;
    let mut calls = 0usize;
    let mut window_ms = Vec::new();
    let mut request = KeysetRequest::first(window);
    let complete = loop {
        if started.elapsed() > sizes.transfer_time_limit {
            break false;
        }
        let t = Instant::now();
        let w = match store.logs().for_function(query.clone(), request).await {
            Ok(w) => w,
            Err(e) => {
                return Measurement::failed(
                    NAME,
                    "rows/s",
                    Target::Report,
                    format!("for_function: {e}"),
                );
            }
        };
        window_ms.push(t.elapsed().as_secs_f64() * 1e3);
        calls += 1;
        rows += w.items.len();
        black_box(&w.items);
        match w.next {
            Some(c) => request = KeysetRequest::after(c, window),
            None => break true,
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    let hwm_after = sys::status_kib("VmHWM");
    let adapter_rate = rows as f64 / elapsed;

    // The same walk by hand: row-value keyset, the same columns decoded into tuples.
    let raw_started = Instant::now();
    let mut raw_rows = 0usize;
    let mut raw_error = None;
    let fid = function.get();
    let mut after: Option<(NaiveDateTime, i64)> = None;
    let raw_complete = loop {
        if raw_started.elapsed() > sizes.transfer_time_limit {
            break false;
        }
        let result: Result<Vec<LogRow>, sqlx::Error> = match after {
            None => {
                sqlx::query_as("SELECT id, uuid, function_id, level, message, \"timestamp\" FROM function_logs WHERE function_id = $1 ORDER BY \"timestamp\", id LIMIT $2")
                    .bind(fid)
                    .bind(window as i64)
                    .fetch_all(raw)
                    .await
            }
            Some((at, id)) => {
                sqlx::query_as("SELECT id, uuid, function_id, level, message, \"timestamp\" FROM function_logs WHERE function_id = $1 AND (\"timestamp\", id) > ($3, $4) ORDER BY \"timestamp\", id LIMIT $2")
                    .bind(fid)
                    .bind(window as i64)
                    .bind(at)
                    .bind(id)
                    .fetch_all(raw)
                    .await
            }
        };
        match result {
            Ok(batch) => {
                raw_rows += batch.len();
                let Some(tail) = batch.last() else { break true };
                after = Some((tail.5, tail.0));
                if (batch.len() as u64) < window {
                    break true;
                }
                black_box(batch);
            }
            Err(e) => {
                raw_error = Some(e.to_string());
                break false;
            }
        }
    };
    let raw_rate = raw_rows as f64 / raw_started.elapsed().as_secs_f64();

    let first_ms = window_ms.first().copied().unwrap_or(f64::NAN);
    let last_ms = window_ms.last().copied().unwrap_or(f64::NAN);
    Measurement::new(NAME, adapter_rate, "rows/s", Target::Report)
        .with("rows", rows)
        .with("function_rows", sizes.big_logs)
        .with("complete", complete)
        .with("window_rows", window)
        .with("windows", calls)
        .with("seconds", round3(elapsed))
        .with("first_window_ms", round3(first_ms))
        .with("last_window_ms", round3(last_ms))
        .with("median_window_ms", round3(median(&window_ms)))
        .with("rss_before_kib", rss_before)
        .with("peak_rss_reset", reset)
        .with("peak_rss_before_kib", hwm_before)
        .with("peak_rss_kib", hwm_after)
        .with(
            "peak_rss_growth_kib",
            match (hwm_after, hwm_before) {
                (Some(a), Some(b)) => Some(a.saturating_sub(b)),
                _ => None,
            },
        )
        .with("raw_rows_per_s", round3(raw_rate))
        .with("raw_rows", raw_rows)
        .with("raw_complete", raw_complete)
        .with("raw_error", raw_error)
        .with(
            "summary",
            format!(
                "{rows} rows in {elapsed:.1} s{}; window {first_ms:.1} ms first, {last_ms:.1} ms last; peak RSS {} MiB; raw row-value walk {raw_rate:.0} rows/s",
                if complete { "" } else { " (stopped: time limit)" },
                hwm_after.map_or(-1.0, |k| k as f64 / 1024.0).round()
            ),
        )
}

/// `pgbench -S -M prepared -c clients` on a throwaway, pgbench-initialised database: the
/// floor of a prepared point lookup on this machine (report only), as `name`.
async fn pgbench_floor(
    name: &str,
    secs: u64,
    clients: usize,
) -> (Measurement, Option<sys::Pgbench>) {
    let db = TestDatabase::empty().await;
    let result = sys::pgbench(db.url().to_owned(), secs, clients).await;
    db.drop_db().await;
    match result {
        Ok(Some(p)) => (
            Measurement::new(name, p.latency_ms * 1000.0, "µs", Target::Report)
                .with("tps", round3(p.tps))
                .with("command", format!("{} (scale 1, {secs} s)", p.command))
                .with("binary", p.binary.clone())
                .with(
                    "summary",
                    format!(
                        "{:.0} tps, {:.1} µs average latency",
                        p.tps,
                        p.latency_ms * 1000.0
                    ),
                ),
            Some(p),
        ),
        Ok(None) => (
            Measurement::failed(name, "µs", Target::Report, "pgbench is not installed"),
            None,
        ),
        Err(e) => (Measurement::failed(name, "µs", Target::Report, e), None),
    }
}

/// The lookup/insert series against table size, on a database of its own: `users` grows to
/// each size (SQL), then the adapter's `find_by_uuid` (and the raw lookup beside it) and
/// `insert_many` batches are timed. Inserted rows are deleted again after each round.
async fn series(
    db: &TestDatabase,
    sizes: &Sizes,
    out: &mut Vec<Measurement>,
) -> Result<(), String> {
    let env = connect(db.url()).await?;
    let mut seed = db.connect().await;
    let mut lookup_adapter = Vec::new();
    let mut lookup_raw = Vec::new();
    let mut insert_adapter = Vec::new();
    let mut have = 0usize;
    let mut serial = 0usize;
    for &size in &sizes.series_sizes {
        seed_users(&mut seed, have + 1, size).await?;
        have = size;
        let uuids = sample_users(&mut seed, sizes.series_lookups).await?;
        let order = Rng::new(size as u64).sample(&uuids, sizes.series_lookups);
        let (store, raw) = (&env.store, &env.raw);
        let r = interleave_ops(
            sizes.rounds,
            order.len(),
            async |i| adapter_lookup(store, order[i]).await,
            async |i| raw_lookup(raw, order[i]).await,
        )
        .await?
        .map(|s| s * 1e6);
        lookup_adapter.push((size, r.a()));
        lookup_raw.push((size, r.b()));

        let mut rates = Vec::new();
        for round in 0..=sizes.rounds {
            let (_, rate) =
                insert_series_batch(env.store.users(), &mut serial, sizes.series_insert_batch)
                    .await?;
            if round > 0 {
                rates.push(rate);
            }
            exec(&mut seed, "DELETE FROM users WHERE email LIKE 'series-%'").await?;
        }
        insert_adapter.push((size, median(&rates)));
        eprintln!("postgres series: {size} rows done");
    }
    let _ = seed.close().await;
    env.close().await;
    out.push(series_measurement(
        "postgres",
        "lookup_latency",
        "µs",
        &lookup_adapter,
    ));
    out.push(series_measurement(
        "postgres_raw_sqlx",
        "lookup_latency",
        "µs",
        &lookup_raw,
    ));
    out.push(series_measurement(
        "postgres",
        "insert_throughput",
        "rows/s",
        &insert_adapter,
    ));
    Ok(())
}

/// A `series` entry of the report: `points` as `[size, value]` pairs; the value is the one at
/// the largest size.
pub(crate) fn series_measurement(
    adapter: &str,
    metric: &str,
    unit: &str,
    points: &[(usize, f64)],
) -> Measurement {
    let value = points.last().map_or(f64::NAN, |p| p.1);
    Measurement::new(
        &format!("series_{adapter}_{metric}"),
        value,
        unit,
        Target::Report,
    )
    .with(
        "series",
        serde_json::json!({
            "adapter": adapter,
            "metric": metric,
            "unit": unit,
            "points": points.iter().map(|(x, y)| serde_json::json!([x, round3(*y)])).collect::<Vec<_>>(),
        }),
    )
}
