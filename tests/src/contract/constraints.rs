//! Constraints (every unique and foreign key, the order they are checked in), `ON DELETE`
//! actions, sequences and stamps.

use std::collections::BTreeSet;

use containerpub_domain::{
    Deployment, DeploymentId, Function, FunctionId, FunctionPatch, FunctionStatus, Invocation,
    InvocationStatus, LogEntry, LogLevel, NewDeployment, NewFunction, NewInvocation, NewLog,
    NewOrganization, NewOrganizationMember, NewRepository, NewUser, NewUserInformation,
    OrganizationPatch, Timestamp, User, UserId, UserPatch, Uuid,
};
use containerpub_ports::{
    BATCH_CHUNK_ROWS, DeploymentField, Filter, ForeignKey, FunctionField, InvocationField,
    LogField, Query, StoreError, StoreResult, Stores, Table, Transaction, UniqueKey, UnitOfWork,
    UserField, UserKey,
};

use super::seed::{
    at_micros, cast, conflict, deployment, function, functions_named, missing, ms, name, new_user,
    not_found, organization, path, profile, repository, text, user,
};
use super::{ContractStore, Fixture};

/// Unique keys no call of the ports can break: versions are assigned by the store, and
/// activation deactivates the other deployment in the same step.
const UNREACHABLE_UNIQUE: [UniqueKey; 2] = [
    UniqueKey::DeploymentsFunctionIdVersion,
    UniqueKey::DeploymentsActiveFunctionId,
];

/// Foreign keys no call of the ports can break: the active deployment changes only through
/// `activate`, which needs an existing deployment of the function (else `NotFound`).
const UNREACHABLE_FOREIGN: [ForeignKey; 1] = [ForeignKey::FunctionsActiveDeploymentId];

/// Collects the keys the scenario saw in errors.
#[derive(Default)]
struct Seen {
    unique: BTreeSet<UniqueKey>,
    foreign: BTreeSet<ForeignKey>,
}

impl Seen {
    #[track_caller]
    fn expect<T: std::fmt::Debug>(&mut self, result: StoreResult<T>, expected: StoreError) {
        let err = result.expect_err("a constraint violation");
        assert_eq!(err, expected);
        // A batch names its row: the key is the error inside.
        match err.without_index() {
            StoreError::Conflict { key } => {
                self.unique.insert(key);
            }
            StoreError::ReferenceMissing { key } => {
                self.foreign.insert(key);
            }
            other => panic!("not a key violation: {other:?}"),
        }
    }
}

/// Every unique key and every foreign key of the schema is reported with its own variant
/// (each one the ports can reach; the unreachable ones are listed and justified).
pub async fn unique_and_foreign_keys<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let ada = user(db, "ada@example.com").await;
    let bob = user(db, "bob@example.com").await;
    let f = function(db, &ada, "f").await;
    let d = deployment(db, &f).await;
    let log = db
        .logs()
        .insert(NewLog::new(f.id, LogLevel::Info, text("x")))
        .await
        .expect("log");
    let inv = db
        .invocations()
        .record(NewInvocation::new(f.id, InvocationStatus::Success, ms(1)))
        .await
        .expect("invocation");
    let info = profile(db, &ada, "Ada").await;
    let acme = organization(db, "acme", &ada).await;
    let repo = repository(db, "acme").await;
    let nobody = Uuid::new_v4();
    let mut seen = Seen::default();

    seen.expect(
        db.users()
            .insert(NewUser {
                uuid: ada.uuid,
                ..new_user("new@example.com")
            })
            .await,
        conflict(UniqueKey::UsersUuid),
    );
    seen.expect(
        db.users().insert(new_user("ada@example.com")).await,
        conflict(UniqueKey::UsersEmail),
    );
    seen.expect(
        db.functions()
            .insert(NewFunction {
                uuid: f.uuid,
                ..NewFunction::new(ada.id, name("g"))
            })
            .await,
        conflict(UniqueKey::FunctionsUuid),
    );
    seen.expect(
        db.functions()
            .insert(NewFunction::new(ada.id, name("f")))
            .await,
        conflict(UniqueKey::FunctionsUserIdName),
    );
    seen.expect(
        db.deployments()
            .create_next_version(NewDeployment {
                uuid: d.uuid,
                ..NewDeployment::new(f.id)
            })
            .await,
        conflict(UniqueKey::DeploymentsUuid),
    );
    seen.expect(
        db.logs()
            .insert(NewLog {
                uuid: log.uuid,
                ..NewLog::new(f.id, LogLevel::Info, text("y"))
            })
            .await,
        conflict(UniqueKey::LogsUuid),
    );
    seen.expect(
        db.invocations()
            .record(NewInvocation {
                uuid: inv.uuid,
                ..NewInvocation::new(f.id, InvocationStatus::Error, ms(2))
            })
            .await,
        conflict(UniqueKey::InvocationsUuid),
    );
    seen.expect(
        db.user_information()
            .insert(NewUserInformation {
                uuid: info.uuid,
                ..NewUserInformation::new(bob.uuid)
            })
            .await,
        conflict(UniqueKey::UserInformationUuid),
    );
    seen.expect(
        db.user_information()
            .insert(NewUserInformation::new(ada.uuid))
            .await,
        conflict(UniqueKey::UserInformationUserId),
    );
    seen.expect(
        db.organizations()
            .create_with_owner(NewOrganization {
                uuid: acme.uuid,
                ..NewOrganization::new(name("beta"), bob.uuid)
            })
            .await,
        conflict(UniqueKey::OrganizationsUuid),
    );
    seen.expect(
        db.organizations()
            .create_with_owner(NewOrganization::new(name("acme"), bob.uuid))
            .await,
        conflict(UniqueKey::OrganizationsName),
    );
    seen.expect(
        db.organization_members()
            .add_member(acme.uuid, ada.uuid)
            .await,
        conflict(UniqueKey::OrganizationMembersUserId),
    );
    seen.expect(
        db.repositories()
            .create(NewRepository {
                uuid: repo.uuid,
                ..NewRepository::new(path("other"))
            })
            .await,
        conflict(UniqueKey::RepositoriesUuid),
    );
    seen.expect(
        db.repositories()
            .create(NewRepository::new(path("acme")))
            .await,
        conflict(UniqueKey::RepositoriesLivePath),
    );

    seen.expect(
        db.functions()
            .insert(NewFunction::new(UserId::new(999_999), name("f")))
            .await,
        missing(ForeignKey::FunctionsUserId),
    );
    seen.expect(
        db.deployments()
            .create_next_version(NewDeployment::new(FunctionId::new(999_999)))
            .await,
        missing(ForeignKey::DeploymentsFunctionId),
    );
    seen.expect(
        db.logs()
            .append(vec![NewLog::new(
                FunctionId::new(999_999),
                LogLevel::Info,
                text("x"),
            )])
            .await,
        missing(ForeignKey::LogsFunctionId).at_index(0),
    );
    seen.expect(
        db.invocations()
            .record(NewInvocation::new(
                FunctionId::new(999_999),
                InvocationStatus::Success,
                ms(1),
            ))
            .await,
        missing(ForeignKey::InvocationsFunctionId),
    );
    seen.expect(
        db.user_information()
            .insert(NewUserInformation::new(nobody))
            .await,
        missing(ForeignKey::UserInformationUserId),
    );
    seen.expect(
        db.organizations()
            .create_with_owner(NewOrganization::new(name("beta"), nobody))
            .await,
        missing(ForeignKey::OrganizationsOwnerId),
    );
    seen.expect(
        db.organization_members().add_member(nobody, bob.uuid).await,
        missing(ForeignKey::OrganizationMembersOrganizationId),
    );
    seen.expect(
        db.organization_members()
            .add_member(acme.uuid, nobody)
            .await,
        missing(ForeignKey::OrganizationMembersUserId),
    );
    seen.expect(
        db.repositories()
            .create(NewRepository::new(path("nope/x")))
            .await,
        missing(ForeignKey::RepositoriesParentId),
    );

    let mut unique = seen.unique;
    unique.extend(UNREACHABLE_UNIQUE);
    assert_eq!(unique, UniqueKey::ALL.iter().copied().collect());
    let mut foreign = seen.foreign;
    foreign.extend(UNREACHABLE_FOREIGN);
    assert_eq!(foreign, ForeignKey::ALL.iter().copied().collect());
}

/// When one call breaks several constraints, the error is the first of: unique keys (row by
/// row, each row's keys in `UniqueKey` order), then foreign keys (row by row, in
/// `ForeignKey` order); multi-step operations check in their documented order.
#[allow(clippy::too_many_lines)]
pub async fn constraint_check_order<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let ada = user(db, "ada@example.com").await;
    let f = function(db, &ada, "f").await;
    let inv = db
        .invocations()
        .record(NewInvocation::new(f.id, InvocationStatus::Success, ms(1)))
        .await
        .expect("record");
    let info = profile(db, &ada, "Ada").await;
    let acme = organization(db, "acme", &ada).await;
    let d = deployment(db, &f).await;
    let repo = repository(db, "acme").await;
    let nobody = Uuid::new_v4();
    let missing_user = UserId::new(999_999);

    // users: uuid before e-mail within a row; row order first.
    assert_eq!(
        db.users()
            .insert(NewUser {
                uuid: ada.uuid,
                ..new_user("ada@example.com")
            })
            .await,
        Err(conflict(UniqueKey::UsersUuid))
    );
    let fresh = new_user("fresh@example.com");
    assert_eq!(
        db.users()
            .insert_many(vec![
                new_user("ada@example.com"),
                NewUser {
                    uuid: ada.uuid,
                    ..new_user("other@example.com")
                },
            ])
            .await,
        Err(conflict(UniqueKey::UsersEmail).at_index(0))
    );
    assert_eq!(
        db.users()
            .insert_many(vec![
                fresh.clone(),
                NewUser {
                    uuid: fresh.uuid,
                    ..new_user("ada@example.com")
                },
            ])
            .await,
        Err(conflict(UniqueKey::UsersUuid).at_index(1))
    );
    // functions: unique keys (uuid, then owner and name) before the owner reference, for
    // every row of the statement.
    assert_eq!(
        db.functions()
            .insert(NewFunction {
                uuid: f.uuid,
                ..NewFunction::new(missing_user, name("x"))
            })
            .await,
        Err(conflict(UniqueKey::FunctionsUuid))
    );
    assert_eq!(
        db.functions()
            .insert(NewFunction {
                uuid: f.uuid,
                ..NewFunction::new(ada.id, name("f"))
            })
            .await,
        Err(conflict(UniqueKey::FunctionsUuid))
    );
    assert_eq!(
        db.functions()
            .insert_many(vec![
                NewFunction::new(missing_user, name("x")),
                NewFunction::new(ada.id, name("f")),
            ])
            .await,
        Err(conflict(UniqueKey::FunctionsUserIdName).at_index(1))
    );
    // An update: the unique key before the reference.
    let bob = user(db, "bob@example.com").await;
    let beta = organization(db, "beta", &bob).await;
    assert_eq!(
        db.organizations()
            .update_by_id(
                beta.id,
                OrganizationPatch {
                    name: Some(name("acme")),
                    owner_uuid: Some(nobody),
                },
            )
            .await,
        Err(conflict(UniqueKey::OrganizationsName))
    );
    // invocations and profiles.
    assert_eq!(
        db.invocations()
            .record(NewInvocation {
                uuid: inv.uuid,
                ..NewInvocation::new(FunctionId::new(999_999), InvocationStatus::Success, ms(1))
            })
            .await,
        Err(conflict(UniqueKey::InvocationsUuid))
    );
    assert_eq!(
        db.user_information()
            .insert(NewUserInformation {
                uuid: info.uuid,
                ..NewUserInformation::new(nobody)
            })
            .await,
        Err(conflict(UniqueKey::UserInformationUuid))
    );
    assert_eq!(
        db.user_information()
            .insert(NewUserInformation {
                uuid: info.uuid,
                ..NewUserInformation::new(ada.uuid)
            })
            .await,
        Err(conflict(UniqueKey::UserInformationUuid))
    );
    // organizations: the organization's own checks (uuid, name, owner) before the owner's
    // membership.
    let carol = user(db, "carol@example.com").await;
    for (new, expected) in [
        (
            NewOrganization::new(name("acme"), ada.uuid),
            conflict(UniqueKey::OrganizationsName),
        ),
        (
            NewOrganization {
                uuid: acme.uuid,
                ..NewOrganization::new(name("acme"), carol.uuid)
            },
            conflict(UniqueKey::OrganizationsUuid),
        ),
        (
            NewOrganization {
                uuid: acme.uuid,
                ..NewOrganization::new(name("gamma"), nobody)
            },
            conflict(UniqueKey::OrganizationsUuid),
        ),
        (
            NewOrganization::new(name("gamma"), nobody),
            missing(ForeignKey::OrganizationsOwnerId),
        ),
    ] {
        assert_eq!(
            db.organizations().create_with_owner(new.clone()).await,
            Err(expected),
            "{new:?}"
        );
    }
    // members: the unique user before the references, organization before user.
    assert_eq!(
        db.organization_members().add_member(nobody, ada.uuid).await,
        Err(conflict(UniqueKey::OrganizationMembersUserId))
    );
    assert_eq!(
        db.organization_members()
            .add_member(nobody, Uuid::new_v4())
            .await,
        Err(missing(ForeignKey::OrganizationMembersOrganizationId))
    );
    // deployments and repositories check their parent row before inserting.
    assert_eq!(
        db.deployments()
            .create_next_version(NewDeployment {
                uuid: d.uuid,
                ..NewDeployment::new(FunctionId::new(999_999))
            })
            .await,
        Err(missing(ForeignKey::DeploymentsFunctionId))
    );
    assert_eq!(
        db.repositories()
            .create(NewRepository {
                uuid: repo.uuid,
                ..NewRepository::new(path("nope/x"))
            })
            .await,
        Err(missing(ForeignKey::RepositoriesParentId))
    );
}

/// Counts of the rows hanging off a function.
async fn function_rows<S: Stores + ?Sized>(db: &S, f: &Function) -> (u64, u64, u64) {
    (
        db.deployments()
            .count(DeploymentField::FunctionId.eq(f.id))
            .await
            .expect("count"),
        db.logs()
            .count(LogField::FunctionId.eq(f.id))
            .await
            .expect("count"),
        db.invocations()
            .count(InvocationField::FunctionId.eq(f.id))
            .await
            .expect("count"),
    )
}

/// Every row a user owns through `f`: their functions, and `f`'s deployments, logs and
/// invocations.
async fn owned_rows<S: Stores + ?Sized>(
    db: &S,
    user: &User,
    f: &Function,
) -> (
    Vec<Function>,
    Vec<Deployment>,
    Vec<LogEntry>,
    Vec<Invocation>,
) {
    (
        db.functions()
            .find_all(Query::filter(FunctionField::UserId.eq(user.id)))
            .await
            .expect("functions"),
        db.deployments()
            .find_all(Query::filter(DeploymentField::FunctionId.eq(f.id)))
            .await
            .expect("deployments"),
        db.logs()
            .find_all(Query::filter(LogField::FunctionId.eq(f.id)))
            .await
            .expect("logs"),
        db.invocations()
            .find_all(Query::filter(InvocationField::FunctionId.eq(f.id)))
            .await
            .expect("invocations"),
    )
}

/// Deleting a user cascades to their functions, and so to deployments, logs and
/// invocations, to their profile and their membership; other users' rows stay exactly as
/// they were. Deleting a function cascades to its rows.
#[allow(clippy::too_many_lines)]
pub async fn delete_cascades_from_user<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let ada = user(db, "ada@example.com").await;
    let bob = user(db, "bob@example.com").await;
    profile(db, &ada, "Ada").await;
    let bob_info = profile(db, &bob, "Bob").await;
    let org = organization(db, "acme", &bob).await;
    db.organization_members()
        .add_member(org.uuid, ada.uuid)
        .await
        .expect("add ada");
    let mut adas = Vec::new();
    for n in ["f", "g"] {
        let f = function(db, &ada, n).await;
        let d1 = deployment(db, &f).await;
        deployment(db, &f).await;
        db.deployments().activate(d1.id).await.expect("activate");
        for i in 0..3 {
            db.logs()
                .insert(NewLog::new(f.id, LogLevel::Info, text(&format!("{i}"))))
                .await
                .expect("log");
        }
        db.invocations()
            .record_many(vec![
                NewInvocation::new(f.id, InvocationStatus::Success, ms(1)),
                NewInvocation::new(f.id, InvocationStatus::Error, ms(2)),
            ])
            .await
            .expect("invocations");
        adas.push(f);
    }
    let h = function(db, &bob, "h").await;
    let hd = deployment(db, &h).await;
    db.deployments().activate(hd.id).await.expect("activate");
    db.logs()
        .append(vec![NewLog::new(h.id, LogLevel::Warn, text("h"))])
        .await
        .expect("log");
    db.invocations()
        .record(NewInvocation::new(h.id, InvocationStatus::Timeout, ms(3)))
        .await
        .expect("invocation");
    let h = db
        .functions()
        .find_by_id(h.id)
        .await
        .expect("find")
        .expect("h");
    assert_eq!(function_rows(db, &adas[0]).await, (2, 3, 2));

    let bobs_before = owned_rows(db, &bob, &h).await;

    assert_eq!(db.users().delete_by_id(ada.id).await, Ok(()));
    assert_eq!(db.users().find_by_id(ada.id).await, Ok(None));
    assert_eq!(
        db.users().delete_by_id(ada.id).await,
        Err(not_found(Table::Users))
    );
    for f in &adas {
        assert_eq!(db.functions().find_by_id(f.id).await, Ok(None));
        assert_eq!(function_rows(db, f).await, (0, 0, 0));
    }
    assert_eq!(db.user_information().find_by_user(ada.uuid).await, Ok(None));
    assert_eq!(db.user_information().profile(ada.uuid).await, Ok(None));
    assert_eq!(
        db.organization_members().membership_of(ada.uuid).await,
        Ok(None)
    );
    let members = db
        .organization_members()
        .members_of(org.uuid)
        .await
        .expect("members_of");
    assert_eq!(members.len(), 1);
    assert_eq!(
        (&members[0].user, &members[0].information),
        (&bob, &Some(bob_info))
    );

    let bobs_after = owned_rows(db, &bob, &h).await;
    assert_eq!(bobs_after, bobs_before);
    assert_eq!(db.deployments().count(Filter::All).await, Ok(1));
    assert_eq!(db.logs().count(Filter::All).await, Ok(1));
    assert_eq!(db.invocations().count(Filter::All).await, Ok(1));

    // A function's own delete cascades too.
    assert_eq!(db.functions().delete_by_id(h.id).await, Ok(()));
    assert_eq!(function_rows(db, &h).await, (0, 0, 0));
    assert_eq!(db.deployments().find_by_id(hd.id).await, Ok(None));
    assert_eq!(
        db.deployments()
            .find_by_id(DeploymentId::new(999_999))
            .await,
        Ok(None)
    );
    assert_eq!(db.users().find_by_id(bob.id).await, Ok(Some(bob)));
}

/// `ON DELETE RESTRICT`: an organization's owner cannot be deleted (`StillReferenced`
/// naming `organizations_owner_id_fkey`) and nothing is deleted, not even the other rows a
/// `delete_where` matched; after the ownership moves, the delete works.
pub async fn delete_restricted_by_organization_owner<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let [ada, bob, carol] = cast(db).await;
    profile(db, &ada, "Ada").await;
    let f = function(db, &ada, "f").await;
    let acme = organization(db, "acme", &ada).await;
    db.organization_members()
        .add_member(acme.uuid, bob.uuid)
        .await
        .expect("add bob");
    let snapshot = || async {
        (
            db.users().find_all(Query::new()).await.expect("users"),
            db.functions()
                .find_all(Query::new())
                .await
                .expect("functions"),
            db.user_information()
                .find_all(Query::new())
                .await
                .expect("profiles"),
            db.organization_members()
                .find_all(Query::new())
                .await
                .expect("members"),
            db.organizations()
                .find_all(Query::new())
                .await
                .expect("orgs"),
        )
    };
    let before = snapshot().await;
    let restricted = StoreError::StillReferenced {
        key: ForeignKey::OrganizationsOwnerId,
    };
    assert_eq!(
        db.users().delete_by_id(ada.id).await,
        Err(restricted.clone())
    );
    assert_eq!(
        db.users().delete_where(Filter::All).await,
        Err(restricted.clone())
    );
    assert_eq!(
        db.users()
            .delete_where(UserField::Email.is_in(["carol@example.com", "ada@example.com"]))
            .await,
        Err(restricted.clone())
    );
    assert_eq!(snapshot().await, before, "nothing is deleted");
    assert_eq!(
        db.users()
            .delete_where(UserField::Email.eq("carol@example.com"))
            .await,
        Ok(1)
    );
    assert_eq!(db.users().find_by_id(carol.id).await, Ok(None));

    // Once bob owns acme, ada can go (with her membership, profile and function).
    db.organizations()
        .update_by_id(
            acme.id,
            OrganizationPatch {
                name: None,
                owner_uuid: Some(bob.uuid),
            },
        )
        .await
        .expect("new owner");
    assert_eq!(db.users().delete_by_id(bob.id).await, Err(restricted));
    assert_eq!(db.users().delete_by_id(ada.id).await, Ok(()));
    assert_eq!(db.functions().find_by_id(f.id).await, Ok(None));
    let members = db
        .organization_members()
        .members_of(acme.uuid)
        .await
        .expect("members_of");
    assert_eq!(
        members.iter().map(|m| m.user.uuid).collect::<Vec<_>>(),
        [bob.uuid]
    );
    assert_eq!(db.organizations().delete_by_id(acme.id).await, Ok(()));
    assert_eq!(db.users().delete_by_id(bob.id).await, Ok(()));
    assert_eq!(db.users().count(Filter::All).await, Ok(0));
}

/// Ids are never given back: failed inserts (unique or foreign key) consume the values of
/// the rows they attempted, upserts consume one even when updating, rolled-back and dropped
/// transactions keep theirs consumed; a call rejected before any statement takes none.
#[allow(clippy::too_many_lines)]
pub async fn sequences_never_give_ids_back<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let users = db.users();
    let id = |u: &User| u.id.get();
    let a = user(db, "a@example.com").await;
    assert_eq!(id(&a), 1, "sequences start at 1");
    assert!(users.insert(new_user("a@example.com")).await.is_err());
    let b = user(db, "b@example.com").await;
    assert_eq!(id(&b), 3, "a failed insert consumed 2");
    // The batch attempted rows 0 and 1 (row 1 broke the unique key), not row 2.
    assert!(
        users
            .insert_many(vec![
                new_user("x@example.com"),
                new_user("a@example.com"),
                new_user("y@example.com"),
            ])
            .await
            .is_err()
    );
    let c = user(db, "c@example.com").await;
    assert_eq!(id(&c), 6);
    // Transactions: rollback and drop keep the values consumed.
    let tx = db.begin().await.expect("begin");
    let in_tx = tx
        .users()
        .insert(new_user("t@example.com"))
        .await
        .expect("insert");
    assert_eq!(id(&in_tx), 7);
    tx.rollback().await.expect("rollback");
    let tx = db.begin().await.expect("begin");
    tx.users()
        .insert(new_user("t@example.com"))
        .await
        .expect("insert");
    drop(tx);
    let d = user(db, "d@example.com").await;
    assert_eq!(id(&d), 9);
    // An upsert takes a value even when it updates.
    let updated = users
        .upsert(new_user("a@example.com"), UserKey::Email)
        .await
        .expect("upsert")
        .into_inner();
    assert_eq!(updated.id, a.id);
    let e = user(db, "e@example.com").await;
    assert_eq!(id(&e), 11);
    // A missing foreign key on a plain insert: the row was attempted.
    let f1 = function(db, &a, "f1").await;
    assert!(
        db.functions()
            .insert(NewFunction::new(UserId::new(999_999), name("x")))
            .await
            .is_err()
    );
    let f2 = function(db, &a, "f2").await;
    assert_eq!((f1.id.get(), f2.id.get()), (1, 3));
    // Checks that run before any statement take nothing: a deployment's function, a
    // repository's parent.
    let d1 = deployment(db, &f1).await;
    assert!(
        db.deployments()
            .create_next_version(NewDeployment::new(FunctionId::new(999_999)))
            .await
            .is_err()
    );
    let d2 = deployment(db, &f1).await;
    assert_eq!((d1.id.get(), d2.id.get()), (1, 2));
    let r1 = repository(db, "r").await;
    assert!(
        db.repositories()
            .create(NewRepository::new(path("nope/x")))
            .await
            .is_err()
    );
    let r2 = repository(db, "r/s").await;
    assert_eq!((r1.id.get(), r2.id.get()), (1, 2));
    // Organizations: the organization row is attempted first, then the membership.
    let acme = organization(db, "acme", &a).await;
    let first_member = db
        .organization_members()
        .membership_of(a.uuid)
        .await
        .expect("membership_of")
        .expect("a member");
    assert_eq!((acme.id.get(), first_member.id.get()), (1, 1));
    // The owner is already a member: both rows were attempted.
    assert!(
        db.organizations()
            .create_with_owner(NewOrganization::new(name("beta"), a.uuid))
            .await
            .is_err()
    );
    // The name is taken: only the organization row was attempted.
    assert!(
        db.organizations()
            .create_with_owner(NewOrganization::new(name("acme"), b.uuid))
            .await
            .is_err()
    );
    let (gamma, member) = db
        .organizations()
        .create_with_owner(NewOrganization::new(name("gamma"), b.uuid))
        .await
        .expect("gamma");
    assert_eq!((gamma.id.get(), member.id.get()), (4, 3));
}

/// Stamps come from the store's clock: `created_at = updated_at = now` on insert (one
/// instant per call), every update (even an empty patch, even by filter) stamps
/// `updated_at` and leaves `created_at`; event times default to now; microseconds and the
/// extremes of the range are kept exactly.
pub async fn stamps_follow_the_clock<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let t0 = fx.now();
    let u = user(db, "u@example.com").await;
    assert_eq!((u.created_at, u.updated_at), (t0, t0));
    let t1 = fx.tick();
    let u = db
        .users()
        .update_by_id(
            u.id,
            UserPatch {
                email: None,
                password_hash: Some(Some(super::seed::hash("h"))),
            },
        )
        .await
        .expect("update");
    assert_eq!((u.created_at, u.updated_at), (t0, t1));

    let t2 = fx.tick();
    let fs = functions_named(db, &u, &["a", "b", "c"]).await;
    assert!(fs.iter().all(|f| (f.created_at, f.updated_at) == (t2, t2)));
    let t3 = fx.tick();
    assert_eq!(
        db.functions()
            .update_where(
                Filter::All,
                FunctionPatch {
                    status: Some(FunctionStatus::Inactive),
                    ..FunctionPatch::default()
                },
            )
            .await,
        Ok(3)
    );
    let t4 = fx.tick();
    assert_eq!(
        db.functions()
            .update_where(FunctionField::Name.ne("c"), FunctionPatch::default())
            .await,
        Ok(2)
    );
    let stamped: Vec<(Timestamp, Timestamp)> = db
        .functions()
        .find_all(Query::new())
        .await
        .expect("find_all")
        .iter()
        .map(|f| (f.created_at, f.updated_at))
        .collect();
    assert_eq!(stamped, [(t2, t4), (t2, t4), (t2, t3)]);

    // Event times and creation stamps at microsecond precision.
    let precise = at_micros(123_457);
    fx.clock.set(precise);
    let d = deployment(db, &fs[0]).await;
    assert_eq!(d.deployed_at, precise);
    let inv = db
        .invocations()
        .record(NewInvocation::new(
            fs[0].id,
            InvocationStatus::Success,
            ms(5),
        ))
        .await
        .expect("record");
    assert_eq!(inv.timestamp, precise);
    for extreme in [Timestamp::MIN, Timestamp::MAX] {
        let entry = db
            .logs()
            .insert(NewLog::new(fs[0].id, LogLevel::Debug, text("edge")).at(extreme))
            .await
            .expect("insert");
        assert_eq!(entry.timestamp, extreme);
        assert_eq!(db.logs().find_by_id(entry.id).await, Ok(Some(entry)));
    }
    // A deployment update does not move deployed_at.
    fx.tick();
    let same = db
        .deployments()
        .update_by_id(d.id, containerpub_domain::DeploymentPatch::default())
        .await;
    assert_eq!(same, Ok(d));
    assert_eq!(db.users().find_by_id(u.id).await, Ok(Some(u)));
}

/// Batch errors name their row (`InBatch { index, error }`): the first row that fails in
/// the check order of SEMANTICS.md — per statement of `BATCH_CHUNK_ROWS` rows, unique keys row
/// by row (each row's keys in declaration order; a duplicate inside the batch names its later
/// occurrence, also across statements), then foreign keys row by row — with the key a single
/// insert of that row would report. A failing batch writes nothing, inside a transaction too
/// (which stays usable); single-row calls never report `InBatch`.
pub async fn batch_errors_name_their_row<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let ada = user(db, "ada@example.com").await;
    let bob = user(db, "bob@example.com").await;
    let f = function(db, &ada, "f").await;
    let users = |prefix: &str, n: usize| -> Vec<NewUser> {
        (0..n)
            .map(|i| new_user(&format!("{prefix}{i}@example.com")))
            .collect()
    };
    let user_count = || async { db.users().count(Filter::All).await };

    // One row breaking two unique keys: the first declared one.
    let mut rows = users("a", 4);
    rows[2] = NewUser {
        uuid: ada.uuid,
        ..new_user("ada@example.com")
    };
    assert_eq!(
        db.users().insert_many(rows).await,
        Err(conflict(UniqueKey::UsersUuid).at_index(2))
    );
    // An earlier row breaking a later key comes before a later row breaking an earlier one.
    let mut rows = users("b", 4);
    rows[1].email = ada.email.clone();
    rows[3].uuid = bob.uuid;
    assert_eq!(
        db.users().insert_many(rows).await,
        Err(conflict(UniqueKey::UsersEmail).at_index(1))
    );
    // A duplicate of a row of an earlier statement of the batch.
    let mut rows = users("c", BATCH_CHUNK_ROWS + 10);
    rows[BATCH_CHUNK_ROWS + 7].email = rows[3].email.clone();
    assert_eq!(
        db.users().insert_many(rows).await,
        Err(conflict(UniqueKey::UsersEmail).at_index(BATCH_CHUNK_ROWS + 7))
    );
    assert_eq!(
        user_count().await,
        Ok(2),
        "the failed batches wrote nothing"
    );
    assert_eq!(
        db.users().insert(new_user("ada@example.com")).await,
        Err(conflict(UniqueKey::UsersEmail)),
        "a single insert names no row"
    );

    // Unique keys of every row of the statement before any foreign key.
    let missing_user = UserId::new(999_999);
    let rows = vec![
        NewFunction::new(ada.id, name("g0")),
        NewFunction::new(missing_user, name("g1")),
        NewFunction::new(ada.id, name("g2")),
        NewFunction::new(ada.id, name("g0")),
    ];
    assert_eq!(
        db.functions().insert_many(rows).await,
        Err(conflict(UniqueKey::FunctionsUserIdName).at_index(3))
    );
    // Foreign keys: the first row missing a reference, its keys in declaration order.
    let rows = vec![
        NewUserInformation::new(ada.uuid),
        NewUserInformation::new(bob.uuid),
        NewUserInformation::new(Uuid::from_u128(5)),
        NewUserInformation::new(Uuid::from_u128(6)),
    ];
    assert_eq!(
        db.user_information().insert_many(rows).await,
        Err(missing(ForeignKey::UserInformationUserId).at_index(2))
    );
    let carol = user(db, "carol@example.com").await;
    let acme = organization(db, "acme", &ada).await;
    let rows = vec![
        NewOrganizationMember {
            organization_uuid: acme.uuid,
            user_uuid: carol.uuid,
        },
        NewOrganizationMember {
            organization_uuid: Uuid::from_u128(7),
            user_uuid: Uuid::from_u128(8),
        },
    ];
    assert_eq!(
        db.organization_members().insert_many(rows).await,
        Err(missing(ForeignKey::OrganizationMembersOrganizationId).at_index(1))
    );
    // Across statements, the first failing statement: a foreign key in the first one comes
    // before a unique key in the second.
    let existing = db
        .logs()
        .insert(NewLog::new(f.id, LogLevel::Info, text("existing")))
        .await
        .expect("log");
    let logs = |n: usize| -> Vec<NewLog> {
        (0..n)
            .map(|i| NewLog::new(f.id, LogLevel::Info, text(&format!("line {i}"))))
            .collect()
    };
    let mut rows = logs(BATCH_CHUNK_ROWS + 1);
    rows[10].function_id = FunctionId::new(999_999);
    rows[BATCH_CHUNK_ROWS].uuid = existing.uuid;
    assert_eq!(
        db.logs().append(rows.clone()).await,
        Err(missing(ForeignKey::LogsFunctionId).at_index(10))
    );
    rows[10].function_id = f.id;
    assert_eq!(
        db.logs().append(rows).await,
        Err(conflict(UniqueKey::LogsUuid).at_index(BATCH_CHUNK_ROWS))
    );

    // Deployments: a uuid twice in the batch names the later row.
    let first = NewDeployment::new(f.id);
    let rows = vec![
        first.clone(),
        NewDeployment {
            uuid: first.uuid,
            ..NewDeployment::new(f.id)
        },
    ];
    assert_eq!(
        db.deployments().insert_many(rows).await,
        Err(conflict(UniqueKey::DeploymentsUuid).at_index(1))
    );
    // Repositories: a soft-deleted path is free again, its uuid is not; the duplicate path
    // comes after rows written in statements of their own (a child needs its parent's id).
    let gone = repository(db, "gone").await;
    db.repositories()
        .soft_delete(gone.id.into())
        .await
        .expect("soft delete");
    let rows = ["gone", "r", "r/s", "r/s/t", "r/s"]
        .map(|p| NewRepository::new(path(p)))
        .to_vec();
    assert_eq!(
        db.repositories().insert_many(rows).await,
        Err(conflict(UniqueKey::RepositoriesLivePath).at_index(4))
    );
    let rows = vec![
        NewRepository::new(path("x")),
        NewRepository {
            uuid: gone.uuid,
            ..NewRepository::new(path("y"))
        },
    ];
    assert_eq!(
        db.repositories().insert_many(rows).await,
        Err(conflict(UniqueKey::RepositoriesUuid).at_index(1))
    );
    assert_eq!(
        db.repositories().count(Filter::All).await,
        Ok(0),
        "no live repository was written"
    );

    // Organizations: a membership of the second statement names its organization's row.
    let owners = db
        .users()
        .insert_many(users("owner", BATCH_CHUNK_ROWS + 4))
        .await
        .expect("owners");
    let mut rows: Vec<NewOrganization> = owners
        .iter()
        .enumerate()
        .map(|(i, owner)| NewOrganization::new(name(&format!("org{i}")), owner.uuid))
        .collect();
    rows[BATCH_CHUNK_ROWS + 3].owner_uuid = owners[2].uuid;
    assert_eq!(
        db.organizations().insert_many(rows).await,
        Err(conflict(UniqueKey::OrganizationMembersUserId).at_index(BATCH_CHUNK_ROWS + 3))
    );
    assert_eq!(db.organizations().count(Filter::All).await, Ok(1));

    // Inside a transaction: the same errors and nothing written. A failed write leaves its
    // transaction level unusable (as a failed statement does in PostgreSQL): each batch runs
    // in a savepoint of its own, rolled back after the failure, and the transaction goes on.
    let tx = db.begin().await.expect("begin");
    let mut rows = users("t", 3);
    rows[2].uuid = rows[0].uuid;
    let attempt = tx.begin().await.expect("savepoint");
    let failed = attempt.users().insert_many(rows).await;
    assert_eq!(failed, Err(conflict(UniqueKey::UsersUuid).at_index(2)));
    let refusal =
        StoreError::transaction_unusable(&failed.expect_err("a conflict").failed_reason());
    assert_eq!(
        attempt.users().count(Filter::All).await,
        Err(refusal.clone()),
        "every later call of the failed level is refused, reads too"
    );
    assert_eq!(attempt.begin().await.map(drop), Err(refusal.clone()));
    assert_eq!(attempt.commit().await, Err(refusal), "and its release");
    let attempt = tx.begin().await.expect("the transaction is usable again");
    let mut rows = logs(BATCH_CHUNK_ROWS + 10);
    rows[7].uuid = rows[2].uuid;
    assert_eq!(
        attempt.logs().append(rows).await,
        Err(conflict(UniqueKey::LogsUuid).at_index(7))
    );
    attempt.rollback().await.expect("rollback to the savepoint");
    let attempt = tx.begin().await.expect("savepoint");
    let mut rows = logs(BATCH_CHUNK_ROWS + 10);
    rows[BATCH_CHUNK_ROWS + 5].function_id = FunctionId::new(999_999);
    assert_eq!(
        attempt.logs().insert_many(rows).await,
        Err(missing(ForeignKey::LogsFunctionId).at_index(BATCH_CHUNK_ROWS + 5))
    );
    drop(attempt);
    tx.users()
        .insert(new_user("in-tx@example.com"))
        .await
        .expect("the transaction is still usable");
    assert_eq!(tx.logs().append(logs(3)).await, Ok(3));
    tx.commit().await.expect("commit");
    assert_eq!(db.logs().count(Filter::All).await, Ok(4));
    assert_eq!(
        user_count().await,
        Ok(3 + BATCH_CHUNK_ROWS as u64 + 4 + 1),
        "ada, bob, carol, the owners and the user written in the transaction"
    );
}
