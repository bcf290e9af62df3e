//! [`Ref`]s (a row by internal id or by uuid), resolved in the snapshot of the read that takes
//! them, as the PostgreSQL adapter resolves them in the statement: an id is used as it is; a
//! uuid names the visible row holding it (soft-deleted rows are not
//! visible), and a uuid no visible row holds selects nothing, as an id no row has.

use containerpub_ports::support::Record;
use containerpub_ports::{Entity, Field, Filter, Ref, Value, WithUuid};

use crate::crud;
use crate::db::Db;
use crate::table::TableDef;

/// The filter "`field` refers to the row of `P` that `r` names": `field = id`; for a uuid,
/// `field = <its row's id>`, or `field IN ()` (nothing) when no visible row holds it.
pub(crate) fn refers_to<P: TableDef, F: Field>(db: &Db, field: F, r: Ref<P::Row>) -> Filter<F>
where
    P::Row: WithUuid,
    <P::Row as Entity>::Id: Into<Value>,
{
    match r {
        Ref::Id(id) => Filter::eq(field, id),
        Ref::Uuid(uuid) => match crud::find_by_uuid::<P>(db, &uuid) {
            Some(row) => Filter::eq(field, row.get(<P::Row as Record>::Field::ID)),
            None => Filter::In {
                field,
                values: Vec::new(),
            },
        },
    }
}

/// The visible row `r` names.
pub(crate) fn find_by_ref<T: TableDef>(db: &Db, r: Ref<T::Row>) -> Option<T::Row>
where
    T::Row: WithUuid,
    <T::Row as Entity>::Id: Into<Value>,
{
    match r {
        Ref::Id(id) => match id.into() {
            Value::Int(id) => crud::find_by_id::<T>(db, id),
            _ => None,
        },
        Ref::Uuid(uuid) => crud::find_by_uuid::<T>(db, &uuid),
    }
}
