//! The deploy service on mocks: which calls it makes, through which handle, in which
//! transaction, and what each failure answers.

use containerpub_domain::{Deployment, EntityName, Function, ImageTag, User, Uuid, Version};
use containerpub_ports::mock::{MockDatabase, MockStores, testing};
use containerpub_ports::{ForeignKey, Found, Lookup, StoreError, Table, UniqueKey};
use deploy_service::{DeployError, DeployRequest, DeployService, http_status};

fn request(owner: Uuid) -> DeployRequest {
    DeployRequest {
        owner,
        function: testing::function(&testing::user()).name,
        image_tag: ImageTag::new("image_tag", "registry/hello:2").expect("a valid tag"),
    }
}

/// The calls of one deploy of `owner`'s function, each expected once: the owner found, the
/// function found or inserted, its next version created and activated, one log appended.
fn expect_a_deploy(
    tx: &mut MockStores,
    owner: &User,
    function: Found<Function>,
    deployment: Deployment,
) {
    tx.users
        .expect_find_by_uuid()
        .times(1)
        .return_const(Ok(Some(owner.clone())));
    tx.functions
        .expect_find_or_insert()
        .times(1)
        .return_const(Ok(function));
    tx.deployments
        .expect_create_next_version()
        .times(1)
        .return_const(Ok(deployment.clone()));
    tx.deployments
        .expect_activate()
        .times(1)
        .return_const(Ok(deployment));
    tx.logs.expect_append().times(1).return_const(Ok(1));
}

#[tokio::test]
async fn deploys_in_one_transaction() {
    let owner = testing::user();
    let function = testing::function(&owner);
    let deployment = testing::deployment(&function);
    let mut db = MockDatabase::new();
    db.expect_committed();
    expect_a_deploy(db.tx(), &owner, Found::Existing(function), deployment);

    let deployed = DeployService::new(db)
        .deploy(&request(owner.uuid))
        .await
        .expect("deployed");
    assert!(!deployed.function_created);
    assert_eq!(
        deployed.deployment.version,
        Version::new(1).expect("a version")
    );
}

#[tokio::test]
async fn an_unknown_owner_rolls_back_and_answers_404() {
    let mut db = MockDatabase::new();
    db.expect_rolled_back();
    db.tx().users.expect_find_by_uuid().return_const(Ok(None));

    let error = DeployService::new(db)
        .deploy(&request(Uuid::new_v4()))
        .await
        .expect_err("no owner");
    assert_eq!(
        (error.clone(), error.http_status()),
        (DeployError::OwnerNotFound, 404)
    );
}

#[tokio::test]
async fn a_failed_commit_answers_503() {
    let owner = testing::user();
    let function = testing::function(&owner);
    let deployment = testing::deployment(&function);
    let mut db = MockDatabase::new();
    db.expect_begin().return_const(Ok(()));
    db.expect_commit()
        .return_const(Err(StoreError::unavailable("connection lost")));
    expect_a_deploy(db.tx(), &owner, Found::Inserted(function), deployment);

    let error = DeployService::new(db)
        .deploy(&request(owner.uuid))
        .await
        .expect_err("commit failed");
    assert_eq!(error.http_status(), 503);
}

#[test]
fn every_store_error_has_a_status() {
    let conflict = StoreError::Conflict {
        key: UniqueKey::FunctionsUserIdName,
    };
    let invalid = StoreError::from(EntityName::new("name", "").expect_err("an empty name"));
    let cases = [
        (
            StoreError::NotFound {
                table: Table::Functions,
                key: Lookup::Id,
            },
            404,
        ),
        (conflict.clone(), 409),
        (
            StoreError::StillReferenced {
                key: ForeignKey::DeploymentsFunctionId,
            },
            409,
        ),
        (
            StoreError::ReferenceMissing {
                key: ForeignKey::FunctionsUserId,
            },
            422,
        ),
        (invalid, 422),
        (
            StoreError::InBatch {
                index: 0,
                error: Box::new(conflict),
            },
            409,
        ),
        (StoreError::unavailable("down"), 503),
        (StoreError::outcome_unknown("lost"), 500),
        (StoreError::internal("bug"), 500),
        (
            StoreError::schema_mismatch("relation \"functions\" does not exist"),
            500,
        ),
        (
            StoreError::UnreadableRow {
                table: Table::Functions,
                row: None,
                column: "name",
                reason: "NULL".into(),
            },
            500,
        ),
    ];
    for (error, status) in cases {
        assert_eq!(http_status(&error), status, "{error:?}");
    }
}
