//! Deployments: versions taken under the function's row lock, and activation.
//!
//! The function row is locked with `SELECT … FOR NO KEY UPDATE` (the `FOR UPDATE` family's
//! mode that does not block the `FOR KEY SHARE` locks foreign-key checks take, so log and
//! invocation writers of the same function are not held up). Two transactions inserting
//! deployments of, or activating, the same function serialise on it; `max(version)` is read
//! by a statement that starts after the lock is held, so it sees every committed version.

use std::collections::HashMap;

use containerpub_domain::{
    Deployment, DeploymentId, DeploymentStatus, Function, FunctionId, NewDeployment, Timestamp,
    Version,
};
use containerpub_ports::{
    BATCH_CHUNK_ROWS, DeploymentField, DeploymentKey, ForeignKey, Lookup, Query, Ref, StoreError,
    StoreResult, Table, Upserted,
};
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, Value};

use crate::batch::{BatchResult, KeyRows, Steps};
use crate::conn::{PgConn, atomic};
use crate::crud::{self, by_id, insert_stmt, model_of, scalar, write_returning};
use crate::entity::deployment;
use crate::error::Op;
use crate::handle::Handle;
use crate::ops::raw_statements::{consume_sequence_value, execute_raw, query_raw};
use crate::reference::{Scope, refers_to};
use crate::table::{Deployments, Functions, TableDef};

const LOCK_FUNCTION: &str = r#"SELECT "id" FROM "functions" WHERE "id" = $1 FOR NO KEY UPDATE"#;
const MAX_VERSION: &str =
    r#"SELECT max("version") AS "version" FROM "function_deployments" WHERE "function_id" = $1"#;

fn missing_function() -> StoreError {
    StoreError::ReferenceMissing {
        key: ForeignKey::DeploymentsFunctionId,
    }
}

/// Locks the function row; returns its highest deployment version (`None`: no deployment
/// yet), or `None` overall if the function does not exist.
async fn lock_function<D: ConnectionTrait>(
    db: &D,
    function: FunctionId,
) -> StoreResult<Option<Option<Version>>> {
    let id = Value::from(function.get());
    if query_raw(db, LOCK_FUNCTION, vec![id.clone()], Op::Read)
        .await?
        .is_empty()
    {
        return Ok(None);
    }
    let rows = query_raw(db, MAX_VERSION, vec![id], Op::Read).await?;
    let max: Option<i32> = match rows.first() {
        Some(row) => scalar(row, "version")?,
        None => None,
    };
    let max = max
        .map(Version::new)
        .transpose()
        .map_err(|e| StoreError::internal(format!("function_deployments.version: {}", e.rule)))?;
    Ok(Some(max))
}

fn next_version(max: Option<Version>) -> StoreResult<Version> {
    match max {
        None => Ok(Version::FIRST),
        Some(v) => Ok(v.next()?),
    }
}

fn row(new: NewDeployment, version: Version, now: Timestamp) -> deployment::ActiveModel {
    let mut row = Deployments::new_row(new, now);
    row.version = Set(version.get());
    row
}

/// Writes the pending rows (the batch's rows `out.len()..`) in one statement of the batch.
async fn flush<D: PgConn>(
    db: &D,
    steps: &mut Steps,
    pending: &mut Vec<deployment::ActiveModel>,
    out: &mut Vec<Deployment>,
) -> BatchResult<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let (first, len) = (out.len(), pending.len());
    let rows = std::mem::take(pending);
    let keys = KeyRows::of_models::<Deployments>(first, &rows);
    let stmt = insert_stmt::<Deployments>(rows);
    let written = steps
        .run(
            db,
            Deployments::TABLE,
            first,
            len,
            write_returning::<Deployments, _, _>(db, &stmt, Op::Write),
            keys,
        )
        .await?;
    out.extend(by_id::<Deployments>(written));
    Ok(())
}

/// The `insert_rows` hook (always inside a transaction): per row, in order, the function must
/// exist (locked; else `ReferenceMissing` and no sequence value), the version is the next one,
/// then the row is inserted. Rows are written in statements of up to `BATCH_CHUNK_ROWS`;
/// rows already accepted are written before a missing function is reported, so the errors
/// come in the order a row-by-row run would give. Every error names its row (a version past
/// `i32::MAX`: `InvalidInput` with the row's index; a missing function or a duplicate uuid:
/// `InBatch`; `crud::insert` drops the index again for a single row).
pub(crate) async fn insert_rows<D: PgConn>(
    db: &D,
    rows: Vec<NewDeployment>,
    now: Timestamp,
) -> BatchResult<Vec<Deployment>> {
    let mut versions: HashMap<FunctionId, Option<Version>> = HashMap::new();
    let mut steps = Steps::default();
    let mut pending = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for (index, new) in rows.into_iter().enumerate() {
        let function = new.function_id;
        let max = match versions.get(&function) {
            Some(max) => *max,
            None => match lock_function(db, function).await? {
                Some(max) => max,
                None => {
                    flush(db, &mut steps, &mut pending, &mut out).await?;
                    return Err(missing_function().at_index(index).into());
                }
            },
        };
        let version = match next_version(max) {
            Ok(v) => v,
            Err(err) => {
                flush(db, &mut steps, &mut pending, &mut out).await?;
                return Err(err.at_index(index).into());
            }
        };
        versions.insert(function, Some(version));
        pending.push(row(new, version, now));
        if pending.len() == BATCH_CHUNK_ROWS {
            flush(db, &mut steps, &mut pending, &mut out).await?;
        }
    }
    flush(db, &mut steps, &mut pending, &mut out).await?;
    Ok(out)
}

const UPDATE_BY_UUID: &str = r#"UPDATE "function_deployments" SET "image_tag" = $2, "s3_key" = $3, "status" = $4, "build_logs" = $5 WHERE "uuid" = $1 RETURNING "id", "uuid", "function_id", "version", "image_tag", "s3_key", "status", "is_active", "build_logs", "deployed_at""#;

/// The `upsert_row` hook (inside a transaction). With the function present (locked), one
/// `INSERT … ON CONFLICT (uuid) DO UPDATE`. Without it, only the update branch can apply:
/// the row holding the uuid is updated (the upsert still takes a sequence value), or the
/// insert branch fails with `ReferenceMissing` before any statement takes one.
pub(crate) async fn upsert_row<D: PgConn>(
    db: &D,
    new: NewDeployment,
    key: DeploymentKey,
    now: Timestamp,
) -> StoreResult<Upserted<Deployment>> {
    match lock_function(db, new.function_id).await? {
        Some(max) => {
            let stmt = crud::upsert_stmt::<Deployments>(row(new, next_version(max)?, now), key);
            crud::run_upsert::<Deployments, D>(db, &stmt)
                .await?
                .ok_or_else(|| {
                    StoreError::internal("function_deployments: the upsert returned no row")
                })
        }
        None => {
            let values = vec![
                Value::from(new.uuid),
                Value::from(new.image_tag.map(|v| v.into_inner())),
                Value::from(new.s3_key.map(|v| v.into_inner())),
                Value::from(new.status.as_str().to_owned()),
                Value::from(new.build_logs.map(|v| v.into_inner())),
            ];
            let rows = query_raw(db, UPDATE_BY_UUID, values, Op::Write).await?;
            let Some(updated) = rows.first() else {
                return Err(missing_function());
            };
            let updated = model_of::<Deployments>(updated)?;
            consume_sequence_value(db, Deployments::TABLE.name()).await?;
            Ok(Upserted::Updated(updated))
        }
    }
}

/// `active_for`
pub(crate) async fn active_for<C: PgConn>(
    h: &Handle<C>,
    function: Ref<Function>,
) -> StoreResult<Option<Deployment>> {
    let Scope { filter, within } =
        refers_to::<Deployments, Functions>(DeploymentField::FunctionId, function);
    let filter = filter.and(DeploymentField::IsActive.eq(true));
    crud::find_one_within::<Deployments, C>(h, Query::filter(filter), within).await
}

const FUNCTION_OF: &str = r#"SELECT "function_id" FROM "function_deployments" WHERE "id" = $1"#;
const DEACTIVATE_OTHERS: &str = r#"UPDATE "function_deployments" SET "is_active" = FALSE, "status" = $3 WHERE "function_id" = $1 AND "is_active" AND "id" <> $2"#;
const ACTIVATE: &str = r#"UPDATE "function_deployments" SET "is_active" = TRUE, "status" = $2 WHERE "id" = $1 RETURNING "id", "uuid", "function_id", "version", "image_tag", "s3_key", "status", "is_active", "build_logs", "deployed_at""#;
const POINT_FUNCTION: &str =
    r#"UPDATE "functions" SET "active_deployment_id" = $1, "updated_at" = $2 WHERE "id" = $3"#;

/// `activate`: in one transaction, lock the function, clear its other active deployment
/// (status `disabled`), set this one (status `active`), point the function at it (stamping the
/// function's `updated_at`).
pub(crate) async fn activate<C: PgConn>(
    h: &Handle<C>,
    id: DeploymentId,
) -> StoreResult<Deployment> {
    let now = h.now();
    let not_found = || StoreError::not_found(Table::FunctionDeployments, Lookup::Id);
    atomic(&h.conn, async |tx| {
        let rows = query_raw(tx, FUNCTION_OF, vec![Value::from(id.get())], Op::Read).await?;
        let function: i32 = scalar(rows.first().ok_or_else(not_found)?, "function_id")?;
        lock_function(tx, FunctionId::new(function)).await?;
        execute_raw(
            tx,
            DEACTIVATE_OTHERS,
            vec![
                Value::from(function),
                Value::from(id.get()),
                Value::from(DeploymentStatus::Disabled.as_str()),
            ],
            Op::Write,
        )
        .await?;
        let rows = query_raw(
            tx,
            ACTIVATE,
            vec![
                Value::from(id.get()),
                Value::from(DeploymentStatus::Active.as_str()),
            ],
            Op::Write,
        )
        .await?;
        let deployment = model_of::<Deployments>(rows.first().ok_or_else(not_found)?)?;
        execute_raw(
            tx,
            POINT_FUNCTION,
            vec![
                Value::from(id.get()),
                Value::from(now.naive_utc()),
                Value::from(function),
            ],
            Op::Write,
        )
        .await?;
        Ok(deployment)
    })
    .await
}
