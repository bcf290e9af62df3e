//! The check constraints of the schema (the domain types already enforce both).

use std::fmt;

use super::{Column, Table};
use crate::fields::{DeploymentField, InvocationField};

/// A check constraint of the schema (the domain types already enforce both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CheckConstraint {
    /// `function_deployments_version_check`: `version > 0`
    DeploymentsVersion,
    /// `function_invocations_duration_ms_check`: `duration_ms >= 0`
    InvocationsDurationMs,
}

impl CheckConstraint {
    /// Every check constraint.
    pub const ALL: &'static [CheckConstraint] = &[
        CheckConstraint::DeploymentsVersion,
        CheckConstraint::InvocationsDurationMs,
    ];

    /// The constraint's name in the schema.
    #[must_use]
    pub const fn constraint_name(self) -> &'static str {
        match self {
            CheckConstraint::DeploymentsVersion => "function_deployments_version_check",
            CheckConstraint::InvocationsDurationMs => "function_invocations_duration_ms_check",
        }
    }

    /// The checked column.
    #[must_use]
    pub const fn column(self) -> Column {
        match self {
            CheckConstraint::DeploymentsVersion => {
                Column::FunctionDeployments(DeploymentField::Version)
            }
            CheckConstraint::InvocationsDurationMs => {
                Column::FunctionInvocations(InvocationField::DurationMs)
            }
        }
    }

    /// The table the constraint is on.
    #[must_use]
    pub const fn table(self) -> Table {
        self.column().table()
    }

    /// The constraint with this schema name, if it is one of ours.
    #[must_use]
    pub fn from_constraint_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|check| check.constraint_name() == name)
            .copied()
    }
}

impl fmt::Display for CheckConstraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.constraint_name())
    }
}
