//! The two adapters behave the same under concurrency.
//!
//! Scripted interleavings of two or three transactions (and autocommit calls) run on the
//! in-memory adapter and on PostgreSQL, one after the other, from one shared clock and the
//! same inputs. Each transaction (and each autocommit caller) is a task of its own that runs
//! the calls the script sends it, one at a time. A step either runs a call and waits for its
//! result, or runs a call that must *wait for a lock*: the script then checks that it has not
//! finished after [`PAUSE`] (a call that waits for a lock does not finish until the holder
//! ends, however slow the machine) and collects its result in a later step, after the holder
//! committed or rolled back; a waiting call can also be dropped. On both adapters, every wait
//! the script declares must happen; then the transcripts (every call's result, ids and
//! stamps included, errors by value; `Unavailable` by its PostgreSQL code) and every table's
//! final contents must be equal.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use containerpub_domain::{
    DeploymentId, FunctionId, FunctionPatch, FunctionStatus, LogLevel, ManualClock, NewDeployment,
    NewFunction, NewLog, NewRepository, NewUser, RepositoryId, RepositoryPatch, Text, UserId,
    UserPatch,
};
use containerpub_memory::MemoryStore;
use containerpub_ports::{
    StoreError, StoreResult, Stores, TX_UNUSABLE, Transaction, UnitOfWork, UserKey,
};
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::fixture::{email, name, path, t0};
use containerpub_tests::pg::TestDatabase;
use tokio::sync::{mpsc, oneshot};

use super::snapshot::{Snapshot, diff, snapshot};

/// How long a call that must wait for a lock is watched before the script goes on.
const PAUSE: Duration = Duration::from_millis(250);
/// How long a call that must finish may take (a deadlock is detected after PostgreSQL's
/// `deadlock_timeout`, one second by default).
const FINISH: Duration = Duration::from_secs(30);

/// What a call gives back, as text both adapters must agree on.
type Shown = String;
/// A boxed future of a call.
type CallFuture<'a> = Pin<Box<dyn Future<Output = Shown> + Send + 'a>>;
/// One call, on whatever handle the caller has (a transaction or the store).
type Call = Arc<dyn for<'a> Fn(&'a (dyn Stores + Send + Sync)) -> CallFuture<'a> + Send + Sync>;

/// A result as text: values by `Debug`; errors by `Debug`, except `Unavailable`, whose text
/// is adapter-specific: it shows only the PostgreSQL error code it stands for, or `Refused`
/// for a call refused by a transaction that is no longer usable.
fn show<T: std::fmt::Debug>(result: StoreResult<T>) -> Shown {
    match result {
        Ok(value) => format!("Ok({value:?})"),
        Err(StoreError::Unavailable { message, .. }) if message.starts_with(TX_UNUSABLE) => {
            "Refused".to_owned()
        }
        Err(StoreError::Unavailable { message, .. }) => {
            let code = ["40P01", "40001"]
                .into_iter()
                .find(|code| message.contains(code))
                .unwrap_or("other");
            format!("Unavailable({code})")
        }
        Err(other) => format!("Err({other:?})"),
    }
}

/// Builds a [`Call`] from an async closure over the handle.
fn call<F>(f: F) -> Call
where
    F: for<'a> Fn(&'a (dyn Stores + Send + Sync)) -> CallFuture<'a> + Send + Sync + 'static,
{
    Arc::new(f)
}

/// One step of a script. `who` names a caller: a transaction begun by [`Step::Begin`], or an
/// autocommit caller started by [`Step::Auto`].
enum Step {
    /// Caller `who` begins a transaction.
    Begin(usize),
    /// Caller `who` runs calls outside any transaction.
    Auto(usize),
    /// Caller `who` runs a call; `waits`: it must wait for a lock (its result is collected by
    /// a later [`Step::Finish`] or it is [`Step::Drop`]ped).
    Run { who: usize, call: Call, waits: bool },
    /// Caller `who` starts a call that may or may not wait; its result is collected by a
    /// later [`Step::Finish`]. (The second waiter of a deadlock: PostgreSQL detects the cycle
    /// after `deadlock_timeout`, the memory store as soon as it closes, and the victim's
    /// transaction then gives its locks back at once.)
    Start(usize, Call),
    /// The waiting call of `who` finishes (its result goes into the transcript).
    Finish(usize),
    /// The waiting call of `who` still waits.
    StillWaits(usize),
    /// The waiting call of `who` is dropped.
    Drop(usize),
    /// `who` commits (must not wait).
    Commit(usize),
    /// `who` rolls back.
    Rollback(usize),
}

/// What a caller's task is asked to do.
enum Command {
    Call(Call, oneshot::Sender<Shown>, oneshot::Receiver<()>),
    Commit(oneshot::Sender<Shown>),
    Rollback(oneshot::Sender<Shown>),
}

/// A caller's task: runs the commands it receives in order, on a transaction (`tx`) or on
/// the store. A call can be dropped half-way (when its cancel signal fires).
fn spawn_caller<U>(root: U, tx: bool) -> mpsc::UnboundedSender<Command>
where
    U: UnitOfWork + Stores + Send + Sync + 'static,
    U::Tx: Stores + Send + Sync + 'static,
{
    let (send, mut receive) = mpsc::unbounded_channel::<Command>();
    tokio::spawn(async move {
        let mut open = if tx {
            Some(root.begin().await.expect("begin"))
        } else {
            None
        };
        while let Some(command) = receive.recv().await {
            match command {
                Command::Call(call, reply, cancel) => {
                    let handle: &(dyn Stores + Send + Sync) = match &open {
                        Some(tx) => tx,
                        None => &root,
                    };
                    tokio::select! {
                        shown = call(handle) => { let _ = reply.send(shown); }
                        _ = cancel => { let _ = reply.send("dropped".to_owned()); }
                    }
                }
                Command::Commit(reply) => {
                    let shown = match open.take() {
                        Some(tx) => show(tx.commit().await),
                        None => "no transaction".to_owned(),
                    };
                    let _ = reply.send(shown);
                }
                Command::Rollback(reply) => {
                    let shown = match open.take() {
                        Some(tx) => show(tx.rollback().await),
                        None => "no transaction".to_owned(),
                    };
                    let _ = reply.send(shown);
                }
            }
        }
    });
    send
}

/// A caller as the script sees it.
#[derive(Default)]
struct Caller {
    commands: Option<mpsc::UnboundedSender<Command>>,
    /// The waiting call's result and its cancel signal.
    waiting: Option<(oneshot::Receiver<Shown>, oneshot::Sender<()>)>,
}

impl Caller {
    /// Sends `call` to the caller's task: its result, and the signal that cancels it.
    fn start(&self, call: &Call) -> (oneshot::Receiver<Shown>, oneshot::Sender<()>) {
        let (reply, result) = oneshot::channel();
        let (cancel, cancelled) = oneshot::channel();
        self.commands
            .as_ref()
            .expect("a started caller")
            .send(Command::Call(Arc::clone(call), reply, cancelled))
            .expect("the caller's task runs");
        (result, cancel)
    }
}

async fn finish(side: &str, what: &str, reply: oneshot::Receiver<Shown>) -> Shown {
    match tokio::time::timeout(FINISH, reply).await {
        Ok(Ok(shown)) => shown,
        Ok(Err(_)) => panic!("{side}: {what}: the caller's task is gone"),
        Err(_) => panic!("{side}: {what}: did not finish within {FINISH:?}"),
    }
}

/// Runs a script on one adapter: the transcript and the final tables.
async fn run_script<U>(side: &str, root: U, steps: &[Step]) -> (Vec<Shown>, Snapshot)
where
    U: UnitOfWork + Stores + Clone + Send + Sync + 'static,
    U::Tx: Stores + Send + Sync + 'static,
{
    let mut callers: Vec<Caller> = Vec::new();
    let mut transcript = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        let caller = |callers: &mut Vec<Caller>, who: usize| {
            if callers.len() <= who {
                callers.resize_with(who + 1, Caller::default);
            }
        };
        match step {
            Step::Begin(who) | Step::Auto(who) => {
                caller(&mut callers, *who);
                callers[*who].commands =
                    Some(spawn_caller(root.clone(), matches!(step, Step::Begin(_))));
            }
            Step::Run { who, call, waits } => {
                let (result, cancel) = callers[*who].start(call);
                if *waits {
                    let mut result = result;
                    tokio::time::sleep(PAUSE).await;
                    match result.try_recv() {
                        Err(oneshot::error::TryRecvError::Empty) => {}
                        other => panic!(
                            "{side}: step {n}: caller {who}'s call should wait for a lock, \
                             it finished: {other:?}"
                        ),
                    }
                    callers[*who].waiting = Some((result, cancel));
                } else {
                    let shown = finish(side, &format!("step {n}"), result).await;
                    transcript.push(format!("{n}: {who}: {shown}"));
                }
            }
            Step::Start(who, call) => {
                let (result, cancel) = callers[*who].start(call);
                tokio::time::sleep(PAUSE).await;
                callers[*who].waiting = Some((result, cancel));
            }
            Step::Finish(who) => {
                let (result, _cancel) = callers[*who].waiting.take().expect("a waiting call");
                let shown = finish(side, &format!("step {n}"), result).await;
                transcript.push(format!("{n}: {who}: {shown}"));
            }
            Step::StillWaits(who) => {
                let (mut result, cancel) = callers[*who].waiting.take().expect("a waiting call");
                tokio::time::sleep(PAUSE).await;
                assert!(
                    matches!(result.try_recv(), Err(oneshot::error::TryRecvError::Empty)),
                    "{side}: step {n}: caller {who}'s call should still wait"
                );
                callers[*who].waiting = Some((result, cancel));
            }
            Step::Drop(who) => {
                let (result, cancel) = callers[*who].waiting.take().expect("a waiting call");
                let _ = cancel.send(());
                let shown = finish(side, &format!("step {n}"), result).await;
                assert_eq!(
                    shown, "dropped",
                    "{side}: step {n}: the call was still waiting"
                );
                transcript.push(format!("{n}: {who}: dropped"));
            }
            Step::Commit(who) | Step::Rollback(who) => {
                let (reply, result) = oneshot::channel();
                let command = if matches!(step, Step::Commit(_)) {
                    Command::Commit(reply)
                } else {
                    Command::Rollback(reply)
                };
                callers[*who]
                    .commands
                    .as_ref()
                    .expect("a started caller")
                    .send(command)
                    .expect("the caller's task runs");
                let shown = finish(side, &format!("step {n}"), result).await;
                transcript.push(format!("{n}: {who}: {shown}"));
            }
        }
    }
    // Every caller's task ends (an open transaction is dropped: rolled back).
    drop(callers);
    let tables = snapshot(&root).await.expect("read the final tables");
    (transcript, tables)
}

// ---------------------------------------------------------------------------------------
// Inputs and calls.

fn insert_user(new: NewUser) -> Call {
    call(move |db| {
        let new = new.clone();
        Box::pin(async move { show(db.users().insert(new).await) })
    })
}

fn upsert_user(new: NewUser) -> Call {
    call(move |db| {
        let new = new.clone();
        Box::pin(async move { show(db.users().upsert(new, UserKey::Email).await) })
    })
}

fn rename_user(id: i32, to: &str) -> Call {
    let patch = UserPatch {
        email: Some(email(to)),
        password_hash: None,
    };
    call(move |db| {
        let patch = patch.clone();
        Box::pin(async move { show(db.users().update_by_id(UserId::new(id), patch).await) })
    })
}

fn insert_function(owner: i32, fname: &str) -> Call {
    let new = NewFunction::new(UserId::new(owner), name(fname));
    call(move |db| {
        let new = new.clone();
        Box::pin(async move { show(db.functions().insert(new).await) })
    })
}

fn patch_function(id: i32, patch: FunctionPatch) -> Call {
    call(move |db| {
        let patch = patch.clone();
        Box::pin(async move {
            show(
                db.functions()
                    .update_by_id(FunctionId::new(id), patch)
                    .await,
            )
        })
    })
}

fn next_version(function: i32) -> Call {
    let new = NewDeployment::new(FunctionId::new(function));
    call(move |db| {
        let new = new.clone();
        Box::pin(async move { show(db.deployments().create_next_version(new).await) })
    })
}

fn activate(deployment: i32) -> Call {
    call(move |db| {
        Box::pin(async move {
            show(
                db.deployments()
                    .activate(DeploymentId::new(deployment))
                    .await,
            )
        })
    })
}

fn append_log(function: i32, message: &str) -> Call {
    let new = NewLog::new(
        FunctionId::new(function),
        LogLevel::Info,
        Text::new("message", message).expect("valid text"),
    );
    call(move |db| {
        let new = new.clone();
        Box::pin(async move { show(db.logs().append(vec![new]).await) })
    })
}

fn create_repository(at: &str) -> Call {
    let new = NewRepository::new(path(at));
    call(move |db| {
        let new = new.clone();
        Box::pin(async move { show(db.repositories().create(new).await) })
    })
}

fn move_repository(id: i32, to: &str) -> Call {
    let patch = RepositoryPatch {
        path: Some(path(to)),
    };
    call(move |db| {
        let patch = patch.clone();
        Box::pin(async move {
            show(
                db.repositories()
                    .update_by_id(RepositoryId::new(id), patch)
                    .await,
            )
        })
    })
}

fn touch_user(id: i32) -> Call {
    call(move |db| {
        Box::pin(async move {
            show(
                db.users()
                    .update_by_id(UserId::new(id), UserPatch::default())
                    .await,
            )
        })
    })
}

fn run(who: usize, call: Call) -> Step {
    Step::Run {
        who,
        call,
        waits: false,
    }
}

fn waits(who: usize, call: Call) -> Step {
    Step::Run {
        who,
        call,
        waits: true,
    }
}

/// Caller 9 seeds (autocommit): users 1 and 2, user 1's function 1 (named `f`).
fn seed() -> Vec<Step> {
    vec![
        Step::Auto(9),
        run(9, insert_user(NewUser::new(email("one@example.com")))),
        run(9, insert_user(NewUser::new(email("two@example.com")))),
        run(9, insert_function(1, "f")),
    ]
}

fn script(mut steps: Vec<Step>) -> Vec<Step> {
    let mut all = seed();
    all.append(&mut steps);
    all
}

// ---------------------------------------------------------------------------------------
// The scripts.

/// Two transactions update one row: the second waits, then updates the committed row.
fn same_row_updates() -> Vec<Step> {
    script(vec![
        Step::Begin(0),
        Step::Begin(1),
        run(
            0,
            patch_function(
                1,
                FunctionPatch {
                    name: Some(name("renamed")),
                    ..FunctionPatch::default()
                },
            ),
        ),
        waits(
            1,
            patch_function(
                1,
                FunctionPatch {
                    status: Some(FunctionStatus::Building),
                    ..FunctionPatch::default()
                },
            ),
        ),
        Step::Commit(0),
        Step::Finish(1),
        Step::Commit(1),
    ])
}

/// The same, but the first rolls back: the second updates the row as it was.
fn blocker_rolls_back() -> Vec<Step> {
    script(vec![
        Step::Begin(0),
        Step::Begin(1),
        run(0, rename_user(1, "first@example.com")),
        waits(1, rename_user(1, "second@example.com")),
        Step::StillWaits(1),
        Step::Rollback(0),
        Step::Finish(1),
        // An autocommit call on the row now waits for the second transaction.
        Step::Auto(2),
        waits(2, rename_user(1, "third@example.com")),
        Step::Commit(1),
        Step::Finish(2),
    ])
}

/// Two transactions take the next version of one function: 1 and 2.
fn next_version_race() -> Vec<Step> {
    script(vec![
        Step::Begin(0),
        Step::Begin(1),
        run(0, next_version(1)),
        waits(1, next_version(1)),
        // Logs of the function do not wait for its lock.
        Step::Begin(2),
        run(2, append_log(1, "while locked")),
        Step::Commit(2),
        Step::Commit(0),
        Step::Finish(1),
        Step::Commit(1),
    ])
}

/// Two deployments of one function activated by two transactions: one active at the end.
fn activation_race() -> Vec<Step> {
    let mut steps = vec![run(9, next_version(1)), run(9, next_version(1))];
    steps.extend([
        Step::Begin(0),
        Step::Begin(1),
        run(0, activate(1)),
        waits(1, activate(2)),
        Step::Commit(0),
        Step::Finish(1),
        Step::Commit(1),
    ]);
    script(steps)
}

/// Two transactions upsert one e-mail: the second waits, then updates the row (or inserts,
/// if the first rolled back).
fn upsert_race() -> Vec<Step> {
    let a = NewUser::new(email("same@example.com"));
    let b = NewUser::new(email("same@example.com"));
    let c = NewUser::new(email("other@example.com"));
    let d = NewUser::new(email("other@example.com"));
    script(vec![
        Step::Begin(0),
        Step::Begin(1),
        run(0, upsert_user(a)),
        waits(1, upsert_user(b)),
        Step::Commit(0),
        Step::Finish(1),
        Step::Commit(1),
        Step::Begin(2),
        Step::Begin(3),
        run(2, upsert_user(c)),
        waits(3, upsert_user(d)),
        Step::Rollback(2),
        Step::Finish(3),
        Step::Commit(3),
    ])
}

/// Two transactions insert one unique key: the second waits, then conflicts (the first
/// committed) or inserts (it rolled back).
fn unique_insert_race() -> Vec<Step> {
    script(vec![
        Step::Begin(0),
        Step::Begin(1),
        run(0, insert_function(2, "dup")),
        waits(1, insert_function(2, "dup")),
        Step::Commit(0),
        Step::Finish(1),
        Step::Commit(1),
        Step::Begin(2),
        Step::Auto(3),
        run(2, insert_user(NewUser::new(email("new@example.com")))),
        waits(3, insert_user(NewUser::new(email("new@example.com")))),
        Step::Rollback(2),
        Step::Finish(3),
    ])
}

/// Crossed locks: each transaction holds one row and wants the other's. The one that
/// waited first gets the deadlock error and its transaction is rolled back at once: the other
/// goes on before the victim ends, and the victim refuses every later call.
fn crossed_deadlock() -> Vec<Step> {
    script(vec![
        Step::Begin(0),
        Step::Begin(1),
        run(0, rename_user(1, "a0@example.com")),
        run(1, rename_user(2, "b1@example.com")),
        waits(0, rename_user(2, "b0@example.com")),
        Step::Start(1, rename_user(1, "a1@example.com")),
        Step::Finish(0),
        Step::Finish(1),
        run(0, rename_user(3, "c0@example.com")),
        Step::Commit(0),
        Step::Commit(1),
    ])
}

/// A call dropped while it waits leaves no lock behind; its transaction refuses every later
/// call (on PostgreSQL the dropped statement may still run in it) and commits nothing.
fn waiter_dropped() -> Vec<Step> {
    script(vec![
        Step::Begin(0),
        Step::Begin(1),
        run(0, rename_user(1, "holder@example.com")),
        waits(1, rename_user(1, "dropped@example.com")),
        Step::Drop(1),
        Step::Commit(0),
        run(1, rename_user(2, "after@example.com")),
        Step::Commit(1),
    ])
}

/// A foreign-key check locks its parent `FOR KEY SHARE`: an update of the parent that changes
/// no unique value does not wait for it, one that changes the e-mail (a unique value: `FOR
/// UPDATE`) does.
fn key_update_waits_for_fk_check() -> Vec<Step> {
    script(vec![
        Step::Begin(0),
        run(0, insert_function(2, "child")),
        Step::Auto(1),
        run(1, touch_user(2)),
        waits(1, rename_user(2, "renamed@example.com")),
        Step::Commit(0),
        Step::Finish(1),
    ])
}

/// A repository created under a parent locks the parent `FOR SHARE`; moving the parent locks
/// it `FOR UPDATE`, so the move waits, then moves the new child too.
fn repository_parent_lock() -> Vec<Step> {
    script(vec![
        run(9, create_repository("lib")),
        Step::Begin(0),
        run(0, create_repository("lib/core")),
        Step::Auto(1),
        waits(1, move_repository(1, "pkg")),
        Step::Commit(0),
        Step::Finish(1),
    ])
}

/// Log appends of one function from two transactions: neither waits.
fn log_appends() -> Vec<Step> {
    script(vec![
        Step::Begin(0),
        Step::Begin(1),
        run(0, append_log(1, "zero")),
        run(1, append_log(1, "one")),
        Step::Commit(1),
        Step::Commit(0),
    ])
}

const TRUNCATE: &str = "TRUNCATE users, user_information, organizations, organization_members, \
     functions, function_deployments, function_logs, function_invocations, repositories \
     RESTART IDENTITY CASCADE";

/// A script: its name, its steps, and a fact its PostgreSQL transcript must show.
type Script = (&'static str, fn() -> Vec<Step>, &'static str);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scripted_interleavings_agree() {
    // Each script with a fact of PostgreSQL's behaviour its transcript must show (besides
    // the waits it declares), so that two adapters agreeing on something else still fail.
    let scripts: [Script; 11] = [
        (
            "same_row_updates",
            same_row_updates,
            "name: \"renamed\", status: Building",
        ),
        (
            "blocker_rolls_back",
            blocker_rolls_back,
            "second@example.com",
        ),
        (
            "next_version_race",
            next_version_race,
            "version: Version(2)",
        ),
        ("activation_race", activation_race, "is_active: true"),
        ("upsert_race", upsert_race, "Ok(Updated("),
        (
            "unique_insert_race",
            unique_insert_race,
            "Conflict { key: FunctionsUserIdName }",
        ),
        ("crossed_deadlock", crossed_deadlock, "Unavailable(40P01)"),
        ("waiter_dropped", waiter_dropped, "dropped"),
        ("log_appends", log_appends, "Ok(1)"),
        (
            "key_update_waits_for_fk_check",
            key_update_waits_for_fk_check,
            "renamed@example.com",
        ),
        ("repository_parent_lock", repository_parent_lock, "pkg"),
    ];
    let test_db = TestDatabase::new().await;
    let clock = ManualClock::new(t0());
    let pg = PgStore::connect(
        PgConfig::new(test_db.url())
            .max_connections(8)
            .acquire_timeout(FINISH),
    )
    .await
    .expect("connect to the test database")
    .with_clock(Arc::new(clock.clone()));
    let mut failures = Vec::new();
    for (what, make, fact) in scripts {
        // The same inputs (uuids) on both sides: one script, run twice.
        let steps = make();
        clock.set(t0());
        let memory = MemoryStore::with_clock(Arc::new(clock.clone()));
        let (m_transcript, m_tables) = run_script("memory", memory, &steps).await;
        pg.raw_execute(TRUNCATE, &[]).await.expect("TRUNCATE");
        clock.set(t0());
        let (p_transcript, p_tables) = run_script("postgres", pg.clone(), &steps).await;
        if !p_transcript.iter().any(|line| line.contains(fact)) {
            failures.push(format!(
                "{what}: PostgreSQL's transcript does not show {fact:?}: {p_transcript:#?}"
            ));
        }
        if m_transcript != p_transcript {
            failures.push(format!(
                "{what}: transcripts differ\n  memory:   {m_transcript:#?}\n  postgres: {p_transcript:#?}"
            ));
        }
        let tables = diff(&m_tables, &p_tables);
        if !tables.is_empty() {
            failures.push(format!("{what}: final tables differ:{tables}"));
        }
    }
    pg.close().await;
    test_db.drop_db().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
