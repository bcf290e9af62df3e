//! A stored row that cannot be decoded into its SeaORM model (a NULL in a column the schema
//! declares NOT NULL, a `TIMESTAMPTZ` where a `TIMESTAMP` is expected, an `integer` id where a
//! `bigint` is expected: the rows of a database the Dart backend created and nobody adopted)
//! becomes `StoreError::UnreadableRow`, naming the table, the row's public key and the first
//! column that cannot be read.

use containerpub_domain::Uuid;
use containerpub_ports::{StoreError, Table};
use sea_orm::sea_query::ColumnType;
use sea_orm::{ColumnTrait, DbErr, IdenStatic, Iterable, QueryResult, TryGetable};

use crate::table::TableDef;

/// The column that names a row in errors: `uuid`, or `user_id` for `organization_members`
/// (unique there, and that table has no `uuid`).
const fn key_column(table: Table) -> &'static str {
    match table {
        Table::OrganizationMembers => "user_id",
        _ => "uuid",
    }
}

/// Why `column` of `row` cannot be read as `V` (nullable or not), if it cannot.
fn reason<V: TryGetable>(
    row: &QueryResult,
    prefix: &str,
    column: &str,
    nullable: bool,
) -> Option<String> {
    let result = if nullable {
        row.try_get::<Option<V>>(prefix, column).map(drop)
    } else {
        row.try_get::<V>(prefix, column).map(drop)
    };
    result.err().map(|e| match e {
        DbErr::Type(message) if message.contains("null value") => {
            "NULL in a column the schema declares NOT NULL".to_owned()
        }
        other => format!("the stored type does not match the schema ({other})"),
    })
}

/// The error for a row of `T` that its model could not be decoded from (`err`): the first
/// column, in table order, that cannot be read as the schema's type.
pub(crate) fn unreadable<T: TableDef>(row: &QueryResult, prefix: &str, err: &DbErr) -> StoreError {
    let table = T::TABLE;
    let key = row.try_get::<Uuid>(prefix, key_column(table)).ok();
    for column in T::Column::iter() {
        let def = column.def();
        let name = column.as_str();
        let nullable = def.is_null();
        let why = match def.get_column_type() {
            ColumnType::Integer => reason::<i32>(row, prefix, name, nullable),
            ColumnType::BigInteger => reason::<i64>(row, prefix, name, nullable),
            ColumnType::Uuid => reason::<Uuid>(row, prefix, name, nullable),
            ColumnType::Boolean => reason::<bool>(row, prefix, name, nullable),
            ColumnType::DateTime | ColumnType::Timestamp => {
                reason::<chrono::NaiveDateTime>(row, prefix, name, nullable)
            }
            ColumnType::Json | ColumnType::JsonBinary => {
                reason::<serde_json::Value>(row, prefix, name, nullable)
            }
            _ => reason::<String>(row, prefix, name, nullable),
        };
        if let Some(why) = why {
            return StoreError::UnreadableRow {
                table,
                row: key,
                column: name,
                reason: why,
            };
        }
    }
    StoreError::UnreadableRow {
        table,
        row: key,
        column: "(unknown)",
        reason: format!("cannot read the row ({err})"),
    }
}
