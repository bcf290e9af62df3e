//! The README's "JSON on the wire" example is a golden file, so it is checked too.

use std::path::Path;

#[test]
fn the_readme_example_is_the_golden_non_owner_view() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let section = readme
        .split("\n## JSON on the wire\n")
        .nth(1)
        .expect("the section");
    let example = section
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a JSON example");
    let golden = std::fs::read_to_string(
        root.join("dto/tests/golden/organization_with_members_non_owner.json"),
    )
    .expect("the golden file");
    assert_eq!(example, golden);
}
