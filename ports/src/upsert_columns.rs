//! Upserts with chosen update columns: the update branch takes only the named columns from
//! the input (the seed's `upsert(…, updateColumns: [...])`), so an upsert of a user by e-mail
//! can leave the stored password hash alone. `upsert` itself keeps its documented default
//! (every non-key column).

/// A column of `users` the update branch of [`UserWriter::upsert_updating`] may take from
/// the input.
///
/// [`UserWriter::upsert_updating`]: crate::UserWriter::upsert_updating
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserColumn {
    /// `email` (ignored when the key is [`UserKey::Email`](crate::UserKey::Email): the
    /// holder already has the input's e-mail).
    Email,
    /// `password_hash`.
    PasswordHash,
}
