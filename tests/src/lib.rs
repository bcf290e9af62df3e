//! ContainerPub test support: contract suite, fixtures and PostgreSQL harness, and the
//! application test kit.
//!
//! # Testing an application
//! [`kit`] gives an application's tests what this project's tests have: a migrated
//! PostgreSQL database per test ([`kit::TestDatabase`], dropped on drop) with SQL fixtures
//! from the application's folder, and [`kit::on_both`], which runs one test body on a fresh
//! in-memory store and on a fresh PostgreSQL database and names the adapter that failed. The
//! crate is not published: applications take it as a path or git dev-dependency (see
//! [`kit`]).

pub mod contract;
pub mod fixture;
pub mod kit;
pub mod pg;
pub mod storm;
