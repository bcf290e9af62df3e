//! Storms: 32 tasks hitting one store at the same instant (a barrier releases them together).
//! Each storm is two scenarios: `storm_<name>` with autocommit calls, and
//! `storm_<name>_in_transactions` with each call in a transaction of its own that keeps its
//! locks across awaits ([`Mode::Transaction`]), so that on the in-memory store too the tasks
//! really interleave and wait for each other. A PostgreSQL fixture needs a pool of at least
//! [`STORM_TASKS`]` + 2` connections for the second kind ([`super::PG_POOL_SIZE`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use containerpub_domain::{Deployment, FunctionId, NewDeployment, NewFunction, NewOrganization};
use containerpub_ports::{
    DeploymentField, Filter, FunctionField, FunctionKey, Query, StoreError, StoreResult, Stores,
    Transaction, UniqueKey, UnitOfWork, Upserted, UserField, UserKey,
};
use sqlx::{Connection, PgConnection};
use tokio::task::JoinHandle;

use super::seed::{function, name, new_user, user};
use super::{ContractStore, Fixture};
use crate::storm::all_at_once;

/// Tasks per storm.
pub const STORM_TASKS: usize = 32;
const TASKS: usize = STORM_TASKS;

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
async fn next_versions<U: ContractStore>(db: U, mode: Mode) {
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
fn sample_through_store<U: ContractStore>(db: U) -> Sampler {
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

/// Scenario 2: 32 different deployments of one function activated at once (three storms):
/// every call succeeds, at no sampled moment are two active, and afterwards exactly one is
/// active and the function points at it.
async fn activation_storm<U: ContractStore>(db: U, sampler: Sampler, mode: Mode) {
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
            db.deployments()
                .active_for(f.id.into())
                .await
                .expect("active_for"),
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
async fn one_membership<U: ContractStore>(db: U, mode: Mode) {
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

/// The outcomes of one round's upserts, each of which must have succeeded.
fn upserted<T>(round: usize, results: Vec<StoreResult<Upserted<T>>>) -> Vec<Upserted<T>> {
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("round {round}: upsert failed: {e:?}")))
        .collect()
}

/// Scenario 4: the same unique key upserted from 32 tasks, 50 rounds on `users.email` and 20
/// on `functions (user_id, name)`, each caller with its own uuid: every call succeeds (no
/// typed conflict either: the only unique key the inputs share is the upsert's own), exactly
/// one inserts, all get the same row back, and one row exists per key.
async fn upsert_storm<U: ContractStore>(db: U, mode: Mode) {
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
        let results = upserted(round, results);
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
        let results = upserted(round, results);
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
async fn same_function_name<U: ContractStore>(db: U, mode: Mode) {
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

/// Samples with `SELECT count(*) … WHERE is_active` on a connection of its own to the
/// database at `url`: what another client sees, outside the pool under test.
fn sample_through_sql(url: String) -> Sampler {
    Box::new(move |function: FunctionId, stop: Arc<AtomicBool>| {
        tokio::spawn(async move {
            let mut conn = PgConnection::connect(&url)
                .await
                .expect("sampler connection");
            let (mut max, mut samples) = (0, 0);
            loop {
                let done = stop.load(Ordering::SeqCst);
                let n: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM function_deployments \
                     WHERE function_id = $1 AND is_active",
                )
                .bind(function.get())
                .fetch_one(&mut conn)
                .await
                .expect("count active deployments");
                max = max.max(u64::try_from(n).expect("a count"));
                samples += 1;
                if done {
                    let _ = conn.close().await;
                    return (max, samples);
                }
            }
        })
    })
}

/// The sampler for `fx`: through SQL when it runs on a test database, else through the store.
fn sampler<U: ContractStore>(fx: &Fixture<U>) -> Sampler {
    match fx.test_database() {
        Some(test_db) => sample_through_sql(test_db.url().to_owned()),
        None => sample_through_store(fx.db.clone()),
    }
}

/// Scenario 1 with autocommit calls.
pub async fn storm_next_versions<U: ContractStore>(fx: Fixture<U>) {
    next_versions(fx.db, Mode::Autocommit).await;
}

/// Scenario 1 with each call in a transaction of its own.
pub async fn storm_next_versions_in_transactions<U: ContractStore>(fx: Fixture<U>) {
    next_versions(fx.db, Mode::Transaction).await;
}

/// Scenario 2 with autocommit calls.
pub async fn storm_activation<U: ContractStore>(fx: Fixture<U>) {
    let sampler = sampler(&fx);
    activation_storm(fx.db.clone(), sampler, Mode::Autocommit).await;
}

/// Scenario 2 with each call in a transaction of its own.
pub async fn storm_activation_in_transactions<U: ContractStore>(fx: Fixture<U>) {
    let sampler = sampler(&fx);
    activation_storm(fx.db.clone(), sampler, Mode::Transaction).await;
}

/// Scenario 3 with autocommit calls.
pub async fn storm_one_membership<U: ContractStore>(fx: Fixture<U>) {
    one_membership(fx.db, Mode::Autocommit).await;
}

/// Scenario 3 with each call in a transaction of its own.
pub async fn storm_one_membership_in_transactions<U: ContractStore>(fx: Fixture<U>) {
    one_membership(fx.db, Mode::Transaction).await;
}

/// Scenario 4 with autocommit calls.
pub async fn storm_upsert<U: ContractStore>(fx: Fixture<U>) {
    upsert_storm(fx.db, Mode::Autocommit).await;
}

/// Scenario 4 with each call in a transaction of its own.
pub async fn storm_upsert_in_transactions<U: ContractStore>(fx: Fixture<U>) {
    upsert_storm(fx.db, Mode::Transaction).await;
}

/// Scenario 5 with autocommit calls.
pub async fn storm_same_function_name<U: ContractStore>(fx: Fixture<U>) {
    same_function_name(fx.db, Mode::Autocommit).await;
}

/// Scenario 5 with each call in a transaction of its own.
pub async fn storm_same_function_name_in_transactions<U: ContractStore>(fx: Fixture<U>) {
    same_function_name(fx.db, Mode::Transaction).await;
}
