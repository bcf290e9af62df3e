//! Administration of the test server's databases: connecting, admin statements, creating and
//! dropping databases with unique per-process names, and sweeping those a dead process left.

use std::time::Duration;

use containerpub_postgres::redact_url;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

use super::names;

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long one admin statement (`CREATE DATABASE`, `DROP DATABASE`) may take.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(120);

/// Prefix of the per-run template database: `cp_tmpl_<host tag>_<pid>_<random>`.
pub(crate) const TEMPLATE_PREFIX: &str = "cp_tmpl";
/// Prefix of test databases: `cp_t_<host tag>_<pid>_<random>`.
pub(crate) const DATABASE_PREFIX: &str = "cp_t";

/// Connects to `url`, within [`CONNECT_TIMEOUT`].
pub(crate) async fn connect(url: &str) -> Result<PgConnection, String> {
    connect_with_timeout(url, CONNECT_TIMEOUT).await
}

pub(crate) async fn connect_with_timeout(
    url: &str,
    timeout: Duration,
) -> Result<PgConnection, String> {
    match tokio::time::timeout(timeout, PgConnection::connect(url)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(format!("cannot connect to {}: {e}", redact_url(url))),
        Err(_) => Err(format!(
            "cannot connect to {}: no answer within {timeout:?}",
            redact_url(url)
        )),
    }
}

/// Runs one statement outside any transaction on the admin database.
pub(crate) async fn admin_execute(admin_url: &str, sql: &str) -> Result<(), String> {
    let mut conn = connect(admin_url).await?;
    let result = tokio::time::timeout(
        STATEMENT_TIMEOUT,
        sqlx::raw_sql(AssertSqlSafe(sql.to_owned())).execute(&mut conn),
    )
    .await;
    let _ = conn.close().await;
    match result {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("`{sql}` failed: {e}")),
        Err(_) => Err(format!(
            "`{sql}` did not finish within {STATEMENT_TIMEOUT:?}"
        )),
    }
}

/// Creates database `name`, as a copy of `template` (or an empty one from `template0`).
///
/// A copy fails while any session is connected to the template; PostgreSQL itself waits up to
/// 5 s for such sessions to end, and this retries for a while longer.
pub(crate) async fn create_database(
    admin_url: &str,
    name: &str,
    template: Option<&str>,
) -> Result<(), String> {
    let sql = match template {
        Some(template) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
        None => format!("CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"),
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        match admin_execute(admin_url, &sql).await {
            Ok(()) => return Ok(()),
            Err(e) if e.contains("is being accessed by other users") && attempt < 10 => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            // A locale incompatible with UTF8: the server's default encoding then.
            Err(e) if template.is_none() && e.contains("encoding") && attempt == 1 => {
                let plain = format!("CREATE DATABASE \"{name}\" TEMPLATE template0");
                return admin_execute(admin_url, &plain)
                    .await
                    .map_err(|e2| format!("{e}\nthen: {e2}"));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Drops database `name`, disconnecting its sessions.
pub(crate) async fn drop_database(admin_url: &str, name: &str) -> Result<(), String> {
    admin_execute(
        admin_url,
        &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
    )
    .await
}

/// A new database name `<prefix>_<host tag>_<pid>_<random>` (lowercase, at most 63 bytes).
pub(crate) fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}_{}",
        names::host_tag(),
        std::process::id(),
        names::random_hex(12)
    )
}

/// `url` with its database replaced by `database`.
pub(crate) fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let (main, query) = match rest.find('?') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host_start = main.rfind('@').map_or(0, |at| at + 1);
    let authority_end = main[host_start..]
        .find('/')
        .map_or(main.len(), |i| host_start + i);
    format!("{scheme}{}/{database}{query}", &main[..authority_end])
}

/// Drops databases of this harness (`cp_tmpl_…`, `cp_t_…`) that a process of this machine
/// created and that process is gone: crashed runs whose watchdog could not clean up.
/// Databases of other machines, of live processes, or named otherwise are never touched.
pub(crate) async fn sweep_stale_databases(admin_url: &str) {
    let Ok(mut conn) = connect(admin_url).await else {
        return;
    };
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database \
         WHERE datname LIKE 'cp\\_tmpl\\_%' OR datname LIKE 'cp\\_t\\_%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap_or_default();
    let _ = conn.close().await;
    for name in names {
        let Some(pid) = stale_owner(&name) else {
            continue;
        };
        if pid != std::process::id() && names::pid_alive(pid) == Some(false) {
            let _ = drop_database(admin_url, &name).await;
        }
    }
}

/// The pid encoded in a name made by [`unique_name`] on this machine.
fn stale_owner(name: &str) -> Option<u32> {
    let rest = name
        .strip_prefix(&format!("{TEMPLATE_PREFIX}_"))
        .or_else(|| name.strip_prefix(&format!("{DATABASE_PREFIX}_")))?;
    let mut parts = rest.split('_');
    let (tag, pid, random) = (parts.next()?, parts.next()?, parts.next()?);
    let well_formed = parts.next().is_none()
        && tag == names::host_tag()
        && random.len() == 12
        && random.bytes().all(|b| b.is_ascii_hexdigit());
    if well_formed { pid.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_of_a_url() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u:p@h:5432/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
        assert_eq!(with_database("postgres://u@h/", "x"), "postgres://u@h/x");
        assert_eq!(
            with_database("postgresql://u@h?host=/tmp", "x"),
            "postgresql://u@h/x?host=/tmp"
        );
    }

    #[test]
    fn recognises_only_its_own_names() {
        let name = unique_name(DATABASE_PREFIX);
        assert!(name.len() <= 63);
        assert_eq!(stale_owner(&name), Some(std::process::id()));
        assert_eq!(
            stale_owner(&unique_name(TEMPLATE_PREFIX)),
            Some(std::process::id())
        );
        assert_eq!(stale_owner("cp_t_other"), None);
        assert_eq!(stale_owner("cp_t_ffffffff_1_0123456789ab_x"), None);
        assert_eq!(stale_owner("postgres"), None);
    }
}
