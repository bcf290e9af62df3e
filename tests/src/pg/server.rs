//! The server the test databases live on, found once per test process, and the migrated
//! template database they are copied from.

use std::time::Duration;

use containerpub_postgres::redact_url;
use sqlx::Connection;
use tokio::sync::OnceCell;

use super::cluster::{self, Cluster, ClusterConfig};
use super::databases::{
    TEMPLATE_PREFIX, admin_execute, connect, connect_with_timeout, create_database,
    sweep_stale_databases, unique_name, with_database,
};
use super::watchdog;

/// Environment variable: `throwaway` makes the harness use a throwaway cluster even when
/// `DATABASE_URL` is set or a server listens on 127.0.0.1:5432.
pub(crate) const MODE_VAR: &str = "CONTAINERPUB_TEST_PG";

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
                redact_url(&url)
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
