//! The `find_by_uuid` statement, rendered once per table.
//!
//! A lookup by uuid is the hottest read of a service, and its statement never changes but for
//! the one bound value: `SELECT <every column> FROM <table> WHERE [deleted_at IS NULL AND]
//! uuid = $1`. Building and rendering it with sea-query on every call costs client CPU that a
//! hand-written query does not spend, so the text is rendered on first use and kept for the
//! life of the process; each call only binds the uuid. The text is the one
//! [`crate::sql::select_all`] builds, so it names its columns like every other
//! statement (a prepared `SELECT *` breaks after an online `ADD COLUMN`).

use std::sync::OnceLock;

use containerpub_domain::Uuid;
use containerpub_ports::Table;
use sea_orm::sea_query::{ExprTrait, PostgresQueryBuilder, Value, Values};
use sea_orm::{ColumnTrait, DbBackend, Statement};

use crate::sql::select_all;
use crate::table::TableDef;

/// The rendered texts, one slot per table of [`Table::ALL`].
static TEXTS: [OnceLock<Option<String>>; Table::ALL.len()] =
    [const { OnceLock::new() }; Table::ALL.len()];

/// `SELECT <every column> FROM <table> WHERE … uuid = $1` with `uuid` bound, or `None` for a
/// table without a uuid column.
pub(crate) fn by_uuid<T: TableDef>(uuid: Uuid) -> Option<Statement> {
    let sql = text::<T>()?;
    Some(Statement {
        sql: sql.to_owned(),
        values: Some(Values(vec![Value::Uuid(Some(uuid))])),
        db_backend: DbBackend::Postgres,
    })
}

/// The table's lookup text, rendered on first use.
fn text<T: TableDef>() -> Option<&'static str> {
    let slot = Table::ALL.iter().position(|t| *t == T::TABLE)?;
    TEXTS[slot].get_or_init(render::<T>).as_deref()
}

/// Renders the lookup with a placeholder uuid; `None` for a table without a uuid column or
/// a statement that would not bind exactly that one value (then there is nothing to cache).
fn render<T: TableDef>() -> Option<String> {
    let column = T::uuid_column()?;
    let mut stmt = select_all::<T>();
    stmt.and_where(column.into_expr().eq(Uuid::nil()));
    let (sql, values) = stmt.build(PostgresQueryBuilder);
    (values.0.len() == 1).then_some(sql)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{Members, Repositories, Users};

    #[test]
    fn the_text_names_every_column_and_binds_the_uuid() {
        let uuid = Uuid::from_u128(0x1234);
        let stmt = by_uuid::<Users>(uuid).expect("users have a uuid column");
        assert_eq!(
            stmt.sql,
            r#"SELECT "users"."id", "users"."uuid", "users"."email", "users"."password_hash", "users"."created_at", "users"."updated_at" FROM "users" WHERE "users"."uuid" = $1"#
        );
        assert_eq!(stmt.values, Some(Values(vec![Value::Uuid(Some(uuid))])));
        assert_eq!(stmt.db_backend, DbBackend::Postgres);
    }

    #[test]
    fn soft_deleting_tables_look_up_live_rows_only() {
        let stmt = by_uuid::<Repositories>(Uuid::nil()).expect("repositories have a uuid column");
        assert!(
            stmt.sql.ends_with(
                r#"WHERE "repositories"."deleted_at" IS NULL AND "repositories"."uuid" = $1"#
            ),
            "{}",
            stmt.sql
        );
        assert!(!stmt.sql.contains('*'), "{}", stmt.sql);
    }

    #[test]
    fn the_text_is_rendered_once() {
        let first = text::<Users>().expect("users have a uuid column");
        let second = text::<Users>().expect("users have a uuid column");
        assert!(std::ptr::eq(first, second));
    }

    #[test]
    fn tables_without_a_uuid_have_no_lookup() {
        assert!(Members::uuid_column().is_none());
        assert!(by_uuid::<Members>(Uuid::nil()).is_none());
    }
}
