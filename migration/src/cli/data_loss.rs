//! The data-loss guard of `fresh`, `reset`, `refresh` and `down`: what each would destroy
//! (tables these migrations did not create, rows of tables it drops), refused unless given
//! [`ALLOW_DATA_LOSS`].

use std::io::Write;

use sea_orm_migration::MigratorTrait;
use sea_orm_migration::sea_orm::{DatabaseConnection, DbErr};

use super::{ALLOW_DATA_LOSS, adopt_rows, number};
use crate::adopt::spec;
use crate::{MigrationError, Migrator, with_connection};

/// What `command` would destroy: tables these migrations did not create, and tables it
/// drops that hold rows (with their row counts).
async fn losses(
    db: &DatabaseConnection,
    command: &str,
    n: Option<u32>,
) -> Result<Vec<String>, DbErr> {
    let tables = adopt_rows(
        db,
        "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace \
         AND relkind IN ('r', 'p') ORDER BY 1",
    )
    .await?;
    let applied: Vec<String> = if tables.iter().any(|t| t == "seaql_migrations") {
        adopt_rows(
            db,
            "SELECT version::text FROM seaql_migrations ORDER BY version",
        )
        .await?
    } else {
        Vec::new()
    };
    // The tables the command drops, of ours.
    let dropped: Vec<&str> = match (command, n) {
        ("down", Some(n)) => applied
            .iter()
            .rev()
            .take(n as usize)
            .filter_map(|m| migration_table(m))
            .collect(),
        _ => spec::TABLES.to_vec(),
    };
    let mut lost = Vec::new();
    for table in &tables {
        if table == "seaql_migrations" {
            continue;
        }
        // Ours: created by a migration recorded as applied.
        let ours = applied
            .iter()
            .any(|m| migration_table(m) == Some(table.as_str()));
        if ours && !dropped.contains(&table.as_str()) {
            continue;
        }
        let count = adopt_rows(db, &format!("SELECT count(*)::text FROM \"{table}\""))
            .await?
            .into_iter()
            .next()
            .unwrap_or_default();
        if !ours {
            lost.push(format!(
                "table {table} ({count} rows), not created by these migrations"
            ));
        } else if count != "0" {
            lost.push(format!("table {table}: {count} rows"));
        }
    }
    Ok(lost)
}

/// The table a migration creates (none for the one adding a foreign key).
fn migration_table(name: &str) -> Option<&'static str> {
    let created = name.split_once("_create_").map(|(_, t)| t)?;
    spec::TABLES.iter().copied().find(|t| *t == created)
}

pub(super) async fn destructive(
    url: &str,
    command: &str,
    rest: &[String],
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> Result<i32, String> {
    let allow = rest.iter().any(|a| a == ALLOW_DATA_LOSS);
    // `down` rolls back the last migration unless told how many (as sea-orm's own CLI does):
    // without the default it would roll back every one.
    let n = match (command, number(rest)?) {
        ("down", n) => Some(n.unwrap_or(1)),
        (_, n) => n,
    };
    if let Some(bad) = rest
        .iter()
        .find(|a| *a != ALLOW_DATA_LOSS && *a != "-n" && *a != "--num" && a.parse::<u32>().is_err())
    {
        return Err(format!("{command}: unknown argument {bad}"));
    }
    let lost = with_connection(url, async |db| {
        losses(db, command, n)
            .await
            .map_err(|e| MigrationError::new("reading the database", e))
    })
    .await
    .map_err(|e| e.to_string())?;
    if !lost.is_empty() && !allow {
        let _ = writeln!(err, "refused: `migration {command}` would destroy:");
        for line in &lost {
            let _ = writeln!(err, "  {line}");
        }
        let _ = writeln!(
            err,
            "back up first; run again with {ALLOW_DATA_LOSS} to go ahead"
        );
        return Ok(2);
    }
    with_connection(url, async |db| {
        let result = match command {
            "fresh" => Migrator::fresh(db).await,
            "refresh" => Migrator::refresh(db).await,
            "reset" => Migrator::reset(db).await,
            _ => Migrator::down(db, n).await,
        };
        result.map_err(|e| MigrationError::new("running the command", e))
    })
    .await
    .map_err(|e| e.to_string())?;
    let _ = writeln!(out, "{command}: done");
    Ok(0)
}
