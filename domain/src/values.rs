//! Validated values: each type can only hold data its column accepts.

use std::fmt;

use crate::error::{Rule, ValidationError};

/// Checks the rules every stored text shares: no NUL character, at most `max` characters.
///
/// # Errors
/// [`Rule::NulCharacter`] or [`Rule::TooLong`] for `field`.
pub fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.contains('\0') {
        return Err(ValidationError::new(field, Rule::NulCharacter));
    }
    if max != usize::MAX {
        // Count characters only when the byte length could exceed the limit.
        if value.len() > max {
            let actual = value.chars().count();
            if actual > max {
                return Err(ValidationError::new(field, Rule::TooLong { max, actual }));
            }
        }
    }
    Ok(())
}

/// Text for a column of at most `MAX` characters (`usize::MAX` for `TEXT`). May be empty.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BoundedText<const MAX: usize>(String);

/// Text for a `TEXT` column: any length, no NUL.
pub type Text = BoundedText<{ usize::MAX }>;

impl<const MAX: usize> BoundedText<MAX> {
    /// Validates `value` for `field`.
    ///
    /// # Errors
    /// [`Rule::NulCharacter`] or [`Rule::TooLong`].
    pub fn new(field: &'static str, value: impl Into<String>) -> Result<Self, ValidationError> {
        let value = value.into();
        check_text(field, &value, MAX)?;
        Ok(Self(value))
    }
}

/// A name for a `VARCHAR(MAX)` column: not blank, at most `MAX` characters, no NUL.
///
/// Names are stored exactly as given (no trimming): `" api"` and `"api"` are different names.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name<const MAX: usize>(String);

impl<const MAX: usize> Name<MAX> {
    /// Validates `value` for `field`.
    ///
    /// # Errors
    /// [`Rule::Empty`] if blank, [`Rule::NulCharacter`], or [`Rule::TooLong`].
    pub fn new(field: &'static str, value: impl Into<String>) -> Result<Self, ValidationError> {
        let value = value.into();
        if value.trim().is_empty() {
            return Err(ValidationError::new(field, Rule::Empty));
        }
        check_text(field, &value, MAX)?;
        Ok(Self(value))
    }
}

/// Shared accessors and formatting of the validated string newtypes.
macro_rules! string_newtype {
    ($ty:ident, $what:literal) => {
        impl<const MAX: usize> $ty<MAX> {
            #[doc = concat!("The ", $what, ".")]
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            #[doc = concat!("The ", $what, ", owned.")]
            #[must_use]
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl<const MAX: usize> fmt::Debug for $ty<MAX> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl<const MAX: usize> fmt::Display for $ty<MAX> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<const MAX: usize> AsRef<str> for $ty<MAX> {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_newtype!(BoundedText, "text");
string_newtype!(Name, "name");

/// An e-mail address, stored trimmed and lowercased so uniqueness is case-insensitive.
///
/// Shape: one `@`, a non-empty local part, a domain of dot-separated non-empty labels with at
/// least one dot; no whitespace or control characters; at most 255 characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// The column's limit.
    pub const MAX_LEN: usize = 255;

    /// Trims, lowercases and validates an address.
    ///
    /// # Errors
    /// Field `email`: [`Rule::Empty`], [`Rule::NulCharacter`], [`Rule::TooLong`], or
    /// [`Rule::Format`] when the shape is wrong.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        const FIELD: &str = "email";
        let value = value.trim().to_lowercase();
        if value.is_empty() {
            return Err(ValidationError::new(FIELD, Rule::Empty));
        }
        check_text(FIELD, &value, Self::MAX_LEN)?;
        let bad = || ValidationError::new(FIELD, Rule::Format("an address like name@example.com"));
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = value.split_once('@').ok_or_else(bad)?;
        if local.is_empty() || domain.contains('@') {
            return Err(bad());
        }
        if !domain.contains('.') || domain.split('.').any(str::is_empty) {
            return Err(bad());
        }
        Ok(Self(value))
    }

    /// The normalised address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Email {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A password hash (already hashed by the caller). Never printed: `Debug` and `Display` show
/// `<redacted>`, and no DTO carries it.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// The column's limit.
    pub const MAX_LEN: usize = 255;

    /// Validates a hash.
    ///
    /// # Errors
    /// Field `password_hash`: [`Rule::Empty`], [`Rule::NulCharacter`] or [`Rule::TooLong`].
    pub fn new(value: impl Into<String>) -> Result<Self, ValidationError> {
        let value = value.into();
        if value.is_empty() {
            return Err(ValidationError::new("password_hash", Rule::Empty));
        }
        check_text("password_hash", &value, Self::MAX_LEN)?;
        Ok(Self(value))
    }

    /// The hash, for the code that verifies passwords and for the stores.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// A repository path: segments of `[a-z0-9]+([._-][a-z0-9]+)*` joined by `/`, at most 255
/// characters (`acme`, `acme/api`, `acme/api/worker`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepositoryPath(String);

impl RepositoryPath {
    /// The limit on the whole path.
    pub const MAX_LEN: usize = 255;

    /// Validates a path (field `path`).
    ///
    /// # Errors
    /// [`Rule::Empty`], [`Rule::TooLong`], or [`Rule::Format`] naming the segment grammar.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        const FIELD: &str = "path";
        if value.is_empty() {
            return Err(ValidationError::new(FIELD, Rule::Empty));
        }
        check_text(FIELD, value, Self::MAX_LEN)?;
        if !value.split('/').all(Self::valid_segment) {
            return Err(ValidationError::new(
                FIELD,
                Rule::Format("segments of [a-z0-9]+([._-][a-z0-9]+)* joined by '/'"),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    fn valid_segment(segment: &str) -> bool {
        let bytes = segment.as_bytes();
        let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let sep = |b: u8| matches!(b, b'.' | b'_' | b'-');
        if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
            return false;
        }
        bytes.iter().all(|&b| alnum(b) || sep(b))
            && !bytes.windows(2).any(|w| sep(w[0]) && sep(w[1]))
    }

    /// The path.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last segment (the repository's `name`).
    #[must_use]
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    /// The parent path (this one minus its last segment), or `None` at the top.
    #[must_use]
    pub fn parent(&self) -> Option<RepositoryPath> {
        self.0
            .rsplit_once('/')
            .map(|(parent, _)| RepositoryPath(parent.to_owned()))
    }

    /// The number of segments.
    #[must_use]
    pub fn depth(&self) -> usize {
        self.0.split('/').count()
    }

    /// Whether `self` lies strictly below `ancestor`.
    #[must_use]
    pub fn is_below(&self, ancestor: &RepositoryPath) -> bool {
        self.0.len() > ancestor.0.len()
            && self.0.starts_with(&ancestor.0)
            && self.0.as_bytes()[ancestor.0.len()] == b'/'
    }

    /// This path with the prefix `from` replaced by `to` (for moving a subtree).
    ///
    /// # Errors
    /// As [`RepositoryPath::parse`] if the result is too long; `Invariant` if `self` is not
    /// `from` or below it.
    pub fn rebase(
        &self,
        from: &RepositoryPath,
        to: &RepositoryPath,
    ) -> Result<RepositoryPath, ValidationError> {
        if self == from {
            return Ok(to.clone());
        }
        if !self.is_below(from) {
            return Err(ValidationError::new(
                "path",
                Rule::Invariant("must lie below the moved repository"),
            ));
        }
        RepositoryPath::parse(&format!("{}{}", to.0, &self.0[from.0.len()..]))
    }
}

impl fmt::Debug for RepositoryPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for RepositoryPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for RepositoryPath {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A deployment version: 1, 2, 3, … per function (`CHECK (version > 0)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version(i32);

impl Version {
    /// The first version of every function.
    pub const FIRST: Version = Version(1);

    /// Validates a version (field `version`).
    ///
    /// # Errors
    /// [`Rule::TooSmall`] below 1.
    pub fn new(value: i32) -> Result<Self, ValidationError> {
        if value < 1 {
            return Err(ValidationError::new(
                "version",
                Rule::TooSmall {
                    min: 1,
                    actual: i64::from(value),
                },
            ));
        }
        Ok(Self(value))
    }

    /// The number.
    #[must_use]
    pub const fn get(self) -> i32 {
        self.0
    }

    /// The version after this one.
    ///
    /// # Errors
    /// [`Rule::TooLarge`] if `i32::MAX` was reached.
    pub fn next(self) -> Result<Self, ValidationError> {
        self.0.checked_add(1).map(Self).ok_or(ValidationError::new(
            "version",
            Rule::TooLarge {
                max: i64::from(i32::MAX),
                actual: i64::from(i32::MAX) + 1,
            },
        ))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An invocation's duration in milliseconds (`INTEGER CHECK (duration_ms >= 0)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DurationMs(i32);

impl DurationMs {
    /// Validates a duration (field `duration_ms`).
    ///
    /// # Errors
    /// [`Rule::TooSmall`] if negative.
    pub fn new(value: i32) -> Result<Self, ValidationError> {
        if value < 0 {
            return Err(ValidationError::new(
                "duration_ms",
                Rule::TooSmall {
                    min: 0,
                    actual: i64::from(value),
                },
            ));
        }
        Ok(Self(value))
    }

    /// From any integer, rejecting values that do not fit the column.
    ///
    /// # Errors
    /// [`Rule::TooSmall`] if negative, [`Rule::TooLarge`] above `i32::MAX`.
    pub fn from_i64(value: i64) -> Result<Self, ValidationError> {
        let narrowed = i32::try_from(value).map_err(|_| {
            ValidationError::new(
                "duration_ms",
                if value < 0 {
                    Rule::TooSmall {
                        min: 0,
                        actual: value,
                    }
                } else {
                    Rule::TooLarge {
                        max: i64::from(i32::MAX),
                        actual: value,
                    }
                },
            )
        })?;
        Self::new(narrowed)
    }

    /// The number of milliseconds.
    #[must_use]
    pub const fn get(self) -> i32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_limits_count_characters_not_bytes() {
        let ok = "é".repeat(10);
        assert!(BoundedText::<10>::new("city", ok).is_ok());
        let err = BoundedText::<10>::new("city", "é".repeat(11)).expect_err("too long");
        assert_eq!(
            err,
            ValidationError::new(
                "city",
                Rule::TooLong {
                    max: 10,
                    actual: 11
                }
            )
        );
        assert!(BoundedText::<10>::new("city", "").is_ok());
    }

    #[test]
    fn text_rejects_nul() {
        let err = Text::new("message", "a\0b").expect_err("nul");
        assert_eq!(err, ValidationError::new("message", Rule::NulCharacter));
        assert!(Text::new("message", "x".repeat(100_000)).is_ok());
    }

    #[test]
    fn names_must_not_be_blank() {
        assert_eq!(
            Name::<255>::new("name", "  ").expect_err("blank"),
            ValidationError::new("name", Rule::Empty)
        );
        assert_eq!(
            Name::<255>::new("name", " api ")
                .expect("kept as is")
                .as_str(),
            " api "
        );
        assert!(Name::<3>::new("name", "abcd").is_err());
        assert!(Name::<3>::new("name", "a\0").is_err());
    }

    #[test]
    fn email_is_trimmed_and_lowercased() {
        let email = Email::parse("  Alice.Smith@Example.COM ").expect("valid");
        assert_eq!(email.as_str(), "alice.smith@example.com");
    }

    #[test]
    fn email_shape_is_checked() {
        for bad in [
            "",
            "   ",
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            "alice@@example.com",
            "a@b@example.com",
            "alice@example..com",
            "alice@.example.com",
            "alice@example.com.",
            "al ice@example.com",
            "alice@exa\tmple.com",
            "alice\0@example.com",
        ] {
            let err = Email::parse(bad).expect_err(bad);
            assert_eq!(err.field, "email", "{bad:?}");
        }
        assert_eq!(Email::parse("").expect_err("empty").rule, Rule::Empty);
        assert_eq!(
            Email::parse("a\0@b.c").expect_err("nul").rule,
            Rule::NulCharacter
        );
    }

    #[test]
    fn email_length_limit_is_255() {
        let domain = "@example.com";
        let at_limit = format!("{}{domain}", "a".repeat(255 - domain.len()));
        assert!(Email::parse(&at_limit).is_ok());
        let over = format!("{}{domain}", "a".repeat(256 - domain.len()));
        assert_eq!(
            Email::parse(&over).expect_err("long").rule,
            Rule::TooLong {
                max: 255,
                actual: 256
            }
        );
    }

    #[test]
    fn password_hash_is_never_printed() {
        let hash = PasswordHash::new("$argon2id$v=19$secret").expect("valid");
        assert_eq!(format!("{hash:?}"), "PasswordHash(<redacted>)");
        assert!(PasswordHash::new("").is_err());
        assert!(PasswordHash::new("x".repeat(256)).is_err());
    }

    #[test]
    fn repository_paths_follow_the_grammar() {
        for good in [
            "acme",
            "acme/api",
            "acme/api/worker",
            "a.b_c-d/0",
            "x1/y2.z3",
        ] {
            assert!(RepositoryPath::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "/acme",
            "acme/",
            "acme//api",
            "Acme",
            "acme/api-",
            "-acme",
            "ac--me",
            "ac._me",
            "acme/ api",
            "acme\0",
            "é",
        ] {
            let err = RepositoryPath::parse(bad).expect_err(bad);
            assert_eq!(err.field, "path", "{bad:?}");
        }
        let long = format!("{}/{}", "a".repeat(127), "b".repeat(127));
        assert_eq!(long.len(), 255);
        assert!(RepositoryPath::parse(&long).is_ok());
        let too_long = format!("{long}c");
        assert!(matches!(
            RepositoryPath::parse(&too_long).expect_err("long").rule,
            Rule::TooLong { max: 255, .. }
        ));
    }

    #[test]
    fn repository_path_relations() {
        let p = RepositoryPath::parse("acme/api/worker").expect("valid");
        assert_eq!(p.name(), "worker");
        assert_eq!(p.parent().expect("has parent").as_str(), "acme/api");
        assert_eq!(p.depth(), 3);
        let top = RepositoryPath::parse("acme").expect("valid");
        assert!(top.parent().is_none());
        assert!(p.is_below(&top));
        assert!(!top.is_below(&top));
        let other = RepositoryPath::parse("acmex/api").expect("valid");
        assert!(!other.is_below(&top));
        let moved = p
            .rebase(&top, &RepositoryPath::parse("corp").expect("valid"))
            .expect("rebased");
        assert_eq!(moved.as_str(), "corp/api/worker");
        assert!(other.rebase(&top, &moved).is_err());
    }

    #[test]
    fn versions_are_positive() {
        assert!(Version::new(0).is_err());
        assert!(Version::new(-1).is_err());
        assert_eq!(Version::new(1).expect("valid"), Version::FIRST);
        assert_eq!(Version::FIRST.next().expect("next").get(), 2);
        assert!(Version::new(i32::MAX).expect("valid").next().is_err());
    }

    #[test]
    fn durations_are_non_negative_and_fit_the_column() {
        assert!(DurationMs::new(0).is_ok());
        assert_eq!(
            DurationMs::new(-1).expect_err("negative"),
            ValidationError::new("duration_ms", Rule::TooSmall { min: 0, actual: -1 })
        );
        assert!(DurationMs::from_i64(i64::from(i32::MAX) + 1).is_err());
        assert!(DurationMs::from_i64(-5).is_err());
        assert_eq!(DurationMs::from_i64(42).expect("fits").get(), 42);
    }
}

#[cfg(test)]
mod fuzz;
