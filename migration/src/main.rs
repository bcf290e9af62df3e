//! `migration` CLI.
fn main() {}
