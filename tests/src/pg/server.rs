//! The server the test databases live on, found once per test process, and the migrated
//! template database they are copied from.

use std::time::Duration;

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::sync::OnceCell;

use super::cluster::{self, Cluster, ClusterConfig};
use super::{sys, watchdog};

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long one admin statement (`CREATE DATABASE`, `DROP DATABASE`) may take.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(120);

/// Environment variable: `throwaway` makes the harness use a throwaway cluster even when
/// `DATABASE_URL` is set or a server listens on 127.0.0.1:5432.
pub(crate) const MODE_VAR: &str = "CONTAINERPUB_TEST_PG";

/// Prefix of the per-run template database: `cp_tmpl_<host tag>_<pid>_<random>`.
pub(crate) const TEMPLATE_PREFIX: &str = "cp_tmpl";
/// Prefix of test databases: `cp_t_<host tag>_<pid>_<random>`.
pub(crate) const DATABASE_PREFIX: &str = "cp_t";

/// The shared server of this test process.
pub(crate) struct Server {
    /// A connection URL to an administrative database of the server (`postgres`, or the
    /// database of `DATABASE_URL`).
    pub(crate) admin_url: String,
    /// The migrated template database.
    pub(crate) template: String,
    /// The server's major version (15 for 15.x).
    pub(crate) major: Option<u32>,
    /// Whether the server is a throwaway cluster of this process (removed whole at exit).
    pub(crate) throwaway: bool,
    /// Keeps the throwaway cluster's handle; statics are never dropped, so the exit watchdog
    /// stops it.
    _cluster: Option<Cluster>,
}

static SERVER: OnceCell<Result<Server, String>> = OnceCell::const_new();

/// The shared server, found and given a migrated template on first use.
///
/// # Panics
/// If no server can be found or started, or the migrations fail; every later call panics with
/// the same message (the search is not repeated).
pub(crate) async fn server() -> &'static Server {
    match SERVER.get_or_init(init).await {
        Ok(server) => server,
        Err(message) => panic!("{message}"),
    }
}

async fn init() -> Result<Server, String> {
    cluster::sweep_stale_files();
    let (admin_url, cluster) = discover().await?;
    let major = server_major(&admin_url).await;
    let throwaway = cluster.is_some();
    if !throwaway {
        sweep_stale_databases(&admin_url).await;
    }
    let template = unique_name(TEMPLATE_PREFIX);
    if !throwaway {
        watchdog::register_database(&template, &admin_url, major);
    }
    create_database(&admin_url, &template, None).await?;
    let template_url = with_database(&admin_url, &template);
    containerpub_migration::up(&template_url)
        .await
        .map_err(|e| format!("migrating the template database {template}: {e}"))?;
    // Nobody may connect to the template from now on: `CREATE DATABASE … TEMPLATE` fails while
    // any session is connected to it.
    admin_execute(
        &admin_url,
        &format!("ALTER DATABASE \"{template}\" WITH ALLOW_CONNECTIONS false"),
    )
    .await?;
    Ok(Server {
        admin_url,
        template,
        major,
        throwaway,
        _cluster: cluster,
    })
}

/// `DATABASE_URL`, else 127.0.0.1:5432 as `postgres` then `root`, else a throwaway cluster;
/// `CONTAINERPUB_TEST_PG=throwaway` goes straight to the throwaway cluster.
async fn discover() -> Result<(String, Option<Cluster>), String> {
    let mode = std::env::var(MODE_VAR).unwrap_or_default();
    match mode.trim() {
        "" => {}
        "throwaway" => return start_throwaway(Vec::new()).await,
        other => {
            return Err(format!(
                "{MODE_VAR}={other:?} is not understood: unset it, or set it to `throwaway`"
            ));
        }
    }
    if let Ok(url) = std::env::var("DATABASE_URL")
        && !url.trim().is_empty()
    {
        let url = url.trim().to_owned();
        return match check_admin(&url).await {
            Ok(()) => Ok((url, None)),
            Err(e) => Err(format!(
                "DATABASE_URL is set ({}) but is not usable by the test harness: {e}\n\
                 It must reach a PostgreSQL server as a role allowed to CREATE DATABASE; \
                 unset it to use 127.0.0.1:5432 or a throwaway cluster.",
                sys::redact(&url)
            )),
        };
    }
    let mut tried = Vec::new();
    for user in ["postgres", "root"] {
        let url = format!("postgres://{user}@127.0.0.1:5432/postgres?sslmode=disable");
        match check_admin(&url).await {
            Ok(()) => return Ok((url, None)),
            Err(e) => tried.push(format!("{url}: {e}")),
        }
    }
    start_throwaway(tried).await
}

/// Starts this process' throwaway cluster; `tried` lists what was tried before, for the message.
async fn start_throwaway(mut tried: Vec<String>) -> Result<(String, Option<Cluster>), String> {
    match Cluster::try_start_with(ClusterConfig::new()).await {
        Ok(cluster) => Ok((cluster.url("postgres"), Some(cluster))),
        Err(e) => {
            tried.push(format!("throwaway cluster: {e}"));
            Err(format!(
                "no PostgreSQL server for the tests. Tried:\n  - {}\n\
                 Provide one: set DATABASE_URL=postgres://USER@127.0.0.1:5432/postgres (a role \
                 with CREATEDB), or install PostgreSQL (`apt-get install postgresql`) so that \
                 a server runs on 127.0.0.1:5432 or initdb/pg_ctl are on PATH or under \
                 /usr/lib/postgresql/*/bin.",
                tried.join("\n  - ")
            ))
        }
    }
}

/// Connects and checks that the role may create databases.
async fn check_admin(url: &str) -> Result<(), String> {
    let mut conn = connect_with_timeout(url, Duration::from_secs(5)).await?;
    let allowed: Result<bool, _> = sqlx::query_scalar(
        "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(&mut conn)
    .await;
    let _ = conn.close().await;
    match allowed {
        Ok(true) => Ok(()),
        Ok(false) => Err("the role may not CREATE DATABASE".into()),
        Err(e) => Err(e.to_string()),
    }
}

async fn server_major(admin_url: &str) -> Option<u32> {
    let mut conn = connect(admin_url).await.ok()?;
    let num: Result<String, _> = sqlx::query_scalar("SHOW server_version_num")
        .fetch_one(&mut conn)
        .await;
    let _ = conn.close().await;
    num.ok()?.parse::<u32>().ok().map(|n| n / 10_000)
}

/// Connects to `url`, within [`CONNECT_TIMEOUT`].
pub(crate) async fn connect(url: &str) -> Result<PgConnection, String> {
    connect_with_timeout(url, CONNECT_TIMEOUT).await
}

async fn connect_with_timeout(url: &str, timeout: Duration) -> Result<PgConnection, String> {
    match tokio::time::timeout(timeout, PgConnection::connect(url)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(format!("cannot connect to {}: {e}", sys::redact(url))),
        Err(_) => Err(format!(
            "cannot connect to {}: no answer within {timeout:?}",
            sys::redact(url)
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
        sys::host_tag(),
        std::process::id(),
        sys::random_hex(12)
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
async fn sweep_stale_databases(admin_url: &str) {
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
        if pid != std::process::id() && sys::pid_alive(pid) == Some(false) {
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
        && tag == sys::host_tag()
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
