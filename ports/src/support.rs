//! For adapter authors: what an implementation of the store ports needs beyond what
//! applications use. Applications do not need this module.
//!
//! - [`Record`]: an entity read field by field (to evaluate filters and sorts in memory, and
//!   to build a keyset cursor from a window's last row);
//! - [`Keyset`]: the keyset plan of a `find_window` call (the effective sort, the cursor
//!   decoded and checked against its query) and the window built from the rows read;
//! - [`effective_sort`]: the sort keys a query is really ordered by (the primary key last).

pub use crate::query::keyset::Keyset;
pub use crate::query::record::Record;
pub use crate::query::sort::effective_sort;
