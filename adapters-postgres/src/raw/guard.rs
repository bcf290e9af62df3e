//! Refuses raw statements that control transactions or change session state.
//!
//! Raw SQL runs on a pooled connection (or inside a caller's transaction). A `BEGIN` there
//! would leave the pooled connection inside a transaction (later autocommit writes on it would
//! never commit), a `SET search_path` would break later, unrelated calls on that connection,
//! and a `COMMIT` inside a caller's transaction would commit behind its back. So every
//! statement of the SQL (split at `;` outside quotes, comments and dollar quotes) is looked at
//! by its leading keywords, and every word of it is compared with the session-level
//! functions; a match is `InvalidInput` (field `sql`), before anything is sent.

use containerpub_domain::Rule;
use containerpub_ports::{StoreError, StoreResult};

/// The rule of the refusal.
pub(crate) const RULE: &str = "no transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, \
     PREPARE, …) or session state (SET, RESET, DISCARD, LISTEN, set_config, advisory locks, \
     temporary tables, …): use begin()/commit() and PgConfig";

/// Statements refused by their first keyword.
const LEADING: &[&str] = &[
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

/// Whether the leading words of one statement are refused.
fn refused_statement(words: &[String]) -> bool {
    let word = |i: usize| words.get(i).map(String::as_str);
    match word(0) {
        Some(first) if LEADING.contains(&first) => true,
        // `SET LOCAL` lasts until the end of the transaction: harmless.
        Some("SET") => word(1) != Some("LOCAL"),
        Some("CREATE") => {
            matches!(word(1), Some("TEMP" | "TEMPORARY"))
                || matches!(
                    (word(1), word(2)),
                    (
                        Some("GLOBAL" | "LOCAL" | "UNLOGGED"),
                        Some("TEMP" | "TEMPORARY")
                    )
                )
        }
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
            '\'' | '"' => i = skip_quoted(&chars, i, c),
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
                if words.len() < 3 {
                    words.push(word);
                }
            }
            _ => {
                // Punctuation ends the leading words of a statement (`(SELECT …)` is a query).
                if !c.is_whitespace() && words.len() < 3 {
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
        ] {
            assert_eq!(check(sql), Ok(()), "{sql}");
        }
    }
}
