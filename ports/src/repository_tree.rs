//! Creating a repository with its missing ancestors (GitLab's registry store creates the
//! missing parents of a path): written once over the ports, so both adapters do exactly the
//! same.

use containerpub_domain::{NewRepository, Repository, RepositoryPath};

use crate::error::StoreResult;
use crate::find_or_insert::Found;
use crate::keys::RepositoryKey;
use crate::uow::{Stores, UnitOfWork, UnitOfWorkExt};

/// The ancestors of `path`, top first (`a`, `a/b` for `a/b/c`).
#[must_use]
pub fn ancestors(path: &RepositoryPath) -> Vec<RepositoryPath> {
    let mut out = Vec::new();
    let mut at = path.parent();
    while let Some(parent) = at {
        at = parent.parent();
        out.push(parent);
    }
    out.reverse();
    out
}

/// Creates the repository `new` and every missing live ancestor of its path, in one new
/// transaction of `uow` (a savepoint if `uow` is a transaction): each ancestor, top first, by
/// `find_or_insert(NewRepository::new(ancestor), RepositoryKey::LivePath)` (fresh uuid, the
/// call's stamps), then `create(new)`. Returns what was created: the missing ancestors top
/// first, then `new`'s row. Concurrent calls sharing missing ancestors are safe: one creates
/// each ancestor, the others find it.
///
/// # Errors
/// As `RepositoryWriter::create` for `new` (`Conflict` on `repositories_path_live_key` when
/// the path is already live, on `repositories_uuid_key` for a used uuid); `Unavailable` /
/// `Internal` from the store. On any error nothing is created.
pub async fn create_with_parents<U: UnitOfWork + ?Sized>(
    uow: &U,
    new: NewRepository,
) -> StoreResult<Vec<Repository>> {
    uow.transaction(async |tx| {
        let mut created = Vec::new();
        for ancestor in ancestors(&new.path) {
            let found = tx
                .repositories()
                .find_or_insert(NewRepository::new(ancestor), RepositoryKey::LivePath)
                .await?;
            if let Found::Inserted(row) = found {
                created.push(row);
            }
        }
        created.push(tx.repositories().create(new).await?);
        Ok(created)
    })
    .await
}
