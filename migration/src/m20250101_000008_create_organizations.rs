//! `organizations` (`docs/SCHEMA.md` section 7).

use sea_orm_migration::prelude::*;

/// Creates `organizations`; an owner cannot be deleted while it owns one (ON DELETE RESTRICT).
#[derive(DeriveMigrationName)]
pub struct Migration;

// Timestamp defaults are `timezone('UTC', now())`: see the crate documentation (a plain
// `now()` stored into `TIMESTAMP` would hold the session's local time, not UTC).
const UP: &str = r#"
CREATE TABLE organizations (
    id         SERIAL       NOT NULL,
    uuid       UUID         NOT NULL DEFAULT gen_random_uuid(),
    name       VARCHAR(255) NOT NULL,
    owner_id   UUID         NOT NULL,
    created_at TIMESTAMP    NOT NULL DEFAULT timezone('UTC', now()),
    updated_at TIMESTAMP    NOT NULL DEFAULT timezone('UTC', now()),
    CONSTRAINT organizations_pkey PRIMARY KEY (id),
    CONSTRAINT organizations_uuid_key UNIQUE (uuid),
    CONSTRAINT organizations_name_key UNIQUE (name),
    CONSTRAINT organizations_owner_id_fkey FOREIGN KEY (owner_id)
        REFERENCES users (uuid) ON DELETE RESTRICT
);
CREATE INDEX organizations_owner_id_idx ON organizations (owner_id);
"#;

const DOWN: &str = "DROP TABLE organizations;";

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
