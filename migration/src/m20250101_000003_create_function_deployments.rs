//! `function_deployments` (`docs/SCHEMA.md` section 3).

use sea_orm_migration::prelude::*;

/// Creates `function_deployments`, with the partial unique index allowing one active deployment per function.
#[derive(DeriveMigrationName)]
pub struct Migration;

// Timestamp defaults are `timezone('UTC', now())`: see the crate documentation (a plain
// `now()` stored into `TIMESTAMP` would hold the session's local time, not UTC).
const UP: &str = r#"
CREATE TABLE function_deployments (
    id          SERIAL       NOT NULL,
    uuid        UUID         NOT NULL DEFAULT gen_random_uuid(),
    function_id INTEGER      NOT NULL,
    version     INTEGER      NOT NULL,
    image_tag   VARCHAR(255),
    s3_key      VARCHAR(500),
    status      VARCHAR(50)  NOT NULL DEFAULT 'pending',
    is_active   BOOLEAN      NOT NULL DEFAULT false,
    build_logs  TEXT,
    deployed_at TIMESTAMP    NOT NULL DEFAULT timezone('UTC', now()),
    CONSTRAINT function_deployments_pkey PRIMARY KEY (id),
    CONSTRAINT function_deployments_uuid_key UNIQUE (uuid),
    CONSTRAINT function_deployments_function_id_version_key UNIQUE (function_id, version),
    CONSTRAINT function_deployments_version_check CHECK (version > 0),
    CONSTRAINT function_deployments_function_id_fkey FOREIGN KEY (function_id)
        REFERENCES functions (id) ON DELETE CASCADE
);
CREATE INDEX function_deployments_function_id_idx ON function_deployments (function_id);
CREATE INDEX function_deployments_is_active_idx ON function_deployments (is_active);
CREATE INDEX function_deployments_version_idx ON function_deployments (version);
CREATE UNIQUE INDEX function_deployments_function_id_active_key
    ON function_deployments (function_id) WHERE is_active;
"#;

const DOWN: &str = "DROP TABLE function_deployments;";

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
