//! `group_by` on PostgreSQL: one statement,
//! `SELECT <by> AS p0, count(*) AS n, <aggregates> FROM … WHERE <filter> GROUP BY <by>
//! ORDER BY … LIMIT $n`. Sums are read exactly (`sum(…)::numeric::text`) and averages are
//! computed in Rust from the exact sum and `count(<field>)`, so both adapters agree to the
//! last bit (see [`containerpub_ports::query::grouping`]).

use containerpub_ports::query::grouping::{
    Aggregate, AggregateValue, Group, GroupOrder, GroupQuery, avg_value, sum_value,
};
use containerpub_ports::{Field, StoreError, StoreResult, Value, ValueKind};
use sea_orm::QueryResult;
use sea_orm::sea_query::{Expr, NullOrdering, Order, SelectStatement};

use crate::conn::PgConn;
use crate::crud::scalar;
use crate::error::{Op, map_db_err};
use crate::handle::Handle;
use crate::ops::projection::value_of;
use crate::sql::{col, collate_c, select_where};
use crate::table::TableDef;

/// The statement of a validated query.
pub(crate) fn statement<T: TableDef>(query: &GroupQuery<T::Field>) -> SelectStatement {
    let mut stmt = select_where::<T>(&query.filter);
    stmt.clear_selects();
    let key = col::<T>(query.by);
    stmt.expr_as(key.clone(), "p0");
    stmt.expr_as(Expr::cust("count(*)"), "n");
    for (i, aggregate) in query.aggregates.iter().enumerate() {
        let field = col::<T>(aggregate.field());
        match aggregate {
            Aggregate::Min(_) => {
                stmt.expr_as(Expr::cust_with_expr("min($1)", field), format!("a{i}"));
            }
            Aggregate::Max(_) => {
                stmt.expr_as(Expr::cust_with_expr("max($1)", field), format!("a{i}"));
            }
            Aggregate::Sum(_) | Aggregate::Avg(_) => {
                stmt.expr_as(
                    Expr::cust_with_expr("sum($1)::numeric::text", field.clone()),
                    format!("a{i}"),
                );
                stmt.expr_as(Expr::cust_with_expr("count($1)", field), format!("c{i}"));
            }
        }
    }
    stmt.add_group_by([key.clone()]);
    let ordered_key = if query.by.kind() == ValueKind::Text {
        collate_c(key)
    } else {
        key
    };
    let count = Expr::cust("count(*)");
    match query.order {
        GroupOrder::KeyAsc => {
            stmt.order_by_expr_with_nulls(ordered_key, Order::Asc, NullOrdering::Last);
        }
        GroupOrder::KeyDesc => {
            stmt.order_by_expr_with_nulls(ordered_key, Order::Desc, NullOrdering::First);
        }
        GroupOrder::CountDesc | GroupOrder::CountAsc => {
            let order = if query.order == GroupOrder::CountDesc {
                Order::Desc
            } else {
                Order::Asc
            };
            stmt.order_by_expr(count, order);
            stmt.order_by_expr_with_nulls(ordered_key, Order::Asc, NullOrdering::Last);
        }
    }
    if let Some(limit) = query.limit {
        stmt.limit(limit);
    }
    stmt
}

fn exact_sum(row: &QueryResult, alias: &str) -> StoreResult<Option<i128>> {
    let text: Option<String> = scalar(row, alias)?;
    text.map(|t| {
        t.parse::<i128>()
            .map_err(|_| StoreError::internal("a group's sum does not fit a 64-bit integer"))
    })
    .transpose()
}

fn group_of<T: TableDef>(row: &QueryResult, query: &GroupQuery<T::Field>) -> StoreResult<Group> {
    let key = value_of(row, 0, query.by)?;
    let count: i64 = scalar(row, "n")?;
    let mut aggregates = Vec::with_capacity(query.aggregates.len());
    for (i, aggregate) in query.aggregates.iter().enumerate() {
        let a = format!("a{i}");
        aggregates.push(match aggregate {
            Aggregate::Min(_) | Aggregate::Max(_) => {
                let value = match row.try_get::<Option<i32>>("", &a) {
                    Ok(v) => v.map(i64::from),
                    Err(_) => scalar::<Option<i64>>(row, &a)?,
                };
                AggregateValue::Int(value.map_or(Value::Null, Value::Int))
            }
            Aggregate::Sum(_) => AggregateValue::Int(sum_value(exact_sum(row, &a)?)?),
            Aggregate::Avg(_) => {
                let non_null: i64 = scalar(row, &format!("c{i}"))?;
                avg_value(exact_sum(row, &a)?, u64::try_from(non_null).unwrap_or(0))?
            }
        });
    }
    Ok(Group {
        key,
        count: u64::try_from(count).unwrap_or(0),
        aggregates,
    })
}

/// `group_by`
pub(crate) async fn group_by<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    query: GroupQuery<T::Field>,
) -> StoreResult<Vec<Group>> {
    query.validate()?;
    let rows = h
        .conn
        .query_all(&statement::<T>(&query))
        .await
        .map_err(|e| map_db_err(e, Op::Read))?;
    rows.iter().map(|row| group_of::<T>(row, &query)).collect()
}
