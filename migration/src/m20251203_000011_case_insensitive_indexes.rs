//! Expression indexes for case-insensitive lookups (`eq_ci`, `starts_with_ci`) on e-mail and
//! names.
//!
//! The stores compare `lower(column COLLATE "C")`, which folds exactly the ASCII capitals
//! (see `containerpub_ports::fold_case`); these btree indexes hold that expression, so an
//! equality or a `LIKE 'prefix%'` on it is an index scan. The expression keeps the `"C"`
//! collation, which is what lets a prefix `LIKE` use a btree index at all.

use sea_orm_migration::prelude::*;

/// Creates `users_email_ci_idx`, `organizations_name_ci_idx` and `functions_name_ci_idx`.
#[derive(DeriveMigrationName)]
pub struct Migration;

pub(crate) const UP: &str = r#"
CREATE INDEX users_email_ci_idx ON users (lower(email COLLATE "C"));
CREATE INDEX organizations_name_ci_idx ON organizations (lower(name COLLATE "C"));
CREATE INDEX functions_name_ci_idx ON functions (lower(name COLLATE "C"));
"#;

const DOWN: &str = "DROP INDEX functions_name_ci_idx; DROP INDEX organizations_name_ci_idx; \
                    DROP INDEX users_email_ci_idx;";

// The signature is `MigrationTrait`'s, which elides `SchemaManager`'s lifetime.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(DOWN).await?;
        Ok(())
    }
}
