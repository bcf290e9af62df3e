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

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use sea_orm_migration::sea_orm::{ConnectionTrait, DbErr, TransactionTrait};

mod blockers;
mod inspect;
mod plan;
mod report;
pub mod spec;

pub use blockers::{LIMIT, domain_normalised};
pub use inspect::Era;
pub(crate) use inspect::first_column;

use crate::{MigrationError, names, with_connection};

/// A kind of row that blocks adoption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BlockerKind {
    /// Two or more users whose e-mails are equal once trimmed and lowercased.
    EmailCollision,
    /// A function with more than one `is_active` deployment.
    TwoActiveDeployments,
    /// `functions.active_deployment_id` names a deployment that does not exist.
    DanglingActiveDeployment,
    /// NULL in a column that becomes NOT NULL.
    NullInRequiredColumn,
    /// `function_invocations.duration_ms` below 0 (the new CHECK refuses it).
    NegativeDuration,
    /// `function_deployments.version` of 0 or less (the new CHECK refuses it).
    NonPositiveVersion,
    /// A value the domain cannot read: a status, level or role word it does not know, an
    /// e-mail that is no address, a blank name.
    InvalidValue,
}

impl BlockerKind {
    /// Every kind.
    pub const ALL: [BlockerKind; 7] = [
        BlockerKind::EmailCollision,
        BlockerKind::TwoActiveDeployments,
        BlockerKind::DanglingActiveDeployment,
        BlockerKind::NullInRequiredColumn,
        BlockerKind::NegativeDuration,
        BlockerKind::NonPositiveVersion,
        BlockerKind::InvalidValue,
    ];

    /// The kind's name on the command line (`--resolve <name>=<choice>`) and in reports.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            BlockerKind::EmailCollision => "email-collision",
            BlockerKind::TwoActiveDeployments => "two-active-deployments",
            BlockerKind::DanglingActiveDeployment => "dangling-active-deployment",
            BlockerKind::NullInRequiredColumn => "null-in-required-column",
            BlockerKind::NegativeDuration => "negative-duration",
            BlockerKind::NonPositiveVersion => "nonpositive-version",
            BlockerKind::InvalidValue => "invalid-value",
        }
    }

    /// The documented resolutions of this kind (none: fix the rows by hand first).
    ///
    /// - `email-collision=keep-oldest|keep-newest`: the account created first (last) keeps
    ///   the address; each other one gets `<local>+<its uuid without dashes>@<domain>`.
    /// - `two-active-deployments=keep-latest|keep-pointed`: the highest version (the one
    ///   `functions.active_deployment_id` names, else the highest version) stays active; the
    ///   others become inactive.
    /// - `dangling-active-deployment=clear`: `active_deployment_id` becomes NULL.
    /// - `null-in-required-column=fill-default`: NULL becomes the column's `docs/SCHEMA.md`
    ///   default (`functions.status` `active`, `function_deployments.status` `pending`,
    ///   `is_active` false, `duration_ms` 0, timestamps the adoption's instant).
    /// - `negative-duration=zero`: the duration becomes 0.
    #[must_use]
    pub const fn choices(self) -> &'static [&'static str] {
        match self {
            BlockerKind::EmailCollision => &["keep-oldest", "keep-newest"],
            BlockerKind::TwoActiveDeployments => &["keep-latest", "keep-pointed"],
            BlockerKind::DanglingActiveDeployment => &["clear"],
            BlockerKind::NullInRequiredColumn => &["fill-default"],
            BlockerKind::NegativeDuration => &["zero"],
            BlockerKind::NonPositiveVersion | BlockerKind::InvalidValue => &[],
        }
    }
}

impl fmt::Display for BlockerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row that blocks adoption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    /// What kind of blocker.
    pub kind: BlockerKind,
    /// The table.
    pub table: String,
    /// The row's public key (`uuid`; `user_id` in `organization_members`); `…` on the line
    /// that counts rows beyond [`LIMIT`].
    pub row: String,
    /// The column.
    pub column: String,
    /// Why it blocks.
    pub reason: String,
}

/// One difference from `docs/SCHEMA.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The table (empty for database-wide objects).
    pub table: String,
    /// `table`, `column`, `constraint`, `index`, `trigger`, `sequence`, `function`,
    /// `extension`.
    pub object: &'static str,
    /// The object's name (for columns: `<column> type|default|nullability`).
    pub name: String,
    /// What the database has.
    pub found: String,
    /// What `docs/SCHEMA.md` wants.
    pub expected: String,
}

/// One step of the plan: one SQL statement (or script) run by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The table it changes (empty for database-wide objects).
    pub table: String,
    /// What it does, in words.
    pub description: String,
    /// The SQL.
    pub sql: String,
}

/// The resolutions the user chose, one per blocker kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolutions(BTreeMap<BlockerKind, &'static str>);

impl Resolutions {
    /// No resolution: any blocker refuses adoption.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// Parses `<kind>=<choice>` (the value of `--resolve`) and adds it.
    ///
    /// # Errors
    /// A message naming the unknown kind or choice and listing the valid ones.
    pub fn add(&mut self, spec: &str) -> Result<(), String> {
        let (kind, choice) = spec
            .split_once('=')
            .ok_or_else(|| format!("--resolve takes <kind>=<choice>, got {spec:?}"))?;
        let kind = BlockerKind::ALL
            .into_iter()
            .find(|k| k.as_str() == kind)
            .ok_or_else(|| {
                format!(
                    "unknown blocker kind {kind:?}; kinds: {}",
                    BlockerKind::ALL.map(BlockerKind::as_str).join(", ")
                )
            })?;
        let choice = kind
            .choices()
            .iter()
            .find(|c| **c == choice)
            .ok_or_else(|| match kind.choices() {
                [] => format!("{kind} has no automatic resolution: fix those rows by hand"),
                choices => format!("{kind} takes one of {}, got {choice:?}", choices.join(", ")),
            })?;
        self.0.insert(kind, choice);
        Ok(())
    }

    /// The choice for `kind`, if one was made.
    #[must_use]
    pub fn get(&self, kind: BlockerKind) -> Option<&'static str> {
        self.0.get(&kind).copied()
    }
}

/// What the dry run found, and what `adopt` did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The era recognised.
    pub era: Era,
    /// Every difference from `docs/SCHEMA.md`.
    pub differences: Vec<Difference>,
    /// Every blocking row.
    pub blockers: Vec<Blocker>,
    /// The blocker kinds present without a chosen resolution.
    pub unresolved: Vec<BlockerKind>,
    /// The plan, in order.
    pub plan: Vec<Step>,
    /// Set by [`adopt`]: how long each step took, in plan order.
    pub timings: Vec<Duration>,
    /// Whether the plan was run and committed.
    pub applied: bool,
}

impl Report {
    /// Whether `adopt` may run: a Dart era (or already migrated), every blocker resolved.
    #[must_use]
    pub fn adoptable(&self) -> bool {
        matches!(self.era, Era::DartSeed | Era::DartLater | Era::Migrated)
            && self.unresolved.is_empty()
    }

    /// The exit code of the CLI: 0 adoptable (or adopted), 2 blocked or not adoptable.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        if self.adoptable() { 0 } else { 2 }
    }
}

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
