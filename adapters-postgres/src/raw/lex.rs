//! The SQL scanner shared by the statement guard and the parameter rewriter: what quoted or
//! commented token (string literal, quoted identifier, `--` or nested `/* */` comment,
//! dollar-quoted string) starts at a position, and where it ends.
//!
//! The two callers read a few characters differently; each passes its own [`Rules`]:
//! - the rewriter follows PostgreSQL's lexer: `E'…'` strings take backslash escapes, and words
//!   and dollar-quote tags are ASCII letters, digits, `_` and any non-ASCII character;
//! - the guard takes no backslash escapes (a string can then only end later than PostgreSQL
//!   ends it, see its `RULES`), and reads words and tags with Unicode's letters and digits
//!   (`char::is_alphanumeric`).

/// How a caller reads the characters that the token boundaries depend on.
pub(crate) struct Rules {
    /// Whether `E'…'` (an `E` or `e` not itself ending a word) takes backslash escapes.
    pub(crate) escape_strings: bool,
    /// A character that, just before `$` (or before the `E` of `E'…'`), makes it part of a
    /// word: no dollar quote (no escape string) starts there.
    pub(crate) word_char: fn(char) -> bool,
    /// The first character of a dollar-quote tag (`$tag$`).
    pub(crate) tag_start: fn(char) -> bool,
    /// A further character of a dollar-quote tag.
    pub(crate) tag_char: fn(char) -> bool,
}

/// What kind of token starts at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `'…'` (with `''` escapes; `E'…'` also with `\` escapes when the rules allow).
    String,
    /// `"…"` (with `""` escapes).
    QuotedIdent,
    /// `-- …` up to and including the first `\n` or `\r`, or to the end of the SQL.
    LineComment,
    /// `/* … */`, nested as PostgreSQL allows.
    BlockComment,
    /// `$$…$$` or `$tag$…$tag$`.
    DollarQuote,
}

/// A quoted or commented token of the SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// Its kind.
    pub(crate) kind: Kind,
    /// The index (in chars) after it; the length of the SQL if it is unterminated.
    pub(crate) end: usize,
    /// False if the SQL ends inside it (never for a line comment).
    pub(crate) terminated: bool,
}

/// The quoted or commented token starting at `chars[start]`, if one does (`None` for any other
/// character, `$` included when it starts no dollar quote).
pub(crate) fn token_at(chars: &[char], start: usize, rules: &Rules) -> Option<Token> {
    let at = |i: usize| chars.get(i).copied();
    let (kind, end) = match at(start)? {
        '\'' => {
            let escapes = rules.escape_strings
                && start > 0
                && matches!(at(start - 1), Some('e' | 'E'))
                && !(start > 1 && at(start - 2).is_some_and(rules.word_char));
            (Kind::String, skip_quoted(chars, start, '\'', escapes))
        }
        '"' => (Kind::QuotedIdent, skip_quoted(chars, start, '"', false)),
        '-' if at(start + 1) == Some('-') => {
            let end = (start..chars.len())
                .find(|&j| matches!(chars[j], '\n' | '\r'))
                .map_or(chars.len(), |j| j + 1);
            (Kind::LineComment, Some(end))
        }
        '/' if at(start + 1) == Some('*') => (Kind::BlockComment, skip_block_comment(chars, start)),
        '$' if !(start > 0 && at(start - 1).is_some_and(rules.word_char)) => {
            let tag_end = dollar_tag(chars, start, rules)?;
            let tag = &chars[start..tag_end];
            let end = (tag_end..chars.len())
                .find(|&j| chars[j..].starts_with(tag))
                .map(|j| j + tag.len());
            (Kind::DollarQuote, end)
        }
        _ => return None,
    };
    Some(Token {
        kind,
        end: end.unwrap_or(chars.len()),
        terminated: end.is_some(),
    })
}

/// The index after the closing quote of a quoted token starting at `start` (doubled quotes
/// escape; with `escapes`, so does a backslash).
fn skip_quoted(chars: &[char], start: usize, quote: char, escapes: bool) -> Option<usize> {
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i];
        if escapes && c == '\\' {
            i += 2;
            continue;
        }
        if c == quote {
            if chars.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// The index after a (nested) block comment starting at `start`.
fn skip_block_comment(chars: &[char], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('*') {
            depth += 1;
            i += 2;
        } else if c == '*' && next == Some('/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += 1;
        }
    }
    None
}

/// If a dollar-quote tag (`$$` or `$tag$`) starts at `start`, the index after it.
fn dollar_tag(chars: &[char], start: usize, rules: &Rules) -> Option<usize> {
    let mut i = start + 1;
    if chars.get(i).is_some_and(|&c| (rules.tag_start)(c)) {
        while chars.get(i).is_some_and(|&c| (rules.tag_char)(c)) {
            i += 1;
        }
    }
    (chars.get(i) == Some(&'$')).then_some(i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ESCAPING: Rules = Rules {
        escape_strings: true,
        word_char: |c| c.is_ascii_alphanumeric() || c == '_' || c == '$',
        tag_start: |c| c.is_ascii_alphabetic() || c == '_',
        tag_char: |c| c.is_ascii_alphanumeric() || c == '_',
    };
    const PLAIN: Rules = Rules {
        escape_strings: false,
        ..ESCAPING
    };

    fn token(sql: &str, start: usize, rules: &Rules) -> Option<(Kind, usize, bool)> {
        let chars: Vec<char> = sql.chars().collect();
        token_at(&chars, start, rules).map(|t| (t.kind, t.end, t.terminated))
    }

    #[test]
    fn finds_where_each_token_ends() {
        assert_eq!(token("'a''b' x", 0, &PLAIN), Some((Kind::String, 6, true)));
        assert_eq!(
            token("\"a\"\"b\"", 0, &PLAIN),
            Some((Kind::QuotedIdent, 6, true))
        );
        assert_eq!(
            token("-- x\ry", 0, &PLAIN),
            Some((Kind::LineComment, 5, true))
        );
        assert_eq!(token("-- x", 0, &PLAIN), Some((Kind::LineComment, 4, true)));
        assert_eq!(
            token("/* /* */ */x", 0, &PLAIN),
            Some((Kind::BlockComment, 11, true))
        );
        assert_eq!(
            token("$t$ $$ $t$x", 0, &PLAIN),
            Some((Kind::DollarQuote, 10, true))
        );
        assert_eq!(
            token("/* x", 0, &PLAIN),
            Some((Kind::BlockComment, 4, false))
        );
        assert_eq!(token("a$b$", 1, &PLAIN), None);
        assert_eq!(token("$1", 0, &PLAIN), None);
        assert_eq!(token("x", 0, &PLAIN), None);
    }

    #[test]
    fn backslashes_escape_only_in_escape_strings_when_the_rules_say_so() {
        let sql = r"E'\'' x";
        assert_eq!(token(sql, 1, &ESCAPING), Some((Kind::String, 5, true)));
        assert_eq!(token(sql, 1, &PLAIN), Some((Kind::String, 7, false)));
        // `xE'…'` is the word `xE` and a plain string.
        assert_eq!(
            token(r"xE'\' x", 2, &ESCAPING),
            Some((Kind::String, 5, true))
        );
    }
}
