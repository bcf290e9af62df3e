//! The keyset plan every adapter runs a window by ([`Keyset`], for adapter authors): the
//! effective sort, the cursor decoded and bound to its query, and the window built from the
//! rows read.

use containerpub_domain::Rule;

use super::field::Field;
use super::filter::Filter;
use super::record::Record;
use super::sort::{Sort, effective_sort};
use super::value::Value;
use super::window::{KeysetRequest, Window};
use crate::error::{StoreError, StoreResult, Table};

/// The keyset plan shared by every adapter: the effective sort, the query fingerprint, and
/// the decoded position to resume after.
#[derive(Debug, Clone)]
pub struct Keyset<F> {
    /// The effective sort (ending with the primary key).
    pub sort: Vec<Sort<F>>,
    /// The values of the sort keys of the last row seen, in `sort` order.
    pub after: Option<Vec<Value>>,
    /// At most this many rows.
    pub limit: u64,
    fingerprint: u64,
}

impl<F: Field> Keyset<F> {
    /// Validates a keyset request for `filter` and `sort` and decodes its cursor.
    ///
    /// # Errors
    /// `InvalidInput`: bad filter or limit; a nullable sort field (keyset windows need
    /// non-null keys); field `cursor` when the cursor is malformed or came from another query.
    pub fn plan(
        filter: &Filter<F>,
        sort: &[Sort<F>],
        request: &KeysetRequest,
    ) -> StoreResult<Self> {
        filter.validate()?;
        request.validate()?;
        let sort = effective_sort(sort);
        if let Some(key) = sort.iter().find(|k| k.field.nullable()) {
            return Err(StoreError::invalid(
                key.field.column(),
                Rule::Format("a non-nullable field to sort a keyset window by"),
            ));
        }
        let fingerprint = fingerprint(F::TABLE, filter, &sort);
        let after = match &request.after {
            None => None,
            Some(cursor) => Some(crate::cursor::decode(cursor, fingerprint, &sort)?),
        };
        Ok(Self {
            sort,
            after,
            limit: request.limit,
            fingerprint,
        })
    }

    /// Builds the window from up to `limit + 1` rows fetched in order after the position:
    /// keeps `limit` of them and makes the next cursor from the last kept row if more follow.
    pub fn window<R: Record<Field = F>>(&self, mut rows: Vec<R>) -> Window<R> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more {
            rows.last().map(|last| {
                let values: Vec<Value> = self.sort.iter().map(|k| last.get(k.field)).collect();
                crate::cursor::encode(self.fingerprint, &values)
            })
        } else {
            None
        };
        Window { items: rows, next }
    }
}

/// A stable 64-bit FNV-1a hash of the query shape, binding cursors to their query.
fn fingerprint<F: Field>(table: Table, filter: &Filter<F>, sort: &[Sort<F>]) -> u64 {
    let text = format!("{table:?}|{filter:?}|{sort:?}");
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
