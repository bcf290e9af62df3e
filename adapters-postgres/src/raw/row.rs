//! One row of a raw query ([`RawRow`]), read from PostgreSQL's wire types.

use containerpub_ports::{StoreError, StoreResult};
use sea_orm::QueryResult;
use sea_orm::sqlx::postgres::PgRow;
use sea_orm::sqlx::{Column, Row, TypeInfo, ValueRef};

use super::value::{FromRawValue, RawValue};

/// One row returned by the raw escape hatch: its columns, by name, in select order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawRow {
    columns: Vec<(String, RawValue)>,
}

impl RawRow {
    /// The columns, in select order (names may repeat).
    #[must_use]
    pub fn columns(&self) -> &[(String, RawValue)] {
        &self.columns
    }

    /// The value of the first column with this name.
    #[must_use]
    pub fn value(&self, name: &str) -> Option<&RawValue> {
        self.columns
            .iter()
            .find(|(column, _)| column == name)
            .map(|(_, value)| value)
    }

    /// Whether the column is NULL (`None` if there is no such column).
    #[must_use]
    pub fn is_null(&self, name: &str) -> Option<bool> {
        self.value(name).map(|v| *v == RawValue::Null)
    }

    /// The column as `T` (`Option<T>` for nullable columns): `i32`, `i64`, `f64`, `bool`,
    /// `String`, `Uuid`, `NaiveDateTime`, `Timestamp`, `DateTime<Utc>`, `NaiveDate`, JSON,
    /// bytes, or the [`RawValue`] itself.
    ///
    /// # Errors
    /// `Internal` naming the column if there is no such column or it holds another type (or
    /// NULL where `T` is not an `Option`).
    pub fn get<T: FromRawValue>(&self, name: &str) -> StoreResult<T> {
        let value = self
            .value(name)
            .ok_or_else(|| StoreError::internal(format!("raw row: no column {name}")))?;
        T::from_raw(value).ok_or_else(|| {
            StoreError::internal(format!(
                "raw row: column {name} holds {}, not {}",
                value.kind(),
                std::any::type_name::<T>()
            ))
        })
    }

    fn from_pg(row: &PgRow) -> StoreResult<Self> {
        let mut columns = Vec::with_capacity(row.columns().len());
        for column in row.columns() {
            let i = column.ordinal();
            let name = column.name().to_owned();
            let raw = row
                .try_get_raw(i)
                .map_err(|e| StoreError::internal(format!("raw row: column {name}: {e}")))?;
            if raw.is_null() || column.type_info().name() == "VOID" {
                columns.push((name, RawValue::Null));
                continue;
            }
            let type_name = column.type_info().name().to_owned();
            let fail = |e: sea_orm::sqlx::Error| {
                StoreError::internal(format!("raw row: column {name} ({type_name}): {e}"))
            };
            let value = match type_name.as_str() {
                "BOOL" => RawValue::Bool(row.try_get(i).map_err(fail)?),
                "INT2" => RawValue::Int(i64::from(row.try_get::<i16, _>(i).map_err(fail)?)),
                "INT4" => RawValue::Int(i64::from(row.try_get::<i32, _>(i).map_err(fail)?)),
                "INT8" => RawValue::Int(row.try_get(i).map_err(fail)?),
                "OID" => RawValue::Int(i64::from(
                    row.try_get::<sea_orm::sqlx::postgres::types::Oid, _>(i)
                        .map_err(fail)?
                        .0,
                )),
                "FLOAT4" => RawValue::Float(f64::from(row.try_get::<f32, _>(i).map_err(fail)?)),
                "FLOAT8" => RawValue::Float(row.try_get(i).map_err(fail)?),
                "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "CHAR" | "UNKNOWN" => {
                    RawValue::Text(row.try_get(i).map_err(fail)?)
                }
                "UUID" => RawValue::Uuid(row.try_get(i).map_err(fail)?),
                "TIMESTAMP" => RawValue::Timestamp(row.try_get(i).map_err(fail)?),
                "TIMESTAMPTZ" => RawValue::TimestampTz(row.try_get(i).map_err(fail)?),
                "DATE" => RawValue::Date(row.try_get(i).map_err(fail)?),
                "JSON" | "JSONB" => RawValue::Json(row.try_get(i).map_err(fail)?),
                "BYTEA" => RawValue::Bytes(row.try_get(i).map_err(fail)?),
                other => {
                    return Err(StoreError::internal(format!(
                        "raw row: column {name} has type {other}, which raw rows do not read; cast it in SQL (e.g. ::text)"
                    )));
                }
            };
            columns.push((name, value));
        }
        Ok(Self { columns })
    }
}

pub(crate) fn raw_row(row: &QueryResult) -> StoreResult<RawRow> {
    let pg = row
        .try_as_pg_row()
        .ok_or_else(|| StoreError::internal("raw row: not a PostgreSQL row"))?;
    RawRow::from_pg(pg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_rows_read_by_name_and_type() {
        let row = RawRow {
            columns: vec![
                ("id".into(), RawValue::Int(5)),
                ("email".into(), RawValue::Text("a@b.c".into())),
                ("gone".into(), RawValue::Null),
            ],
        };
        assert_eq!(row.get::<i32>("id").expect("int"), 5);
        assert_eq!(row.get::<i64>("id").expect("int"), 5);
        assert_eq!(row.get::<String>("email").expect("text"), "a@b.c");
        assert_eq!(row.get::<Option<String>>("gone").expect("null"), None);
        assert_eq!(row.is_null("gone"), Some(true));
        assert!(row.get::<String>("gone").is_err());
        assert!(row.get::<bool>("id").is_err());
        assert!(row.get::<i32>("missing").is_err());
    }
}
