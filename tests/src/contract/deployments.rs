//! `function_deployments`: versions, activation, upserts, concurrent creation.

use containerpub_domain::{
    Deployment, DeploymentId, DeploymentPatch, DeploymentStatus, Function, FunctionId, ImageTag,
    NewDeployment, S3Key, Timestamp, Version,
};
use containerpub_ports::{
    DeploymentField, DeploymentKey, DeploymentStore, ForeignKey, Query, Stores, Table, UniqueKey,
    Upserted,
};

use super::seed::{conflict, deployment, function, missing, not_found, text, user};
use super::surface::{Spec, check};
use super::{ContractStore, Fixture};

fn stored_deployment(
    new: &NewDeployment,
    id: DeploymentId,
    version: i32,
    now: Timestamp,
) -> Deployment {
    Deployment {
        id,
        uuid: new.uuid,
        function_id: new.function_id,
        version: Version::new(version).expect("valid version"),
        image_tag: new.image_tag.clone(),
        s3_key: new.s3_key.clone(),
        status: new.status,
        is_active: false,
        build_logs: new.build_logs.clone(),
        deployed_at: now,
    }
}

async fn reload<S: Stores + ?Sized>(db: &S, f: &Function) -> Function {
    db.functions()
        .find_by_id(f.id)
        .await
        .expect("find_by_id")
        .expect("the function")
}

async fn versions_of<S: Stores + ?Sized>(db: &S, f: &Function) -> Vec<i32> {
    db.deployments()
        .find_all(
            Query::filter(DeploymentField::FunctionId.eq(f.id))
                .order_by(DeploymentField::Version.asc()),
        )
        .await
        .expect("find_all")
        .iter()
        .map(|d| d.version.get())
        .collect()
}

/// The generic surface of `function_deployments` (versions 1 to 5 of one function).
pub async fn deployments_generic<U: ContractStore>(fx: Fixture<U>) {
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let news: Vec<NewDeployment> = (0..5)
        .map(|i| NewDeployment {
            image_tag: (i % 2 == 0)
                .then(|| ImageTag::new("image_tag", format!("registry/f:{i}")).expect("tag")),
            s3_key: (i != 3)
                .then(|| S3Key::new("s3_key", format!("bucket/f/{i}.zip")).expect("key")),
            status: DeploymentStatus::ALL[i % DeploymentStatus::ALL.len()],
            build_logs: (i == 1).then(|| text("step 1/3\nstep 2/3\n")),
            ..NewDeployment::new(f.id)
        })
        .collect();
    let store: &dyn DeploymentStore = fx.db.deployments();
    check(
        &fx.clock,
        store,
        Spec {
            news,
            expect_insert: &|index, new, id, now| {
                stored_deployment(new, id, i32::try_from(index).expect("small") + 1, now)
            },
            patch: DeploymentPatch {
                status: Some(DeploymentStatus::Failed),
                build_logs: Some(Some(text("boom"))),
                image_tag: Some(None),
                s3_key: None,
            },
            expect_update: &|before, _| Deployment {
                status: DeploymentStatus::Failed,
                build_logs: Some(text("boom")),
                image_tag: None,
                ..before.clone()
            },
        },
    )
    .await;
}

/// Versions: 1, 2, 3 per function, independent per function, consecutive in a batch; a
/// missing function takes no id; a duplicate uuid; a failed batch writes nothing; the next
/// version is the highest existing one plus one.
pub async fn deployments_versions<U: ContractStore>(fx: Fixture<U>) {
    let deployments = fx.db.deployments();
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let g = function(&fx.db, &owner, "g").await;

    let t = fx.tick();
    let new = NewDeployment {
        status: DeploymentStatus::Building,
        ..NewDeployment::new(f.id)
    };
    let f1 = deployments
        .create_next_version(new.clone())
        .await
        .expect("v1");
    assert_eq!(f1, stored_deployment(&new, f1.id, 1, t));
    let new = NewDeployment::new(f.id);
    let f2 = deployments.insert(new.clone()).await.expect("v2");
    assert_eq!(f2, stored_deployment(&new, f2.id, 2, t));
    let new = NewDeployment::new(g.id);
    let g1 = deployments
        .create_next_version(new.clone())
        .await
        .expect("g v1");
    assert_eq!(g1, stored_deployment(&new, g1.id, 1, t));

    // A batch takes consecutive versions per function, in input order.
    let t = fx.tick();
    let batch = vec![
        NewDeployment::new(f.id),
        NewDeployment::new(g.id),
        NewDeployment::new(f.id),
    ];
    let written = deployments.insert_many(batch.clone()).await.expect("batch");
    let expected: Vec<Deployment> = batch
        .iter()
        .zip(&written)
        .zip([3, 2, 4])
        .map(|((new, row), version)| stored_deployment(new, row.id, version, t))
        .collect();
    assert_eq!(written, expected);
    assert_eq!(versions_of(&fx.db, &f).await, [1, 2, 3, 4]);
    assert_eq!(versions_of(&fx.db, &g).await, [1, 2]);
    let last_id = written[2].id;

    // Errors: nothing written; a missing function takes no sequence value.
    assert_eq!(
        deployments
            .create_next_version(NewDeployment::new(FunctionId::new(999_999)))
            .await,
        Err(missing(ForeignKey::DeploymentsFunctionId))
    );
    assert_eq!(
        deployments
            .insert(NewDeployment::new(FunctionId::new(999_999)))
            .await,
        Err(missing(ForeignKey::DeploymentsFunctionId))
    );
    assert_eq!(
        deployments
            .insert_many(vec![
                NewDeployment::new(f.id),
                NewDeployment::new(FunctionId::new(999_999)),
            ])
            .await,
        Err(missing(ForeignKey::DeploymentsFunctionId).at_index(1))
    );
    assert_eq!(
        deployments
            .create_next_version(NewDeployment {
                uuid: f1.uuid,
                ..NewDeployment::new(f.id)
            })
            .await,
        Err(conflict(UniqueKey::DeploymentsUuid))
    );
    assert_eq!(versions_of(&fx.db, &f).await, [1, 2, 3, 4]);
    let f5 = deployments
        .create_next_version(NewDeployment::new(f.id))
        .await
        .expect("v5");
    assert_eq!(f5.version.get(), 5, "failed calls take no version");
    assert!(f5.id > last_id);

    // The next version is max(version) + 1: deleting the highest makes its number free.
    deployments.delete_by_id(f5.id).await.expect("delete v5");
    let again = deployments
        .create_next_version(NewDeployment::new(f.id))
        .await
        .expect("v5 again");
    assert_eq!(again.version.get(), 5);
    assert!(again.id > f5.id, "ids are never reused");
    deployments.delete_by_id(f1.id).await.expect("delete v1");
    let next = deployments
        .create_next_version(NewDeployment::new(f.id))
        .await
        .expect("v6");
    assert_eq!(next.version.get(), 6);
    assert_eq!(versions_of(&fx.db, &f).await, [2, 3, 4, 5, 6]);
}

/// Activation: exactly one active deployment per function, the function points at it (and
/// its updated_at is stamped, also when re-activating); the activated deployment reads
/// status `active` and the one it supersedes `disabled` (the Dart backend's words), older
/// inactive ones keep theirs; other functions untouched; a
/// missing deployment is NotFound; deleting the active deployment sets the pointer to NULL
/// without stamping the function; deleting the function deletes its deployments.
#[allow(clippy::too_many_lines)]
pub async fn deployments_activate<U: ContractStore>(fx: Fixture<U>) {
    let deployments = fx.db.deployments();
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let g = function(&fx.db, &owner, "g").await;
    let v1 = deployment(&fx.db, &f).await;
    let v2 = deployment(&fx.db, &f).await;
    let v3 = deployment(&fx.db, &f).await;
    let g1 = deployment(&fx.db, &g).await;
    assert_eq!(deployments.active_for(f.id.into()).await, Ok(None));
    let active_of = |function: &Function| {
        DeploymentField::FunctionId
            .eq(function.id)
            .and(DeploymentField::IsActive.eq(true))
    };

    let t = fx.tick();
    let active = Deployment {
        is_active: true,
        status: DeploymentStatus::Active,
        ..v2.clone()
    };
    assert_eq!(deployments.activate(v2.id).await, Ok(active.clone()));
    assert_eq!(
        deployments.find_by_id(v2.id).await,
        Ok(Some(active.clone()))
    );
    assert_eq!(
        deployments.active_for(f.id.into()).await,
        Ok(Some(active.clone()))
    );
    assert_eq!(
        reload(&fx.db, &f).await,
        Function {
            active_deployment_id: Some(v2.id),
            updated_at: t,
            ..f.clone()
        }
    );
    assert_eq!(deployments.count(active_of(&f)).await, Ok(1));

    // Activating another one deactivates the first.
    let t = fx.tick();
    let active = Deployment {
        is_active: true,
        status: DeploymentStatus::Active,
        ..v3.clone()
    };
    assert_eq!(deployments.activate(v3.id).await, Ok(active.clone()));
    let superseded = Deployment {
        status: DeploymentStatus::Disabled,
        ..v2.clone()
    };
    assert_eq!(v1.status, DeploymentStatus::Pending);
    assert_eq!(
        deployments
            .find_all(Query::filter(DeploymentField::FunctionId.eq(f.id)))
            .await,
        Ok(vec![v1.clone(), superseded, active.clone()])
    );
    assert_eq!(deployments.count(active_of(&f)).await, Ok(1));
    let f_now = reload(&fx.db, &f).await;
    assert_eq!(
        (f_now.active_deployment_id, f_now.updated_at),
        (Some(v3.id), t)
    );
    // Other functions are untouched.
    assert_eq!(deployments.active_for(g.id.into()).await, Ok(None));
    assert_eq!(reload(&fx.db, &g).await, g);
    assert_eq!(deployments.find_by_id(g1.id).await, Ok(Some(g1.clone())));

    // Re-activating the active one is no error and stamps the function again.
    let t = fx.tick();
    assert_eq!(deployments.activate(v3.id).await, Ok(active.clone()));
    assert_eq!(deployments.count(active_of(&f)).await, Ok(1));
    let f_now = reload(&fx.db, &f).await;
    assert_eq!(
        (f_now.active_deployment_id, f_now.updated_at),
        (Some(v3.id), t)
    );

    assert_eq!(
        deployments.activate(DeploymentId::new(999_999)).await,
        Err(not_found(Table::FunctionDeployments))
    );
    // Updates and upserts keep is_active.
    let patched = deployments
        .update_by_id(
            v3.id,
            DeploymentPatch {
                status: Some(DeploymentStatus::Active),
                ..DeploymentPatch::default()
            },
        )
        .await;
    let active = Deployment {
        status: DeploymentStatus::Active,
        ..active
    };
    assert_eq!(patched, Ok(active.clone()));

    // Deleting the active deployment: ON DELETE SET NULL, which does not stamp the function.
    let f_before = reload(&fx.db, &f).await;
    fx.tick();
    assert_eq!(deployments.delete_by_id(v3.id).await, Ok(()));
    assert_eq!(
        reload(&fx.db, &f).await,
        Function {
            active_deployment_id: None,
            ..f_before
        }
    );
    assert_eq!(deployments.active_for(f.id.into()).await, Ok(None));
    assert_eq!(deployments.count(active_of(&f)).await, Ok(0));

    // Activate again, then delete by filter.
    deployments.activate(v1.id).await.expect("activate v1");
    assert_eq!(
        deployments
            .delete_where(DeploymentField::IsActive.eq(true))
            .await,
        Ok(1)
    );
    assert_eq!(reload(&fx.db, &f).await.active_deployment_id, None);

    // Deleting the function deletes its deployments.
    deployments.activate(v2.id).await.expect("activate v2");
    assert_eq!(fx.db.functions().delete_by_id(f.id).await, Ok(()));
    assert_eq!(
        deployments
            .count(DeploymentField::FunctionId.eq(f.id))
            .await,
        Ok(0)
    );
    assert_eq!(deployments.find_by_id(v2.id).await, Ok(None));
    assert_eq!(deployments.find_all(Query::new()).await, Ok(vec![g1]));
}

/// Deployment upserts on uuid: the update keeps function, version, is_active and
/// deployed_at and takes image_tag, s3_key, status and build_logs; the insert branch takes
/// the next version and checks the function.
pub async fn deployments_upsert<U: ContractStore>(fx: Fixture<U>) {
    let deployments = fx.db.deployments();
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let g = function(&fx.db, &owner, "g").await;
    let v1 = deployment(&fx.db, &f).await;
    let v1 = deployments.activate(v1.id).await.expect("activate");

    fx.tick();
    let tag = ImageTag::new("image_tag", "registry/f:1").expect("tag");
    let key = S3Key::new("s3_key", "bucket/f/1.zip").expect("key");
    let input = NewDeployment {
        uuid: v1.uuid,
        image_tag: Some(tag.clone()),
        s3_key: Some(key.clone()),
        status: DeploymentStatus::Active,
        build_logs: Some(text("ok")),
        // Another function: kept, as the version.
        ..NewDeployment::new(g.id)
    };
    let updated = Deployment {
        image_tag: Some(tag),
        s3_key: Some(key),
        status: DeploymentStatus::Active,
        build_logs: Some(text("ok")),
        ..v1.clone()
    };
    assert_eq!(
        deployments.upsert(input, DeploymentKey::Uuid).await,
        Ok(Upserted::Updated(updated.clone()))
    );
    assert_eq!(deployments.active_for(f.id.into()).await, Ok(Some(updated)));

    let t = fx.tick();
    let new = NewDeployment::new(f.id);
    match deployments.upsert(new.clone(), DeploymentKey::Uuid).await {
        Ok(Upserted::Inserted(row)) => assert_eq!(row, stored_deployment(&new, row.id, 2, t)),
        other => panic!("expected Inserted, got {other:?}"),
    }
    assert_eq!(
        deployments
            .upsert(
                NewDeployment::new(FunctionId::new(999_999)),
                DeploymentKey::Uuid
            )
            .await,
        Err(missing(ForeignKey::DeploymentsFunctionId))
    );
    assert_eq!(versions_of(&fx.db, &f).await, [1, 2]);
    assert_eq!(versions_of(&fx.db, &g).await, Vec::<i32>::new());
}

/// Concurrent `create_next_version` calls on one function get distinct, consecutive
/// versions.
pub async fn deployments_concurrent_versions<U: ContractStore>(fx: Fixture<U>) {
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let db = fx.db.clone();
        let function_id = f.id;
        tasks.push(tokio::spawn(async move {
            let mut versions = Vec::new();
            for _ in 0..5 {
                let d = db
                    .deployments()
                    .create_next_version(NewDeployment::new(function_id))
                    .await
                    .expect("create_next_version");
                versions.push(d.version.get());
            }
            versions
        }));
    }
    let mut versions = Vec::new();
    for task in tasks {
        versions.extend(task.await.expect("task"));
    }
    versions.sort_unstable();
    assert_eq!(versions, (1..=20).collect::<Vec<i32>>());
    assert_eq!(
        versions_of(&fx.db, &f).await,
        (1..=20).collect::<Vec<i32>>()
    );
}
