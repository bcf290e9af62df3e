//! The report of `adopt` / `adopt --dry-run`, as text for people and as JSON for scripts
//! (the same content).

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Era, Report};

/// A duration as people read it (`850 µs`, `12.3 ms`, `4.21 s`).
#[must_use]
pub fn duration(d: Duration) -> String {
    let micros = d.as_micros();
    if micros < 1_000 {
        format!("{micros} µs")
    } else if micros < 1_000_000 {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

fn era_words(era: Era) -> &'static str {
    match era {
        Era::Migrated => "created by these migrations or adopted already: nothing to do",
        Era::DartSeed => "created by the Dart backend, seed era (fa0e504)",
        Era::DartLater => "created or upgraded by a later Dart backend (6494593)",
        Era::Empty => "no table of the schema: run `migration up` instead",
        Era::PartlyMigrated => "some migrations are applied: run `migration up` instead",
        Era::Unknown => {
            "not a database the Dart backend or these migrations created: not adoptable"
        }
    }
}

impl Report {
    /// The report as text.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "era: {} ({})", self.era.as_str(), era_words(self.era));
        let _ = writeln!(
            out,
            "differences from docs/SCHEMA.md: {}",
            self.differences.len()
        );
        for d in &self.differences {
            let table = if d.table.is_empty() {
                "(database)"
            } else {
                d.table.as_str()
            };
            let _ = writeln!(
                out,
                "  {table}: {} {}: found {}; expected {}",
                d.object, d.name, d.found, d.expected
            );
        }
        let _ = writeln!(out, "blocking rows: {}", self.blockers.len());
        for b in &self.blockers {
            let _ = writeln!(
                out,
                "  {} {} {} {}: {}",
                b.kind, b.table, b.row, b.column, b.reason
            );
        }
        for kind in &self.unresolved {
            let how = match kind.choices() {
                [] => "no automatic resolution: fix these rows by hand".to_owned(),
                choices => format!("choose --resolve {kind}={}", choices.join("|")),
            };
            let _ = writeln!(out, "unresolved: {kind} ({how})");
        }
        let _ = writeln!(out, "plan: {} steps", self.plan.len());
        for (i, step) in self.plan.iter().enumerate() {
            let table = if step.table.is_empty() {
                "(database)"
            } else {
                step.table.as_str()
            };
            let took = self
                .timings
                .get(i)
                .map(|d| format!(" [{}]", duration(*d)))
                .unwrap_or_default();
            let _ = writeln!(out, "  {}. {table}: {}{took}", i + 1, step.description);
            let _ = writeln!(out, "     {}", step.sql.replace('\n', "\n     "));
        }
        let verdict = if self.applied {
            "adopted"
        } else if self.era == Era::Migrated {
            "nothing to do"
        } else if self.adoptable() {
            "adoptable"
        } else {
            "blocked: nothing was changed"
        };
        let _ = writeln!(out, "verdict: {verdict}");
        out
    }

    /// The report as JSON.
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({
            "era": self.era.as_str(),
            "adoptable": self.adoptable(),
            "applied": self.applied,
            "differences": self.differences.iter().map(|d| json!({
                "table": d.table, "object": d.object, "name": d.name,
                "found": d.found, "expected": d.expected,
            })).collect::<Vec<_>>(),
            "blockers": self.blockers.iter().map(|b| json!({
                "kind": b.kind.as_str(), "table": b.table, "row": b.row,
                "column": b.column, "reason": b.reason,
            })).collect::<Vec<_>>(),
            "unresolved": self.unresolved.iter().map(|k| json!({
                "kind": k.as_str(), "choices": k.choices(),
            })).collect::<Vec<_>>(),
            "plan": self.plan.iter().enumerate().map(|(i, s)| json!({
                "table": s.table, "description": s.description, "sql": s.sql,
                "seconds": self.timings.get(i).map(Duration::as_secs_f64),
            })).collect::<Vec<_>>(),
        })
    }
}
