//! The generic statement builders, pure and unit-tested without a server: the `SELECT`s of
//! the reads and the `INSERT`, upsert, `UPDATE` and `DELETE` of the writes, every column named.

use containerpub_domain::Timestamp;
use containerpub_ports::support::{Keyset, effective_sort};
use containerpub_ports::{Field, Filter, Query};
use sea_orm::sea_query::{
    DeleteStatement, Expr, ExprTrait, InsertStatement, OnConflict, Query as SqlQuery,
    ReturningClause, SelectStatement, UpdateStatement,
};
use sea_orm::{EntityTrait, IdenStatic, Insert, Iterable, QueryTrait};

use crate::sql::{col, keyset_after, live, order_by, select_all, select_where};
use crate::table::TableDef;

/// `SELECT … WHERE id = $1` (live rows only where that applies).
pub(crate) fn select_by_id<T: TableDef>(id: T::Id) -> SelectStatement {
    let mut stmt = select_all::<T>();
    stmt.and_where(col::<T>(T::Field::ID).eq(T::id_value(id)));
    stmt
}

/// `SELECT … WHERE <filter> ORDER BY <effective sort> LIMIT … OFFSET …`.
pub(crate) fn select_query<T: TableDef>(query: &Query<T::Field>) -> SelectStatement {
    let mut stmt = select_where::<T>(&query.filter);
    order_by::<T>(&mut stmt, &effective_sort(&query.sort));
    // Without a limit: one row more than `MAX_UNLIMITED_ROWS`, to tell an oversized result.
    stmt.limit(query.fetch_limit());
    if query.offset > 0 {
        stmt.offset(query.offset);
    }
    stmt
}

/// `SELECT count(*) FROM … WHERE <filter>`.
pub(crate) fn select_count<T: TableDef>(filter: &Filter<T::Field>) -> SelectStatement {
    let mut stmt = select_where::<T>(filter);
    stmt.clear_selects();
    stmt.expr_as(Expr::cust("count(*)"), "count");
    stmt
}

/// `SELECT EXISTS (SELECT 1 FROM … WHERE <filter>)`.
pub(crate) fn select_exists<T: TableDef>(filter: &Filter<T::Field>) -> SelectStatement {
    let mut inner = select_where::<T>(filter);
    inner.clear_selects();
    inner.expr(Expr::cust("1"));
    let mut stmt = SqlQuery::select();
    stmt.expr_as(Expr::exists(inner), "exists");
    stmt
}

/// One keyset window's query: `limit + 1` rows strictly after the position.
pub(crate) fn select_window<T: TableDef>(
    filter: &Filter<T::Field>,
    plan: &Keyset<T::Field>,
) -> SelectStatement {
    let mut stmt = select_where::<T>(filter);
    if let Some(after) = &plan.after {
        stmt.and_where(keyset_after::<T>(&plan.sort, after));
    }
    order_by::<T>(&mut stmt, &plan.sort);
    stmt.limit(plan.limit.saturating_add(1));
    stmt
}

/// Every column of the table, by name. Statements never say `*`: PostgreSQL refuses to run
/// a prepared `RETURNING *` / `SELECT *` whose result gained a column (`0A000 cached plan must
/// not change result type`) on every warm pooled connection after an online `ADD COLUMN`.
fn every_column<T: TableDef>() -> impl Iterator<Item = <T::Entity as EntityTrait>::Column> {
    <<T::Entity as EntityTrait>::Column as Iterable>::iter()
}

/// `RETURNING <every column>`.
pub(crate) fn returning_every_column<T: TableDef>() -> ReturningClause {
    SqlQuery::returning().columns(every_column::<T>())
}

/// `INSERT INTO … (…) VALUES (…), … RETURNING <every column>` for rows the generic insert
/// writes.
pub(crate) fn insert_stmt<T: TableDef>(
    rows: impl IntoIterator<Item = T::ActiveModel>,
) -> InsertStatement {
    let mut stmt = Insert::many(rows).into_query();
    stmt.returning(returning_every_column::<T>());
    stmt
}

/// The upsert: `INSERT … ON CONFLICT (<key>) [WHERE deleted_at IS NULL] DO UPDATE SET
/// <other input columns> = EXCLUDED.… RETURNING <every column>, (xmax = 0) AS "inserted"` (`xmax` is 0
/// exactly for the row version an INSERT created).
pub(crate) fn upsert_stmt<T: TableDef>(row: T::ActiveModel, key: T::Key) -> InsertStatement {
    let target = T::upsert_target(key);
    let mut stmt = Insert::one(row).into_query();
    let mut on_conflict = OnConflict::columns(target.columns.iter().copied());
    on_conflict.update_columns(target.updates.iter().copied());
    if target.live_only
        && let Some(deleted_at) = T::deleted_at()
    {
        on_conflict.target_and_where(Expr::col(deleted_at).is_null());
    }
    stmt.on_conflict(on_conflict);
    let columns: Vec<String> = every_column::<T>()
        .map(|column| format!("\"{}\"", column.as_str()))
        .collect();
    stmt.returning(SqlQuery::returning().expr(Expr::cust(format!(
        r#"{}, (xmax = 0) AS "inserted""#,
        columns.join(", ")
    ))));
    stmt
}

/// `UPDATE … SET <patch>, updated_at = now WHERE …` (without the WHERE).
pub(crate) fn update_stmt<T: TableDef>(patch: T::Patch, now: Timestamp) -> UpdateStatement {
    let mut stmt = SqlQuery::update();
    stmt.table(T::Entity::default());
    let values = T::patch_values(patch);
    let empty = values.is_empty();
    for (column, value) in values {
        stmt.value(column, value);
    }
    if let Some(updated_at) = T::updated_at() {
        stmt.value(updated_at, now.naive_utc());
    } else if empty {
        // A table without a stamp and an empty patch: the row is still "updated".
        let id = T::column(T::Field::ID);
        stmt.value(id, Expr::col(id));
    }
    if let Some(live) = live::<T>() {
        stmt.and_where(live);
    }
    stmt
}

/// `DELETE FROM … WHERE …` (live rows only where that applies; without the WHERE).
pub(crate) fn delete_stmt<T: TableDef>() -> DeleteStatement {
    let mut stmt = SqlQuery::delete();
    stmt.from_table(T::Entity::default());
    if let Some(live) = live::<T>() {
        stmt.and_where(live);
    }
    stmt
}

#[cfg(test)]
mod tests {
    use containerpub_domain::{
        Email, FunctionId, LogLevel, NewLog, NewUser, OrganizationPatch, Text, UserId, UserPatch,
    };
    use containerpub_ports::{FunctionField, KeysetRequest, LogField, UserField, UserKey};
    use sea_orm::sea_query::PostgresQueryBuilder;

    use containerpub_ports::BATCH_CHUNK_ROWS;

    use super::*;
    use crate::table::{Functions, Logs, Organizations, Users};

    fn now() -> Timestamp {
        Timestamp::from_unix_micros("now", 1_700_000_000_000_000).expect("valid")
    }

    #[test]
    fn find_all_binds_limit_and_offset_after_the_filter() {
        let q = Query::filter(UserField::Email.starts_with("ada"))
            .order_by(UserField::CreatedAt.desc())
            .limit(5)
            .offset(10);
        let (s, v) = select_query::<Users>(&q).build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"SELECT "users"."id", "users"."uuid", "users"."email", "users"."password_hash", "users"."created_at", "users"."updated_at" FROM "users" WHERE "users"."email" COLLATE "C" LIKE $1 ESCAPE '\' ORDER BY "users"."created_at" DESC NULLS FIRST, "users"."id" ASC NULLS LAST LIMIT $2 OFFSET $3"#
        );
        assert_eq!(v.0.len(), 3);
    }

    #[test]
    fn count_and_exists() {
        let (s, _) = select_count::<Users>(&Filter::All).build(PostgresQueryBuilder);
        assert_eq!(s, r#"SELECT count(*) AS "count" FROM "users""#);
        let (s, _) = select_exists::<Functions>(&FunctionField::UserId.eq(UserId::new(3)))
            .build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"SELECT EXISTS(SELECT 1 FROM "functions" WHERE "functions"."user_id" = CAST($1 AS int8)) AS "exists""#
        );
    }

    #[test]
    fn windows_fetch_one_more_row_than_asked() {
        let filter = LogField::FunctionId.eq(FunctionId::new(1));
        let sort = vec![LogField::Timestamp.asc()];
        let plan = Keyset::plan(&filter, &sort, &KeysetRequest::first(50)).expect("valid");
        let (s, v) = select_window::<Logs>(&filter, &plan).build(PostgresQueryBuilder);
        assert!(s.ends_with(
            r#"WHERE "function_logs"."function_id" = CAST($1 AS int8) ORDER BY "function_logs"."timestamp" ASC NULLS LAST, "function_logs"."id" ASC NULLS LAST LIMIT $2"#
        ), "{s}");
        assert_eq!(v.0[1], sea_orm::Value::BigUnsigned(Some(51)));
    }

    #[test]
    fn inserts_set_every_input_column_and_the_stamps() {
        let new = NewUser::new(Email::parse("ada@example.com").expect("valid"));
        let uuid = new.uuid;
        let (s, v) = insert_stmt::<Users>([Users::new_row(new, now())]).build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"INSERT INTO "users" ("uuid", "email", "password_hash", "created_at", "updated_at") VALUES ($1, $2, $3, $4, $5) RETURNING "id", "uuid", "email", "password_hash", "created_at", "updated_at""#
        );
        assert_eq!(v.0[0], sea_orm::Value::Uuid(Some(uuid)));
        assert_eq!(
            v.0[3],
            sea_orm::Value::ChronoDateTime(Some(now().naive_utc()))
        );
    }

    #[test]
    fn every_chunk_fits_the_parameter_limit() {
        fn params<T: TableDef>(new: T::New) -> usize {
            let (_, v) = insert_stmt::<T>([T::new_row(new, now())]).build(PostgresQueryBuilder);
            v.0.len()
        }
        let widest = [
            params::<Users>(NewUser::new(Email::parse("a@b.c").expect("valid"))),
            params::<crate::table::Profiles>(containerpub_domain::NewUserInformation::new(
                uuid::Uuid::nil(),
            )),
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        assert_eq!(widest, 13);
        assert!(widest * BATCH_CHUNK_ROWS <= 65_535);
    }

    #[test]
    fn upserts_update_the_other_input_columns() {
        let new = NewUser::new(Email::parse("ada@example.com").expect("valid"));
        let (s, _) = upsert_stmt::<Users>(Users::new_row(new, now()), UserKey::Email)
            .build(PostgresQueryBuilder);
        assert!(
            s.ends_with(
                r#"ON CONFLICT ("email") DO UPDATE SET "password_hash" = "excluded"."password_hash", "updated_at" = "excluded"."updated_at" RETURNING "id", "uuid", "email", "password_hash", "created_at", "updated_at", (xmax = 0) AS "inserted""#
            ),
            "{s}"
        );
        let log = NewLog::new(
            FunctionId::new(1),
            LogLevel::Info,
            Text::new("m", "x").expect("valid"),
        );
        let (s, _) =
            upsert_stmt::<Logs>(Logs::new_row(log, now()), containerpub_ports::LogKey::Uuid)
                .build(PostgresQueryBuilder);
        assert!(s.contains(r#"ON CONFLICT ("uuid") DO UPDATE SET "level" = "excluded"."level", "message" = "excluded"."message", "timestamp" = "excluded"."timestamp""#), "{s}");
    }

    #[test]
    fn updates_stamp_and_keep_soft_deleted_rows_out() {
        let mut stmt = update_stmt::<Users>(
            UserPatch {
                password_hash: Some(None),
                ..UserPatch::default()
            },
            now(),
        );
        stmt.and_where(col::<Users>(UserField::Id).eq(1));
        let (s, _) = stmt.build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"UPDATE "users" SET "password_hash" = $1, "updated_at" = $2 WHERE "users"."id" = $3"#
        );
        let (s, _) = update_stmt::<Organizations>(OrganizationPatch::default(), now())
            .build(PostgresQueryBuilder);
        assert_eq!(s, r#"UPDATE "organizations" SET "updated_at" = $1"#);
        let (s, _) = update_stmt::<crate::table::Members>(
            containerpub_domain::OrganizationMemberPatch::default(),
            now(),
        )
        .build(PostgresQueryBuilder);
        assert_eq!(s, r#"UPDATE "organization_members" SET "id" = "id""#);
        let (s, _) = update_stmt::<crate::table::Repositories>(
            containerpub_domain::RepositoryPatch::default(),
            now(),
        )
        .build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"UPDATE "repositories" SET "updated_at" = $1 WHERE "repositories"."deleted_at" IS NULL"#
        );
        let (s, _) = delete_stmt::<crate::table::Repositories>().build(PostgresQueryBuilder);
        assert_eq!(
            s,
            r#"DELETE FROM "repositories" WHERE "repositories"."deleted_at" IS NULL"#
        );
    }

    /// Every upsert target's conflict columns, live-rows restriction and update columns are
    /// the ports' catalog's for its unique key.
    #[test]
    fn upsert_targets_are_the_catalog_s() {
        use containerpub_ports::{
            DeploymentKey, FunctionKey, InvocationKey, LogKey, OrganizationKey,
            OrganizationMemberKey, Predicate, RepositoryKey, UniqueKey, UserInformationKey,
        };
        use sea_orm::IdenStatic;

        use crate::table::{Deployments, Invocations, Members, Profiles, Repositories};

        fn check<T: TableDef>(keys: &[(T::Key, UniqueKey)]) {
            let names = |columns: &[T::Column]| -> Vec<&'static str> {
                columns.iter().map(IdenStatic::as_str).collect()
            };
            for (key, unique) in keys {
                let target = T::upsert_target(*key);
                let catalog = |columns: &[containerpub_ports::Column]| -> Vec<&'static str> {
                    columns.iter().map(|c| c.name()).collect()
                };
                assert_eq!(names(target.columns), catalog(unique.columns()), "{unique}");
                assert_eq!(
                    names(target.updates),
                    catalog(unique.upsert_updates().expect("an upsert target")),
                    "{unique}"
                );
                assert_eq!(
                    target.live_only,
                    unique.predicate() == Some(Predicate::Live),
                    "{unique}"
                );
            }
        }
        check::<Users>(&[UserKey::Uuid, UserKey::Email].map(|k| (k, k.unique_key())));
        check::<Profiles>(
            &[UserInformationKey::Uuid, UserInformationKey::User].map(|k| (k, k.unique_key())),
        );
        check::<Organizations>(
            &[OrganizationKey::Uuid, OrganizationKey::Name].map(|k| (k, k.unique_key())),
        );
        check::<Members>(&[OrganizationMemberKey::User].map(|k| (k, k.unique_key())));
        check::<Functions>(
            &[FunctionKey::Uuid, FunctionKey::OwnerAndName].map(|k| (k, k.unique_key())),
        );
        check::<Deployments>(&[DeploymentKey::Uuid].map(|k| (k, k.unique_key())));
        check::<Logs>(&[LogKey::Uuid].map(|k| (k, k.unique_key())));
        check::<Invocations>(&[InvocationKey::Uuid].map(|k| (k, k.unique_key())));
        check::<Repositories>(
            &[RepositoryKey::Uuid, RepositoryKey::LivePath].map(|k| (k, k.unique_key())),
        );
    }
}
