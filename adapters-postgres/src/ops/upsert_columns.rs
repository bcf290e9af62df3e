//! `UserWriter::upsert_updating`: the upsert statement of `crud::upsert_stmt` with the update
//! branch restricted to the chosen columns (`ON CONFLICT (key) DO UPDATE SET <chosen> =
//! EXCLUDED.<chosen>, updated_at = EXCLUDED.updated_at`), one statement, atomic as `upsert`.

use containerpub_domain::{NewUser, User};
use containerpub_ports::{StoreError, StoreResult, Upserted, UserColumn, UserKey};
use sea_orm::Insert;
use sea_orm::QueryTrait;
use sea_orm::sea_query::{Expr, InsertStatement, OnConflict, Query as SqlQuery};

use crate::conn::PgConn;
use crate::crud;
use crate::entity::user;
use crate::handle::Handle;
use crate::reply::replied;
use crate::table::{TableDef, Users};

/// The statement: `upsert`'s, updating only `update` (those among the key's update columns)
/// and `updated_at`.
pub(crate) fn statement(
    row: user::ActiveModel,
    key: UserKey,
    update: &[UserColumn],
) -> InsertStatement {
    let target = Users::upsert_target(key);
    let chosen = |column: &user::Column| match column {
        user::Column::Email => update.contains(&UserColumn::Email),
        user::Column::PasswordHash => update.contains(&UserColumn::PasswordHash),
        user::Column::UpdatedAt => true,
        _ => false,
    };
    let mut stmt = Insert::one(row).into_query();
    let mut on_conflict = OnConflict::columns(target.columns.iter().copied());
    on_conflict.update_columns(target.updates.iter().copied().filter(|c| chosen(c)));
    stmt.on_conflict(on_conflict);
    stmt.returning(SqlQuery::returning().expr(Expr::cust(r#"*, (xmax = 0) AS "inserted""#)));
    stmt
}

/// `upsert_updating(new, key, update)`.
pub(crate) async fn run<C: PgConn>(
    h: &Handle<C>,
    new: NewUser,
    key: UserKey,
    update: Vec<UserColumn>,
) -> StoreResult<Upserted<User>> {
    let stmt = statement(Users::new_row(new, h.now()), key, &update);
    replied!(&h.conn, rows: 1, |c| crud::run_upsert::<Users, _>(c, &stmt)
    .await?
    .ok_or_else(|| StoreError::internal(
        "users: the upsert returned no row"
    )))
}

#[cfg(test)]
mod tests {
    use containerpub_domain::{Email, NewUser, Timestamp};
    use sea_orm::sea_query::PostgresQueryBuilder;

    use super::*;

    #[test]
    fn only_the_chosen_columns_and_the_stamp_are_updated() {
        let new = NewUser::new(Email::parse("a@x.io").expect("e-mail"));
        let row = Users::new_row(new, Timestamp::MIN);
        let (sql, _) = statement(row.clone(), UserKey::Email, &[]).build(PostgresQueryBuilder);
        assert!(
            sql.contains(r#"ON CONFLICT ("email") DO UPDATE SET "updated_at" = "excluded"."updated_at" RETURNING"#),
            "{sql}"
        );
        let (sql, _) =
            statement(row, UserKey::Uuid, &[UserColumn::PasswordHash]).build(PostgresQueryBuilder);
        assert!(
            sql.contains(r#"DO UPDATE SET "password_hash" = "excluded"."password_hash", "updated_at" = "excluded"."updated_at" RETURNING"#),
            "{sql}"
        );
    }
}
