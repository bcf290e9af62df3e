//! Read back exactly: what an insert returns holds the input's values.

use std::fmt::Debug;

use containerpub_domain::{
    Deployment, Function, Invocation, LogEntry, NewDeployment, NewFunction, NewInvocation, NewLog,
    NewOrganization, NewOrganizationMember, NewRepository, NewUser, NewUserInformation,
    Organization, OrganizationMember, Repository, User, UserInformation,
};
use proptest::test_runner::TestCaseError;

use super::exec::fail;

pub trait Echo<N> {
    fn echoes(&self, new: &N) -> bool;
}

impl Echo<NewUser> for User {
    fn echoes(&self, n: &NewUser) -> bool {
        self.uuid == n.uuid && self.email == n.email && self.password_hash == n.password_hash
    }
}

impl Echo<NewUserInformation> for UserInformation {
    fn echoes(&self, n: &NewUserInformation) -> bool {
        self.uuid == n.uuid
            && self.user_uuid == n.user_uuid
            && self.first_name == n.first_name
            && self.last_name == n.last_name
            && self.phone_number == n.phone_number
            && self.country == n.country
            && self.city == n.city
            && self.address == n.address
            && self.zip_code == n.zip_code
            && self.avatar == n.avatar
            && self.role == n.role
    }
}

impl Echo<NewOrganization> for Organization {
    fn echoes(&self, n: &NewOrganization) -> bool {
        self.uuid == n.uuid && self.name == n.name && self.owner_uuid == n.owner_uuid
    }
}

impl Echo<NewOrganizationMember> for OrganizationMember {
    fn echoes(&self, n: &NewOrganizationMember) -> bool {
        self.organization_uuid == n.organization_uuid && self.user_uuid == n.user_uuid
    }
}

impl Echo<NewFunction> for Function {
    fn echoes(&self, n: &NewFunction) -> bool {
        self.uuid == n.uuid
            && self.user_id == n.user_id
            && self.name == n.name
            && self.status == n.status
            && self.analysis_result == n.analysis_result
    }
}

impl Echo<NewDeployment> for Deployment {
    fn echoes(&self, n: &NewDeployment) -> bool {
        self.uuid == n.uuid
            && self.function_id == n.function_id
            && self.image_tag == n.image_tag
            && self.s3_key == n.s3_key
            && self.status == n.status
            && self.build_logs == n.build_logs
            && !self.is_active
    }
}

impl Echo<NewLog> for LogEntry {
    fn echoes(&self, n: &NewLog) -> bool {
        self.uuid == n.uuid
            && self.function_id == n.function_id
            && self.level == n.level
            && self.message == n.message
            && n.timestamp.is_none_or(|t| t == self.timestamp)
    }
}

impl Echo<NewInvocation> for Invocation {
    fn echoes(&self, n: &NewInvocation) -> bool {
        self.uuid == n.uuid
            && self.function_id == n.function_id
            && self.status == n.status
            && self.duration_ms == n.duration_ms
            && self.error == n.error
            && n.timestamp.is_none_or(|t| t == self.timestamp)
    }
}

impl Echo<NewRepository> for Repository {
    fn echoes(&self, n: &NewRepository) -> bool {
        self.uuid == n.uuid
            && self.path == n.path
            && self.name == n.path.name()
            && self.deleted_at.is_none()
    }
}

pub(super) fn echo<T: Echo<N> + Debug, N: Debug>(
    what: &str,
    row: &T,
    new: &N,
) -> Result<(), TestCaseError> {
    if row.echoes(new) {
        Ok(())
    } else {
        Err(fail(format!(
            "{what} stored something else than its input:\n input: {new:?}\n row:   {row:?}"
        )))
    }
}
