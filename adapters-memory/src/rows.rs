//! One table's rows and the indexes kept in step with them, as persistent maps
//! ([`TableState`]): point lookups by id, uuid and unique key, children of a parent, event
//! rows by time, and the writes that keep every index up to date. Queries over them are
//! evaluated in [`scan`].

use std::ops::Bound;
use std::sync::Arc;

use containerpub_domain::{Timestamp, Uuid};
use containerpub_ports::{ForeignKey, UniqueKey};
use imbl::{OrdMap, OrdSet};

use crate::index::{ChildIndex, IndexKey, KeyIndex, UuidIndex, child_range};
use crate::table::TableDef;

mod scan;

pub(crate) use scan::Scan;

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

fn unique_pos<T: TableDef>(key: UniqueKey) -> Option<usize> {
    T::UNIQUES.iter().position(|k| *k == key)
}

fn fk_pos<T: TableDef>(fk: ForeignKey) -> Option<usize> {
    T::FKS.iter().position(|k| *k == fk)
}

fn child_key<T: TableDef>(row: &T::Row, fk: ForeignKey) -> Option<IndexKey> {
    T::fk_value(row, fk).or_else(|| (T::NULL_CHILDREN == Some(fk)).then_some(IndexKey::Null))
}

/// The row's uuid as the key of `by_uuid` (and of the hot index).
pub(crate) fn uuid_of<T: TableDef>(row: &T::Row) -> Option<u128> {
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

    /// How many rows, visible or not (tests).
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
