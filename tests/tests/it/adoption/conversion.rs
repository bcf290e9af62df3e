//! The adoption keeps every row and value (cell by cell, modulo the documented conversions),
//! reaches exactly the schema `migration up` creates, keeps what `docs/SCHEMA.md` does not know,
//! and a second `adopt` is a no-op.

use std::collections::BTreeMap;

use containerpub_domain::{DeploymentStatus, FunctionStatus, Uuid};
use containerpub_migration::adopt::{self, Era, Resolutions};
use containerpub_ports::Stores;
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::pg::TestDatabase;

use super::{every_resolution, later_db, rows, scalar, seed_db};

/// Per table: the key column and every column, with the expression that reads it before
/// adoption as it must read after (`docs/LEGACY-SCHEMA.md` section 2: TIMESTAMPTZ → the same instant
/// in UTC, e-mails trimmed and lowercased; every other value unchanged).
/// (column, expression reading it before adoption).
type Columns = &'static [(&'static str, &'static str)];

const TABLES: &[(&str, &str, Columns)] = &[
    (
        "users",
        "uuid",
        &[
            ("id", "id"),
            ("email", "lower(trim(email))"),
            ("password_hash", "password_hash"),
            ("created_at", "created_at"),
            ("updated_at", "updated_at"),
        ],
    ),
    (
        "functions",
        "uuid",
        &[
            ("id", "id"),
            ("user_id", "user_id"),
            ("name", "name"),
            ("status", "status"),
            ("active_deployment_id", "active_deployment_id"),
            ("analysis_result", "analysis_result"),
            ("created_at", "created_at"),
            ("updated_at", "updated_at"),
        ],
    ),
    (
        "function_deployments",
        "uuid",
        &[
            ("id", "id"),
            ("function_id", "function_id"),
            ("version", "version"),
            ("image_tag", "image_tag"),
            ("s3_key", "s3_key"),
            ("status", "status"),
            ("is_active", "is_active"),
            ("build_logs", "build_logs"),
            ("deployed_at", "deployed_at"),
        ],
    ),
    (
        "function_logs",
        "uuid",
        &[
            ("id", "id"),
            ("function_id", "function_id"),
            ("level", "level"),
            ("message", "message"),
            ("timestamp", "\"timestamp\""),
        ],
    ),
    (
        "function_invocations",
        "uuid",
        &[
            ("id", "id"),
            ("function_id", "function_id"),
            ("status", "status"),
            ("duration_ms", "duration_ms"),
            ("error", "error"),
            ("timestamp", "\"timestamp\""),
        ],
    ),
    (
        "user_information",
        "uuid",
        &[
            ("id", "id"),
            ("user_id", "user_id"),
            ("first_name", "first_name"),
            ("last_name", "last_name"),
            ("phone_number", "phone_number"),
            ("country", "country"),
            ("city", "city"),
            ("address", "address"),
            ("zip_code", "zip_code"),
            ("avatar", "avatar"),
            ("role", "role"),
            ("created_at", "created_at AT TIME ZONE 'UTC'"),
            ("updated_at", "updated_at AT TIME ZONE 'UTC'"),
        ],
    ),
    (
        "organizations",
        "uuid",
        &[
            ("id", "id"),
            ("name", "name"),
            ("owner_id", "owner_id"),
            ("created_at", "created_at AT TIME ZONE 'UTC'"),
            ("updated_at", "updated_at AT TIME ZONE 'UTC'"),
        ],
    ),
    (
        "organization_members",
        "user_id",
        &[
            ("id", "id"),
            ("organization_id", "organization_id"),
            ("joined_at", "joined_at AT TIME ZONE 'UTC'"),
        ],
    ),
];

/// (table, row key, column) → value as text, for every cell; `before` uses the conversion
/// expressions.
async fn cells(
    db: &TestDatabase,
    before: bool,
) -> BTreeMap<(String, String, String), Option<String>> {
    let mut out = BTreeMap::new();
    for (table, key, columns) in TABLES {
        let select = columns
            .iter()
            .map(|(name, expr)| {
                if before {
                    format!("({expr})::text")
                } else {
                    format!("\"{name}\"::text")
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        for row in rows(
            db,
            &format!("SELECT {key}::text, {select} FROM {table} ORDER BY id"),
        )
        .await
        {
            let mut it = row.into_iter();
            let id = it.next().flatten().expect("key");
            for ((name, _), value) in columns.iter().zip(it) {
                out.insert(((*table).to_owned(), id.clone(), (*name).to_owned()), value);
            }
        }
    }
    out
}

/// The per-table checksum: md5 of every cell of the table not in `changed`.
fn checksums(
    cells: &BTreeMap<(String, String, String), Option<String>>,
    changed: &[(&str, &str, &str)],
) -> BTreeMap<String, (usize, String)> {
    let mut text: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for ((table, row, column), value) in cells {
        if changed
            .iter()
            .any(|(t, r, c)| t == table && r == row && c == column)
        {
            continue;
        }
        let entry = text.entry(table.clone()).or_default();
        entry.0 += 1;
        entry.1.push_str(&format!("{row}.{column}={value:?}\n"));
    }
    text
}

/// The cells the resolutions of `every_resolution("keep-pointed")` change, and to what
/// (`None` = a timestamp stamped by the adoption: checked to be set).
const CHANGED: &[(&str, &str, &str, Option<&str>)] = &[
    // email-collision=keep-oldest: the newer "ada" gets <local>+<uuid>@<domain>.
    (
        "users",
        "10000000-0000-4000-8000-000000000002",
        "email",
        Some("ada+10000000000040008000000000000002@example.com"),
    ),
    // null-in-required-column=fill-default
    (
        "users",
        "10000000-0000-4000-8000-000000000005",
        "created_at",
        None,
    ),
    (
        "users",
        "10000000-0000-4000-8000-000000000005",
        "updated_at",
        None,
    ),
    (
        "functions",
        "20000000-0000-4000-8000-000000000003",
        "status",
        Some("active"),
    ),
    (
        "function_deployments",
        "30000000-0000-4000-8000-000000000003",
        "status",
        Some("pending"),
    ),
    (
        "function_deployments",
        "30000000-0000-4000-8000-000000000003",
        "is_active",
        Some("false"),
    ),
    (
        "function_deployments",
        "30000000-0000-4000-8000-000000000003",
        "deployed_at",
        None,
    ),
    (
        "function_logs",
        "40000000-0000-4000-8000-000000000003",
        "timestamp",
        None,
    ),
    (
        "function_invocations",
        "50000000-0000-4000-8000-000000000003",
        "duration_ms",
        Some("0"),
    ),
    (
        "user_information",
        "60000000-0000-4000-8000-000000000002",
        "created_at",
        None,
    ),
    // dangling-active-deployment=clear
    (
        "functions",
        "20000000-0000-4000-8000-000000000002",
        "active_deployment_id",
        None,
    ),
    // two-active-deployments=keep-pointed: "hello" points at version 2, so version 1 stops.
    (
        "function_deployments",
        "30000000-0000-4000-8000-000000000001",
        "is_active",
        Some("false"),
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adoption_keeps_every_row_and_value() {
    let db = seed_db(true).await;
    let before = cells(&db, true).await;
    let started = scalar(&db, "SELECT timezone('UTC', now())::text")
        .await
        .expect("now");
    let mut progress = Vec::new();
    let report = adopt::adopt(
        db.url(),
        &every_resolution("keep-pointed"),
        &mut |l: &str| progress.push(l.to_owned()),
    )
    .await
    .expect("adopt");
    assert!(report.applied, "{}", report.to_text());
    assert_eq!(report.timings.len(), report.plan.len());
    // Progress: one line before and one after each step, then the commit.
    assert_eq!(progress.len(), 2 * report.plan.len() + 1, "{progress:?}");
    assert!(progress[1].contains("done in"), "{progress:?}");
    assert!(
        progress
            .last()
            .is_some_and(|l| l.starts_with("committed in")),
        "{progress:?}"
    );

    let after = cells(&db, false).await;
    assert_eq!(before.len(), after.len(), "cells were lost or added");
    let changed: Vec<(&str, &str, &str)> =
        CHANGED.iter().map(|(t, r, c, _)| (*t, *r, *c)).collect();
    assert_eq!(checksums(&before, &changed), checksums(&after, &changed));
    for (table, row, column, value) in CHANGED {
        let got = after[&((*table).to_owned(), (*row).to_owned(), (*column).to_owned())].clone();
        match (value, *column) {
            (Some(v), _) => assert_eq!(got.as_deref(), Some(*v), "{table}.{column} of {row}"),
            (None, "active_deployment_id") => assert_eq!(got, None),
            (None, _) => assert!(
                got.as_deref().is_some_and(|t| t >= started.as_str()),
                "{table}.{column} of {row}: {got:?}"
            ),
        }
    }
    // The documented conversions, with values from the fixture: TIMESTAMPTZ +02 / -05 → UTC.
    let key =
        |t: &str, r: &str, c: &str| after[&(t.to_owned(), r.to_owned(), c.to_owned())].clone();
    assert_eq!(
        key(
            "user_information",
            "60000000-0000-4000-8000-000000000001",
            "created_at"
        )
        .as_deref(),
        Some("2025-11-21 10:00:00")
    );
    assert_eq!(
        key(
            "user_information",
            "60000000-0000-4000-8000-000000000001",
            "updated_at"
        )
        .as_deref(),
        Some("2025-11-21 11:30:00.123456")
    );
    assert_eq!(
        key(
            "organization_members",
            "10000000-0000-4000-8000-000000000004",
            "joined_at"
        )
        .as_deref(),
        Some("2025-11-23 13:00:00")
    );
    assert_eq!(
        key("users", "10000000-0000-4000-8000-000000000001", "email").as_deref(),
        Some("ada@example.com")
    );
    assert_eq!(
        key("users", "10000000-0000-4000-8000-000000000004", "email").as_deref(),
        Some("carol@example.com")
    );
    // 64-bit ids continue their sequences.
    assert_eq!(
        scalar(&db, "SELECT nextval('function_logs_id_seq')::text")
            .await
            .as_deref(),
        Some("4")
    );
    assert_eq!(
        scalar(&db, "SELECT seqtypid::regtype::text FROM pg_sequence WHERE seqrelid = 'function_invocations_id_seq'::regclass").await.as_deref(),
        Some("bigint")
    );

    // The second run is a no-op.
    let schema = db.dump_schema().await;
    let again = adopt::adopt(db.url(), &Resolutions::none(), &mut |_: &str| {
        panic!("a step ran")
    })
    .await
    .expect("adopt");
    assert_eq!(again.era, Era::Migrated);
    assert!(
        !again.applied && again.plan.is_empty() && again.differences.is_empty(),
        "{}",
        again.to_text()
    );
    assert_eq!(db.dump_schema().await, schema);
    assert_eq!(cells(&db, false).await, after);
    assert_eq!(
        containerpub_migration::applied(db.url())
            .await
            .expect("applied"),
        containerpub_migration::names()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adopted_seed_database_has_exactly_the_migrated_schema() {
    let legacy = seed_db(false).await;
    let report = adopt::adopt(legacy.url(), &Resolutions::none(), &mut |_: &str| {})
        .await
        .expect("adopt");
    assert!(report.applied);
    let migrated = TestDatabase::new().await;
    assert_eq!(legacy.dump_schema().await, migrated.dump_schema().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_database_keeps_what_schema_md_does_not_know() {
    let db = later_db().await;
    let unknown = [
        "SELECT string_agg(row_to_json(t)::text, ',' ORDER BY id) FROM function_deploy_logs t",
        "SELECT string_agg(row_to_json(t)::text, ',' ORDER BY id) FROM logs t",
        "SELECT string_agg(row_to_json(t)::text, ',' ORDER BY id) FROM api_keys t",
        "SELECT string_agg(row_to_json(t)::text, ',' ORDER BY id) FROM email_verification_otps t",
        "SELECT string_agg(concat_ws('|', uuid, is_email_verified, onboarding_complete), ',' ORDER BY id) FROM users",
        "SELECT string_agg(concat_ws('|', uuid, skip_signing), ',' ORDER BY id) FROM functions",
        "SELECT string_agg(concat_ws('|', uuid, logs, request_info, result, success), ',' ORDER BY id) FROM function_invocations",
    ];
    let mut before = Vec::new();
    for sql in unknown {
        before.push(scalar(&db, sql).await);
    }
    let report = adopt::adopt(
        db.url(),
        &every_resolution("keep-latest"),
        &mut |_: &str| {},
    )
    .await
    .expect("adopt");
    assert!(report.applied, "{}", report.to_text());
    for (sql, was) in unknown.iter().zip(before) {
        assert_eq!(scalar(&db, sql).await, was, "{sql}");
    }
    // The words the later Dart backend writes read through the store.
    let store = PgStore::connect(PgConfig::new(db.url()).max_connections(2))
        .await
        .expect("connect");
    let fresh = store
        .functions()
        .find_by_uuid(Uuid::parse_str("20000000-0000-4000-8000-000000000005").expect("uuid"))
        .await
        .expect("readable")
        .expect("present");
    assert_eq!(fresh.status, FunctionStatus::Init);
    let disabled = store
        .deployments()
        .find_by_uuid(Uuid::parse_str("30000000-0000-4000-8000-000000000005").expect("uuid"))
        .await
        .expect("readable")
        .expect("present");
    assert_eq!(disabled.status, DeploymentStatus::Disabled);
    // Every table reads in full.
    assert_eq!(
        store
            .users()
            .find_all(containerpub_ports::Query::new())
            .await
            .expect("users")
            .len(),
        5
    );
    assert_eq!(
        store
            .logs()
            .find_all(containerpub_ports::Query::new())
            .await
            .expect("logs")
            .len(),
        0
    );
    assert_eq!(
        store
            .invocations()
            .find_all(containerpub_ports::Query::new())
            .await
            .expect("invocations")
            .len(),
        4
    );
    drop(store);
    let again = adopt::inspect(db.url(), &Resolutions::none())
        .await
        .expect("dry run");
    assert_eq!(again.era, Era::Migrated);
    assert!(again.differences.is_empty(), "{}", again.to_text());
}

/// After adoption every row the Dart backend wrote reads through the store: each table's
/// `find_all` decodes as many rows as the table holds (an unreadable row would fail the whole
/// read with `UnreadableRow`), and each row is found again by its public key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_adopted_seed_row_reads_through_the_store() {
    use containerpub_ports::Query;

    let db = seed_db(true).await;
    let report = adopt::adopt(
        db.url(),
        &every_resolution("keep-pointed"),
        &mut |_: &str| {},
    )
    .await
    .expect("adopt");
    assert!(report.applied, "{}", report.to_text());
    let store = PgStore::connect(PgConfig::new(db.url()).max_connections(2))
        .await
        .expect("connect");
    let count = async |table: &str| -> usize {
        scalar(&db, &format!("SELECT count(*)::text FROM {table}"))
            .await
            .and_then(|n| n.parse().ok())
            .expect("count")
    };

    let users = store
        .users()
        .find_all(Query::default())
        .await
        .expect("users");
    assert_eq!(users.len(), count("users").await);
    for user in &users {
        let again = store
            .users()
            .find_by_uuid(user.uuid)
            .await
            .expect("by uuid");
        assert_eq!(again.as_ref(), Some(user));
    }
    let functions = store
        .functions()
        .find_all(Query::default())
        .await
        .expect("functions");
    assert_eq!(functions.len(), count("functions").await);
    for function in &functions {
        let details = store.functions().details(function.id.into()).await;
        assert!(matches!(details, Ok(Some(_))), "{details:?}");
    }
    let reads = [
        (
            "function_deployments",
            store
                .deployments()
                .find_all(Query::default())
                .await
                .map(|v| v.len()),
        ),
        (
            "function_logs",
            store
                .logs()
                .find_all(Query::default())
                .await
                .map(|v| v.len()),
        ),
        (
            "function_invocations",
            store
                .invocations()
                .find_all(Query::default())
                .await
                .map(|v| v.len()),
        ),
        (
            "user_information",
            store
                .user_information()
                .find_all(Query::default())
                .await
                .map(|v| v.len()),
        ),
        (
            "organizations",
            store
                .organizations()
                .find_all(Query::default())
                .await
                .map(|v| v.len()),
        ),
        (
            "organization_members",
            store
                .organization_members()
                .find_all(Query::default())
                .await
                .map(|v| v.len()),
        ),
        (
            "repositories",
            store
                .repositories()
                .find_all(Query::default())
                .await
                .map(|v| v.len()),
        ),
    ];
    for (table, read) in reads {
        assert_eq!(read, Ok(count(table).await), "{table}");
    }
    // The fixture's rows are there, not an empty database.
    assert!(
        users.len() >= 4 && !functions.is_empty(),
        "{} users",
        users.len()
    );
    store.close().await;
}
