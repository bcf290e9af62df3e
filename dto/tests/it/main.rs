//! The `containerpub-dto` tests: the golden JSON files (written by hand from `docs/WIRE-FORMAT.md`,
//! compared as exact text), the leak detector over every DTO, the privacy rule, and the
//! conventions every DTO shares.

mod conventions;
mod every;
mod fixtures;
mod from_entity;
mod golden;
mod leaks;
mod privacy;
mod readme;
