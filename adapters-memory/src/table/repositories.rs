//! The description of `repositories`.

use std::sync::Arc;

use containerpub_domain::{
    NewRepository, Repository, RepositoryId, RepositoryPatch, Rule, Timestamp,
};
use containerpub_ports::{ForeignKey, RepositoryField, StoreError, StoreResult, Table, UniqueKey};

use crate::db::{Db, Undo, UndoLog};
use crate::index::IndexKey;
use crate::rows::TableState;
use crate::sequences::Cx;

use super::def::TableDef;
use super::id32;

/// `repositories`.
pub(crate) enum Repositories {}

/// The rule `update_where` breaks with a path.
pub(crate) const PATHS_ONE_AT_A_TIME: &str = "paths change one repository at a time";
/// The rule a move below the moved repository breaks.
pub(crate) const NOT_BELOW_ITSELF: &str = "a repository cannot move below itself";

impl TableDef for Repositories {
    type Row = Repository;
    type Field = RepositoryField;
    type New = NewRepository;
    type Patch = RepositoryPatch;
    type Prep = Option<RepositoryId>;

    const TABLE: Table = Table::Repositories;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::RepositoriesUuid);
    const ORDERED_UNIQUE: Option<UniqueKey> = Some(UniqueKey::RepositoriesLivePath);
    const NULL_CHILDREN: Option<ForeignKey> = Some(ForeignKey::RepositoriesParentId);
    const ROW_BY_ROW: bool = true;

    table_slot!(repositories, Repository);
    fn new_unique_value(new: &NewRepository, key: UniqueKey) -> Option<IndexKey> {
        match key {
            UniqueKey::RepositoriesUuid => Some(IndexKey::Uuid(new.uuid)),
            UniqueKey::RepositoriesLivePath => Some(IndexKey::text(new.path.as_str())),
            _ => None,
        }
    }
    fn visible(row: &Repository) -> bool {
        row.deleted_at.is_none()
    }
    /// The live parent (the path minus its last segment) must exist, else
    /// `ReferenceMissing` before any sequence value.
    fn prepare(db: &mut Db, new: &NewRepository) -> StoreResult<Option<RepositoryId>> {
        crate::ops::repositories::lock_live_parent(db, &new.path)
    }
    fn build(
        new: &NewRepository,
        parent: Option<RepositoryId>,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<Repository> {
        Ok(Repository {
            id: RepositoryId::new(id32(id)?),
            uuid: new.uuid,
            name: new.path.name().to_owned(),
            path: new.path.clone(),
            parent_id: parent,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }
    /// Without a path, an update only stamps `updated_at` (paths go through
    /// [`crate::ops::repositories::update_repository`]).
    fn patch(row: &Repository, patch: &RepositoryPatch, now: Timestamp) -> StoreResult<Repository> {
        if patch.path.is_some() {
            return Err(StoreError::invalid(
                "path",
                Rule::Invariant(PATHS_ONE_AT_A_TIME),
            ));
        }
        Ok(Repository {
            updated_at: now,
            ..row.clone()
        })
    }
    fn upsert_update(row: &Repository, _new: &NewRepository, now: Timestamp) -> Repository {
        Repository {
            updated_at: now,
            ..row.clone()
        }
    }
    fn check_bulk_patch(patch: &RepositoryPatch) -> StoreResult<()> {
        if patch.path.is_some() {
            return Err(StoreError::invalid(
                "path",
                Rule::Invariant(PATHS_ONE_AT_A_TIME),
            ));
        }
        Ok(())
    }
    fn update_by_id(
        db: &mut Db,
        cx: &Cx<'_>,
        id: i64,
        patch: &RepositoryPatch,
    ) -> StoreResult<Arc<Repository>> {
        crate::ops::repositories::update_repository(db, cx, id, patch)
    }
}
