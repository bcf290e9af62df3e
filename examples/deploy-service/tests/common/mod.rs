//! The scenarios the memory and PostgreSQL tests share: written once on the ports, run on
//! each adapter.

use containerpub_domain::{EntityName, ImageTag, NewUser, Uuid};
use containerpub_ports::{Filter, UnitOfWork};
use deploy_service::{DeployError, DeployRequest, DeployService};

/// A request for `owner`'s function `hello`, image `tag`.
pub fn request(owner: Uuid, tag: &str) -> DeployRequest {
    DeployRequest {
        owner,
        function: EntityName::new("name", "hello").expect("a valid name"),
        image_tag: ImageTag::new("image_tag", tag).expect("a valid tag"),
    }
}

/// Two deploys: the first creates the function, the second deploys version 2 to it and
/// makes it the active one; each writes a log line.
pub async fn deploys_twice<U: UnitOfWork>(db: U) {
    let ada = db
        .users()
        .insert(NewUser::parse("ada@example.com").expect("a valid e-mail"))
        .await
        .expect("a user");
    let service = DeployService::new(&db);

    let first = service
        .deploy(&request(ada.uuid, "registry/hello:1"))
        .await
        .expect("deployed");
    let second = service
        .deploy(&request(ada.uuid, "registry/hello:2"))
        .await
        .expect("deployed");

    assert!(first.function_created && !second.function_created);
    assert_eq!(first.function, second.function);
    assert_eq!(
        (
            first.deployment.version.get(),
            second.deployment.version.get()
        ),
        (1, 2)
    );
    let function = db
        .functions()
        .find_by_uuid(second.function)
        .await
        .expect("read")
        .expect("the function");
    assert_eq!(function.active_deployment_id, Some(second.deployment.id));
    let logs = db.logs().count(Filter::all([])).await.expect("counted");
    assert_eq!(logs, 2);
}

/// A deploy for an unknown owner answers 404 and writes nothing.
pub async fn an_unknown_owner_writes_nothing<U: UnitOfWork>(db: U) {
    let service = DeployService::new(&db);
    let error = service
        .deploy(&request(Uuid::new_v4(), "registry/hello:1"))
        .await
        .expect_err("no owner");
    assert_eq!(error, DeployError::OwnerNotFound);
    assert_eq!(error.http_status(), 404);
    let functions = db
        .functions()
        .count(Filter::all([]))
        .await
        .expect("counted");
    assert_eq!(functions, 0);
}
