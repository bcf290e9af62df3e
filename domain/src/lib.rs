//! # containerpub-domain
//!
//! The pure centre of the ContainerPub persistence layer: one entity per table of the schema,
//! typed internal ids, validated values that cannot hold data the database would refuse,
//! input types for creating (`NewX`) and changing (`XPatch`) rows, read models, and an
//! injectable [`Clock`].
//!
//! No I/O, no async, no database types. Every validation error names the field and the rule:
//!
//! ```
//! use containerpub_domain::{Email, Rule};
//!
//! let email = Email::parse("  Ada@Example.COM ").unwrap();
//! assert_eq!(email.as_str(), "ada@example.com");
//!
//! let err = Email::parse("not-an-address").unwrap_err();
//! assert_eq!(err.field, "email");
//! assert!(matches!(err.rule, Rule::Format(_)));
//! ```

pub mod clock;
pub mod entities;
pub mod enums;
pub mod error;
pub mod ids;
pub mod inputs;
pub mod json;
pub mod stats;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;
pub mod values;
pub mod views;

pub use clock::{Clock, ManualClock, SystemClock};
pub use entities::*;
pub use enums::*;
pub use error::{Rule, ValidationError};
pub use ids::*;
pub use inputs::*;
pub use json::Json;
pub use stats::{FunctionStats, mean, percentile_cont};
pub use time::Timestamp;
pub use values::*;
pub use views::*;

pub use chrono;
pub use serde_json;
pub use uuid::{self, Uuid};
