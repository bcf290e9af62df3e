//! The README's "Testing an application" example is the kit's doctest (which
//! `cargo test --workspace` compiles and runs): the two must stay equal.

use std::path::Path;

/// The lines of the first fenced block of `lang` after the line `heading` in `text`.
fn block_after(text: &str, heading: &str, lang: &str) -> Vec<String> {
    let mut lines = text.lines().skip_while(|l| l.trim_end() != heading).skip(1);
    let fence = format!("```{lang}");
    lines.find(|l| l.trim_end() == fence);
    lines
        .take_while(|l| l.trim_end() != "```")
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_readme_example_is_the_kit_doctest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../README.md")).expect("README.md");
    let shown = block_after(&readme, "## Testing an application", "rust");
    assert!(shown.len() > 10, "no rust block in the README's section");

    let kit = std::fs::read_to_string(root.join("src/kit.rs")).expect("src/kit.rs");
    let docs: String = kit
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| format!("{}\n", l.strip_prefix(' ').unwrap_or(l)))
        .collect();
    let tested: Vec<String> = block_after(&docs, "In an async test (`#[tokio::test]`):", "")
        .into_iter()
        .filter(|l| !(l.starts_with("# ") || l == "#"))
        .collect();
    assert_eq!(shown, tested);
}
