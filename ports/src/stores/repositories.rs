//! The role traits of `repositories`: [`RepositoryReader`], [`RepositoryWriter`], [`RepositoryStore`].

use async_trait::async_trait;

use containerpub_domain::{NewRepository, Repository, RepositoryPath};

use crate::error::StoreResult;
use crate::reference::Ref;
use crate::stores::{Reader, UuidReader, Writer};

/// Reads `repositories`. Every read leaves soft-deleted
/// rows out, as if they did not exist.
#[async_trait]
pub trait RepositoryReader: Reader<Repository> + UuidReader<Repository> {
    /// The live repository at this path.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn find_by_path(&self, path: &RepositoryPath) -> StoreResult<Option<Repository>>;

    /// Every live repository below this one, at any depth, ordered by path.
    ///
    /// # Errors
    /// `NotFound` (`Lookup::Id` or `Lookup::Uuid`, as asked) if there is no live repository with
    /// this id or uuid (a soft-deleted one is
    /// not live).
    async fn descendants_of(&self, repository: Ref<Repository>) -> StoreResult<Vec<Repository>>;

    /// Its parent, the parent's parent, … up to the top: nearest first.
    ///
    /// # Errors
    /// `NotFound` (`Lookup::Id` or `Lookup::Uuid`, as asked) if there is no live repository with
    /// this id or uuid (a soft-deleted one is
    /// not live).
    async fn ancestors_of(&self, repository: Ref<Repository>) -> StoreResult<Vec<Repository>>;

    /// The live repositories sharing its parent (top-level ones are siblings of each
    /// other), itself excluded, ordered by path.
    ///
    /// # Errors
    /// `NotFound` (`Lookup::Id` or `Lookup::Uuid`, as asked) if there is no live repository with
    /// this id or uuid (a soft-deleted one is
    /// not live).
    async fn siblings_of(&self, repository: Ref<Repository>) -> StoreResult<Vec<Repository>>;
}

/// Writes `repositories`. An insert derives `name` (the last segment) and `parent_id`
/// (the live repository at the parent path) from the path; a missing parent is
/// `ReferenceMissing` (`repositories_parent_id_fkey`), a live duplicate path `Conflict`
/// (`repositories_path_live_key`). A patch with a new path renames or moves the
/// repository with its whole subtree (the new parent must exist; a repository cannot
/// move below itself: `InvalidInput` field `path`); `update_where` cannot change paths
/// (`InvalidInput` field `path`). `delete_by_id` / `delete_where` delete rows for good,
/// cascading to the subtree. Every write leaves soft-deleted rows untouched, except the
/// cascade of a hard delete.
#[async_trait]
pub trait RepositoryWriter: Writer<Repository> {
    /// Creates a repository (the same as `insert`).
    ///
    /// # Errors
    /// As `insert`.
    async fn create(&self, new: NewRepository) -> StoreResult<Repository>;

    /// Soft-deletes the repository and its whole live subtree (one `deleted_at` for all);
    /// returns how many rows were soft-deleted. Their paths can then be created again.
    ///
    /// # Errors
    /// `NotFound` (`Lookup::Id` or `Lookup::Uuid`, as asked) if there is no live repository with
    /// this id or uuid (a soft-deleted one is
    /// not live).
    async fn soft_delete(&self, repository: Ref<Repository>) -> StoreResult<u64>;
}

/// Reads and writes `repositories`.
pub trait RepositoryStore: RepositoryReader + RepositoryWriter {}

impl<T: RepositoryReader + RepositoryWriter + ?Sized> RepositoryStore for T {}
