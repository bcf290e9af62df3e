//! `docs/APPLICATIONS.md` shows only code that is compiled and run: each of its code blocks
//! must be preceded by `<!-- verbatim: <path> -->` and be a verbatim excerpt of that file of
//! the repository (the example application in `examples/deploy-service/`, which CI builds and
//! tests, or `.ci/run`).

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is in the repository")
        .to_path_buf()
}

/// Each code block of `markdown`: the path its marker names (if any), its first line's
/// number, and its text.
fn blocks(markdown: &str) -> Vec<(Option<String>, usize, String)> {
    let mut found = Vec::new();
    let mut marker = None;
    let mut open: Option<(Option<String>, usize, Vec<&str>)> = None;
    for (number, line) in markdown.lines().enumerate() {
        if let Some((path, start, mut text)) = open.take() {
            if line.trim_start().starts_with("```") {
                found.push((path, start, text.join("\n")));
            } else {
                text.push(line);
                open = Some((path, start, text));
            }
        } else if line.trim_start().starts_with("```") {
            open = Some((marker.take(), number + 1, Vec::new()));
        } else if let Some(path) = line
            .strip_prefix("<!-- verbatim: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        {
            marker = Some(path.to_owned());
        } else if !line.trim().is_empty() {
            marker = None;
        }
    }
    assert!(open.is_none(), "a code block is not closed");
    found
}

#[test]
fn every_code_block_of_the_application_guide_is_an_excerpt_of_the_example() {
    let guide = std::fs::read_to_string(repo().join("docs/APPLICATIONS.md")).expect("the guide");
    let blocks = blocks(&guide);
    let mut files = Vec::new();
    for (path, line, text) in &blocks {
        let path = path.as_ref().unwrap_or_else(|| {
            panic!("docs/APPLICATIONS.md:{line}: a code block without `<!-- verbatim: <path> -->`")
        });
        let source = std::fs::read_to_string(repo().join(path))
            .unwrap_or_else(|err| panic!("docs/APPLICATIONS.md:{line}: {path}: {err}"));
        assert!(
            source.contains(text.as_str()),
            "docs/APPLICATIONS.md:{line}: the block is not a verbatim excerpt of {path}:\n{text}"
        );
        files.push(path.as_str());
    }
    // The guide shows the service, the error mapping, and a test on each kind of store.
    for needed in [
        "examples/deploy-service/src/service.rs",
        "examples/deploy-service/src/http.rs",
        "examples/deploy-service/tests/mocks.rs",
        "examples/deploy-service/tests/memory.rs",
        "examples/deploy-service/tests/postgres.rs",
    ] {
        assert!(
            files.contains(&needed),
            "the guide shows nothing of {needed}"
        );
    }
}

#[test]
fn code_blocks_are_found_with_their_markers_and_lines() {
    let markdown = "<!-- verbatim: a.rs -->\n```rust\nfn a() {}\n```\n\ntext\n```sh\nls\n```\n";
    assert_eq!(
        blocks(markdown),
        vec![
            (Some("a.rs".to_owned()), 2, "fn a() {}".to_owned()),
            (None, 7, "ls".to_owned()),
        ]
    );
}
