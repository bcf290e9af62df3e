//! Reliability under concurrency, cancellation and server faults.
//!
//! - scenarios 1–5, 32 concurrent tasks on both adapters, are contract scenarios
//!   (`containerpub_tests::contract::storm_*`);
//! - [`cancellation`]: scenarios 6–8, dropped futures and timeouts, and writes dropped inside
//!   a transaction (PostgreSQL);
//! - [`faults`]: scenarios 9–11, server restart and stop on a throwaway cluster, and pool
//!   exhaustion (PostgreSQL);
//! - [`batches`]: scenario 12, batch atomicity and the failing row's index, on both adapters;
//! - [`outcomes`], [`conflicts`]: faults and hostile callers: a commit whose reply
//!   is lost (through the fault-injecting [`proxy`]), deadlock victims; [`raw_guard`]: raw
//!   SQL that would poison a pooled connection or a transaction; [`raw_lexing`]: backslashes
//!   under `standard_conforming_strings = off`; [`secrets`]: hostile URLs;
//!   [`schema_change`]: `ADD COLUMN` on every table while the pool is warm; [`limits`]:
//!   filter depth and size, unlimited reads, batch size, session timeouts.
//!
//! Every scenario is bounded in time and loop count and uses loopback addresses only; every
//! database and cluster is dropped by the harness, also when a scenario panics.

mod batches;
mod cancellation;
mod conflicts;
mod faults;
mod limits;
mod outcomes;
mod proxy;
mod raw_guard;
mod raw_lexing;
mod schema_change;
mod secrets;
mod support;
