//! SeaORM entities of the nine tables: private to the crate, mapped to and from the domain
//! types in [`crate::table`]. They mirror the migration's DDL column for column.
//!
//! The relations are not declared: every join this adapter runs is written out explicitly.

pub(crate) mod deployment;
pub(crate) mod function;
pub(crate) mod invocation;
pub(crate) mod log;
pub(crate) mod member;
pub(crate) mod organization;
pub(crate) mod profile;
pub(crate) mod repository;
pub(crate) mod user;
