//! # containerpub-ports
//!
//! The store contracts of the ContainerPub persistence layer, implemented by
//! `containerpub-memory` (the reference model) and `containerpub-postgres` (production):
//!
//! - per entity, a reader, a writer and a store that is both ([`UserReader`],
//!   [`UserWriter`], [`UserStore`], …), each method's contract in its doc (`# Errors`);
//! - typed queries ([`Query`], [`Filter`], [`Sort`], offset [`PageRequest`]s and keyset
//!   [`KeysetRequest`]s with opaque [`Cursor`]s): no column name or SQL is taken from a string;
//! - for adapter authors only, [`support`] (the keyset plan, records, the effective sort);
//! - the unit of work ([`Stores`], [`UnitOfWork`], [`Transaction`], [`UnitOfWorkExt`]);
//! - one error type, [`StoreError`], meaning the same in every adapter;
//! - with feature `mock`, mockall mocks of every store trait and `mock::MockStores`.
//!
//! No database type appears here.

pub mod aborted;
mod cursor;
pub mod error;
pub mod fields;
pub mod find_or_insert;
pub mod keys;
#[cfg(any(test, feature = "mock"))]
#[allow(missing_docs)]
pub mod mock;
pub mod query;
pub mod repository_tree;
pub mod stores;
pub mod support;
#[cfg(test)]
mod tests;
pub mod uow;
pub mod upsert_columns;

pub use aborted::{CANCELLED_WRITE, TX_UNUSABLE};
pub use error::{
    CheckConstraint, ForeignKey, InvalidInput, StoreError, StoreResult, Table, UniqueKey,
};
pub use fields::*;
pub use find_or_insert::{Found, KeyFilter, find_or_insert_with};
pub use keys::*;
pub use query::{
    CaseInsensitive, CmpOp, Cursor, Direction, Field, Filter, KeysetRequest, MAX_FILTER_DEPTH,
    MAX_FILTER_SIZE, MAX_PAGE_SIZE, MAX_UNLIMITED_ROWS, PageRequest, Query, Sort, TextOp, Value,
    ValueKind, Window, fold_case,
};
pub use repository_tree::create_with_parents;
pub use stores::*;
pub use uow::{BoxFuture, Retryable, Stores, Transaction, UnitOfWork, UnitOfWorkExt};
pub use upsert_columns::UserColumn;

pub use async_trait::async_trait;
pub use containerpub_domain as domain;
