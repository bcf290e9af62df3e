//! The foreign keys of the schema: their names, columns, referenced tables and columns, and
//! `ON DELETE` actions.

use std::fmt;

use super::{Column, Table};
use crate::fields::{
    DeploymentField, FunctionField, InvocationField, LogField, OrganizationField,
    OrganizationMemberField, RepositoryField, UserInformationField,
};

/// Which column of the referenced table a foreign key references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// `REFERENCES parent(id)`
    Id,
    /// `REFERENCES parent(uuid)`
    Uuid,
}

impl Target {
    /// The referenced column's SQL name.
    #[must_use]
    pub const fn column_name(self) -> &'static str {
        match self {
            Target::Id => "id",
            Target::Uuid => "uuid",
        }
    }
}

/// A foreign key's `ON DELETE` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OnDelete {
    /// `CASCADE`: delete the referencing rows.
    Cascade,
    /// `SET NULL`: set the referencing column to NULL.
    SetNull,
    /// `RESTRICT`: refuse the delete.
    Restrict,
}

/// A foreign key of the schema.
///
/// Declared grouped by table, in table creation order; within a table, the declaration order
/// is the order in which both adapters check the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ForeignKey {
    /// `functions_user_id_fkey`
    FunctionsUserId,
    /// `functions_active_deployment_id_fkey`
    FunctionsActiveDeploymentId,
    /// `function_deployments_function_id_fkey`
    DeploymentsFunctionId,
    /// `function_logs_function_id_fkey`
    LogsFunctionId,
    /// `function_invocations_function_id_fkey`
    InvocationsFunctionId,
    /// `user_information_user_id_fkey`
    UserInformationUserId,
    /// `organizations_owner_id_fkey`
    OrganizationsOwnerId,
    /// `organization_members_organization_id_fkey`
    OrganizationMembersOrganizationId,
    /// `organization_members_user_id_fkey`
    OrganizationMembersUserId,
    /// `repositories_parent_id_fkey`
    RepositoriesParentId,
}

/// Everything the catalog says about one foreign key.
struct Spec {
    name: &'static str,
    column: Column,
    parent: Table,
    target: Target,
    on_delete: OnDelete,
}

const fn fk(
    name: &'static str,
    column: Column,
    (parent, target): (Table, Target),
    on_delete: OnDelete,
) -> Spec {
    Spec {
        name,
        column,
        parent,
        target,
        on_delete,
    }
}

impl ForeignKey {
    /// Every foreign key, in declaration order.
    pub const ALL: &'static [ForeignKey] = &[
        ForeignKey::FunctionsUserId,
        ForeignKey::FunctionsActiveDeploymentId,
        ForeignKey::DeploymentsFunctionId,
        ForeignKey::LogsFunctionId,
        ForeignKey::InvocationsFunctionId,
        ForeignKey::UserInformationUserId,
        ForeignKey::OrganizationsOwnerId,
        ForeignKey::OrganizationMembersOrganizationId,
        ForeignKey::OrganizationMembersUserId,
        ForeignKey::RepositoriesParentId,
    ];

    /// The one place each key is described.
    const fn spec(self) -> Spec {
        use OnDelete::{Cascade, Restrict, SetNull};
        const USERS_ID: (Table, Target) = (Table::Users, Target::Id);
        const USERS_UUID: (Table, Target) = (Table::Users, Target::Uuid);
        const FUNCTIONS_ID: (Table, Target) = (Table::Functions, Target::Id);
        match self {
            ForeignKey::FunctionsUserId => fk(
                "functions_user_id_fkey",
                Column::Functions(FunctionField::UserId),
                USERS_ID,
                Cascade,
            ),
            ForeignKey::FunctionsActiveDeploymentId => fk(
                "functions_active_deployment_id_fkey",
                Column::Functions(FunctionField::ActiveDeploymentId),
                (Table::FunctionDeployments, Target::Id),
                SetNull,
            ),
            ForeignKey::DeploymentsFunctionId => fk(
                "function_deployments_function_id_fkey",
                Column::FunctionDeployments(DeploymentField::FunctionId),
                FUNCTIONS_ID,
                Cascade,
            ),
            ForeignKey::LogsFunctionId => fk(
                "function_logs_function_id_fkey",
                Column::FunctionLogs(LogField::FunctionId),
                FUNCTIONS_ID,
                Cascade,
            ),
            ForeignKey::InvocationsFunctionId => fk(
                "function_invocations_function_id_fkey",
                Column::FunctionInvocations(InvocationField::FunctionId),
                FUNCTIONS_ID,
                Cascade,
            ),
            ForeignKey::UserInformationUserId => fk(
                "user_information_user_id_fkey",
                Column::UserInformation(UserInformationField::UserId),
                USERS_UUID,
                Cascade,
            ),
            ForeignKey::OrganizationsOwnerId => fk(
                "organizations_owner_id_fkey",
                Column::Organizations(OrganizationField::OwnerId),
                USERS_UUID,
                Restrict,
            ),
            ForeignKey::OrganizationMembersOrganizationId => fk(
                "organization_members_organization_id_fkey",
                Column::OrganizationMembers(OrganizationMemberField::OrganizationId),
                (Table::Organizations, Target::Uuid),
                Cascade,
            ),
            ForeignKey::OrganizationMembersUserId => fk(
                "organization_members_user_id_fkey",
                Column::OrganizationMembers(OrganizationMemberField::UserId),
                USERS_UUID,
                Cascade,
            ),
            ForeignKey::RepositoriesParentId => fk(
                "repositories_parent_id_fkey",
                Column::Repositories(RepositoryField::ParentId),
                (Table::Repositories, Target::Id),
                Cascade,
            ),
        }
    }

    /// The constraint's name in the schema.
    #[must_use]
    pub const fn constraint_name(self) -> &'static str {
        self.spec().name
    }

    /// The referencing table.
    #[must_use]
    pub const fn table(self) -> Table {
        self.spec().column.table()
    }

    /// The referencing column.
    #[must_use]
    pub const fn column(self) -> Column {
        self.spec().column
    }

    /// The referenced table.
    #[must_use]
    pub const fn parent(self) -> Table {
        self.spec().parent
    }

    /// The referenced column of [`ForeignKey::parent`].
    #[must_use]
    pub const fn target(self) -> Target {
        self.spec().target
    }

    /// What deleting a referenced row does.
    #[must_use]
    pub const fn on_delete(self) -> OnDelete {
        self.spec().on_delete
    }

    /// The constraint with this schema name, if it is one of ours.
    #[must_use]
    pub fn from_constraint_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|key| key.constraint_name() == name)
            .copied()
    }

    /// The foreign keys of `table` (the referencing table), in declaration order.
    #[must_use]
    pub const fn of(table: Table) -> &'static [ForeignKey] {
        let all = Self::ALL;
        let mut start = 0;
        while start < all.len() && all[start].table() as u8 != table as u8 {
            start += 1;
        }
        let mut end = start;
        while end < all.len() && all[end].table() as u8 == table as u8 {
            end += 1;
        }
        all.split_at(end).0.split_at(start).1
    }

    /// The foreign keys referencing `table`, in declaration order.
    pub fn referencing(table: Table) -> impl Iterator<Item = ForeignKey> {
        Self::ALL
            .iter()
            .copied()
            .filter(move |key| key.parent() == table)
    }
}

impl fmt::Display for ForeignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.constraint_name())
    }
}
