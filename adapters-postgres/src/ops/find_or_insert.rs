//! `find_or_insert` on PostgreSQL: the ports' one mechanism
//! ([`containerpub_ports::find_or_insert_with`]) over this adapter's `find_one` and `insert`,
//! both on the handle's own connection (never a replica: the winner of a race must be seen).
//!
//! The insert runs in a savepoint of its own inside a transaction ([`crud::insert_isolated`]),
//! so losing a race (`Conflict` on the key: PostgreSQL's unique check waits for the other
//! inserting transaction to end) leaves the caller's transaction usable for the second read.

use containerpub_ports::{Found, KeyFilter, Query, StoreResult, find_or_insert_with};

use crate::conn::PgConn;
use crate::crud;
use crate::handle::Handle;
use crate::table::TableDef;
use crate::trace::Rows;

impl<T> Rows for Found<T> {
    fn rows(&self) -> u64 {
        1
    }
}

/// `find_or_insert(new, key)`.
pub(crate) async fn run<T, C>(
    h: &Handle<C>,
    new: T::New,
    key: T::Key,
) -> StoreResult<Found<T::Domain>>
where
    T: TableDef,
    T::New: KeyFilter<Field = T::Field, Key = T::Key>,
    C: PgConn,
{
    let filter = new.key_filter(key);
    find_or_insert_with(
        <T::New as KeyFilter>::unique_key(key),
        || crud::find_one::<T, C>(h, Query::filter(filter.clone())),
        crud::insert_isolated::<T, C>(h, new),
    )
    .await
}
