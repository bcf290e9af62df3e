//! Scenarios 1–5: 32 tasks hitting one store at the same instant (a barrier releases them
//! together), on both adapters. Every scenario is generic over the store set
//! (`U: UnitOfWork + Clone`) and runs on a `MemoryStore` and on a `PgStore` over a fresh test
//! database, on a multi-thread runtime, twice each: with autocommit calls, and with each call
//! in a transaction of its own that keeps its locks across awaits ([`Mode::Transaction`]), so
//! that on the in-memory store too the tasks really interleave and wait for each other.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use containerpub_domain::{Deployment, FunctionId, NewDeployment, NewFunction, NewOrganization};
use containerpub_memory::MemoryStore;
use containerpub_ports::{
    DeploymentField, Filter, FunctionField, FunctionKey, Query, StoreError, StoreResult, Stores,
    Transaction, UniqueKey, UnitOfWork, Upserted, UserField, UserKey,
};
use containerpub_tests::pg::TestDatabase;
use tokio::task::JoinHandle;

use super::support::{Observer, all_at_once, function, name, new_user, pg_store, user};

/// Tasks per storm.
const TASKS: usize = 32;

/// How a storm task makes its call.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Outside any transaction.
    Autocommit,
    /// In a transaction of its own, which stays open (holding the call's locks) for a few
    /// more turns of the scheduler, so that the other tasks run against its locks; it
    /// commits on `Ok` and rolls back on `Err`.
    Transaction,
}

/// A boxed future borrowing the handle it runs on.
type OnHandle<'a, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'a>>;

/// Runs `call` on `db` as `mode` says.
async fn run_as<U, T, F>(db: &U, mode: Mode, call: F) -> StoreResult<T>
where
    U: UnitOfWork,
    F: for<'a> FnOnce(&'a dyn Stores) -> OnHandle<'a, T>,
{
    match mode {
        Mode::Autocommit => call(db).await,
        Mode::Transaction => {
            let tx = db.begin().await?;
            let out = call(&tx).await;
            for _ in 0..3 {
                tokio::task::yield_now().await;
            }
            match out {
                Ok(value) => tx.commit().await.map(|()| value),
                Err(err) => {
                    tx.rollback().await?;
                    Err(err)
                }
            }
        }
    }
}

/// Scenario 1: 32 concurrent `create_next_version` calls for one function all succeed and
/// take exactly the versions 1..=32.
async fn next_versions<U: UnitOfWork + Clone + 'static>(db: U, mode: Mode) {
    let owner = user(&db, "owner@example.com").await;
    let f = function(&db, &owner, "f").await;
    let results = all_at_once(TASKS, |_| {
        let db = db.clone();
        async move {
            run_as(&db, mode, move |s| {
                Box::pin(async move {
                    s.deployments()
                        .create_next_version(NewDeployment::new(f.id))
                        .await
                })
            })
            .await
        }
    })
    .await;
    let mut versions: Vec<i32> = results
        .into_iter()
        .map(|r| r.expect("every create_next_version succeeds").version.get())
        .collect();
    versions.sort_unstable();
    let expected: Vec<i32> = (1..=32).collect();
    assert_eq!(versions, expected, "versions returned");

    let stored = db
        .deployments()
        .find_all(Query::filter(DeploymentField::FunctionId.eq(f.id)))
        .await
        .expect("read deployments");
    let mut stored: Vec<i32> = stored.iter().map(|d| d.version.get()).collect();
    stored.sort_unstable();
    assert_eq!(stored, expected, "versions stored");
}

/// Takes samples of "how many deployments of this function are active" until told to stop;
/// returns the highest count seen and the number of samples.
type Sampler = Box<dyn FnOnce(FunctionId, Arc<AtomicBool>) -> JoinHandle<(u64, usize)> + Send>;

/// Samples through the store itself (the in-memory adapter has no other view).
fn sample_through_store<U: UnitOfWork + Clone + 'static>(db: U) -> Sampler {
    Box::new(move |function: FunctionId, stop: Arc<AtomicBool>| {
        tokio::spawn(async move {
            let filter = DeploymentField::FunctionId
                .eq(function)
                .and(DeploymentField::IsActive.eq(true));
            let (mut max, mut samples) = (0, 0);
            loop {
                let done = stop.load(Ordering::SeqCst);
                let n = db
                    .deployments()
                    .count(filter.clone())
                    .await
                    .expect("sample");
                max = max.max(n);
                samples += 1;
                if done {
                    return (max, samples);
                }
                tokio::task::yield_now().await;
            }
        })
    })
}

/// Samples with `SELECT count(*) … WHERE is_active` on a connection of its own.
fn sample_through_sql(url: String) -> Sampler {
    Box::new(move |function: FunctionId, stop: Arc<AtomicBool>| {
        tokio::spawn(async move {
            let mut observer = Observer::connect(&url).await;
            let (mut max, mut samples) = (0, 0);
            loop {
                let done = stop.load(Ordering::SeqCst);
                let n = observer.active_deployments(function.get()).await;
                max = max.max(u64::try_from(n).expect("a count"));
                samples += 1;
                if done {
                    observer.close().await;
                    return (max, samples);
                }
            }
        })
    })
}

/// Scenario 2: 32 different deployments of one function activated at once (three storms):
/// every call succeeds, at no sampled moment are two active, and afterwards exactly one is
/// active and the function points at it.
async fn activation_storm<U: UnitOfWork + Clone + 'static>(db: U, sampler: Sampler, mode: Mode) {
    let owner = user(&db, "owner@example.com").await;
    let f = function(&db, &owner, "f").await;
    let mut deployments: Vec<Deployment> = Vec::with_capacity(TASKS);
    for _ in 0..TASKS {
        deployments.push(
            db.deployments()
                .create_next_version(NewDeployment::new(f.id))
                .await
                .expect("seed deployment"),
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    let sampling = sampler(f.id, Arc::clone(&stop));
    for storm in 0..3 {
        let results = all_at_once(TASKS, |i| {
            let db = db.clone();
            // Each storm activates in another order.
            let d = deployments[(i * 7 + storm * 5) % TASKS].id;
            async move {
                run_as(&db, mode, move |s| {
                    Box::pin(async move { s.deployments().activate(d).await })
                })
                .await
            }
        })
        .await;
        for result in results {
            let activated = result.expect("every activation succeeds");
            assert!(activated.is_active, "activate returns the active row");
        }
        let active = db
            .deployments()
            .find_all(Query::filter(
                DeploymentField::FunctionId
                    .eq(f.id)
                    .and(DeploymentField::IsActive.eq(true)),
            ))
            .await
            .expect("read active deployments");
        assert_eq!(active.len(), 1, "exactly one active deployment: {active:?}");
        let function = db
            .functions()
            .find_by_id(f.id)
            .await
            .expect("read function")
            .expect("the function exists");
        assert_eq!(
            function.active_deployment_id,
            Some(active[0].id),
            "functions.active_deployment_id points at the active deployment"
        );
        assert_eq!(
            db.deployments().active_for(f.id).await.expect("active_for"),
            Some(active[0].clone())
        );
    }
    stop.store(true, Ordering::SeqCst);
    let (max, samples) = sampling.await.expect("sampler task");
    eprintln!("scenario 2: {samples} samples of the active count, highest {max}");
    assert!(
        samples >= 2,
        "the sampler ran during the storms ({samples} samples)"
    );
    assert!(max <= 1, "a sample saw {max} active deployments at once");
}

/// Scenario 3: one user added to two organizations at once, 20 rounds: exactly one call
/// succeeds, the other is `Conflict { OrganizationMembersUserId }`.
async fn one_membership<U: UnitOfWork + Clone + 'static>(db: U, mode: Mode) {
    let mut orgs = Vec::new();
    for i in 0..2 {
        let owner = user(&db, &format!("owner{i}@example.com")).await;
        let (org, _) = db
            .organizations()
            .create_with_owner(NewOrganization::new(name(&format!("org{i}")), owner.uuid))
            .await
            .expect("seed organization");
        orgs.push(org.uuid);
    }
    for round in 0..20 {
        let member = user(&db, &format!("member{round}@example.com")).await;
        let results = all_at_once(2, |i| {
            let db = db.clone();
            let org = orgs[i];
            async move {
                run_as(&db, mode, move |s| {
                    Box::pin(
                        async move { s.organization_members().add_member(org, member.uuid).await },
                    )
                })
                .await
            }
        })
        .await;
        let (ok, err): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
        assert_eq!(
            (ok.len(), err.len()),
            (1, 1),
            "round {round}: {ok:?} {err:?}"
        );
        assert_eq!(
            err[0],
            Err(StoreError::Conflict {
                key: UniqueKey::OrganizationMembersUserId
            }),
            "round {round}"
        );
        let winner = ok[0].clone().expect("the successful call");
        assert_eq!(
            db.organization_members()
                .membership_of(member.uuid)
                .await
                .expect("membership_of"),
            Some(winner),
            "round {round}: the stored membership is the one returned"
        );
    }
    assert_eq!(
        db.organization_members().count(Filter::All).await,
        Ok(2 + 20),
        "two owners and one membership per round"
    );
}

/// Scenario 4: the same unique key upserted from 32 tasks, 50 rounds on `users.email` and 20
/// on `functions (user_id, name)`, each caller with its own uuid: every call succeeds (no
/// typed conflict either: the only unique key the inputs share is the upsert's own), exactly
/// one inserts, all get the same row back, and one row exists per key.
async fn upsert_storm<U: UnitOfWork + Clone + 'static>(db: U, mode: Mode) {
    for round in 0..50 {
        let address = format!("upsert{round}@example.com");
        let inputs: Vec<_> = (0..TASKS).map(|_| new_user(&address)).collect();
        let results = all_at_once(TASKS, |i| {
            let db = db.clone();
            let input = inputs[i].clone();
            async move {
                run_as(&db, mode, move |s| {
                    Box::pin(async move { s.users().upsert(input, UserKey::Email).await })
                })
                .await
            }
        })
        .await;
        let results: Vec<Upserted<_>> = results
            .into_iter()
            .map(|r| r.unwrap_or_else(|e| panic!("round {round}: upsert failed: {e:?}")))
            .collect();
        let inserted: Vec<usize> = (0..TASKS).filter(|&i| results[i].was_inserted()).collect();
        assert_eq!(
            inserted.len(),
            1,
            "round {round}: exactly one caller inserts"
        );
        let id = results[0].row().id;
        assert!(
            results.iter().all(|r| r.row().id == id),
            "round {round}: every caller gets the same row"
        );
        let stored = db
            .users()
            .find_all(Query::filter(UserField::Email.eq(address.as_str())))
            .await
            .expect("read users");
        assert_eq!(stored.len(), 1, "round {round}: one row per key");
        assert_eq!(stored[0].id, id);
        assert_eq!(
            stored[0].uuid, inputs[inserted[0]].uuid,
            "round {round}: the row keeps the inserting caller's uuid"
        );
    }
    assert_eq!(db.users().count(Filter::All).await, Ok(50));

    let owner = user(&db, "owner@example.com").await;
    for round in 0..20 {
        let fname = name(&format!("fn{round}"));
        let results = all_at_once(TASKS, |_| {
            let db = db.clone();
            let input = NewFunction::new(owner.id, fname.clone());
            async move {
                run_as(&db, mode, move |s| {
                    Box::pin(
                        async move { s.functions().upsert(input, FunctionKey::OwnerAndName).await },
                    )
                })
                .await
            }
        })
        .await;
        let results: Vec<Upserted<_>> = results
            .into_iter()
            .map(|r| r.unwrap_or_else(|e| panic!("round {round}: upsert failed: {e:?}")))
            .collect();
        assert_eq!(
            results.iter().filter(|r| r.was_inserted()).count(),
            1,
            "round {round}: exactly one caller inserts"
        );
        let id = results[0].row().id;
        assert!(results.iter().all(|r| r.row().id == id), "round {round}");
    }
    assert_eq!(
        db.functions()
            .count(FunctionField::UserId.eq(owner.id))
            .await,
        Ok(20)
    );
}

/// Scenario 5: the same function name created for one owner from 32 tasks, 10 rounds: one
/// row, 31 `Conflict { FunctionsUserIdName }`.
async fn same_function_name<U: UnitOfWork + Clone + 'static>(db: U, mode: Mode) {
    let owner = user(&db, "owner@example.com").await;
    for round in 0..10 {
        let fname = name(&format!("same{round}"));
        let results = all_at_once(TASKS, |_| {
            let db = db.clone();
            let input = NewFunction::new(owner.id, fname.clone());
            async move {
                run_as(&db, mode, move |s| {
                    Box::pin(async move { s.functions().insert(input).await })
                })
                .await
            }
        })
        .await;
        let (ok, err): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
        assert_eq!(ok.len(), 1, "round {round}: one insert succeeds");
        for e in &err {
            assert_eq!(
                *e,
                Err(StoreError::Conflict {
                    key: UniqueKey::FunctionsUserIdName
                }),
                "round {round}"
            );
        }
        let created = ok[0].clone().expect("the successful call");
        let stored = db
            .functions()
            .find_all(Query::filter(
                FunctionField::UserId
                    .eq(owner.id)
                    .and(FunctionField::Name.eq(fname.as_str())),
            ))
            .await
            .expect("read functions");
        assert_eq!(
            stored,
            vec![created],
            "round {round}: one row, the one returned"
        );
    }
}

/// Per scenario taking only the store (and the mode): `memory` and `postgres` with
/// autocommit calls, `memory_in_transactions` and `postgres_in_transactions` with each call in
/// a transaction of its own that holds its locks across awaits.
macro_rules! on_both_adapters {
    ($($scenario:ident),+ $(,)?) => {$(
        mod $scenario {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn memory() {
                super::$scenario(MemoryStore::new(), Mode::Autocommit).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn memory_in_transactions() {
                super::$scenario(MemoryStore::new(), Mode::Transaction).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let test_db = TestDatabase::new().await;
                let store = pg_store(test_db.url(), 10).await;
                super::$scenario(store.clone(), Mode::Autocommit).await;
                store.close().await;
                test_db.drop_db().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres_in_transactions() {
                let test_db = TestDatabase::new().await;
                let store = pg_store(test_db.url(), TASKS as u32 + 2).await;
                super::$scenario(store.clone(), Mode::Transaction).await;
                store.close().await;
                test_db.drop_db().await;
            }
        }
    )+};
}

on_both_adapters!(
    next_versions,
    one_membership,
    upsert_storm,
    same_function_name
);

mod activation_storm {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn memory() {
        let db = MemoryStore::new();
        super::activation_storm(db.clone(), sample_through_store(db), Mode::Autocommit).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn memory_in_transactions() {
        let db = MemoryStore::new();
        super::activation_storm(db.clone(), sample_through_store(db), Mode::Transaction).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        let test_db = TestDatabase::new().await;
        let store = pg_store(test_db.url(), 10).await;
        super::activation_storm(
            store.clone(),
            sample_through_sql(test_db.url().to_owned()),
            Mode::Autocommit,
        )
        .await;
        store.close().await;
        test_db.drop_db().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres_in_transactions() {
        let test_db = TestDatabase::new().await;
        let store = pg_store(test_db.url(), TASKS as u32 + 2).await;
        super::activation_storm(
            store.clone(),
            sample_through_sql(test_db.url().to_owned()),
            Mode::Transaction,
        )
        .await;
        store.close().await;
        test_db.drop_db().await;
    }
}
