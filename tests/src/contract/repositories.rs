//! `repositories`: the path tree, soft deletes, moves and renames, upserts.

use containerpub_domain::{
    NewRepository, Repository, RepositoryId, RepositoryPatch, Rule, Timestamp,
};
use containerpub_ports::{
    Filter, ForeignKey, KeysetRequest, PageRequest, Query, RepositoryField, RepositoryKey,
    RepositoryStore, StoreError, Stores, Table, UniqueKey, Upserted,
};

use super::seed::{assert_invalid, conflict, missing, not_found, path, repository};
use super::surface::{Spec, assert_refused, check};
use super::{ContractStore, Fixture};

fn stored_repository(
    new: &NewRepository,
    id: RepositoryId,
    parent: Option<RepositoryId>,
    now: Timestamp,
) -> Repository {
    Repository {
        id,
        uuid: new.uuid,
        name: new.path.name().to_owned(),
        path: new.path.clone(),
        parent_id: parent,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    }
}

fn moved_to(to: &str) -> RepositoryPatch {
    RepositoryPatch {
        path: Some(path(to)),
    }
}

async fn live<S: Stores + ?Sized>(db: &S) -> Vec<Repository> {
    db.repositories()
        .find_all(Query::new())
        .await
        .expect("find_all")
}

/// The tree used by several scenarios (paths in creation order).
const TREE: [&str; 11] = [
    "acme",
    "acme/api",
    "acme/api/worker",
    "acme/api/worker/gpu",
    "acme/api-v2",
    "acme/web",
    "acme-tools",
    "acme.io",
    "acmeco",
    "beta",
    "beta/tools",
];

/// Creates [`TREE`], one second apart, and returns the rows in the same order.
async fn tree<U: ContractStore>(fx: &Fixture<U>) -> [Repository; TREE.len()] {
    let mut rows = Vec::new();
    for p in TREE {
        fx.tick();
        rows.push(repository(&fx.db, p).await);
    }
    rows.try_into().expect("one row per path")
}

fn paths(rows: &[Repository]) -> Vec<&str> {
    rows.iter().map(|r| r.path.as_str()).collect()
}

/// The generic surface of `repositories` (top-level paths).
pub async fn repositories_generic<U: ContractStore>(fx: Fixture<U>) {
    let news: Vec<NewRepository> = ["alpha", "beta", "gamma", "delta", "epsilon"]
        .iter()
        .map(|p| NewRepository::new(path(p)))
        .collect();
    let store: &dyn RepositoryStore = fx.db.repositories();
    check(
        &fx.clock,
        store,
        Spec {
            news,
            expect_insert: &|_, new, id, now| stored_repository(new, id, None, now),
            patch: RepositoryPatch::default(),
            expect_update: &|before, now| Repository {
                updated_at: now,
                ..before.clone()
            },
        },
    )
    .await;
}

/// The tree: name and parent derived from the path; descendants at any depth ordered by
/// path (bytes: `acme/api-v2` sorts between `acme/api` and `acme/api/worker` and is no
/// descendant of `acme/api`); ancestors nearest first; siblings, top-level ones included;
/// NotFound for unknown ids; a missing parent; live path and uuid conflicts.
#[allow(clippy::too_many_lines)]
pub async fn repositories_tree<U: ContractStore>(fx: Fixture<U>) {
    let repos = fx.db.repositories();
    let t = fx.tick();
    let new = NewRepository::new(path("acme"));
    let acme = repos.create(new.clone()).await.expect("create");
    assert_eq!(acme, stored_repository(&new, acme.id, None, t));
    let t = fx.tick();
    let new = NewRepository::new(path("acme/api"));
    let api = repos.insert(new.clone()).await.expect("insert");
    assert_eq!(api, stored_repository(&new, api.id, Some(acme.id), t));
    assert_eq!(api.name, "api");
    let mut rows = vec![acme.clone(), api.clone()];
    for p in &TREE[2..] {
        fx.tick();
        rows.push(repository(&fx.db, p).await);
    }
    let by_path = |p: &str| {
        rows.iter()
            .find(|r| r.path.as_str() == p)
            .cloned()
            .expect("in the tree")
    };
    let (worker, gpu, v2, web) = (
        by_path("acme/api/worker"),
        by_path("acme/api/worker/gpu"),
        by_path("acme/api-v2"),
        by_path("acme/web"),
    );
    let (beta, tools) = (by_path("beta"), by_path("beta/tools"));
    assert_eq!(
        (worker.parent_id, gpu.parent_id),
        (Some(api.id), Some(worker.id))
    );
    assert_eq!((gpu.name.as_str(), tools.parent_id), ("gpu", Some(beta.id)));
    assert_eq!(
        repos.find_by_path(&path("acme/api")).await,
        Ok(Some(api.clone()))
    );
    assert_eq!(repos.find_by_path(&path("acme/nope")).await, Ok(None));
    assert_eq!(repos.find_by_uuid(gpu.uuid).await, Ok(Some(gpu.clone())));

    let descendants = repos
        .descendants_of(acme.id.into())
        .await
        .expect("descendants");
    assert_eq!(
        paths(&descendants),
        [
            "acme/api",
            "acme/api-v2",
            "acme/api/worker",
            "acme/api/worker/gpu",
            "acme/web"
        ]
    );
    assert_eq!(
        descendants,
        vec![
            api.clone(),
            v2.clone(),
            worker.clone(),
            gpu.clone(),
            web.clone()
        ]
    );
    assert_eq!(
        repos.descendants_of(api.id.into()).await,
        Ok(vec![worker.clone(), gpu.clone()])
    );
    assert_eq!(repos.descendants_of(gpu.id.into()).await, Ok(vec![]));
    assert_eq!(
        repos.ancestors_of(gpu.id.into()).await,
        Ok(vec![worker.clone(), api.clone(), acme.clone()])
    );
    assert_eq!(
        repos.ancestors_of(api.id.into()).await,
        Ok(vec![acme.clone()])
    );
    assert_eq!(repos.ancestors_of(acme.id.into()).await, Ok(vec![]));
    assert_eq!(
        repos.siblings_of(api.id.into()).await,
        Ok(vec![v2.clone(), web.clone()])
    );
    let top = repos.siblings_of(acme.id.into()).await.expect("siblings");
    assert_eq!(paths(&top), ["acme-tools", "acme.io", "acmeco", "beta"]);
    assert_eq!(repos.siblings_of(gpu.id.into()).await, Ok(vec![]));
    assert_eq!(repos.siblings_of(tools.id.into()).await, Ok(vec![]));
    let unknown = RepositoryId::new(999_999);
    assert_eq!(
        repos.descendants_of(unknown.into()).await,
        Err(not_found(Table::Repositories))
    );
    assert_eq!(
        repos.ancestors_of(unknown.into()).await,
        Err(not_found(Table::Repositories))
    );
    assert_eq!(
        repos.siblings_of(unknown.into()).await,
        Err(not_found(Table::Repositories))
    );

    // Generic reads over the tree.
    assert_eq!(
        repos.count(RepositoryField::ParentId.eq(acme.id)).await,
        Ok(3)
    );
    let top_level = repos
        .find_all(Query::filter(RepositoryField::ParentId.is_null()))
        .await
        .expect("find_all");
    assert_eq!(
        paths(&top_level),
        ["acme", "acme-tools", "acme.io", "acmeco", "beta"]
    );
    let sorted = repos
        .find_all(Query::new().order_by(RepositoryField::Path.asc()))
        .await
        .expect("find_all");
    let mut expected: Vec<&str> = TREE.to_vec();
    expected.sort_unstable();
    assert_eq!(paths(&sorted), expected);
    assert_eq!(
        repos
            .find_all(Query::filter(
                RepositoryField::Path.starts_with("acme/api/")
            ))
            .await,
        Ok(vec![worker.clone(), gpu.clone()])
    );

    // Errors: the parent is checked first (no sequence value taken), then the keys.
    let before = live(&fx.db).await;
    let cases = [
        (
            NewRepository::new(path("nope/x")),
            missing(ForeignKey::RepositoriesParentId),
        ),
        (
            NewRepository::new(path("acme/nope/x")),
            missing(ForeignKey::RepositoriesParentId),
        ),
        (
            NewRepository::new(path("acme/api")),
            conflict(UniqueKey::RepositoriesLivePath),
        ),
        (
            NewRepository {
                uuid: acme.uuid,
                ..NewRepository::new(path("gamma"))
            },
            conflict(UniqueKey::RepositoriesUuid),
        ),
        (
            NewRepository {
                uuid: acme.uuid,
                ..NewRepository::new(path("nope/x"))
            },
            missing(ForeignKey::RepositoriesParentId),
        ),
    ];
    for (new, expected) in cases {
        let created = repos.create(new.clone()).await;
        assert_refused(repos, new, created, expected).await;
    }
    assert_eq!(
        repos
            .insert_many(vec![
                NewRepository::new(path("delta")),
                NewRepository::new(path("delta")),
            ])
            .await,
        Err(conflict(UniqueKey::RepositoriesLivePath).at_index(1))
    );
    assert_eq!(
        repos
            .insert_many(vec![
                NewRepository::new(path("delta")),
                NewRepository::new(path("nope/y")),
            ])
            .await,
        Err(missing(ForeignKey::RepositoriesParentId).at_index(1))
    );
    assert_eq!(live(&fx.db).await, before);

    // Hard deletes cascade to the whole subtree.
    assert_eq!(repos.delete_by_id(api.id).await, Ok(()));
    assert_eq!(repos.find_by_id(gpu.id).await, Ok(None));
    assert_eq!(
        repos.descendants_of(acme.id.into()).await,
        Ok(vec![v2.clone(), web.clone()])
    );
    assert_eq!(
        repos.delete_where(RepositoryField::Path.eq("beta")).await,
        Ok(1)
    );
    assert_eq!(repos.find_by_id(tools.id).await, Ok(None));
    assert_eq!(
        repos.delete_by_id(api.id).await,
        Err(not_found(Table::Repositories))
    );
}

/// Soft delete: the row and its live subtree vanish from every read (by id, uuid, path,
/// lists, count, exists, pages, windows, relations) and every write (NotFound); their paths
/// can be created again; children of a soft-deleted parent cannot.
#[allow(clippy::too_many_lines)]
pub async fn repositories_soft_delete<U: ContractStore>(fx: Fixture<U>) {
    let repos = fx.db.repositories();
    let rows = tree(&fx).await;
    // acme, acme/api, acme/api/worker, acme/api/worker/gpu, acme/api-v2, acme/web, ...
    let [acme, api, worker, gpu, v2, web, ..] = rows.clone();

    fx.tick();
    assert_eq!(
        repos.soft_delete(api.id.into()).await,
        Ok(3),
        "api, worker and gpu"
    );
    let gone = [&api, &worker, &gpu];
    let visible: Vec<Repository> = rows
        .iter()
        .filter(|r| !gone.iter().any(|g| g.id == r.id))
        .cloned()
        .collect();
    assert_eq!(live(&fx.db).await, visible, "the others are untouched");
    for g in gone {
        assert_eq!(repos.find_by_id(g.id).await, Ok(None));
        assert_eq!(repos.find_by_uuid(g.uuid).await, Ok(None));
        assert_eq!(repos.find_by_path(&g.path).await, Ok(None));
        assert_eq!(repos.exists(RepositoryField::Id.eq(g.id)).await, Ok(false));
        assert_eq!(repos.count(RepositoryField::Uuid.eq(g.uuid)).await, Ok(0));
        assert_eq!(
            repos.descendants_of(g.id.into()).await,
            Err(not_found(Table::Repositories))
        );
        assert_eq!(
            repos.ancestors_of(g.id.into()).await,
            Err(not_found(Table::Repositories))
        );
        assert_eq!(
            repos.siblings_of(g.id.into()).await,
            Err(not_found(Table::Repositories))
        );
        assert_eq!(
            repos.soft_delete(g.id.into()).await,
            Err(not_found(Table::Repositories))
        );
        assert_eq!(
            repos.update_by_id(g.id, RepositoryPatch::default()).await,
            Err(not_found(Table::Repositories))
        );
        assert_eq!(
            repos.update_by_id(g.id, moved_to("moved")).await,
            Err(not_found(Table::Repositories))
        );
        assert_eq!(
            repos.delete_by_id(g.id).await,
            Err(not_found(Table::Repositories))
        );
    }
    assert_eq!(repos.count(Filter::All).await, Ok(visible.len() as u64));
    assert_eq!(
        repos
            .count(RepositoryField::Path.starts_with("acme/api/"))
            .await,
        Ok(0)
    );
    let page = repos
        .find_page(Filter::All, vec![], PageRequest::new(1, 100))
        .await
        .expect("find_page");
    assert_eq!(
        (page.total, page.items.clone()),
        (visible.len() as u64, visible.clone())
    );
    let window = repos
        .find_window(Filter::All, vec![], KeysetRequest::first(100))
        .await
        .expect("find_window");
    assert_eq!(window.items, visible);
    assert_eq!(
        repos
            .find_one(Query::filter(RepositoryField::Path.eq("acme/api")))
            .await,
        Ok(None)
    );
    assert_eq!(
        repos.descendants_of(acme.id.into()).await,
        Ok(vec![v2.clone(), web.clone()])
    );
    assert_eq!(repos.siblings_of(v2.id.into()).await, Ok(vec![web.clone()]));
    assert_eq!(
        repos
            .update_where(Filter::All, RepositoryPatch::default())
            .await,
        Ok(visible.len() as u64),
        "update_where addresses live rows only"
    );
    assert_eq!(
        repos
            .delete_where(RepositoryField::Path.eq("acme/api"))
            .await,
        Ok(0)
    );
    assert_eq!(
        repos.soft_delete(RepositoryId::new(999_999).into()).await,
        Err(not_found(Table::Repositories))
    );

    // A child of a soft-deleted repository cannot be created; the path itself can.
    assert_eq!(
        repos
            .create(NewRepository::new(path("acme/api/worker")))
            .await,
        Err(missing(ForeignKey::RepositoriesParentId))
    );
    let t = fx.tick();
    let new = NewRepository::new(path("acme/api"));
    let api2 = repos.create(new.clone()).await.expect("re-create");
    assert_eq!(api2, stored_repository(&new, api2.id, Some(acme.id), t));
    assert!(api2.id > rows.last().expect("rows").id);
    let worker2 = repository(&fx.db, "acme/api/worker").await;
    assert_eq!(worker2.parent_id, Some(api2.id));
    assert_eq!(
        repos
            .descendants_of(acme.id.into())
            .await
            .map(|d| d.iter().map(|r| r.id).collect::<Vec<_>>()),
        Ok(vec![api2.id, v2.id, worker2.id, web.id])
    );
    assert_eq!(
        repos.find_by_path(&path("acme/api")).await,
        Ok(Some(api2.clone()))
    );

    // A hard delete cascades to soft-deleted descendants too: the uuid a soft-deleted row
    // still holds becomes free once it is gone.
    fx.tick();
    assert_eq!(repos.soft_delete(web.id.into()).await, Ok(1));
    let reuse = NewRepository {
        uuid: web.uuid,
        ..NewRepository::new(path("web-again"))
    };
    assert_eq!(
        repos.create(reuse.clone()).await,
        Err(conflict(UniqueKey::RepositoriesUuid)),
        "a soft-deleted row keeps its uuid"
    );
    assert_eq!(repos.delete_by_id(acme.id).await, Ok(()));
    assert_eq!(
        paths(&live(&fx.db).await),
        ["acme-tools", "acme.io", "acmeco", "beta", "beta/tools"]
    );
    let again = repos.create(reuse).await.expect("the uuid is free");
    assert_eq!(again.uuid, web.uuid);

    // Soft-deleting a whole top-level tree.
    fx.tick();
    let beta = rows[9].clone(); // TREE[9]: "beta"
    assert_eq!(repos.soft_delete(beta.id.into()).await, Ok(2));
    assert_eq!(
        paths(&live(&fx.db).await),
        ["acme-tools", "acme.io", "acmeco", "web-again"]
    );
    assert_eq!(
        repos.siblings_of(again.id.into()).await.map(|s| s.len()),
        Ok(3)
    );
}

/// Moves and renames through `update_by_id`: the whole live subtree follows (paths, parent,
/// updated_at; names of descendants unchanged); the same path only stamps; below itself,
/// a missing parent, a live collision, a descendant path over 255 characters are errors that
/// change nothing; `update_where` cannot change paths.
#[allow(clippy::too_many_lines)]
pub async fn repositories_move<U: ContractStore>(fx: Fixture<U>) {
    let repos = fx.db.repositories();
    let rows = tree(&fx).await;
    // acme, acme/api, acme/api/worker, acme/api/worker/gpu, (acme/api-v2), acme/web, ...,
    // beta, (beta/tools)
    let [acme, api, worker, gpu, _, web, _, _, _, beta, _] = rows.clone();

    // Move acme/api below beta, as beta/service.
    let t = fx.tick();
    let service = repos
        .update_by_id(api.id, moved_to("beta/service"))
        .await
        .expect("move");
    assert_eq!(
        service,
        Repository {
            name: "service".to_owned(),
            path: path("beta/service"),
            parent_id: Some(beta.id),
            updated_at: t,
            ..api.clone()
        }
    );
    let worker = Repository {
        path: path("beta/service/worker"),
        updated_at: t,
        ..worker
    };
    let gpu = Repository {
        path: path("beta/service/worker/gpu"),
        updated_at: t,
        ..gpu
    };
    assert_eq!(
        repos.descendants_of(service.id.into()).await,
        Ok(vec![worker.clone(), gpu.clone()])
    );
    assert_eq!(repos.find_by_path(&path("acme/api")).await, Ok(None));
    assert_eq!(repos.find_by_path(&path("acme/api/worker")).await, Ok(None));
    assert_eq!(
        repos.ancestors_of(gpu.id.into()).await,
        Ok(vec![worker.clone(), service.clone(), beta.clone()])
    );

    // A rename in place.
    let t = fx.tick();
    let website = repos.update_by_id(web.id, moved_to("acme/website")).await;
    let website = website.expect("rename");
    assert_eq!(
        website,
        Repository {
            name: "website".to_owned(),
            path: path("acme/website"),
            updated_at: t,
            ..web.clone()
        }
    );

    // The same path: only updated_at, descendants untouched.
    let before = live(&fx.db).await;
    let t = fx.tick();
    assert_eq!(
        repos
            .update_by_id(service.id, moved_to("beta/service"))
            .await,
        Ok(Repository {
            updated_at: t,
            ..service.clone()
        })
    );
    let service = Repository {
        updated_at: t,
        ..service
    };
    let expected: Vec<Repository> = before
        .iter()
        .map(|r| {
            if r.id == service.id {
                service.clone()
            } else {
                r.clone()
            }
        })
        .collect();
    assert_eq!(live(&fx.db).await, expected);

    // Errors change nothing.
    let before = live(&fx.db).await;
    for to in [
        "beta/service/x",
        "beta/service/worker",
        "beta/service/worker/gpu/x",
    ] {
        let err = repos
            .update_by_id(service.id, moved_to(to))
            .await
            .expect_err("below itself");
        assert_invalid(&err, "path");
    }
    assert_eq!(
        repos
            .update_by_id(website.id, moved_to("nope/website"))
            .await,
        Err(missing(ForeignKey::RepositoriesParentId))
    );
    assert_eq!(
        repos.update_by_id(website.id, moved_to("beta/tools")).await,
        Err(conflict(UniqueKey::RepositoriesLivePath))
    );
    assert_eq!(
        repos.update_by_id(website.id, moved_to("acme")).await,
        Err(conflict(UniqueKey::RepositoriesLivePath))
    );
    assert_eq!(
        repos
            .update_by_id(RepositoryId::new(999_999), moved_to("x"))
            .await,
        Err(not_found(Table::Repositories))
    );
    let expected_err = StoreError::invalid(
        "path",
        Rule::Invariant("paths change one repository at a time"),
    );
    assert_eq!(
        repos
            .update_where(RepositoryField::Id.eq(website.id), moved_to("acme/site"))
            .await,
        Err(expected_err.clone())
    );
    assert_eq!(
        repos
            .update_where(Filter::Or(vec![]), moved_to("acme/site"))
            .await,
        Err(expected_err)
    );
    assert_eq!(live(&fx.db).await, before);

    // A descendant path may not grow beyond 255 characters.
    let long_parent = repository(&fx.db, "long").await;
    let long_child = repository(&fx.db, "long/child-segment").await;
    let before = live(&fx.db).await;
    let to = "x".repeat(250);
    let err = repos
        .update_by_id(long_parent.id, moved_to(&to))
        .await
        .expect_err("too long below");
    assert_invalid(&err, "path");
    assert_eq!(live(&fx.db).await, before);
    assert_eq!(
        repos.find_by_id(long_child.id).await,
        Ok(Some(long_child.clone()))
    );

    // Moving to the top level.
    let t = fx.tick();
    let top = repos
        .update_by_id(worker.id, moved_to("worker"))
        .await
        .expect("to the top");
    assert_eq!(
        top,
        Repository {
            path: path("worker"),
            parent_id: None,
            updated_at: t,
            ..worker
        }
    );
    assert_eq!(
        repos.find_by_path(&path("worker/gpu")).await,
        Ok(Some(Repository {
            path: path("worker/gpu"),
            updated_at: t,
            ..gpu
        }))
    );
    assert_eq!(repos.descendants_of(service.id.into()).await, Ok(vec![]));
    let t = fx.tick();
    let stamped = repos
        .update_where(
            RepositoryField::ParentId.eq(acme.id),
            RepositoryPatch::default(),
        )
        .await;
    assert_eq!(stamped, Ok(2), "acme/api-v2 and acme/website");
    assert_eq!(
        repos.find_by_id(website.id).await,
        Ok(Some(Repository {
            updated_at: t,
            ..website
        }))
    );
}

/// Repository upserts: on the live path (inserted, then updated: only updated_at changes)
/// and on the uuid (the path is not moved); the insert branch checks the parent and the
/// other key; a soft-deleted path is inserted again.
pub async fn repositories_upsert<U: ContractStore>(fx: Fixture<U>) {
    let repos = fx.db.repositories();
    let t = fx.tick();
    let new = NewRepository::new(path("acme"));
    let acme = match repos.upsert(new.clone(), RepositoryKey::LivePath).await {
        Ok(Upserted::Inserted(row)) => row,
        other => panic!("expected Inserted, got {other:?}"),
    };
    assert_eq!(acme, stored_repository(&new, acme.id, None, t));
    let t = fx.tick();
    let acme = Repository {
        updated_at: t,
        ..acme
    };
    assert_eq!(
        repos
            .upsert(NewRepository::new(path("acme")), RepositoryKey::LivePath)
            .await,
        Ok(Upserted::Updated(acme.clone()))
    );
    let t = fx.tick();
    let acme = Repository {
        updated_at: t,
        ..acme
    };
    let same_uuid_other_path = NewRepository {
        uuid: acme.uuid,
        ..NewRepository::new(path("elsewhere"))
    };
    assert_eq!(
        repos
            .upsert(same_uuid_other_path, RepositoryKey::Uuid)
            .await,
        Ok(Upserted::Updated(acme.clone())),
        "an upsert never moves a repository"
    );
    assert_eq!(repos.find_by_path(&path("elsewhere")).await, Ok(None));

    let before = live(&fx.db).await;
    assert_eq!(
        repos
            .upsert(NewRepository::new(path("nope/x")), RepositoryKey::LivePath)
            .await,
        Err(missing(ForeignKey::RepositoriesParentId))
    );
    let taken_uuid = NewRepository {
        uuid: acme.uuid,
        ..NewRepository::new(path("beta"))
    };
    assert_eq!(
        repos.upsert(taken_uuid, RepositoryKey::LivePath).await,
        Err(conflict(UniqueKey::RepositoriesUuid))
    );
    let taken_path = NewRepository::new(path("acme"));
    assert_eq!(
        repos.upsert(taken_path, RepositoryKey::Uuid).await,
        Err(conflict(UniqueKey::RepositoriesLivePath))
    );
    assert_eq!(live(&fx.db).await, before);

    let t = fx.tick();
    let new = NewRepository::new(path("acme/api"));
    match repos.upsert(new.clone(), RepositoryKey::Uuid).await {
        Ok(Upserted::Inserted(row)) => {
            assert_eq!(row, stored_repository(&new, row.id, Some(acme.id), t));
        }
        other => panic!("expected Inserted, got {other:?}"),
    }

    // After a soft delete the path is free: the upsert inserts a new row.
    assert_eq!(repos.soft_delete(acme.id.into()).await, Ok(2));
    let t = fx.tick();
    let new = NewRepository::new(path("acme"));
    match repos.upsert(new.clone(), RepositoryKey::LivePath).await {
        Ok(Upserted::Inserted(row)) => {
            assert_eq!(row, stored_repository(&new, row.id, None, t));
            assert!(row.id > acme.id);
        }
        other => panic!("expected Inserted, got {other:?}"),
    }
    // The soft-deleted row's uuid is no longer visible, but it is still taken.
    let reuse = NewRepository {
        uuid: acme.uuid,
        ..NewRepository::new(path("gamma"))
    };
    assert_eq!(
        repos.upsert(reuse, RepositoryKey::LivePath).await,
        Err(conflict(UniqueKey::RepositoriesUuid))
    );
}
