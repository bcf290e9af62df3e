//! JSON documents that a `JSONB` column can store and give back unchanged.

use serde_json::Value;

use crate::error::{Rule, ValidationError};

/// A JSON value for a `JSONB` column.
///
/// PostgreSQL rejects `\u0000` in JSONB strings and keys, and refuses very deep nesting; both
/// are rejected here instead, so every adapter behaves the same. Nesting is limited to
/// [`Json::MAX_DEPTH`] levels.
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
