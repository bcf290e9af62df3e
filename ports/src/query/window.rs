//! Keyset windows as applications use them: the request ([`KeysetRequest`]), the window
//! ([`Window`]) and its opaque [`Cursor`].

use std::fmt;

use super::page::check_size;
use crate::error::StoreResult;

/// Which keyset window: the rows after `after` (or from the start), at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeysetRequest {
    /// The cursor of the previous window (`Window::next`), or `None` for the first.
    pub after: Option<Cursor>,
    /// Rows per window, 1 to [`MAX_PAGE_SIZE`](crate::query::MAX_PAGE_SIZE).
    pub limit: u64,
}

impl KeysetRequest {
    /// The first window of `limit` rows.
    #[must_use]
    pub const fn first(limit: u64) -> Self {
        Self { after: None, limit }
    }

    /// The window after `cursor`.
    #[must_use]
    pub const fn after(cursor: Cursor, limit: u64) -> Self {
        Self {
            after: Some(cursor),
            limit,
        }
    }

    /// Checks the limit.
    ///
    /// # Errors
    /// `InvalidInput` for `limit` outside 1..=[`MAX_PAGE_SIZE`](crate::query::MAX_PAGE_SIZE).
    pub fn validate(&self) -> StoreResult<()> {
        check_size("limit", self.limit)
    }
}

/// One keyset window.
#[derive(Debug, Clone, PartialEq)]
pub struct Window<T> {
    /// The rows, in the query's order.
    pub items: Vec<T>,
    /// The cursor for the next window; `None` when no row follows the last item.
    pub next: Option<Cursor>,
}

impl<T> Window<T> {
    /// The same window with each item mapped (the cursor is kept).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Window<U> {
        Window {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// An opaque keyset cursor.
///
/// It carries the sort-key values of the last row of a window, a fingerprint of the query
/// (table, filter and sort) it came from, and a checksum of both. Used with a different
/// query, or altered (a byte changed, added or removed), it is rejected as `InvalidInput`
/// (field `cursor`). The checksum is not keyed: a client that decodes a cursor and recomputes
/// it can make a cursor for another position of the same query. That grants nothing: a
/// cursor is a position, not a credential, and every position of the query is one the query
/// itself may return.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cursor(String);

impl fmt::Debug for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cursor({})", self.0)
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Cursor {
    /// Wraps a cursor string received from a client (checked when used).
    #[must_use]
    pub fn from_string(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The cursor as text, to hand to a client.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_maps_every_item_in_order_and_keeps_the_cursor() {
        let next = Some(Cursor::from_string("c"));
        let window = Window {
            items: vec![1, 2, 3],
            next: next.clone(),
        };
        assert_eq!(
            window.map(|n| n * 10),
            Window {
                items: vec![10, 20, 30],
                next,
            }
        );
    }
}
