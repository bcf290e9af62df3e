//! SQL fixture files: `<dir>/<table>.sql`, read and checked before anything runs, so a
//! missing file or a bad name fails with its path and touches no database.

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a set of SQL fixtures could not be loaded. Each variant names what failed: the
/// fixture name, the file's path, or the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixtureError {
    /// The name is not a plain table name (lowercase ASCII letters, digits and `_`), so it
    /// cannot name a file in the fixture folder.
    BadName {
        /// The name as given.
        name: String,
    },
    /// The file `<dir>/<name>.sql` could not be read (missing, unreadable, not UTF-8).
    Unreadable {
        /// The path that was read: the folder given, joined with `<name>.sql`.
        path: PathBuf,
        /// The I/O error, as text.
        reason: String,
    },
    /// The server rejected the file's SQL; no fixture of the call was kept (they run in one
    /// transaction).
    Failed {
        /// The file whose SQL failed.
        path: PathBuf,
        /// The test database it ran on.
        database: String,
        /// The server's error, with its SQLSTATE.
        reason: String,
    },
    /// Connecting, `BEGIN` or `COMMIT` failed.
    Connection {
        /// The test database.
        database: String,
        /// What failed.
        reason: String,
    },
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadName { name } => write!(f, "fixture name {name:?} is not a table name"),
            Self::Unreadable { path, reason } => {
                write!(f, "cannot read fixture {}: {reason}", path.display())
            }
            Self::Failed {
                path,
                database,
                reason,
            } => write!(
                f,
                "fixture {} failed on {database}: {reason}",
                path.display()
            ),
            Self::Connection { database, reason } => {
                write!(f, "loading fixtures into {database}: {reason}")
            }
        }
    }
}

impl std::error::Error for FixtureError {}

/// Reads `<dir>/<table>.sql` for each table, in order: each file's path and SQL.
///
/// # Errors
/// [`FixtureError::BadName`] for a name that is not a table name, else
/// [`FixtureError::Unreadable`] for the first file that cannot be read.
pub(crate) fn read(dir: &Path, tables: &[&str]) -> Result<Vec<(PathBuf, String)>, FixtureError> {
    tables
        .iter()
        .map(|table| {
            let valid = !table.is_empty()
                && table
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(FixtureError::BadName {
                    name: (*table).to_owned(),
                });
            }
            let path = dir.join(format!("{table}.sql"));
            match std::fs::read_to_string(&path) {
                Ok(sql) => Ok((path, sql)),
                Err(e) => Err(FixtureError::Unreadable {
                    path,
                    reason: e.to_string(),
                }),
            }
        })
        .collect()
}
