//! Query evaluation over one table's rows ([`Scan`]): the candidates an equality narrows a
//! scan to through an index, the event tables' time-ordered fast path, then filters (SQL
//! three-valued logic), ordering, keyset bounds, offsets and limits; counting and existence.

use std::cmp::Ordering;
use std::ops::Bound;
use std::sync::Arc;

use containerpub_domain::Timestamp;
use containerpub_ports::{CmpOp, Direction, Field, Filter, Sort, Value};

use super::{TableState, fk_pos};
use crate::index::{ChildIndex, IndexKey, child_range};
use crate::sql;
use crate::table::{Lookup, TableDef};

/// What to read: a filter, the effective sort, a keyset position, an offset and a limit.
pub(crate) struct Scan<'a, F> {
    /// Which rows.
    pub filter: &'a Filter<F>,
    /// The effective sort (ends with the primary key).
    pub sort: &'a [Sort<F>],
    /// Only rows strictly after these sort-key values.
    pub after: Option<&'a [Value]>,
    /// Rows to skip.
    pub skip: usize,
    /// Rows to return at most.
    pub take: usize,
}

/// The candidate rows an equality conjunct narrows a scan to.
enum Narrow<'a> {
    /// No usable index: every row.
    All,
    /// A primary or unique key: at most one row.
    One(Option<i64>),
    /// A child index: the children of one parent.
    Children(&'a ChildIndex, IndexKey),
}

impl<T: TableDef> TableState<T> {
    /// The candidate set of the first equality conjunct of `filter` answered by a key
    /// (preferred) or a child index.
    fn narrow(&self, filter: &Filter<T::Field>) -> Narrow<'_> {
        let mut best = Narrow::All;
        for conjunct in sql::conjuncts(filter) {
            let Filter::Cmp {
                field,
                op: CmpOp::Eq,
                value,
            } = conjunct
            else {
                continue;
            };
            let Some(lookup) = T::lookup(*field) else {
                continue;
            };
            match lookup {
                Lookup::Id => {
                    if let Value::Int(id) = value {
                        return Narrow::One(Some(*id));
                    }
                }
                Lookup::Unique(key) => {
                    if let Some(k) = IndexKey::from_value(value) {
                        return Narrow::One(self.unique_get(key, &k));
                    }
                }
                Lookup::Child(fk) => {
                    if let (Narrow::All, Some(i), Some(k)) =
                        (&best, fk_pos::<T>(fk), IndexKey::from_value(value))
                    {
                        best = Narrow::Children(&self.children[i], k);
                    }
                }
            }
        }
        best
    }

    /// Candidate ids for `filter` in id order (`direction`), strictly after `after`.
    fn candidates<'s>(
        &'s self,
        filter: &Filter<T::Field>,
        direction: Direction,
        after: Option<i64>,
    ) -> Box<dyn Iterator<Item = i64> + 's> {
        match self.narrow(filter) {
            Narrow::All => match (direction, after) {
                (Direction::Asc, None) => Box::new(self.rows.keys().copied()),
                (Direction::Asc, Some(a)) => Box::new(
                    self.rows
                        .range((Bound::Excluded(a), Bound::Unbounded))
                        .map(|(id, _)| *id),
                ),
                (Direction::Desc, None) => Box::new(self.rows.keys().rev().copied()),
                (Direction::Desc, Some(a)) => Box::new(
                    self.rows
                        .range((Bound::Unbounded, Bound::Excluded(a)))
                        .rev()
                        .map(|(id, _)| *id),
                ),
            },
            Narrow::One(id) => {
                Box::new(id.into_iter().filter(move |id| match (direction, after) {
                    (_, None) => true,
                    (Direction::Asc, Some(a)) => *id > a,
                    (Direction::Desc, Some(a)) => *id < a,
                }))
            }
            Narrow::Children(index, parent) => match direction {
                Direction::Asc => Box::new(child_range(index, &parent, after, None)),
                Direction::Desc => Box::new(child_range(index, &parent, None, after).rev()),
            },
        }
    }

    /// Event-table fast path: rows of one function in `(timestamp, id)` order, both keys in
    /// the same direction, read straight from the time index within the filter's time bounds.
    fn time_ordered<'s>(
        &'s self,
        scan: &Scan<'_, T::Field>,
    ) -> Option<Box<dyn Iterator<Item = i64> + 's>> {
        let (function_field, time_field) = T::TIME_FIELDS?;
        let [first, second] = scan.sort else {
            return None;
        };
        if first.field != time_field
            || second.field != T::Field::ID
            || first.direction != second.direction
        {
            return None;
        }
        let conjuncts = sql::conjuncts(scan.filter);
        let function = conjuncts.iter().find_map(|c| match c {
            Filter::Cmp {
                field,
                op: CmpOp::Eq,
                value: Value::Int(id),
            } if *field == function_field => Some(*id),
            _ => None,
        })?;
        // Inclusive bounds that contain every matching row (the filter is still applied).
        let mut lo = (function, Timestamp::MIN, i64::MIN);
        let mut hi = (function, Timestamp::MAX, i64::MAX);
        for conjunct in &conjuncts {
            if let Filter::Cmp {
                field,
                op,
                value: Value::Timestamp(at),
            } = conjunct
            {
                if *field != time_field {
                    continue;
                }
                match op {
                    CmpOp::Eq => {
                        lo = lo.max((function, *at, i64::MIN));
                        hi = hi.min((function, *at, i64::MAX));
                    }
                    CmpOp::Gt | CmpOp::Ge => lo = lo.max((function, *at, i64::MIN)),
                    CmpOp::Lt | CmpOp::Le => hi = hi.min((function, *at, i64::MAX)),
                    CmpOp::Ne => {}
                }
            }
        }
        if let Some([Value::Timestamp(at), Value::Int(id)]) = scan.after {
            match first.direction {
                Direction::Asc => lo = lo.max((function, *at, *id)),
                Direction::Desc => hi = hi.min((function, *at, *id)),
            }
        }
        if lo > hi {
            return Some(Box::new(std::iter::empty()));
        }
        let range = self
            .by_function_time
            .range((Bound::Included(lo), Bound::Included(hi)))
            .map(|(_, _, id)| *id);
        Some(match first.direction {
            Direction::Asc => Box::new(range),
            Direction::Desc => Box::new(range.rev()),
        })
    }

    /// Whether `row` lies strictly after the scan's keyset position.
    fn after_position(row: &T::Row, scan: &Scan<'_, T::Field>) -> bool {
        scan.after.is_none_or(|after| {
            sql::cmp_keys(&sql::sort_key(row, scan.sort), after, scan.sort) == Ordering::Greater
        })
    }

    /// Reads visible matching rows from ids already in the scan's order.
    fn collect_ordered(
        &self,
        ids: impl Iterator<Item = i64>,
        scan: &Scan<'_, T::Field>,
        check_after: bool,
    ) -> Vec<Arc<T::Row>> {
        let mut out = Vec::new();
        let mut skip = scan.skip;
        for id in ids {
            let Some(row) = self.rows.get(&id) else {
                continue;
            };
            if !T::visible(row) || !sql::matches(scan.filter, row.as_ref()) {
                continue;
            }
            if check_after && !Self::after_position(row, scan) {
                continue;
            }
            if skip > 0 {
                skip -= 1;
                continue;
            }
            out.push(Arc::clone(row));
            if out.len() >= scan.take {
                break;
            }
        }
        out
    }

    /// The visible rows matching the scan, in its order, after its position, offset and
    /// limit applied.
    pub(crate) fn select(&self, scan: &Scan<'_, T::Field>) -> Vec<Arc<T::Row>> {
        if scan.take == 0 {
            return Vec::new();
        }
        // Ordered by id alone: walk the candidates in id order and stop early.
        if let [only] = scan.sort
            && only.field == T::Field::ID
        {
            let after = match scan.after {
                Some([Value::Int(id)]) => Some(*id),
                _ => None,
            };
            let ids = self.candidates(scan.filter, only.direction, after);
            return self.collect_ordered(ids, scan, false);
        }
        if let Some(ids) = self.time_ordered(scan) {
            return self.collect_ordered(ids, scan, true);
        }
        // Any other order: collect the matching rows with their keys, keep the first
        // `skip + take` by partial selection, sort those.
        let mut keyed: Vec<(Vec<Value>, &Arc<T::Row>)> = Vec::new();
        for id in self.candidates(scan.filter, Direction::Asc, None) {
            let Some(row) = self.rows.get(&id) else {
                continue;
            };
            if !T::visible(row) || !sql::matches(scan.filter, row.as_ref()) {
                continue;
            }
            let key = sql::sort_key(row.as_ref(), scan.sort);
            if let Some(after) = scan.after
                && sql::cmp_keys(&key, after, scan.sort) != Ordering::Greater
            {
                continue;
            }
            keyed.push((key, row));
        }
        let order = |a: &(Vec<Value>, &Arc<T::Row>), b: &(Vec<Value>, &Arc<T::Row>)| {
            sql::cmp_keys(&a.0, &b.0, scan.sort)
        };
        let need = scan.skip.saturating_add(scan.take);
        if need < keyed.len() {
            keyed.select_nth_unstable_by(need, order);
            keyed.truncate(need);
        }
        keyed.sort_unstable_by(order);
        keyed
            .into_iter()
            .skip(scan.skip)
            .take(scan.take)
            .map(|(_, row)| Arc::clone(row))
            .collect()
    }

    /// How many visible rows match `filter`.
    pub(crate) fn count(&self, filter: &Filter<T::Field>) -> u64 {
        let mut n = 0u64;
        for id in self.candidates(filter, Direction::Asc, None) {
            if let Some(row) = self.rows.get(&id)
                && T::visible(row)
                && sql::matches(filter, row.as_ref())
            {
                n += 1;
            }
        }
        n
    }

    /// Whether some visible row matches `filter`.
    pub(crate) fn any(&self, filter: &Filter<T::Field>) -> bool {
        self.candidates(filter, Direction::Asc, None).any(|id| {
            self.rows
                .get(&id)
                .is_some_and(|row| T::visible(row) && sql::matches(filter, row.as_ref()))
        })
    }
}
