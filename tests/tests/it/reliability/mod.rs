//! Reliability under concurrency, cancellation and server faults (tracker issue 7).
//!
//! - [`concurrency`]: scenarios 1–5, 32 concurrent tasks, on both adapters, with autocommit
//!   calls and with each call in a transaction of its own;
//! - [`cancellation`]: scenarios 6–8, dropped futures and timeouts, and writes dropped inside
//!   a transaction (PostgreSQL);
//! - [`faults`]: scenarios 9–11, server restart and stop on a throwaway cluster, and pool
//!   exhaustion (PostgreSQL);
//! - [`batches`]: scenario 12, batch atomicity and the failing row's index, on both adapters.
//!
//! Every scenario is bounded in time and loop count and uses loopback addresses only; every
//! database and cluster is dropped by the harness, also when a scenario panics.

mod batches;
mod cancellation;
mod concurrency;
mod faults;
mod support;
