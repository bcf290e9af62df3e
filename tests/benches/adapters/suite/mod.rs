//! The adapter benchmark suite: seeding, interleaved A/B measurements, and the report.
//!
//! Shared by the `adapters` bench binary (`cargo bench -p containerpub-tests --bench adapters`)
//! and the CI smoke test (`tests/tests/it/bench_smoke.rs`, [`Sizes::tiny`]), so CI proves that
//! the benchmark still runs. Nothing here asserts a timing.
//!
//! Every pair is measured in the same process, on the same data: one warm-up call of each
//! side, then `rounds` rounds of A and B interleaved (A,B then B,A, alternately, so drift and
//! machine noise hit both sides), and the figure is the ratio of the medians of the per-round
//! means.

mod copy;
mod mem;
mod pg;
mod report;
mod sys;

use std::time::{Duration, Instant};

use containerpub_domain::{NewUser, User};
use containerpub_ports::UserStore;
use containerpub_tests::fixture::series_user;

use report::Report;

/// The measurements every run produces, whatever the sizes (the smoke test checks them).
pub const REQUIRED: &[&str] = &[
    "lookup_by_uuid_ratio",
    "batch_insert_logs_ratio",
    "batch_insert_100k_ok",
    "stats_50k_ratio",
    "keyset_depth_ratio",
    "memory_lookup_ratio",
    "memory_scale_ratio",
    "memory_begin_scale_ratio",
    "transfer_rows_per_s",
    "tx_10_writes_ratio",
    "concurrent_lookup_ratio",
    "concurrent_append_ratio",
];

/// The table sizes and repetition counts of one run.
#[derive(Debug, Clone)]
pub struct Sizes {
    /// `full`, `quick` or `tiny` (recorded in the report).
    pub label: &'static str,
    /// Measured rounds per pair (after one warm-up call of each side).
    pub rounds: usize,
    /// Rows of `users` for the PostgreSQL lookup pair.
    pub users: usize,
    /// Lookups per side per round.
    pub lookups_per_round: usize,
    /// Rows per `append` / `COPY` batch.
    pub log_batch: usize,
    /// Batches per side per round.
    pub batches_per_round: usize,
    /// Rows of the single large `append`.
    pub big_batch: usize,
    /// Functions owning invocations.
    pub invocation_functions: usize,
    /// Invocations per function (all of them match the statistics window).
    pub invocations_per_function: usize,
    /// Statistics calls per side per round.
    pub stats_calls_per_round: usize,
    /// Log rows of the one large function (keyset depth and transfer).
    pub big_logs: usize,
    /// How deep the deep keyset window starts.
    pub keyset_depth: usize,
    /// Rows per keyset window / offset page in the depth pair.
    pub keyset_window: u64,
    /// Window calls per side per round.
    pub window_calls_per_round: usize,
    /// Rows per window when streaming the large function out.
    pub transfer_window: u64,
    /// How long the transfer may run before it stops (then reported as incomplete).
    pub transfer_time_limit: Duration,
    /// Users in the in-memory store of the lookup pair (and in its `HashMap`).
    pub memory_users: usize,
    /// Rounds of the in-memory lookup pairs (short rounds, many of them: the medians then
    /// shrug off preemption by other work on the machine).
    pub memory_rounds: usize,
    /// In-memory lookups per side per round.
    pub memory_lookups_per_round: usize,
    /// The small in-memory table of the scale pairs.
    pub memory_small: usize,
    /// The large in-memory table of the scale pairs.
    pub memory_large: usize,
    /// Rows per `insert_many` call when loading the in-memory tables.
    pub memory_load_chunk: usize,
    /// begin + insert + commit cycles per side per round.
    pub memory_begin_ops_per_round: usize,
    /// Table sizes of the lookup/insert series (empty: no series).
    pub series_sizes: Vec<usize>,
    /// Lookups per side per round at each series size.
    pub series_lookups: usize,
    /// Rows per `insert_many` batch at each series size.
    pub series_insert_batch: usize,
    /// Seconds of `pgbench -S` for the machine's floor (0: skip).
    pub pgbench_secs: u64,
    /// Units of work (10 inserts + commit) per side per round in the transaction pair.
    pub tx_per_round: usize,
    /// Concurrent tasks (and pool size) of the load pairs.
    pub concurrency: usize,
    /// How long each side of a load pair runs per round.
    pub load_time: Duration,
    /// Rows per `append` batch in the concurrent append pair.
    pub load_batch: usize,
    /// Only the in-memory measurements (`--memory-only`: no PostgreSQL server needed).
    pub memory_only: bool,
}

impl Sizes {
    /// The sizes the targets are stated for (about 2 minutes on 2 cores).
    #[must_use]
    pub fn full() -> Self {
        Self {
            label: "full",
            rounds: 15,
            users: 10_000,
            lookups_per_round: 1_000,
            log_batch: 1_000,
            batches_per_round: 10,
            big_batch: 100_000,
            invocation_functions: 10,
            invocations_per_function: 50_000,
            stats_calls_per_round: 4,
            big_logs: 1_000_000,
            keyset_depth: 100_000,
            keyset_window: 100,
            window_calls_per_round: 10,
            transfer_window: 5_000,
            transfer_time_limit: Duration::from_secs(180),
            memory_users: 10_000,
            memory_rounds: 61,
            memory_lookups_per_round: 20_000,
            memory_small: 1_000,
            memory_large: 1_000_000,
            memory_load_chunk: 10_000,
            memory_begin_ops_per_round: 2_000,
            series_sizes: vec![1_000, 10_000, 100_000, 1_000_000],
            series_lookups: 500,
            series_insert_batch: 1_000,
            pgbench_secs: 10,
            tx_per_round: 100,
            concurrency: 8,
            load_time: Duration::from_secs(2),
            load_batch: 100,
            memory_only: false,
        }
    }

    /// A rough run: the same measurements on smaller tables and fewer rounds, no series
    /// (add them with `--sizes`).
    #[must_use]
    pub fn quick() -> Self {
        Self {
            label: "quick",
            rounds: 5,
            batches_per_round: 6,
            invocations_per_function: 20_000,
            stats_calls_per_round: 2,
            big_logs: 150_000,
            window_calls_per_round: 6,
            transfer_time_limit: Duration::from_secs(40),
            memory_rounds: 21,
            memory_large: 200_000,
            memory_begin_ops_per_round: 1_000,
            series_sizes: Vec::new(),
            pgbench_secs: 5,
            tx_per_round: 40,
            load_time: Duration::from_secs(1),
            ..Self::full()
        }
    }

    /// Tiny tables, two rounds: for the CI smoke test (seconds, even in a debug build).
    #[must_use]
    pub fn tiny() -> Self {
        Self {
            label: "tiny",
            rounds: 2,
            users: 300,
            lookups_per_round: 50,
            log_batch: 100,
            batches_per_round: 2,
            big_batch: 2_000,
            invocation_functions: 3,
            invocations_per_function: 300,
            stats_calls_per_round: 2,
            big_logs: 3_000,
            keyset_depth: 1_000,
            keyset_window: 50,
            window_calls_per_round: 2,
            transfer_window: 500,
            transfer_time_limit: Duration::from_secs(60),
            memory_users: 300,
            memory_rounds: 3,
            memory_lookups_per_round: 500,
            memory_small: 100,
            memory_large: 2_000,
            memory_load_chunk: 500,
            memory_begin_ops_per_round: 50,
            series_sizes: vec![100, 400],
            series_lookups: 50,
            series_insert_batch: 50,
            pgbench_secs: 0,
            tx_per_round: 5,
            concurrency: 4,
            load_time: Duration::from_millis(200),
            load_batch: 20,
            memory_only: false,
        }
    }
}

/// Runs every measurement: PostgreSQL first, on a multi-threaded runtime (so the transfer's
/// peak-RSS reading is not inflated by the in-memory tables), then the in-memory store on a
/// current-thread runtime. Databases are created by the test harness and dropped afterwards.
/// With [`Sizes::memory_only`], only the in-memory store's (the PostgreSQL version is then
/// reported as `not measured`).
///
/// # Panics
/// If no PostgreSQL server is available (as the harness) or a runtime cannot be built.
/// A failing measurement does not panic: it is reported with a `null` value and its error.
#[must_use]
pub fn run(sizes: &Sizes) -> Report {
    let started = Instant::now();
    let load_start = sys::loadavg();
    let mut measurements = Vec::new();
    let server = if sizes.memory_only {
        "not measured".to_owned()
    } else {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a Tokio runtime");
        let server = runtime.block_on(pg::run(sizes, &mut measurements));
        drop(runtime);
        server
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread Tokio runtime");
    runtime.block_on(mem::run(sizes, &mut measurements));
    drop(runtime);
    Report {
        sizes: sizes.label,
        measurements,
        machine: sys::machine(server, load_start),
        duration: started.elapsed(),
    }
}

/// The per-round results of two interleaved sides.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rounds {
    /// Side A, one figure per round.
    pub a: Vec<f64>,
    /// Side B, one figure per round.
    pub b: Vec<f64>,
    /// With operation-level interleaving: the median single operation of A and of B
    /// (seconds), a cross-check that bursts of noise do not move.
    pub op_medians: Option<(f64, f64)>,
}

impl Rounds {
    /// Median of side A.
    pub fn a(&self) -> f64 {
        median(&self.a)
    }

    /// Median of side B.
    pub fn b(&self) -> f64 {
        median(&self.b)
    }

    /// `median(A) / median(B)`.
    pub fn ratio(&self) -> f64 {
        self.a() / self.b()
    }

    /// The same rounds with every figure converted by `f` (seconds per op to µs, rows/s, …).
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Self {
        Self {
            a: self.a.iter().copied().map(&f).collect(),
            b: self.b.iter().copied().map(&f).collect(),
            op_medians: self.op_medians.map(|(a, b)| (f(a), f(b))),
        }
    }

    /// The 25th and 75th percentiles of the per-round ratios A/B: how far the rounds
    /// disagree (the machine's noise).
    pub fn ratio_spread(&self) -> (f64, f64) {
        let mut ratios: Vec<f64> = self.a.iter().zip(&self.b).map(|(a, b)| a / b).collect();
        ratios.sort_by(f64::total_cmp);
        let at = |q: f64| {
            ratios
                .get(((ratios.len() as f64 - 1.0) * q).round() as usize)
                .copied()
                .unwrap_or(f64::NAN)
        };
        (at(0.25), at(0.75))
    }
}

/// Interleaving at the level of single operations, for operations of tens of microseconds
/// or more: in every round, `ops` operations of each side alternate one by one (A,B then
/// B,A), so a burst of machine noise hits both sides alike. Each call gets the operation's
/// index and returns how long its measured part took (preparation, such as building a
/// batch, stays outside). One round of `ops / 5` (at least 1) operations per side warms up
/// first. A round's figure per side is its mean seconds per operation.
pub(crate) async fn interleave_ops<A, B>(
    rounds: usize,
    ops: usize,
    mut a: A,
    mut b: B,
) -> Result<Rounds, String>
where
    A: AsyncFnMut(usize) -> Result<Duration, String>,
    B: AsyncFnMut(usize) -> Result<Duration, String>,
{
    let ops = ops.max(1);
    for i in 0..(ops / 5).max(1) {
        a(i).await?;
        b(i).await?;
    }
    let mut out = Rounds::default();
    let (mut each_a, mut each_b) = (Vec::new(), Vec::new());
    for round in 0..rounds.max(1) {
        let (mut spent_a, mut spent_b) = (Duration::ZERO, Duration::ZERO);
        for i in 0..ops {
            let (ta, tb) = if (round + i).is_multiple_of(2) {
                let ta = a(i).await?;
                (ta, b(i).await?)
            } else {
                let tb = b(i).await?;
                (a(i).await?, tb)
            };
            spent_a += ta;
            spent_b += tb;
            each_a.push(ta.as_secs_f64());
            each_b.push(tb.as_secs_f64());
        }
        out.a.push(spent_a.as_secs_f64() / ops as f64);
        out.b.push(spent_b.as_secs_f64() / ops as f64);
    }
    out.op_medians = Some((median(&each_a), median(&each_b)));
    Ok(out)
}

/// Interleaving at the level of rounds, for operations too short to time one by one (tens of
/// nanoseconds): one warm-up call of each side, then `rounds` rounds alternating A,B and
/// B,A. Each call runs a whole round and returns its figure (a mean per operation).
pub(crate) async fn interleave<A, B>(rounds: usize, mut a: A, mut b: B) -> Result<Rounds, String>
where
    A: AsyncFnMut() -> Result<f64, String>,
    B: AsyncFnMut() -> Result<f64, String>,
{
    a().await?;
    b().await?;
    let mut out = Rounds::default();
    for round in 0..rounds.max(1) {
        if round.is_multiple_of(2) {
            out.a.push(a().await?);
            out.b.push(b().await?);
        } else {
            out.b.push(b().await?);
            out.a.push(a().await?);
        }
    }
    Ok(out)
}

/// The median (mean of the middle two for an even count); NaN for no values.
pub(crate) fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

/// Nanoseconds per operation since `started`.
pub(crate) fn ns_per_op(started: Instant, ops: usize) -> f64 {
    started.elapsed().as_secs_f64() * 1e9 / ops.max(1) as f64
}

/// Rows per second since `started`.
pub(crate) fn rows_per_s(started: Instant, rows: usize) -> f64 {
    rows as f64 / started.elapsed().as_secs_f64().max(1e-9)
}

/// Inserts the next `batch` series users (numbered on from `serial`) with one `insert_many`,
/// and returns them with the insert's rate in rows per second.
pub(crate) async fn insert_series_batch(
    users: &dyn UserStore,
    serial: &mut usize,
    batch: usize,
) -> Result<(Vec<User>, f64), String> {
    let rows: Vec<NewUser> = (0..batch)
        .map(|_| {
            *serial += 1;
            series_user(*serial)
        })
        .collect();
    let t = Instant::now();
    let inserted = users
        .insert_many(rows)
        .await
        .map_err(|e| format!("insert_many: {e}"))?;
    let rate = rows_per_s(t, inserted.len());
    Ok((inserted, rate))
}

/// A small deterministic generator (xorshift64*) for shuffles and samples: no `rand` needed.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator from a non-zero seed.
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// `n` values drawn from `from` with replacement.
    pub fn sample<T: Copy>(&mut self, from: &[T], n: usize) -> Vec<T> {
        if from.is_empty() {
            return Vec::new();
        }
        (0..n).map(|_| from[self.below(from.len())]).collect()
    }
}
