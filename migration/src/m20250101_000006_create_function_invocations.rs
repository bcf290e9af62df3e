//! `function_invocations` (`docs/SCHEMA.md` section 5).

use sea_orm_migration::prelude::*;

/// Creates `function_invocations`, keyed by a 64-bit `BIGSERIAL`.
#[derive(DeriveMigrationName)]
pub struct Migration;

// Timestamp defaults are `timezone('UTC', now())`: see the crate documentation (a plain
// `now()` stored into `TIMESTAMP` would hold the session's local time, not UTC).
// The column `timestamp` is a keyword: always quoted.
const UP: &str = r#"
CREATE TABLE function_invocations (
    id          BIGSERIAL   NOT NULL,
    uuid        UUID        NOT NULL DEFAULT gen_random_uuid(),
    function_id INTEGER     NOT NULL,
    status      VARCHAR(50) NOT NULL,
    duration_ms INTEGER     NOT NULL,
    error       TEXT,
    "timestamp" TIMESTAMP   NOT NULL DEFAULT timezone('UTC', now()),
    CONSTRAINT function_invocations_pkey PRIMARY KEY (id),
    CONSTRAINT function_invocations_uuid_key UNIQUE (uuid),
    CONSTRAINT function_invocations_duration_ms_check CHECK (duration_ms >= 0),
    CONSTRAINT function_invocations_function_id_fkey FOREIGN KEY (function_id)
        REFERENCES functions (id) ON DELETE CASCADE
);
CREATE INDEX function_invocations_function_id_timestamp_idx
    ON function_invocations (function_id, "timestamp");
CREATE INDEX function_invocations_timestamp_idx ON function_invocations ("timestamp");
"#;

const DOWN: &str = "DROP TABLE function_invocations;";

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
