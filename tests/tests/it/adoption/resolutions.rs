//! Each resolution, alone, does what its documentation says (the other kinds resolved the
//! default way so that adoption runs).

use containerpub_migration::adopt::{self, BlockerKind, Resolutions};

use super::{scalar, seed_db};

async fn adopt_with(choices: &[&str]) -> containerpub_tests::pg::TestDatabase {
    let db = seed_db(true).await;
    let mut r = Resolutions::none();
    for c in choices {
        r.add(c).expect("documented");
    }
    let report = adopt::adopt(db.url(), &r, &mut |_: &str| {})
        .await
        .expect("adopt");
    assert!(report.applied, "{}", report.to_text());
    db
}

const DEFAULTS: [&str; 2] = [
    "dangling-active-deployment=clear",
    "null-in-required-column=fill-default",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_collisions_keep_the_oldest_or_the_newest() {
    let db = adopt_with(&[
        "email-collision=keep-newest",
        "two-active-deployments=keep-latest",
        DEFAULTS[0],
        DEFAULTS[1],
    ])
    .await;
    let emails = scalar(
        &db,
        "SELECT string_agg(email, ',' ORDER BY id) FROM users WHERE id IN (1, 2)",
    )
    .await;
    assert_eq!(
        emails.as_deref(),
        Some("ada+10000000000040008000000000000001@example.com,ada@example.com")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_active_deployments_keep_the_latest() {
    // "hello" points at version 2 and version 2 is also the latest; make it point at v1 to
    // tell keep-latest from keep-pointed.
    let db = seed_db(true).await;
    db.execute("UPDATE functions SET active_deployment_id = 1 WHERE id = 1")
        .await;
    for (choice, active) in [("keep-latest", "2"), ("keep-pointed", "1")] {
        let copy = seed_db(true).await;
        copy.execute("UPDATE functions SET active_deployment_id = 1 WHERE id = 1")
            .await;
        let mut r = Resolutions::none();
        for c in [
            "email-collision=keep-oldest",
            &format!("two-active-deployments={choice}"),
            DEFAULTS[0],
            DEFAULTS[1],
        ] {
            r.add(c).expect("documented");
        }
        let report = adopt::adopt(copy.url(), &r, &mut |_: &str| {})
            .await
            .expect("adopt");
        assert!(report.applied);
        let got = scalar(&copy, "SELECT string_agg(id::text, ',') FROM function_deployments WHERE function_id = 1 AND is_active").await;
        assert_eq!(got.as_deref(), Some(active), "{choice}");
    }
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negative_durations_and_versions() {
    let db = seed_db(true).await;
    db.execute(
        "INSERT INTO function_invocations (uuid, function_id, status, duration_ms) VALUES \
         ('50000000-0000-4000-8000-0000000000ff', 1, 'success', -5); \
         INSERT INTO function_deployments (uuid, function_id, version, image_tag, s3_key) VALUES \
         ('30000000-0000-4000-8000-0000000000ff', 4, 0, 't', 'k')",
    )
    .await;
    let report = adopt::inspect(db.url(), &super::every_resolution("keep-latest"))
        .await
        .expect("dry run");
    assert_eq!(
        report.unresolved,
        vec![
            BlockerKind::NegativeDuration,
            BlockerKind::NonPositiveVersion
        ]
    );
    assert!(
        report
            .blockers
            .iter()
            .any(|b| b.kind == BlockerKind::NonPositiveVersion
                && b.row == "30000000-0000-4000-8000-0000000000ff"
                && b.column == "version")
    );
    // A version of 0 has no automatic resolution: fixed by hand, then negative-duration=zero.
    db.execute("UPDATE function_deployments SET version = 2 WHERE uuid = '30000000-0000-4000-8000-0000000000ff'").await;
    let mut r = super::every_resolution("keep-latest");
    r.add("negative-duration=zero").expect("documented");
    let report = adopt::adopt(db.url(), &r, &mut |_: &str| {})
        .await
        .expect("adopt");
    assert!(report.applied, "{}", report.to_text());
    assert_eq!(
        scalar(&db, "SELECT duration_ms::text FROM function_invocations WHERE uuid = '50000000-0000-4000-8000-0000000000ff'").await.as_deref(),
        Some("0")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_the_domain_cannot_read_block_without_resolution() {
    let db = seed_db(true).await;
    db.execute(
        "UPDATE functions SET status = 'deleted' WHERE id = 4; \
         INSERT INTO users (uuid, email, password_hash) VALUES ('10000000-0000-4000-8000-0000000000ff', 'not-an-address', 'h'); \
         INSERT INTO organizations (uuid, name, owner_id) VALUES ('70000000-0000-4000-8000-0000000000ff', '  ', '10000000-0000-4000-8000-000000000001')",
    )
    .await;
    let report = adopt::inspect(db.url(), &super::every_resolution("keep-latest"))
        .await
        .expect("dry run");
    assert_eq!(report.unresolved, vec![BlockerKind::InvalidValue]);
    let mut invalid: Vec<(&str, &str, &str)> = report
        .blockers
        .iter()
        .filter(|b| b.kind == BlockerKind::InvalidValue)
        .map(|b| (b.table.as_str(), b.row.as_str(), b.column.as_str()))
        .collect();
    invalid.sort();
    assert_eq!(
        invalid,
        vec![
            (
                "functions",
                "20000000-0000-4000-8000-000000000004",
                "status"
            ),
            (
                "organizations",
                "70000000-0000-4000-8000-0000000000ff",
                "name"
            ),
            ("users", "10000000-0000-4000-8000-0000000000ff", "email"),
        ]
    );
    assert_eq!(report.exit_code(), 2);
}
