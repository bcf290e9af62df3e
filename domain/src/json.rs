//! JSON documents that a `JSONB` column can store and give back unchanged.

use serde_json::Value;

use crate::error::{Rule, ValidationError};

/// A JSON value for a `JSONB` column.
///
/// PostgreSQL rejects `\u0000` in JSONB strings and keys, and refuses very deep nesting; both
/// are rejected here instead, so every adapter behaves the same. Nesting is limited to
/// [`Json::MAX_DEPTH`] levels.
///
/// Numbers must come back unchanged: JSONB stores a number as `numeric` and prints it without
/// an exponent (`1e-7` comes back as `0.0000001`, `1.7976931348623157e308` as a 309-digit
/// integer, `-0.0` as `0.0`). A floating-point number is accepted only if that printed form
/// parses back to the same number, the same kind (float stays float) and the same sign
/// ([`jsonb_number_text`] is the printing rule); otherwise it is rejected with
/// [`Rule::Format`] before anything is written, by every adapter alike.
#[derive(Debug, Clone, PartialEq)]
pub struct Json(Value);

impl Json {
    /// The deepest nesting of arrays and objects accepted.
    pub const MAX_DEPTH: usize = 64;

    /// Validates a JSON value for `field`.
    ///
    /// # Errors
    /// [`Rule::NulCharacter`] if a string or key holds NUL; [`Rule::TooLarge`] if nested deeper
    /// than [`Json::MAX_DEPTH`].
    pub fn new(field: &'static str, value: Value) -> Result<Self, ValidationError> {
        // Iterative walk: a hostile document cannot overflow our stack either.
        let mut stack: Vec<(&Value, usize)> = vec![(&value, 1)];
        while let Some((v, depth)) = stack.pop() {
            match v {
                Value::String(s) if s.contains('\0') => {
                    return Err(ValidationError::new(field, Rule::NulCharacter));
                }
                Value::Number(n) if !round_trips(n) => {
                    return Err(ValidationError::new(field, Rule::Format(NUMBER_RULE)));
                }
                Value::Array(_) | Value::Object(_) if depth > Self::MAX_DEPTH => {
                    return Err(ValidationError::new(
                        field,
                        Rule::TooLarge {
                            max: i64::try_from(Self::MAX_DEPTH).unwrap_or(i64::MAX),
                            actual: i64::try_from(depth).unwrap_or(i64::MAX),
                        },
                    ));
                }
                Value::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
                Value::Object(map) => {
                    for (k, item) in map {
                        if k.contains('\0') {
                            return Err(ValidationError::new(field, Rule::NulCharacter));
                        }
                        stack.push((item, depth + 1));
                    }
                }
                _ => {}
            }
        }
        Ok(Self(value))
    }

    /// The value.
    #[must_use]
    pub fn as_value(&self) -> &Value {
        &self.0
    }

    /// The value, owned.
    #[must_use]
    pub fn into_value(self) -> Value {
        self.0
    }
}

/// What [`Rule::Format`] says about a number that JSONB would give back changed.
pub const NUMBER_RULE: &str = "a number that JSONB gives back unchanged (not -0.0, not a float PostgreSQL prints as an \
     integer or in digits that read back differently)";

/// Whether `n` comes back from a JSONB column as the same number, written the same way.
fn round_trips(n: &serde_json::Number) -> bool {
    if !n.is_f64() {
        // Integers are stored and printed digit for digit.
        return true;
    }
    let written = n.to_string();
    match serde_json::from_str::<Value>(&jsonb_number_text(&written)) {
        Ok(Value::Number(back)) => back.to_string() == written,
        _ => false,
    }
}

/// How PostgreSQL prints a JSON number that it was given as `text` (a JSON number literal):
/// as `numeric`, without exponent, with as many decimals as the literal had after its point
/// minus its exponent (at least none), and without a sign on zero.
///
/// ```
/// use containerpub_domain::json::jsonb_number_text;
/// assert_eq!(jsonb_number_text("1e-7"), "0.0000001");
/// assert_eq!(jsonb_number_text("1.0e-5"), "0.000010");
/// assert_eq!(jsonb_number_text("1.5e3"), "1500");
/// assert_eq!(jsonb_number_text("-0.0"), "0.0");
/// ```
#[must_use]
pub fn jsonb_number_text(text: &str) -> String {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (
            &unsigned[..at],
            unsigned[at + 1..]
                .trim_start_matches('+')
                .parse::<i64>()
                .unwrap_or(0),
        ),
        None => (unsigned, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = [int_part, frac_part].concat();
    let frac_len = i64::try_from(frac_part.len()).unwrap_or(i64::MAX);
    let scale = usize::try_from((frac_len - exponent).max(0)).unwrap_or(0);
    // Position of the decimal point within `digits`.
    let point = i64::try_from(int_part.len()).unwrap_or(i64::MAX) + exponent;
    let (int_digits, frac_digits) = if point <= 0 {
        let zeros = "0".repeat(usize::try_from(-point).unwrap_or(0));
        (String::from("0"), zeros + &digits)
    } else {
        let point = usize::try_from(point).unwrap_or(usize::MAX);
        if point >= digits.len() {
            (
                digits.clone() + &"0".repeat(point - digits.len()),
                String::new(),
            )
        } else {
            (digits[..point].to_owned(), digits[point..].to_owned())
        }
    };
    let int_digits = match int_digits.trim_start_matches('0') {
        "" => "0",
        trimmed => trimmed,
    };
    let mut frac: String = frac_digits.chars().take(scale).collect();
    while frac.len() < scale {
        frac.push('0');
    }
    let zero = digits.bytes().all(|b| b == b'0');
    let mut out = String::new();
    if negative && !zero {
        out.push('-');
    }
    out.push_str(int_digits);
    if scale > 0 {
        out.push('.');
        out.push_str(&frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_ordinary_documents() {
        let doc = json!({"warnings": ["unused import"], "score": 0.93, "ok": true, "n": null});
        assert_eq!(
            Json::new("analysis_result", doc.clone())
                .expect("valid")
                .as_value(),
            &doc
        );
    }

    #[test]
    fn rejects_nul_in_strings_and_keys() {
        assert_eq!(
            Json::new("analysis_result", json!({"a": "x\u{0}y"})).expect_err("nul"),
            ValidationError::new("analysis_result", Rule::NulCharacter)
        );
        assert!(Json::new("analysis_result", json!({"k\u{0}": 1})).is_err());
    }

    /// The printed forms are PostgreSQL 15's output of `'[…]'::jsonb` for the same literals.
    #[test]
    fn prints_numbers_as_jsonb_does() {
        for (given, printed) in [
            ("1e300", format!("1{}", "0".repeat(300))),
            ("1e16", "10000000000000000".to_owned()),
            ("-0.0", "0.0".to_owned()),
            ("1e-7", "0.0000001".to_owned()),
            ("1.5e-7", "0.00000015".to_owned()),
            ("0.1", "0.1".to_owned()),
            ("123.0", "123.0".to_owned()),
            ("1.0e-5", "0.000010".to_owned()),
            ("-1.25e-3", "-0.00125".to_owned()),
            ("18446744073709551615", "18446744073709551615".to_owned()),
            (
                "1.7976931348623157e308",
                format!("17976931348623157{}", "0".repeat(292)),
            ),
        ] {
            assert_eq!(jsonb_number_text(given), printed, "{given}");
        }
    }

    #[test]
    fn rejects_numbers_jsonb_would_change() {
        let rejected = ValidationError::new("analysis_result", Rule::Format(NUMBER_RULE));
        for bad in [f64::MAX, -0.0, 1e16] {
            assert_eq!(
                Json::new("analysis_result", json!({ "x": [bad] })),
                Err(rejected.clone()),
                "{bad}"
            );
        }
        for good in [0.1, 1e-7, 123.0, -2.5, 0.0, 0.93] {
            assert!(Json::new("analysis_result", json!(good)).is_ok(), "{good}");
        }
        for int in [json!(u64::MAX), json!(i64::MIN), json!(0)] {
            assert!(Json::new("analysis_result", int).is_ok());
        }
    }

    #[test]
    fn limits_depth() {
        let mut deep = json!(1);
        for _ in 0..Json::MAX_DEPTH {
            deep = json!([deep]);
        }
        assert!(Json::new("analysis_result", deep.clone()).is_ok());
        let deeper = json!({ "x": deep });
        let err = Json::new("analysis_result", deeper).expect_err("too deep");
        assert!(matches!(
            err.rule,
            Rule::TooLarge {
                max: 64,
                actual: 65
            }
        ));
    }
}
