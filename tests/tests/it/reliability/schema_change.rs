//! Issue 19, item 2 (PostgreSQL): an online schema change (`ALTER TABLE … ADD COLUMN` on
//! every table) while the store's pooled connection is warm, holding prepared statements of
//! every kind: every following call succeeds (statements name their columns, never `*`, so
//! PostgreSQL does not refuse them with `0A000 cached plan must not change result type`).

use containerpub_domain::{
    DeploymentPatch, DeploymentStatus, DurationMs, FunctionPatch, FunctionStatus, InvocationStatus,
    LogLevel, NewDeployment, NewFunction, NewInvocation, NewLog, NewOrganization, NewRepository,
    NewUserInformation, RepositoryPatch, UserPatch,
};
use containerpub_ports::{
    DeploymentField, DeploymentKey, Filter, FunctionKey, Query, RepositoryKey, StoreResult, Stores,
    Table, Transaction, UnitOfWork, UserField, UserKey,
};
use containerpub_postgres::PgStore;
use containerpub_tests::fixture::{email, name, new_user, path, text};
use containerpub_tests::pg::TestDatabase;

use super::support::pg_store;

/// One round of calls touching every table and every kind of statement: inserts, batches,
/// upserts, updates, reads, and the hand-written statements of the domain operations.
async fn round<S: Stores + ?Sized>(db: &S, n: usize) -> StoreResult<()> {
    let user = db
        .users()
        .insert(new_user(&format!("u{n}@example.com")))
        .await?;
    db.users().find_by_id(user.id).await?;
    db.users()
        .find_all(Query::filter(UserField::Id.eq(user.id)))
        .await?;
    db.users()
        .update_by_id(
            user.id,
            UserPatch {
                email: Some(email(&format!("v{n}@example.com"))),
                ..UserPatch::default()
            },
        )
        .await?;
    db.users()
        .upsert(new_user(&format!("v{n}@example.com")), UserKey::Email)
        .await?;
    db.user_information()
        .upsert_for_user(NewUserInformation::new(user.uuid))
        .await?;
    db.user_information().profile(user.uuid).await?;
    let (org, _) = db
        .organizations()
        .create_with_owner(NewOrganization::new(name(&format!("org{n}")), user.uuid))
        .await?;
    db.organization_members().members_of(org.uuid).await?;
    let f = db
        .functions()
        .insert(NewFunction::new(user.id, name(&format!("f{n}"))))
        .await?;
    db.functions()
        .upsert(
            NewFunction::new(user.id, name(&format!("f{n}"))),
            FunctionKey::OwnerAndName,
        )
        .await?;
    db.functions()
        .update_by_id(
            f.id,
            FunctionPatch {
                status: Some(FunctionStatus::Active),
                ..FunctionPatch::default()
            },
        )
        .await?;
    let first = db
        .deployments()
        .create_next_version(NewDeployment::new(f.id))
        .await?;
    db.deployments()
        .upsert(
            NewDeployment {
                uuid: first.uuid,
                ..NewDeployment::new(f.id)
            },
            DeploymentKey::Uuid,
        )
        .await?;
    db.deployments()
        .update_by_id(
            first.id,
            DeploymentPatch {
                status: Some(DeploymentStatus::Active),
                ..DeploymentPatch::default()
            },
        )
        .await?;
    db.deployments().activate(first.id).await?;
    db.deployments().active_for(f.id.into()).await?;
    db.deployments()
        .find_all(Query::filter(DeploymentField::FunctionId.eq(f.id)))
        .await?;
    db.functions().details(f.id.into()).await?;
    db.logs()
        .insert_many(vec![NewLog::new(f.id, LogLevel::Info, text("a"))])
        .await?;
    db.logs()
        .append(vec![NewLog::new(f.id, LogLevel::Warn, text("b"))])
        .await?;
    let ms = DurationMs::new(5).expect("duration");
    db.invocations()
        .insert_many(vec![NewInvocation::new(
            f.id,
            InvocationStatus::Success,
            ms,
        )])
        .await?;
    db.invocations()
        .record(NewInvocation::new(f.id, InvocationStatus::Error, ms))
        .await?;
    db.invocations()
        .stats(f.id.into(), containerpub_domain::Timestamp::MIN)
        .await?;
    let root = db
        .repositories()
        .create(NewRepository::new(path(&format!("r{n}"))))
        .await?;
    let child = db
        .repositories()
        .create(NewRepository::new(path(&format!("r{n}/c"))))
        .await?;
    db.repositories()
        .upsert(
            NewRepository::new(path(&format!("r{n}/c"))),
            RepositoryKey::LivePath,
        )
        .await?;
    db.repositories().descendants_of(root.id.into()).await?;
    db.repositories().ancestors_of(child.id.into()).await?;
    db.repositories().siblings_of(child.id.into()).await?;
    db.repositories()
        .update_by_id(
            child.id,
            RepositoryPatch {
                path: Some(path(&format!("r{n}/d"))),
            },
        )
        .await?;
    db.repositories().soft_delete(child.id.into()).await?;
    db.users().count(Filter::All).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_a_column_to_every_table_while_warm_breaks_no_call() {
    let test_db = TestDatabase::new().await;
    // One connection: every statement below is prepared and cached on it.
    let store: PgStore = pg_store(test_db.url(), 1).await;
    round(&store, 0).await.expect("warm-up round");
    let tx = store.begin().await.expect("begin");
    round(&tx, 1).await.expect("warm-up round in a transaction");
    tx.commit().await.expect("commit");

    for table in Table::ALL {
        test_db
            .execute(&format!(
                "ALTER TABLE {table} ADD COLUMN added_online integer NOT NULL DEFAULT 0"
            ))
            .await;
    }

    round(&store, 2)
        .await
        .expect("a round after the schema change");
    let tx = store.begin().await.expect("begin");
    round(&tx, 3)
        .await
        .expect("a round in a transaction after the schema change");
    tx.commit().await.expect("commit");
    store.close().await;
    test_db.drop_db().await;
}

/// Raw SQL can still select `*`: after an online schema change its cached statement is
/// refused once (`0A000`), as `Unavailable` (retryable), and the pool replaces the connections
/// opened before the change, so the retry succeeds and sees the new column. Every later store
/// call succeeds too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_select_star_after_a_schema_change_is_retryable_and_the_retry_succeeds() {
    let test_db = TestDatabase::new().await;
    let store: PgStore = pg_store(test_db.url(), 1).await;
    store
        .users()
        .insert(new_user("a@example.com"))
        .await
        .expect("insert");
    let rows = store
        .raw_query("SELECT * FROM users", &[])
        .await
        .expect("warm-up: the statement is prepared on the pool's one connection");
    assert_eq!(rows.len(), 1);

    test_db
        .execute("ALTER TABLE users ADD COLUMN added_online integer NOT NULL DEFAULT 7")
        .await;

    let err = store
        .raw_query("SELECT * FROM users", &[])
        .await
        .expect_err("PostgreSQL refuses the stale cached statement");
    assert!(
        matches!(&err, containerpub_ports::StoreError::Unavailable { message, .. }
            if message.contains("0A000") && message.contains("retry")),
        "a stale cached statement is Unavailable (retryable): {err:?}"
    );
    assert!(err.is_retryable());
    let rows = store
        .raw_query("SELECT * FROM users", &[])
        .await
        .expect("the retry runs on a fresh connection");
    assert_eq!(rows.len(), 1);
    assert!(
        format!("{:?}", rows[0]).contains("added_online"),
        "the retry sees the new column: {:?}",
        rows[0]
    );
    round(&store, 5).await.expect("store calls go on");
    store.close().await;
    test_db.drop_db().await;
}
