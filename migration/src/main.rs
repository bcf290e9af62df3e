//! The `migration` CLI: applies or rolls back the ContainerPub schema.
//!
//! ```text
//! DATABASE_URL=postgres://user@127.0.0.1:5432/containerpub migration up
//! migration -u postgres://user@127.0.0.1:5432/containerpub status
//! ```
//! Subcommands: `up [-n N]`, `down [-n N]`, `status`, `fresh`, `refresh`, `reset`
//! (`migration --help` lists them all).
//!
//! Error output never shows the URL's password: a URL that is not `postgres://…` is refused
//! naming the URL with its secrets hidden ([`redact`]), and connection errors are printed
//! with the URL hidden the same way.

use sea_orm_migration::sea_orm::{ConnectOptions, Database, DbConn, DbErr};

#[tokio::main]
async fn main() {
    sea_orm_migration::cli::run_cli_with_connection(containerpub_migration::Migrator, connect)
        .await;
}

/// Connects like the stock CLI, but refuses other schemes and hides the URL's secrets in
/// every error.
async fn connect(options: ConnectOptions) -> Result<DbConn, DbErr> {
    let url = options.get_url().to_owned();
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(DbErr::Custom(format!(
            "unsupported database URL {}: expected postgres://user@host:port/database",
            redact(&url)
        )));
    }
    Database::connect(options)
        .await
        .map_err(|err| DbErr::Custom(err.to_string().replace(&url, &redact(&url))))
}

/// The URL with its password (the user part up to the last `@`, as URL parsers read it) and
/// its `password` / `sslpassword` parameters replaced by `***`; a URL that does not parse is
/// not shown.
fn redact(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return "<a URL that does not parse, not shown>".to_owned();
    };
    if url.password().is_some() && url.set_password(Some("***")).is_err() {
        return "<a URL that cannot be redacted, not shown>".to_owned();
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(key, value)| {
                let secret = matches!(
                    key.to_ascii_lowercase().as_str(),
                    "password" | "sslpassword"
                );
                let value = if secret {
                    "***".to_owned()
                } else {
                    value.into_owned()
                };
                (key.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.set_fragment(None);
    url.to_string()
}
