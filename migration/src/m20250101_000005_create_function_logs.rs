//! `function_logs` (`docs/SCHEMA.md` section 4).

use sea_orm_migration::prelude::*;

/// Creates `function_logs`, keyed by a 64-bit `BIGSERIAL`.
#[derive(DeriveMigrationName)]
pub struct Migration;

// Timestamp defaults are `timezone('UTC', now())`: see the crate documentation (a plain
// `now()` stored into `TIMESTAMP` would hold the session's local time, not UTC).
// The column `timestamp` is a keyword: always quoted.
pub(crate) const UP: &str = r#"
CREATE TABLE function_logs (
    id          BIGSERIAL   NOT NULL,
    uuid        UUID        NOT NULL DEFAULT gen_random_uuid(),
    function_id INTEGER     NOT NULL,
    level       VARCHAR(20) NOT NULL,
    message     TEXT        NOT NULL,
    "timestamp" TIMESTAMP   NOT NULL DEFAULT timezone('UTC', now()),
    CONSTRAINT function_logs_pkey PRIMARY KEY (id),
    CONSTRAINT function_logs_uuid_key UNIQUE (uuid),
    CONSTRAINT function_logs_function_id_fkey FOREIGN KEY (function_id)
        REFERENCES functions (id) ON DELETE CASCADE
);
CREATE INDEX function_logs_function_id_timestamp_idx ON function_logs (function_id, "timestamp");
CREATE INDEX function_logs_timestamp_idx ON function_logs ("timestamp");
"#;

const DOWN: &str = "DROP TABLE function_logs;";

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
