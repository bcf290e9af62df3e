//! What the scenarios share beside the fixtures: the expected errors, the all-rows query,
//! and the crate's fixtures ([`crate::fixture`]) re-exported, so a scenario imports both from
//! one place.

use containerpub_domain::Uuid;
use containerpub_ports::{
    Filter, ForeignKey, InvalidInput, Lookup, Query, StoreError, Table, UniqueKey,
};

pub(crate) use crate::fixture::*;

/// `Conflict` on this unique key.
pub(crate) fn conflict(key: UniqueKey) -> StoreError {
    StoreError::Conflict { key }
}

/// `ReferenceMissing` on this foreign key.
pub(crate) fn missing(key: ForeignKey) -> StoreError {
    StoreError::ReferenceMissing { key }
}

/// `NotFound` in this table, looked up by internal id (whose value it does not name).
pub(crate) fn not_found(table: Table) -> StoreError {
    StoreError::NotFound {
        table,
        key: Lookup::Id,
    }
}

/// `NotFound` in `organization_members`: no membership of this user in this organization.
pub(crate) fn no_membership(organization: Uuid, user: Uuid) -> StoreError {
    StoreError::NotFound {
        table: Table::OrganizationMembers,
        key: Lookup::Membership { organization, user },
    }
}

/// Asserts that `err` is `InvalidInput` for `field`, without a row index.
#[track_caller]
pub(crate) fn assert_invalid(err: &StoreError, field: &str) {
    match err {
        StoreError::InvalidInput(InvalidInput {
            field: got,
            index: None,
            ..
        }) if *got == field => {}
        other => panic!("expected InvalidInput for field {field:?}, got {other:?}"),
    }
}

/// Every row of a query, in id order.
pub(crate) fn all<F: containerpub_ports::Field>() -> Query<F> {
    Query::filter(Filter::All)
}
