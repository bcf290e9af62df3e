//! The differences between a database and `docs/SCHEMA.md`, and the ordered SQL steps that remove
//! them. Every step is one statement that PostgreSQL runs on the server (conversions are
//! `ALTER TABLE … TYPE … USING` and `UPDATE`s), so no table is ever read into memory.

use std::collections::BTreeMap;

use sea_orm_migration::sea_orm::{ConnectionTrait, DbErr};

use super::blockers::NORMALISED_EMAIL;
use super::inspect::{Catalog, first_column};
use super::{Blocker, BlockerKind, Difference, Resolutions, Step, spec};
use crate::{m20250101_000005_create_function_logs, m20250101_000010_create_repositories};

fn step(table: &str, description: impl Into<String>, sql: impl Into<String>) -> Step {
    Step {
        table: table.to_owned(),
        description: description.into(),
        sql: sql.into(),
    }
}

fn diff(table: &str, object: &'static str, name: &str, found: &str, expected: &str) -> Difference {
    Difference {
        table: table.to_owned(),
        object,
        name: name.to_owned(),
        found: found.to_owned(),
        expected: expected.to_owned(),
    }
}

/// The name `name` (held by an object of `owner`, a table `docs/SCHEMA.md` does not know) gets: the
/// `docs/SCHEMA.md` table prefix replaced by the owner's name.
fn renamed(owner: &str, name: &str) -> String {
    let prefix = spec::TABLES
        .iter()
        .filter(|t| name.starts_with(&format!("{t}_")))
        .max_by_key(|t| t.len())
        .copied()
        .unwrap_or("");
    format!(
        "{owner}_{}",
        &name[prefix.len() + usize::from(!prefix.is_empty())..]
    )
}

/// What a NULL becomes under `null-in-required-column=fill-default`.
pub(crate) fn fill_value(table: &str, column: &str) -> &'static str {
    match (table, column) {
        ("functions", "status") => "'active'",
        ("function_deployments", "status") => "'pending'",
        ("function_deployments", "is_active") => "false",
        ("function_invocations", "duration_ms") => "0",
        // Timestamps: the adoption's instant (the session runs in UTC).
        _ => "now()",
    }
}

/// The conversion of a column from the type found to the type expected.
fn using(column: &str, found: &str, expected: &str) -> String {
    if found == "timestamp with time zone" && expected == "timestamp without time zone" {
        format!("\"{column}\" AT TIME ZONE 'UTC'")
    } else {
        format!("\"{column}\"::{expected}")
    }
}

/// Builds the differences and the plan. `blockers` are the rows found; resolutions chosen for
/// their kinds become data steps.
pub(crate) async fn build<C: ConnectionTrait>(
    db: &C,
    cat: &Catalog,
    blockers: &[Blocker],
    resolutions: &Resolutions,
    migrations: &[String],
) -> Result<(Vec<Difference>, Vec<Step>), DbErr> {
    let mut diffs = Vec::new();
    let mut steps = Vec::new();
    let has_blockers = |kind: BlockerKind| blockers.iter().any(|b| b.kind == kind);

    // A. Names a table `docs/SCHEMA.md` does not know holds (an upgraded function_deploy_logs).
    for (owner, kind, name) in &cat.foreign_names {
        let new = renamed(owner, name);
        diffs.push(diff(
            owner,
            kind,
            name,
            &format!("held by {owner}"),
            "free for docs/SCHEMA.md",
        ));
        let sql = if *kind == "sequence" {
            format!("ALTER SEQUENCE \"{name}\" RENAME TO \"{new}\"")
        } else {
            format!("ALTER TABLE \"{owner}\" RENAME CONSTRAINT \"{name}\" TO \"{new}\"")
        };
        steps.push(step(owner, format!("rename {kind} {name} to {new}"), sql));
    }

    // B. The Dart clock triggers.
    for (table, trigger) in &cat.clock_triggers {
        diffs.push(diff(
            table,
            "trigger",
            trigger,
            "BEFORE UPDATE sets updated_at",
            "absent: the store sets updated_at",
        ));
        steps.push(step(
            table,
            format!("drop trigger {trigger}"),
            format!("DROP TRIGGER \"{trigger}\" ON \"{table}\""),
        ));
    }

    // C. Constraints that `docs/SCHEMA.md` does not have, or has with another definition.
    let wanted_constraints: BTreeMap<(&str, &str), &str> = spec::CONSTRAINTS
        .iter()
        .map(|c| ((c.table, c.name), c.def))
        .collect();
    let mut drops: Vec<(&str, &String, &String, &String)> = Vec::new();
    for ((table, name), (def, kind)) in &cat.constraints {
        match wanted_constraints.get(&(table.as_str(), name.as_str())) {
            Some(want) if *want == def => {}
            want => {
                diffs.push(diff(
                    table,
                    "constraint",
                    name,
                    def,
                    want.copied().unwrap_or("absent"),
                ));
                drops.push((kind_order(kind), table, name, def));
            }
        }
    }
    drops.sort();
    for (_, table, name, _) in drops {
        steps.push(step(
            table,
            format!("drop constraint {name}"),
            format!("ALTER TABLE \"{table}\" DROP CONSTRAINT \"{name}\""),
        ));
    }

    // D. Indexes `docs/SCHEMA.md` does not have (redundant, or on other columns).
    let wanted_indexes: BTreeMap<(&str, &str), &str> = spec::INDEXES
        .iter()
        .map(|i| ((i.table, i.name), i.def))
        .collect();
    for ((table, name), def) in &cat.indexes {
        match wanted_indexes.get(&(table.as_str(), name.as_str())) {
            Some(want) if *want == def => {}
            want => {
                diffs.push(diff(
                    table,
                    "index",
                    name,
                    def,
                    want.copied().unwrap_or("absent"),
                ));
                steps.push(step(
                    table,
                    format!("drop index {name}"),
                    format!("DROP INDEX \"{name}\""),
                ));
            }
        }
    }

    // E. Data: the chosen resolutions, then the e-mail normalisation.
    if has_blockers(BlockerKind::EmailCollision)
        && let Some(choice) = resolutions.get(BlockerKind::EmailCollision)
    {
        let order = if choice == "keep-newest" {
            "created_at DESC NULLS LAST, id DESC"
        } else {
            "created_at ASC NULLS LAST, id ASC"
        };
        steps.push(step(
            "users",
            format!(
                "email-collision={choice}: the other accounts get <local>+<their uuid>@<domain>"
            ),
            format!(
                "WITH n AS (SELECT id, {NORMALISED_EMAIL} AS e, row_number() OVER \
                 (PARTITION BY {NORMALISED_EMAIL} ORDER BY {order}) AS r FROM users) \
                 UPDATE users u SET email = split_part(n.e, '@', 1) || '+' || \
                 replace(u.uuid::text, '-', '') || '@' || split_part(n.e, '@', 2) \
                 FROM n WHERE n.id = u.id AND n.r > 1"
            ),
        ));
    }
    if cat.has("users")
        && !first_column(
            db,
            &format!("SELECT uuid::text FROM users WHERE email <> {NORMALISED_EMAIL} LIMIT 1"),
        )
        .await?
        .is_empty()
    {
        diffs.push(diff(
            "users",
            "column",
            "email",
            "stored as typed",
            "trimmed and lowercased",
        ));
        steps.push(step(
            "users",
            "normalise e-mails (trim, lowercase)",
            format!(
                "UPDATE users SET email = {NORMALISED_EMAIL} WHERE email <> {NORMALISED_EMAIL}"
            ),
        ));
    }
    if has_blockers(BlockerKind::TwoActiveDeployments)
        && let Some(choice) = resolutions.get(BlockerKind::TwoActiveDeployments)
    {
        let latest = "EXISTS (SELECT 1 FROM function_deployments o WHERE o.function_id = d.function_id \
                      AND o.is_active AND o.version > d.version)";
        let condition = if choice == "keep-pointed" {
            format!(
                "CASE WHEN EXISTS (SELECT 1 FROM function_deployments p WHERE p.id = f.active_deployment_id \
                 AND p.function_id = f.id AND p.is_active) THEN d.id <> f.active_deployment_id ELSE {latest} END"
            )
        } else {
            latest.to_owned()
        };
        steps.push(step(
            "function_deployments",
            format!(
                "two-active-deployments={choice}: the other active deployments become inactive"
            ),
            format!(
                "UPDATE function_deployments d SET is_active = false FROM functions f \
                 WHERE f.id = d.function_id AND d.is_active AND (SELECT count(*) FROM \
                 function_deployments o WHERE o.function_id = d.function_id AND o.is_active) > 1 \
                 AND {condition}"
            ),
        ));
    }
    if has_blockers(BlockerKind::DanglingActiveDeployment)
        && resolutions
            .get(BlockerKind::DanglingActiveDeployment)
            .is_some()
    {
        steps.push(step(
            "functions",
            "dangling-active-deployment=clear: active_deployment_id becomes NULL",
            "UPDATE functions f SET active_deployment_id = NULL WHERE active_deployment_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM function_deployments d WHERE d.id = f.active_deployment_id)",
        ));
    }
    if has_blockers(BlockerKind::NegativeDuration)
        && resolutions.get(BlockerKind::NegativeDuration).is_some()
    {
        steps.push(step(
            "function_invocations",
            "negative-duration=zero: duration_ms below 0 becomes 0",
            "UPDATE function_invocations SET duration_ms = 0 WHERE duration_ms < 0",
        ));
    }
    if resolutions.get(BlockerKind::NullInRequiredColumn).is_some() {
        let mut seen = Vec::new();
        for b in blockers
            .iter()
            .filter(|b| b.kind == BlockerKind::NullInRequiredColumn)
        {
            let key = (b.table.clone(), b.column.clone());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let value = fill_value(&b.table, &b.column);
            steps.push(step(
                &b.table,
                format!(
                    "null-in-required-column=fill-default: NULL {} becomes {value}",
                    b.column
                ),
                format!(
                    "UPDATE \"{t}\" SET \"{c}\" = {value} WHERE \"{c}\" IS NULL",
                    t = b.table,
                    c = b.column
                ),
            ));
        }
    }

    // F. Columns: type, default, NOT NULL, one ALTER TABLE (one rewrite) per table.
    for table in spec::TABLES {
        if !cat.has(table) {
            continue;
        }
        let mut clauses = Vec::new();
        for column in spec::COLUMNS.iter().filter(|c| c.table == table) {
            let name = column.name;
            let Some(found) = cat.column(table, name) else {
                diffs.push(diff(table, "column", name, "absent", column.ty));
                let mut add = format!("ADD COLUMN \"{name}\" {}", column.ty);
                if let Some(default) = column.default {
                    add.push_str(&format!(" DEFAULT {default}"));
                }
                if column.not_null {
                    add.push_str(" NOT NULL");
                }
                clauses.push(add);
                continue;
            };
            if found.ty != column.ty {
                diffs.push(diff(
                    table,
                    "column",
                    &format!("{name} type"),
                    &found.ty,
                    column.ty,
                ));
                clauses.push(format!(
                    "ALTER COLUMN \"{name}\" TYPE {} USING {}",
                    column.ty,
                    using(name, &found.ty, column.ty)
                ));
            }
            if found.default.as_deref() != column.default {
                diffs.push(diff(
                    table,
                    "column",
                    &format!("{name} default"),
                    found.default.as_deref().unwrap_or("none"),
                    column.default.unwrap_or("none"),
                ));
                clauses.push(match column.default {
                    Some(default) => format!("ALTER COLUMN \"{name}\" SET DEFAULT {default}"),
                    None => format!("ALTER COLUMN \"{name}\" DROP DEFAULT"),
                });
            }
            if found.not_null != column.not_null {
                let word = |nn: bool| if nn { "NOT NULL" } else { "NULL" };
                diffs.push(diff(
                    table,
                    "column",
                    &format!("{name} nullability"),
                    word(found.not_null),
                    word(column.not_null),
                ));
                clauses.push(format!(
                    "ALTER COLUMN \"{name}\" {} NOT NULL",
                    if column.not_null { "SET" } else { "DROP" }
                ));
            }
        }
        if !clauses.is_empty() {
            steps.push(step(
                table,
                format!("alter {} column attribute(s) in one pass", clauses.len()),
                format!("ALTER TABLE \"{table}\" {}", clauses.join(", ")),
            ));
        }
    }

    // G. 64-bit id sequences.
    for table in spec::BIGINT_IDS {
        if let Some(ty) = cat.sequence_types.get(table)
            && ty != "bigint"
        {
            diffs.push(diff(
                table,
                "sequence",
                &format!("{table}_id_seq"),
                ty,
                "bigint",
            ));
            steps.push(step(
                table,
                format!("{table}_id_seq AS bigint"),
                format!("ALTER SEQUENCE \"{table}_id_seq\" AS bigint"),
            ));
        }
    }

    // H. Tables `docs/SCHEMA.md` has and the database lacks.
    let created: Vec<&str> = [
        ("function_logs", m20250101_000005_create_function_logs::UP),
        ("repositories", m20250101_000010_create_repositories::UP),
    ]
    .into_iter()
    .filter(|(table, _)| !cat.has(table))
    .map(|(table, sql)| {
        diffs.push(diff(table, "table", table, "absent", "present"));
        steps.push(step(table, format!("create table {table}"), sql.trim()));
        table
    })
    .collect();

    // I. Constraints and indexes `docs/SCHEMA.md` has, on the tables that existed.
    let mut adds: Vec<(u8, &spec::Object)> = Vec::new();
    for c in spec::CONSTRAINTS {
        if created.contains(&c.table) || !cat.has(c.table) {
            continue;
        }
        let found = cat
            .constraints
            .get(&(c.table.to_owned(), c.name.to_owned()));
        if found.map(|(def, _)| def.as_str()) != Some(c.def) {
            if found.is_none() {
                diffs.push(diff(c.table, "constraint", c.name, "absent", c.def));
            }
            adds.push((add_order(c.def), c));
        }
    }
    adds.sort_by_key(|(order, _)| *order);
    for (_, c) in adds {
        steps.push(step(
            c.table,
            format!("add constraint {}", c.name),
            format!(
                "ALTER TABLE \"{}\" ADD CONSTRAINT \"{}\" {}",
                c.table, c.name, c.def
            ),
        ));
    }
    for i in spec::INDEXES {
        if created.contains(&i.table) || !cat.has(i.table) {
            continue;
        }
        let found = cat.indexes.get(&(i.table.to_owned(), i.name.to_owned()));
        if found.map(String::as_str) != Some(i.def) {
            if found.is_none() {
                diffs.push(diff(i.table, "index", i.name, "absent", i.def));
            }
            steps.push(step(i.table, format!("create index {}", i.name), i.def));
        }
    }

    // J. What only the Dart backend used.
    if cat.clock_function && cat.other_clock_triggers == 0 {
        diffs.push(diff(
            "",
            "function",
            "update_updated_at_column()",
            "present",
            "absent",
        ));
        steps.push(step(
            "",
            "drop function update_updated_at_column()",
            "DROP FUNCTION update_updated_at_column()",
        ));
    }
    if cat.uuid_ossp && !cat.uuid_ossp_used_elsewhere {
        diffs.push(diff(
            "",
            "extension",
            "uuid-ossp",
            "installed",
            "absent (gen_random_uuid() is core)",
        ));
        steps.push(step(
            "",
            "drop extension uuid-ossp",
            "DROP EXTENSION \"uuid-ossp\"",
        ));
    }

    // K. Record the migrations as applied.
    let applied = cat.applied.clone().unwrap_or_default();
    let missing: Vec<&String> = migrations.iter().filter(|m| !applied.contains(m)).collect();
    if !missing.is_empty() {
        diffs.push(diff(
            "seaql_migrations",
            "table",
            "seaql_migrations",
            &format!(
                "{} of {} migrations recorded",
                applied.len(),
                migrations.len()
            ),
            "every migration recorded",
        ));
        let values = missing
            .iter()
            .map(|m| format!("('{m}', extract(epoch FROM now())::bigint)"))
            .collect::<Vec<_>>()
            .join(", ");
        steps.push(step(
            "seaql_migrations",
            format!("record {} migrations as applied", missing.len()),
            format!(
                "CREATE TABLE IF NOT EXISTS seaql_migrations (version varchar NOT NULL PRIMARY KEY, \
                 applied_at bigint NOT NULL); INSERT INTO seaql_migrations (version, applied_at) VALUES {values}"
            ),
        ));
    }
    Ok((diffs, steps))
}

/// Drop order: foreign keys and checks before the keys they may depend on.
fn kind_order(kind: &str) -> &'static str {
    match kind {
        "f" => "0",
        "c" => "1",
        "u" => "2",
        _ => "3",
    }
}

/// Add order: keys before the foreign keys that reference them.
fn add_order(def: &str) -> u8 {
    if def.starts_with("PRIMARY") {
        0
    } else if def.starts_with("UNIQUE") {
        1
    } else if def.starts_with("CHECK") {
        2
    } else {
        3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_names_get_the_owner_prefix() {
        assert_eq!(
            renamed("function_deploy_logs", "function_logs_pkey"),
            "function_deploy_logs_pkey"
        );
        assert_eq!(
            renamed("function_deploy_logs", "function_logs_id_seq"),
            "function_deploy_logs_id_seq"
        );
        assert_eq!(
            renamed("function_deploy_logs", "function_logs_function_id_fkey"),
            "function_deploy_logs_function_id_fkey"
        );
    }

    #[test]
    fn timestamptz_becomes_the_same_instant_in_utc() {
        assert_eq!(
            using(
                "created_at",
                "timestamp with time zone",
                "timestamp without time zone"
            ),
            "\"created_at\" AT TIME ZONE 'UTC'"
        );
        assert_eq!(using("id", "integer", "bigint"), "\"id\"::bigint");
    }
}
