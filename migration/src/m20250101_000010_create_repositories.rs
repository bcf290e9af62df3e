//! `repositories` (`docs/SCHEMA.md` section 9): image repositories as a path hierarchy.

use sea_orm_migration::prelude::*;

/// Creates `repositories`, with a live-path partial unique index so a soft-deleted path can be reused.
#[derive(DeriveMigrationName)]
pub struct Migration;

// Timestamp defaults are `timezone('UTC', now())`: see the crate documentation (a plain
// `now()` stored into `TIMESTAMP` would hold the session's local time, not UTC).
pub(crate) const UP: &str = r#"
CREATE TABLE repositories (
    id         SERIAL       NOT NULL,
    uuid       UUID         NOT NULL DEFAULT gen_random_uuid(),
    name       VARCHAR(255) NOT NULL,
    path       TEXT         NOT NULL,
    parent_id  INTEGER,
    created_at TIMESTAMP    NOT NULL DEFAULT timezone('UTC', now()),
    updated_at TIMESTAMP    NOT NULL DEFAULT timezone('UTC', now()),
    deleted_at TIMESTAMP,
    CONSTRAINT repositories_pkey PRIMARY KEY (id),
    CONSTRAINT repositories_uuid_key UNIQUE (uuid),
    CONSTRAINT repositories_parent_id_fkey FOREIGN KEY (parent_id)
        REFERENCES repositories (id) ON DELETE CASCADE
);
CREATE INDEX repositories_parent_id_idx ON repositories (parent_id);
CREATE UNIQUE INDEX repositories_path_live_key ON repositories (path) WHERE deleted_at IS NULL;
"#;

const DOWN: &str = "DROP TABLE repositories;";

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
