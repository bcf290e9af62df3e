//! Reliability under concurrency, cancellation and server faults (tracker issue 7).
//!
//! - [`concurrency`]: scenarios 1–5, 32 concurrent tasks, on both adapters, with autocommit
//!   calls and with each call in a transaction of its own;
//! - [`cancellation`]: scenarios 6–8, dropped futures and timeouts, and writes dropped inside
//!   a transaction (PostgreSQL);
//! - [`faults`]: scenarios 9–11, server restart and stop on a throwaway cluster, and pool
//!   exhaustion (PostgreSQL);
//! - [`batches`]: scenario 12, batch atomicity and the failing row's index, on both adapters;
//! - [`outcomes`], [`conflicts`]: issue 19 (faults and hostile callers): a commit whose reply
//!   is lost (through the fault-injecting [`proxy`]), deadlock victims; [`raw_guard`]: raw
//!   SQL that would poison a pooled connection or a transaction; [`secrets`]: hostile URLs.
//!
//! Every scenario is bounded in time and loop count and uses loopback addresses only; every
//! database and cluster is dropped by the harness, also when a scenario panics.

mod batches;
mod cancellation;
mod concurrency;
mod conflicts;
mod faults;
mod outcomes;
mod proxy;
mod raw_guard;
mod secrets;
mod support;
