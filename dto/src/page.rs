//! Offset pages of any DTO.

use containerpub_domain::Page;
use serde::Serialize;

/// One page of a listing: `{items, total, page, page_size, has_more}`; `items` are DTOs,
/// never entities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageDto<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The number of items matching, on every page.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u64,
    /// The page size asked for.
    pub page_size: u64,
    /// Whether a later page has items.
    pub has_more: bool,
}

impl<T> PageDto<T> {
    /// Projects a page, mapping each item with `f` (e.g. `|u| UserDto::from(&u)` on a
    /// `Page<User>`, or `UserDto::from` on a `Page<&User>`).
    pub fn from_page<E>(page: Page<E>, f: impl FnMut(E) -> T) -> Self {
        Self {
            items: page.items.into_iter().map(f).collect(),
            total: page.total,
            page: page.page,
            page_size: page.page_size,
            has_more: page.has_more,
        }
    }

    /// Projects a borrowed page, mapping each item with `f` (e.g. `UserDto::from` on a
    /// `&Page<User>`).
    pub fn from_page_ref<'a, E>(page: &'a Page<E>, f: impl FnMut(&'a E) -> T) -> Self {
        Self {
            items: page.items.iter().map(f).collect(),
            total: page.total,
            page: page.page,
            page_size: page.page_size,
            has_more: page.has_more,
        }
    }
}
