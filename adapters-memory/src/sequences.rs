//! The id sequences and what one write call draws from them: the per-table counters every
//! transaction shares ([`Sequences`]), a call's replayable view of them ([`CallSeq`]), and
//! [`Cx`], the values a write call stamps its rows with (that view and the call's instant).

use std::cell::RefCell;
use std::sync::atomic::{AtomicI64, Ordering};

use containerpub_domain::Timestamp;
use containerpub_ports::{StoreError, StoreResult, Table};

use crate::table::table_index;

/// The per-table sequences: shared by every transaction, never rolled back.
pub(crate) struct Sequences([AtomicI64; 9]);

impl Default for Sequences {
    fn default() -> Self {
        Self(std::array::from_fn(|_| AtomicI64::new(0)))
    }
}

impl Sequences {
    /// `nextval` of the table's id sequence (`SERIAL` tables stop at `i32::MAX`).
    pub(crate) fn next(&self, table: Table) -> StoreResult<i64> {
        let value = self.0[table_index(table)].fetch_add(1, Ordering::Relaxed) + 1;
        let max = match table {
            Table::FunctionLogs | Table::FunctionInvocations => i64::MAX,
            _ => i64::from(i32::MAX),
        };
        if value > max || value < 1 {
            return Err(StoreError::internal(format!(
                "the id sequence of {table} is exhausted"
            )));
        }
        Ok(value)
    }
}

/// The sequence values of one call. A call that waits for a lock is undone and run again;
/// the values its first runs took are handed out again, in the same order, so that it takes
/// each value once, as the PostgreSQL statement that waits half-way does.
pub(crate) struct CallSeq<'a> {
    shared: &'a Sequences,
    /// Per table: the values taken so far, and how many the current run has used.
    taken: RefCell<[(Vec<i64>, usize); 9]>,
}

impl<'a> CallSeq<'a> {
    /// A call's view of the sequences.
    pub(crate) fn new(shared: &'a Sequences) -> Self {
        Self {
            shared,
            taken: RefCell::new(std::array::from_fn(|_| (Vec::new(), 0))),
        }
    }

    /// `nextval`: the value the previous run took at this point, or a fresh one.
    pub(crate) fn next(&self, table: Table) -> StoreResult<i64> {
        let mut taken = self.taken.borrow_mut();
        let (values, used) = &mut taken[table_index(table)];
        if let Some(value) = values.get(*used) {
            *used += 1;
            return Ok(*value);
        }
        let value = self.shared.next(table)?;
        values.push(value);
        *used += 1;
        Ok(value)
    }

    /// Starts another run of the call.
    pub(crate) fn rewind(&self) {
        for (_, used) in self.taken.borrow_mut().iter_mut() {
            *used = 0;
        }
    }
}

/// What one write call runs with: the sequences and the instant it stamps rows with.
pub(crate) struct Cx<'a> {
    /// The sequences.
    pub seq: CallSeq<'a>,
    /// `clock.now()`, read once per call.
    pub now: Timestamp,
}
