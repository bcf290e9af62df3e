//! Measurements, targets, the printed table and `report.json`.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::Rounds;
use super::sys::Machine;

/// What a measurement must reach.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// The value must be at most this.
    AtMost(f64),
    /// The value must be at least this.
    AtLeast(f64),
    /// The value is a boolean (1 or 0) that must be true.
    True,
    /// Report only: no target.
    Report,
}

impl Target {
    /// As written in the report: `"<= 1.25"`, `">= 0.75"`, `"true"` or `"report"`.
    #[must_use]
    pub fn text(self) -> String {
        match self {
            Target::AtMost(x) => format!("<= {x}"),
            Target::AtLeast(x) => format!(">= {x}"),
            Target::True => "true".to_owned(),
            Target::Report => "report".to_owned(),
        }
    }
}

/// One measurement: a named value, its unit and target, and detail fields.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// The measurement's name (stable: scripts and the smoke test look for it).
    pub name: String,
    /// The figure; NaN when the measurement failed (written as `null`).
    pub value: f64,
    /// Its unit (`ratio`, `rows/s`, `µs`, `bool`, …).
    pub unit: String,
    /// What it must reach.
    pub target: Target,
    /// Extra fields written beside the standard ones (raw figures of both sides, sizes, …).
    pub detail: Map<String, Value>,
}

impl Measurement {
    /// A measurement with no detail yet.
    #[must_use]
    pub fn new(name: &str, value: f64, unit: &str, target: Target) -> Self {
        Self {
            name: name.to_owned(),
            value,
            unit: unit.to_owned(),
            target,
            detail: Map::new(),
        }
    }

    /// A measurement that could not be taken: no value, and the error in `error`.
    #[must_use]
    pub fn failed(name: &str, unit: &str, target: Target, error: impl Into<String>) -> Self {
        Self::new(name, f64::NAN, unit, target).with("error", error.into())
    }

    /// Adds a detail field.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.detail.insert(key.to_owned(), value.into());
        self
    }

    /// Adds the medians and per-round figures of an interleaved pair, as `<a>`/`<b>` (the
    /// medians) and `<a>_rounds`/`<b>_rounds`.
    #[must_use]
    pub fn with_rounds(self, rounds: &Rounds, a: &str, b: &str) -> Self {
        let list = |v: &[f64]| Value::from(v.iter().map(|x| round3(*x)).collect::<Vec<_>>());
        let (p25, p75) = rounds.ratio_spread();
        let mut m = self
            .with(a, round3(rounds.a()))
            .with(b, round3(rounds.b()))
            .with(&format!("{a}_rounds"), list(&rounds.a))
            .with(&format!("{b}_rounds"), list(&rounds.b))
            .with("round_ratio_p25", round3(p25))
            .with("round_ratio_p75", round3(p75));
        if let Some((ma, mb)) = rounds.op_medians {
            m = m
                .with(&format!("{a}_op_median"), round3(ma))
                .with(&format!("{b}_op_median"), round3(mb))
                .with("op_median_ratio", round3(ma / mb));
        }
        m
    }

    /// Whether the target is met; `None` for report-only measurements.
    #[must_use]
    pub fn pass(&self) -> Option<bool> {
        let ok = self.value.is_finite();
        match self.target {
            Target::AtMost(x) => Some(ok && self.value <= x),
            Target::AtLeast(x) => Some(ok && self.value >= x),
            Target::True => Some(ok && self.value == 1.0),
            Target::Report => None,
        }
    }

    /// The JSON object: `name`, `value`, `unit`, `target`, `pass`, then the detail fields.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("name".into(), self.name.clone().into());
        let value = match self.target {
            Target::True if self.value.is_finite() => Value::Bool(self.value == 1.0),
            _ => json!(round3(self.value)),
        };
        object.insert("value".into(), value);
        object.insert("unit".into(), self.unit.clone().into());
        object.insert("target".into(), self.target.text().into());
        object.insert("pass".into(), json!(self.pass()));
        for (key, value) in &self.detail {
            object.insert(key.clone(), value.clone());
        }
        Value::Object(object)
    }
}

/// A value for the table: integers from 100 up, else 3 decimals.
fn display(x: f64) -> String {
    if !x.is_finite() {
        "null".to_owned()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

/// Rounds to 3 decimals (4 significant digits for small values), keeping NaN.
#[must_use]
pub fn round3(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    let digits = if x.abs() < 1.0 {
        4 - x.abs().log10().floor() as i32
    } else {
        3
    };
    let scale = 10f64.powi(digits.clamp(0, 12));
    (x * scale).round() / scale
}

/// The result of one run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The sizes' label (`full`, `quick`, `tiny`).
    pub sizes: &'static str,
    /// Every measurement, in the order taken.
    pub measurements: Vec<Measurement>,
    /// The machine and server it ran on.
    pub machine: Machine,
    /// Wall time of the whole run.
    pub duration: Duration,
}

impl Report {
    /// The measurement named `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Measurement> {
        self.measurements.iter().find(|m| m.name == name)
    }

    /// `report.json`: an array with one object per measurement, then a `machine` object
    /// (report-only; its value is the run's duration in seconds).
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut items: Vec<Value> = self.measurements.iter().map(Measurement::to_json).collect();
        let machine = Measurement::new("machine", self.duration.as_secs_f64(), "s", Target::Report)
            .with("sizes", self.sizes)
            .with("nproc", self.machine.nproc)
            .with("mem_total_kib", self.machine.mem_total_kib)
            .with("cpu_model", self.machine.cpu_model.clone())
            .with("postgres_version", self.machine.postgres_version.clone())
            .with("date_utc", self.machine.date_utc.clone())
            .with("loadavg_start", self.machine.loadavg_start.clone())
            .with("loadavg_end", self.machine.loadavg_end.clone());
        items.push(machine.to_json());
        Value::Array(items)
    }

    /// The table printed at the end of a run (series are summarised, not listed).
    #[must_use]
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<28} {:>14} {:<7} {:<8} {:<5}  detail",
            "name", "value", "unit", "target", "pass"
        );
        let _ = writeln!(s, "{}", "-".repeat(100));
        for m in self
            .measurements
            .iter()
            .filter(|m| !m.detail.contains_key("series"))
        {
            let pass = match m.pass() {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "-",
            };
            let value = match m.target {
                Target::True if m.value.is_finite() => (m.value == 1.0).to_string(),
                _ => display(m.value),
            };
            let summary = m
                .detail
                .get("summary")
                .or_else(|| m.detail.get("error"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let _ = writeln!(
                s,
                "{:<28} {:>14} {:<7} {:<8} {:<5}  {}",
                m.name,
                value,
                m.unit,
                m.target.text(),
                pass,
                summary
            );
        }
        let series: Vec<&Measurement> = self
            .measurements
            .iter()
            .filter(|m| m.detail.contains_key("series"))
            .collect();
        if !series.is_empty() {
            let _ = writeln!(s, "\nseries (table size -> value):");
            for m in series {
                let points = m.detail["series"]["points"]
                    .as_array()
                    .map(|p| {
                        p.iter()
                            .map(|pt| format!("{}: {}", pt[0], pt[1]))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                let _ = writeln!(s, "  {:<36} [{}] {}", m.name, m.unit, points);
            }
        }
        let _ = writeln!(
            s,
            "\n{} run in {:.1} s on {} CPUs ({}), {:.1} GiB, PostgreSQL {}; load average {} at the start, {} at the end",
            self.sizes,
            self.duration.as_secs_f64(),
            self.machine.nproc,
            self.machine.cpu_model,
            self.machine.mem_total_kib as f64 / 1024.0 / 1024.0,
            self.machine.postgres_version,
            self.machine.loadavg_start,
            self.machine.loadavg_end
        );
        s
    }
}
