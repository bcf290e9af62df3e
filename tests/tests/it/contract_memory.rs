//! The contract suite on the in-memory adapter (no server needed).

use std::sync::Arc;

use containerpub_memory::MemoryStore;
use containerpub_tests::contract::{self, Fixture};

/// A fresh, empty in-memory store whose clock is the fixture's manual clock.
async fn memory_fixture() -> Fixture<MemoryStore> {
    let clock = contract::start_clock();
    Fixture::new(MemoryStore::with_clock(Arc::new(clock.clone())), clock)
}

containerpub_tests::contract_suite!(memory_fixture);
