//! # containerpub-ports
//!
//! The store contracts of the ContainerPub persistence layer, implemented by
//! `containerpub-memory` (the reference model) and `containerpub-postgres` (production):
//!
//! - the generic store traits [`Reader`], [`UuidReader`], [`Writer`] and [`Store`], written
//!   once over the [`Entity`], and per entity small role traits that add its domain
//!   operations ([`UserReader`], [`UserWriter`], [`UserStore`], …), each method's contract in
//!   its doc (`# Errors`);
//! - [`Ref`]: a row by internal id or by public uuid, taken by the operations an API
//!   reaches by uuid (a function's details, logs, statistics, an owner's functions, …);
//! - typed queries ([`Query`], [`Filter`], [`Sort`], offset [`PageRequest`]s and keyset
//!   [`KeysetRequest`]s with opaque [`Cursor`]s): no column name or SQL is taken from a string;
//! - for adapter authors only, [`support`] (the keyset plan, records, the effective sort);
//! - the unit of work ([`Stores`] and its [`StoreSet`], [`UnitOfWork`], [`Transaction`],
//!   [`UnitOfWorkExt`]);
//! - one error type, [`StoreError`], meaning the same in every adapter;
//! - with feature `mock`, mockall mocks of every store (`MockStore<E>`, `MockUserStore`, …),
//!   of the generic traits (`MockReader<E>`, `MockWriter<E>`), `mock::MockStores`, the mocked
//!   unit of work `mock::MockDatabase`, and the domain's test builders (`mock::testing`).
//!
//! No database type appears here.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod aborted;
pub mod catalog;
mod cursor;
pub mod dyn_store;
pub mod entity;
pub mod error;
pub mod fields;
pub mod find_or_insert;
mod forward;
pub mod keys;
#[cfg(any(test, feature = "mock"))]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;
pub mod prelude;
pub mod query;
pub mod reference;
pub mod repository_tree;
pub mod store_set;
pub mod stores;
pub mod support;
#[cfg(test)]
mod tests;
pub mod uow;
pub mod upsert_columns;

pub use aborted::{CANCELLED_WRITE, OUT_OF_ORDER_END, TX_ENDED, TX_UNUSABLE};
pub use catalog::{
    CheckConstraint, Column, ForeignKey, HiddenColumn, OnDelete, Predicate, Table, Target,
    UniqueKey,
};
pub use dyn_store::{DynStore, DynTransaction};
pub use entity::{Entity, WithUuid};
pub use error::{Cause, InvalidInput, Lookup, SCHEMA_FIX, StoreError, StoreResult};
pub use fields::*;
pub use find_or_insert::{Found, KeyFilter, find_or_insert_with};
pub use keys::*;
#[cfg(any(test, feature = "mock"))]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub use mock::{
    MockDeploymentStore, MockFunctionStore, MockInvocationStore, MockLogStore,
    MockOrganizationMemberStore, MockOrganizationStore, MockRepositoryStore, MockStore,
    MockUserInformationStore, MockUserStore,
};
pub use query::{
    CaseInsensitive, CmpOp, Cursor, Direction, Field, Filter, KeysetRequest, MAX_FILTER_DEPTH,
    MAX_FILTER_SIZE, MAX_PAGE_SIZE, MAX_UNLIMITED_ROWS, PageRequest, Query, Sort, TextOp, Value,
    ValueKind, Window, fold_case,
};
pub use reference::Ref;
pub use repository_tree::create_with_parents;
pub use store_set::StoreSet;
pub use stores::*;
pub use uow::{BoxFuture, Retryable, Stores, Transaction, UnitOfWork, UnitOfWorkExt};
pub use upsert_columns::UserColumn;

pub use async_trait::async_trait;
pub use containerpub_domain as domain;
