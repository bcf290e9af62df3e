//! Batch errors that name their row: when a statement of a batch (`insert_many`, `append`,
//! `record_many`) fails on a unique key (`23505`) or a foreign key (`23503`), the row that
//! broke it is found again and the error becomes `StoreError::InBatch { index, error }`,
//! exactly as the in-memory adapter reports it (same row, same key).
//!
//! # Finding the row
//! PostgreSQL names the constraint but not the row (and its `DETAIL` text is localized), so
//! the row is found by a query that replays the check order of `docs/SEMANTICS.md` on the
//! failed statement's rows ([`KeyRows`]: their key values, taken from the typed rows before
//! the statement is built), against the table as it was just before the statement. The keys,
//! their columns, partial predicates and referenced columns, and their order, are the ports'
//! schema catalog (`containerpub_ports::catalog`):
//! - a unique violation: per unique key (declaration order), the first row whose value is
//!   already held in the table (among the rows a partial key covers) or repeats an earlier row
//!   of the statement (`row_number() OVER (PARTITION BY <key>)`); the row named is the first
//!   such row over all keys, and the key the first one it breaks. Every unique check of a
//!   statement comes before its foreign keys, so nothing else can have failed first;
//! - a foreign-key violation (every unique check passed): per foreign key (declaration
//!   order), the first row whose referenced key does not exist.
//!
//! Rows written earlier by the same batch count as "in the table": they are, inside the
//! batch's transaction. To see the table as it was just before the failed statement,
//! [`Steps`] takes a savepoint before every statement that follows one into the same table
//! (only then can earlier rows of the batch matter) and rolls back to it on failure. The
//! first statement into a table needs none: on the pool it failed on its own (the table is
//! as before), and inside a transaction the search runs once the batch's own transaction or
//! savepoint has rolled back ([`BatchError::Undiagnosed`], [`settle`]). So a batch that
//! succeeds pays for this one `SAVEPOINT` per further statement into a table (statements
//! hold [`BATCH_CHUNK_ROWS`](containerpub_ports::BATCH_CHUNK_ROWS) rows, so never more than
//! one per 5,000 rows) and, per statement of more than one row, a copy of its key values; a
//! one-row statement needs neither, nor a search.
//!
//! A row of a statement never references another row of the same statement here: the
//! repository batch writes pending rows before a child of one of them (its parent id is only
//! known once written), and the other self-free tables reference other tables. If the row
//! cannot be found again (a concurrent commit removed the conflicting row meanwhile, or the
//! lookup failed), the error is returned without an index.

use std::fmt::Write as _;
use std::future::Future;

use containerpub_ports::{
    Column, ForeignKey, Predicate, StoreError, StoreResult, Table, UniqueKey,
};
use sea_orm::sea_query::ArrayType;
use sea_orm::{ActiveModelTrait, ActiveValue, ConnectionTrait, IdenStatic, Value};

use crate::conn::{PgConn, atomic};
use crate::crud::scalar;
use crate::error::{Op, map_db_err};
use crate::ops::raw_statements::query_raw;
use crate::table::TableDef;

/// A batch write's error: a store error, or a failed statement whose row is still to be
/// found, once the batch's transaction has rolled back ([`settle`]).
pub(crate) enum BatchError {
    /// The error, final.
    Store(StoreError),
    /// A statement failed on a key and its row is to be looked for after the rollback.
    Undiagnosed(Box<Undiagnosed>),
}

/// See [`BatchError::Undiagnosed`].
pub(crate) struct Undiagnosed {
    error: StoreError,
    rows: KeyRows,
}

impl From<StoreError> for BatchError {
    fn from(err: StoreError) -> Self {
        BatchError::Store(err)
    }
}

impl crate::conn::CallError for BatchError {
    fn store_error(&self) -> Option<&StoreError> {
        match self {
            BatchError::Store(err) => Some(err),
            BatchError::Undiagnosed(undiagnosed) => Some(&undiagnosed.error),
        }
    }
}

/// The result of a batch's write steps.
pub(crate) type BatchResult<T> = Result<T, BatchError>;

/// The key values of the rows of one statement, in statement order, read from the typed rows
/// before the statement is built (what the checks of the module docs compare).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KeyRows {
    /// The table written.
    table: Table,
    /// The batch index of the statement's first row.
    first: usize,
    /// How many rows the statement has.
    len: usize,
    /// Per unique key of the table (catalog order): per key column, one value per row; NULL
    /// where the row has none or a partial key does not cover it.
    uniques: Vec<(UniqueKey, Vec<Vec<Value>>)>,
    /// Per foreign key of the table (catalog order): one value per row (NULL where none).
    foreign: Vec<(ForeignKey, Vec<Value>)>,
    /// The table's soft-delete column (the SQL of [`Predicate::Live`]).
    deleted_at: Option<&'static str>,
}

/// A NULL placeholder (rows holding it take no part in a check).
fn null() -> Value {
    Value::Bool(None)
}

/// A column's value in a row to be written: `None` where it is left to its default.
fn set_value(value: ActiveValue<Value>) -> Option<Value> {
    match value {
        ActiveValue::Set(value) | ActiveValue::Unchanged(value) => Some(value),
        ActiveValue::NotSet => None,
    }
}

impl KeyRows {
    /// The key values of `rows`, rows of `T` at batch indexes `first..`: `value` reads a
    /// field of a row (`None` where the row leaves it to its default), `live` tells whether a
    /// row is live (not soft-deleted). `None` for a statement of one row, which never needs
    /// them (its error names it directly).
    pub(crate) fn new<T: TableDef, R>(
        first: usize,
        rows: &[R],
        value: impl Fn(&R, T::Field) -> Option<Value>,
        live: impl Fn(&R) -> bool,
    ) -> Option<Self> {
        if rows.len() < 2 {
            return None;
        }
        let column = |row: &R, column: Column| {
            column
                .field::<T::Field>()
                .and_then(|field| value(row, field))
                .unwrap_or_else(null)
        };
        let uniques = UniqueKey::of(T::TABLE)
            .iter()
            .map(|key| {
                let covered: Vec<bool> = rows
                    .iter()
                    .map(|row| match key.predicate() {
                        None => true,
                        Some(Predicate::IsTrue(flag)) => {
                            column(row, flag) == Value::Bool(Some(true))
                        }
                        Some(Predicate::Live) => live(row),
                    })
                    .collect();
                let columns = key
                    .columns()
                    .iter()
                    .map(|c| {
                        rows.iter()
                            .zip(&covered)
                            .map(|(row, covered)| if *covered { column(row, *c) } else { null() })
                            .collect()
                    })
                    .collect();
                (*key, columns)
            })
            .collect();
        let foreign = ForeignKey::of(T::TABLE)
            .iter()
            .map(|key| {
                (
                    *key,
                    rows.iter().map(|row| column(row, key.column())).collect(),
                )
            })
            .collect();
        Some(Self {
            table: T::TABLE,
            first,
            len: rows.len(),
            uniques,
            foreign,
            deleted_at: T::deleted_at().map(|c| c.as_str()),
        })
    }

    /// The key values of the rows of an INSERT statement, before it is built (`None` for
    /// one row).
    pub(crate) fn of_models<T: TableDef>(first: usize, rows: &[T::ActiveModel]) -> Option<Self> {
        Self::new::<T, _>(
            first,
            rows,
            |row, field| set_value(row.get(T::column(field))),
            |row| {
                T::deleted_at().is_none_or(|column| {
                    set_value(row.get(column)).is_none_or(|value| !value.is_some())
                })
            },
        )
    }
}

/// The SQL array type of a bound value (only the types of key columns).
fn array_type(value: &Value) -> Option<(ArrayType, &'static str)> {
    Some(match value {
        Value::Uuid(_) => (ArrayType::Uuid, "uuid"),
        Value::String(_) => (ArrayType::String, "text"),
        Value::Int(_) => (ArrayType::Int, "int4"),
        Value::BigInt(_) => (ArrayType::BigInt, "int8"),
        Value::Bool(_) => (ArrayType::Bool, "bool"),
        _ => return None,
    })
}

/// The diagnosis query of one phase: `SELECT (<check 0>) AS "c0", …`, each check the smallest
/// statement offset (0-based) of a row failing it, or NULL.
#[derive(Debug)]
struct Diagnosis {
    sql: String,
    values: Vec<Value>,
    /// The error of each check, in column order (= check order).
    errors: Vec<StoreError>,
}

impl Diagnosis {
    fn new() -> Self {
        Self {
            sql: String::from("SELECT "),
            values: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Binds `UNNEST($ord::int8[], $k0::…[], …) AS v("ord", "k0", …)` over the rows whose
    /// `columns` (one value per row each) are all non-NULL; `None` if no row qualifies (or a
    /// value is of an unexpected type).
    fn unnest(&mut self, len: usize, columns: &[&[Value]]) -> Option<String> {
        let picked: Vec<usize> = (0..len)
            .filter(|&i| columns.iter().all(|column| column[i].is_some()))
            .collect();
        let first = *picked.first()?;
        let ords = picked
            .iter()
            .map(|&i| Value::BigInt(i64::try_from(i).ok()))
            .collect();
        let mut arrays = vec![(ArrayType::BigInt, "int8", ords)];
        for column in columns {
            let (ty, sql_ty) = array_type(&column[first])?;
            arrays.push((
                ty,
                sql_ty,
                picked.iter().map(|&i| column[i].clone()).collect(),
            ));
        }
        let mut args = Vec::with_capacity(arrays.len());
        for (ty, sql_ty, items) in arrays {
            self.values.push(Value::Array(ty, Some(Box::new(items))));
            args.push(format!("${}::{sql_ty}[]", self.values.len()));
        }
        let names: Vec<String> = (0..columns.len()).map(|i| format!(r#""k{i}""#)).collect();
        Some(format!(
            r#"UNNEST({}) AS v("ord", {})"#,
            args.join(", "),
            names.join(", ")
        ))
    }

    fn push(&mut self, check: &str, error: StoreError) {
        if !self.errors.is_empty() {
            self.sql.push_str(", ");
        }
        let _ = write!(self.sql, r#"({check}) AS "c{}""#, self.errors.len());
        self.errors.push(error);
    }

    /// The unique-key phase.
    fn unique(rows: &KeyRows) -> Option<Self> {
        let mut q = Self::new();
        for (key, values) in &rows.uniques {
            let values: Vec<&[Value]> = values.iter().map(Vec::as_slice).collect();
            let Some(unnest) = q.unnest(rows.len, &values) else {
                continue;
            };
            let columns = key.columns();
            let keys: Vec<String> = (0..columns.len()).map(|i| format!(r#"v."k{i}""#)).collect();
            let mut held: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, c)| format!(r#"t."{}" = u."k{i}""#, c.name()))
                .collect();
            match key.predicate() {
                None => {}
                Some(Predicate::IsTrue(flag)) => held.push(format!(r#"t."{}""#, flag.name())),
                Some(Predicate::Live) => {
                    let deleted_at = rows.deleted_at?;
                    held.push(format!(r#"t."{deleted_at}" IS NULL"#));
                }
            }
            let check = format!(
                r#"SELECT min(u."ord") FROM (SELECT v.*, row_number() OVER (PARTITION BY {} ORDER BY v."ord") AS "rn" FROM {unnest}) AS u WHERE u."rn" > 1 OR EXISTS (SELECT 1 FROM "{}" AS t WHERE {})"#,
                keys.join(", "),
                rows.table.name(),
                held.join(" AND "),
            );
            q.push(&check, StoreError::Conflict { key: *key });
        }
        (!q.errors.is_empty()).then_some(q)
    }

    /// The foreign-key phase.
    fn foreign(rows: &KeyRows) -> Option<Self> {
        let mut q = Self::new();
        for (key, values) in &rows.foreign {
            let Some(unnest) = q.unnest(rows.len, &[values.as_slice()]) else {
                continue;
            };
            let parent = key.parent().name();
            let column = key.target().column_name();
            let check = format!(
                r#"SELECT min(v."ord") FROM {unnest} WHERE NOT EXISTS (SELECT 1 FROM "{parent}" AS p WHERE p."{column}" = v."k0")"#
            );
            q.push(&check, StoreError::ReferenceMissing { key: *key });
        }
        (!q.errors.is_empty()).then_some(q)
    }
}

/// Whether a statement's error is one whose row is looked for.
fn names_a_row(err: &StoreError) -> bool {
    matches!(
        err,
        StoreError::Conflict { .. } | StoreError::ReferenceMissing { .. }
    )
}

/// Finds the row (batch index) that made the statement of `rows` fail with `error`, and the
/// error it gives, replaying the checks on the table as `db` sees it (see the module docs).
async fn find<D: ConnectionTrait>(
    db: &D,
    rows: &KeyRows,
    error: &StoreError,
) -> StoreResult<Option<(usize, StoreError)>> {
    let diagnosis = match error {
        StoreError::Conflict { .. } => Diagnosis::unique(rows),
        StoreError::ReferenceMissing { .. } => Diagnosis::foreign(rows),
        _ => None,
    };
    let Some(Diagnosis {
        sql,
        values,
        errors,
    }) = diagnosis
    else {
        return Ok(None);
    };
    let result = query_raw(db, &sql, values, Op::Read).await?;
    let Some(row) = result.first() else {
        return Ok(None);
    };
    let mut found: Option<(i64, StoreError)> = None;
    for (i, err) in errors.into_iter().enumerate() {
        let ord: Option<i64> = scalar(row, &format!("c{i}"))?;
        if let Some(ord) = ord
            && found.as_ref().is_none_or(|(best, _)| ord < *best)
        {
            found = Some((ord, err));
        }
    }
    Ok(found.and_then(|(ord, err)| {
        let ord = usize::try_from(ord).ok()?;
        Some((rows.first + ord, err))
    }))
}

/// `error` tagged with the row that caused it, found with [`find`] on `db`; `error` itself if
/// the row cannot be found.
async fn diagnose<D: ConnectionTrait>(db: &D, rows: &KeyRows, error: StoreError) -> StoreError {
    match find(db, rows, &error).await {
        Ok(Some((index, err))) => err.at_index(index),
        _ => error,
    }
}

/// `SAVEPOINT` taken before a statement (see [`Steps`]).
const TAKE: &str = "SAVEPOINT containerpub_batch";
/// The same, replacing the savepoint of the statement before.
const RENEW: &str = "RELEASE SAVEPOINT containerpub_batch; SAVEPOINT containerpub_batch";
/// Back to the state before the failed statement.
const BACK: &str = "ROLLBACK TO SAVEPOINT containerpub_batch";

/// The statements of one batch write, in order: runs each, and on a key violation finds the
/// row that caused it (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct Steps {
    /// The tables the batch has written so far.
    written: Vec<Table>,
    /// Whether a savepoint of ours is open.
    savepoint: bool,
}

impl Steps {
    /// Runs one statement of the batch on `db` (the batch's transaction, or the pool for a
    /// batch of one statement): `statement` writes rows `first .. first + len` of the batch
    /// into `table`; `rows` holds their key values ([`KeyRows::of_models`]; `None` for a
    /// statement of one row, whose error names it without a search).
    ///
    /// # Errors
    /// The statement's error; a key violation as `InBatch` naming its row (or, inside a
    /// transaction on the first statement into `table`, [`BatchError::Undiagnosed`]).
    pub(crate) async fn run<D: PgConn, R>(
        &mut self,
        db: &D,
        table: Table,
        first: usize,
        len: usize,
        statement: impl Future<Output = StoreResult<R>>,
        rows: Option<KeyRows>,
    ) -> BatchResult<R> {
        let again = self.written.contains(&table);
        let savepoint = D::IN_TRANSACTION && again;
        if savepoint {
            let sql = if self.savepoint { RENEW } else { TAKE };
            db.execute_unprepared(sql)
                .await
                .map_err(|e| map_db_err(e, Op::Read))?;
            self.savepoint = true;
        }
        if !again {
            self.written.push(table);
        }
        let err = match statement.await {
            Ok(done) => return Ok(done),
            Err(err) => err,
        };
        if !names_a_row(&err) {
            return Err(err.into());
        }
        if len == 1 {
            return Err(err.at_index(first).into());
        }
        let Some(rows) = rows else {
            return Err(err.into());
        };
        if savepoint {
            db.execute_unprepared(BACK)
                .await
                .map_err(|e| map_db_err(e, Op::Read))?;
            return Err(diagnose(db, &rows, err).await.into());
        }
        if D::IN_TRANSACTION {
            return Err(BatchError::Undiagnosed(Box::new(Undiagnosed {
                error: err,
                rows,
            })));
        }
        Err(diagnose(db, &rows, err).await.into())
    }
}

/// The store result of a batch written on `conn` (the store's handle connection: the pool,
/// or a caller's transaction), once the batch's own transaction or savepoint has finished:
/// an undiagnosed failure is diagnosed now, in a savepoint of its own inside a caller's
/// transaction (so that a failing lookup cannot abort it).
pub(crate) async fn settle<C: PgConn, T>(conn: &C, result: BatchResult<T>) -> StoreResult<T> {
    let undiagnosed = match result {
        Ok(value) => return Ok(value),
        Err(BatchError::Store(err)) => return Err(err),
        Err(BatchError::Undiagnosed(undiagnosed)) => *undiagnosed,
    };
    let Undiagnosed { error, rows } = undiagnosed;
    let found = if C::IN_TRANSACTION {
        atomic(conn, async |tx| find(tx, &rows, &error).await).await
    } else {
        find(conn, &rows, &error).await
    };
    Err(match found {
        Ok(Some((index, err))) => err.at_index(index),
        _ => error,
    })
}

/// A statement with `$n` parameters, for unit tests of the diagnosis SQL.
#[cfg(test)]
fn render(q: &Diagnosis) -> sea_orm::Statement {
    crate::ops::raw_statements::statement(&q.sql, q.values.clone())
}

#[cfg(test)]
mod tests {
    use containerpub_domain::{
        Email, FunctionId, LogLevel, NewDeployment, NewLog, NewRepository, NewUser, RepositoryPath,
        Text, Timestamp,
    };
    use containerpub_ports::{DeploymentField, LogField};
    use sea_orm::ActiveValue::Set;

    use super::*;
    use crate::table::{Deployments, Logs, Repositories, Users};

    fn users(n: usize) -> Vec<crate::entity::user::ActiveModel> {
        (0..n)
            .map(|i| NewUser::new(Email::parse(&format!("u{i}@example.com")).expect("valid")))
            .map(|u| Users::new_row(u, Timestamp::MIN))
            .collect()
    }

    /// The values of one unique key's columns.
    fn unique_values(rows: &KeyRows, key: UniqueKey) -> Option<&Vec<Vec<Value>>> {
        rows.uniques
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, values)| values)
    }

    #[test]
    fn key_rows_are_read_from_the_typed_rows() {
        let models = users(3);
        let expected: Vec<Value> = models
            .iter()
            .map(|m| set_value(m.get(crate::entity::user::Column::Uuid)).expect("set"))
            .collect();
        let rows = KeyRows::of_models::<Users>(10, &models).expect("three rows");
        assert_eq!(rows.len, 3);
        assert_eq!(rows.first, 10);
        assert_eq!(
            unique_values(&rows, UniqueKey::UsersUuid),
            Some(&vec![expected])
        );
        assert_eq!(
            unique_values(&rows, UniqueKey::UsersEmail),
            Some(&vec![vec![
                Value::String(Some("u0@example.com".into())),
                Value::String(Some("u1@example.com".into())),
                Value::String(Some("u2@example.com".into())),
            ]])
        );
        assert_eq!(rows.uniques.len(), 2, "no other column is a key column");
        assert!(rows.foreign.is_empty());
        assert_eq!(
            KeyRows::of_models::<Users>(0, &users(1)),
            None,
            "one row needs no search"
        );
    }

    #[test]
    fn unique_checks_replay_every_key_in_declaration_order() {
        let rows = KeyRows::of_models::<Users>(0, &users(2)).expect("two rows");
        let q = Diagnosis::unique(&rows).expect("checks");
        assert_eq!(
            q.errors,
            [
                StoreError::Conflict {
                    key: UniqueKey::UsersUuid
                },
                StoreError::Conflict {
                    key: UniqueKey::UsersEmail
                }
            ]
        );
        assert_eq!(
            q.sql,
            r#"SELECT (SELECT min(u."ord") FROM (SELECT v.*, row_number() OVER (PARTITION BY v."k0" ORDER BY v."ord") AS "rn" FROM UNNEST($1::int8[], $2::uuid[]) AS v("ord", "k0")) AS u WHERE u."rn" > 1 OR EXISTS (SELECT 1 FROM "users" AS t WHERE t."uuid" = u."k0")) AS "c0", (SELECT min(u."ord") FROM (SELECT v.*, row_number() OVER (PARTITION BY v."k0" ORDER BY v."ord") AS "rn" FROM UNNEST($3::int8[], $4::text[]) AS v("ord", "k0")) AS u WHERE u."rn" > 1 OR EXISTS (SELECT 1 FROM "users" AS t WHERE t."email" = u."k0")) AS "c1""#
        );
        assert_eq!(render(&q).values.map(|v| v.0.len()), Some(4));
        assert!(
            Diagnosis::foreign(&rows).is_none(),
            "users have no foreign key"
        );
    }

    #[test]
    fn event_rows_check_their_uuid_then_their_function() {
        let logs: Vec<NewLog> = [7, 8]
            .into_iter()
            .map(|f| {
                NewLog::new(
                    FunctionId::new(f),
                    LogLevel::Info,
                    Text::new("message", "m").expect("valid"),
                )
            })
            .collect();
        let value = |log: &NewLog, field: LogField| match field {
            LogField::Uuid => Some(Value::Uuid(Some(log.uuid))),
            LogField::FunctionId => Some(Value::Int(Some(log.function_id.get()))),
            _ => None,
        };
        let rows = KeyRows::new::<Logs, _>(5_000, &logs, value, |_| true).expect("two rows");
        let q = Diagnosis::unique(&rows).expect("checks");
        assert_eq!(
            q.errors,
            [StoreError::Conflict {
                key: UniqueKey::LogsUuid
            }]
        );
        let q = Diagnosis::foreign(&rows).expect("checks");
        assert_eq!(
            q.errors,
            [StoreError::ReferenceMissing {
                key: ForeignKey::LogsFunctionId
            }]
        );
        assert_eq!(
            q.sql,
            r#"SELECT (SELECT min(v."ord") FROM UNNEST($1::int8[], $2::int4[]) AS v("ord", "k0") WHERE NOT EXISTS (SELECT 1 FROM "functions" AS p WHERE p."id" = v."k0")) AS "c0""#
        );
    }

    #[test]
    fn partial_keys_and_null_columns_leave_rows_out() {
        // New deployments are inactive: the active key has no row to check.
        let deployments: Vec<_> = [1, 2]
            .into_iter()
            .map(|version| {
                let mut row =
                    Deployments::new_row(NewDeployment::new(FunctionId::new(1)), Timestamp::MIN);
                row.version = Set(version);
                row
            })
            .collect();
        let rows = KeyRows::of_models::<Deployments>(0, &deployments).expect("two rows");
        let q = Diagnosis::unique(&rows).expect("checks");
        assert_eq!(
            q.errors,
            [
                StoreError::Conflict {
                    key: UniqueKey::DeploymentsUuid
                },
                StoreError::Conflict {
                    key: UniqueKey::DeploymentsFunctionIdVersion
                }
            ]
        );
        // An active row takes part in the active key, compared with active rows only.
        let value = |active: &bool, field: DeploymentField| match field {
            DeploymentField::FunctionId => Some(Value::Int(Some(1))),
            DeploymentField::IsActive => Some(Value::Bool(Some(*active))),
            _ => None,
        };
        let rows =
            KeyRows::new::<Deployments, _>(0, &[false, true], value, |_| true).expect("two rows");
        let q = Diagnosis::unique(&rows).expect("checks");
        assert_eq!(
            q.errors,
            [StoreError::Conflict {
                key: UniqueKey::DeploymentsActiveFunctionId
            }]
        );
        assert!(
            q.sql
                .contains(r#"t."function_id" = u."k0" AND t."is_active""#)
        );
        // Repositories: live paths are compared with live rows only; a NULL parent is no
        // reference.
        let repositories: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|path| {
                let path = RepositoryPath::parse(path).expect("valid");
                Repositories::new_row(NewRepository::new(path), Timestamp::MIN)
            })
            .collect();
        let rows = KeyRows::of_models::<Repositories>(0, &repositories).expect("two rows");
        let q = Diagnosis::unique(&rows).expect("checks");
        assert!(
            q.sql
                .contains(r#"t."path" = u."k0" AND t."deleted_at" IS NULL"#)
        );
        assert!(Diagnosis::foreign(&rows).is_none());
    }

    #[test]
    fn every_key_column_of_a_table_is_a_column_of_its_rows() {
        fn checked<T: TableDef>() -> Vec<&'static str> {
            let mut columns: Vec<&'static str> = Vec::new();
            let mut add = |column: &'static str| {
                if !columns.contains(&column) {
                    columns.push(column);
                }
            };
            for key in UniqueKey::of(T::TABLE) {
                for column in key.columns() {
                    let field = column.field::<T::Field>().expect("a field of the table");
                    add(T::column(field).as_str());
                }
                match key.predicate() {
                    Some(Predicate::IsTrue(flag)) => {
                        let field = flag.field::<T::Field>().expect("a field of the table");
                        add(T::column(field).as_str());
                    }
                    Some(Predicate::Live) => add(T::deleted_at().expect("soft-deleting").as_str()),
                    None => {}
                }
            }
            for key in ForeignKey::of(T::TABLE) {
                let field = key
                    .column()
                    .field::<T::Field>()
                    .expect("a field of the table");
                add(T::column(field).as_str());
            }
            columns
        }
        assert_eq!(checked::<Users>(), ["uuid", "email"]);
        assert_eq!(
            checked::<Deployments>(),
            ["uuid", "function_id", "version", "is_active"]
        );
        assert_eq!(
            checked::<crate::table::Members>(),
            ["user_id", "organization_id"]
        );
        assert_eq!(
            checked::<Repositories>(),
            ["uuid", "path", "deleted_at", "parent_id"]
        );
    }
}
