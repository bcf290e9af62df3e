//! Reading a database's catalog: which of the nine tables exist, their columns, constraints,
//! indexes and triggers, the id sequences, `uuid-ossp`, `seaql_migrations`; and which era of
//! the Dart backend (if any) created it.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

use super::spec;

/// Runs `sql` and returns every row as text columns (`NULL` as `None`).
pub(crate) async fn text_rows<C: ConnectionTrait>(
    db: &C,
    sql: &str,
) -> Result<Vec<Vec<Option<String>>>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .await?;
    rows.iter()
        .map(|row| {
            let n = row.column_names().len();
            (0..n)
                .map(|i| row.try_get_by::<Option<String>, _>(i))
                .collect()
        })
        .collect()
}

/// Runs `sql` and returns the first column of each row (`NULL` as empty).
pub(crate) async fn first_column<C: ConnectionTrait>(
    db: &C,
    sql: &str,
) -> Result<Vec<String>, DbErr> {
    Ok(text_rows(db, sql)
        .await?
        .into_iter()
        .map(|row| row.into_iter().next().flatten().unwrap_or_default())
        .collect())
}

/// The era a database was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// Created by these migrations, or adopted already: every migration is recorded.
    Migrated,
    /// Created by the Dart backend at the seed era (`fa0e504`).
    DartSeed,
    /// Created or upgraded by a later Dart backend (`6494593`): its extra columns or tables
    /// are present.
    DartLater,
    /// No table of the schema exists: `migration up` creates it.
    Empty,
    /// `seaql_migrations` records some migrations, not all: `migration up` applies the rest.
    PartlyMigrated,
    /// Some tables exist but not the set any Dart version creates: not adoptable.
    Unknown,
}

impl Era {
    /// The word used in reports.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Era::Migrated => "migrated",
            Era::DartSeed => "dart-seed",
            Era::DartLater => "dart-later",
            Era::Empty => "empty",
            Era::PartlyMigrated => "partly-migrated",
            Era::Unknown => "unknown",
        }
    }
}

/// A column as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundColumn {
    pub(crate) ty: String,
    pub(crate) not_null: bool,
    pub(crate) default: Option<String>,
}

/// What the catalog says about the database.
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalog {
    /// Every table of schema `public`.
    pub(crate) tables: BTreeSet<String>,
    /// (table, column) → column, for the nine tables.
    pub(crate) columns: BTreeMap<(String, String), FoundColumn>,
    /// (table, name) → (definition, contype), constraints of the nine tables.
    pub(crate) constraints: BTreeMap<(String, String), (String, String)>,
    /// (table, name) → definition, indexes of the nine tables that back no constraint.
    pub(crate) indexes: BTreeMap<(String, String), String>,
    /// (table, trigger) of the nine tables that call `update_updated_at_column()`.
    pub(crate) clock_triggers: Vec<(String, String)>,
    /// Triggers elsewhere still calling `update_updated_at_column()`.
    pub(crate) other_clock_triggers: usize,
    /// `update_updated_at_column()` exists.
    pub(crate) clock_function: bool,
    /// table → type of its id sequence (`integer`/`bigint`), for the 64-bit tables.
    pub(crate) sequence_types: BTreeMap<String, String>,
    /// `uuid-ossp` is installed.
    pub(crate) uuid_ossp: bool,
    /// Column defaults outside the nine tables use `uuid-ossp`.
    pub(crate) uuid_ossp_used_elsewhere: bool,
    /// Migrations recorded in `seaql_migrations` (`None`: no such table).
    pub(crate) applied: Option<Vec<String>>,
    /// Names the nine tables need that another table's objects hold (constraint, sequence):
    /// (owning table, kind, name).
    pub(crate) foreign_names: Vec<(String, &'static str, String)>,
}

fn in_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Catalog {
    /// Reads the catalog.
    pub(crate) async fn read<C: ConnectionTrait>(db: &C) -> Result<Self, DbErr> {
        let ours = in_list(&spec::TABLES);
        let mut cat = Catalog {
            tables: first_column(
                db,
                "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace \
                 AND relkind IN ('r', 'p')",
            )
            .await?
            .into_iter()
            .collect(),
            ..Catalog::default()
        };
        for row in text_rows(
            db,
            &format!(
                "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), \
                 a.attnotnull::text, pg_get_expr(d.adbin, d.adrelid) \
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' \
                 AND a.attnum > 0 AND NOT a.attisdropped AND c.relname IN ({ours})"
            ),
        )
        .await?
        {
            let [t, c, ty, nn, def] = fields(row);
            cat.columns.insert(
                (t, c),
                FoundColumn {
                    ty,
                    not_null: nn == "true",
                    default: (!def.is_empty()).then_some(def),
                },
            );
        }
        for row in text_rows(
            db,
            &format!(
                "SELECT c.relname::text, k.conname::text, pg_get_constraintdef(k.oid), \
                 k.contype::text FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid \
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relname IN ({ours})"
            ),
        )
        .await?
        {
            let [t, n, def, kind, _] = fields(row);
            cat.constraints.insert((t, n), (def, kind));
        }
        for row in text_rows(
            db,
            &format!(
                "SELECT c.relname::text, x.relname::text, pg_get_indexdef(i.indexrelid) \
                 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
                 JOIN pg_class x ON x.oid = i.indexrelid \
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relname IN ({ours}) \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid \
                 AND k.conrelid = i.indrelid)"
            ),
        )
        .await?
        {
            let [t, n, def, _, _] = fields(row);
            cat.indexes.insert((t, n), def);
        }
        for row in text_rows(
            db,
            "SELECT c.relname::text, t.tgname::text FROM pg_trigger t \
             JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid \
             WHERE NOT t.tgisinternal AND p.proname = 'update_updated_at_column' \
             AND c.relnamespace = 'public'::regnamespace ORDER BY 1, 2",
        )
        .await?
        {
            let [t, n, _, _, _] = fields(row);
            if spec::TABLES.contains(&t.as_str()) {
                cat.clock_triggers.push((t, n));
            } else {
                cat.other_clock_triggers += 1;
            }
        }
        cat.clock_function = !first_column(
            db,
            "SELECT proname::text FROM pg_proc WHERE proname = 'update_updated_at_column' \
             AND pronamespace = 'public'::regnamespace",
        )
        .await?
        .is_empty();
        for table in spec::BIGINT_IDS {
            let ty = first_column(
                db,
                &format!(
                    "SELECT s.seqtypid::regtype::text FROM pg_sequence s \
                     JOIN pg_class q ON q.oid = s.seqrelid \
                     WHERE q.relnamespace = 'public'::regnamespace AND q.relname = '{table}_id_seq' \
                     AND EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class c ON c.oid = d.refobjid \
                     WHERE d.objid = q.oid AND c.relname = '{table}')"
                ),
            )
            .await?;
            if let Some(ty) = ty.into_iter().next() {
                cat.sequence_types.insert(table.to_owned(), ty);
            }
        }
        cat.uuid_ossp = !first_column(
            db,
            "SELECT extname::text FROM pg_extension WHERE extname = 'uuid-ossp'",
        )
        .await?
        .is_empty();
        cat.uuid_ossp_used_elsewhere = !first_column(
            db,
            &format!(
                "SELECT c.relname::text FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid \
                 WHERE pg_get_expr(d.adbin, d.adrelid) LIKE '%uuid_generate_%' \
                 AND c.relname NOT IN ({ours})"
            ),
        )
        .await?
        .is_empty();
        if cat.tables.contains("seaql_migrations") {
            cat.applied = Some(
                first_column(
                    db,
                    "SELECT version::text FROM seaql_migrations ORDER BY version",
                )
                .await?,
            );
        }
        for row in text_rows(
            db,
            &format!(
                "SELECT c.relname::text, 'constraint', k.conname::text FROM pg_constraint k \
                 JOIN pg_class c ON c.oid = k.conrelid \
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relname NOT IN ({ours}) \
                 AND k.conname IN ({names}) \
                 UNION ALL \
                 SELECT c.relname::text, 'sequence', q.relname::text FROM pg_class q \
                 JOIN pg_depend d ON d.objid = q.oid JOIN pg_class c ON c.oid = d.refobjid \
                 WHERE q.relkind = 'S' AND q.relnamespace = 'public'::regnamespace \
                 AND c.relkind = 'r' AND c.relname NOT IN ({ours}) AND q.relname IN ({seqs}) \
                 ORDER BY 1, 2, 3",
                names = in_list(&spec::CONSTRAINTS.iter().map(|c| c.name).collect::<Vec<_>>()),
                seqs = in_list(
                    &spec::TABLES
                        .iter()
                        .map(|t| format!("{t}_id_seq"))
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                ),
            ),
        )
        .await?
        {
            let [t, kind, n, _, _] = fields(row);
            let kind = if kind == "sequence" {
                "sequence"
            } else {
                "constraint"
            };
            cat.foreign_names.push((t, kind, n));
        }
        Ok(cat)
    }

    /// Whether `table` exists.
    pub(crate) fn has(&self, table: &str) -> bool {
        self.tables.contains(table)
    }

    /// The column, if it exists.
    pub(crate) fn column(&self, table: &str, column: &str) -> Option<&FoundColumn> {
        self.columns.get(&(table.to_owned(), column.to_owned()))
    }

    /// Recognises the era.
    pub(crate) fn era(&self, migrations: &[String]) -> Era {
        if let Some(applied) = &self.applied
            && migrations.iter().all(|m| applied.contains(m))
        {
            return Era::Migrated;
        }
        let dart_core = [
            "users",
            "functions",
            "function_deployments",
            "function_invocations",
            "user_information",
            "organizations",
            "organization_members",
        ];
        let present = spec::TABLES.iter().filter(|t| self.has(t)).count();
        if present == 0 {
            return Era::Empty;
        }
        if self.applied.is_some() {
            return Era::PartlyMigrated;
        }
        if !dart_core.iter().all(|t| self.has(t)) {
            return Era::Unknown;
        }
        let later = self.has("function_deploy_logs")
            || self.has("api_keys")
            || self.has("email_verification_otps")
            || self.column("users", "is_email_verified").is_some();
        if later {
            Era::DartLater
        } else if self.has("function_logs") {
            Era::DartSeed
        } else {
            Era::Unknown
        }
    }
}

fn fields(row: Vec<Option<String>>) -> [String; 5] {
    let mut out: [String; 5] = Default::default();
    for (slot, value) in out.iter_mut().zip(row) {
        *slot = value.unwrap_or_default();
    }
    out
}
