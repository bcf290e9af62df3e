//! Stored JSON written in the key order PostgreSQL's `jsonb` gives it.
//!
//! The Dart backend sends a `jsonb` column (`functions.analysis_result`) as PostgreSQL prints
//! it: `jsonb` keeps no key order of its own and prints an object's keys shortest first, keys
//! of one length in byte order. `serde_json` keeps objects sorted by bytes, so
//! `{"warnings": …, "id": …}` would come out `id`, `warnings` either way but `{"b": …, "aa": …}`
//! would not. [`serialize`] writes every object, at any depth, in `jsonb`'s order.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// A JSON value serialized with `jsonb`'s key order.
struct Jsonb<'a>(&'a Value);

impl Serialize for Jsonb<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
                let mut out = serializer.serialize_map(Some(keys.len()))?;
                for key in keys {
                    out.serialize_entry(key, &Jsonb(&map[key]))?;
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Jsonb(item))?;
                }
                out.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}

/// `serialize_with` for an optional stored JSON value: `jsonb`'s key order at every depth.
///
/// # Errors
/// Those of the serializer.
pub fn serialize<S: Serializer>(value: &Option<Value>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.serialize_some(&Jsonb(value)),
        None => serializer.serialize_none(),
    }
}
