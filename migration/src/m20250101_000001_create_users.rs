//! `users`: accounts (`docs/SCHEMA.md` section 1).

use sea_orm_migration::prelude::*;

/// Creates `users`.
#[derive(DeriveMigrationName)]
pub struct Migration;

// Timestamps: `timezone('UTC', now())` is the contract's `DEFAULT now()` made to hold UTC. A
// plain `now()` is a `timestamptz`; cast to `TIMESTAMP` it is converted to the *session's*
// time zone, so the stored wall-clock time would depend on the client's `TimeZone` setting.
const UP: &str = r#"
CREATE TABLE users (
    id            SERIAL       NOT NULL,
    uuid          UUID         NOT NULL DEFAULT gen_random_uuid(),
    email         VARCHAR(255) NOT NULL,
    password_hash VARCHAR(255),
    created_at    TIMESTAMP    NOT NULL DEFAULT timezone('UTC', now()),
    updated_at    TIMESTAMP    NOT NULL DEFAULT timezone('UTC', now()),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_uuid_key UNIQUE (uuid),
    CONSTRAINT users_email_key UNIQUE (email)
);
"#;

const DOWN: &str = "DROP TABLE users;";

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
