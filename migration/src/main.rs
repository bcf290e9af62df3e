//! The `migration` CLI: applies or rolls back the ContainerPub schema.
//!
//! ```text
//! DATABASE_URL=postgres://user@127.0.0.1:5432/containerpub migration up
//! migration -u postgres://user@127.0.0.1:5432/containerpub status
//! ```
//! Subcommands: `up [-n N]`, `down [-n N]`, `status`, `fresh`, `refresh`, `reset`
//! (`migration --help` lists them all).

#[tokio::main]
async fn main() {
    sea_orm_migration::cli::run_cli(containerpub_migration::Migrator).await;
}
