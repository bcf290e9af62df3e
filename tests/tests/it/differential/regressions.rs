//! The minimal sequences of every difference the property test found, written out so they
//! run first on every run whatever the generators become (the seeds in
//! `tests/proptest-regressions/differential.txt` replay them too, as long as the generators
//! stay the same).

use containerpub_domain::{DeploymentStatus, FunctionStatus};

use super::inputs::{IdRef, NewUuid, PathSpec, TextSpec};
use super::ops::{
    Case, Finish, NewDeploymentSpec, NewFunctionSpec, NewRepoSpec, NewUserSpec, Op, SpecialOp,
    WriteOp,
};

fn repository(uuid: NewUuid, path: &str) -> NewRepoSpec {
    NewRepoSpec {
        uuid,
        path: PathSpec::Raw(path.to_owned()),
    }
}

fn deployment(uuid: NewUuid, function: IdRef) -> NewDeploymentSpec {
    NewDeploymentSpec {
        uuid,
        function,
        image_tag: Some(TextSpec::Lit("v2".to_owned())),
        s3_key: None,
        status: DeploymentStatus::Active,
        build_logs: None,
    }
}

/// Every saved case, with what it found.
pub fn cases() -> Vec<(&'static str, Case)> {
    vec![
        (
            "a repository upsert on the uuid of a live row whose input path has no parent \
             updates the row (memory said ReferenceMissing)",
            Case {
                ops: vec![
                    Op::Repositories(WriteOp::Upsert(repository(NewUuid::Fresh(0), "a"), 0)),
                    Op::Repositories(WriteOp::Upsert(repository(NewUuid::Reuse(0), "b/a"), 0)),
                    // The sequence value the update branch took shows in the next id.
                    Op::Special(SpecialOp::CreateRepository(repository(
                        NewUuid::Fresh(7),
                        "c",
                    ))),
                ],
                finish: Finish::Commit,
            },
        ),
        (
            "a deployment upsert on the uuid of an existing row whose input function does not \
             exist updates the row (memory said ReferenceMissing)",
            Case {
                ops: vec![
                    Op::Users(WriteOp::Insert(NewUserSpec {
                        uuid: NewUuid::Fresh(1),
                        email: "a@x.io".to_owned(),
                        password: None,
                    })),
                    Op::Functions(WriteOp::Insert(NewFunctionSpec {
                        uuid: NewUuid::Fresh(2),
                        owner: IdRef::Seen(0),
                        name: TextSpec::Lit("api".to_owned()),
                        status: FunctionStatus::Active,
                        analysis: None,
                    })),
                    Op::Special(SpecialOp::CreateNextVersion(deployment(
                        NewUuid::Fresh(3),
                        IdRef::Seen(0),
                    ))),
                    Op::Deployments(WriteOp::Upsert(
                        deployment(NewUuid::Reuse(0), IdRef::Unknown(9_999)),
                        0,
                    )),
                    Op::Special(SpecialOp::CreateNextVersion(deployment(
                        NewUuid::Fresh(4),
                        IdRef::Seen(0),
                    ))),
                ],
                finish: Finish::Commit,
            },
        ),
    ]
}
