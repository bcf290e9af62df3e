//! One table's rows and indexes, as persistent maps, and the generic query evaluation over
//! them (candidate narrowing through indexes, filters, ordering, offsets and keyset bounds).

use std::cmp::Ordering;
use std::ops::Bound;
use std::sync::Arc;

use containerpub_domain::{Timestamp, Uuid};
use containerpub_ports::{CmpOp, Direction, Field, Filter, ForeignKey, Sort, UniqueKey, Value};
use imbl::{OrdMap, OrdSet};

use crate::index::{ChildIndex, IndexKey, KeyIndex, UuidIndex, child_range};
use crate::sql;
use crate::table::{Lookup, TableDef};

/// The most unique keys one table has (`function_deployments`).
const MAX_UNIQUES: usize = 3;
/// The most foreign keys one table has (`functions`, `organization_members`).
const MAX_FKS: usize = 2;

/// The rows of one table and every index the engine keeps on them. Cloning is O(1): every
/// field is a persistent map sharing structure with its clones.
pub(crate) struct TableState<T: TableDef> {
    /// id → row, in id order.
    rows: OrdMap<i64, Arc<T::Row>>,
    /// uuid → row (the uuid key's index holds the rows themselves: a lookup by uuid is one
    /// hash-trie walk).
    by_uuid: UuidIndex<T::Row>,
    /// One index per other unique key, parallel to `T::UNIQUES` (the uuid key's slot stays
    /// empty; partial keys hold only the rows where their predicate holds).
    uniques: [KeyIndex; MAX_UNIQUES],
    /// One child index per foreign key, parallel to `T::FKS`.
    children: [ChildIndex; MAX_FKS],
    /// `(function_id, timestamp, id)` of event rows (logs, invocations).
    by_function_time: OrdSet<(i64, Timestamp, i64)>,
    /// `(timestamp, id)` of event rows (retention).
    by_time: OrdSet<(Timestamp, i64)>,
}

impl<T: TableDef> Clone for TableState<T> {
    fn clone(&self) -> Self {
        Self {
            rows: self.rows.clone(),
            by_uuid: self.by_uuid.clone(),
            uniques: self.uniques.clone(),
            children: self.children.clone(),
            by_function_time: self.by_function_time.clone(),
            by_time: self.by_time.clone(),
        }
    }
}

impl<T: TableDef> Default for TableState<T> {
    fn default() -> Self {
        Self {
            rows: OrdMap::new(),
            by_uuid: UuidIndex::default(),
            uniques: std::array::from_fn(|i| {
                if T::ORDERED_UNIQUE.is_some() && T::UNIQUES.get(i).copied() == T::ORDERED_UNIQUE {
                    KeyIndex::Ordered(OrdMap::new())
                } else {
                    KeyIndex::Hashed(OrdMap::new())
                }
            }),
            children: std::array::from_fn(|_| ChildIndex::new()),
            by_function_time: OrdSet::new(),
            by_time: OrdSet::new(),
        }
    }
}

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

fn unique_pos<T: TableDef>(key: UniqueKey) -> Option<usize> {
    T::UNIQUES.iter().position(|k| *k == key)
}

fn fk_pos<T: TableDef>(fk: ForeignKey) -> Option<usize> {
    T::FKS.iter().position(|k| *k == fk)
}

fn child_key<T: TableDef>(row: &T::Row, fk: ForeignKey) -> Option<IndexKey> {
    T::fk_value(row, fk).or_else(|| (T::NULL_CHILDREN == Some(fk)).then_some(IndexKey::Null))
}

/// The row's uuid as the `by_uuid` key.
fn uuid_of<T: TableDef>(row: &T::Row) -> Option<u128> {
    match T::UUID_KEY.and_then(|key| T::unique_value(row, key)) {
        Some(IndexKey::Uuid(uuid)) => Some(uuid.as_u128()),
        _ => None,
    }
}

impl<T: TableDef> TableState<T> {
    /// The row with this id, visible or not.
    pub(crate) fn get(&self, id: i64) -> Option<&Arc<T::Row>> {
        self.rows.get(&id)
    }

    /// The row with this id if reads see it.
    pub(crate) fn get_visible(&self, id: i64) -> Option<&Arc<T::Row>> {
        self.rows.get(&id).filter(|row| T::visible(row))
    }

    /// The row with this uuid, visible or not.
    pub(crate) fn get_by_uuid(&self, uuid: &Uuid) -> Option<&Arc<T::Row>> {
        self.by_uuid.get(&uuid.as_u128())
    }

    /// The id of the row holding `value` of a unique key.
    pub(crate) fn unique_get(&self, key: UniqueKey, value: &IndexKey) -> Option<i64> {
        if Some(key) == T::UUID_KEY {
            return match value {
                IndexKey::Uuid(uuid) => self.by_uuid.get(&uuid.as_u128()).map(|r| T::id(r)),
                _ => None,
            };
        }
        let index = &self.uniques[unique_pos::<T>(key)?];
        let exact = index.is_exact() || value.fingerprint_is_exact();
        index.candidates(value).into_iter().find(|id| {
            exact
                || self
                    .rows
                    .get(id)
                    .is_some_and(|row| T::unique_value(row, key).as_ref() == Some(value))
        })
    }

    /// Ids held by an ordered unique index in `[from, to)`, in key order.
    pub(crate) fn unique_range(&self, key: UniqueKey, from: IndexKey, to: IndexKey) -> Vec<i64> {
        unique_pos::<T>(key).map_or_else(Vec::new, |i| self.uniques[i].range(from, to))
    }

    /// The ids of the rows whose foreign key `fk` holds `parent`, in id order.
    pub(crate) fn children_of(&self, fk: ForeignKey, parent: &IndexKey) -> Vec<i64> {
        fk_pos::<T>(fk).map_or_else(Vec::new, |i| {
            child_range(&self.children[i], parent, None, None).collect()
        })
    }

    /// How many rows reference `parent` through `fk`.
    pub(crate) fn children_count(&self, fk: ForeignKey, parent: &IndexKey) -> usize {
        fk_pos::<T>(fk).map_or(0, |i| {
            child_range(&self.children[i], parent, None, None).count()
        })
    }

    /// Ids of the event rows of `function` with `timestamp >= since`, in time order.
    pub(crate) fn function_events_since(&self, function: i64, since: Timestamp) -> Vec<i64> {
        self.by_function_time
            .range((
                Bound::Included((function, since, i64::MIN)),
                Bound::Included((function, Timestamp::MAX, i64::MAX)),
            ))
            .map(|(_, _, id)| *id)
            .collect()
    }

    /// Ids of the event rows with `timestamp < cutoff`.
    pub(crate) fn events_before(&self, cutoff: Timestamp) -> Vec<i64> {
        self.by_time
            .range((Bound::Unbounded, Bound::Excluded((cutoff, i64::MIN))))
            .map(|(_, id)| *id)
            .collect()
    }

    /// The first unique key (declaration order) whose value in `row` another row holds.
    pub(crate) fn unique_conflict(&self, row: &T::Row) -> Option<UniqueKey> {
        let id = T::id(row);
        T::UNIQUES.iter().find_map(|key| {
            let value = T::unique_value(row, *key)?;
            match self.unique_get(*key, &value) {
                Some(holder) if holder != id => Some(*key),
                _ => None,
            }
        })
    }

    /// Inserts or replaces a row, keeping every index in step (only the entries whose key
    /// changed are touched, and the uuid index, which holds the row itself). Uniqueness must
    /// have been checked.
    pub(crate) fn put(&mut self, row: Arc<T::Row>) -> Option<Arc<T::Row>> {
        let id = T::id(&row);
        let old = self.rows.insert(id, Arc::clone(&row));
        let old_uuid = old.as_ref().and_then(|o| uuid_of::<T>(o));
        let new_uuid = uuid_of::<T>(&row);
        if old_uuid != new_uuid
            && let Some(old_uuid) = old_uuid
            && self.by_uuid.get(&old_uuid).is_some_and(|r| T::id(r) == id)
        {
            self.by_uuid.remove(&old_uuid);
        }
        if let Some(uuid) = new_uuid {
            self.by_uuid.insert(uuid, Arc::clone(&row));
        }
        for (i, key) in T::UNIQUES.iter().enumerate() {
            if Some(*key) == T::UUID_KEY {
                continue;
            }
            let new_value = T::unique_value(&row, *key);
            let old_value = old.as_ref().and_then(|o| T::unique_value(o, *key));
            if new_value != old_value {
                if let Some(old_value) = old_value {
                    self.uniques[i].remove(&old_value, id);
                }
                if let Some(new_value) = new_value {
                    self.uniques[i].insert(new_value, id);
                }
            }
        }
        for (i, fk) in T::FKS.iter().enumerate() {
            let new_key = child_key::<T>(&row, *fk);
            let old_key = old.as_ref().and_then(|o| child_key::<T>(o, *fk));
            if new_key != old_key {
                if let Some(old_key) = old_key {
                    self.children[i].remove(&(old_key, id));
                }
                if let Some(new_key) = new_key {
                    self.children[i].insert((new_key, id));
                }
            }
        }
        let new_time = T::time_key(&row);
        let old_time = old.as_ref().and_then(|o| T::time_key(o));
        if new_time != old_time {
            if let Some((function, at)) = old_time {
                self.by_function_time.remove(&(function, at, id));
                self.by_time.remove(&(at, id));
            }
            if let Some((function, at)) = new_time {
                self.by_function_time.insert((function, at, id));
                self.by_time.insert((at, id));
            }
        }
        old
    }

    /// Removes a row and its index entries.
    pub(crate) fn remove(&mut self, id: i64) -> Option<Arc<T::Row>> {
        let old = self.rows.remove(&id)?;
        if let Some(uuid) = uuid_of::<T>(&old)
            && self.by_uuid.get(&uuid).is_some_and(|r| T::id(r) == id)
        {
            self.by_uuid.remove(&uuid);
        }
        for (i, key) in T::UNIQUES.iter().enumerate() {
            if Some(*key) == T::UUID_KEY {
                continue;
            }
            if let Some(value) = T::unique_value(&old, *key) {
                self.uniques[i].remove(&value, id);
            }
        }
        for (i, fk) in T::FKS.iter().enumerate() {
            if let Some(key) = child_key::<T>(&old, *fk) {
                self.children[i].remove(&(key, id));
            }
        }
        if let Some((function, at)) = T::time_key(&old) {
            self.by_function_time.remove(&(function, at, id));
            self.by_time.remove(&(at, id));
        }
        Some(old)
    }

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

    /// Every row, in id order (merges walk it only for touched ids; tests use it).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Every row, in id order (tests).
    #[cfg(test)]
    pub(crate) fn rows(&self) -> impl Iterator<Item = &Arc<T::Row>> {
        self.rows.values()
    }

    /// Whether `other` shares this table's row map (structural sharing, for tests).
    #[cfg(test)]
    pub(crate) fn shares_rows_with(&self, other: &Self) -> bool {
        self.rows.ptr_eq(&other.rows)
    }
}
