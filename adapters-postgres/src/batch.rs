//! Batch errors that name their row: when a statement of a batch (`insert_many`, `append`,
//! `record_many`) fails on a unique key (`23505`) or a foreign key (`23503`), the row that
//! broke it is found again and the error becomes `StoreError::InBatch { index, error }`,
//! exactly as the in-memory adapter reports it (same row, same key).
//!
//! # Finding the row
//! PostgreSQL names the constraint but not the row (and its `DETAIL` text is localized), so
//! the row is found by a query that replays the check order of `docs/SEMANTICS.md` on the
//! failed statement's rows ([`KeyRows`]), against the table as it was just before the
//! statement:
//! - a unique violation: per unique key (declaration order), the first row whose value is
//!   already held in the table (live rows only for a partial key) or repeats an earlier row
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
//! succeeds pays nothing for this but one `SAVEPOINT` per further statement into a table
//! (statements hold [`BATCH_CHUNK_ROWS`](containerpub_ports::BATCH_CHUNK_ROWS) rows, so
//! never more than one per 5,000 rows), and a one-row statement needs no search at all.
//!
//! A row of a statement never references another row of the same statement here: the
//! repository batch writes pending rows before a child of one of them (its parent id is only
//! known once written), and the other self-free tables reference other tables. If the row
//! cannot be found again (a concurrent commit removed the conflicting row meanwhile, or the
//! lookup failed), the error is returned without an index.

use std::fmt::Write as _;
use std::future::Future;

use containerpub_domain::Uuid;
use containerpub_ports::{ForeignKey, StoreError, StoreResult, Table, UniqueKey};
use sea_orm::sea_query::{ArrayType, InsertStatement, PostgresQueryBuilder};
use sea_orm::{ConnectionTrait, Value};

use crate::conn::{PgConn, atomic};
use crate::crud::scalar;
use crate::error::{Op, map_db_err};
use crate::ops::query_raw;

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

/// The key columns of the rows of one failed statement, in statement order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KeyRows {
    /// The table written.
    table: Table,
    /// The batch index of the statement's first row.
    first: usize,
    /// How many rows the statement had.
    len: usize,
    /// Each column the checks read, with one value per row (NULL where the row has none).
    columns: Vec<(String, Vec<Value>)>,
}

/// The columns of `table` that its unique keys, foreign keys and partial-key predicates read.
fn key_columns(table: Table) -> Vec<&'static str> {
    let mut columns: Vec<&'static str> = Vec::new();
    let mut add = |column: &'static str| {
        if !columns.contains(&column) {
            columns.push(column);
        }
    };
    for key in UniqueKey::ALL.iter().filter(|k| k.table() == table) {
        key.columns().iter().for_each(|c| add(c));
        if let Some(p) = partial(*key) {
            add(p.row_column);
        }
    }
    for key in ForeignKey::ALL.iter().filter(|k| k.table() == table) {
        key.columns().iter().for_each(|c| add(c));
    }
    columns
}

impl KeyRows {
    /// The rows of an `INSERT … VALUES` statement built by [`crate::crud::insert_stmt`]:
    /// its values are read back from the statement (only when it failed, so a batch that
    /// succeeds copies nothing). `None` if the statement is not laid out as expected.
    pub(crate) fn from_insert(table: Table, first: usize, stmt: &InsertStatement) -> Option<Self> {
        let (sql, values) = stmt.build(PostgresQueryBuilder);
        let open = sql.find('(')?;
        let close = open + sql[open..].find(')')?;
        let names: Vec<&str> = sql[open + 1..close]
            .split(", ")
            .map(|name| name.trim_matches('"'))
            .collect();
        let values = values.0;
        let width = names.len();
        if width == 0 || values.is_empty() || values.len() % width != 0 {
            return None;
        }
        let len = values.len() / width;
        let columns = key_columns(table)
            .into_iter()
            .filter_map(|column| {
                let at = names.iter().position(|name| *name == column)?;
                let column_values = values.iter().skip(at).step_by(width).cloned().collect();
                Some((column.to_owned(), column_values))
            })
            .collect();
        Some(Self {
            table,
            first,
            len,
            columns,
        })
    }

    /// The rows of a log or invocation statement: each row's `(uuid, function_id)`.
    pub(crate) fn from_events(table: Table, first: usize, keys: &[(Uuid, i32)]) -> Self {
        let uuids = keys
            .iter()
            .map(|(uuid, _)| Value::Uuid(Some(*uuid)))
            .collect();
        let functions = keys.iter().map(|(_, f)| Value::Int(Some(*f))).collect();
        Self {
            table,
            first,
            len: keys.len(),
            columns: vec![
                ("uuid".to_owned(), uuids),
                ("function_id".to_owned(), functions),
            ],
        }
    }

    fn column(&self, name: &str) -> Option<&[Value]> {
        self.columns
            .iter()
            .find(|(column, _)| column == name)
            .map(|(_, values)| values.as_slice())
    }
}

/// The predicate of a partial unique key: a new row takes part if its `row_column` is
/// `row_value` (absent, as in an INSERT that leaves it to its default, when `None`), and
/// rows of the table do if `table_predicate` holds.
struct Partial {
    row_column: &'static str,
    row_value: Option<Value>,
    table_predicate: &'static str,
}

fn partial(key: UniqueKey) -> Option<Partial> {
    match key {
        UniqueKey::DeploymentsActiveFunctionId => Some(Partial {
            row_column: "is_active",
            row_value: Some(Value::Bool(Some(true))),
            table_predicate: r#"t."is_active""#,
        }),
        UniqueKey::RepositoriesLivePath => Some(Partial {
            row_column: "deleted_at",
            row_value: None,
            table_predicate: r#"t."deleted_at" IS NULL"#,
        }),
        _ => None,
    }
}

/// The referenced table and column of a foreign key (as in the migrations).
fn referenced(key: ForeignKey) -> (&'static str, &'static str) {
    match key {
        ForeignKey::FunctionsUserId => ("users", "id"),
        ForeignKey::FunctionsActiveDeploymentId => ("function_deployments", "id"),
        ForeignKey::DeploymentsFunctionId
        | ForeignKey::LogsFunctionId
        | ForeignKey::InvocationsFunctionId => ("functions", "id"),
        ForeignKey::UserInformationUserId
        | ForeignKey::OrganizationsOwnerId
        | ForeignKey::OrganizationMembersUserId => ("users", "uuid"),
        ForeignKey::OrganizationMembersOrganizationId => ("organizations", "uuid"),
        ForeignKey::RepositoriesParentId => ("repositories", "id"),
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
    /// `columns` are all non-NULL and that `keep` keeps; `None` if no row qualifies (or a
    /// column is missing or of an unexpected type).
    fn unnest(
        &mut self,
        rows: &KeyRows,
        columns: &[&str],
        keep: impl Fn(usize) -> bool,
    ) -> Option<String> {
        let values: Vec<&[Value]> = columns
            .iter()
            .map(|c| rows.column(c))
            .collect::<Option<_>>()?;
        let picked: Vec<usize> = (0..rows.len)
            .filter(|&i| keep(i) && values.iter().all(|column| column[i].is_some()))
            .collect();
        let first = *picked.first()?;
        let ords = picked
            .iter()
            .map(|&i| Value::BigInt(i64::try_from(i).ok()))
            .collect();
        let mut arrays = vec![(ArrayType::BigInt, "int8", ords)];
        for column in &values {
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
        for key in UniqueKey::ALL.iter().filter(|k| k.table() == rows.table) {
            let columns = key.columns();
            let partial = partial(*key);
            let row_filter = partial.as_ref().map(|p| (rows.column(p.row_column), p));
            let keep = |i: usize| match &row_filter {
                None => true,
                Some((values, p)) => {
                    let value = values.map(|v| &v[i]).filter(|v| v.is_some());
                    value == p.row_value.as_ref()
                }
            };
            let Some(unnest) = q.unnest(rows, columns, keep) else {
                continue;
            };
            let keys: Vec<String> = (0..columns.len()).map(|i| format!(r#"v."k{i}""#)).collect();
            let mut held: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, c)| format!(r#"t."{c}" = u."k{i}""#))
                .collect();
            if let Some(p) = &partial {
                held.push(p.table_predicate.to_owned());
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
        for key in ForeignKey::ALL.iter().filter(|k| k.table() == rows.table) {
            let Some(unnest) = q.unnest(rows, key.columns(), |_| true) else {
                continue;
            };
            let (parent, column) = referenced(*key);
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
    /// into `table`; `rows` gives their key columns, and is called only if the statement
    /// failed on a key of a statement of more than one row.
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
        rows: impl FnOnce() -> Option<KeyRows>,
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
        let Some(rows) = rows() else {
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
        let lookup = async { atomic!(conn, |tx| find(tx, &rows, &error).await) };
        lookup.await
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
    crate::ops::statement(&q.sql, q.values.clone())
}

#[cfg(test)]
mod tests {
    use containerpub_domain::{Email, NewUser, Timestamp};

    use super::*;
    use crate::crud::insert_stmt;
    use crate::table::{TableDef, Users};

    fn users(n: usize) -> Vec<NewUser> {
        (0..n)
            .map(|i| NewUser::new(Email::parse(&format!("u{i}@example.com")).expect("valid")))
            .collect()
    }

    #[test]
    fn key_rows_are_read_back_from_an_insert() {
        let news = users(3);
        let expected: Vec<Value> = news.iter().map(|u| Value::Uuid(Some(u.uuid))).collect();
        let stmt =
            insert_stmt::<Users>(news.into_iter().map(|u| Users::new_row(u, Timestamp::MIN)));
        let rows = KeyRows::from_insert(Table::Users, 10, &stmt).expect("laid out");
        assert_eq!(rows.len, 3);
        assert_eq!(rows.first, 10);
        assert_eq!(rows.column("uuid"), Some(expected.as_slice()));
        assert_eq!(
            rows.column("email").map(<[Value]>::to_vec),
            Some(vec![
                Value::String(Some("u0@example.com".into())),
                Value::String(Some("u1@example.com".into())),
                Value::String(Some("u2@example.com".into())),
            ])
        );
        assert_eq!(rows.column("password_hash"), None, "not a key column");
    }

    #[test]
    fn unique_checks_replay_every_key_in_declaration_order() {
        let stmt = insert_stmt::<Users>(
            users(2)
                .into_iter()
                .map(|u| Users::new_row(u, Timestamp::MIN)),
        );
        let rows = KeyRows::from_insert(Table::Users, 0, &stmt).expect("laid out");
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
        let keys = [(Uuid::from_u128(1), 7), (Uuid::from_u128(2), 8)];
        let rows = KeyRows::from_events(Table::FunctionLogs, 5_000, &keys);
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
        let rows = KeyRows {
            table: Table::FunctionDeployments,
            first: 0,
            len: 2,
            columns: vec![
                (
                    "uuid".into(),
                    vec![
                        Value::Uuid(Some(Uuid::nil())),
                        Value::Uuid(Some(Uuid::max())),
                    ],
                ),
                (
                    "function_id".into(),
                    vec![Value::Int(Some(1)), Value::Int(Some(1))],
                ),
                (
                    "version".into(),
                    vec![Value::Int(Some(1)), Value::Int(Some(2))],
                ),
                (
                    "is_active".into(),
                    vec![Value::Bool(Some(false)), Value::Bool(Some(false))],
                ),
            ],
        };
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
        // Repositories: live paths are compared with live rows only; a NULL parent is no
        // reference.
        let rows = KeyRows {
            table: Table::Repositories,
            first: 0,
            len: 2,
            columns: vec![
                (
                    "uuid".into(),
                    vec![
                        Value::Uuid(Some(Uuid::nil())),
                        Value::Uuid(Some(Uuid::max())),
                    ],
                ),
                (
                    "path".into(),
                    vec![
                        Value::String(Some("a".into())),
                        Value::String(Some("b".into())),
                    ],
                ),
                ("parent_id".into(), vec![Value::Int(None), Value::Int(None)]),
            ],
        };
        let q = Diagnosis::unique(&rows).expect("checks");
        assert!(
            q.sql
                .contains(r#"t."path" = u."k0" AND t."deleted_at" IS NULL"#)
        );
        assert!(Diagnosis::foreign(&rows).is_none());
    }

    #[test]
    fn every_table_has_its_key_columns_in_its_insert() {
        assert_eq!(key_columns(Table::Users), ["uuid", "email"]);
        assert_eq!(
            key_columns(Table::FunctionDeployments),
            ["uuid", "function_id", "version", "is_active"]
        );
        assert_eq!(
            key_columns(Table::OrganizationMembers),
            ["user_id", "organization_id"]
        );
        assert_eq!(
            key_columns(Table::Repositories),
            ["uuid", "path", "deleted_at", "parent_id"]
        );
    }
}
