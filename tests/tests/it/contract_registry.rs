//! The contract suite's list cannot silently miss a scenario: every `pub async fn` of
//! `tests/src/contract/` that takes a `Fixture` is in [`SCENARIOS`] (the list every
//! `contract_suite!` run expands), and the list names nothing else, each name once.

use std::collections::BTreeSet;
use std::path::Path;

use containerpub_tests::contract::SCENARIOS;

/// The names of the `pub async fn`s with a `Fixture` parameter in one source file (only
/// items: a line that starts with `pub async fn`, so doc comments do not count).
fn scenarios_in(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some(rest) = line.strip_prefix("pub async fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // The parameters may wrap onto the next lines.
        let item = &source[start..];
        let params = item.find('(').map_or("", |open| {
            let close = item[open..].find(')').map_or(item.len(), |c| open + c);
            &item[open..close]
        });
        if params.contains("Fixture<") {
            found.push(name);
        }
    }
    found
}

#[test]
fn every_scenario_is_registered_once() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/contract");
    let mut defined = BTreeSet::new();
    for entry in std::fs::read_dir(&folder).expect("read src/contract") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).expect("read a scenario file");
            for name in scenarios_in(&source) {
                assert!(defined.insert(name.clone()), "{name} is defined twice");
            }
        }
    }
    let mut listed = BTreeSet::new();
    for name in SCENARIOS {
        assert!(listed.insert((*name).to_owned()), "{name} is listed twice");
    }
    let missing: Vec<_> = defined.difference(&listed).collect();
    let unknown: Vec<_> = listed.difference(&defined).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "contract_suite!'s list is out of date: add {missing:?}, remove {unknown:?}"
    );
    assert!(
        defined.len() >= 70,
        "the scan found only {} scenarios",
        defined.len()
    );
}

#[test]
fn the_scan_finds_scenarios_and_skips_helpers() {
    let source = "pub async fn a<U: ContractStore>(fx: Fixture<U>) {}\n\
                  pub async fn wrapped<U: ContractStore>(\n    fx: Fixture<U>,\n) {}\n\
                  pub async fn helper(db: &S) -> Fixture<U> {}\n\
                  pub(crate) async fn b<U: ContractStore>(fx: Fixture<U>) {}\n\
                  //! `pub async fn c<U: ContractStore>(fx: Fixture<U>)` in a doc comment\n";
    assert_eq!(scenarios_in(source), ["a", "wrapped"]);
}
