//! ContainerPub test support: contract suite and PostgreSQL harness.

pub mod contract;
pub mod pg;
