//! The repository tree: live rows by path, parents resolved from paths, walks over live
//! rows, subtree moves and soft deletes.

use std::sync::Arc;

use containerpub_domain::{Repository, RepositoryId, RepositoryPatch, RepositoryPath, Rule};
use containerpub_ports::{ForeignKey, Lookup, Ref, StoreError, StoreResult, Table, UniqueKey};

use crate::crud::{self, single, update_statement};
use crate::db::Db;
use crate::index::IndexKey;
use crate::locks::Mode;
use crate::sequences::Cx;
use crate::table::{NOT_BELOW_ITSELF, Repositories};

/// The live repository at `path`.
pub(crate) fn live_at(db: &Db, path: &str) -> Option<Arc<Repository>> {
    let table = db.t::<Repositories>();
    table
        .unique_get(UniqueKey::RepositoriesLivePath, &IndexKey::text(path))
        .and_then(|id| table.get_visible(id).cloned())
}

/// The id of the live parent of `path` (`None` at the top), or `ReferenceMissing`.
pub(crate) fn live_parent(db: &Db, path: &RepositoryPath) -> StoreResult<Option<RepositoryId>> {
    match path.parent() {
        None => Ok(None),
        Some(parent) => live_at(db, parent.as_str()).map(|row| Some(row.id)).ok_or(
            StoreError::ReferenceMissing {
                key: ForeignKey::RepositoriesParentId,
            },
        ),
    }
}

/// [`live_parent`], locked `FOR SHARE` as the PostgreSQL adapter does (a transaction
/// renaming, moving or deleting the parent waits, and waits for it).
pub(crate) fn lock_live_parent(
    db: &mut Db,
    path: &RepositoryPath,
) -> StoreResult<Option<RepositoryId>> {
    let parent = live_parent(db, path)?;
    if let Some(parent) = parent {
        db.lock_row(Table::Repositories, i64::from(parent.get()), Mode::Share)?;
    }
    Ok(parent)
}

/// The live repositories below `path` (paths starting with `path/`), ordered by path.
fn live_descendants(db: &Db, path: &RepositoryPath) -> Vec<Arc<Repository>> {
    let table = db.t::<Repositories>();
    // Every path starting with "p/" lies in ["p/", "p0"): '0' is the byte after '/'.
    table
        .unique_range(
            UniqueKey::RepositoriesLivePath,
            IndexKey::text(&format!("{path}/")),
            IndexKey::text(&format!("{path}0")),
        )
        .into_iter()
        .filter_map(|id| table.get_visible(id).cloned())
        .collect()
}

fn live_repository(db: &Db, repository: Ref<Repository>) -> StoreResult<Arc<Repository>> {
    let table = db.t::<Repositories>();
    match repository {
        Ref::Id(id) => table.get_visible(i64::from(id.get())),
        Ref::Uuid(uuid) => table
            .get_by_uuid(&uuid)
            .filter(|row| <Repositories as crate::table::TableDef>::visible(row)),
    }
    .cloned()
    .ok_or_else(|| StoreError::not_found(Table::Repositories, repository.lookup()))
}

/// `descendants_of(id)`.
pub(crate) fn descendants_of(db: &Db, repository: Ref<Repository>) -> StoreResult<Vec<Repository>> {
    let row = live_repository(db, repository)?;
    Ok(crud::owned(live_descendants(db, &row.path)))
}

/// `ancestors_of(id)`: the live repositories at each ancestor path, nearest first.
pub(crate) fn ancestors_of(db: &Db, repository: Ref<Repository>) -> StoreResult<Vec<Repository>> {
    let row = live_repository(db, repository)?;
    let mut out = Vec::new();
    let mut next = row.path.parent();
    while let Some(path) = next {
        if let Some(ancestor) = live_at(db, path.as_str()) {
            out.push(Repository::clone(&ancestor));
        }
        next = path.parent();
    }
    Ok(out)
}

/// `siblings_of(id)`: live rows with the same `parent_id` (NULL for top-level ones), itself
/// excluded, ordered by path.
pub(crate) fn siblings_of(db: &Db, repository: Ref<Repository>) -> StoreResult<Vec<Repository>> {
    let row = live_repository(db, repository)?;
    let table = db.t::<Repositories>();
    let parent = row
        .parent_id
        .map_or(IndexKey::Null, |p| IndexKey::Int(i64::from(p.get())));
    let mut siblings: Vec<Repository> = table
        .children_of(ForeignKey::RepositoriesParentId, &parent)
        .into_iter()
        .filter(|sibling| *sibling != i64::from(row.id.get()))
        .filter_map(|sibling| table.get_visible(sibling).map(|r| Repository::clone(r)))
        .collect();
    siblings.sort_by(|a, b| a.path.as_str().cmp(b.path.as_str()));
    Ok(siblings)
}

/// `soft_delete(id)`: one UPDATE setting `deleted_at = updated_at = now` on the row and its
/// live descendants.
pub(crate) fn soft_delete(
    db: &mut Db,
    cx: &Cx<'_>,
    repository: Ref<Repository>,
) -> StoreResult<u64> {
    let row = live_repository(db, repository)?;
    let mut rows = vec![row.clone()];
    rows.extend(live_descendants(db, &row.path));
    let n = rows.len() as u64;
    let deleted = rows
        .into_iter()
        .map(|r| Repository {
            deleted_at: Some(cx.now),
            updated_at: cx.now,
            ..Repository::clone(&r)
        })
        .collect();
    update_statement::<Repositories>(db, deleted)?;
    Ok(n)
}

/// `update_by_id` on repositories: a rename or move with the whole live subtree.
pub(crate) fn update_repository(
    db: &mut Db,
    cx: &Cx<'_>,
    id: i64,
    patch: &RepositoryPatch,
) -> StoreResult<Arc<Repository>> {
    let row = db
        .t::<Repositories>()
        .get_visible(id)
        .cloned()
        .ok_or(StoreError::not_found(Table::Repositories, Lookup::Id))?;
    let stamp_only = |db: &mut Db| {
        single(update_statement::<Repositories>(
            db,
            vec![Repository {
                updated_at: cx.now,
                ..Repository::clone(&row)
            }],
        )?)
    };
    let Some(new_path) = &patch.path else {
        return stamp_only(db);
    };
    // A new path: the row is locked `FOR UPDATE` first, as in the PostgreSQL adapter.
    db.lock_row(Table::Repositories, id, Mode::Update)?;
    if *new_path == row.path {
        return stamp_only(db);
    }
    if new_path.is_below(&row.path) {
        return Err(StoreError::invalid(
            "path",
            Rule::Invariant(NOT_BELOW_ITSELF),
        ));
    }
    let parent_id = lock_live_parent(db, new_path)?;
    let descendants = live_descendants(db, &row.path);
    let mut rewritten = Vec::with_capacity(descendants.len());
    for descendant in &descendants {
        let path = descendant.path.rebase(&row.path, new_path)?;
        rewritten.push(Repository {
            path,
            updated_at: cx.now,
            ..Repository::clone(descendant)
        });
    }
    let moved = single(update_statement::<Repositories>(
        db,
        vec![Repository {
            name: new_path.name().to_owned(),
            path: new_path.clone(),
            parent_id,
            updated_at: cx.now,
            ..Repository::clone(&row)
        }],
    )?)?;
    update_statement::<Repositories>(db, rewritten)?;
    Ok(moved)
}
