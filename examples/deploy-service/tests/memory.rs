//! The deploy service on the in-memory store: the same scenarios as on PostgreSQL, no setup.

mod common;

use containerpub_memory::MemoryStore;

#[tokio::test]
async fn deploys_twice() {
    common::deploys_twice(MemoryStore::new()).await;
}

#[tokio::test]
async fn an_unknown_owner_writes_nothing() {
    common::an_unknown_owner_writes_nothing(MemoryStore::new()).await;
}
