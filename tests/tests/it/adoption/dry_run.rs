//! The dry run: what it recognises and reports (expected values from `docs/LEGACY-SCHEMA.md` and
//! the fixture rows), that it and a refused adoption change nothing, and `--json`.

use containerpub_migration::adopt::{self, BlockerKind, Era, Resolutions};

use super::{cli, every_resolution, later_db, rows, seed_db};

/// Every row of every table, to compare before and after.
async fn snapshot(db: &containerpub_tests::pg::TestDatabase) -> (String, Vec<Vec<Option<String>>>) {
    let data = rows(
        db,
        "SELECT c.relname::text, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I', c.relname), false, true, '')))[1]::text \
         FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY 1",
    )
    .await;
    let users = rows(db, "SELECT string_agg(concat_ws('|', id, uuid, email, created_at, updated_at), ',' ORDER BY id) FROM users").await;
    (db.dump_schema().await, [data, users].concat())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dry_run_reports_the_seed_era_and_changes_nothing() {
    let db = seed_db(true).await;
    let before = snapshot(&db).await;
    let report = adopt::inspect(db.url(), &Resolutions::none())
        .await
        .expect("dry run");
    assert_eq!(report.era, Era::DartSeed);
    assert!(!report.adoptable());
    assert_eq!(report.exit_code(), 2);

    // Every blocking row of the fixture, by kind, table, row and column.
    let mut found: Vec<(BlockerKind, &str, &str, &str)> = report
        .blockers
        .iter()
        .map(|b| (b.kind, b.table.as_str(), b.row.as_str(), b.column.as_str()))
        .collect();
    found.sort();
    let mut expected = vec![
        (
            BlockerKind::EmailCollision,
            "users",
            "10000000-0000-4000-8000-000000000001",
            "email",
        ),
        (
            BlockerKind::EmailCollision,
            "users",
            "10000000-0000-4000-8000-000000000002",
            "email",
        ),
        (
            BlockerKind::TwoActiveDeployments,
            "function_deployments",
            "30000000-0000-4000-8000-000000000001",
            "is_active",
        ),
        (
            BlockerKind::TwoActiveDeployments,
            "function_deployments",
            "30000000-0000-4000-8000-000000000002",
            "is_active",
        ),
        (
            BlockerKind::DanglingActiveDeployment,
            "functions",
            "20000000-0000-4000-8000-000000000002",
            "active_deployment_id",
        ),
        (
            BlockerKind::NullInRequiredColumn,
            "users",
            "10000000-0000-4000-8000-000000000005",
            "created_at",
        ),
        (
            BlockerKind::NullInRequiredColumn,
            "users",
            "10000000-0000-4000-8000-000000000005",
            "updated_at",
        ),
        (
            BlockerKind::NullInRequiredColumn,
            "functions",
            "20000000-0000-4000-8000-000000000003",
            "status",
        ),
        (
            BlockerKind::NullInRequiredColumn,
            "function_deployments",
            "30000000-0000-4000-8000-000000000003",
            "status",
        ),
        (
            BlockerKind::NullInRequiredColumn,
            "function_deployments",
            "30000000-0000-4000-8000-000000000003",
            "is_active",
        ),
        (
            BlockerKind::NullInRequiredColumn,
            "function_deployments",
            "30000000-0000-4000-8000-000000000003",
            "deployed_at",
        ),
        (
            BlockerKind::NullInRequiredColumn,
            "function_logs",
            "40000000-0000-4000-8000-000000000003",
            "timestamp",
        ),
        (
            BlockerKind::NullInRequiredColumn,
            "function_invocations",
            "50000000-0000-4000-8000-000000000003",
            "duration_ms",
        ),
        (
            BlockerKind::NullInRequiredColumn,
            "user_information",
            "60000000-0000-4000-8000-000000000002",
            "created_at",
        ),
    ];
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(
        report.unresolved,
        vec![
            BlockerKind::EmailCollision,
            BlockerKind::TwoActiveDeployments,
            BlockerKind::DanglingActiveDeployment,
            BlockerKind::NullInRequiredColumn,
        ]
    );

    // Differences named in `docs/LEGACY-SCHEMA.md` section 2.
    let has = |table: &str, object: &str, name: &str, found: &str, expected: &str| {
        report.differences.iter().any(|d| {
            d.table == table
                && d.object == object
                && d.name == name
                && d.found.contains(found)
                && d.expected.contains(expected)
        })
    };
    for trigger in [
        "update_users_updated_at",
        "update_functions_updated_at",
        "update_user_information_updated_at",
        "update_organizations_updated_at",
    ] {
        assert!(
            report
                .differences
                .iter()
                .any(|d| d.object == "trigger" && d.name == trigger),
            "{trigger}"
        );
    }
    #[rustfmt::skip]
    let differences = [
        // (table, object, name, found contains, expected contains)
        ("users", "column", "uuid default", "uuid_generate_v4()", "gen_random_uuid()"),
        ("users", "column", "email", "as typed", "trimmed and lowercased"),
        ("users", "column", "password_hash nullability", "NOT NULL", "NULL"),
        ("functions", "column", "status nullability", "NULL", "NOT NULL"),
        ("functions", "constraint", "functions_active_deployment_id_fkey", "absent", "ON DELETE SET NULL"),
        ("function_deployments", "constraint", "function_deployments_version_check", "absent", "version > 0"),
        ("function_deployments", "column", "status default", "'building'", "'pending'"),
        ("function_deployments", "index", "function_deployments_function_id_active_key", "absent", "WHERE is_active"),
        ("function_logs", "column", "id type", "integer", "bigint"),
        ("function_invocations", "column", "id type", "integer", "bigint"),
        ("function_invocations", "constraint", "function_invocations_duration_ms_check", "absent", "duration_ms >= 0"),
        ("function_logs", "index", "idx_function_logs_timestamp", "DESC", "absent"),
        ("user_information", "column", "created_at type", "with time zone", "without time zone"),
        ("user_information", "constraint", "user_information_role_check", "CHECK", "absent"),
        ("organizations", "constraint", "organizations_owner_id_fkey", "ON DELETE CASCADE", "ON DELETE RESTRICT"),
        ("organization_members", "column", "joined_at type", "with time zone", "without time zone"),
        ("users", "index", "idx_users_uuid", "uuid", "absent"),
        ("repositories", "table", "repositories", "absent", "present"),
        ("", "extension", "uuid-ossp", "installed", "absent"),
    ];
    for (table, object, name, found, expected) in differences {
        assert!(
            has(table, object, name, found, expected),
            "{table} {object} {name}: found {found:?}, expected {expected:?}"
        );
    }
    assert!(!report.plan.is_empty());

    assert_eq!(
        snapshot(&db).await,
        before,
        "the dry run changed the database"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_database_is_refused_whole() {
    let db = seed_db(true).await;
    let before = snapshot(&db).await;
    // Three of the four kinds resolved: still refused.
    let mut partial = Resolutions::none();
    for spec in [
        "email-collision=keep-oldest",
        "two-active-deployments=keep-latest",
        "dangling-active-deployment=clear",
    ] {
        partial.add(spec).expect("valid");
    }
    let mut lines = Vec::new();
    let report = adopt::adopt(db.url(), &partial, &mut |l: &str| lines.push(l.to_owned()))
        .await
        .expect("refusal is a report, not an error");
    assert!(!report.applied);
    assert_eq!(report.unresolved, vec![BlockerKind::NullInRequiredColumn]);
    assert!(lines.is_empty(), "no step ran: {lines:?}");
    assert_eq!(snapshot(&db).await, before);

    let (code, out, _) = cli(&db, &["adopt"]).await;
    assert_eq!(code, 2);
    assert!(
        out.contains("verdict: blocked: nothing was changed"),
        "{out}"
    );
    assert!(
        out.contains(
            "unresolved: email-collision (choose --resolve email-collision=keep-oldest|keep-newest)"
        ),
        "{out}"
    );
    assert_eq!(snapshot(&db).await, before);

    let (code, _, err) = cli(&db, &["adopt", "--resolve", "invalid-value=drop"]).await;
    assert_eq!(code, 1);
    assert!(
        err.contains("invalid-value has no automatic resolution"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_step_rolls_everything_back() {
    let db = seed_db(true).await;
    // The address the collision resolution gives the newer "ada" account is taken already,
    // so its step fails half-way through the plan.
    db.execute(
        "INSERT INTO users (id, uuid, email, password_hash, created_at, updated_at) VALUES \
         (6, '10000000-0000-4000-8000-000000000006', \
         'ada+10000000000040008000000000000002@example.com', 'h', '2025-11-21', '2025-11-21')",
    )
    .await;
    let before = snapshot(&db).await;
    let mut lines = Vec::new();
    let err = adopt::adopt(
        db.url(),
        &every_resolution("keep-latest"),
        &mut |l: &str| lines.push(l.to_owned()),
    )
    .await
    .expect_err("the unique key refuses the renamed address");
    assert!(err.to_string().contains("users_email_key"), "{err}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("email-collision=keep-oldest")),
        "{lines:?}"
    );
    assert_eq!(
        snapshot(&db).await,
        before,
        "a failed adoption left changes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_report_says_the_same() {
    let db = later_db().await;
    let text = adopt::inspect(db.url(), &every_resolution("keep-latest"))
        .await
        .expect("dry run");
    assert_eq!(text.era, Era::DartLater);
    assert!(text.adoptable());
    let (code, out, _) = cli(
        &db,
        &[
            "adopt",
            "--dry-run",
            "--json",
            "--resolve",
            "email-collision=keep-oldest",
            "--resolve",
            "two-active-deployments=keep-latest",
            "--resolve=dangling-active-deployment=clear",
            "--resolve",
            "null-in-required-column=fill-default",
        ],
    )
    .await;
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json["era"], "dart-later");
    assert_eq!(json["adoptable"], true);
    assert_eq!(json["applied"], false);
    assert_eq!(
        json["blockers"].as_array().map(Vec::len),
        Some(text.blockers.len())
    );
    assert_eq!(
        json["differences"].as_array().map(Vec::len),
        Some(text.differences.len())
    );
    assert_eq!(json["plan"].as_array().map(Vec::len), Some(text.plan.len()));
    assert_eq!(json["plan"][0]["sql"], text.plan[0].sql.as_str());
    // The later era's names that `docs/SCHEMA.md` needs are freed (`docs/LEGACY-SCHEMA.md` section 3).
    assert!(text.plan.iter().any(|s| s.sql
        == "ALTER SEQUENCE \"function_logs_id_seq\" RENAME TO \"function_deploy_logs_id_seq\""));
    assert!(
        text.plan
            .iter()
            .any(|s| s.description == "create table function_logs")
    );
    // uuid-ossp stays: logs and api_keys use it.
    assert!(!text.plan.iter().any(|s| s.sql.contains("DROP EXTENSION")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_a_thousand_rows_are_listed_per_kind_and_column_then_a_count() {
    let db = seed_db(true).await;
    db.execute(
        "INSERT INTO function_logs (function_id, level, message, timestamp) \
         SELECT 1, 'info', 'm', NULL FROM generate_series(1, 1000)",
    )
    .await;
    let report = adopt::inspect(db.url(), &Resolutions::none())
        .await
        .expect("dry run");
    let logs: Vec<_> = report
        .blockers
        .iter()
        .filter(|b| b.table == "function_logs" && b.column == "timestamp")
        .collect();
    assert_eq!(adopt::LIMIT, 1000);
    // 1,001 rows: 1,000 listed, then one line counting the rest.
    assert_eq!(logs.len(), 1001);
    assert_eq!(logs[1000].row, "…");
    assert_eq!(logs[1000].reason, "and 1 more rows like these");
}

/// The adoption spec's frozen copies of the domain's words (the migration crate cannot depend
/// on the domain) agree with the domain: a word the domain accepts and the dry run flags (or
/// the reverse) would block or pass the wrong rows.
#[test]
fn the_spec_words_are_the_domains() {
    use containerpub_domain::{DeploymentStatus, FunctionStatus, InvocationStatus, LogLevel, Role};
    use containerpub_migration::adopt::spec::WORDS;

    let domain: [(&str, &str, &[&str]); 5] = [
        ("functions", "status", FunctionStatus::WORDS),
        ("function_deployments", "status", DeploymentStatus::WORDS),
        ("function_logs", "level", LogLevel::WORDS),
        ("function_invocations", "status", InvocationStatus::WORDS),
        ("user_information", "role", Role::WORDS),
    ];
    assert_eq!(WORDS, domain.as_slice());
}

/// An e-mail whose non-ASCII capitals PostgreSQL's `lower()` folds differently from the domain
/// (`İ`: one letter for glibc, `i` + a combining dot for Unicode; unchanged under the `C`
/// collation) blocks adoption as an invalid value: adopted as PostgreSQL folds it, the row
/// would make every read of `users` fail. A non-ASCII address that is already lowercase
/// passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_that_sql_and_the_domain_lowercase_differently_blocks() {
    let db = seed_db(true).await;
    db.execute(
        "INSERT INTO users (id, uuid, email, password_hash, created_at, updated_at) VALUES \
         (90, '19000000-0000-4000-8000-000000000001', 'İnci@Example.com', 'h', now(), now()), \
         (91, '19000000-0000-4000-8000-000000000002', 'José@Example.com', 'h', now(), now())",
    )
    .await;
    let report = adopt::inspect(db.url(), &Resolutions::none())
        .await
        .expect("dry run");
    let email_blockers: Vec<(&str, BlockerKind)> = report
        .blockers
        .iter()
        .filter(|b| b.row.starts_with("19000000"))
        .map(|b| (b.row.as_str(), b.kind))
        .collect();
    assert_eq!(
        email_blockers,
        vec![(
            "19000000-0000-4000-8000-000000000001",
            BlockerKind::InvalidValue
        )],
        "{}",
        report.to_text()
    );
}

/// The adoption's copy of the domain's e-mail normalisation agrees with `Email::parse`.
#[test]
fn the_adoption_normalises_emails_as_the_domain_does() {
    for raw in [
        "  İnci@Example.COM\u{a0}",
        "ÉLODIE@x.fr",
        "\tAda@Example.com\n",
        "ß@ẞ.de",
    ] {
        let domain = containerpub_domain::Email::parse(raw).expect("valid");
        assert_eq!(
            containerpub_migration::adopt::domain_normalised(raw),
            domain.as_str(),
            "{raw:?}"
        );
    }
}
