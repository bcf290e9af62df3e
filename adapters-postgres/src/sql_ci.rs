//! Case-insensitive text filters in SQL: `lower(column COLLATE "C")` against the operand
//! folded in Rust by [`fold_case`].
//!
//! Under the `"C"` collation PostgreSQL's `lower()` folds exactly the ASCII capitals `A`–`Z`
//! and leaves every other code point alone, whatever the database's default locale: the
//! same function as [`fold_case`] (`str::to_ascii_lowercase`). The result keeps the `"C"`
//! collation, so `LIKE 'prefix%'` on it can use a btree expression index on
//! `lower(column COLLATE "C")` (migration `m20251203_000011_case_insensitive_indexes`, for
//! `users.email`, `organizations.name` and `functions.name`).

use containerpub_ports::{TextOp, fold_case};
use sea_orm::sea_query::Expr;

use crate::sql::like_escape;

/// `lower(column COLLATE "C")`.
fn folded(column: Expr) -> Expr {
    Expr::cust_with_expr(r#"lower($1 COLLATE "C")"#, column)
}

/// The filter `column <op> text` ignoring case; the operand is one bound parameter.
pub(crate) fn text_ci(column: Expr, op: TextOp, text: &str) -> Expr {
    let operand = fold_case(text);
    match op {
        TextOp::Eq => Expr::cust_with_exprs("$1 = $2", [folded(column), Expr::val(operand)]),
        TextOp::Contains => like(column, format!("%{}%", like_escape(&operand))),
        TextOp::StartsWith => like(column, format!("{}%", like_escape(&operand))),
    }
}

fn like(column: Expr, pattern: String) -> Expr {
    Expr::cust_with_exprs(
        r"$1 LIKE $2 ESCAPE '\'",
        [folded(column), Expr::val(pattern)],
    )
}

#[cfg(test)]
mod tests {
    use containerpub_ports::{CaseInsensitive, FunctionField, UserField};
    use sea_orm::sea_query::{PostgresQueryBuilder, Values};

    use crate::sql::select_where;
    use crate::table::{Functions, Users};

    #[test]
    fn folds_the_column_under_c_and_binds_the_folded_operand() {
        let (sql, Values(values)) =
            select_where::<Users>(&UserField::Email.eq_ci("Ann@X.IO")).build(PostgresQueryBuilder);
        assert!(
            sql.ends_with(r#"WHERE lower("users"."email" COLLATE "C") = $1"#),
            "{sql}"
        );
        assert_eq!(values, vec!["ann@x.io".into()]);
        let (sql, Values(values)) =
            select_where::<Functions>(&FunctionField::Name.contains_ci("My_Fn%"))
                .build(PostgresQueryBuilder);
        assert!(
            sql.ends_with(r#"WHERE lower("functions"."name" COLLATE "C") LIKE $1 ESCAPE '\'"#),
            "{sql}"
        );
        assert_eq!(values, vec![r"%my\_fn\%%".into()]);
    }
}
