//! `functions`: the generic surface, keys, upserts, listings by owner, details and summaries.

use containerpub_domain::{
    Function, FunctionDetails, FunctionId, FunctionPatch, FunctionStatus, FunctionSummary,
    NewDeployment, NewFunction, Page, Rule, Timestamp, UserId, Uuid,
};
use containerpub_ports::{
    Filter, ForeignKey, FunctionField, FunctionKey, FunctionStore, PageRequest, Query, StoreError,
    Table, UniqueKey, Upserted,
};
use serde_json::json as j;

use super::seed::{
    conflict, deployment, function, functions_named, json, missing, name, not_found, user,
};
use super::surface::{Spec, check};
use super::{ContractStore, Fixture};

fn stored_function(new: &NewFunction, id: FunctionId, now: Timestamp) -> Function {
    Function {
        id,
        uuid: new.uuid,
        user_id: new.user_id,
        name: new.name.clone(),
        status: new.status,
        active_deployment_id: None,
        analysis_result: new.analysis_result.clone(),
        created_at: now,
        updated_at: now,
    }
}

/// The generic surface of `functions`.
pub async fn functions_generic<U: ContractStore>(fx: Fixture<U>) {
    let owner = user(&fx.db, "owner@example.com").await;
    let other = user(&fx.db, "other@example.com").await;
    let statuses = [
        FunctionStatus::Active,
        FunctionStatus::Inactive,
        FunctionStatus::Building,
        FunctionStatus::Failed,
        FunctionStatus::Active,
    ];
    let news: Vec<NewFunction> = statuses
        .iter()
        .enumerate()
        .map(|(i, status)| NewFunction {
            status: *status,
            analysis_result: (i % 2 == 0).then(|| json(j!({"warnings": i, "ok": true}))),
            // Two owners may use the same name.
            ..NewFunction::new(
                if i == 4 { other.id } else { owner.id },
                name(if i == 4 {
                    "fn-0"
                } else {
                    ["fn-0", "fn-1", "fn-2", "fn-3"][i]
                }),
            )
        })
        .collect();
    let store: &dyn FunctionStore = fx.db.functions();
    check(
        &fx.clock,
        store,
        Spec {
            news,
            expect_insert: &|_, new, id, now| stored_function(new, id, now),
            patch: FunctionPatch {
                name: None,
                status: Some(FunctionStatus::Inactive),
                analysis_result: Some(None),
            },
            expect_update: &|before, now| Function {
                status: FunctionStatus::Inactive,
                analysis_result: None,
                updated_at: now,
                ..before.clone()
            },
        },
    )
    .await;
}

/// Functions: exact rows (JSON compared as values), the three keys and the owner reference,
/// renames, and batches that write nothing on error.
pub async fn functions_crud<U: ContractStore>(fx: Fixture<U>) {
    let functions = fx.db.functions();
    let ada = user(&fx.db, "ada@example.com").await;
    let bob = user(&fx.db, "bob@example.com").await;

    let t1 = fx.tick();
    let analysis = json(j!({
        "warnings": ["unused import", "é ✓"],
        "score": 0.93,
        "nested": {"b": 1, "a": [1, 2, {"deep": null}]},
        "ok": true
    }));
    let new = NewFunction {
        status: FunctionStatus::Building,
        analysis_result: Some(analysis),
        ..NewFunction::new(ada.id, name("resize"))
    };
    let resize = functions.insert(new.clone()).await.expect("insert");
    assert_eq!(resize, stored_function(&new, resize.id, t1));
    // Object key order is irrelevant: the document compares as a JSON value.
    let reordered = json(j!({
        "ok": true,
        "nested": {"a": [1, 2, {"deep": null}], "b": 1},
        "score": 0.93,
        "warnings": ["unused import", "é ✓"]
    }));
    assert_eq!(resize.analysis_result, Some(reordered));
    assert_eq!(
        functions.find_by_uuid(resize.uuid).await,
        Ok(Some(resize.clone()))
    );
    assert_eq!(
        functions.find_by_id(resize.id).await,
        Ok(Some(resize.clone()))
    );

    // (owner, name) is unique per owner; names are kept exactly (" resize" is another name).
    let bobs = functions
        .insert(NewFunction::new(bob.id, name("resize")))
        .await
        .expect("another owner");
    let spaced = functions
        .insert(NewFunction::new(ada.id, name(" resize")))
        .await
        .expect("another name");
    assert_eq!(spaced.name.as_str(), " resize");
    let before = functions.find_all(Query::new()).await.expect("find_all");
    assert_eq!(
        functions
            .insert(NewFunction::new(ada.id, name("resize")))
            .await,
        Err(conflict(UniqueKey::FunctionsUserIdName))
    );
    assert_eq!(
        functions
            .insert(NewFunction {
                uuid: resize.uuid,
                ..NewFunction::new(ada.id, name("thumbnail"))
            })
            .await,
        Err(conflict(UniqueKey::FunctionsUuid))
    );
    assert_eq!(
        functions
            .insert(NewFunction::new(UserId::new(999_999), name("orphan")))
            .await,
        Err(missing(ForeignKey::FunctionsUserId))
    );
    assert_eq!(
        functions
            .insert_many(vec![
                NewFunction::new(ada.id, name("a")),
                NewFunction::new(ada.id, name("b")),
                NewFunction::new(ada.id, name("a")),
            ])
            .await,
        Err(conflict(UniqueKey::FunctionsUserIdName).at_index(2))
    );
    assert_eq!(
        functions
            .insert_many(vec![
                NewFunction::new(ada.id, name("a")),
                NewFunction::new(UserId::new(999_999), name("b")),
            ])
            .await,
        Err(missing(ForeignKey::FunctionsUserId).at_index(1))
    );
    // Renames: to a free name, or a conflict that changes nothing.
    assert_eq!(
        functions
            .update_by_id(
                spaced.id,
                FunctionPatch {
                    name: Some(name("resize")),
                    ..FunctionPatch::default()
                },
            )
            .await,
        Err(conflict(UniqueKey::FunctionsUserIdName))
    );
    assert_eq!(
        functions
            .update_where(
                FunctionField::UserId.eq(ada.id),
                FunctionPatch {
                    name: Some(name("same")),
                    ..FunctionPatch::default()
                },
            )
            .await,
        Err(conflict(UniqueKey::FunctionsUserIdName))
    );
    assert_eq!(functions.find_all(Query::new()).await, Ok(before));
    let t2 = fx.tick();
    let renamed = functions
        .update_by_id(
            spaced.id,
            FunctionPatch {
                name: Some(name("thumbnail")),
                status: Some(FunctionStatus::Failed),
                analysis_result: Some(Some(json(j!([1, "two", 3.5])))),
            },
        )
        .await;
    assert_eq!(
        renamed,
        Ok(Function {
            name: name("thumbnail"),
            status: FunctionStatus::Failed,
            analysis_result: Some(json(j!([1, "two", 3.5]))),
            updated_at: t2,
            ..spaced
        })
    );
    assert_eq!(
        functions
            .update_by_id(FunctionId::new(999_999), FunctionPatch::default())
            .await,
        Err(not_found(Table::Functions))
    );
    assert_eq!(functions.delete_by_id(bobs.id).await, Ok(()));
    assert_eq!(
        functions.delete_by_id(bobs.id).await,
        Err(not_found(Table::Functions))
    );
}

/// Function upserts: on (owner, name) and on uuid; what the update keeps and takes; conflicts
/// on the other key and a missing owner.
pub async fn functions_upsert<U: ContractStore>(fx: Fixture<U>) {
    let functions = fx.db.functions();
    let ada = user(&fx.db, "ada@example.com").await;
    let bob = user(&fx.db, "bob@example.com").await;
    let resize = function(&fx.db, &ada, "resize").await;
    let thumbs = function(&fx.db, &ada, "thumbs").await;
    // The active deployment is not an input column: an upsert keeps it.
    let d = deployment(&fx.db, &resize).await;
    fx.db.deployments().activate(d.id).await.expect("activate");
    let resize = functions
        .find_by_id(resize.id)
        .await
        .expect("find")
        .expect("resize");

    let t = fx.tick();
    let same_key = NewFunction {
        status: FunctionStatus::Failed,
        analysis_result: Some(json(j!({"errors": 1}))),
        ..NewFunction::new(ada.id, name("resize"))
    };
    let resize = Function {
        status: FunctionStatus::Failed,
        analysis_result: Some(json(j!({"errors": 1}))),
        updated_at: t,
        ..resize
    };
    assert_eq!(
        functions.upsert(same_key, FunctionKey::OwnerAndName).await,
        Ok(Upserted::Updated(resize.clone()))
    );
    assert_eq!(resize.active_deployment_id, Some(d.id));

    // On the uuid, the owner and the name are taken from the input too.
    let t = fx.tick();
    let by_uuid = NewFunction {
        uuid: resize.uuid,
        ..NewFunction::new(bob.id, name("resizer"))
    };
    let resize = Function {
        user_id: bob.id,
        name: name("resizer"),
        status: FunctionStatus::Active,
        analysis_result: None,
        updated_at: t,
        ..resize
    };
    assert_eq!(
        functions.upsert(by_uuid, FunctionKey::Uuid).await,
        Ok(Upserted::Updated(resize.clone()))
    );

    let t = fx.tick();
    let new = NewFunction::new(ada.id, name("resize"));
    match functions
        .upsert(new.clone(), FunctionKey::OwnerAndName)
        .await
    {
        Ok(Upserted::Inserted(row)) => assert_eq!(row, stored_function(&new, row.id, t)),
        other => panic!("expected Inserted, got {other:?}"),
    }

    let before = functions.find_all(Query::new()).await.expect("find_all");
    let onto_thumbs = NewFunction {
        uuid: resize.uuid,
        ..NewFunction::new(ada.id, name("thumbs"))
    };
    assert_eq!(
        functions.upsert(onto_thumbs, FunctionKey::Uuid).await,
        Err(conflict(UniqueKey::FunctionsUserIdName))
    );
    let taken_uuid = NewFunction {
        uuid: thumbs.uuid,
        ..NewFunction::new(bob.id, name("fresh"))
    };
    assert_eq!(
        functions
            .upsert(taken_uuid, FunctionKey::OwnerAndName)
            .await,
        Err(conflict(UniqueKey::FunctionsUuid))
    );
    let orphan = NewFunction {
        uuid: resize.uuid,
        ..NewFunction::new(UserId::new(999_999), name("resizer"))
    };
    assert_eq!(
        functions.upsert(orphan, FunctionKey::Uuid).await,
        Err(missing(ForeignKey::FunctionsUserId))
    );
    assert_eq!(
        functions
            .upsert(
                NewFunction::new(UserId::new(999_999), name("x")),
                FunctionKey::OwnerAndName
            )
            .await,
        Err(missing(ForeignKey::FunctionsUserId))
    );
    assert_eq!(functions.find_all(Query::new()).await, Ok(before));
}

/// `find_by_owner`: newest first (created_at desc, then id desc, so rows created at one
/// instant come out highest id first), paged, other owners left out, bad pages rejected.
pub async fn functions_find_by_owner<U: ContractStore>(fx: Fixture<U>) {
    let functions = fx.db.functions();
    let ada = user(&fx.db, "ada@example.com").await;
    let bob = user(&fx.db, "bob@example.com").await;
    fx.tick();
    let mut adas = functions_named(&fx.db, &ada, &["a", "b", "c"]).await;
    function(&fx.db, &bob, "bob-1").await;
    for n in ["d", "e", "f", "g"] {
        fx.tick();
        adas.push(function(&fx.db, &ada, n).await);
        function(&fx.db, &bob, &format!("bob-{n}")).await;
    }
    let mut newest_first = adas.clone();
    newest_first.sort_by_key(|f| std::cmp::Reverse((f.created_at, f.id)));
    let names: Vec<&str> = newest_first.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["g", "f", "e", "d", "c", "b", "a"]);

    for page in 1..=4_u64 {
        let start = (((page - 1) * 3) as usize).min(7);
        let end = (start + 3).min(7);
        assert_eq!(
            functions
                .find_by_owner(ada.id.into(), PageRequest::new(page, 3))
                .await,
            Ok(Page::new(newest_first[start..end].to_vec(), 7, page, 3)),
            "page {page}"
        );
    }
    assert_eq!(
        functions
            .find_by_owner(UserId::new(999_999).into(), PageRequest::new(1, 10))
            .await,
        Ok(Page::new(vec![], 0, 1, 10))
    );
    for bad in [
        PageRequest::new(0, 3),
        PageRequest::new(1, 0),
        PageRequest::new(1, containerpub_ports::MAX_PAGE_SIZE + 1),
        PageRequest::new(u64::MAX, 2),
    ] {
        let expected = bad.offset().expect_err("bad page");
        assert!(matches!(expected, StoreError::InvalidInput(_)));
        assert_eq!(
            functions.find_by_owner(ada.id.into(), bad).await,
            Err(expected)
        );
    }
    assert_eq!(
        functions
            .find_by_owner(ada.id.into(), PageRequest::new(0, 3))
            .await,
        Err(StoreError::invalid(
            "page",
            Rule::TooSmall { min: 1, actual: 0 }
        ))
    );
}

/// `details` (owner, deployments highest version first, the active pointer) and `summaries`
/// (owner e-mail and deployment count per function, in the query's order, with filters,
/// limits and offsets; a bad filter rejected).
pub async fn functions_details_and_summaries<U: ContractStore>(fx: Fixture<U>) {
    let functions = fx.db.functions();
    let deployments = fx.db.deployments();
    let ada = user(&fx.db, "ada@example.com").await;
    let bob = user(&fx.db, "bob@example.com").await;
    let f = function(&fx.db, &ada, "f").await;
    let g = function(&fx.db, &ada, "g").await;
    let h = function(&fx.db, &bob, "h").await;
    let mut fds = Vec::new();
    for _ in 0..3 {
        fx.tick();
        fds.push(deployment(&fx.db, &f).await);
    }
    let hd = deployment(&fx.db, &h).await;

    assert_eq!(
        functions.details(FunctionId::new(999_999).into()).await,
        Ok(None)
    );
    let active = deployments.activate(fds[1].id).await.expect("activate");
    let f = functions.find_by_id(f.id).await.expect("find").expect("f");
    let mut expected_deployments = vec![fds[2].clone(), active, fds[0].clone()];
    assert_eq!(
        functions.details(f.id.into()).await,
        Ok(Some(FunctionDetails {
            function: f.clone(),
            owner: ada.clone(),
            deployments: expected_deployments.clone(),
        }))
    );
    assert_eq!(
        functions.details(g.id.into()).await,
        Ok(Some(FunctionDetails {
            function: g.clone(),
            owner: ada.clone(),
            deployments: vec![],
        }))
    );
    let versions: Vec<i32> = expected_deployments
        .iter()
        .map(|d| d.version.get())
        .collect();
    assert_eq!(versions, [3, 2, 1]);
    let v4 = deployments
        .create_next_version(NewDeployment::new(f.id))
        .await
        .expect("v4");
    expected_deployments.insert(0, v4);
    assert_eq!(
        functions
            .details(f.id.into())
            .await
            .map(|d| d.map(|d| d.deployments)),
        Ok(Some(expected_deployments))
    );

    let summary = |function: &Function, owner_email: &str, deployment_count: u64| FunctionSummary {
        function: function.clone(),
        owner_email: super::seed::email(owner_email),
        deployment_count,
    };
    let all = vec![
        summary(&f, "ada@example.com", 4),
        summary(&g, "ada@example.com", 0),
        summary(&h, "bob@example.com", 1),
    ];
    assert_eq!(functions.summaries(Query::new()).await, Ok(all.clone()));
    assert_eq!(
        functions
            .summaries(Query::new().order_by(FunctionField::Name.desc()))
            .await,
        Ok(vec![all[2].clone(), all[1].clone(), all[0].clone()])
    );
    assert_eq!(
        functions
            .summaries(Query::filter(FunctionField::UserId.eq(ada.id)).offset(1))
            .await,
        Ok(vec![all[1].clone()])
    );
    assert_eq!(
        functions
            .summaries(Query::filter(
                FunctionField::ActiveDeploymentId.is_not_null()
            ))
            .await,
        Ok(vec![all[0].clone()])
    );
    assert_eq!(functions.summaries(Query::new().limit(0)).await, Ok(vec![]));
    assert_eq!(
        functions.summaries(Query::new().limit(2)).await,
        Ok(all[..2].to_vec())
    );
    assert_eq!(
        functions.summaries(Query::new().offset(3)).await,
        Ok(vec![])
    );
    assert_eq!(
        functions
            .summaries(Query::filter(FunctionField::Uuid.eq(Uuid::new_v4())))
            .await,
        Ok(vec![])
    );
    let bad = Query::filter(FunctionField::Name.eq(7));
    let expected = bad.validate().expect_err("bad filter");
    assert_eq!(functions.summaries(bad).await, Err(expected));
    assert_eq!(
        functions
            .summaries(Query::filter(Filter::Not(Box::new(
                FunctionField::Name.eq("f")
            ))))
            .await,
        Ok(all[1..].to_vec())
    );
    // Deleting a function's deployment changes its count.
    deployments.delete_by_id(hd.id).await.expect("delete");
    assert_eq!(
        functions
            .summaries(Query::filter(FunctionField::Id.eq(h.id)))
            .await,
        Ok(vec![summary(&h, "bob@example.com", 0)])
    );
}
