//! Property tests ("fuzz targets") of the named-parameter rewriter [`rewrite`], at 10,000
//! cases each (`PROPTEST_CASES` overrides). Failures shrink and are saved under
//! `tests/proptest-regressions/`.
//!
//! - Any text with any parameters: never a panic; an error is always `InvalidInput`
//!   (field `params`).
//! - SQL built from tokens whose rewriting is known (plain text, string literals, escape
//!   strings, quoted identifiers, line and nested block comments, dollar quotes, parameters
//!   with and without casts, `@@` and other operators with `@`): every parameter outside
//!   literals, comments and quoted identifiers becomes its `$n` (or `NULL`), numbered in
//!   order of first use, and every other character is left exactly as it was.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use containerpub_domain::{Timestamp, Uuid};

use super::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/proptest-regressions/postgres-raw-rewrite.txt"
        )))),
        ..ProptestConfig::default()
    }
}

const NAMES: &[&str] = &["a", "b", "user_id", "_x", "A1", "email2"];

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::Int),
        any::<bool>().prop_map(Value::Bool),
        "[a-z@'$]{0,4}".prop_map(Value::Text),
        any::<u128>().prop_map(|u| Value::Uuid(Uuid::from_u128(u))),
        Just(Value::Timestamp(Timestamp::MAX)),
    ]
}

/// One lexical token and what the rewriter must turn it into.
#[derive(Debug, Clone)]
enum Tok {
    /// Keywords, numbers, operators without `'"-/*$@:\`.
    Plain(String),
    /// `'…'` (content already escaped: `''` for a quote).
    Str(String),
    /// `E'…'` (content already escaped: `\'`, `\\`, `''`).
    EStr(String),
    /// `"…"` (content already escaped: `""`).
    Ident(String),
    /// `-- …\n`
    LineComment(String),
    /// `/* … */`, content may hold nested comments.
    BlockComment(String),
    /// `$tag$ … $tag$`
    Dollar(&'static str, String),
    /// `@name`, maybe followed by a cast.
    Param(&'static str, bool),
    /// Text with `@` or `$` that is not a parameter nor a quote.
    Verbatim(&'static str),
}

fn chars_from(alphabet: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(alphabet), 0..max).prop_map(|p| p.concat())
}

/// What may appear inside quotes and comments: parameter look-alikes, other quotes,
/// comment markers, dollars, Unicode.
const INSIDE: &[&str] = &[
    "x", " ", "@a", "@user_id", "@@", "$1", "$$", "--", "é", "😀", "\n", "\u{0}", ";", "\\",
];

fn block_comment() -> impl Strategy<Value = String> {
    // No '/' or '*' in the content except as whole nested comments.
    let leaf = chars_from(&["x", " ", "@a", "'", "\"", "$$", "--", "é", "\n"], 5)
        .prop_map(|c| format!("/*{c}*/"));
    leaf.prop_recursive(2, 6, 3, |inner| {
        (
            chars_from(&["y", "@b", "'", " "], 3),
            inner,
            chars_from(&["z", "@a", " "], 3),
        )
            .prop_map(|(a, nested, b)| format!("/*{a}{nested}{b}*/"))
    })
}

fn token() -> impl Strategy<Value = Tok> {
    prop_oneof![
        3 => chars_from(&["SELECT", "x", "1", "=", "<", ">", "+", ",", ".", ";", "(", ")", "e", "E", "U&", "[", "]", "é", "%"], 4)
            .prop_map(Tok::Plain),
        2 => prop::collection::vec(prop_oneof![prop::sample::select(INSIDE).prop_map(str::to_owned), Just("''".to_owned()), Just("\"".to_owned())], 0..5)
            .prop_map(|p| Tok::Str(p.concat())),
        1 => prop::collection::vec(prop::sample::select(&["x", "@a", "\\'", "\\\\", "''", "\\n", "$$", "\"", "é"][..]), 0..5)
            .prop_map(|p| Tok::EStr(p.concat())),
        1 => prop::collection::vec(prop_oneof![prop::sample::select(INSIDE).prop_map(str::to_owned), Just("\"\"".to_owned()), Just("'".to_owned())], 0..5)
            .prop_map(|p| Tok::Ident(p.concat())),
        1 => chars_from(&["x", " ", "@a", "'", "\"", "/*", "$$", "é"], 5).prop_map(Tok::LineComment),
        1 => block_comment().prop_map(Tok::BlockComment),
        1 => (prop::sample::select(&["", "tag", "x_1"][..]), chars_from(&["x", " ", "@a", "'", "\"", "--", "/*", "é", "\n"], 5))
            .prop_map(|(tag, body)| Tok::Dollar(tag, body)),
        4 => (prop::sample::select(NAMES), any::<bool>()).prop_map(|(n, cast)| Tok::Param(n, cast)),
        1 => prop::sample::select(&["@@", "@>", "<@", "@ -1", "@-", "@1", "@é", "a$1", "a$b", "x$$"][..])
            .prop_map(Tok::Verbatim),
    ]
}

/// Characters between tokens: none of them can join two tokens into another one.
const SEPARATORS: &[&str] = &[" ", "\n", "\t", "(", ")", ",", "+", "="];

/// What to do with the parameter list.
#[derive(Debug, Clone, Copy)]
enum Params {
    /// Exactly the names the SQL uses.
    Exact,
    /// One more that the SQL never uses.
    Unused,
    /// One that the SQL uses is left out.
    Missing,
}

proptest! {
    #![proptest_config(config())]

    /// Whatever the text: no panic; errors are `InvalidInput` on `params`.
    #[test]
    fn any_text_never_panics(
        sql in prop_oneof![
            any::<String>(),
            chars_from(&["@", "a", "'", "\"", "-", "/", "*", "$", "E", "e", "\\", ":", " ", "1", "é", "\n"], 24),
        ],
        names in prop::collection::vec((prop::sample::select(NAMES), value()), 0..3),
    ) {
        match rewrite(&sql, &names) {
            Ok(r) => prop_assert!(r.values.len() <= names.len()),
            Err(StoreError::InvalidInput(i)) => prop_assert_eq!(i.field, "params"),
            Err(other) => prop_assert!(false, "unexpected error {:?}", other),
        }
    }

    /// Built SQL rewrites to exactly the expected text and values.
    #[test]
    fn parameters_outside_quotes_and_comments_are_replaced(
        tokens in prop::collection::vec(token(), 0..12),
        separators in prop::collection::vec(prop::sample::select(SEPARATORS), 12),
        values in prop::collection::vec(value(), NAMES.len()),
        order in Just(NAMES.to_vec()).prop_shuffle(),
        mode in prop_oneof![4 => Just(Params::Exact), 1 => Just(Params::Unused), 1 => Just(Params::Missing)],
    ) {
        let value_of = |name: &str| {
            let i = NAMES.iter().position(|n| *n == name).expect("a known name");
            values[i].clone()
        };
        let mut sql = String::new();
        let mut expected = String::new();
        let mut numbered: Vec<&str> = Vec::new();
        let mut used: Vec<&str> = Vec::new();
        for (tok, sep) in tokens.iter().zip(&separators) {
            let text = match tok {
                Tok::Plain(s) => s.clone(),
                Tok::Str(s) => format!("'{s}'"),
                Tok::EStr(s) => format!("E'{s}'"),
                Tok::Ident(s) => format!("\"{s}\""),
                Tok::LineComment(s) => format!("--{s}\n"),
                Tok::BlockComment(s) => s.clone(),
                Tok::Dollar(tag, body) => format!("${tag}${body}${tag}$"),
                Tok::Verbatim(s) => (*s).to_owned(),
                Tok::Param(name, cast) => {
                    let cast = if *cast { "::int8" } else { "" };
                    sql.push_str(&format!("@{name}{cast}{sep}"));
                    if !used.contains(name) {
                        used.push(name);
                    }
                    if value_of(name) == Value::Null {
                        expected.push_str("NULL");
                    } else {
                        let n = match numbered.iter().position(|n| n == name) {
                            Some(i) => i + 1,
                            None => {
                                numbered.push(name);
                                numbered.len()
                            }
                        };
                        expected.push_str(&format!("${n}"));
                    }
                    expected.push_str(&format!("{cast}{sep}"));
                    continue;
                }
            };
            sql.push_str(&text);
            sql.push_str(sep);
            expected.push_str(&text);
            expected.push_str(sep);
        }
        let mut params: Vec<(&str, Value)> = order
            .iter()
            .filter(|n| used.contains(n))
            .map(|n| (*n, value_of(n)))
            .collect();
        let outcome = rewrite(&sql, &params);
        match mode {
            Params::Exact => {
                let got = outcome.map_err(|e| TestCaseError::fail(format!("{e:?} for {sql:?}")))?;
                prop_assert_eq!(&got.sql, &expected, "for {:?}", sql);
                let values: Vec<SqValue> = numbered.iter().map(|n| crate::sql::bind(&value_of(n))).collect();
                prop_assert_eq!(got.values, values);
            }
            Params::Unused => {
                let unused = order.iter().find(|n| !used.contains(n));
                if let Some(name) = unused {
                    params.push((name, Value::Int(1)));
                    let err = rewrite(&sql, &params).expect_err("an unused parameter");
                    prop_assert_eq!(err, bad_params("only parameters the SQL uses"));
                }
            }
            Params::Missing => {
                if !params.is_empty() {
                    params.remove(0);
                    let err = rewrite(&sql, &params).expect_err("a missing parameter");
                    prop_assert_eq!(err, bad_params("a value in params for every @parameter of the SQL"));
                }
            }
        }
    }
}
