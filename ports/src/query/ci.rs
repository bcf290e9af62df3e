//! Case-insensitive text matching: one folding, computed identically by every adapter.
//!
//! ## The folding
//! [`fold_case`] maps the 26 ASCII capitals `A`–`Z` to `a`–`z` and leaves every other code
//! point as it is (Rust's [`str::to_ascii_lowercase`]; PostgreSQL's `lower(x COLLATE "C")`,
//! which under the `"C"` collation folds exactly those 26 letters whatever the database's
//! locale). Two texts match ignoring case when their foldings match: `"My-Search-Fn"`
//! contains `"search"`, but `"STRASSE"` does not equal `"straße"`, `"É"` does not equal
//! `"é"`, Turkish `"İ"` / `"ı"` fold to nothing but themselves, Greek `"Σ"`, `"σ"` and `"ς"`
//! are three different letters, a combining mark stays where it is, emoji have no case.
//!
//! Why not full Unicode case mapping: PostgreSQL's `lower()` depends on the collation (libc
//! `C.UTF-8` maps one code point at a time, ICU applies the Unicode special casing with
//! final sigma and `İ → i̇`) and on the Unicode version of the server's libraries, so no
//! definition beyond ASCII is computed identically by both adapters on every string. The
//! ASCII folding is: the contract suite and the differential test check it on German ß,
//! Turkish dotted and dotless i, Greek final sigma, combining marks and emoji.

use containerpub_domain::Rule;

use crate::error::{StoreError, StoreResult};
use crate::query::{Field, Filter, ValueKind};

/// How a case-insensitive text filter compares the folded texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextOp {
    /// The folded column equals the folded operand.
    Eq,
    /// The folded column contains the folded operand literally (`%`, `_`, `\` are not
    /// wildcards).
    Contains,
    /// The folded column starts with the folded operand literally.
    StartsWith,
}

/// The case folding of every case-insensitive filter: ASCII `A`–`Z` to `a`–`z`, every other
/// code point unchanged.
#[must_use]
pub fn fold_case(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// Whether `actual` matches `operand` under `op`, ignoring case as [`fold_case`] does (the
/// reference definition; the PostgreSQL adapter computes the same in SQL).
#[must_use]
pub fn text_matches_ci(op: TextOp, actual: &str, operand: &str) -> bool {
    let actual = fold_case(actual);
    let operand = fold_case(operand);
    match op {
        TextOp::Eq => actual == operand,
        TextOp::Contains => actual.contains(operand.as_str()),
        TextOp::StartsWith => actual.starts_with(operand.as_str()),
    }
}

/// Checks a case-insensitive filter's field and operand.
pub(crate) fn validate<F: Field>(field: F, text: &str) -> StoreResult<()> {
    if field.kind() != ValueKind::Text {
        return Err(StoreError::invalid(
            field.column(),
            Rule::Format("a text field for a case-insensitive match"),
        ));
    }
    if text.contains('\0') {
        return Err(StoreError::invalid(field.column(), Rule::NulCharacter));
    }
    Ok(())
}

/// Case-insensitive filter constructors on every field enum:
/// `FunctionField::Name.contains_ci("search")`.
pub trait CaseInsensitive: Field {
    /// The text equals `text` ignoring case ([`fold_case`]).
    fn eq_ci(self, text: impl Into<String>) -> Filter<Self> {
        Filter::TextCi {
            field: self,
            op: TextOp::Eq,
            text: text.into(),
        }
    }

    /// The text contains `text` literally, ignoring case ([`fold_case`]).
    fn contains_ci(self, text: impl Into<String>) -> Filter<Self> {
        Filter::TextCi {
            field: self,
            op: TextOp::Contains,
            text: text.into(),
        }
    }

    /// The text starts with `text` literally, ignoring case ([`fold_case`]).
    fn starts_with_ci(self, text: impl Into<String>) -> Filter<Self> {
        Filter::TextCi {
            field: self,
            op: TextOp::StartsWith,
            text: text.into(),
        }
    }
}

impl<F: Field> CaseInsensitive for F {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ascii_capitals_fold() {
        assert_eq!(fold_case("My-Search-Fn"), "my-search-fn");
        // Every non-ASCII code point is left alone, whatever its case.
        for s in [
            "ß", "ẞ", "İ", "ı", "Σ", "ς", "σ", "É", "e\u{301}", "😀", "Ǆ",
        ] {
            assert_eq!(fold_case(s), s);
        }
        assert_eq!(fold_case("STRAẞE"), "straẞe");
        assert!(text_matches_ci(TextOp::Contains, "My-Search-Fn", "SEARCH"));
        assert!(!text_matches_ci(TextOp::Eq, "STRASSE", "straße"));
        assert!(text_matches_ci(TextOp::StartsWith, "Istanbul", "iST"));
        assert!(!text_matches_ci(TextOp::StartsWith, "İstanbul", "ist"));
        assert!(text_matches_ci(TextOp::Contains, "a%b", "A%"));
        assert!(!text_matches_ci(TextOp::Contains, "axb", "A%"));
    }
}
