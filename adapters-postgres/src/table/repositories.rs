//! The description of `repositories`.

use std::future::Future;

use containerpub_domain::{NewRepository, Repository, RepositoryId, RepositoryPatch, Timestamp};
use containerpub_ports::{RepositoryField, RepositoryKey, StoreResult, Table, Upserted};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::Value;

use crate::batch::BatchResult;
use crate::conn::PgConn;
use crate::entity::repository;

use super::check::Check;
use super::def::{TableDef, UpsertTarget};
use super::values::ts_value;

/// `repositories` (live rows only; inserts resolve the parent, moves rewrite the subtree:
/// see [`crate::ops::repositories`]).
pub(crate) struct Repositories;

impl TableDef for Repositories {
    type Entity = repository::Entity;
    type Model = repository::Model;
    type ActiveModel = repository::ActiveModel;
    type Column = repository::Column;
    type Field = RepositoryField;
    type Domain = Repository;
    type Id = RepositoryId;
    type New = NewRepository;
    type Patch = RepositoryPatch;
    type Key = RepositoryKey;
    const TABLE: Table = Table::Repositories;
    const INSERT_NEEDS_TX: bool = true;
    const UPSERT_NEEDS_TX: bool = true;

    fn column(field: RepositoryField) -> repository::Column {
        use repository::Column as C;
        match field {
            RepositoryField::Id => C::Id,
            RepositoryField::Uuid => C::Uuid,
            RepositoryField::Name => C::Name,
            RepositoryField::Path => C::Path,
            RepositoryField::ParentId => C::ParentId,
            RepositoryField::CreatedAt => C::CreatedAt,
            RepositoryField::UpdatedAt => C::UpdatedAt,
        }
    }

    fn id_value(id: RepositoryId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<repository::Column> {
        Some(repository::Column::Uuid)
    }
    fn updated_at() -> Option<repository::Column> {
        Some(repository::Column::UpdatedAt)
    }
    fn deleted_at() -> Option<repository::Column> {
        Some(repository::Column::DeletedAt)
    }

    fn from_model(m: repository::Model) -> StoreResult<Repository> {
        let c = Check(Table::Repositories, m.uuid);
        let path = c.path("path", &m.path)?;
        if path.name() != m.name {
            return Err(c.fail("name", "not the last segment of path"));
        }
        Ok(Repository {
            id: RepositoryId::new(m.id),
            uuid: m.uuid,
            name: m.name,
            path,
            parent_id: m.parent_id.map(RepositoryId::new),
            created_at: c.ts("created_at", m.created_at)?,
            updated_at: c.ts("updated_at", m.updated_at)?,
            deleted_at: c.opt_ts("deleted_at", m.deleted_at)?,
        })
    }

    /// The row without its parent (resolved by [`crate::ops::repositories`]).
    fn new_row(new: NewRepository, now: Timestamp) -> repository::ActiveModel {
        repository::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            name: Set(new.path.name().to_owned()),
            path: Set(new.path.as_str().to_owned()),
            parent_id: Set(None),
            created_at: Set(ts_value(now)),
            updated_at: Set(ts_value(now)),
            deleted_at: NotSet,
        }
    }

    /// Paths are applied by [`crate::ops::repositories::update_row`]; nothing else changes.
    fn patch_values(_patch: RepositoryPatch) -> Vec<(repository::Column, Value)> {
        Vec::new()
    }

    fn upsert_target(key: RepositoryKey) -> UpsertTarget<repository::Column> {
        use repository::Column as C;
        match key {
            RepositoryKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[C::UpdatedAt],
                live_only: false,
            },
            RepositoryKey::LivePath => UpsertTarget {
                columns: &[C::Path],
                updates: &[C::UpdatedAt],
                live_only: true,
            },
        }
    }

    fn check_where_patch(patch: &RepositoryPatch) -> StoreResult<()> {
        crate::ops::repositories::check_where_patch(patch)
    }

    fn update_needs_tx(patch: &RepositoryPatch) -> bool {
        patch.path.is_some()
    }

    fn insert_rows<D: PgConn>(
        db: &D,
        rows: Vec<NewRepository>,
        now: Timestamp,
    ) -> impl Future<Output = BatchResult<Vec<Repository>>> + Send {
        crate::ops::repositories::insert_rows(db, rows, now)
    }

    fn upsert_row<D: PgConn>(
        db: &D,
        new: NewRepository,
        key: RepositoryKey,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Upserted<Repository>>> + Send {
        crate::ops::repositories::upsert_row(db, new, key, now)
    }

    fn update_row<D: PgConn>(
        db: &D,
        id: RepositoryId,
        patch: RepositoryPatch,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Repository>> + Send {
        crate::ops::repositories::update_row(db, id, patch, now)
    }
}
