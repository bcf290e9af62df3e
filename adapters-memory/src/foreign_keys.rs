//! Foreign keys: the check of a written row's references ([`check_fks`], locking each parent
//! found as PostgreSQL's check does), and the deletes that apply the `ON DELETE` actions of
//! every key referencing the deleted rows ([`delete_rows`]: `RESTRICT`, `CASCADE`,
//! `SET NULL`).

use std::collections::VecDeque;
use std::sync::Arc;

use containerpub_ports::{ForeignKey, StoreError, StoreResult, Table};

use crate::db::Db;
use crate::index::IndexKey;
use crate::locks::Mode;
use crate::table::{OnDelete, TableDef, Target, dispatch, fk_info, incoming};

/// Checks the row's foreign keys in declaration order, locking each parent found
/// `FOR KEY SHARE` (a transaction deleting it, or changing its key, makes the check wait).
pub(crate) fn check_fks<T: TableDef>(db: &mut Db, row: &T::Row) -> StoreResult<()> {
    for fk in T::FKS {
        if let Some(value) = T::fk_value(row, *fk) {
            let info = fk_info(*fk);
            let Some(parent) = dispatch!(info.parent, parent_id(db, info.target, &value)) else {
                return Err(StoreError::ReferenceMissing { key: *fk });
            };
            db.lock_row(info.parent, parent, Mode::KeyShare)?;
        }
    }
    Ok(())
}

fn parent_id<T: TableDef>(db: &Db, target: Target, value: &IndexKey) -> Option<i64> {
    match (target, value) {
        (Target::Id, IndexKey::Int(id)) => db.t::<T>().get(*id).map(|_| *id),
        (Target::Uuid, _) => T::UUID_KEY.and_then(|k| db.t::<T>().unique_get(k, value)),
        _ => None,
    }
}

/// Deletes rows of `table` (already known to exist) and applies the `ON DELETE` actions of
/// every foreign key referencing them, recursively: `RESTRICT` → `StillReferenced`,
/// `CASCADE` → deleted too, `SET NULL` → the column cleared (no stamp). The rows given are
/// deleted first, then the cascades, breadth first.
pub(crate) fn delete_rows(db: &mut Db, table: Table, ids: Vec<i64>) -> StoreResult<()> {
    run_deletes(db, ids.into_iter().map(|id| (table, id)).collect())
}

fn run_deletes(db: &mut Db, mut queue: VecDeque<(Table, i64)>) -> StoreResult<()> {
    while let Some((table, id)) = queue.pop_front() {
        dispatch!(table, delete_one(db, id, &mut queue))?;
    }
    Ok(())
}

fn delete_one<T: TableDef>(
    db: &mut Db,
    id: i64,
    queue: &mut VecDeque<(Table, i64)>,
) -> StoreResult<()> {
    match db.remove::<T>(id) {
        Some(row) => {
            db.check_blocked()?;
            on_deleted::<T>(db, &row, queue)
        }
        None => Ok(()),
    }
}

fn parent_key<T: TableDef>(row: &T::Row, target: Target) -> Option<IndexKey> {
    match target {
        Target::Id => Some(IndexKey::Int(T::id(row))),
        Target::Uuid => T::UUID_KEY.and_then(|k| T::unique_value(row, k)),
    }
}

fn child_ids<T: TableDef>(db: &Db, fk: ForeignKey, parent: &IndexKey) -> Vec<i64> {
    db.t::<T>().children_of(fk, parent)
}

fn set_null<T: TableDef>(db: &mut Db, fk: ForeignKey, ids: &[i64]) -> StoreResult<()> {
    for id in ids {
        if let Some(row) = db.t::<T>().get(*id).cloned() {
            db.put::<T>(Arc::new(T::set_null(&row, fk)));
            db.check_blocked()?;
        }
    }
    Ok(())
}

/// The `ON DELETE` actions for one deleted row: `RESTRICT` references first, then the
/// others in foreign-key order.
fn on_deleted<T: TableDef>(
    db: &mut Db,
    row: &T::Row,
    queue: &mut VecDeque<(Table, i64)>,
) -> StoreResult<()> {
    let referencing: Vec<_> = incoming(T::TABLE)
        .filter_map(|info| {
            let key = parent_key::<T>(row, info.target)?;
            let ids = dispatch!(info.child, child_ids(db, info.fk, &key));
            (!ids.is_empty()).then_some((info, ids))
        })
        .collect();
    if let Some((info, _)) = referencing
        .iter()
        .find(|(info, _)| info.action == OnDelete::Restrict)
    {
        return Err(StoreError::StillReferenced { key: info.fk });
    }
    for (info, ids) in referencing {
        match info.action {
            OnDelete::Cascade => queue.extend(ids.into_iter().map(|id| (info.child, id))),
            OnDelete::SetNull => dispatch!(info.child, set_null(db, info.fk, &ids))?,
            OnDelete::Restrict => {}
        }
    }
    Ok(())
}
