//! The `migration` CLI: applies or rolls back the ContainerPub schema, and adopts a database
//! the Dart backend created.
//!
//! ```text
//! DATABASE_URL=postgres://user@127.0.0.1:5432/containerpub migration up
//! migration -u postgres://user@127.0.0.1:5432/containerpub status
//! migration adopt --dry-run
//! ```
//! Subcommands: `adopt`, `status`, `up [-n N]`, `down [-n N]`, `fresh`, `refresh`, `reset`
//! (`migration --help` lists them; see `containerpub_migration::cli`).

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code =
        containerpub_migration::cli::run(&args, &mut std::io::stdout(), &mut std::io::stderr())
            .await;
    match code {
        Some(code) => std::process::exit(code),
        None => sea_orm_migration::cli::run_cli(containerpub_migration::Migrator).await,
    }
}
