//! Closes the `functions` ⇄ `function_deployments` cycle (`docs/SCHEMA.md` section 2).

use sea_orm_migration::prelude::*;

/// Adds `functions_active_deployment_id_fkey` (ON DELETE SET NULL) now that both tables exist.
#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE functions
    ADD CONSTRAINT functions_active_deployment_id_fkey FOREIGN KEY (active_deployment_id)
        REFERENCES function_deployments (id) ON DELETE SET NULL;
"#;

const DOWN: &str = "ALTER TABLE functions DROP CONSTRAINT functions_active_deployment_id_fkey;";

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
