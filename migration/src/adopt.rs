//! `migration adopt`: takes over a database that the Dart ContainerPub backend created.
//!
//! [`inspect`] (the dry run) reads the catalog, recognises the era, lists every difference
//! from `docs/SCHEMA.md`, every row that blocks adoption and the exact plan of SQL steps, and
//! changes nothing. [`adopt`] runs the same plan in one transaction (after `SET LOCAL
//! TimeZone = 'UTC'`), re-checking the blockers inside it, and records every migration as
//! applied; on any error nothing changes. A database whose blockers are not all covered by a
//! chosen [`Resolutions`] entry is refused whole. Adopting an adopted database is a no-op.
//!
//! Conversions (all in SQL, on the server, so large tables are streamed by PostgreSQL, never
//! held in this process):
//! - `TIMESTAMPTZ` columns become `TIMESTAMP` holding the same instant in UTC
//!   (`USING col AT TIME ZONE 'UTC'`); `TIMESTAMP` columns already hold UTC (the Dart driver's
//!   session runs in UTC) and are kept as they are;
//! - `function_logs.id`, `function_invocations.id` become `bigint`, their sequences `AS
//!   bigint`;
//! - e-mails are trimmed and lowercased;
//! - defaults, NOT NULLs, checks, the partial unique index, foreign keys and `ON DELETE`
//!   actions become those of `docs/SCHEMA.md`; indexes that `docs/SCHEMA.md` does not have are dropped,
//!   its own are created;
//! - the Dart `BEFORE UPDATE` triggers, `update_updated_at_column()` and (when nothing else
//!   uses it) `uuid-ossp` are dropped; `repositories` is created;
//! - tables and columns `docs/SCHEMA.md` does not know are kept untouched; only names they hold that
//!   `docs/SCHEMA.md` needs (an upgraded `function_deploy_logs` keeps `function_logs_pkey`, …) are
//!   renamed to their owner's prefix, and `function_logs` is created beside it.

use std::time::Instant;

use sea_orm_migration::sea_orm::{ConnectionTrait, DbErr, TransactionTrait};

mod blockers;
mod inspect;
mod model;
mod plan;
mod report;
pub mod spec;

pub use blockers::{LIMIT, domain_normalised};
pub use inspect::Era;
pub(crate) use inspect::first_column;
pub use model::{Blocker, BlockerKind, Difference, Report, Resolutions, Step};

use crate::{MigrationError, names, with_connection};

async fn survey<C: ConnectionTrait>(db: &C, resolutions: &Resolutions) -> Result<Report, DbErr> {
    let catalog = inspect::Catalog::read(db).await?;
    let migrations = names();
    let era = catalog.era(&migrations);
    let blockers = if matches!(era, Era::DartSeed | Era::DartLater) {
        blockers::find(db, &catalog).await?
    } else {
        Vec::new()
    };
    let mut unresolved: Vec<BlockerKind> = blockers
        .iter()
        .map(|b| b.kind)
        .filter(|k| resolutions.get(*k).is_none())
        .collect();
    unresolved.sort();
    unresolved.dedup();
    let (differences, plan) = match era {
        Era::DartSeed | Era::DartLater | Era::Migrated => {
            plan::build(db, &catalog, &blockers, resolutions, &migrations).await?
        }
        Era::Empty | Era::PartlyMigrated | Era::Unknown => (Vec::new(), Vec::new()),
    };
    Ok(Report {
        era,
        differences,
        blockers,
        unresolved,
        plan,
        timings: Vec::new(),
        applied: false,
    })
}

/// The dry run: inspects the database at `database_url` and changes nothing (it reads the
/// catalog and the blocking rows in a read-only transaction that is rolled back).
///
/// # Errors
/// [`MigrationError`] if the database cannot be reached or read.
pub async fn inspect(
    database_url: &str,
    resolutions: &Resolutions,
) -> Result<Report, MigrationError> {
    with_connection(database_url, async |db| {
        let tx = db
            .begin()
            .await
            .map_err(|e| MigrationError::new("beginning the dry run", e))?;
        tx.execute_unprepared("SET TRANSACTION READ ONLY")
            .await
            .map_err(|e| MigrationError::new("beginning the dry run", e))?;
        let report = survey(&tx, resolutions)
            .await
            .map_err(|e| MigrationError::new("inspecting the database", e))?;
        tx.rollback()
            .await
            .map_err(|e| MigrationError::new("ending the dry run", e))?;
        Ok(report)
    })
    .await
}

/// Adopts the database at `database_url`: surveys it inside one transaction, refuses (nothing
/// changed, `applied` false) if it is not adoptable, otherwise runs every step, calling
/// `progress` before and after each with a line to show, and commits.
///
/// # Errors
/// [`MigrationError`] if the database cannot be reached or a step fails; the transaction is
/// rolled back, so nothing changed.
pub async fn adopt(
    database_url: &str,
    resolutions: &Resolutions,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<Report, MigrationError> {
    with_connection(database_url, async |db| {
        let tx = db
            .begin()
            .await
            .map_err(|e| MigrationError::new("beginning the adoption", e))?;
        tx.execute_unprepared("SET LOCAL TimeZone = 'UTC'; SET LOCAL lock_timeout = '60s'")
            .await
            .map_err(|e| MigrationError::new("beginning the adoption", e))?;
        let mut report = survey(&tx, resolutions)
            .await
            .map_err(|e| MigrationError::new("inspecting the database", e))?;
        // A migrated (or adopted) database is never changed: a second `adopt` is a no-op.
        if !report.adoptable() || report.plan.is_empty() || report.era == Era::Migrated {
            tx.rollback()
                .await
                .map_err(|e| MigrationError::new("ending the adoption", e))?;
            return Ok(report);
        }
        let total = report.plan.len();
        let started = Instant::now();
        for (i, step) in report.plan.iter().enumerate() {
            let table = if step.table.is_empty() {
                "(database)"
            } else {
                step.table.as_str()
            };
            progress(&format!(
                "[{}/{total}] {table}: {} …",
                i + 1,
                step.description
            ));
            let at = Instant::now();
            tx.execute_unprepared(&step.sql)
                .await
                .map_err(|e| MigrationError::new("running an adoption step (rolled back)", e))?;
            let took = at.elapsed();
            progress(&format!(
                "[{}/{total}] {table}: done in {}",
                i + 1,
                report::duration(took)
            ));
            report.timings.push(took);
        }
        let at = Instant::now();
        tx.commit()
            .await
            .map_err(|e| MigrationError::new("committing the adoption", e))?;
        progress(&format!(
            "committed in {}; adoption took {}",
            report::duration(at.elapsed()),
            report::duration(started.elapsed())
        ));
        report.applied = true;
        Ok(report)
    })
    .await
}
