//! `migration adopt` on databases built exactly as the Dart backend builds them
//! (`tests/fixtures/legacy/`, written from `docs/LEGACY-SCHEMA.md`): the dry run, the refusal, each
//! resolution, the adoption with cell-by-cell checksums, the no-op second run, the CLI's
//! safety, the store on a database nobody adopted, and the whole contract suite on adopted
//! databases.

mod cli;
mod contract;
mod conversion;
mod dry_run;
mod numbers;
mod resolutions;
mod unadopted;

use containerpub_migration::adopt::Resolutions;
use containerpub_tests::pg::TestDatabase;
use sqlx::Row;

const SEED_SCHEMA: &str = include_str!("../../../fixtures/legacy/seed_schema.sql");
const SEED_ROWS: &str = include_str!("../../../fixtures/legacy/seed_rows.sql");
const HEAD_UPGRADE: &str = include_str!("../../../fixtures/legacy/head_upgrade.sql");
const HEAD_ROWS: &str = include_str!("../../../fixtures/legacy/head_rows.sql");

/// A seed-era database, with the Dart-written rows if `rows`.
async fn seed_db(rows: bool) -> TestDatabase {
    let db = TestDatabase::empty().await;
    db.execute(SEED_SCHEMA).await;
    if rows {
        db.execute(SEED_ROWS).await;
    }
    db
}

/// A seed-era database upgraded by the later Dart backend, with rows of both eras.
async fn later_db() -> TestDatabase {
    let db = seed_db(true).await;
    db.execute(HEAD_UPGRADE).await;
    db.execute(HEAD_ROWS).await;
    db
}

/// One resolution per blocker kind the fixtures hold.
fn every_resolution(two_active: &str) -> Resolutions {
    let mut r = Resolutions::none();
    for spec in [
        "email-collision=keep-oldest",
        &format!("two-active-deployments={two_active}"),
        "dangling-active-deployment=clear",
        "null-in-required-column=fill-default",
    ] {
        r.add(spec).expect("a documented resolution");
    }
    r
}

/// Runs `sql` and returns each row's columns as text (`NULL` as `None`).
async fn rows(db: &TestDatabase, sql: &str) -> Vec<Vec<Option<String>>> {
    let mut conn = db.connect().await;
    let rows = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.iter()
        .map(|row| {
            (0..row.len())
                .map(|i| row.try_get::<Option<String>, _>(i).expect("text column"))
                .collect()
        })
        .collect()
}

/// The first column of the first row.
async fn scalar(db: &TestDatabase, sql: &str) -> Option<String> {
    rows(db, sql)
        .await
        .into_iter()
        .next()
        .and_then(|r| r.into_iter().next().flatten())
}

/// Runs the `migration` CLI in-process; returns (exit code, stdout, stderr).
async fn cli(db: &TestDatabase, args: &[&str]) -> (i32, String, String) {
    let mut argv = vec!["-u".to_owned(), db.url().to_owned()];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = containerpub_migration::cli::run(&argv, &mut out, &mut err)
        .await
        .expect("a command of this CLI");
    (
        code,
        String::from_utf8(out).expect("utf-8"),
        String::from_utf8(err).expect("utf-8"),
    )
}
