//! Index keys and the persistent index structures of a table.
//!
//! Every index is persistent (`imbl`): a write into a shared (snapshotted) index copies one
//! short path of nodes. Besides the uuid index (which holds the rows, for one-step lookups),
//! entries are plain numbers wherever possible (fingerprints, ids), so path copies do not
//! touch the rows themselves (whose reference counts live all over the heap).

use std::ops::Bound;
use std::sync::Arc;

use containerpub_domain::Uuid;
use containerpub_ports::Value;
use imbl::{OrdMap, OrdSet};

/// The value of an indexed column (or column pair). Text is shared (`Arc<str>`) so that the
/// path copies of a persistent map clone pointers, not strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum IndexKey {
    /// NULL (only in child indexes that also index rows without a parent).
    Null,
    /// An integer column.
    Int(i64),
    /// A uuid column.
    Uuid(Uuid),
    /// A text column.
    Text(Arc<str>),
    /// `(integer, text)`, e.g. `(user_id, name)`.
    IntText(i64, Arc<str>),
    /// `(integer, integer)`, e.g. `(function_id, version)`.
    IntInt(i64, i64),
}

impl IndexKey {
    /// The key an equality filter operand looks up.
    pub(crate) fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(i) => Some(IndexKey::Int(*i)),
            Value::Uuid(u) => Some(IndexKey::Uuid(*u)),
            Value::Text(s) => Some(IndexKey::Text(Arc::from(s.as_str()))),
            Value::Null | Value::Bool(_) | Value::Timestamp(_) => None,
        }
    }

    /// The key of a one-column index holding `value` (`None` for NULL and unindexed kinds).
    pub(crate) fn from_owned(value: Value) -> Option<Self> {
        match value {
            Value::Text(s) => Some(IndexKey::Text(Arc::from(s))),
            other => Self::from_value(&other),
        }
    }

    /// The key of a two-column index holding `(a, b)`: `(integer, text)` or
    /// `(integer, integer)`; `None` otherwise (NULL included).
    pub(crate) fn pair(a: Value, b: Value) -> Option<Self> {
        match (a, b) {
            (Value::Int(a), Value::Text(b)) => Some(IndexKey::IntText(a, Arc::from(b))),
            (Value::Int(a), Value::Int(b)) => Some(IndexKey::IntInt(a, b)),
            _ => None,
        }
    }

    /// A text key.
    pub(crate) fn text(s: &str) -> Self {
        IndexKey::Text(Arc::from(s))
    }

    /// Whether [`IndexKey::fingerprint`] tells keys of one kind apart exactly (everything but
    /// text, which is hashed).
    pub(crate) fn fingerprint_is_exact(&self) -> bool {
        !matches!(self, IndexKey::Text(_) | IndexKey::IntText(..))
    }

    /// A 128-bit fingerprint ordering the hashed indexes: exact for integers and uuids, a
    /// 64-bit hash for text (equal fingerprints are told apart by the key itself).
    fn fingerprint(&self) -> u128 {
        // Two's-complement bits of an i64, as an unsigned number (a bijection).
        let bits = |i: i64| u128::from(i.cast_unsigned());
        match self {
            IndexKey::Null => 0,
            IndexKey::Int(i) => bits(*i),
            IndexKey::Uuid(u) => u.as_u128(),
            IndexKey::Text(s) => u128::from(hash64(s)),
            IndexKey::IntText(i, s) => (bits(*i) << 64) | u128::from(hash64(s)),
            IndexKey::IntInt(a, b) => (bits(*a) << 64) | bits(*b),
        }
    }
}

/// A fast, deterministic 64-bit hash of text (a multiply–rotate mix, eight bytes at a time).
/// Collisions only cost one key comparison.
fn hash64(s: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let bytes = s.as_bytes();
    let mut hash = (bytes.len() as u64).wrapping_mul(K);
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    hash ^ (hash >> 29)
}

/// The hasher of the uuid indexes: uuids are already random, so a seeded multiply–xor fold
/// of their 128 bits spreads them well (the per-process seed keeps crafted uuids from
/// piling up in one bucket).
#[derive(Clone, Copy)]
pub(crate) struct UuidHasherBuilder {
    seed: u64,
}

impl Default for UuidHasherBuilder {
    fn default() -> Self {
        use std::sync::OnceLock;
        static SEED: OnceLock<u64> = OnceLock::new();
        let seed = *SEED.get_or_init(|| {
            use std::hash::BuildHasher;
            std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64)
        });
        Self { seed }
    }
}

impl std::hash::BuildHasher for UuidHasherBuilder {
    type Hasher = UuidHasher;
    fn build_hasher(&self) -> UuidHasher {
        UuidHasher(self.seed)
    }
}

/// See [`UuidHasherBuilder`].
pub(crate) struct UuidHasher(u64);

impl std::hash::Hasher for UuidHasher {
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 32)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(23) ^ i).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_u128(&mut self, i: u128) {
        // Truncations on purpose: the two halves.
        #[allow(clippy::cast_possible_truncation)]
        {
            self.write_u64(i as u64);
            self.write_u64((i >> 64) as u64);
        }
    }
}

/// uuid (as `u128`) → row: a persistent hash trie, so `find_by_uuid` is one short walk
/// (the hottest read of the stores).
pub(crate) type UuidIndex<R> =
    imbl::GenericHashMap<u128, Arc<R>, UuidHasherBuilder, imbl::shared_ptr::DefaultSharedPtr>;

/// The ids under one fingerprint of a hashed index: almost always one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// One id.
    One(i64),
    /// Several ids (different text values whose hashes collide).
    Many(Arc<[i64]>),
}

/// A unique index other than the uuid one. Entries are plain numbers wherever possible: a
/// path copy then copies memory without touching the rows (whose reference counts live in
/// random places of the heap).
#[derive(Clone)]
pub(crate) enum KeyIndex {
    /// Fingerprint → ids, to be confirmed against their rows (a text fingerprint is a hash).
    Hashed(OrdMap<u128, Slot>),
    /// Key → id, ordered by the key: point lookups and ranges (live repository paths,
    /// scanned by prefix for subtrees).
    Ordered(OrdMap<IndexKey, i64>),
}

impl KeyIndex {
    /// The ids that may hold `key` (exact for an ordered index; to be confirmed against the
    /// rows for a hashed one).
    pub(crate) fn candidates(&self, key: &IndexKey) -> Vec<i64> {
        match self {
            KeyIndex::Hashed(map) => match map.get(&key.fingerprint()) {
                None => Vec::new(),
                Some(Slot::One(id)) => vec![*id],
                Some(Slot::Many(ids)) => ids.to_vec(),
            },
            KeyIndex::Ordered(map) => map.get(key).copied().into_iter().collect(),
        }
    }

    /// Whether the index is exact (no confirmation needed).
    pub(crate) fn is_exact(&self) -> bool {
        matches!(self, KeyIndex::Ordered(_))
    }

    pub(crate) fn insert(&mut self, key: IndexKey, id: i64) {
        match self {
            KeyIndex::Hashed(map) => {
                let fp = key.fingerprint();
                let slot = match map.get(&fp) {
                    None => Slot::One(id),
                    Some(Slot::One(other)) => Slot::Many(Arc::from([*other, id])),
                    Some(Slot::Many(ids)) => Slot::Many(ids.iter().copied().chain([id]).collect()),
                };
                map.insert(fp, slot);
            }
            KeyIndex::Ordered(map) => {
                map.insert(key, id);
            }
        }
    }

    pub(crate) fn remove(&mut self, key: &IndexKey, id: i64) {
        match self {
            KeyIndex::Hashed(map) => {
                let fp = key.fingerprint();
                let slot = match map.get(&fp) {
                    Some(Slot::One(other)) if *other == id => None,
                    Some(Slot::Many(ids)) => {
                        let rest: Vec<i64> = ids.iter().copied().filter(|i| *i != id).collect();
                        match rest.as_slice() {
                            [] => None,
                            [one] => Some(Slot::One(*one)),
                            _ => Some(Slot::Many(Arc::from(rest))),
                        }
                    }
                    _ => return,
                };
                match slot {
                    Some(slot) => {
                        map.insert(fp, slot);
                    }
                    None => {
                        map.remove(&fp);
                    }
                }
            }
            KeyIndex::Ordered(map) => {
                if map.get(key) == Some(&id) {
                    map.remove(key);
                }
            }
        }
    }

    /// Ids of the keys in `[from, to)`, in key order (ordered indexes only; empty otherwise).
    pub(crate) fn range(&self, from: IndexKey, to: IndexKey) -> Vec<i64> {
        match self {
            KeyIndex::Ordered(map) if from < to => map
                .range((Bound::Included(from), Bound::Excluded(to)))
                .map(|(_, id)| *id)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A child index of one foreign key: `(parent key, child id)` pairs, so the children of one
/// parent are a range, in id order.
pub(crate) type ChildIndex = OrdSet<(IndexKey, i64)>;

/// The `(parent, id)` range of `parent`'s children with ids in `(after, before)` (exclusive
/// bounds; `None` = unbounded).
pub(crate) fn child_range<'a>(
    index: &'a ChildIndex,
    parent: &IndexKey,
    after: Option<i64>,
    before: Option<i64>,
) -> impl DoubleEndedIterator<Item = i64> + use<'a> {
    let lo = match after {
        Some(a) => Bound::Excluded((parent.clone(), a)),
        None => Bound::Included((parent.clone(), i64::MIN)),
    };
    let hi = match before {
        Some(b) => Bound::Excluded((parent.clone(), b)),
        None => Bound::Included((parent.clone(), i64::MAX)),
    };
    let empty = match (after, before) {
        (Some(a), Some(b)) => a >= b,
        _ => false,
    };
    let range = if empty {
        None
    } else {
        Some(index.range((lo, hi)).map(|(_, id)| *id))
    };
    range.into_iter().flatten()
}
