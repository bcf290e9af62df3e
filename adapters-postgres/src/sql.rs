//! Typed query specs → sea-query statements. Pure: no connection, unit-tested below.
//!
//! - Columns come from [`TableDef::column`] (the field enums), always table-qualified and
//!   quoted by sea-query; every value is a bound parameter.
//! - Text ordering is by bytes: `COLLATE "C"` on every text sort key and every text range
//!   comparison (`< <= > >=`, keyset positions) and on `LIKE`. Equality (`=`, `<>`, `= ANY`)
//!   is left without it: under PostgreSQL's deterministic collations equality already is byte
//!   equality, and a `COLLATE` there would keep the unique indexes (`email`, `name`, `path`)
//!   from serving lookups in a database whose default collation is not `C`.
//! - `ASC NULLS LAST` / `DESC NULLS FIRST`, written out (PostgreSQL's default, stated).
//! - `In([])` and `Or([])` render as the constant `FALSE`, `And([])` as `TRUE` (sea-query is
//!   not relied on for empty lists); `In` with values is `col = ANY($n)` with one array
//!   parameter, so no list size reaches the 65,535-parameter limit.
//! - `contains`/`starts_with` escape `\`, `%` and `_` and use `LIKE … ESCAPE '\'`.

use containerpub_domain::{Timestamp, Uuid};
use containerpub_ports::{CmpOp, Direction, Field, Filter, Sort, Value, ValueKind};
use sea_orm::sea_query::{
    ArrayType, Expr, ExprTrait, NullOrdering, Order, SelectStatement, Value as SqValue,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryTrait};

use crate::table::TableDef;

/// A typed value as a bound parameter.
pub(crate) fn bind(value: &Value) -> SqValue {
    match value {
        // Never a filter operand (validated before); a typed NULL is harmless anyway.
        Value::Null => SqValue::String(None),
        Value::Bool(b) => SqValue::Bool(Some(*b)),
        Value::Int(i) => SqValue::BigInt(Some(*i)),
        Value::Text(s) => SqValue::String(Some(s.clone())),
        Value::Uuid(u) => SqValue::Uuid(Some(*u)),
        Value::Timestamp(t) => SqValue::ChronoDateTime(Some(t.naive_utc())),
    }
}

/// A filter or keyset operand. Integers are bound as `int8` with an explicit cast: the SQL
/// text then differs from statements that bind the same column as `int4` (ids from typed
/// keys), so sqlx's per-connection statement cache can never reuse an `int4`-typed statement
/// for an `int8` value (PostgreSQL would reject it: 22P03).
pub(crate) fn operand(value: &Value) -> Expr {
    match value {
        Value::Int(_) => Expr::val(bind(value)).cast_as("int8"),
        _ => Expr::val(bind(value)),
    }
}

/// Non-null operands of one kind as one array parameter (`In`): `None` if a value does not
/// have the kind (validation rules that out).
fn bind_array(kind: ValueKind, values: &[Value]) -> Option<SqValue> {
    fn collect<T>(values: &[Value], f: impl Fn(&Value) -> Option<T>) -> Option<Vec<SqValue>>
    where
        SqValue: From<T>,
    {
        values.iter().map(|v| f(v).map(SqValue::from)).collect()
    }
    let (ty, items) = match kind {
        ValueKind::Bool => (
            ArrayType::Bool,
            collect(values, |v| match v {
                Value::Bool(b) => Some(*b),
                _ => None,
            })?,
        ),
        ValueKind::Int => (
            ArrayType::BigInt,
            collect(values, |v| match v {
                Value::Int(i) => Some(*i),
                _ => None,
            })?,
        ),
        ValueKind::Text => (
            ArrayType::String,
            collect(values, |v| match v {
                Value::Text(s) => Some(s.clone()),
                _ => None,
            })?,
        ),
        ValueKind::Uuid => (
            ArrayType::Uuid,
            collect::<Uuid>(values, |v| match v {
                Value::Uuid(u) => Some(*u),
                _ => None,
            })?,
        ),
        ValueKind::Timestamp => (
            ArrayType::ChronoDateTime,
            collect(values, |v| match v {
                Value::Timestamp(t) => Some(Timestamp::naive_utc(t)),
                _ => None,
            })?,
        ),
    };
    Some(SqValue::Array(ty, Some(Box::new(items))))
}

/// The table-qualified column of a field.
pub(crate) fn col<T: TableDef>(field: T::Field) -> Expr {
    T::column(field).into_expr()
}

/// `expr COLLATE "C"`.
pub(crate) fn collate_c(expr: Expr) -> Expr {
    Expr::cust_with_expr(r#"$1 COLLATE "C""#, expr)
}

/// The column as compared or sorted by order: text in byte order.
fn ordered<T: TableDef>(field: T::Field) -> Expr {
    let column = col::<T>(field);
    if field.kind() == ValueKind::Text {
        collate_c(column)
    } else {
        column
    }
}

/// The constant `TRUE` / `FALSE` (not a parameter).
pub(crate) fn constant(b: bool) -> Expr {
    Expr::Constant(SqValue::Bool(Some(b)))
}

/// Escapes `\`, `%` and `_` for `LIKE … ESCAPE '\'`.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn like(column: Expr, pattern: String) -> Expr {
    Expr::cust_with_exprs(
        r#"$1 COLLATE "C" LIKE $2 ESCAPE '\'"#,
        [column, Expr::val(pattern)],
    )
}

/// A filter as a boolean expression (three-valued, as SQL).
pub(crate) fn filter_expr<T: TableDef>(filter: &Filter<T::Field>) -> Expr {
    match filter {
        Filter::All => constant(true),
        Filter::Cmp { field, op, value } => {
            let v = operand(value);
            match op {
                CmpOp::Eq => col::<T>(*field).eq(v),
                CmpOp::Ne => col::<T>(*field).ne(v),
                CmpOp::Lt => ordered::<T>(*field).lt(v),
                CmpOp::Le => ordered::<T>(*field).lte(v),
                CmpOp::Gt => ordered::<T>(*field).gt(v),
                CmpOp::Ge => ordered::<T>(*field).gte(v),
            }
        }
        Filter::In { values, .. } if values.is_empty() => constant(false),
        Filter::In { field, values } => match bind_array(field.kind(), values) {
            Some(array) => {
                Expr::cust_with_exprs("$1 = ANY($2)", [col::<T>(*field), Expr::val(array)])
            }
            // Unreachable after validation; a list that cannot match matches nothing.
            None => constant(false),
        },
        Filter::IsNull(field) => col::<T>(*field).is_null(),
        Filter::IsNotNull(field) => col::<T>(*field).is_not_null(),
        Filter::Contains { field, text } => {
            like(col::<T>(*field), format!("%{}%", like_escape(text)))
        }
        Filter::StartsWith { field, text } => {
            like(col::<T>(*field), format!("{}%", like_escape(text)))
        }
        Filter::TextCi { field, op, text } => crate::sql_ci::text_ci(col::<T>(*field), *op, text),
        Filter::And(items) => fold(items.iter().map(filter_expr::<T>), true),
        Filter::Or(items) => fold(items.iter().map(filter_expr::<T>), false),
        Filter::Not(inner) => filter_expr::<T>(inner).not(),
    }
}

/// `a AND b AND …` (`all`) or `a OR b OR …`; the identity constant when empty.
fn fold(mut items: impl Iterator<Item = Expr>, all: bool) -> Expr {
    let Some(first) = items.next() else {
        return constant(all);
    };
    items.fold(first, |acc, e| if all { acc.and(e) } else { acc.or(e) })
}

/// The live-rows predicate of soft-deleting tables.
pub(crate) fn live<T: TableDef>() -> Option<Expr> {
    T::deleted_at().map(|c| c.into_expr().is_null())
}

/// `SELECT <every column> FROM <table>` (live rows only for soft-deleting tables).
pub(crate) fn select_all<T: TableDef>() -> SelectStatement {
    let mut stmt = T::Entity::find().into_query();
    if let Some(live) = live::<T>() {
        stmt.and_where(live);
    }
    stmt
}

/// `select_all` restricted by a filter.
pub(crate) fn select_where<T: TableDef>(filter: &Filter<T::Field>) -> SelectStatement {
    let mut stmt = select_all::<T>();
    if !matches!(filter, Filter::All) {
        stmt.and_where(filter_expr::<T>(filter));
    }
    stmt
}

/// Adds `ORDER BY` for an effective sort: text in byte order, NULLs last ascending and first
/// descending.
pub(crate) fn order_by<T: TableDef>(stmt: &mut SelectStatement, sort: &[Sort<T::Field>]) {
    for key in sort {
        let (order, nulls) = match key.direction {
            Direction::Asc => (Order::Asc, NullOrdering::Last),
            Direction::Desc => (Order::Desc, NullOrdering::First),
        };
        stmt.order_by_expr_with_nulls(ordered::<T>(key.field), order, nulls);
    }
}

/// Rows strictly after `after` (the sort-key values of the last row seen) in `sort` order:
/// `k1 >= v1 AND (k1 > v1 OR (k1 = v1 AND k2 > v2) OR …)`, with `<`/`<=` for descending keys.
/// The leading `k1 >= v1` is implied by the rest but is what lets PostgreSQL start an index
/// range scan at the position instead of filtering every earlier row (a window 100,000 rows
/// deep then costs what the first one does). Keyset sort keys are never NULL
/// ([`containerpub_ports::support::Keyset::plan`] checks that).
pub(crate) fn keyset_after<T: TableDef>(sort: &[Sort<T::Field>], after: &[Value]) -> Expr {
    let mut branches = Vec::with_capacity(sort.len());
    for (i, key) in sort.iter().enumerate() {
        let Some(value) = after.get(i) else { break };
        let beyond = match key.direction {
            Direction::Asc => ordered::<T>(key.field).gt(operand(value)),
            Direction::Desc => ordered::<T>(key.field).lt(operand(value)),
        };
        let prefix = sort[..i]
            .iter()
            .zip(after)
            .map(|(k, v)| col::<T>(k.field).eq(operand(v)));
        branches.push(fold(prefix.chain(std::iter::once(beyond)), true));
    }
    let after_position = fold(branches.into_iter(), false);
    match (sort.first(), after.first()) {
        (Some(first), Some(value)) if sort.len() > 1 => {
            let bound = match first.direction {
                Direction::Asc => ordered::<T>(first.field).gte(operand(value)),
                Direction::Desc => ordered::<T>(first.field).lte(operand(value)),
            };
            bound.and(after_position)
        }
        _ => after_position,
    }
}

#[cfg(test)]
mod tests {
    use containerpub_domain::FunctionId;
    use containerpub_ports::{FunctionField, LogField, RepositoryField, UserField};
    use sea_orm::sea_query::{PostgresQueryBuilder, Values};

    use super::*;
    use crate::table::{Functions, Logs, Repositories, Users};

    fn sql<T: TableDef>(filter: &Filter<T::Field>) -> (String, Values) {
        let mut stmt = SelectStatement::new();
        stmt.expr(Expr::val(1)).and_where(filter_expr::<T>(filter));
        let (sql, values) = stmt.build(PostgresQueryBuilder);
        (
            sql.trim_start_matches("SELECT $1 WHERE ").to_owned(),
            Values(values.0.into_iter().skip(1).collect()),
        )
    }

    #[test]
    fn comparisons_bind_every_value_and_order_text_by_bytes() {
        let (s, v) = sql::<Functions>(&FunctionField::Name.eq("api"));
        assert_eq!(s, r#""functions"."name" = $2"#);
        assert_eq!(v.0, vec![SqValue::String(Some("api".into()))]);

        let (s, _) = sql::<Functions>(&FunctionField::Name.lt("m"));
        assert_eq!(s, r#"("functions"."name" COLLATE "C") < $2"#);

        let (s, v) = sql::<Functions>(&FunctionField::UserId.ge(7));
        assert_eq!(s, r#""functions"."user_id" >= CAST($2 AS int8)"#);
        assert_eq!(v.0, vec![SqValue::BigInt(Some(7))]);

        let (s, _) = sql::<Logs>(&LogField::Timestamp.gt(Timestamp::MIN));
        assert_eq!(s, r#""function_logs"."timestamp" > $2"#);
    }

    #[test]
    fn empty_lists_render_as_constants() {
        let (s, v) = sql::<Users>(&UserField::Id.is_in(Vec::<i64>::new()));
        assert_eq!(s, "FALSE");
        assert!(v.0.is_empty());
        let (s, _) = sql::<Users>(&!UserField::Id.is_in(Vec::<i64>::new()));
        assert_eq!(s, "NOT FALSE");
        let (s, _) = sql::<Users>(&Filter::And(vec![]));
        assert_eq!(s, "TRUE");
        let (s, _) = sql::<Users>(&Filter::Or(vec![]));
        assert_eq!(s, "FALSE");
    }

    #[test]
    fn in_binds_one_array() {
        let (s, v) =
            sql::<Functions>(&FunctionField::Id.is_in([FunctionId::new(1), FunctionId::new(2)]));
        assert_eq!(s, r#""functions"."id" = ANY($2)"#);
        assert_eq!(
            v.0,
            vec![SqValue::Array(
                ArrayType::BigInt,
                Some(Box::new(vec![
                    SqValue::BigInt(Some(1)),
                    SqValue::BigInt(Some(2))
                ]))
            )]
        );
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escape(r"50%_off\x"), r"50\%\_off\\x");
        let (s, v) = sql::<Repositories>(&RepositoryField::Path.contains("a_b%"));
        assert_eq!(s, r#""repositories"."path" COLLATE "C" LIKE $2 ESCAPE '\'"#);
        assert_eq!(v.0, vec![SqValue::String(Some(r"%a\_b\%%".into()))]);
        let (_, v) = sql::<Repositories>(&RepositoryField::Path.starts_with("acme/"));
        assert_eq!(v.0, vec![SqValue::String(Some("acme/%".into()))]);
    }

    #[test]
    fn boolean_structure_is_parenthesised() {
        let f = FunctionField::Name
            .eq("a")
            .or(FunctionField::Name.eq("b"))
            .and(FunctionField::UserId.eq(1));
        let (s, _) = sql::<Functions>(&f);
        assert_eq!(
            s,
            r#"("functions"."name" = $2 OR "functions"."name" = $3) AND "functions"."user_id" = CAST($4 AS int8)"#
        );
        let f = !(FunctionField::Name
            .eq("a")
            .and(FunctionField::ActiveDeploymentId.is_null()));
        let (s, _) = sql::<Functions>(&f);
        assert_eq!(
            s,
            r#"NOT ("functions"."name" = $2 AND "functions"."active_deployment_id" IS NULL)"#
        );
        let f = FunctionField::Name
            .eq("a")
            .and(!FunctionField::Name.eq("b"))
            .or(FunctionField::Id.eq(1).and(FunctionField::Id.ne(2)));
        let (s, _) = sql::<Functions>(&f);
        assert_eq!(
            s,
            r#"("functions"."name" = $2 AND (NOT "functions"."name" = $3)) OR ("functions"."id" = CAST($4 AS int8) AND "functions"."id" <> CAST($5 AS int8))"#
        );
    }

    #[test]
    fn selects_order_explicitly_and_keep_soft_deleted_rows_out() {
        let mut stmt = select_where::<Repositories>(&RepositoryField::ParentId.is_null());
        order_by::<Repositories>(
            &mut stmt,
            &containerpub_ports::support::effective_sort(&[RepositoryField::Path.desc()]),
        );
        stmt.limit(10).offset(20);
        let (s, v) = stmt.build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"SELECT "repositories"."id", "repositories"."uuid", "repositories"."name", "repositories"."path", "repositories"."parent_id", "repositories"."created_at", "repositories"."updated_at", "repositories"."deleted_at" FROM "repositories" WHERE "repositories"."deleted_at" IS NULL AND "repositories"."parent_id" IS NULL ORDER BY "repositories"."path" COLLATE "C" DESC NULLS FIRST, "repositories"."id" ASC NULLS LAST LIMIT $1 OFFSET $2"#
        );
        assert_eq!(
            v.0,
            vec![
                SqValue::BigUnsigned(Some(10)),
                SqValue::BigUnsigned(Some(20))
            ]
        );
    }

    #[test]
    fn keyset_positions_expand_per_key() {
        let sort = [
            FunctionField::Name.asc(),
            FunctionField::CreatedAt.desc(),
            FunctionField::Id.asc(),
        ];
        let after = [
            Value::Text("api".into()),
            Value::Timestamp(Timestamp::MIN),
            Value::Int(5),
        ];
        let (s, v) = sql::<Functions>(&Filter::All);
        assert_eq!((s.as_str(), v.0.len()), ("TRUE", 0));
        let mut stmt = SelectStatement::new();
        stmt.expr(Expr::val(1))
            .and_where(keyset_after::<Functions>(&sort, &after));
        let (s, v) = stmt.build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"SELECT $1 WHERE ("functions"."name" COLLATE "C") >= $2 AND (("functions"."name" COLLATE "C") > $3 OR ("functions"."name" = $4 AND "functions"."created_at" < $5) OR ("functions"."name" = $6 AND "functions"."created_at" = $7 AND "functions"."id" > CAST($8 AS int8)))"#
        );
        assert_eq!(v.0.len(), 8);
    }
}
