//! Typed column identities: a column of any table, as the field enum of its entity names it
//! (or, for the few columns no query may name, as a [`HiddenColumn`]).

use std::any::Any;

use super::Table;
use crate::fields::{
    DeploymentField, FunctionField, InvocationField, LogField, OrganizationField,
    OrganizationMemberField, RepositoryField, UserField, UserInformationField,
};
use crate::query::Field;

/// A column the catalog names that is deliberately not a field (not queryable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HiddenColumn {
    /// `users.password_hash`
    UsersPasswordHash,
    /// `functions.analysis_result`
    FunctionsAnalysisResult,
}

/// A column of the schema, typed by the field enum of its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// A column of `users`.
    Users(UserField),
    /// A column of `user_information`.
    UserInformation(UserInformationField),
    /// A column of `organizations`.
    Organizations(OrganizationField),
    /// A column of `organization_members`.
    OrganizationMembers(OrganizationMemberField),
    /// A column of `functions`.
    Functions(FunctionField),
    /// A column of `function_deployments`.
    FunctionDeployments(DeploymentField),
    /// A column of `function_logs`.
    FunctionLogs(LogField),
    /// A column of `function_invocations`.
    FunctionInvocations(InvocationField),
    /// A column of `repositories`.
    Repositories(RepositoryField),
    /// A column that is not a field.
    Hidden(HiddenColumn),
}

impl Column {
    /// The table the column belongs to.
    #[must_use]
    pub const fn table(self) -> Table {
        match self {
            Column::Users(_) | Column::Hidden(HiddenColumn::UsersPasswordHash) => Table::Users,
            Column::UserInformation(_) => Table::UserInformation,
            Column::Organizations(_) => Table::Organizations,
            Column::OrganizationMembers(_) => Table::OrganizationMembers,
            Column::Functions(_) | Column::Hidden(HiddenColumn::FunctionsAnalysisResult) => {
                Table::Functions
            }
            Column::FunctionDeployments(_) => Table::FunctionDeployments,
            Column::FunctionLogs(_) => Table::FunctionLogs,
            Column::FunctionInvocations(_) => Table::FunctionInvocations,
            Column::Repositories(_) => Table::Repositories,
        }
    }

    /// The column's SQL name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Column::Users(f) => f.column(),
            Column::UserInformation(f) => f.column(),
            Column::Organizations(f) => f.column(),
            Column::OrganizationMembers(f) => f.column(),
            Column::Functions(f) => f.column(),
            Column::FunctionDeployments(f) => f.column(),
            Column::FunctionLogs(f) => f.column(),
            Column::FunctionInvocations(f) => f.column(),
            Column::Repositories(f) => f.column(),
            Column::Hidden(HiddenColumn::UsersPasswordHash) => "password_hash",
            Column::Hidden(HiddenColumn::FunctionsAnalysisResult) => "analysis_result",
        }
    }

    /// The column as a field of the field enum `F`: `None` if it belongs to another table's
    /// enum or is hidden. (Decided by type identity, no name is compared.)
    #[must_use]
    pub fn field<F: Field>(self) -> Option<F> {
        let field: &dyn Any = match &self {
            Column::Users(f) => f,
            Column::UserInformation(f) => f,
            Column::Organizations(f) => f,
            Column::OrganizationMembers(f) => f,
            Column::Functions(f) => f,
            Column::FunctionDeployments(f) => f,
            Column::FunctionLogs(f) => f,
            Column::FunctionInvocations(f) => f,
            Column::Repositories(f) => f,
            Column::Hidden(_) => return None,
        };
        field.downcast_ref::<F>().copied()
    }
}
