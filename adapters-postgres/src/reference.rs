//! [`Ref`]s (a row by internal id or by uuid) in statements: the uuid is resolved by the
//! statement that reads the rows, never by a round trip of its own.
//!
//! - A row of the table itself ([`find_by_ref`]): `WHERE id = $1` or `WHERE uuid = $1`.
//! - Rows referring to a row of another table ([`refers_to`]): for an id, the filter
//!   `column = $id`, the statement the id form always ran; for a uuid, the condition
//!   `column IN (SELECT id FROM parent WHERE [deleted_at IS NULL AND] uuid = $n)`. The
//!   subquery sees live rows only where the parent soft-deletes, as every read does; a uuid
//!   no row has matches nothing, as an id no row has.

use containerpub_domain::Uuid;
use containerpub_ports::{Entity, Field, Filter, Ref, StoreResult, Value, WithUuid};
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Expr, ExprTrait, SelectStatement};

use crate::conn::PgConn;
use crate::crud;
use crate::handle::Handle;
use crate::sql::{col, constant, select_all};
use crate::table::TableDef;

/// Which rows of `T` a reference to a row of another table selects: `filter` (typed) and,
/// for a uuid, the subquery condition `within`.
pub(crate) struct Scope<F> {
    /// The typed part (`column = id`, or `Filter::All` for a uuid).
    pub(crate) filter: Filter<F>,
    /// `column IN (SELECT id FROM parent WHERE … uuid = $n)` for a uuid.
    pub(crate) within: Option<Expr>,
}

/// The rows of `T` whose `field` refers to the row of `P` that `r` names.
pub(crate) fn refers_to<T: TableDef, P: TableDef>(
    field: T::Field,
    r: Ref<P::Domain>,
) -> Scope<T::Field>
where
    P::Domain: WithUuid,
    <P::Domain as Entity>::Id: Into<Value>,
{
    match r {
        Ref::Id(id) => Scope {
            filter: Filter::eq(field, id),
            within: None,
        },
        Ref::Uuid(uuid) => Scope {
            filter: Filter::All,
            within: Some(match id_of_uuid::<P>(uuid) {
                Some(ids) => col::<T>(field).in_subquery(ids),
                None => constant(false),
            }),
        },
    }
}

/// `SELECT id FROM P WHERE [deleted_at IS NULL AND] uuid = $1`; `None` for a table without
/// a uuid column.
fn id_of_uuid<P: TableDef>(uuid: Uuid) -> Option<SelectStatement> {
    let uuid_column = P::uuid_column()?;
    let mut stmt = select_all::<P>();
    stmt.clear_selects();
    stmt.expr(col::<P>(P::Field::ID));
    stmt.and_where(uuid_column.into_expr().eq(uuid));
    Some(stmt)
}

/// The row `r` names (live rows only where the table soft-deletes), in one statement.
pub(crate) async fn find_by_ref<T: TableDef, C: PgConn>(
    h: &Handle<C>,
    r: Ref<T::Domain>,
) -> StoreResult<Option<T::Domain>>
where
    T::Domain: WithUuid<Id = T::Id>,
{
    match r {
        Ref::Id(id) => crud::find_by_id::<T, C>(h, id).await,
        Ref::Uuid(uuid) => crud::find_by_uuid::<T, C>(h, uuid).await,
    }
}

#[cfg(test)]
mod tests {
    use containerpub_domain::{User, UserId};
    use containerpub_ports::FunctionField;
    use sea_orm::sea_query::PostgresQueryBuilder;

    use super::*;
    use crate::table::{Functions, Users};

    #[test]
    fn an_id_is_the_plain_filter_and_a_uuid_a_subquery_in_the_same_statement() {
        let by_id =
            refers_to::<Functions, Users>(FunctionField::UserId, Ref::<User>::Id(UserId::new(3)));
        assert_eq!(by_id.filter, FunctionField::UserId.eq(UserId::new(3)));
        assert!(by_id.within.is_none());

        let uuid = Uuid::from_u128(5);
        let by_uuid = refers_to::<Functions, Users>(FunctionField::UserId, Ref::<User>::uuid(uuid));
        assert_eq!(by_uuid.filter, Filter::All);
        let mut stmt = select_all::<Functions>();
        stmt.and_where(by_uuid.within.expect("a uuid is a subquery"));
        let (sql, values) = stmt.build(PostgresQueryBuilder);
        assert!(
            sql.ends_with(r#"WHERE "functions"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."uuid" = $1)"#),
            "{sql}"
        );
        assert_eq!(values.0.len(), 1);
    }
}
