//! `organization_members` (`docs/SCHEMA.md` section 8).

use sea_orm_migration::prelude::*;

/// Creates `organization_members`: a user belongs to at most one organization.
#[derive(DeriveMigrationName)]
pub struct Migration;

// Timestamp defaults are `timezone('UTC', now())`: see the crate documentation (a plain
// `now()` stored into `TIMESTAMP` would hold the session's local time, not UTC).
const UP: &str = r#"
CREATE TABLE organization_members (
    id              SERIAL    NOT NULL,
    organization_id UUID      NOT NULL,
    user_id         UUID      NOT NULL,
    joined_at       TIMESTAMP NOT NULL DEFAULT timezone('UTC', now()),
    CONSTRAINT organization_members_pkey PRIMARY KEY (id),
    CONSTRAINT organization_members_user_id_key UNIQUE (user_id),
    CONSTRAINT organization_members_organization_id_fkey FOREIGN KEY (organization_id)
        REFERENCES organizations (uuid) ON DELETE CASCADE,
    CONSTRAINT organization_members_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (uuid) ON DELETE CASCADE
);
CREATE INDEX organization_members_organization_id_idx ON organization_members (organization_id);
"#;

const DOWN: &str = "DROP TABLE organization_members;";

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
