//! ContainerPub test support: contract suite, fixtures and PostgreSQL harness.

pub mod contract;
pub mod fixture;
pub mod pg;
pub mod storm;
