//! `group_by` in memory: the reference definition of [`containerpub_ports::query::grouping`].

use std::collections::HashMap;

use containerpub_ports::query::grouping::{
    Aggregate, AggregateValue, Group, GroupOrder, GroupQuery, avg_value, sum_value,
};
use containerpub_ports::support::Record;
use containerpub_ports::{Direction, StoreResult, Value};

use crate::sql::{cmp_asc, cmp_directed};

fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Int(v) => Some(*v),
        _ => None,
    }
}

fn aggregate<R: Record>(
    rows: &[&R],
    aggregate: Aggregate<R::Field>,
) -> StoreResult<AggregateValue> {
    let values: Vec<i64> = rows
        .iter()
        .filter_map(|r| int(&r.get(aggregate.field())))
        .collect();
    let sum = || (!values.is_empty()).then(|| values.iter().map(|v| i128::from(*v)).sum::<i128>());
    Ok(match aggregate {
        Aggregate::Min(_) => {
            AggregateValue::Int(values.iter().min().map_or(Value::Null, |v| Value::Int(*v)))
        }
        Aggregate::Max(_) => {
            AggregateValue::Int(values.iter().max().map_or(Value::Null, |v| Value::Int(*v)))
        }
        Aggregate::Sum(_) => AggregateValue::Int(sum_value(sum())?),
        Aggregate::Avg(_) => avg_value(sum(), values.len() as u64)?,
    })
}

/// Groups `rows` (already filtered, in any order) as `query` says.
pub(crate) fn group<R: Record>(
    rows: &[R],
    query: &GroupQuery<R::Field>,
) -> StoreResult<Vec<Group>> {
    let mut order: Vec<Value> = Vec::new();
    let mut members: HashMap<Value, Vec<&R>> = HashMap::new();
    for row in rows {
        let key = row.get(query.by);
        members
            .entry(key.clone())
            .or_insert_with(|| {
                order.push(key);
                Vec::new()
            })
            .push(row);
    }
    let mut groups = Vec::with_capacity(order.len());
    for key in order {
        let rows = members.remove(&key).unwrap_or_default();
        let aggregates = query
            .aggregates
            .iter()
            .map(|a| aggregate(&rows, *a))
            .collect::<StoreResult<Vec<_>>>()?;
        groups.push(Group {
            key,
            count: rows.len() as u64,
            aggregates,
        });
    }
    groups.sort_by(|a, b| {
        let by_key = cmp_asc(&a.key, &b.key);
        match query.order {
            GroupOrder::KeyAsc => by_key,
            GroupOrder::KeyDesc => cmp_directed(&a.key, &b.key, Direction::Desc),
            GroupOrder::CountDesc => b.count.cmp(&a.count).then(by_key),
            GroupOrder::CountAsc => a.count.cmp(&b.count).then(by_key),
        }
    });
    if let Some(limit) = query.limit {
        groups.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    Ok(groups)
}
