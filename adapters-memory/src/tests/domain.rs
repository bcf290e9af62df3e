//! The domain operations: organizations and members, functions and deployments, logs and
//! invocations, and the repository tree. (The upsert branches are contract scenarios,
//! `users_upsert` and `functions_upsert`, run on both adapters.)

use chrono::TimeDelta;
use containerpub_domain::{
    DeploymentId, DeploymentPatch, DeploymentStatus, InvocationStatus, LogLevel, NewDeployment,
    NewLog, NewOrganization, NewOrganizationMember, NewRepository, NewUserInformation,
    RepositoryPatch, Role, Rule, Uuid,
};
use containerpub_ports::{
    DeploymentKey, ForeignKey, FunctionField, Lookup, OrganizationKey, OrganizationMemberKey,
    PageRequest, Query, RepositoryField, RepositoryKey, StoreError, Stores, Table, UniqueKey,
    Upserted, UserInformationKey,
};

use super::{at, function, invocation_at, log_at, name, org, path, repo, store, text, user};

fn paths(rows: &[containerpub_domain::Repository]) -> Vec<&str> {
    rows.iter().map(|r| r.path.as_str()).collect()
}

#[tokio::test]
async fn organizations_bring_their_owner_in_as_a_member() {
    let (db, clock) = store();
    let ada = user(&db, "ada@example.com").await;
    let bob = user(&db, "bob@example.com").await;
    let (acme, membership) = db
        .organizations()
        .create_with_owner(NewOrganization::new(name("acme"), ada.uuid))
        .await
        .expect("created");
    assert_eq!(
        (membership.organization_uuid, membership.user_uuid),
        (acme.uuid, ada.uuid)
    );
    // The owner already belongs to an organization: nothing is written.
    assert_eq!(
        db.organizations()
            .insert(NewOrganization::new(name("other"), ada.uuid))
            .await,
        Err(StoreError::Conflict {
            key: UniqueKey::OrganizationMembersUserId
        })
    );
    assert_eq!(
        db.organizations().find_by_name(&name("other")).await,
        Ok(None)
    );
    assert_eq!(
        db.organizations()
            .insert_many(vec![
                NewOrganization::new(name("b1"), bob.uuid),
                NewOrganization::new(name("b2"), bob.uuid),
            ])
            .await,
        Err(StoreError::Conflict {
            key: UniqueKey::OrganizationMembersUserId
        }
        .at_index(1))
    );
    assert_eq!(
        db.organizations()
            .insert(NewOrganization::new(name("ghost"), Uuid::from_u128(9)))
            .await,
        Err(StoreError::ReferenceMissing {
            key: ForeignKey::OrganizationsOwnerId
        })
    );
    // The upsert's insert branch adds the membership; its update branch changes none.
    let inserted = db
        .organizations()
        .upsert(
            NewOrganization::new(name("bobs"), bob.uuid),
            OrganizationKey::Name,
        )
        .await
        .expect("upserted");
    assert!(inserted.was_inserted());
    clock.advance(TimeDelta::seconds(1));
    let updated = db
        .organizations()
        .upsert(
            NewOrganization::new(name("bobs"), ada.uuid),
            OrganizationKey::Name,
        )
        .await
        .expect("upserted");
    let Upserted::Updated(updated) = updated else {
        panic!("expected the update branch");
    };
    assert_eq!(updated.owner_uuid, ada.uuid);
    assert_eq!(updated.uuid, inserted.row().uuid);
    assert_eq!((updated.created_at, updated.updated_at), (at(0), at(1)));
    assert_eq!(
        db.organizations()
            .organization_of(bob.uuid)
            .await
            .expect("read")
            .map(|o| o.uuid),
        Some(updated.uuid)
    );
}

#[tokio::test]
async fn members_are_added_listed_and_removed_by_the_rules() {
    let (db, clock) = store();
    let owner = user(&db, "owner@example.com").await;
    let ada = user(&db, "ada@example.com").await;
    let bob = user(&db, "bob@example.com").await;
    let acme = org(&db, "acme", &owner).await;
    let members = db.organization_members();
    assert_eq!(
        members.add_member(Uuid::from_u128(5), ada.uuid).await,
        Err(StoreError::ReferenceMissing {
            key: ForeignKey::OrganizationMembersOrganizationId
        })
    );
    clock.advance(TimeDelta::seconds(5));
    members.add_member(acme.uuid, bob.uuid).await.expect("bob");
    clock.set(at(2));
    members.add_member(acme.uuid, ada.uuid).await.expect("ada");
    assert_eq!(
        members.add_member(acme.uuid, ada.uuid).await,
        Err(StoreError::Conflict {
            key: UniqueKey::OrganizationMembersUserId
        })
    );
    let mut profile = NewUserInformation::new(ada.uuid);
    profile.role = Role::Team;
    db.user_information()
        .insert(profile)
        .await
        .expect("profile");
    let listed = members.members_of(acme.uuid).await.expect("members");
    let who: Vec<_> = listed.iter().map(|m| m.user.email.as_str()).collect();
    assert_eq!(
        who,
        ["owner@example.com", "ada@example.com", "bob@example.com"]
    );
    assert_eq!(
        listed[1].information.as_ref().map(|p| p.role),
        Some(Role::Team)
    );
    assert!(listed[2].information.is_none());
    assert_eq!(members.members_of(Uuid::from_u128(5)).await, Ok(Vec::new()));

    let other = user(&db, "other@example.com").await;
    let elsewhere = org(&db, "elsewhere", &other).await;
    assert_eq!(
        members.remove_member(elsewhere.uuid, ada.uuid).await,
        Err(StoreError::not_found(
            Table::OrganizationMembers,
            Lookup::Membership {
                organization: elsewhere.uuid,
                user: ada.uuid
            }
        ))
    );
    assert_eq!(
        members.remove_member(acme.uuid, owner.uuid).await,
        Err(StoreError::invalid(
            "user_id",
            Rule::Invariant("the organization's owner cannot be removed")
        ))
    );
    members
        .remove_member(acme.uuid, ada.uuid)
        .await
        .expect("removed");
    assert_eq!(members.membership_of(ada.uuid).await, Ok(None));

    // The upsert on the user moves them and re-stamps joined_at.
    clock.set(at(30));
    let moved = members
        .upsert(
            NewOrganizationMember {
                organization_uuid: elsewhere.uuid,
                user_uuid: bob.uuid,
            },
            OrganizationMemberKey::User,
        )
        .await
        .expect("moved");
    let Upserted::Updated(moved) = moved else {
        panic!("expected the update branch");
    };
    assert_eq!(
        (moved.organization_uuid, moved.joined_at),
        (elsewhere.uuid, at(30))
    );
}

#[tokio::test]
async fn profiles_are_upserted_per_user() {
    let (db, clock) = store();
    let ada = user(&db, "ada@example.com").await;
    let profiles = db.user_information();
    let first = profiles
        .upsert_for_user(NewUserInformation::new(ada.uuid))
        .await
        .expect("inserted");
    assert!(first.was_inserted());
    clock.advance(TimeDelta::seconds(1));
    let mut second = NewUserInformation::new(ada.uuid);
    second.role = Role::SubTeamDeveloper;
    let second = profiles.upsert_for_user(second).await.expect("updated");
    assert!(!second.was_inserted());
    assert_eq!(second.row().uuid, first.row().uuid, "the uuid is kept");
    assert_eq!(second.row().role, Role::SubTeamDeveloper);
    assert_eq!(second.row().updated_at, at(1));
    assert_eq!(
        profiles
            .upsert_for_user(NewUserInformation::new(Uuid::from_u128(3)))
            .await,
        Err(StoreError::ReferenceMissing {
            key: ForeignKey::UserInformationUserId
        })
    );
    let bob = user(&db, "bob@example.com").await;
    let mut clash = NewUserInformation::new(bob.uuid);
    clash.uuid = first.row().uuid;
    assert_eq!(
        profiles.upsert(clash, UserInformationKey::User).await,
        Err(StoreError::Conflict {
            key: UniqueKey::UserInformationUuid
        })
    );
    let view = profiles
        .profile(ada.uuid)
        .await
        .expect("read")
        .expect("user");
    assert_eq!(view.user.id, ada.id);
    assert_eq!(
        view.information.map(|p| p.role),
        Some(Role::SubTeamDeveloper)
    );
    assert_eq!(profiles.profile(Uuid::from_u128(3)).await, Ok(None));
    assert!(
        profiles
            .find_by_user(bob.uuid)
            .await
            .expect("read")
            .is_none()
    );
}

#[tokio::test]
async fn functions_list_by_owner_with_details_and_summaries() {
    let (db, clock) = store();
    let ada = user(&db, "ada@example.com").await;
    let bob = user(&db, "bob@example.com").await;
    let a1 = function(&db, ada.id, "a1").await;
    let a2 = function(&db, ada.id, "a2").await; // same created_at: id breaks the tie
    clock.advance(TimeDelta::seconds(1));
    let a3 = function(&db, ada.id, "a3").await;
    let b1 = function(&db, bob.id, "b1").await;
    let page = db
        .functions()
        .find_by_owner(ada.id.into(), PageRequest::new(1, 2))
        .await
        .expect("page");
    assert_eq!(
        page.items.iter().map(|f| f.id).collect::<Vec<_>>(),
        [a3.id, a2.id]
    );
    assert_eq!((page.total, page.has_more), (3, true));
    let page = db
        .functions()
        .find_by_owner(ada.id.into(), PageRequest::new(2, 2))
        .await
        .expect("page");
    assert_eq!(page.items.iter().map(|f| f.id).collect::<Vec<_>>(), [a1.id]);

    db.deployments()
        .insert_many(vec![NewDeployment::new(a1.id); 3])
        .await
        .expect_err("same uuid three times");
    for _ in 0..3 {
        db.deployments()
            .create_next_version(NewDeployment::new(a1.id))
            .await
            .expect("deployment");
    }
    let details = db
        .functions()
        .details(a1.id.into())
        .await
        .expect("read")
        .expect("found");
    assert_eq!(details.owner.id, ada.id);
    assert_eq!(
        details
            .deployments
            .iter()
            .map(|d| d.version.get())
            .collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert_eq!(
        db.functions()
            .details(containerpub_domain::FunctionId::new(99).into())
            .await,
        Ok(None)
    );

    let summaries = db
        .functions()
        .summaries(Query::new().order_by(FunctionField::Name.desc()))
        .await
        .expect("summaries");
    let got: Vec<_> = summaries
        .iter()
        .map(|s| (s.function.id, s.owner_email.as_str(), s.deployment_count))
        .collect();
    assert_eq!(
        got,
        [
            (b1.id, "bob@example.com", 0),
            (a3.id, "ada@example.com", 0),
            (a2.id, "ada@example.com", 0),
            (a1.id, "ada@example.com", 3),
        ]
    );
}

#[tokio::test]
async fn deployments_take_versions_and_activate_atomically() {
    let (db, clock) = store();
    let ada = user(&db, "ada@example.com").await;
    let api = function(&db, ada.id, "api").await;
    let other = function(&db, ada.id, "other").await;
    let ds = db
        .deployments()
        .insert_many(vec![
            NewDeployment::new(api.id),
            NewDeployment::new(other.id),
            NewDeployment::new(api.id),
        ])
        .await
        .expect("deployments");
    assert_eq!(
        ds.iter()
            .map(|d| (d.function_id, d.version.get()))
            .collect::<Vec<_>>(),
        [(api.id, 1), (other.id, 1), (api.id, 2)]
    );
    assert!(
        ds.iter()
            .all(|d| !d.is_active && d.status == DeploymentStatus::Pending)
    );
    db.deployments()
        .delete_by_id(ds[2].id)
        .await
        .expect("deleted");
    let next = db
        .deployments()
        .create_next_version(NewDeployment::new(api.id))
        .await
        .expect("next");
    assert_eq!(
        next.version.get(),
        2,
        "the highest remaining version plus one"
    );

    clock.advance(TimeDelta::seconds(1));
    let active = db
        .deployments()
        .activate(ds[0].id)
        .await
        .expect("activated");
    assert!(active.is_active);
    clock.advance(TimeDelta::seconds(1));
    db.deployments().activate(next.id).await.expect("activated");
    assert_eq!(
        db.deployments()
            .find_by_id(ds[0].id)
            .await
            .expect("read")
            .map(|d| d.is_active),
        Some(false)
    );
    clock.advance(TimeDelta::seconds(1));
    db.deployments().activate(next.id).await.expect("again");
    let function = db
        .functions()
        .find_by_id(api.id)
        .await
        .expect("read")
        .expect("row");
    assert_eq!(function.active_deployment_id, Some(next.id));
    assert_eq!(
        function.updated_at,
        at(3),
        "re-activation stamps the function"
    );
    assert_eq!(
        db.deployments().activate(DeploymentId::new(99)).await,
        Err(StoreError::not_found(
            Table::FunctionDeployments,
            Lookup::Id
        ))
    );

    // The upsert's update branch keeps function, version, is_active and deployed_at.
    let mut input = NewDeployment::new(other.id);
    input.uuid = next.uuid;
    input.status = DeploymentStatus::Failed;
    let updated = db
        .deployments()
        .upsert(input, DeploymentKey::Uuid)
        .await
        .expect("upserted");
    let Upserted::Updated(updated) = updated else {
        panic!("expected the update branch");
    };
    assert_eq!(
        (
            updated.function_id,
            updated.version,
            updated.is_active,
            updated.deployed_at
        ),
        (next.function_id, next.version, true, next.deployed_at)
    );
    assert_eq!(updated.status, DeploymentStatus::Failed);
    let patched = db
        .deployments()
        .update_by_id(
            next.id,
            DeploymentPatch {
                status: Some(DeploymentStatus::Active),
                ..DeploymentPatch::default()
            },
        )
        .await
        .expect("patched");
    assert!(patched.is_active);
}

#[tokio::test]
async fn logs_are_kept_by_time_and_invocations_summarised() {
    let (db, clock) = store();
    let ada = user(&db, "ada@example.com").await;
    let api = function(&db, ada.id, "api").await;
    let other = function(&db, ada.id, "other").await;
    clock.set(at(50));
    let written = db
        .logs()
        .append(vec![
            log_at(api.id, "old", 1),
            log_at(api.id, "edge", 10),
            NewLog::new(api.id, LogLevel::Warn, text("stamped by the store")),
            log_at(other.id, "elsewhere", 2),
        ])
        .await;
    assert_eq!(written, Ok(4));
    assert_eq!(db.logs().delete_older_than(at(10)).await, Ok(2));
    let left: Vec<_> = db
        .logs()
        .find_all(Query::new())
        .await
        .expect("rows")
        .into_iter()
        .map(|l| (l.message.into_inner(), l.timestamp))
        .collect();
    assert_eq!(
        left,
        [
            ("edge".to_owned(), at(10)),
            ("stamped by the store".to_owned(), at(50))
        ]
    );

    db.invocations()
        .record_many(vec![
            invocation_at(api.id, InvocationStatus::Success, 10, 5),
            invocation_at(api.id, InvocationStatus::Error, 30, 6),
            invocation_at(api.id, InvocationStatus::Timeout, 20, 7),
            invocation_at(api.id, InvocationStatus::Success, 40, 8),
            invocation_at(api.id, InvocationStatus::Success, 1_000, 4),
            invocation_at(other.id, InvocationStatus::Error, 7, 9),
        ])
        .await
        .expect("recorded");
    let stats = db
        .invocations()
        .stats(api.id.into(), at(5))
        .await
        .expect("stats")
        .expect("the function exists");
    assert_eq!(
        (stats.total, stats.success, stats.error, stats.timeout),
        (4, 2, 1, 1)
    );
    assert_eq!(stats.avg_duration_ms, Some(25.0));
    assert_eq!(stats.max_duration_ms, Some(40));
    assert_eq!(stats.p50_duration_ms, Some(25.0));
    let empty = db
        .invocations()
        .stats(api.id.into(), at(100))
        .await
        .expect("stats")
        .expect("the function exists");
    assert_eq!((empty.total, empty.avg_duration_ms), (0, None));
}

#[tokio::test]
async fn repositories_form_a_tree() {
    let (db, _) = store();
    let repos = db.repositories();
    assert_eq!(
        repos.create(NewRepository::new(path("acme/api"))).await,
        Err(StoreError::ReferenceMissing {
            key: ForeignKey::RepositoriesParentId
        })
    );
    let acme = repo(&db, "acme").await;
    let api = repo(&db, "acme/api").await;
    let worker = repo(&db, "acme/api/worker").await;
    let api_x = repo(&db, "acme/api-x").await;
    let web = repo(&db, "acme/web").await;
    let corp = repo(&db, "corp").await;
    assert_eq!((api.name.as_str(), api.parent_id), ("api", Some(acme.id)));
    assert_eq!(acme.parent_id, None);

    let descendants = repos
        .descendants_of(acme.id.into())
        .await
        .expect("descendants");
    assert_eq!(
        paths(&descendants),
        ["acme/api", "acme/api-x", "acme/api/worker", "acme/web"]
    );
    assert_eq!(
        paths(
            &repos
                .descendants_of(api.id.into())
                .await
                .expect("descendants")
        ),
        ["acme/api/worker"]
    );
    assert_eq!(
        paths(
            &repos
                .ancestors_of(worker.id.into())
                .await
                .expect("ancestors")
        ),
        ["acme/api", "acme"]
    );
    assert_eq!(
        paths(&repos.siblings_of(api.id.into()).await.expect("siblings")),
        ["acme/api-x", "acme/web"]
    );
    assert_eq!(
        paths(&repos.siblings_of(corp.id.into()).await.expect("siblings")),
        ["acme"]
    );
    assert_eq!(
        repos
            .descendants_of(containerpub_domain::RepositoryId::new(99).into())
            .await,
        Err(StoreError::not_found(Table::Repositories, Lookup::Id))
    );

    // Moves: below itself, missing parent, taken path, then a real move with the subtree.
    let to = |p: &str| RepositoryPatch {
        path: Some(path(p)),
    };
    assert_eq!(
        repos.update_by_id(api.id, to("acme/api/worker/x")).await,
        Err(StoreError::invalid(
            "path",
            Rule::Invariant("a repository cannot move below itself")
        ))
    );
    assert_eq!(
        repos.update_by_id(api.id, to("nowhere/api")).await,
        Err(StoreError::ReferenceMissing {
            key: ForeignKey::RepositoriesParentId
        })
    );
    assert_eq!(
        repos.update_by_id(api.id, to("acme/web")).await,
        Err(StoreError::Conflict {
            key: UniqueKey::RepositoriesLivePath
        })
    );
    let moved = repos
        .update_by_id(api.id, to("corp/service"))
        .await
        .expect("moved");
    assert_eq!(
        (moved.name.as_str(), moved.path.as_str(), moved.parent_id),
        ("service", "corp/service", Some(corp.id))
    );
    let worker_now = repos
        .find_by_id(worker.id)
        .await
        .expect("read")
        .expect("live");
    assert_eq!(
        (
            worker_now.path.as_str(),
            worker_now.name.as_str(),
            worker_now.parent_id
        ),
        ("corp/service/worker", "worker", Some(api.id))
    );
    assert_eq!(
        repos
            .update_where(RepositoryField::Id.eq(web.id), to("x"))
            .await,
        Err(StoreError::invalid(
            "path",
            Rule::Invariant("paths change one repository at a time")
        ))
    );
    // A rewritten descendant path over 255 characters is refused.
    let long = format!("{}/{}", "l".repeat(120), "m".repeat(120));
    repo(&db, &long[..120]).await;
    repo(&db, &long).await;
    assert!(matches!(
        repos.update_by_id(api.id, to(&format!("{long}/deeper1"))).await,
        Err(StoreError::InvalidInput(ref i)) if i.field == "path"
    ));

    // Soft delete takes the live subtree; the paths can then be created again.
    assert_eq!(repos.soft_delete(corp.id.into()).await, Ok(3));
    assert_eq!(
        repos.soft_delete(corp.id.into()).await,
        Err(StoreError::not_found(Table::Repositories, Lookup::Id))
    );
    let corp2 = repo(&db, "corp").await;
    let service2 = repo(&db, "corp/service").await;
    assert_eq!(service2.parent_id, Some(corp2.id));
    // Upserts: on the live path only `updated_at` changes; a soft-deleted uuid conflicts.
    let up = repos
        .upsert(
            NewRepository::new(path("corp/service")),
            RepositoryKey::LivePath,
        )
        .await
        .expect("upserted");
    assert_eq!(up, Upserted::Updated(up.row().clone()));
    assert_eq!(up.row().id, service2.id);
    let mut old_uuid = NewRepository::new(path("corp"));
    old_uuid.uuid = corp.uuid;
    assert_eq!(
        repos.upsert(old_uuid, RepositoryKey::Uuid).await,
        Err(StoreError::Conflict {
            key: UniqueKey::RepositoriesUuid
        })
    );

    // A hard delete cascades to every row below, soft-deleted or not.
    repos.delete_by_id(acme.id).await.expect("deleted");
    assert_eq!(repos.count(Default::default()).await, Ok(4));
    assert!(repos.find_by_id(api_x.id).await.expect("read").is_none());
    repos
        .delete_where(RepositoryField::Path.eq("corp"))
        .await
        .expect("deleted");
    let left = repos
        .find_all(Query::new().order_by(RepositoryField::Path.asc()))
        .await
        .expect("rows");
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|r| r.path.as_str().starts_with('l')));
}
