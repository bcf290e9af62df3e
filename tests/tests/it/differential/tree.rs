//! `create_with_parents` in the differential test. It runs on a unit of work (the innermost
//! open transaction, else the store), not on `&dyn Stores` as the other ops do, and the
//! ancestors it creates get random uuids (`NewRepository::new`, `Uuid::new_v4`): they cannot
//! be drawn by the generator, so the two sides' ancestors differ in their uuids and only
//! there. The op therefore compares the results with the ancestors' uuids normalised (every
//! other field, ids and stamps included, must be equal), then gives PostgreSQL's new ancestor
//! rows the memory side's uuids by id, so later steps (full-content comparisons, uuid lookups
//! from the pools, the soft-delete probes at the end) see one set of uuids on both sides.

use containerpub_domain::{NewRepository, Repository, RepositoryId, Uuid};
use containerpub_ports::{BoxFuture, StoreResult, UnitOfWork, Value};
use containerpub_postgres::{PgStore, PgTransaction};

/// A unit of work as an object: where `create_with_parents` runs on one side.
pub trait TreeUow: Sync {
    /// `containerpub_ports::create_with_parents` on this unit of work.
    fn create_with_parents(
        &self,
        new: NewRepository,
    ) -> BoxFuture<'_, StoreResult<Vec<Repository>>>;
}

impl<U: UnitOfWork> TreeUow for U {
    fn create_with_parents(
        &self,
        new: NewRepository,
    ) -> BoxFuture<'_, StoreResult<Vec<Repository>>> {
        Box::pin(containerpub_ports::create_with_parents(self, new))
    }
}

/// Rewrites a repository's uuid on PostgreSQL, inside the innermost open transaction (else
/// on the store): the alignment described in the module docs.
pub trait SetRepositoryUuid: Sync {
    /// `UPDATE repositories SET uuid = … WHERE id = …`; the number of rows changed.
    fn set_repository_uuid(&self, id: RepositoryId, uuid: Uuid) -> BoxFuture<'_, StoreResult<u64>>;
}

const SET_UUID: &str = "UPDATE repositories SET uuid = @uuid WHERE id = @id";

fn params(id: RepositoryId, uuid: Uuid) -> [(&'static str, Value); 2] {
    [
        ("uuid", Value::Uuid(uuid)),
        ("id", Value::Int(i64::from(id.get()))),
    ]
}

impl SetRepositoryUuid for PgStore {
    fn set_repository_uuid(&self, id: RepositoryId, uuid: Uuid) -> BoxFuture<'_, StoreResult<u64>> {
        Box::pin(async move { self.raw_execute(SET_UUID, &params(id, uuid)).await })
    }
}

impl SetRepositoryUuid for PgTransaction {
    fn set_repository_uuid(&self, id: RepositoryId, uuid: Uuid) -> BoxFuture<'_, StoreResult<u64>> {
        Box::pin(async move { self.raw_execute(SET_UUID, &params(id, uuid)).await })
    }
}

/// PostgreSQL's result with its ancestors' uuids replaced by the memory side's, when both
/// created the same number of rows (otherwise the comparison fails on its own). The last row
/// is `new`'s, whose uuid is the input's on both sides: it is left alone.
pub fn normalise(
    mem: &StoreResult<Vec<Repository>>,
    pg: StoreResult<Vec<Repository>>,
) -> StoreResult<Vec<Repository>> {
    match (mem, pg) {
        (Ok(m), Ok(mut p)) if m.len() == p.len() => {
            let ancestors = p.len().saturating_sub(1);
            for (p_row, m_row) in p.iter_mut().zip(m).take(ancestors) {
                p_row.uuid = m_row.uuid;
            }
            Ok(p)
        }
        (_, pg) => pg,
    }
}
