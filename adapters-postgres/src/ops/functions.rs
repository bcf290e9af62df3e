//! Function details and the summaries join.

use containerpub_domain::{Function, FunctionDetails, FunctionSummary};
use containerpub_ports::{DeploymentField, FunctionField, Query, Ref, StoreError, StoreResult};
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Expr, ExprTrait, SelectStatement};

use crate::conn::PgConn;
use crate::crud::{self, model_of, scalar};
use crate::entity::{function, user};
use crate::error::{Op, map_db_err};
use crate::handle::Handle;
use crate::reference::find_by_ref;
use crate::table::{Check, Deployments, Functions, Users};

/// The function, its owner, and its deployments highest version first.
pub(crate) async fn details<C: PgConn>(
    h: &Handle<C>,
    function: Ref<Function>,
) -> StoreResult<Option<FunctionDetails>> {
    let Some(function) = find_by_ref::<Functions, C>(h, function).await? else {
        return Ok(None);
    };
    let owner = crud::find_by_id::<Users, C>(h, function.user_id)
        .await?
        .ok_or_else(|| {
            StoreError::internal(format!(
                "functions.user_id: user {} is missing",
                function.user_id
            ))
        })?;
    let deployments = crud::select_sorted::<Deployments, C>(
        h,
        DeploymentField::FunctionId.eq(function.id),
        &[DeploymentField::Version.desc()],
    )
    .await?;
    Ok(Some(FunctionDetails {
        function,
        owner,
        deployments,
    }))
}

/// The summaries query: the functions of `query`, each with its owner's e-mail and its number
/// of deployments.
pub(crate) fn summaries_stmt(query: &Query<FunctionField>) -> SelectStatement {
    let mut stmt = crud::select_query::<Functions>(query);
    stmt.expr_as(user::Column::Email.into_expr(), "owner_email")
        .expr_as(user::Column::Uuid.into_expr(), "owner_uuid")
        .expr_as(
            Expr::cust(
                r#"(SELECT count(*) FROM "function_deployments" WHERE "function_deployments"."function_id" = "functions"."id")"#,
            ),
            "deployment_count",
        )
        .inner_join(
            user::Entity,
            user::Column::Id.into_expr().equals(function::Column::UserId.as_column_ref()),
        );
    stmt
}

/// `summaries`
pub(crate) async fn summaries<C: PgConn>(
    h: &Handle<C>,
    query: Query<FunctionField>,
) -> StoreResult<Vec<FunctionSummary>> {
    query.validate()?;
    let rows = h
        .conn
        .query_all(&summaries_stmt(&query))
        .await
        .map_err(|e| map_db_err(e, Op::Read))?;
    query.check_unlimited(rows.len())?;
    rows.iter()
        .map(|row| {
            let email: String = scalar(row, "owner_email")?;
            let owner: containerpub_domain::Uuid = scalar(row, "owner_uuid")?;
            let count: i64 = scalar(row, "deployment_count")?;
            Ok(FunctionSummary {
                function: model_of::<Functions>(row)?,
                owner_email: Check(containerpub_ports::Table::Users, owner)
                    .email("email", &email)?,
                deployment_count: u64::try_from(count).unwrap_or(0),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use containerpub_ports::FunctionField;
    use sea_orm::sea_query::PostgresQueryBuilder;

    use super::*;

    #[test]
    fn summaries_join_the_owner_and_count_deployments() {
        let q = Query::filter(FunctionField::Name.starts_with("api")).limit(10);
        let (s, _) = summaries_stmt(&q).build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"SELECT "functions"."id", "functions"."uuid", "functions"."user_id", "functions"."name", "functions"."status", "functions"."active_deployment_id", "functions"."analysis_result", "functions"."created_at", "functions"."updated_at", "users"."email" AS "owner_email", "users"."uuid" AS "owner_uuid", (SELECT count(*) FROM "function_deployments" WHERE "function_deployments"."function_id" = "functions"."id") AS "deployment_count" FROM "functions" INNER JOIN "users" ON "users"."id" = "functions"."user_id" WHERE "functions"."name" COLLATE "C" LIKE $1 ESCAPE '\' ORDER BY "functions"."id" ASC NULLS LAST LIMIT $2"#
        );
    }
}
