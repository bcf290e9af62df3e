//! The single integration-test binary of `containerpub-tests`.
//!
//! Each module is one area; PostgreSQL tests get a fresh database each from the harness in
//! `containerpub_tests::pg`.

mod adoption;
mod bench_smoke;
mod ci_index;
mod contract_memory;
mod contract_pg;
mod contract_registry;
mod differential;
mod errors;
mod kit;
mod postgres_smoke;
mod reliability;
mod replicas;
mod schema;
