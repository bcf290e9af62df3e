//! Refuses raw statements that control transactions or change session state.
//!
//! Raw SQL runs on a pooled connection (or inside a caller's transaction). A `BEGIN` there
//! would leave the pooled connection inside a transaction (later autocommit writes on it would
//! never commit), a `SET search_path` would break later, unrelated calls on that connection,
//! and a `COMMIT` inside a caller's transaction would commit behind its back. So every
//! statement of the SQL (split at `;` outside quotes, comments and dollar quotes) is looked at
//! by its leading keywords, and every word of it (quoted names included) is compared with the
//! session-level functions; a match is `InvalidInput` (field `sql`), before anything is sent.
//!
//! Refused besides the leading keywords: `DO` blocks (their body is code the guard cannot
//! read), `SET LOCAL standard_conforming_strings` (it would change how the rest of the
//! transaction's SQL is lexed, the parameter rewriter's included), temporary objects however
//! they are created (`CREATE [OR REPLACE] [GLOBAL|LOCAL] TEMP …`, `SELECT … INTO TEMP …`), and
//! quoted names written with Unicode escapes (`U&"…\…"`), which could spell a refused function.
//!
//! What it cannot see: SQL run by a server-side function (a `CREATE FUNCTION` whose body calls
//! `set_config`, then a call of it). The guard is a check of the text the caller sends, not a
//! sandbox: raw SQL is for trusted code.

use containerpub_domain::Rule;
use containerpub_ports::{StoreError, StoreResult};

/// The rule of the refusal.
pub(crate) const RULE: &str = "no transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, \
     PREPARE, …) or session state (SET, RESET, DISCARD, LISTEN, set_config, advisory locks, \
     temporary tables, …): use begin()/commit() and PgConfig";

/// Statements refused by their first keyword.
const LEADING: &[&str] = &[
    "DO",
    "BEGIN",
    "START",
    "COMMIT",
    "END",
    "ROLLBACK",
    "ABORT",
    "SAVEPOINT",
    "RELEASE",
    "PREPARE",
    "RESET",
    "DISCARD",
    "LISTEN",
    "UNLISTEN",
    "LOAD",
    "DEALLOCATE",
    "DECLARE",
];

/// Functions that change session state, refused wherever they appear.
const FUNCTIONS: &[&str] = &[
    "SET_CONFIG",
    "PG_ADVISORY_LOCK",
    "PG_ADVISORY_LOCK_SHARED",
    "PG_TRY_ADVISORY_LOCK",
    "PG_TRY_ADVISORY_LOCK_SHARED",
];

fn refused() -> StoreError {
    StoreError::invalid("sql", Rule::Format(RULE))
}

/// How many leading words of a statement are kept: enough for
/// `CREATE OR REPLACE GLOBAL TEMP VIEW` and `SET LOCAL standard_conforming_strings`.
const LEADING_WORDS: usize = 6;

fn is_temp(word: &str) -> bool {
    matches!(word, "TEMP" | "TEMPORARY")
}

/// Whether the leading words of one statement are refused.
fn refused_statement(words: &[String]) -> bool {
    let word = |i: usize| words.get(i).map(String::as_str);
    match word(0) {
        Some(first) if LEADING.contains(&first) => true,
        // `SET LOCAL` lasts until the end of the transaction: harmless, except for the
        // setting that changes how string literals are lexed.
        Some("SET") => word(1) != Some("LOCAL") || word(2) == Some("STANDARD_CONFORMING_STRINGS"),
        // `CREATE [OR REPLACE] [GLOBAL | LOCAL | UNLOGGED] TEMP[ORARY] …`: TEMP comes before
        // the object's name, among the leading words.
        Some("CREATE") => words.iter().skip(1).any(|w| is_temp(w)),
        _ => false,
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// `Ok` if no statement of `sql` is refused (see the module docs).
///
/// # Errors
/// `InvalidInput` (field `sql`) for a refused statement. Unterminated quotes and comments are
/// left to the parameter rewriter, which refuses them.
pub(crate) fn check(sql: &str) -> StoreResult<()> {
    let chars: Vec<char> = sql.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            ';' => {
                if refused_statement(&words) {
                    return Err(refused());
                }
                words.clear();
                i += 1;
            }
            '\'' => i = skip_quoted(&chars, i, c),
            '"' => {
                // A quoted name: compared with the refused functions like any word
                // (`"set_config"(…)` calls it). With Unicode escapes (`U&"…"`) it could spell
                // one in escapes: refused outright.
                let end = skip_quoted(&chars, i, c);
                let name: String = chars[i + 1..end.saturating_sub(1).max(i + 1)]
                    .iter()
                    .collect::<String>()
                    .replace("\"\"", "\"");
                let unicode = i >= 2 && chars[i - 1] == '&' && matches!(chars[i - 2], 'U' | 'u');
                if (unicode && name.contains('\\'))
                    || FUNCTIONS.contains(&name.to_uppercase().as_str())
                {
                    return Err(refused());
                }
                if words.len() < LEADING_WORDS {
                    words.push(format!("\"{name}\""));
                }
                i = end;
            }
            '-' if next == Some('-') => {
                while i < chars.len() && chars[i] != '\n' && chars[i] != '\r' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => i = skip_block_comment(&chars, i),
            '$' if dollar_tag_end(&chars, i).is_some() => {
                let end = dollar_tag_end(&chars, i).unwrap_or(i + 1);
                let tag = &chars[i..end];
                i = (end..chars.len())
                    .find(|&j| chars[j..].starts_with(tag))
                    .map_or(chars.len(), |j| j + tag.len());
            }
            c if is_word_char(c) && c != '$' => {
                let start = i;
                while i < chars.len() && is_word_char(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect::<String>().to_uppercase();
                if FUNCTIONS.contains(&word.as_str()) {
                    return Err(refused());
                }
                // `SELECT … INTO TEMP t`, anywhere in the statement.
                if is_temp(&word) && words.last().is_some_and(|w| w == "INTO") {
                    return Err(refused());
                }
                if words.len() < LEADING_WORDS {
                    words.push(word);
                } else {
                    // Past the leading words only the last one is kept, for `INTO TEMP`.
                    words[LEADING_WORDS - 1] = word;
                }
            }
            _ => {
                // Punctuation ends the leading words of a statement (`(SELECT …)` is a query).
                if !c.is_whitespace() && words.len() < LEADING_WORDS {
                    words.push(c.to_string());
                }
                i += 1;
            }
        }
    }
    if refused_statement(&words) {
        return Err(refused());
    }
    Ok(())
}

/// The index after a quoted token starting at `start` (doubled quotes escape; backslashes
/// are skipped over, which can only end a string later, never earlier, than PostgreSQL:
/// the worst case is a refusal missed inside what PostgreSQL reads as a second statement,
/// which the extended protocol refuses anyway).
fn skip_quoted(chars: &[char], start: usize, quote: char) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == quote {
            if chars.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    chars.len()
}

fn skip_block_comment(chars: &[char], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < chars.len() {
        let next = chars.get(i + 1).copied();
        if chars[i] == '/' && next == Some('*') {
            depth += 1;
            i += 2;
        } else if chars[i] == '*' && next == Some('/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    chars.len()
}

/// If a dollar-quote tag starts at `start` (`$$`, `$tag$`), the index after it.
fn dollar_tag_end(chars: &[char], start: usize) -> Option<usize> {
    if start > 0 && is_word_char(chars[start - 1]) {
        return None;
    }
    let mut i = start + 1;
    if chars.get(i).is_some_and(|c| c.is_alphabetic() || *c == '_') {
        while chars
            .get(i)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
        {
            i += 1;
        }
    }
    (chars.get(i) == Some(&'$')).then_some(i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_control_and_session_state_are_refused() {
        for sql in [
            "BEGIN",
            "begin isolation level serializable",
            "START TRANSACTION",
            "COMMIT",
            "  commit;",
            "END",
            "ROLLBACK",
            "ABORT",
            "SAVEPOINT s",
            "RELEASE SAVEPOINT s",
            "ROLLBACK TO SAVEPOINT s",
            "PREPARE TRANSACTION 'x'",
            "COMMIT PREPARED 'x'",
            "PREPARE q AS SELECT 1",
            "SET search_path TO pg_catalog",
            "set session search_path = x",
            "SET ROLE nobody",
            "RESET ALL",
            "DISCARD ALL",
            "LISTEN ch",
            "UNLISTEN *",
            "DEALLOCATE ALL",
            "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
            "CREATE TEMP TABLE t (x int)",
            "create temporary table t (x int)",
            "CREATE GLOBAL TEMPORARY TABLE t (x int)",
            "SELECT set_config('search_path', 'pg_catalog', false)",
            "SELECT pg_advisory_lock(1)",
            "select PG_TRY_ADVISORY_LOCK_SHARED(1)",
            "-- comment\n/* c */ BEGIN",
            "SELECT 1; BEGIN",
            "SELECT \"set_config\"('search_path', 'pg_catalog', false)",
            "SELECT pg_catalog.\"SET_CONFIG\"('search_path', 'x', false)",
            "SELECT U&\"\\0073et_config\"('search_path', 'x', false)",
            "DO $$BEGIN PERFORM set_config('search_path', 'x', false); END$$",
            "do $$BEGIN EXECUTE 'SET search_path TO x'; END$$",
            "SELECT 1 AS x INTO TEMP t",
            "SELECT 1 AS x INTO TEMPORARY TABLE t",
            "SELECT a, b, c, d, e, f FROM users INTO TEMP t",
            "CREATE OR REPLACE TEMP VIEW v AS SELECT 1",
            "CREATE OR REPLACE TEMPORARY VIEW v AS SELECT 1",
            "CREATE UNLOGGED TEMP TABLE t (x int)",
            "SET LOCAL standard_conforming_strings = off",
            "set local standard_conforming_strings to off",
        ] {
            assert_eq!(
                check(sql),
                Err(StoreError::invalid("sql", Rule::Format(RULE))),
                "{sql}"
            );
        }
    }

    #[test]
    fn ordinary_statements_pass() {
        for sql in [
            "SELECT 1",
            "SET LOCAL statement_timeout = '1s'",
            "SELECT 'BEGIN', \"commit\", $$ROLLBACK$$, $t$ set_config $t$ -- SET x\n",
            "UPDATE users SET email = 'x' WHERE id = 1",
            "WITH x AS (SELECT 1) SELECT * FROM x",
            "(SELECT 1)",
            "CREATE TABLE t (x int)",
            "INSERT INTO t (\"begin\") VALUES (1)",
            "SELECT my_set_config_like(1)",
            "SELECT 1 /* BEGIN */",
            "SELECT \"temp\" FROM t",
            "SELECT 1 AS x INTO permanent_copy",
            "CREATE OR REPLACE VIEW v AS SELECT 1",
            "SELECT U&\"data\" FROM t",
            "INSERT INTO temperatures (x) VALUES (1)",
            "SELECT \"users\".\"email\" FROM \"users\"",
        ] {
            assert_eq!(check(sql), Ok(()), "{sql}");
        }
    }
}
