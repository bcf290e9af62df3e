//! The report types of adoption: blocker kinds and blocking rows, differences from
//! `docs/SCHEMA.md`, plan steps, the chosen resolutions, and the [`Report`] that holds them.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use super::Era;

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
    /// that counts rows beyond [`LIMIT`](super::LIMIT).
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
    /// Set by [`adopt`](super::adopt()): how long each step took, in plan order.
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
