//! Property tests ("fuzz targets") of the parsers of outside input in this module:
//! [`Email::parse`] and [`RepositoryPath::parse`], each at 10,000 cases (`PROPTEST_CASES`
//! overrides). Failures shrink and are saved under `tests/proptest-regressions/`.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use super::*;

fn config(file: &'static str) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..ProptestConfig::default()
    }
}

/// Pieces hostile input is made of: ASCII, case, separators, whitespace of every kind,
/// control characters, NUL, multi-byte and combining characters, characters whose lowercase
/// form is longer or context-dependent.
const PIECES: &[&str] = &[
    "a",
    "Z",
    "0",
    "9",
    ".",
    "_",
    "-",
    "@",
    "/",
    "+",
    "%",
    "'",
    "\"",
    "\\",
    " ",
    "\t",
    "\n",
    "\r",
    "\u{0}",
    "\u{1}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{3000}",
    "\u{feff}",
    "é",
    "e\u{301}",
    "ß",
    "İ",
    "Σ",
    "ΑΣ",
    "ǅ",
    "Å",
    "K",
    "😀",
    "👩\u{200d}👩\u{200d}👧",
    "中",
    "x.io",
    "EXAMPLE.COM",
    "..",
    "@@",
];

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(prop::sample::select(PIECES), 0..12).prop_map(|p| p.concat()),
        // Near the length limit: a prefix, a run of one piece, a suffix.
        (
            prop::sample::select(PIECES),
            prop::sample::select(&["a", "é", "😀", "A"][..]),
            240usize..260,
            prop::sample::select(PIECES),
        )
            .prop_map(|(head, run, n, tail)| format!("{head}{}{tail}", run.repeat(n))),
    ]
}

// ---------------------------------------------------------------------------------------
// E-mail addresses

/// An independent statement of the e-mail rules, on the trimmed, lowercased text.
fn email_oracle(input: &str) -> Result<String, Rule> {
    let v = input.trim().to_lowercase();
    if v.is_empty() {
        return Err(Rule::Empty);
    }
    if v.contains('\0') {
        return Err(Rule::NulCharacter);
    }
    let n = v.chars().count();
    if n > Email::MAX_LEN {
        return Err(Rule::TooLong {
            max: Email::MAX_LEN,
            actual: n,
        });
    }
    let shape = Rule::Format("an address like name@example.com");
    if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(shape);
    }
    let ats = v.chars().filter(|&c| c == '@').count();
    let Some(at) = v.find('@') else {
        return Err(shape);
    };
    let (local, domain) = (&v[..at], &v[at + 1..]);
    if ats != 1 || local.is_empty() {
        return Err(shape);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return Err(shape);
    }
    Ok(v)
}

fn email_like() -> impl Strategy<Value = String> {
    let part =
        || prop::collection::vec(prop::sample::select(PIECES), 0..5).prop_map(|p| p.concat());
    prop_oneof![
        hostile(),
        (
            part(),
            part(),
            part(),
            prop::sample::select(&["", " ", "\t", "\u{3000}"][..])
        )
            .prop_map(|(l, d, t, pad)| format!("{pad}{l}@{d}.{t}{pad}")),
        // Exactly at and one past the limit, after trimming.
        (0usize..3, prop::sample::select(&["a", "A", "é", "İ"][..])).prop_map(|(extra, c)| {
            let domain = "@example.com";
            format!(
                " {}{domain} ",
                c.repeat(Email::MAX_LEN - domain.len() - 1 + extra)
            )
        }),
    ]
}

proptest! {
    #![proptest_config(config(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/proptest-regressions/domain-email.txt"
    )))]

    /// Never panics; accepts exactly what the rules accept; an accepted address is at most
    /// 255 characters, holds no whitespace or control character, and its normalised form
    /// parses to itself.
    #[test]
    fn email_parse(input in email_like()) {
        let got = Email::parse(&input);
        match (&got, email_oracle(&input)) {
            (Ok(email), Ok(expected)) => {
                let s = email.as_str();
                prop_assert_eq!(s, expected.as_str());
                prop_assert!(s.chars().count() <= Email::MAX_LEN);
                prop_assert!(!s.chars().any(|c| c.is_whitespace() || c.is_control()));
                prop_assert_eq!(s.matches('@').count(), 1);
                prop_assert_eq!(Email::parse(s), Ok(email.clone()));
                prop_assert_eq!(s.parse::<Email>(), Ok(email.clone()));
            }
            (Err(err), Err(rule)) => {
                prop_assert_eq!(err.field, "email");
                prop_assert_eq!(&err.rule, &rule);
            }
            (got, expected) => {
                prop_assert!(false, "{:?}: got {:?}, rules say {:?}", input, got, expected);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Repository paths

/// An independent recogniser of `[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*`:
/// a state machine over characters (not bytes), no splitting.
fn path_grammar(input: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        /// At the start of a segment: an alphanumeric must follow.
        SegmentStart,
        /// After an alphanumeric.
        Word,
        /// After a separator inside a segment: an alphanumeric must follow.
        Separator,
    }
    let mut state = State::SegmentStart;
    for c in input.chars() {
        let alnum = c.is_ascii_lowercase() || c.is_ascii_digit();
        state = match (state, c) {
            (_, _) if alnum => State::Word,
            (State::Word, '.' | '_' | '-') => State::Separator,
            (State::Word, '/') => State::SegmentStart,
            _ => return false,
        };
    }
    state == State::Word
}

fn path_oracle(input: &str) -> Result<(), Rule> {
    if input.is_empty() {
        return Err(Rule::Empty);
    }
    if input.contains('\0') {
        return Err(Rule::NulCharacter);
    }
    let n = input.chars().count();
    if n > RepositoryPath::MAX_LEN {
        return Err(Rule::TooLong {
            max: RepositoryPath::MAX_LEN,
            actual: n,
        });
    }
    if !path_grammar(input) {
        return Err(Rule::Format(
            "segments of [a-z0-9]+([._-][a-z0-9]+)* joined by '/'",
        ));
    }
    Ok(())
}

/// Valid paths built from the grammar itself.
fn valid_path() -> impl Strategy<Value = String> {
    let word = "[a-z0-9]{1,6}";
    let segment = (word, prop::collection::vec(("[._-]", word), 0..3)).prop_map(|(w, rest)| {
        rest.into_iter()
            .fold(w, |acc, (sep, w)| format!("{acc}{sep}{w}"))
    });
    prop::collection::vec(segment, 1..5).prop_map(|segments| segments.join("/"))
}

const PATH_PIECES: &[&str] = &[
    "a", "z", "0", "9", ".", "_", "-", "/", "//", "A", "é", " ", "\u{0}", "ａ", "١", "ß",
];

fn path_like() -> impl Strategy<Value = String> {
    prop_oneof![
        hostile(),
        valid_path(),
        prop::collection::vec(prop::sample::select(PATH_PIECES), 0..16).prop_map(|p| p.concat()),
        // A valid path with one character replaced, inserted or removed.
        (
            valid_path(),
            any::<prop::sample::Index>(),
            prop::sample::select(PATH_PIECES),
            0u8..3
        )
            .prop_map(|(p, at, piece, how)| {
                let chars: Vec<char> = p.chars().collect();
                let i = at.index(chars.len() + 1);
                let (head, tail) = chars.split_at(i);
                let head: String = head.iter().collect();
                let tail: String = tail.iter().collect();
                match how {
                    0 => format!("{head}{piece}{tail}"),
                    1 => format!("{head}{piece}{}", tail.chars().skip(1).collect::<String>()),
                    _ => format!("{head}{}", tail.chars().skip(1).collect::<String>()),
                }
            }),
        // Around the 255-character limit.
        (1usize..4, 250usize..260).prop_map(|(segments, len)| {
            let each = len / segments;
            let mut p = vec!["a".repeat(each.saturating_sub(1).max(1)); segments].join("/");
            while p.len() < len {
                p.push('b');
            }
            p
        }),
    ]
}

proptest! {
    #![proptest_config(config(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/proptest-regressions/domain-repository-path.txt"
    )))]

    /// Never panics; accepted exactly when the independent recogniser accepts, with the
    /// same rule when rejected; an accepted path is stored as given and its parts agree.
    #[test]
    fn repository_path_parse(input in path_like()) {
        let got = RepositoryPath::parse(&input);
        match (&got, path_oracle(&input)) {
            (Ok(path), Ok(())) => {
                prop_assert_eq!(path.as_str(), input.as_str());
                prop_assert!(path.as_str().len() <= RepositoryPath::MAX_LEN);
                prop_assert_eq!(path.depth(), input.split('/').count());
                prop_assert_eq!(path.name(), input.rsplit('/').next().unwrap_or_default());
                match path.parent() {
                    None => prop_assert_eq!(path.depth(), 1),
                    Some(parent) => {
                        prop_assert!(path.is_below(&parent));
                        prop_assert_eq!(format!("{parent}/{}", path.name()), input.clone());
                        prop_assert_eq!(RepositoryPath::parse(parent.as_str()), Ok(parent.clone()));
                    }
                }
                prop_assert!(!path.is_below(path));
            }
            (Err(err), Err(rule)) => {
                prop_assert_eq!(err.field, "path");
                prop_assert_eq!(&err.rule, &rule);
            }
            (got, expected) => {
                prop_assert!(false, "{:?}: got {:?}, grammar says {:?}", input, got, expected);
            }
        }
    }

    /// Every path built from the grammar is accepted, and moving a subtree keeps the part
    /// below the moved prefix.
    #[test]
    fn repository_path_valid_by_construction(
        a in valid_path(),
        b in valid_path(),
        rest in valid_path(),
    ) {
        prop_assume!(a.len() + 1 + rest.len() <= RepositoryPath::MAX_LEN);
        let from = RepositoryPath::parse(&a).expect("a grammar path");
        let to = RepositoryPath::parse(&b).expect("a grammar path");
        let below = RepositoryPath::parse(&format!("{a}/{rest}")).expect("a grammar path");
        prop_assert!(below.is_below(&from));
        let moved = below.rebase(&from, &to);
        if b.len() + 1 + rest.len() <= RepositoryPath::MAX_LEN {
            prop_assert_eq!(moved.expect("fits").to_string(), format!("{b}/{rest}"));
        } else {
            let too_long = matches!(moved.expect_err("too long").rule, Rule::TooLong { .. });
            prop_assert!(too_long);
        }
    }
}
