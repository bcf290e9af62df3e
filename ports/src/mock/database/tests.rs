//! Each claim of [`MockDatabase`]'s docs, checked.

use std::panic::AssertUnwindSafe;

use containerpub_domain::{Email, NewUser, User, testing};

use super::MockDatabase;
use crate::error::StoreError;
use crate::uow::{Stores, UnitOfWork, UnitOfWorkExt};

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
        .block_on(future)
}

/// The panic message of `body`, which must panic.
fn panic_of(body: impl FnOnce()) -> String {
    let payload = std::panic::catch_unwind(AssertUnwindSafe(body)).expect_err("a panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

fn new_user() -> NewUser {
    NewUser::new(Email::parse("ada@example.com").expect("a valid e-mail"))
}

fn unavailable() -> StoreError {
    StoreError::unavailable("connection lost")
}

/// Inserts a user in a transaction, through the transaction: the right way.
async fn insert_in_tx<U: UnitOfWork>(db: &U) -> Result<User, StoreError> {
    db.transaction(async |tx| tx.users().insert(new_user()).await)
        .await
}

/// Inserts a user "in" a transaction but through the database handle: the bug to catch.
async fn insert_beside_tx<U: UnitOfWork>(db: &U) -> Result<User, StoreError> {
    db.transaction(async |_tx| db.users().insert(new_user()).await)
        .await
}

#[test]
fn a_committed_transaction_is_expected_and_its_calls_go_to_the_transaction_mocks() {
    let mut db = MockDatabase::new();
    db.expect_committed();
    db.tx()
        .users
        .expect_insert()
        .times(1)
        .returning(|_| Ok(testing::user()));
    let user = block_on(insert_in_tx(&db)).expect("committed");
    assert_eq!(user.email.as_str(), "user@example.com");
}

#[test]
fn a_commit_made_to_fail_fails_the_transaction() {
    let mut db = MockDatabase::new();
    db.expect_begin().times(1).returning(|| Ok(()));
    db.expect_commit().times(1).returning(|| Err(unavailable()));
    db.tx()
        .users
        .expect_insert()
        .returning(|_| Ok(testing::user()));
    assert_eq!(block_on(insert_in_tx(&db)), Err(unavailable()));
}

#[test]
fn a_failing_body_is_rolled_back_not_committed() {
    let mut db = MockDatabase::new();
    db.expect_rolled_back();
    db.tx().users.expect_insert().returning(|_| {
        Err(StoreError::Conflict {
            key: crate::UniqueKey::UsersEmail,
        })
    });
    let result = block_on(insert_in_tx(&db));
    assert!(
        matches!(result, Err(StoreError::Conflict { .. })),
        "{result:?}"
    );
}

#[test]
fn a_begin_made_to_fail_runs_no_body() {
    let mut db = MockDatabase::new();
    db.expect_begin().times(1).returning(|| Err(unavailable()));
    // No store expectation and no commit: the body must not run.
    assert_eq!(block_on(insert_in_tx(&db)), Err(unavailable()));
}

#[test]
fn a_call_through_the_handle_instead_of_the_transaction_is_caught() {
    let message = panic_of(|| {
        let mut db = MockDatabase::new();
        db.expect_begin().returning(|| Ok(()));
        db.expect_rollback().returning(|| Ok(()));
        db.expect_commit().returning(|| Ok(()));
        db.tx()
            .users
            .expect_insert()
            .returning(|_| Ok(testing::user()));
        let _ = block_on(insert_beside_tx(&db));
    });
    assert!(
        message.contains("MockStore::insert") && message.contains("No matching expectation"),
        "{message}"
    );
}

#[test]
fn an_unexpected_commit_names_the_method() {
    let message = panic_of(|| {
        let mut db = MockDatabase::new();
        db.expect_begin().returning(|| Ok(()));
        db.tx()
            .users
            .expect_insert()
            .returning(|_| Ok(testing::user()));
        let _ = block_on(insert_in_tx(&db));
    });
    assert!(message.contains("MockUnitOfWork::commit()"), "{message}");
}

#[test]
fn transactions_are_expected_in_order() {
    let message = panic_of(|| {
        let mut db = MockDatabase::new();
        db.expect_committed().expect_rolled_back();
        db.tx().users.expect_insert().returning(|_| {
            Err(StoreError::Conflict {
                key: crate::UniqueKey::UsersEmail,
            })
        });
        // The first transaction fails and rolls back where a commit was expected first.
        let _ = block_on(insert_in_tx(&db));
    });
    assert!(message.contains("MockUnitOfWork::rollback()"), "{message}");
}

#[test]
fn two_expected_transactions_run_one_after_the_other() {
    let mut db = MockDatabase::new();
    db.expect_committed().expect_committed();
    db.tx()
        .users
        .expect_insert()
        .times(2)
        .returning(|_| Ok(testing::user()));
    block_on(insert_in_tx(&db)).expect("first");
    block_on(insert_in_tx(&db)).expect("second");
}

#[test]
fn an_expected_transaction_that_never_runs_fails_the_test() {
    let message = panic_of(|| {
        let mut db = MockDatabase::new();
        db.expect_committed();
        drop(db);
    });
    assert!(message.contains("MockUnitOfWork::begin"), "{message}");
}

#[test]
fn a_savepoint_begins_again_on_the_transaction_mocks() {
    let mut db = MockDatabase::new();
    db.expect_begin().times(2).returning(|| Ok(()));
    db.expect_commit().times(2).returning(|| Ok(()));
    db.tx()
        .users
        .expect_insert()
        .times(1)
        .returning(|_| Ok(testing::user()));
    let user = block_on(db.transaction(async |tx| insert_in_tx(tx).await));
    assert!(user.is_ok(), "{user:?}");
}

#[test]
fn expectations_cannot_be_set_while_a_transaction_is_open() {
    let mut db = MockDatabase::new();
    db.expect_begin().returning(|| Ok(()));
    let tx = block_on(db.begin()).expect("begun");
    let message = panic_of(AssertUnwindSafe(|| {
        db.tx();
    }));
    assert!(message.contains("before `begin`"), "{message}");
    drop(tx);
    db.tx().users.expect_find_by_id().returning(|_| Ok(None));
}
