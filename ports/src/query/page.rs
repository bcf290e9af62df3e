//! Offset pages: which page to read ([`PageRequest`]) and the page size limit.

use containerpub_domain::Rule;

use crate::error::{StoreError, StoreResult};

/// The largest page size and keyset window accepted.
pub const MAX_PAGE_SIZE: u64 = 10_000;

/// Which page of an offset-paged listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    /// The page number, from 1.
    pub page: u64,
    /// Rows per page, 1 to [`MAX_PAGE_SIZE`].
    pub page_size: u64,
}

impl PageRequest {
    /// Page `page` (from 1) of `page_size` rows.
    #[must_use]
    pub const fn new(page: u64, page_size: u64) -> Self {
        Self { page, page_size }
    }

    /// Checks the numbers and returns the row offset of the page.
    ///
    /// # Errors
    /// `InvalidInput` for `page` below 1, `page_size` outside 1..=[`MAX_PAGE_SIZE`], or an
    /// offset that does not fit a signed 64-bit integer.
    pub fn offset(&self) -> StoreResult<u64> {
        if self.page < 1 {
            return Err(StoreError::invalid(
                "page",
                Rule::TooSmall {
                    min: 1,
                    actual: i64::try_from(self.page).unwrap_or(i64::MAX),
                },
            ));
        }
        check_size("page_size", self.page_size)?;
        let offset = (self.page - 1)
            .checked_mul(self.page_size)
            .filter(|o| i64::try_from(*o).is_ok())
            .ok_or_else(|| {
                StoreError::invalid(
                    "page",
                    Rule::TooLarge {
                        max: i64::MAX,
                        actual: i64::MAX,
                    },
                )
            })?;
        Ok(offset)
    }
}

/// Checks a page size or window limit: 1 to [`MAX_PAGE_SIZE`].
///
/// # Errors
/// `InvalidInput` naming `field` outside that range.
pub(super) fn check_size(field: &'static str, size: u64) -> StoreResult<()> {
    let actual = i64::try_from(size).unwrap_or(i64::MAX);
    if size < 1 {
        return Err(StoreError::invalid(
            field,
            Rule::TooSmall { min: 1, actual },
        ));
    }
    if size > MAX_PAGE_SIZE {
        return Err(StoreError::invalid(
            field,
            Rule::TooLarge {
                max: i64::try_from(MAX_PAGE_SIZE).unwrap_or(i64::MAX),
                actual,
            },
        ));
    }
    Ok(())
}
