//! Organizations and their members: every organization insert also makes the owner a member.

use containerpub_domain::{
    MemberProfile, NewOrganization, NewOrganizationMember, Organization, OrganizationMember, Rule,
    Timestamp, UserWithOrganization, Uuid,
};
use containerpub_ports::{
    Lookup, OrganizationKey, StoreError, StoreResult, Table, Upserted,
    UserWithOrganizationAndProfile,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, NullOrdering, Order, Query, SelectStatement};
use sea_orm::{ColumnTrait, IdenStatic, Iterable, QueryResult, Value};

use crate::batch::{BatchResult, Steps, settle};
use crate::conn::{PgConn, atomic, guarded};
use crate::crud::chunks;
use crate::crud::{self, insert_chunk, insert_stmt, prefixed_model_of, write_returning};
use crate::entity::{member, organization, profile, user};
use crate::error::{Op, map_db_err};
use crate::handle::Handle;
use crate::ops::raw_statements::execute_raw;
use crate::table::{Members, Organizations, Profiles, TableDef, Users};

/// Inserts organizations (statements of `BATCH_CHUNK_ROWS` rows) and, after each statement,
/// their owners' memberships (one statement per chunk); returns both, in input order. A key
/// violation of either statement names the organization's row ([`Steps`]).
async fn insert_with_owners<D: PgConn>(
    db: &D,
    rows: Vec<NewOrganization>,
    now: Timestamp,
) -> BatchResult<Vec<(Organization, OrganizationMember)>> {
    let mut out = Vec::with_capacity(rows.len());
    let mut steps = Steps::default();
    for chunk in chunks(rows.into_iter().map(|new| Organizations::new_row(new, now))) {
        let first = out.len();
        let orgs = insert_chunk::<Organizations, D>(db, &mut steps, first, chunk).await?;
        let members = orgs.iter().map(|org| {
            Members::new_row(
                NewOrganizationMember {
                    organization_uuid: org.uuid,
                    user_uuid: org.owner_uuid,
                },
                now,
            )
        });
        let members = insert_chunk::<Members, D>(db, &mut steps, first, members.collect()).await?;
        if members.len() != orgs.len() {
            return Err(StoreError::internal(
                "organization_members: the owners' memberships were not all written",
            )
            .into());
        }
        out.extend(orgs.into_iter().zip(members));
    }
    Ok(out)
}

/// The `insert_rows` hook of organizations.
pub(crate) async fn insert_rows<D: PgConn>(
    db: &D,
    rows: Vec<NewOrganization>,
    now: Timestamp,
) -> BatchResult<Vec<Organization>> {
    Ok(insert_with_owners(db, rows, now)
        .await?
        .into_iter()
        .map(|(org, _)| org)
        .collect())
}

/// The `upsert_row` hook: the insert branch also adds the owner's membership.
pub(crate) async fn upsert_row<D: PgConn>(
    db: &D,
    new: NewOrganization,
    key: OrganizationKey,
    now: Timestamp,
) -> StoreResult<Upserted<Organization>> {
    let stmt = crud::upsert_stmt::<Organizations>(Organizations::new_row(new, now), key);
    let upserted = crud::run_upsert::<Organizations, D>(db, &stmt)
        .await?
        .ok_or_else(|| StoreError::internal("organizations: the upsert returned no row"))?;
    if let Upserted::Inserted(org) = &upserted {
        let member = Members::new_row(
            NewOrganizationMember {
                organization_uuid: org.uuid,
                user_uuid: org.owner_uuid,
            },
            now,
        );
        write_returning::<Members, _, _>(db, &insert_stmt::<Members>([member]), Op::Write).await?;
    }
    Ok(upserted)
}

/// `create_with_owner`
pub(crate) async fn create_with_owner<C: PgConn>(
    h: &Handle<C>,
    new: NewOrganization,
) -> StoreResult<(Organization, OrganizationMember)> {
    let now = h.now();
    let created = atomic(&h.conn, async |tx| {
        insert_with_owners(tx, vec![new], now).await
    })
    .await;
    // One organization is not a batch: its errors carry no row index.
    let mut created = settle(&h.conn, created)
        .await
        .map_err(StoreError::without_index)?;
    created
        .pop()
        .ok_or_else(|| StoreError::internal("organizations: the insert returned no row"))
}

/// `organization_of`: the organization the user with this uuid belongs to.
pub(crate) fn organization_of_stmt(user: Uuid) -> SelectStatement {
    let mut members = Query::select();
    members
        .column(member::Column::OrganizationId)
        .from(member::Entity)
        .and_where(Expr::col(member::Column::UserId).eq(user));
    let mut stmt = crate::sql::select_all::<Organizations>();
    stmt.and_where(organization::Column::Uuid.into_expr().in_subquery(members));
    stmt
}

/// `organization_of`
pub(crate) async fn organization_of<C: PgConn>(
    h: &Handle<C>,
    user: Uuid,
) -> StoreResult<Option<Organization>> {
    crud::fetch_opt::<Organizations, _>(&h.conn, &organization_of_stmt(user)).await
}

/// Selects every column of `T`'s table as `"{prefix}{column}"`.
fn select_prefixed<T: TableDef>(stmt: &mut SelectStatement, prefix: &str) {
    for column in T::Column::iter() {
        stmt.expr_as(
            column.into_expr(),
            Alias::new(format!("{prefix}{}", column.as_str())),
        );
    }
}

/// `members_of`: memberships joined with their users and (optional) profiles.
pub(crate) fn members_of_stmt(organization: Uuid) -> SelectStatement {
    let mut stmt = Query::select();
    select_prefixed::<Members>(&mut stmt, "m_");
    select_prefixed::<Users>(&mut stmt, "u_");
    select_prefixed::<Profiles>(&mut stmt, "p_");
    stmt.from(member::Entity)
        .inner_join(
            user::Entity,
            user::Column::Uuid
                .into_expr()
                .equals(member::Column::UserId.as_column_ref()),
        )
        .left_join(
            profile::Entity,
            profile::Column::UserId
                .into_expr()
                .equals(user::Column::Uuid.as_column_ref()),
        )
        .and_where(member::Column::OrganizationId.into_expr().eq(organization))
        .order_by_expr_with_nulls(
            member::Column::JoinedAt.into_expr(),
            Order::Asc,
            NullOrdering::Last,
        )
        .order_by_expr_with_nulls(
            member::Column::Id.into_expr(),
            Order::Asc,
            NullOrdering::Last,
        );
    stmt
}

/// `members_of`
pub(crate) async fn members_of<C: PgConn>(
    h: &Handle<C>,
    organization: Uuid,
) -> StoreResult<Vec<MemberProfile>> {
    let rows = h
        .conn
        .query_all(&members_of_stmt(organization))
        .await
        .map_err(|e| map_db_err(e, Op::Read))?;
    rows.iter()
        .map(|row| {
            let has_profile = row
                .try_get::<Option<i32>>("p_", "id")
                .map_err(|e| StoreError::internal(format!("user_information: {e}")))?
                .is_some();
            Ok(MemberProfile {
                member: prefixed_model_of::<Members>(row, "m_")?,
                user: prefixed_model_of::<Users>(row, "u_")?,
                information: if has_profile {
                    Some(prefixed_model_of::<Profiles>(row, "p_")?)
                } else {
                    None
                },
            })
        })
        .collect()
}

/// `with_organization`: the user, left-joined with their profile, their membership and its
/// organization, in one statement.
pub(crate) fn user_with_organization_stmt(user: Uuid) -> SelectStatement {
    let mut stmt = Query::select();
    select_prefixed::<Users>(&mut stmt, "u_");
    select_prefixed::<Profiles>(&mut stmt, "p_");
    select_prefixed::<Organizations>(&mut stmt, "o_");
    stmt.from(user::Entity)
        .left_join(
            profile::Entity,
            profile::Column::UserId
                .into_expr()
                .equals(user::Column::Uuid.as_column_ref()),
        )
        .left_join(
            member::Entity,
            member::Column::UserId
                .into_expr()
                .equals(user::Column::Uuid.as_column_ref()),
        )
        .left_join(
            organization::Entity,
            organization::Column::Uuid
                .into_expr()
                .equals(member::Column::OrganizationId.as_column_ref()),
        )
        .and_where(user::Column::Uuid.into_expr().eq(user));
    stmt
}

/// Whether the left-joined row under `prefix` is there (its `id` is not NULL).
fn joined(row: &QueryResult, prefix: &str, table: Table) -> StoreResult<bool> {
    row.try_get::<Option<i32>>(prefix, "id")
        .map(|id| id.is_some())
        .map_err(|e| StoreError::internal(format!("{table}: {e}")))
}

/// `with_organization`
pub(crate) async fn user_with_organization<C: PgConn>(
    h: &Handle<C>,
    user: Uuid,
) -> StoreResult<Option<UserWithOrganizationAndProfile>> {
    let Some(row) = h
        .conn
        .query_one(&user_with_organization_stmt(user))
        .await
        .map_err(|e| map_db_err(e, Op::Read))?
    else {
        return Ok(None);
    };
    let information = if joined(&row, "p_", Profiles::TABLE)? {
        Some(prefixed_model_of::<Profiles>(&row, "p_")?)
    } else {
        None
    };
    let organization = if joined(&row, "o_", Organizations::TABLE)? {
        Some(prefixed_model_of::<Organizations>(&row, "o_")?)
    } else {
        None
    };
    let with_organization = UserWithOrganization {
        user: prefixed_model_of::<Users>(&row, "u_")?,
        organization,
    };
    Ok(Some((with_organization, information)))
}

/// `add_member`: one INSERT.
pub(crate) async fn add_member<C: PgConn>(
    h: &Handle<C>,
    organization: Uuid,
    user: Uuid,
) -> StoreResult<OrganizationMember> {
    crud::insert::<Members, C>(
        h,
        NewOrganizationMember {
            organization_uuid: organization,
            user_uuid: user,
        },
    )
    .await
}

const REMOVE_MEMBER: &str = r#"DELETE FROM "organization_members" WHERE "organization_id" = $1 AND "user_id" = $2 AND NOT EXISTS (SELECT 1 FROM "organizations" WHERE "organizations"."uuid" = $1 AND "organizations"."owner_id" = $2)"#;
const IS_MEMBER: &str =
    r#"SELECT 1 FROM "organization_members" WHERE "organization_id" = $1 AND "user_id" = $2"#;

/// `remove_member`: the membership must exist (`NotFound`), the user must not be the owner
/// (`InvalidInput`), then DELETE. One guarded DELETE does it; when it deletes nothing, a read
/// tells which rule stopped it.
pub(crate) async fn remove_member<C: PgConn>(
    h: &Handle<C>,
    organization: Uuid,
    user: Uuid,
) -> StoreResult<()> {
    let values = || vec![Value::from(organization), Value::from(user)];
    let deleted = guarded!(&h.conn, rows: 1, |c| execute_raw(
        c,
        REMOVE_MEMBER,
        values(),
        Op::Delete
    )
    .await)?;
    if deleted > 0 {
        return Ok(());
    }
    let member =
        crate::ops::raw_statements::query_raw(&h.conn, IS_MEMBER, values(), Op::Read).await?;
    if member.is_empty() {
        return Err(StoreError::not_found(
            Table::OrganizationMembers,
            Lookup::Membership { organization, user },
        ));
    }
    Err(StoreError::invalid(
        "user_id",
        Rule::Invariant("the organization's owner cannot be removed"),
    ))
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::PostgresQueryBuilder;

    use super::*;

    #[test]
    fn members_join_users_and_profiles_with_prefixes() {
        let (s, v) = members_of_stmt(Uuid::nil()).build(PostgresQueryBuilder);
        assert!(s.starts_with(r#"SELECT "organization_members"."id" AS "m_id", "organization_members"."organization_id" AS "m_organization_id""#), "{s}");
        assert!(
            s.contains(r#""user_information"."user_id" AS "p_user_id""#),
            "{s}"
        );
        assert!(s.ends_with(r#"FROM "organization_members" INNER JOIN "users" ON "users"."uuid" = "organization_members"."user_id" LEFT JOIN "user_information" ON "user_information"."user_id" = "users"."uuid" WHERE "organization_members"."organization_id" = $1 ORDER BY "organization_members"."joined_at" ASC NULLS LAST, "organization_members"."id" ASC NULLS LAST"#), "{s}");
        assert_eq!(v.0.len(), 1);
    }

    #[test]
    fn user_with_organization_is_one_statement_of_left_joins() {
        let (s, v) = user_with_organization_stmt(Uuid::nil()).build(PostgresQueryBuilder);
        assert!(s.starts_with(r#"SELECT "users"."id" AS "u_id""#), "{s}");
        assert!(s.contains(r#""user_information"."id" AS "p_id""#), "{s}");
        assert!(s.contains(r#""organizations"."id" AS "o_id""#), "{s}");
        assert!(s.ends_with(r#"FROM "users" LEFT JOIN "user_information" ON "user_information"."user_id" = "users"."uuid" LEFT JOIN "organization_members" ON "organization_members"."user_id" = "users"."uuid" LEFT JOIN "organizations" ON "organizations"."uuid" = "organization_members"."organization_id" WHERE "users"."uuid" = $1"#), "{s}");
        assert_eq!(v.0.len(), 1);
    }

    #[test]
    fn organization_of_goes_through_the_membership() {
        let (s, _) = organization_of_stmt(Uuid::nil()).build(PostgresQueryBuilder);
        assert!(s.ends_with(r#"FROM "organizations" WHERE "organizations"."uuid" IN (SELECT "organization_id" FROM "organization_members" WHERE "user_id" = $1)"#), "{s}");
    }
}
