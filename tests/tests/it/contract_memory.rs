//! The contract suite on the in-memory adapter (no server needed).

use containerpub_tests::contract::Fixture;

containerpub_tests::contract_suite!(|| async { Fixture::memory() });
