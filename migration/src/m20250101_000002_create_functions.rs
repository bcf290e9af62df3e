//! `functions` (`docs/SCHEMA.md` section 2), without the foreign key to `function_deployments`.

use sea_orm_migration::prelude::*;

/// Creates `functions`; `functions_active_deployment_id_fkey` is added by migration 4.
#[derive(DeriveMigrationName)]
pub struct Migration;

// Timestamp defaults are `timezone('UTC', now())`: see the crate documentation (a plain
// `now()` stored into `TIMESTAMP` would hold the session's local time, not UTC).
const UP: &str = r#"
CREATE TABLE functions (
    id                   SERIAL       NOT NULL,
    uuid                 UUID         NOT NULL DEFAULT gen_random_uuid(),
    user_id              INTEGER      NOT NULL,
    name                 VARCHAR(255) NOT NULL,
    status               VARCHAR(50)  NOT NULL DEFAULT 'active',
    active_deployment_id INTEGER,
    analysis_result      JSONB,
    created_at           TIMESTAMP    NOT NULL DEFAULT timezone('UTC', now()),
    updated_at           TIMESTAMP    NOT NULL DEFAULT timezone('UTC', now()),
    CONSTRAINT functions_pkey PRIMARY KEY (id),
    CONSTRAINT functions_uuid_key UNIQUE (uuid),
    CONSTRAINT functions_user_id_name_key UNIQUE (user_id, name),
    CONSTRAINT functions_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX functions_user_id_idx ON functions (user_id);
CREATE INDEX functions_active_deployment_id_idx ON functions (active_deployment_id);
"#;

const DOWN: &str = "DROP TABLE functions;";

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
