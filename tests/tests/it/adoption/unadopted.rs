//! The store on a database the Dart backend created and nobody adopted: every unreadable row
//! is `UnreadableRow` naming table, row and column (never `Internal`, never skipped), and a
//! write whose reply cannot be read is rolled back.

use containerpub_domain::{
    DurationMs, FunctionId, InvocationStatus, LogLevel, NewInvocation, NewLog, NewUserInformation,
    Text, Uuid,
};
use containerpub_ports::{Query, StoreError, Stores, Table};
use containerpub_postgres::{PgConfig, PgStore};

use super::{scalar, seed_db};

fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).expect("uuid")
}

fn unreadable(err: StoreError) -> (Table, Option<Uuid>, &'static str, String) {
    match err {
        StoreError::UnreadableRow {
            table,
            row,
            column,
            reason,
        } => (table, row, column, reason),
        other => panic!("expected UnreadableRow, got {other:?}"),
    }
}

fn named(err: StoreError) -> (Table, Option<Uuid>, &'static str) {
    let (table, row, column, _) = unreadable(err);
    (table, row, column)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_rows_are_typed_errors_naming_table_row_and_column() {
    let test_db = seed_db(true).await;
    let db = PgStore::connect(PgConfig::new(test_db.url()).max_connections(2))
        .await
        .expect("connect");

    // users.find_all: the first row (by id) holds a mixed-case e-mail.
    let (table, row, column, reason) = unreadable(
        db.users()
            .find_all(Query::new())
            .await
            .expect_err("mixed case"),
    );
    assert_eq!(
        (table, row, column),
        (
            Table::Users,
            Some(uuid("10000000-0000-4000-8000-000000000001")),
            "email"
        )
    );
    assert!(reason.contains("trimmed and lowercased"), "{reason}");
    // A NULL timestamp.
    let err = db
        .users()
        .find_by_uuid(uuid("10000000-0000-4000-8000-000000000005"))
        .await
        .expect_err("NULL");
    let (table, row, column, reason) = unreadable(err);
    assert_eq!(
        (table, row, column),
        (
            Table::Users,
            Some(uuid("10000000-0000-4000-8000-000000000005")),
            "created_at"
        )
    );
    assert!(reason.contains("NULL"), "{reason}");
    // A NULL status.
    let err = db
        .functions()
        .find_by_uuid(uuid("20000000-0000-4000-8000-000000000003"))
        .await
        .expect_err("NULL");
    assert_eq!(
        named(err),
        (
            Table::Functions,
            Some(uuid("20000000-0000-4000-8000-000000000003")),
            "status"
        )
    );
    // TIMESTAMPTZ where the schema has TIMESTAMP.
    let err = db
        .user_information()
        .find_by_uuid(uuid("60000000-0000-4000-8000-000000000001"))
        .await
        .expect_err("tstz");
    let (table, row, column, reason) = unreadable(err);
    assert_eq!(
        (table, row, column),
        (
            Table::UserInformation,
            Some(uuid("60000000-0000-4000-8000-000000000001")),
            "created_at"
        )
    );
    assert!(reason.contains("type"), "{reason}");
    // organization_members rows are named by their user.
    let err = db
        .organization_members()
        .membership_of(uuid("10000000-0000-4000-8000-000000000003"))
        .await
        .expect_err("tstz");
    assert_eq!(
        named(err),
        (
            Table::OrganizationMembers,
            Some(uuid("10000000-0000-4000-8000-000000000003")),
            "joined_at"
        )
    );
    // integer ids where the schema has bigint.
    let err = db.logs().find_all(Query::new()).await.expect_err("int4 id");
    assert_eq!(
        named(err),
        (
            Table::FunctionLogs,
            Some(uuid("40000000-0000-4000-8000-000000000001")),
            "id"
        )
    );
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_reply_cannot_be_read_is_rolled_back() {
    let test_db = seed_db(true).await;
    let db = PgStore::connect(PgConfig::new(test_db.url()).max_connections(2))
        .await
        .expect("connect");
    let count = |table: &'static str| {
        let test_db = &test_db;
        async move { scalar(test_db, &format!("SELECT count(*)::text FROM {table}")).await }
    };
    let (logs, invocations, profiles) = (
        count("function_logs").await,
        count("function_invocations").await,
        count("user_information").await,
    );

    let log = NewLog::new(
        FunctionId::new(1),
        LogLevel::Info,
        Text::new("message", "hello").expect("valid"),
    );
    let log_uuid = log.uuid;
    let err = db
        .logs()
        .insert(log)
        .await
        .expect_err("int4 id in the reply");
    assert_eq!(named(err), (Table::FunctionLogs, Some(log_uuid), "id"));

    let inv = NewInvocation::new(
        FunctionId::new(1),
        InvocationStatus::Success,
        DurationMs::new(3).expect("valid"),
    );
    let err = db
        .invocations()
        .record(inv)
        .await
        .expect_err("int4 id in the reply");
    assert_eq!(unreadable(err).0, Table::FunctionInvocations);

    let mut profile = NewUserInformation::new(uuid("10000000-0000-4000-8000-000000000001"));
    // The Dart schema requires first and last names; the row itself is accepted.
    profile.first_name =
        Some(containerpub_domain::ShortText::new("first_name", "Ada").expect("valid"));
    profile.last_name = Some(containerpub_domain::ShortText::new("last_name", "L").expect("valid"));
    let err = db
        .user_information()
        .upsert_for_user(profile)
        .await
        .expect_err("tstz in the reply");
    assert_eq!(unreadable(err).0, Table::UserInformation);

    assert_eq!(
        count("function_logs").await,
        logs,
        "the log insert was committed"
    );
    assert_eq!(
        count("function_invocations").await,
        invocations,
        "the invocation was committed"
    );
    assert_eq!(
        count("user_information").await,
        profiles,
        "the profile was committed"
    );
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_null_violations_and_unparsable_json_are_typed() {
    let test_db = seed_db(true).await;
    let db = PgStore::connect(PgConfig::new(test_db.url()).max_connections(2))
        .await
        .expect("connect");
    // The Dart schema requires first_name; this layer's schema does not.
    let profile = NewUserInformation::new(uuid("10000000-0000-4000-8000-000000000001"));
    match db.user_information().upsert_for_user(profile).await {
        Err(StoreError::InvalidInput(invalid)) => {
            assert_eq!(invalid.field, "first_name");
            assert!(
                invalid.rule.to_string().contains("NOT NULL"),
                "{}",
                invalid.rule
            );
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    // A number JSONB prints as 309 digits, which the JSON parser refuses (`docs/LEGACY-SCHEMA.md`:
    // written by hand or by another client).
    test_db
        .execute("UPDATE functions SET analysis_result = '[1.7976931348623157e308]' WHERE id = 1")
        .await;
    let err = db
        .functions()
        .find_by_uuid(uuid("20000000-0000-4000-8000-000000000001"))
        .await
        .expect_err("unparsable");
    assert_eq!(
        named(err),
        (
            Table::Functions,
            Some(uuid("20000000-0000-4000-8000-000000000001")),
            "analysis_result"
        )
    );
    drop(db);
}
