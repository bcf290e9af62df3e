//! Scenario 12: batch atomicity. "A 20,000-row log batch whose 15,001st row is invalid writes
//! nothing and the error names the row's index": a 20,000-row batch (four statements of
//! `BATCH_CHUNK_ROWS` = 5,000 rows) whose row 15,000, the first of the last statement, breaks
//! a store-side rule writes nothing, on both adapters, and its error names row 15,000.
//!
//! Which rule: the domain types reject every malformed value before a store sees it, so a
//! log or invocation row with valid values can only break a foreign key (a function that does
//! not exist) or a unique key (a uuid used twice). A batch reports those as
//! `InBatch { index, error }` (`error`: the `ReferenceMissing { key }` / `Conflict { key }` the
//! row caused); a bad row's `InvalidInput` carries its own `index`. The one store-side rule of
//! that kind that valid domain values can break is a deployment version past `i32::MAX`;
//! reaching it takes raw SQL, so that variant runs on PostgreSQL only.

use containerpub_domain::{
    DurationMs, FunctionId, InvocationStatus, LogLevel, NewDeployment, NewInvocation, NewLog, Rule,
};
use containerpub_memory::MemoryStore;
use containerpub_ports::{
    DeploymentField, Filter, ForeignKey, InvalidInput, StoreError, Stores, Transaction, UniqueKey,
    UnitOfWork, Value,
};
use containerpub_tests::fixture::{function, text, user};
use containerpub_tests::pg::TestDatabase;

use super::support::pg_store;

/// Rows per batch, and the index of the bad row.
const ROWS: usize = 20_000;
const BAD: usize = 15_000;

/// The error of batch row `index`.
fn in_batch(index: usize, error: StoreError) -> StoreError {
    StoreError::InBatch {
        index,
        error: Box::new(error),
    }
}

/// 20,000 logs of `function`; row 15,000 references a function that does not exist, or
/// repeats row 0's uuid, or is valid: through `append`, `insert_many` (logs) and
/// `record_many` (invocations), on the store and inside a transaction. A failing batch
/// writes nothing and names row 15,000; a transaction goes on after one rolled back with its
/// savepoint.
async fn batch_atomicity<U: UnitOfWork + Clone + 'static>(db: U) {
    let owner = user(&db, "owner@example.com").await;
    let f = function(&db, &owner, "f").await;
    let missing = FunctionId::new(f.id.get() + 1_000_000);
    let logs = |n: usize| -> Vec<NewLog> {
        (0..n)
            .map(|i| NewLog::new(f.id, LogLevel::Info, text(&format!("line {i}"))))
            .collect()
    };
    let missing_function = StoreError::ReferenceMissing {
        key: ForeignKey::LogsFunctionId,
    };

    let mut rows = logs(ROWS);
    rows[BAD].function_id = missing;
    let err = db.logs().append(rows.clone()).await.expect_err("append");
    assert_eq!(
        err,
        in_batch(BAD, missing_function.clone()),
        "append: a missing function, at row 15,000"
    );
    assert!(matches!(err, StoreError::InBatch { index: 15_000, .. }));
    assert_eq!(
        err.to_string(),
        "row 15000: missing reference: function_logs_function_id_fkey"
    );
    assert_eq!(
        db.logs().count(Filter::All).await,
        Ok(0),
        "append wrote nothing"
    );

    let err = db.logs().insert_many(rows).await.expect_err("insert_many");
    assert_eq!(
        err,
        in_batch(BAD, missing_function.clone()),
        "insert_many: a missing function, at row 15,000"
    );
    assert_eq!(
        db.logs().count(Filter::All).await,
        Ok(0),
        "insert_many wrote nothing"
    );

    let mut rows = logs(ROWS);
    rows[BAD].uuid = rows[0].uuid;
    let err = db.logs().append(rows).await.expect_err("append");
    assert_eq!(
        err,
        in_batch(
            BAD,
            StoreError::Conflict {
                key: UniqueKey::LogsUuid
            }
        ),
        "append: a uuid used twice in the batch names its second use, row 15,000"
    );
    assert!(matches!(err, StoreError::InBatch { index: 15_000, .. }));
    assert_eq!(
        db.logs().count(Filter::All).await,
        Ok(0),
        "append wrote nothing"
    );

    let mut invocations: Vec<NewInvocation> = (0..ROWS)
        .map(|i| {
            let ms = DurationMs::new(i32::try_from(i).expect("small")).expect("valid duration");
            NewInvocation::new(f.id, InvocationStatus::Success, ms)
        })
        .collect();
    invocations[BAD].function_id = missing;
    assert_eq!(
        db.invocations().record_many(invocations).await,
        Err(in_batch(
            BAD,
            StoreError::ReferenceMissing {
                key: ForeignKey::InvocationsFunctionId
            }
        )),
        "record_many: a missing function, at row 15,000"
    );
    assert_eq!(
        db.invocations().count(Filter::All).await,
        Ok(0),
        "record_many wrote nothing"
    );

    // Inside a transaction, in a savepoint: the failed batch leaves no trace, and once the
    // savepoint is rolled back the transaction goes on (a failed write leaves its level
    // unusable until then).
    let tx = db.begin().await.expect("begin");
    let attempt = tx.begin().await.expect("savepoint");
    let mut rows = logs(ROWS);
    rows[BAD].function_id = missing;
    assert_eq!(
        attempt.logs().append(rows).await,
        Err(in_batch(BAD, missing_function))
    );
    attempt.rollback().await.expect("rollback to the savepoint");
    assert_eq!(tx.logs().count(Filter::All).await, Ok(0));
    assert_eq!(tx.logs().append(logs(10)).await, Ok(10));
    tx.commit().await.expect("commit");
    assert_eq!(db.logs().count(Filter::All).await, Ok(10));

    // And a whole good batch is written.
    assert_eq!(db.logs().append(logs(ROWS)).await, Ok(ROWS as u64));
    assert_eq!(db.logs().count(Filter::All).await, Ok(ROWS as u64 + 10));
}

mod log_batches {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn memory() {
        super::batch_atomicity(MemoryStore::new()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let test_db = TestDatabase::new().await;
        let store = pg_store(test_db.url(), 4).await;
        super::batch_atomicity(store.clone()).await;
        store.close().await;
        test_db.drop_db().await;
    }
}

/// A 20,000-row deployment batch whose row 15,000 is for a function already at version
/// `i32::MAX` (set with raw SQL): `InvalidInput { field: "version", index: Some(15_000) }`,
/// nothing written; a single insert reports the same rule without an index (as the
/// in-memory adapter does, which tags only batch rows).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployment_batch_names_the_overflowing_row() {
    let test_db = TestDatabase::new().await;
    let store = pg_store(test_db.url(), 4).await;
    let owner = user(&store, "owner@example.com").await;
    let fresh = function(&store, &owner, "fresh").await;
    let full = function(&store, &owner, "full").await;
    let last = store
        .deployments()
        .create_next_version(NewDeployment::new(full.id))
        .await
        .expect("seed deployment");
    store
        .raw_execute(
            "UPDATE function_deployments SET version = 2147483647 WHERE id = @id",
            &[("id", Value::Int(i64::from(last.id.get())))],
        )
        .await
        .expect("move the version to i32::MAX");
    let overflow = Rule::TooLarge {
        max: i64::from(i32::MAX),
        actual: i64::from(i32::MAX) + 1,
    };

    let mut rows: Vec<NewDeployment> = (0..ROWS).map(|_| NewDeployment::new(fresh.id)).collect();
    rows[BAD] = NewDeployment::new(full.id);
    assert_eq!(
        store.deployments().insert_many(rows).await,
        Err(StoreError::InvalidInput(InvalidInput {
            field: "version",
            rule: overflow.clone(),
            index: Some(BAD),
        })),
        "the batch names its bad row"
    );
    assert_eq!(
        store
            .deployments()
            .count(DeploymentField::FunctionId.eq(fresh.id))
            .await,
        Ok(0),
        "the batch wrote nothing"
    );
    assert_eq!(
        store
            .deployments()
            .create_next_version(NewDeployment::new(full.id))
            .await,
        Err(StoreError::InvalidInput(InvalidInput {
            field: "version",
            rule: overflow,
            index: None,
        })),
        "a single insert has no row index"
    );
    assert_eq!(store.deployments().count(Filter::All).await, Ok(1));
    store.close().await;
    test_db.drop_db().await;
}
