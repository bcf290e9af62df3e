//! `user_information` (`docs/SCHEMA.md` section 6).

use sea_orm_migration::prelude::*;

/// Creates `user_information`: one profile per user, keyed to `users(uuid)`.
#[derive(DeriveMigrationName)]
pub struct Migration;

// Timestamp defaults are `timezone('UTC', now())`: see the crate documentation (a plain
// `now()` stored into `TIMESTAMP` would hold the session's local time, not UTC).
const UP: &str = r#"
CREATE TABLE user_information (
    id           SERIAL       NOT NULL,
    uuid         UUID         NOT NULL DEFAULT gen_random_uuid(),
    user_id      UUID         NOT NULL,
    first_name   VARCHAR(100),
    last_name    VARCHAR(100),
    phone_number VARCHAR(20),
    country      VARCHAR(100),
    city         VARCHAR(100),
    address      TEXT,
    zip_code     VARCHAR(20),
    avatar       TEXT,
    role         VARCHAR(50)  NOT NULL DEFAULT 'developer',
    created_at   TIMESTAMP    NOT NULL DEFAULT timezone('UTC', now()),
    updated_at   TIMESTAMP    NOT NULL DEFAULT timezone('UTC', now()),
    CONSTRAINT user_information_pkey PRIMARY KEY (id),
    CONSTRAINT user_information_uuid_key UNIQUE (uuid),
    CONSTRAINT user_information_user_id_key UNIQUE (user_id),
    CONSTRAINT user_information_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (uuid) ON DELETE CASCADE
);
CREATE INDEX user_information_role_idx ON user_information (role);
"#;

const DOWN: &str = "DROP TABLE user_information;";

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
