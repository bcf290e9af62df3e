//! The repository tree: parents resolved from paths, `WITH RECURSIVE` walks over live rows,
//! subtree moves and soft deletes.
//!
//! Parents are read with `FOR SHARE`, so a concurrent soft delete or move of a parent waits
//! until the child that needs it is committed.

use std::collections::{HashMap, HashSet};

use containerpub_domain::{
    NewRepository, Repository, RepositoryId, RepositoryPatch, RepositoryPath, Rule, Timestamp,
};
use containerpub_ports::{
    BATCH_CHUNK_ROWS, ForeignKey, Lookup, Ref, RepositoryKey, StoreError, StoreResult, Table,
    UniqueKey, Upserted,
};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{ArrayType, Expr, ExprTrait};
use sea_orm::{ConnectionTrait, QueryResult, Value};

use crate::batch::{BatchResult, KeyRows, Steps};
use crate::conn::{PgConn, guarded};
use crate::crud::{self, by_id, insert_stmt, model_of, scalar, to_domain, write_returning};
use crate::entity::repository;
use crate::error::Op;
use crate::handle::Handle;
use crate::ops::raw_statements::{consume_sequence_value, execute_raw, query_raw};
use crate::reference::find_by_ref;
use crate::table::{Repositories, TableDef};

fn missing_parent() -> StoreError {
    StoreError::ReferenceMissing {
        key: ForeignKey::RepositoriesParentId,
    }
}

fn not_found(lookup: Lookup) -> StoreError {
    StoreError::not_found(Table::Repositories, lookup)
}

/// `update_where` cannot change paths.
pub(crate) fn check_where_patch(patch: &RepositoryPatch) -> StoreResult<()> {
    if patch.path.is_some() {
        return Err(StoreError::invalid(
            "path",
            Rule::Invariant("paths change one repository at a time"),
        ));
    }
    Ok(())
}

const LIVE_BY_PATHS: &str = r#"SELECT "id", "path" FROM "repositories" WHERE "path" = ANY($1) AND "deleted_at" IS NULL FOR SHARE"#;

/// The live repositories at these paths (locked `FOR SHARE`), by path.
async fn live_ids_by_path<D: ConnectionTrait>(
    db: &D,
    paths: Vec<String>,
) -> StoreResult<HashMap<String, i32>> {
    if paths.is_empty() {
        return Ok(HashMap::new());
    }
    let paths = Value::Array(
        ArrayType::String,
        Some(Box::new(paths.into_iter().map(Value::from).collect())),
    );
    let rows = query_raw(db, LIVE_BY_PATHS, vec![paths], Op::Read).await?;
    rows.iter()
        .map(|row| Ok((scalar::<String>(row, "path")?, scalar::<i32>(row, "id")?)))
        .collect()
}

/// The live parent of `path` (locked): `Ok(None)` at the top, `Err` if it is missing.
async fn resolve_parent<D: ConnectionTrait>(
    db: &D,
    path: &RepositoryPath,
) -> StoreResult<Result<Option<i32>, StoreError>> {
    let Some(parent) = path.parent() else {
        return Ok(Ok(None));
    };
    let key = parent.as_str().to_owned();
    let found = live_ids_by_path(db, vec![key.clone()]).await?;
    Ok(found
        .get(&key)
        .copied()
        .map(Some)
        .ok_or_else(missing_parent))
}

fn row(new: NewRepository, parent_id: Option<i32>, now: Timestamp) -> repository::ActiveModel {
    let mut row = Repositories::new_row(new, now);
    row.parent_id = Set(parent_id);
    row
}

/// What the repository batch keeps while it runs.
struct Pending {
    /// The statements run so far.
    steps: Steps,
    /// Rows not written yet (the batch's rows `out.len()..`).
    rows: Vec<repository::ActiveModel>,
    /// Their paths.
    paths: HashSet<String>,
}

/// Writes the pending rows in one statement of the batch.
async fn flush<D: PgConn>(
    db: &D,
    pending: &mut Pending,
    known: &mut HashMap<String, i32>,
    out: &mut Vec<Repository>,
) -> BatchResult<()> {
    if pending.rows.is_empty() {
        return Ok(());
    }
    let (first, len) = (out.len(), pending.rows.len());
    let rows = std::mem::take(&mut pending.rows);
    let keys = KeyRows::of_models::<Repositories>(first, &rows);
    let stmt = insert_stmt::<Repositories>(rows);
    pending.paths.clear();
    let written = pending
        .steps
        .run(
            db,
            Repositories::TABLE,
            first,
            len,
            write_returning::<Repositories, _, _>(db, &stmt, Op::Write),
            keys,
        )
        .await?;
    let inserted = by_id::<Repositories>(written);
    for repo in &inserted {
        known.insert(repo.path.as_str().to_owned(), repo.id.get());
    }
    out.extend(inserted);
    Ok(())
}

/// The `insert_rows` hook (inside a transaction): per row, in order, the live parent must
/// exist (else `ReferenceMissing`, no sequence value), then the row is inserted with `name`
/// and `parent_id` derived from its path. A parent may be a row earlier in the same batch.
/// Rows go out in statements of up to `BATCH_CHUNK_ROWS`; the pending rows are written
/// before a parent among them is needed and before a missing parent is reported, so errors
/// come in the order a row-by-row run would give; each names its row (`InBatch`).
pub(crate) async fn insert_rows<D: PgConn>(
    db: &D,
    rows: Vec<NewRepository>,
    now: Timestamp,
) -> BatchResult<Vec<Repository>> {
    let parents: Vec<String> = rows
        .iter()
        .filter_map(|r| r.path.parent())
        .map(|p| p.as_str().to_owned())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut known = live_ids_by_path(db, parents).await?;
    let mut pending = Pending {
        steps: Steps::default(),
        rows: Vec::new(),
        paths: HashSet::new(),
    };
    let mut out = Vec::with_capacity(rows.len());
    for (index, new) in rows.into_iter().enumerate() {
        let parent_id = match new.path.parent() {
            None => None,
            Some(parent) => {
                if pending.paths.contains(parent.as_str()) {
                    flush(db, &mut pending, &mut known, &mut out).await?;
                }
                match known.get(parent.as_str()) {
                    Some(id) => Some(*id),
                    None => {
                        flush(db, &mut pending, &mut known, &mut out).await?;
                        return Err(missing_parent().at_index(index).into());
                    }
                }
            }
        };
        pending.paths.insert(new.path.as_str().to_owned());
        pending.rows.push(row(new, parent_id, now));
        if pending.rows.len() == BATCH_CHUNK_ROWS {
            flush(db, &mut pending, &mut known, &mut out).await?;
        }
    }
    flush(db, &mut pending, &mut known, &mut out).await?;
    Ok(out)
}

const TOUCH_BY_UUID: &str = r#"UPDATE "repositories" SET "updated_at" = $2 WHERE "uuid" = $1 AND "deleted_at" IS NULL RETURNING "id", "uuid", "name", "path", "parent_id", "created_at", "updated_at", "deleted_at""#;
const TOUCH_BY_PATH: &str = r#"UPDATE "repositories" SET "updated_at" = $2 WHERE "path" = $1 AND "deleted_at" IS NULL RETURNING "id", "uuid", "name", "path", "parent_id", "created_at", "updated_at", "deleted_at""#;

/// The `upsert_row` hook (inside a transaction). The update branch changes nothing but
/// `updated_at`, and only on a live row: a uuid held by a soft-deleted row is `Conflict`
/// (`repositories_uuid_key`), as for an insert. With the parent present, one
/// `INSERT … ON CONFLICT … DO UPDATE`; without it, only the update branch can apply (the
/// upsert then still takes a sequence value), else `ReferenceMissing`.
pub(crate) async fn upsert_row<D: PgConn>(
    db: &D,
    new: NewRepository,
    key: RepositoryKey,
    now: Timestamp,
) -> StoreResult<Upserted<Repository>> {
    match resolve_parent(db, &new.path).await? {
        Ok(parent_id) => {
            let mut stmt = crud::upsert_stmt::<Repositories>(row(new, parent_id, now), key);
            if key == RepositoryKey::Uuid {
                // Leave a soft-deleted holder of the uuid untouched: no row comes back.
                let mut on_conflict =
                    sea_orm::sea_query::OnConflict::column(repository::Column::Uuid);
                on_conflict
                    .update_columns([repository::Column::UpdatedAt])
                    .action_and_where(
                        Expr::col((repository::Entity, repository::Column::DeletedAt)).is_null(),
                    );
                stmt.on_conflict(on_conflict);
            }
            crud::run_upsert::<Repositories, D>(db, &stmt)
                .await?
                .ok_or(StoreError::Conflict {
                    key: UniqueKey::RepositoriesUuid,
                })
        }
        Err(missing) => {
            let (sql, key_value) = match key {
                RepositoryKey::Uuid => (TOUCH_BY_UUID, Value::from(new.uuid)),
                RepositoryKey::LivePath => (TOUCH_BY_PATH, Value::from(new.path.as_str())),
            };
            let rows = query_raw(
                db,
                sql,
                vec![key_value, Value::from(now.naive_utc())],
                Op::Write,
            )
            .await?;
            let Some(updated) = rows.first() else {
                return Err(missing);
            };
            let updated = model_of::<Repositories>(updated)?;
            consume_sequence_value(db, Repositories::TABLE.name()).await?;
            Ok(Upserted::Updated(updated))
        }
    }
}

/// The subtree below (and including) the live repository the `WHERE` part names by `$1`,
/// with each row's depth.
/// A macro because it builds a `const &str` with `concat!` (a function cannot make one).
macro_rules! subtree {
    ($root:literal) => {
        concat!(
            r#"WITH RECURSIVE "t" ("id", "depth") AS (SELECT "id", 0 FROM "repositories" WHERE "#,
            $root,
            r#" AND "deleted_at" IS NULL UNION ALL SELECT "r"."id", "t"."depth" + 1 FROM "repositories" "r" JOIN "t" ON "r"."parent_id" = "t"."id" WHERE "r"."deleted_at" IS NULL) SELECT "r"."id", "r"."uuid", "r"."name", "r"."path", "r"."parent_id", "r"."created_at", "r"."updated_at", "r"."deleted_at", "t"."depth" FROM "repositories" "r" JOIN "t" ON "r"."id" = "t"."id" ORDER BY "r"."path" COLLATE "C" ASC, "r"."id" ASC"#
        )
    };
}

/// A live repository (named by `$1` in the `WHERE` part) and its live ancestors, nearest
/// first, with each row's depth.
/// A macro because it builds a `const &str` with `concat!` (a function cannot make one).
macro_rules! ancestry {
    ($root:literal) => {
        concat!(
            r#"WITH RECURSIVE "a" ("id", "parent_id", "depth") AS (SELECT "id", "parent_id", 0 FROM "repositories" WHERE "#,
            $root,
            r#" AND "deleted_at" IS NULL UNION ALL SELECT "r"."id", "r"."parent_id", "a"."depth" + 1 FROM "repositories" "r" JOIN "a" ON "r"."id" = "a"."parent_id" WHERE "r"."deleted_at" IS NULL) SELECT "r"."id", "r"."uuid", "r"."name", "r"."path", "r"."parent_id", "r"."created_at", "r"."updated_at", "r"."deleted_at", "a"."depth" FROM "repositories" "r" JOIN "a" ON "r"."id" = "a"."id" ORDER BY "a"."depth" ASC"#
        )
    };
}

const SUBTREE: &str = subtree!(r#""id" = $1"#);
const SUBTREE_BY_UUID: &str = subtree!(r#""uuid" = $1"#);
const ANCESTRY: &str = ancestry!(r#""id" = $1"#);
const ANCESTRY_BY_UUID: &str = ancestry!(r#""uuid" = $1"#);

/// The statement text for `r` (`by_id` or `by_uuid`, both naming the row by `$1`) and `$1`.
fn by_ref(r: Ref<Repository>, by_id: &'static str, by_uuid: &'static str) -> (&'static str, Value) {
    match r {
        Ref::Id(id) => (by_id, Value::from(id.get())),
        Ref::Uuid(uuid) => (by_uuid, Value::from(uuid)),
    }
}

/// Splits rows of [`SUBTREE`] / [`ANCESTRY`] into the root (depth 0) and the others;
/// `NotFound` when there is no live root.
fn without_root(rows: Vec<QueryResult>, lookup: Lookup) -> StoreResult<Vec<Repository>> {
    let mut root = false;
    let mut rest = Vec::with_capacity(rows.len().saturating_sub(1));
    for row in &rows {
        let depth: i32 = scalar(row, "depth")?;
        if depth == 0 {
            root = true;
        } else {
            rest.push(model_of::<Repositories>(row)?);
        }
    }
    if !root {
        return Err(not_found(lookup));
    }
    Ok(rest)
}

/// `descendants_of`: every live repository below, ordered by path.
pub(crate) async fn descendants_of<C: PgConn>(
    h: &Handle<C>,
    repository: Ref<Repository>,
) -> StoreResult<Vec<Repository>> {
    let (sql, root) = by_ref(repository, SUBTREE, SUBTREE_BY_UUID);
    let rows = query_raw(&h.conn, sql, vec![root], Op::Read).await?;
    without_root(rows, repository.lookup())
}

/// `ancestors_of`: the parent, its parent, … up to the top.
pub(crate) async fn ancestors_of<C: PgConn>(
    h: &Handle<C>,
    repository: Ref<Repository>,
) -> StoreResult<Vec<Repository>> {
    let (sql, root) = by_ref(repository, ANCESTRY, ANCESTRY_BY_UUID);
    let rows = query_raw(&h.conn, sql, vec![root], Op::Read).await?;
    without_root(rows, repository.lookup())
}

const SIBLINGS_TOP: &str = r#"SELECT "id", "uuid", "name", "path", "parent_id", "created_at", "updated_at", "deleted_at" FROM "repositories" WHERE "parent_id" IS NULL AND "id" <> $1 AND "deleted_at" IS NULL ORDER BY "path" COLLATE "C" ASC, "id" ASC"#;
const SIBLINGS: &str = r#"SELECT "id", "uuid", "name", "path", "parent_id", "created_at", "updated_at", "deleted_at" FROM "repositories" WHERE "parent_id" = $2 AND "id" <> $1 AND "deleted_at" IS NULL ORDER BY "path" COLLATE "C" ASC, "id" ASC"#;

/// `siblings_of`: the live repositories sharing its parent, itself excluded, by path.
pub(crate) async fn siblings_of<C: PgConn>(
    h: &Handle<C>,
    repository: Ref<Repository>,
) -> StoreResult<Vec<Repository>> {
    let me = find_by_ref::<Repositories, C>(h, repository)
        .await?
        .ok_or_else(|| not_found(repository.lookup()))?;
    let id = me.id;
    let rows = match me.parent_id {
        None => query_raw(&h.conn, SIBLINGS_TOP, vec![Value::from(id.get())], Op::Read).await?,
        Some(parent) => {
            query_raw(
                &h.conn,
                SIBLINGS,
                vec![Value::from(id.get()), Value::from(parent.get())],
                Op::Read,
            )
            .await?
        }
    };
    to_domain::<Repositories>(rows)
}

/// Soft-deletes the live subtree of the repository the `WHERE` part names by `$1`.
/// A macro because it builds a `const &str` with `concat!` (a function cannot make one).
macro_rules! soft_delete {
    ($root:literal) => {
        concat!(
            r#"WITH RECURSIVE "t" ("id") AS (SELECT "id" FROM "repositories" WHERE "#,
            $root,
            r#" AND "deleted_at" IS NULL UNION ALL SELECT "r"."id" FROM "repositories" "r" JOIN "t" ON "r"."parent_id" = "t"."id" WHERE "r"."deleted_at" IS NULL) UPDATE "repositories" SET "deleted_at" = $2, "updated_at" = $2 WHERE "id" IN (SELECT "id" FROM "t") AND "deleted_at" IS NULL"#
        )
    };
}

const SOFT_DELETE: &str = soft_delete!(r#""id" = $1"#);
const SOFT_DELETE_BY_UUID: &str = soft_delete!(r#""uuid" = $1"#);

/// `soft_delete`: one statement marks the live subtree; `NotFound` if the row is not live.
pub(crate) async fn soft_delete<C: PgConn>(
    h: &Handle<C>,
    repository: Ref<Repository>,
) -> StoreResult<u64> {
    let now = h.now();
    let (sql, root) = by_ref(repository, SOFT_DELETE, SOFT_DELETE_BY_UUID);
    let values = vec![root, Value::from(now.naive_utc())];
    let count = guarded!(&h.conn, rows: 1, |c| execute_raw(c, sql, values, Op::Write)
        .await)?;
    if count == 0 {
        return Err(not_found(repository.lookup()));
    }
    Ok(count)
}

const LOCK_LIVE: &str = r#"SELECT "id", "uuid", "name", "path", "parent_id", "created_at", "updated_at", "deleted_at" FROM "repositories" WHERE "id" = $1 AND "deleted_at" IS NULL FOR UPDATE"#;
const MOVE_ROW: &str = r#"UPDATE "repositories" SET "path" = $2, "name" = $3, "parent_id" = $4, "updated_at" = $5 WHERE "id" = $1 RETURNING "id", "uuid", "name", "path", "parent_id", "created_at", "updated_at", "deleted_at""#;
const MOVE_DESCENDANTS: &str = r#"UPDATE "repositories" AS "r" SET "path" = "u"."path", "updated_at" = $3 FROM UNNEST($1::int4[], $2::text[]) AS "u" ("id", "path") WHERE "r"."id" = "u"."id""#;

/// The `update_row` hook. Without a new path (or with the same one), only `updated_at`
/// changes. A new path moves the repository and its live subtree, in the order of checks of
/// `SEMANTICS.md` (runs inside a transaction).
pub(crate) async fn update_row<D: PgConn>(
    db: &D,
    id: RepositoryId,
    patch: RepositoryPatch,
    now: Timestamp,
) -> StoreResult<Repository> {
    let Some(new_path) = patch.path else {
        return crud::update_by_id_generic::<Repositories, D>(db, id, patch, now).await;
    };
    let rows = query_raw(db, LOCK_LIVE, vec![Value::from(id.get())], Op::Read).await?;
    let current = model_of::<Repositories>(rows.first().ok_or_else(|| not_found(Lookup::Id))?)?;
    if new_path == current.path {
        return crud::update_by_id_generic::<Repositories, D>(
            db,
            id,
            RepositoryPatch::default(),
            now,
        )
        .await;
    }
    if new_path.is_below(&current.path) {
        return Err(StoreError::invalid(
            "path",
            Rule::Invariant("a repository cannot move below itself"),
        ));
    }
    let parent_id = resolve_parent(db, &new_path).await??;
    let subtree = query_raw(db, SUBTREE, vec![Value::from(id.get())], Op::Read).await?;
    let descendants = without_root(subtree, Lookup::Id)?;
    let mut ids = Vec::with_capacity(descendants.len());
    let mut paths = Vec::with_capacity(descendants.len());
    for d in &descendants {
        let moved = d.path.rebase(&current.path, &new_path)?;
        ids.push(Value::from(d.id.get()));
        paths.push(Value::from(moved.as_str().to_owned()));
    }
    let values = vec![
        Value::from(id.get()),
        Value::from(new_path.as_str().to_owned()),
        Value::from(new_path.name().to_owned()),
        Value::from(parent_id),
        Value::from(now.naive_utc()),
    ];
    let moved = query_raw(db, MOVE_ROW, values, Op::Write).await?;
    let moved = model_of::<Repositories>(moved.first().ok_or_else(|| not_found(Lookup::Id))?)?;
    if !ids.is_empty() {
        let values = vec![
            Value::Array(ArrayType::Int, Some(Box::new(ids))),
            Value::Array(ArrayType::String, Some(Box::new(paths))),
            Value::from(now.naive_utc()),
        ];
        execute_raw(db, MOVE_DESCENDANTS, values, Op::Write).await?;
    }
    Ok(moved)
}
