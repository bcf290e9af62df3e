//! The named-parameter rewriter: `@name` → `$n`, values in bind order (the rules are in the
//! module docs of [`crate::raw`], "Parameters").

use std::collections::HashMap;

use containerpub_domain::Rule;
use containerpub_ports::{StoreError, StoreResult, Value};
use sea_orm::sea_query::Value as SqValue;

use super::lex;

fn bad_params(rule: &'static str) -> StoreError {
    StoreError::invalid("params", Rule::Format(rule))
}

/// SQL with `$n` placeholders and the values to bind, in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rewritten {
    /// The SQL text.
    pub(crate) sql: String,
    /// One value per `$n`.
    pub(crate) values: Vec<SqValue>,
}

/// The first character of a parameter name (ASCII).
fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

/// A character of a parameter name (ASCII).
fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// A character PostgreSQL's lexer reads as part of an identifier or keyword
/// (`[A-Za-z\200-\377_0-9$]`: every non-ASCII character counts): one just before `'`, `$` or
/// `@` makes them part of that word.
fn is_pg_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$' || !c.is_ascii()
}

/// The first character of a dollar-quote tag (`[A-Za-z\200-\377_]`).
fn is_tag_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || !c.is_ascii()
}

/// A further character of a dollar-quote tag (`[A-Za-z\200-\377_0-9]`).
fn is_tag_char(c: char) -> bool {
    is_tag_start(c) || c.is_ascii_digit()
}

/// PostgreSQL's lexer, with `standard_conforming_strings = on` (see [`lex`]).
const RULES: lex::Rules = lex::Rules {
    escape_strings: true,
    word_char: is_pg_word_char,
    tag_start: is_tag_start,
    tag_char: is_tag_char,
};

/// Rewrites `@name` parameters to `$n` and orders the values to bind.
///
/// # Errors
/// `InvalidInput` (field `params`) as described in the module docs.
pub(crate) fn rewrite(sql: &str, params: &[(&str, Value)]) -> StoreResult<Rewritten> {
    let mut by_name: HashMap<&str, (usize, bool)> = HashMap::with_capacity(params.len());
    for (i, (name, _)) in params.iter().enumerate() {
        if by_name.insert(name, (i, false)).is_some() {
            return Err(bad_params("each parameter name given once"));
        }
    }
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    let mut values = Vec::new();
    let mut out = String::with_capacity(sql.len() + 8);
    let (offsets, chars): (Vec<usize>, Vec<char>) = sql.char_indices().unzip();
    let at = |i: usize| chars.get(i).copied();
    let mut i = 0;
    while let Some(c) = at(i) {
        if c == '$'
            && at(i + 1).is_some_and(|c| c.is_ascii_digit())
            && !(i > 0 && at(i - 1).is_some_and(is_pg_word_char))
        {
            return Err(bad_params("named @parameters, not $n placeholders"));
        }
        if let Some(token) = lex::token_at(&chars, i, &RULES) {
            if !token.terminated {
                return Err(bad_params(unterminated(token.kind)));
            }
            push_span(&mut out, sql, &offsets, i, token.end);
            i = token.end;
            continue;
        }
        match c {
            '@' if at(i + 1) == Some('@') => {
                out.push_str("@@");
                i += 2;
            }
            // `x@a` is `x`, the operator `@`, `a` to PostgreSQL: no parameter there.
            '@' if at(i + 1).is_some_and(is_ident_start)
                && !(i > 0 && at(i - 1).is_some_and(is_pg_word_char)) =>
            {
                let start = i + 1;
                let mut end = start;
                while at(end).is_some_and(is_ident_char) {
                    end += 1;
                }
                let name = span(sql, &offsets, start, end);
                let Some((index, used)) = by_name.get_mut(name) else {
                    return Err(bad_params(
                        "a value in params for every @parameter of the SQL",
                    ));
                };
                *used = true;
                let value = &params[*index].1;
                if *value == Value::Null {
                    out.push_str("NULL");
                } else {
                    let next = numbers.len() + 1;
                    let n = *numbers.entry(name).or_insert_with(|| {
                        values.push(crate::sql::bind(value));
                        next
                    });
                    out.push('$');
                    out.push_str(&n.to_string());
                }
                i = end;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    if by_name.values().any(|(_, used)| !used) {
        return Err(bad_params("only parameters the SQL uses"));
    }
    Ok(Rewritten { sql: out, values })
}

fn byte_at(sql: &str, offsets: &[usize], i: usize) -> usize {
    offsets.get(i).copied().unwrap_or(sql.len())
}

fn span<'a>(sql: &'a str, offsets: &[usize], start: usize, end: usize) -> &'a str {
    &sql[byte_at(sql, offsets, start)..byte_at(sql, offsets, end)]
}

fn push_span(out: &mut String, sql: &str, offsets: &[usize], start: usize, end: usize) {
    out.push_str(span(sql, offsets, start, end));
}

/// The rule broken by SQL that ends inside a token of `kind`.
fn unterminated(kind: lex::Kind) -> &'static str {
    match kind {
        lex::Kind::String => "SQL without an unterminated string literal",
        lex::Kind::QuotedIdent => "SQL without an unterminated quoted identifier",
        // A line comment always ends (at the end of the SQL at the latest).
        lex::Kind::BlockComment | lex::Kind::LineComment => "SQL without an unterminated comment",
        lex::Kind::DollarQuote => "SQL without an unterminated dollar quote",
    }
}

#[cfg(test)]
mod tests {
    use containerpub_domain::{Timestamp, Uuid};

    use super::*;

    fn ok(sql: &str, params: &[(&str, Value)]) -> (String, Vec<SqValue>) {
        let r = rewrite(sql, params).expect("valid");
        (r.sql, r.values)
    }

    fn err(sql: &str, params: &[(&str, Value)]) -> &'static str {
        match rewrite(sql, params) {
            Err(StoreError::InvalidInput(invalid)) => {
                assert_eq!(invalid.field, "params");
                match invalid.rule {
                    Rule::Format(what) => what,
                    other => panic!("unexpected rule {other:?}"),
                }
            }
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn names_become_numbered_placeholders_in_first_use_order() {
        let (sql, values) = ok(
            "SELECT * FROM users WHERE id = @user_id OR email = @email OR id = @user_id",
            &[
                ("email", Value::Text("a@b.c".into())),
                ("user_id", Value::Int(7)),
            ],
        );
        assert_eq!(
            sql,
            "SELECT * FROM users WHERE id = $1 OR email = $2 OR id = $1"
        );
        assert_eq!(
            values,
            vec![
                SqValue::BigInt(Some(7)),
                SqValue::String(Some("a@b.c".into()))
            ]
        );
    }

    #[test]
    fn casts_and_adjacent_punctuation() {
        let (sql, _) = ok(
            "SELECT @id::int4, (@id)+1, id=@id",
            &[("id", Value::Int(1))],
        );
        assert_eq!(sql, "SELECT $1::int4, ($1)+1, id=$1");
    }

    #[test]
    fn quoted_text_and_comments_are_left_alone() {
        let sql = r#"SELECT '@a', 'it''s @a', E'\'@a', "@a", "x""@a" -- @a
/* @a /* nested @a */ @a */ $$ @a $$, $tag$ @a $x$ @a $tag$, @a"#;
        let (out, values) = ok(sql, &[("a", Value::Bool(true))]);
        assert_eq!(
            out,
            r#"SELECT '@a', 'it''s @a', E'\'@a', "@a", "x""@a" -- @a
/* @a /* nested @a */ @a */ $$ @a $$, $tag$ @a $x$ @a $tag$, $1"#
        );
        assert_eq!(values, vec![SqValue::Bool(Some(true))]);
    }

    #[test]
    fn operators_with_at_signs_are_not_parameters() {
        let (sql, values) = ok(
            "SELECT to_tsvector(x) @@ q, a @> b, a <@ @b, @ -5, e'x'",
            &[("b", Value::Int(1))],
        );
        assert_eq!(
            sql,
            "SELECT to_tsvector(x) @@ q, a @> b, a <@ $1, @ -5, e'x'"
        );
        assert_eq!(values.len(), 1);
    }

    #[test]
    fn nulls_are_written_inline_and_other_values_bound() {
        let uuid = Uuid::from_u128(1);
        let (sql, values) = ok(
            "UPDATE t SET a = @a, b = @b, c = @c WHERE d = @d",
            &[
                ("a", Value::Null),
                ("b", Value::Uuid(uuid)),
                ("c", Value::Timestamp(Timestamp::MIN)),
                ("d", Value::Text("x".into())),
            ],
        );
        assert_eq!(sql, "UPDATE t SET a = NULL, b = $1, c = $2 WHERE d = $3");
        assert_eq!(values[0], SqValue::Uuid(Some(uuid)));
        assert_eq!(values.len(), 3);
    }

    #[test]
    fn unknown_missing_unused_and_duplicate_parameters_are_refused() {
        assert!(err("SELECT @a", &[]).contains("every @parameter"));
        assert!(err("SELECT 1", &[("a", Value::Int(1))]).contains("only parameters"));
        assert!(err("SELECT @a", &[("a", Value::Int(1)), ("a", Value::Int(2))]).contains("once"));
        assert!(err("SELECT $1", &[]).contains("not $n"));
        assert!(err("SELECT 'x", &[]).contains("string"));
        assert!(err(r#"SELECT "x"#, &[]).contains("identifier"));
        assert!(err("SELECT /* x", &[]).contains("comment"));
        assert!(err("SELECT $q$ x", &[]).contains("dollar"));
        // A parameter only inside a comment is unused.
        assert!(err("SELECT 1 -- @a", &[("a", Value::Int(1))]).contains("only parameters"));
    }

    #[test]
    fn dollar_signs_inside_identifiers_and_unicode_pass_through() {
        let (sql, _) = ok("SELECT a$1, 'é@x', @é", &[]);
        assert_eq!(sql, "SELECT a$1, 'é@x', @é");
        let (sql, _) = ok("SELECT 'ü', @ü_1", &[]);
        assert_eq!(sql, "SELECT 'ü', @ü_1");
    }

    /// Issue 19, item 8: the cases where the rewriter used to read SQL differently from
    /// PostgreSQL's lexer.
    #[test]
    fn rewriting_follows_postgresqls_lexer() {
        // Dollar quotes with a non-ASCII tag.
        let (sql, values) = ok("SELECT $é$ @a $é$, @a", &[("a", Value::Int(1))]);
        assert_eq!(sql, "SELECT $é$ @a $é$, $1");
        assert_eq!(values.len(), 1);
        let (sql, _) = ok("SELECT $tagé1$ @a $tagé1$, @a", &[("a", Value::Int(1))]);
        assert_eq!(sql, "SELECT $tagé1$ @a $tagé1$, $1");
        // A `--` comment ends at `\r` too.
        let (sql, values) = ok("SELECT 1 -- note\r, @a", &[("a", Value::Int(1))]);
        assert_eq!(sql, "SELECT 1 -- note\r, $1");
        assert_eq!(values.len(), 1);
        // `x@a` is an operator between two words, not a parameter.
        assert!(err("SELECT x@a", &[("a", Value::Int(1))]).contains("only parameters"));
        let (sql, _) = ok("SELECT x@a, é@a", &[]);
        assert_eq!(sql, "SELECT x@a, é@a");
        // A word ending in a non-ASCII letter before `$1` or `E'`.
        let (sql, _) = ok("SELECT é$1, éE'x'", &[]);
        assert_eq!(sql, "SELECT é$1, éE'x'");
    }
}

#[cfg(test)]
mod fuzz;
