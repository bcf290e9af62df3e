//! The `migration` command line, in front of sea-orm-migration's: `adopt`, a `status` without
//! side effects, `up` that points a Dart-created database at `adopt`, and `fresh`, `reset`,
//! `refresh` and `down` that refuse to destroy tables or rows these migrations did not
//! create (or rows at all) unless given `--allow-data-loss`.
//!
//! ```text
//! migration [-u URL] adopt [--dry-run] [--json] [--resolve KIND=CHOICE]...
//! migration [-u URL] status
//! migration [-u URL] up [-n N]
//! migration [-u URL] down [-n N] [--allow-data-loss]
//! migration [-u URL] fresh|refresh|reset [--allow-data-loss]
//! ```
//! The URL comes from `-u`/`--database-url`, else from `DATABASE_URL`. Exit codes: 0 done,
//! 1 error (bad arguments, database unreachable, a step failed), 2 refused (blocked
//! adoption, data that would be lost, a Dart database given to `up`).

use std::io::Write;

use sea_orm_migration::MigratorTrait;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};

use crate::adopt::spec;
use crate::adopt::{self, Era, Resolutions};
use crate::{MigrationError, Migrator, with_connection};

/// The flag that lets `fresh`, `reset`, `refresh` and `down` drop what they would refuse to.
pub const ALLOW_DATA_LOSS: &str = "--allow-data-loss";

const USAGE: &str = "\
usage: migration [-u DATABASE_URL] <command>
commands:
  adopt [--dry-run] [--json] [--resolve KIND=CHOICE]...
        take over a database the Dart backend created (see the README)
  status                     list applied and pending migrations (changes nothing)
  up [-n N]                  apply pending migrations
  down [-n N] [--allow-data-loss]   roll back the last N migrations (default 1)
  fresh | refresh | reset [--allow-data-loss]
The URL is taken from -u/--database-url, else from DATABASE_URL.
Exit codes: 0 done, 1 error, 2 refused.
";

struct Args {
    url: Option<String>,
    command: String,
    rest: Vec<String>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut url = None;
    let mut command = None;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-u" | "--database-url" if command.is_none() => {
                url = Some(it.next().ok_or("-u needs a URL")?.clone());
            }
            a if command.is_none() && a.starts_with("--database-url=") => {
                url = Some(a["--database-url=".len()..].to_owned());
            }
            "-s" | "--database-schema" if command.is_none() => {
                let schema = it.next().ok_or("-s needs a schema")?;
                if schema != "public" {
                    return Err(format!(
                        "schema {schema:?}: this CLI (adopt, status, the safety checks) works on schema public only"
                    ));
                }
            }
            "-v" | "--verbose" if command.is_none() => {}
            a if command.is_none() && !a.starts_with('-') => command = Some(a.to_owned()),
            a if command.is_none() => return Err(format!("unknown option {a}")),
            _ => rest.push(arg.clone()),
        }
    }
    Ok(Args {
        url: url.or_else(|| std::env::var("DATABASE_URL").ok()),
        command: command.unwrap_or_else(|| "up".to_owned()),
        rest,
    })
}

fn number(rest: &[String]) -> Result<Option<u32>, String> {
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        if a == "-n" || a == "--num" {
            let n = it.next().ok_or("-n needs a number")?;
            return n
                .parse()
                .map(Some)
                .map_err(|_| format!("-n takes a number, got {n:?}"));
        }
    }
    Ok(None)
}

/// Runs the command line `args` (without the program name), writing the report to `out` and
/// progress and messages to `err`; returns the exit code, or `None` for a command this layer
/// leaves to sea-orm-migration's CLI (`init`, `generate`).
pub async fn run(
    args: &[String],
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> Option<i32> {
    if args
        .iter()
        .any(|a| a == "-h" || a == "--help" || a == "help")
    {
        let _ = out.write_all(USAGE.as_bytes());
        return Some(0);
    }
    let args = match parse(args) {
        Ok(args) => args,
        Err(e) => {
            let _ = writeln!(err, "error: {e}\n{USAGE}");
            return Some(1);
        }
    };
    if matches!(args.command.as_str(), "init" | "generate") {
        return None;
    }
    let Some(url) = args.url.clone() else {
        let _ = writeln!(err, "error: no database: give -u URL or set DATABASE_URL");
        return Some(1);
    };
    let result = match args.command.as_str() {
        "adopt" => adopt_command(&url, &args.rest, out, err).await,
        "status" => status(&url, out).await,
        "up" => up(&url, &args.rest, out, err).await,
        "down" | "fresh" | "refresh" | "reset" => {
            destructive(&url, &args.command, &args.rest, out, err).await
        }
        other => {
            let _ = writeln!(err, "error: unknown command {other}\n{USAGE}");
            return Some(1);
        }
    };
    Some(match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            1
        }
    })
}

async fn adopt_command(
    url: &str,
    rest: &[String],
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> Result<i32, String> {
    let mut resolutions = Resolutions::none();
    let (mut dry_run, mut json) = (false, false);
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dry-run" => dry_run = true,
            "--json" => json = true,
            "--resolve" => resolutions.add(it.next().ok_or("--resolve needs KIND=CHOICE")?)?,
            r if r.starts_with("--resolve=") => resolutions.add(&r["--resolve=".len()..])?,
            other => return Err(format!("adopt: unknown argument {other}")),
        }
    }
    let report = if dry_run {
        adopt::inspect(url, &resolutions)
            .await
            .map_err(|e| e.to_string())?
    } else {
        let mut progress = |line: &str| {
            let _ = writeln!(err, "{line}");
        };
        adopt::adopt(url, &resolutions, &mut progress)
            .await
            .map_err(|e| e.to_string())?
    };
    if json {
        let _ = writeln!(out, "{}", report.to_json());
    } else {
        let _ = out.write_all(report.to_text().as_bytes());
    }
    Ok(report.exit_code())
}

/// `status` in a read-only transaction: never creates `seaql_migrations`.
async fn status(url: &str, out: &mut (dyn Write + Send)) -> Result<i32, String> {
    let lines = with_connection(url, async |db| {
        let tx = db
            .begin()
            .await
            .map_err(|e| MigrationError::new("beginning", e))?;
        tx.execute_unprepared("SET TRANSACTION READ ONLY")
            .await
            .map_err(|e| MigrationError::new("beginning", e))?;
        let has_table = !adopt_rows(
            &tx,
            "SELECT relname::text FROM pg_class WHERE relname = 'seaql_migrations' \
             AND relnamespace = 'public'::regnamespace",
        )
        .await
        .map_err(|e| MigrationError::new("reading the catalog", e))?
        .is_empty();
        let applied = if has_table {
            adopt_rows(&tx, "SELECT version::text FROM seaql_migrations")
                .await
                .map_err(|e| MigrationError::new("reading seaql_migrations", e))?
        } else {
            Vec::new()
        };
        tx.rollback()
            .await
            .map_err(|e| MigrationError::new("ending", e))?;
        Ok(crate::names()
            .into_iter()
            .map(|m| {
                let state = if applied.contains(&m) {
                    "Applied"
                } else {
                    "Pending"
                };
                format!("Migration '{m}'... {state}")
            })
            .collect::<Vec<_>>())
    })
    .await
    .map_err(|e| e.to_string())?;
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    Ok(0)
}

async fn adopt_rows<C: ConnectionTrait>(db: &C, sql: &str) -> Result<Vec<String>, DbErr> {
    crate::adopt::first_column(db, sql).await
}

async fn up(
    url: &str,
    rest: &[String],
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> Result<i32, String> {
    let n = number(rest)?;
    let era = adopt::inspect(url, &Resolutions::none())
        .await
        .map_err(|e| e.to_string())?
        .era;
    if matches!(era, Era::DartSeed | Era::DartLater | Era::Unknown) {
        let _ = writeln!(
            err,
            "refused: this database was not created by these migrations (era {}); \
             run `migration adopt --dry-run` to see how to take it over",
            era.as_str()
        );
        return Ok(2);
    }
    with_connection(url, async |db| {
        Migrator::up(db, n)
            .await
            .map_err(|e| MigrationError::new("applying migrations", e))
    })
    .await
    .map_err(|e| e.to_string())?;
    let _ = writeln!(out, "applied pending migrations");
    Ok(0)
}

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

async fn destructive(
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
