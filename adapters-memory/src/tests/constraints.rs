//! Unique keys, foreign keys, check order, `ON DELETE` actions, stamps, sequences, batches.

use chrono::TimeDelta;
use containerpub_domain::{
    DeploymentId, FunctionId, FunctionPatch, InvocationStatus, LogLevel, NewDeployment,
    NewFunction, NewLog, NewOrganizationMember, NewUser, NewUserInformation, OrganizationPatch,
    UserId, UserPatch, Uuid,
};
use containerpub_ports::{
    DeploymentField, ForeignKey, FunctionField, LogField, Query, StoreError, Stores, Table,
    UniqueKey, Upserted, UserField, UserKey,
};

use super::{at, function, log_at, name, org, repo, store, text, user};

#[tokio::test]
async fn unique_keys_are_checked_in_declaration_order() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    let mut same_uuid_and_email = NewUser::parse("ada@example.com").expect("valid");
    same_uuid_and_email.uuid = ada.uuid;
    assert_eq!(
        db.users().insert(same_uuid_and_email).await,
        Err(StoreError::Conflict {
            key: UniqueKey::UsersUuid
        })
    );
    assert_eq!(
        db.users()
            .insert(NewUser::parse("ADA@example.com").expect("valid"))
            .await,
        Err(StoreError::Conflict {
            key: UniqueKey::UsersEmail
        })
    );
}

#[tokio::test]
async fn composite_unique_key_is_per_owner() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    let bob = user(&db, "bob@example.com").await;
    function(&db, ada.id, "api").await;
    function(&db, bob.id, "api").await;
    assert_eq!(
        db.functions()
            .insert(NewFunction::new(ada.id, name("api")))
            .await,
        Err(StoreError::Conflict {
            key: UniqueKey::FunctionsUserIdName
        })
    );
    // Renaming into a taken name is the same conflict; renaming to its own name is not.
    let worker = function(&db, ada.id, "worker").await;
    let rename = |n: &str| FunctionPatch {
        name: Some(name(n)),
        ..FunctionPatch::default()
    };
    assert_eq!(
        db.functions().update_by_id(worker.id, rename("api")).await,
        Err(StoreError::Conflict {
            key: UniqueKey::FunctionsUserIdName
        })
    );
    assert!(
        db.functions()
            .update_by_id(worker.id, rename("worker"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn unique_keys_of_every_row_come_before_foreign_keys() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    let existing = function(&db, ada.id, "api").await;
    let missing_owner = NewFunction::new(UserId::new(999), name("x"));
    let mut duplicate = NewFunction::new(ada.id, name("y"));
    duplicate.uuid = existing.uuid;
    // Row 0 breaks a foreign key, row 1 a unique key: the unique key is reported.
    assert_eq!(
        db.functions()
            .insert_many(vec![missing_owner.clone(), duplicate])
            .await,
        Err(StoreError::Conflict {
            key: UniqueKey::FunctionsUuid
        }
        .at_index(1))
    );
    assert_eq!(
        db.functions().insert(missing_owner).await,
        Err(StoreError::ReferenceMissing {
            key: ForeignKey::FunctionsUserId
        })
    );
    // Two foreign keys broken: the first declared is reported.
    assert_eq!(
        db.organization_members()
            .insert(NewOrganizationMember {
                organization_uuid: Uuid::from_u128(1),
                user_uuid: Uuid::from_u128(2),
            })
            .await,
        Err(StoreError::ReferenceMissing {
            key: ForeignKey::OrganizationMembersOrganizationId
        })
    );
    assert_eq!(db.functions().count(Default::default()).await, Ok(1));
}

#[tokio::test]
async fn duplicates_inside_a_batch_conflict_and_write_nothing() {
    let (db, _) = store();
    let a = NewUser::parse("a@example.com").expect("valid");
    let mut b = NewUser::parse("b@example.com").expect("valid");
    b.uuid = a.uuid;
    // The later occurrence is the row named.
    assert_eq!(
        db.users().insert_many(vec![a, b]).await,
        Err(StoreError::InBatch {
            index: 1,
            error: Box::new(StoreError::Conflict {
                key: UniqueKey::UsersUuid
            })
        })
    );
    assert_eq!(db.users().count(Default::default()).await, Ok(0));
    assert_eq!(db.users().insert_many(Vec::new()).await, Ok(Vec::new()));
}

#[tokio::test]
async fn deleting_a_user_cascades_everywhere_but_restricts_owners() {
    let (db, _) = store();
    let owner = user(&db, "owner@example.com").await;
    let ada = user(&db, "ada@example.com").await;
    let acme = org(&db, "acme", &owner).await;
    db.organization_members()
        .add_member(acme.uuid, ada.uuid)
        .await
        .expect("member");
    db.user_information()
        .insert(NewUserInformation::new(ada.uuid))
        .await
        .expect("profile");
    let api = function(&db, ada.id, "api").await;
    let deployment = db
        .deployments()
        .insert(NewDeployment::new(api.id))
        .await
        .expect("deployment");
    db.deployments()
        .activate(deployment.id)
        .await
        .expect("activated");
    db.logs()
        .append(vec![log_at(api.id, "hello", 1)])
        .await
        .expect("log");
    db.invocations()
        .record(super::invocation_at(
            api.id,
            InvocationStatus::Success,
            5,
            1,
        ))
        .await
        .expect("invocation");

    // The owner of an organization cannot be deleted; nothing changes.
    assert_eq!(
        db.users().delete_by_id(owner.id).await,
        Err(StoreError::StillReferenced {
            key: ForeignKey::OrganizationsOwnerId
        })
    );
    assert_eq!(
        db.users()
            .delete_where(UserField::Email.contains("@"))
            .await,
        Err(StoreError::StillReferenced {
            key: ForeignKey::OrganizationsOwnerId
        })
    );
    assert_eq!(db.users().count(Default::default()).await, Ok(2));

    db.users().delete_by_id(ada.id).await.expect("deleted");
    assert_eq!(db.functions().count(Default::default()).await, Ok(0));
    assert_eq!(db.deployments().count(Default::default()).await, Ok(0));
    assert_eq!(db.logs().count(Default::default()).await, Ok(0));
    assert_eq!(db.invocations().count(Default::default()).await, Ok(0));
    assert_eq!(db.user_information().count(Default::default()).await, Ok(0));
    assert_eq!(
        db.organization_members().membership_of(ada.uuid).await,
        Ok(None)
    );
    // The owner's membership stays.
    assert!(
        db.organization_members()
            .membership_of(owner.uuid)
            .await
            .expect("read")
            .is_some()
    );
    assert_eq!(
        db.users().delete_by_id(ada.id).await,
        Err(StoreError::not_found(
            Table::Users,
            containerpub_ports::Lookup::Id
        ))
    );
    // Deleting the organization cascades to its members; then the owner can go.
    db.organizations()
        .delete_by_id(acme.id)
        .await
        .expect("org deleted");
    assert_eq!(
        db.organization_members().count(Default::default()).await,
        Ok(0)
    );
    db.users()
        .delete_by_id(owner.id)
        .await
        .expect("owner deleted");
}

#[tokio::test]
async fn deleting_the_active_deployment_sets_null_without_stamping() {
    let (db, clock) = store();
    let ada = user(&db, "ada@example.com").await;
    let api = function(&db, ada.id, "api").await;
    let d = db
        .deployments()
        .create_next_version(NewDeployment::new(api.id))
        .await
        .expect("deployment");
    clock.advance(TimeDelta::seconds(10));
    db.deployments().activate(d.id).await.expect("activated");
    let activated = db
        .functions()
        .find_by_id(api.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(activated.active_deployment_id, Some(d.id));
    assert_eq!(activated.updated_at, at(10));
    clock.advance(TimeDelta::seconds(10));
    db.deployments().delete_by_id(d.id).await.expect("deleted");
    let after = db
        .functions()
        .find_by_id(api.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(after.active_deployment_id, None);
    assert_eq!(
        after.updated_at,
        at(10),
        "ON DELETE SET NULL does not stamp"
    );
    assert_eq!(
        db.functions()
            .count(FunctionField::ActiveDeploymentId.is_null())
            .await,
        Ok(1)
    );
}

#[tokio::test]
async fn updates_stamp_updated_at_and_check_keys() {
    let (db, clock) = store();
    let ada = user(&db, "ada@example.com").await;
    let bob = user(&db, "bob@example.com").await;
    assert_eq!((ada.created_at, ada.updated_at), (at(0), at(0)));
    clock.advance(TimeDelta::seconds(3));
    let same = db
        .users()
        .update_by_id(ada.id, UserPatch::default())
        .await
        .expect("updated");
    assert_eq!((same.created_at, same.updated_at), (at(0), at(3)));
    let taken = UserPatch {
        email: Some(bob.email.clone()),
        ..UserPatch::default()
    };
    assert_eq!(
        db.users().update_by_id(ada.id, taken.clone()).await,
        Err(StoreError::Conflict {
            key: UniqueKey::UsersEmail
        })
    );
    // update_where: both rows match, the second one collides with the first; nothing changes.
    assert_eq!(
        db.users().update_where(Default::default(), taken).await,
        Err(StoreError::Conflict {
            key: UniqueKey::UsersEmail
        })
    );
    assert_eq!(
        db.users()
            .update_by_id(UserId::new(99), UserPatch::default())
            .await,
        Err(StoreError::not_found(
            Table::Users,
            containerpub_ports::Lookup::Id
        ))
    );
    let acme = org(&db, "acme", &ada).await;
    assert_eq!(
        db.organizations()
            .update_by_id(
                acme.id,
                OrganizationPatch {
                    owner_uuid: Some(Uuid::from_u128(7)),
                    ..OrganizationPatch::default()
                }
            )
            .await,
        Err(StoreError::ReferenceMissing {
            key: ForeignKey::OrganizationsOwnerId
        })
    );
    clock.advance(TimeDelta::seconds(1));
    assert_eq!(
        db.users()
            .update_where(UserField::Email.starts_with("b"), UserPatch::default())
            .await,
        Ok(1)
    );
    let bob = db
        .users()
        .find_by_id(bob.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(bob.updated_at, at(4));
}

#[tokio::test]
async fn sequences_consume_values_as_postgresql_does() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await; // id 1
    // A unique violation consumes the attempted row's value.
    assert!(
        db.users()
            .insert(NewUser::parse("ada@example.com").expect("valid"))
            .await
            .is_err()
    ); // 2
    // An upsert always consumes one, even when it updates.
    let mut again = NewUser::parse("ada@example.com").expect("valid");
    again.uuid = Uuid::from_u128(42);
    let upserted = db
        .users()
        .upsert(again, UserKey::Email)
        .await
        .expect("upserted"); // 3
    assert!(matches!(upserted, Upserted::Updated(ref u) if u.id == ada.id && u.uuid == ada.uuid));
    // A bad filter is rejected before any statement: no value.
    assert!(
        db.users()
            .update_where(UserField::Email.eq(5), UserPatch::default())
            .await
            .is_err()
    );
    let bob = user(&db, "bob@example.com").await;
    assert_eq!(bob.id, UserId::new(4));

    // A deployment of a missing function is refused before its INSERT: no value.
    let api = function(&db, ada.id, "api").await;
    assert_eq!(
        db.deployments()
            .insert(NewDeployment::new(FunctionId::new(99)))
            .await,
        Err(StoreError::ReferenceMissing {
            key: ForeignKey::DeploymentsFunctionId
        })
    );
    let d = db
        .deployments()
        .insert(NewDeployment::new(api.id))
        .await
        .expect("deployment");
    assert_eq!(d.id, DeploymentId::new(1));
    // A foreign-key failure happens after the INSERT: the value is gone.
    assert!(
        db.functions()
            .insert(NewFunction::new(UserId::new(99), name("x")))
            .await
            .is_err()
    );
    assert_eq!(function(&db, ada.id, "next").await.id, FunctionId::new(3));
    // A repository without its parent takes no value.
    assert!(
        db.repositories()
            .create(containerpub_domain::NewRepository::new(super::path("a/b")))
            .await
            .is_err()
    );
    assert_eq!(repo(&db, "a").await.id.get(), 1);
}

#[tokio::test]
async fn a_batch_failing_deep_inside_writes_nothing() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    let api = function(&db, ada.id, "api").await;
    let batch = |bad: NewLog| -> Vec<NewLog> {
        (0..20_000)
            .map(|i| {
                if i == 15_000 {
                    bad.clone()
                } else {
                    NewLog::new(api.id, LogLevel::Info, text("line"))
                }
            })
            .collect()
    };
    let orphan = NewLog::new(FunctionId::new(77), LogLevel::Error, text("orphan"));
    assert_eq!(
        db.logs().append(batch(orphan)).await,
        Err(StoreError::InBatch {
            index: 15_000,
            error: Box::new(StoreError::ReferenceMissing {
                key: ForeignKey::LogsFunctionId
            })
        })
    );
    assert_eq!(db.logs().count(Default::default()).await, Ok(0));
    // Chunks of 5,000 rows: the fourth statement failed its foreign keys after taking all
    // its values, so 20,000 values are gone.
    let next = db
        .logs()
        .append(vec![NewLog::new(api.id, LogLevel::Info, text("x"))])
        .await;
    assert_eq!(next, Ok(1));
    let row = db
        .logs()
        .find_one(Query::new())
        .await
        .expect("read")
        .expect("one row");
    assert_eq!(row.id.get(), 20_001);

    // A duplicate uuid at row 15,000 stops the fourth statement at its first row.
    let duplicate = NewLog {
        uuid: row.uuid,
        ..NewLog::new(api.id, LogLevel::Info, text("dup"))
    };
    assert_eq!(
        db.logs().append(batch(duplicate)).await,
        Err(StoreError::InBatch {
            index: 15_000,
            error: Box::new(StoreError::Conflict {
                key: UniqueKey::LogsUuid
            })
        })
    );
    assert_eq!(db.logs().count(Default::default()).await, Ok(1));
    db.logs()
        .delete_where(LogField::Id.gt(0))
        .await
        .expect("deleted");
    let next = db
        .logs()
        .insert(NewLog::new(api.id, LogLevel::Info, text("y")))
        .await
        .expect("inserted");
    assert_eq!(next.id.get(), 20_001 + 15_001 + 1);
}

#[tokio::test]
async fn partial_unique_keys_hold_only_where_their_predicate_does() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    let api = function(&db, ada.id, "api").await;
    let ds = db
        .deployments()
        .insert_many(vec![NewDeployment::new(api.id), NewDeployment::new(api.id)])
        .await
        .expect("deployments");
    assert_eq!(
        ds.iter().map(|d| d.version.get()).collect::<Vec<_>>(),
        vec![1, 2]
    );
    db.deployments().activate(ds[0].id).await.expect("first");
    db.deployments().activate(ds[1].id).await.expect("second");
    assert_eq!(
        db.deployments()
            .count(DeploymentField::IsActive.eq(true))
            .await,
        Ok(1)
    );
    assert_eq!(
        db.deployments()
            .active_for(api.id.into())
            .await
            .expect("read")
            .map(|d| d.id),
        Some(ds[1].id)
    );

    let a = repo(&db, "a").await;
    assert_eq!(
        db.repositories()
            .create(containerpub_domain::NewRepository::new(super::path("a")))
            .await,
        Err(StoreError::Conflict {
            key: UniqueKey::RepositoriesLivePath
        })
    );
    db.repositories()
        .soft_delete(a.id.into())
        .await
        .expect("soft deleted");
    let again = repo(&db, "a").await;
    assert_ne!(again.id, a.id);
    // The uuid key is not partial: a soft-deleted row still holds its uuid.
    let mut reuse = containerpub_domain::NewRepository::new(super::path("b"));
    reuse.uuid = a.uuid;
    assert_eq!(
        db.repositories().create(reuse).await,
        Err(StoreError::Conflict {
            key: UniqueKey::RepositoriesUuid
        })
    );
}

#[tokio::test]
async fn a_failed_call_puts_every_row_and_index_back() {
    let (db, clock) = store();
    let ada = user(&db, "ada@example.com").await;
    let fresh = NewUser::parse("fresh@example.com").expect("valid");
    let mut clash = NewUser::parse("other@example.com").expect("valid");
    clash.uuid = ada.uuid;
    assert!(
        db.users()
            .insert_many(vec![fresh.clone(), clash])
            .await
            .is_err()
    );
    assert_eq!(db.users().find_by_uuid(fresh.uuid).await, Ok(None));
    assert_eq!(db.users().find_by_email(&fresh.email).await, Ok(None));
    assert_eq!(
        db.users()
            .count(UserField::Email.eq("fresh@example.com"))
            .await,
        Ok(0)
    );
    let again = db
        .users()
        .insert(fresh)
        .await
        .expect("the values are free again");

    // An update_where failing on its second row leaves the first unchanged, in its indexes too.
    clock.advance(TimeDelta::seconds(1));
    let patch = UserPatch {
        email: Some(containerpub_domain::Email::parse("same@example.com").expect("valid")),
        ..UserPatch::default()
    };
    assert!(
        db.users()
            .update_where(Default::default(), patch)
            .await
            .is_err()
    );
    assert_eq!(
        db.users().find_by_email(&ada.email).await,
        Ok(Some(ada.clone()))
    );
    assert_eq!(db.users().find_by_uuid(again.uuid).await, Ok(Some(again)));
    assert_eq!(
        db.users()
            .count(UserField::Email.eq("same@example.com"))
            .await,
        Ok(0)
    );

    // A delete failing on a later row (RESTRICT) restores the rows it had already deleted.
    let api = function(&db, ada.id, "api").await;
    let bob = user(&db, "bob@example.com").await;
    org(&db, "acme", &bob).await;
    assert_eq!(
        db.users().delete_where(Default::default()).await,
        Err(StoreError::StillReferenced {
            key: ForeignKey::OrganizationsOwnerId
        })
    );
    assert_eq!(
        db.users().find_by_uuid(ada.uuid).await,
        Ok(Some(ada.clone()))
    );
    assert_eq!(
        db.users().find_by_email(&ada.email).await,
        Ok(Some(ada.clone()))
    );
    assert_eq!(db.users().count(Default::default()).await, Ok(3));
    assert_eq!(
        db.functions().find_by_uuid(api.uuid).await,
        Ok(Some(api.clone()))
    );
    assert_eq!(
        db.functions().count(FunctionField::UserId.eq(ada.id)).await,
        Ok(1)
    );
}
