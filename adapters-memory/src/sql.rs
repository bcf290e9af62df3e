//! SQL semantics over [`Value`]s, written once: ordering (`COLLATE "C"`, NULL placement) and
//! three-valued filter evaluation.

use std::cmp::Ordering;

use containerpub_ports::support::Record;
use containerpub_ports::{CmpOp, Direction, Filter, Sort, Value};

/// Rank of a value's kind, only used to keep the order total if kinds ever differ (validated
/// queries never compare different kinds).
fn kind_rank(value: &Value) -> u8 {
    match value {
        Value::Bool(_) => 0,
        Value::Int(_) => 1,
        Value::Text(_) => 2,
        Value::Uuid(_) => 3,
        Value::Timestamp(_) => 4,
        Value::Null => 5,
    }
}

/// Compares two non-NULL values of the same kind as PostgreSQL does: text by bytes
/// (`COLLATE "C"`, which is Rust's `str` order), integers numerically, uuids by their 16 bytes,
/// `false < true`, timestamps chronologically. `None` for NULLs or different kinds.
pub(crate) fn cmp_non_null(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Value::Uuid(x), Value::Uuid(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Value::Timestamp(x), Value::Timestamp(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// `ORDER BY … ASC` order: NULLs last. (`Value`'s derived `Ord` puts `Null` first, which is
/// not PostgreSQL's default, so it is never used for sorting.)
pub(crate) fn cmp_asc(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        _ => cmp_non_null(a, b).unwrap_or_else(|| kind_rank(a).cmp(&kind_rank(b))),
    }
}

/// One sort key's order: ASC puts NULLs last, DESC (the exact reverse) puts them first.
pub(crate) fn cmp_directed(a: &Value, b: &Value, direction: Direction) -> Ordering {
    match direction {
        Direction::Asc => cmp_asc(a, b),
        Direction::Desc => cmp_asc(b, a),
    }
}

/// Compares two rows' sort-key values under `sort`.
pub(crate) fn cmp_keys<F>(a: &[Value], b: &[Value], sort: &[Sort<F>]) -> Ordering {
    for ((x, y), key) in a.iter().zip(b).zip(sort) {
        let order = cmp_directed(x, y, key.direction);
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// The values of `row` for the fields of `sort`, in order.
pub(crate) fn sort_key<R: Record>(row: &R, sort: &[Sort<R::Field>]) -> Vec<Value> {
    sort.iter().map(|key| row.get(key.field)).collect()
}

/// Evaluates `filter` on `row` with SQL three-valued logic: `Some(true)`, `Some(false)` or
/// `None` (unknown).
pub(crate) fn eval<R: Record>(filter: &Filter<R::Field>, row: &R) -> Option<bool> {
    match filter {
        Filter::All => Some(true),
        Filter::Cmp { field, op, value } => {
            let actual = row.get(*field);
            let order = cmp_non_null(&actual, value)?;
            Some(match op {
                CmpOp::Eq => order == Ordering::Equal,
                CmpOp::Ne => order != Ordering::Equal,
                CmpOp::Lt => order == Ordering::Less,
                CmpOp::Le => order != Ordering::Greater,
                CmpOp::Gt => order == Ordering::Greater,
                CmpOp::Ge => order != Ordering::Less,
            })
        }
        Filter::In { field, values } => {
            // `x IN ()` is false whatever x is (even NULL).
            if values.is_empty() {
                return Some(false);
            }
            let actual = row.get(*field);
            if actual == Value::Null {
                return None;
            }
            Some(
                values
                    .iter()
                    .any(|v| cmp_non_null(&actual, v) == Some(Ordering::Equal)),
            )
        }
        Filter::IsNull(field) => Some(row.get(*field) == Value::Null),
        Filter::IsNotNull(field) => Some(row.get(*field) != Value::Null),
        Filter::Contains { field, text } => match row.get(*field) {
            Value::Text(actual) => Some(actual.contains(text.as_str())),
            _ => None,
        },
        Filter::StartsWith { field, text } => match row.get(*field) {
            Value::Text(actual) => Some(actual.starts_with(text.as_str())),
            _ => None,
        },
        Filter::TextCi { field, op, text } => match row.get(*field) {
            Value::Text(actual) => Some(containerpub_ports::query::ci::text_matches_ci(
                *op, &actual, text,
            )),
            _ => None,
        },
        Filter::And(items) => {
            let mut unknown = false;
            for item in items {
                match eval(item, row) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown { None } else { Some(true) }
        }
        Filter::Or(items) => {
            let mut unknown = false;
            for item in items {
                match eval(item, row) {
                    Some(true) => return Some(true),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown { None } else { Some(false) }
        }
        Filter::Not(inner) => eval(inner, row).map(|b| !b),
    }
}

/// Whether `row` matches `filter` (only `true` matches; unknown does not).
pub(crate) fn matches<R: Record>(filter: &Filter<R::Field>, row: &R) -> bool {
    eval(filter, row) == Some(true)
}

/// The top-level conjuncts of a filter (the filter itself, or the items of nested `And`s).
pub(crate) fn conjuncts<F>(filter: &Filter<F>) -> Vec<&Filter<F>> {
    let mut out = Vec::new();
    let mut stack = vec![filter];
    while let Some(f) = stack.pop() {
        match f {
            Filter::And(items) => stack.extend(items.iter().rev()),
            other => out.push(other),
        }
    }
    out
}
