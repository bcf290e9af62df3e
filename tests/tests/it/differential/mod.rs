//! The two adapters are interchangeable: a model-based property test.
//!
//! Random sequences of operations over all nine tables (creates, updates, deletes with their
//! cascades, filters and sorts with random operators and values, offset pages and keyset
//! windows, batches, activation, membership moves, repository trees with soft deletes and
//! moves, upserts (also with chosen update columns), repositories created with their missing
//! ancestors (see [`tree`] for their random uuids), and transactions that commit, roll back
//! or nest as savepoints) run on the in-memory adapter and on PostgreSQL side by side, from
//! one [`ManualClock`] shared by both stores. After every step:
//! - the op's results are equal (`Ok` values and errors; `Unavailable` by variant; any
//!   `Internal` fails), ids included: both follow the same sequence rules;
//! - after every step that can write (and every commit or rollback), every table's full
//!   contents (`find_all`, default order) are equal, seen from inside the open transaction
//!   and, while one is open, from outside it too.
//!
//! At the end of a case open transactions are committed, rolled back or dropped, and
//! soft-deleted repositories are compared: every repository uuid ever seen that no read
//! shows any more is probed with an insert (a soft-deleted row still holds its uuid:
//! `Conflict`), and PostgreSQL's own count of soft-deleted rows must equal the number of
//! such conflicts.
//!
//! Values are raw and hostile (see [`inputs`]): they are built into domain values through the
//! validating constructors when an op runs; a value the domain rejects must be rejected
//! with the typed error independent rules predict, and the op is then skipped.
//!
//! One [`TestDatabase`] per run; every case starts from `TRUNCATE … RESTART IDENTITY` and
//! a fresh `MemoryStore`. 256 cases of up to 50 steps (`PROPTEST_CASES` overrides); a
//! failure shrinks to a minimal sequence whose seed is saved in
//! `tests/proptest-regressions/differential.txt` and replayed first on every run; the
//! minimal sequences of the differences found so far are also written out in
//! [`regressions`] and run before anything else.

mod build;
mod concurrent;
mod echo;
mod exec;
mod inputs;
mod ops;
mod pools;
mod regressions;
mod snapshot;
mod special;
mod tree;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use containerpub_domain::chrono::TimeDelta;
use containerpub_domain::{ManualClock, NewRepository, RepositoryPath, Timestamp};
use containerpub_memory::MemoryStore;
use containerpub_ports::{StoreError, StoreResult, Stores, TX_UNUSABLE, Transaction, UnitOfWork};
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::fixture::t0;
use containerpub_tests::pg::TestDatabase;
use proptest::test_runner::{
    Config, FileFailurePersistence, TestCaseError, TestCaseResult, TestRunner,
};

use exec::{Cx, fail};
use ops::{Case, ClockOp, Finish, Op};
use pools::Pools;
use snapshot::{Snapshot, diff, snapshot};

/// Where failing cases' seeds are kept (committed; replayed before new cases).
const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/differential.txt"
);

/// Savepoints nest at most this deep (the transaction included).
const MAX_DEPTH: usize = 3;

/// Every table, emptied between cases.
const TRUNCATE: &str = "TRUNCATE users, user_information, organizations, organization_members, \
     functions, function_deployments, function_logs, function_invocations, repositories \
     RESTART IDENTITY CASCADE";

/// One adapter's side: its store and the transactions open on it, innermost last.
struct Side<R: UnitOfWork> {
    root: R,
    txs: Vec<R::Tx>,
}

impl<R, T> Side<R>
where
    R: UnitOfWork<Tx = T>,
    T: Transaction + UnitOfWork<Tx = T>,
{
    fn new(root: R) -> Self {
        Self {
            root,
            txs: Vec::new(),
        }
    }

    /// Where ops run: the innermost open transaction, else the store.
    fn current(&self) -> &dyn Stores {
        match self.txs.last() {
            Some(tx) => tx,
            None => &self.root,
        }
    }

    /// The same place as a unit of work (where `create_with_parents` runs).
    fn current_uow(&self) -> &dyn tree::TreeUow {
        match self.txs.last() {
            Some(tx) => tx,
            None => &self.root,
        }
    }

    async fn begin(&mut self) -> StoreResult<()> {
        let tx = match self.txs.last() {
            Some(tx) => tx.begin().await?,
            None => self.root.begin().await?,
        };
        self.txs.push(tx);
        Ok(())
    }

    async fn end(&mut self, how: Finish) -> StoreResult<()> {
        match (self.txs.pop(), how) {
            (None, _) => Ok(()),
            (Some(tx), Finish::Commit) => tx.commit().await,
            (Some(tx), Finish::Rollback) => tx.rollback().await,
            (Some(tx), Finish::Drop) => {
                drop(tx);
                Ok(())
            }
        }
    }
}

impl Side<PgStore> {
    /// The same place, for the uuid alignment after `create_with_parents` (see [`tree`]).
    fn current_raw(&self) -> &dyn tree::SetRepositoryUuid {
        match self.txs.last() {
            Some(tx) => tx,
            None => &self.root,
        }
    }
}

/// Counts of what the ops did, over the whole run (printed at the end).
static OUTCOMES: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

fn count_outcomes(outcomes: Vec<String>) {
    let mut map = OUTCOMES.lock().unwrap_or_else(PoisonError::into_inner);
    for o in outcomes {
        *map.entry(o).or_default() += 1;
    }
}

fn compare_results<T: PartialEq + std::fmt::Debug>(
    step: usize,
    what: &str,
    m: StoreResult<T>,
    p: StoreResult<T>,
) -> Result<Option<T>, TestCaseError> {
    let mut outcomes = Vec::new();
    let out = exec::compare(step, what, m, p, &mut outcomes);
    count_outcomes(outcomes);
    out
}

/// Compares every table's contents as `mem` and `pg` see them; returns the memory side
/// (`None` if both refuse the same way: a transaction that a failed write left unusable).
async fn compare_contents(
    step: usize,
    whose: &str,
    mem: &dyn Stores,
    pg: &dyn Stores,
) -> Result<Option<Snapshot>, TestCaseError> {
    let m = snapshot(mem).await;
    let p = snapshot(pg).await;
    match (m, p) {
        (Ok(m), Ok(p)) if m == p => Ok(Some(m)),
        (Err(m), Err(p)) if m == p && m.to_string().contains(TX_UNUSABLE) => Ok(None),
        (Ok(m), Ok(p)) => Err(fail(format!(
            "step {step}: contents ({whose}) differ:{}",
            diff(&m, &p)
        ))),
        (m, p) => Err(fail(format!(
            "step {step}: reading the contents ({whose}) failed\n  memory:   {:?}\n  postgres: {:?}",
            m.err(),
            p.err()
        ))),
    }
}

async fn run_steps(
    mem: &mut Side<MemoryStore>,
    pg: &mut Side<PgStore>,
    pools: &mut Pools,
    clock: &ManualClock,
    ops: &[Op],
) -> TestCaseResult {
    for (step, op) in ops.iter().enumerate() {
        match op {
            Op::Clock(c) => {
                match c {
                    ClockOp::Advance(micros) => clock.advance(TimeDelta::microseconds(*micros)),
                    ClockOp::ToMax => clock.set(Timestamp::MAX),
                    ClockOp::ToT0 => clock.set(t0()),
                }
                continue;
            }
            Op::Begin => {
                if mem.txs.len() >= MAX_DEPTH {
                    continue;
                }
                let m = mem.begin().await;
                let p = pg.begin().await;
                compare_results(step, "begin", m, p)?;
            }
            Op::Commit | Op::Rollback => {
                if mem.txs.is_empty() {
                    continue;
                }
                let how = if matches!(op, Op::Commit) {
                    Finish::Commit
                } else {
                    Finish::Rollback
                };
                let m = mem.end(how).await;
                let p = pg.end(how).await;
                compare_results(
                    step,
                    if matches!(op, Op::Commit) {
                        "commit"
                    } else {
                        "rollback"
                    },
                    m,
                    p,
                )?;
            }
            op => {
                pools.now = containerpub_domain::Clock::now(clock);
                let mut cx = Cx {
                    mem: mem.current(),
                    pg: pg.current(),
                    mem_uow: mem.current_uow(),
                    pg_uow: pg.current_uow(),
                    pg_raw: pg.current_raw(),
                    pools,
                    step,
                    outcomes: Vec::new(),
                };
                let result = exec::run(&mut cx, op).await;
                count_outcomes(std::mem::take(&mut cx.outcomes));
                result?;
            }
        }
        if mem.txs.len() != pg.txs.len() {
            return Err(fail(format!("step {step}: transaction depths differ")));
        }
        if op.is_read_only() {
            continue;
        }
        if let Some(seen) = compare_contents(step, "current", mem.current(), pg.current()).await? {
            pools.absorb(&seen);
        }
        if !mem.txs.is_empty()
            && let Some(outside) =
                compare_contents(step, "outside the transaction", &mem.root, &pg.root).await?
        {
            pools.absorb(&outside);
        }
    }
    Ok(())
}

/// Ends every open transaction on both sides (innermost first).
async fn finish_all(
    mem: &mut Side<MemoryStore>,
    pg: &mut Side<PgStore>,
    how: Finish,
) -> TestCaseResult {
    while !mem.txs.is_empty() || !pg.txs.is_empty() {
        let m = mem.end(how).await;
        let p = pg.end(how).await;
        compare_results(usize::MAX, "finishing transactions", m, p)?;
    }
    Ok(())
}

/// Soft-deleted repositories: every uuid seen that reads no longer show is probed with an
/// insert in a transaction rolled back afterwards; PostgreSQL's count of soft-deleted rows
/// must equal the number of uuid conflicts.
async fn compare_soft_deleted(mem: &MemoryStore, pg: &PgStore, pools: &Pools) -> TestCaseResult {
    let probe_path = RepositoryPath::parse("zz9probe").expect("a valid path");
    let mut conflicts = 0u64;
    for &uuid in pools.repository_uuids() {
        let m = mem.repositories().find_by_uuid(uuid).await;
        let p = pg.repositories().find_by_uuid(uuid).await;
        let live = compare_results(usize::MAX, "find_by_uuid (probe)", m, p)?;
        if !matches!(live, Some(None)) {
            continue;
        }
        let probe = NewRepository {
            uuid,
            path: probe_path.clone(),
        };
        let m_tx = mem.begin().await;
        let p_tx = pg.begin().await;
        let (m_tx, p_tx) = match (m_tx, p_tx) {
            (Ok(m), Ok(p)) => (m, p),
            (m, p) => {
                return Err(fail(format!(
                    "begin (probe): memory {:?}, postgres {:?}",
                    m.err(),
                    p.err()
                )));
            }
        };
        let m = m_tx.repositories().create(probe.clone()).await;
        let p = p_tx.repositories().create(probe.clone()).await;
        let _ = m_tx.rollback().await;
        let _ = p_tx.rollback().await;
        if matches!(m, Err(StoreError::Conflict { .. })) {
            conflicts += 1;
        }
        compare_results(usize::MAX, "create (soft-delete probe)", m, p)?;
    }
    let rows = pg
        .raw_query(
            "SELECT count(*)::int8 AS n FROM repositories WHERE deleted_at IS NOT NULL",
            &[],
        )
        .await
        .map_err(|e| fail(format!("counting soft-deleted rows: {e}")))?;
    let counted: i64 = rows
        .first()
        .map(|r| r.get::<i64>("n"))
        .transpose()
        .map_err(|e| fail(format!("reading the count: {e}")))?
        .unwrap_or(0);
    if u64::try_from(counted).ok() != Some(conflicts) {
        return Err(fail(format!(
            "PostgreSQL holds {counted} soft-deleted repositories, the probes found {conflicts}"
        )));
    }
    Ok(())
}

async fn run_case(pg_store: &PgStore, clock: &ManualClock, case: &Case) -> TestCaseResult {
    pg_store
        .raw_execute(TRUNCATE, &[])
        .await
        .map_err(|e| fail(format!("TRUNCATE failed: {e}")))?;
    clock.set(t0());
    let mut mem = Side::new(MemoryStore::with_clock(Arc::new(clock.clone())));
    let mut pg = Side::new(pg_store.clone());
    let mut pools = Pools::new();
    let result = run_steps(&mut mem, &mut pg, &mut pools, clock, &case.ops).await;
    // Whatever happened, no transaction stays open (its locks would block the next TRUNCATE).
    let how = if result.is_ok() {
        case.finish
    } else {
        Finish::Rollback
    };
    let finished = finish_all(&mut mem, &mut pg, how).await;
    result?;
    finished?;
    let end = case.ops.len();
    if let Some(seen) =
        compare_contents(end, "after the last transaction ended", &mem.root, &pg.root).await?
    {
        pools.absorb(&seen);
    }
    compare_soft_deleted(&mem.root, &pg.root, &pools).await
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

#[test]
fn adapters_are_interchangeable() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let test_db = runtime.block_on(TestDatabase::new());
    let clock = ManualClock::new(t0());
    let pg = runtime
        .block_on(PgStore::connect(
            PgConfig::new(test_db.url()).max_connections(4),
        ))
        .expect("connect to the test database")
        .with_clock(Arc::new(clock.clone()));

    let config = Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS))),
        // Bounded shrinking: each try replays a whole case on PostgreSQL.
        max_shrink_iters: 2_000,
        max_shrink_time: 600_000,
        ..Config::default()
    };
    // The differences found so far, written out: they run first, whatever the generators.
    for (what, case) in regressions::cases() {
        if let Err(err) = runtime.block_on(run_case(&pg, &clock, &case)) {
            panic!("regression case failed: {what}\n{err}\n{case:#?}");
        }
    }
    let started = Instant::now();
    let mut runner = TestRunner::new(config);
    let result = runner.run(&ops::case(), |case| {
        runtime.block_on(run_case(&pg, &clock, &case))
    });
    let elapsed = started.elapsed();

    runtime.block_on(pg.close());
    runtime.block_on(test_db.drop_db());

    let outcomes = OUTCOMES.lock().unwrap_or_else(PoisonError::into_inner);
    let total: u64 = outcomes.values().sum();
    eprintln!(
        "differential: {} cases in {:.1}s, {total} ops compared",
        cases(),
        elapsed.as_secs_f64()
    );
    for (outcome, n) in outcomes.iter() {
        eprintln!("  {n:>6}  {outcome}");
    }
    drop(outcomes);
    if let Err(err) = result {
        panic!("{err}");
    }
}
