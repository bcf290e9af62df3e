//! A narrated tour of the ContainerPub persistence layer.
//!
//! ```text
//! cargo run --example quickstart                                   # in memory
//! DATABASE_URL=postgres://user:pass@host/db cargo run --example quickstart   # PostgreSQL
//! ```
//!
//! The tour is one function, [`tour`], written against the ports only (`UnitOfWork` and the
//! store traits), so it runs unchanged on either adapter. With `DATABASE_URL` set, the
//! database is migrated first; every name the tour creates carries a random suffix, so it
//! can run any number of times against the same database. Next, `docs/APPLICATIONS.md` shows
//! how to write and test a service of your own.

use std::error::Error;
use std::process::ExitCode;

use containerpub_domain::chrono::{TimeDelta, Utc};
use containerpub_domain::{
    DeploymentStatus, DurationMs, EntityName, ImageTag, InvocationStatus, Json, LogLevel,
    NewDeployment, NewFunction, NewInvocation, NewLog, NewOrganization, NewRepository, NewUser,
    NewUserInformation, PasswordHash, RepositoryPath, Role, ShortText, Text, Timestamp, Uuid,
};
use containerpub_dto::{
    FunctionStatsDto, OrganizationWithMembersDto, UserProfileDto, UserWithOrganizationDto,
};
use containerpub_memory::MemoryStore;
use containerpub_ports::{
    FunctionField, KeysetRequest, LogQuery, Query, Ref, StoreError, Stores, UnitOfWork,
    UnitOfWorkExt, Upserted,
};
use containerpub_postgres::{PgConfig, PgStore};
use serde_json::json;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nThe quickstart failed: {err}");
            let mut source = err.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

/// Picks the adapter: PostgreSQL when `DATABASE_URL` is set, else the in-memory store.
async fn run() -> Result<(), Box<dyn Error>> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            println!("Store: PostgreSQL at {}", redacted(&url));
            println!("Applying the migrations first (containerpub_migration::up)…");
            containerpub_migration::up(&url).await?;
            let db = PgStore::connect(PgConfig::new(url)).await?;
            tour(&db).await
        }
        _ => {
            println!("Store: in memory (set DATABASE_URL=postgres://… to use PostgreSQL)");
            tour(&MemoryStore::new()).await
        }
    }
}

/// The URL with its password hidden, for printing.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<the DATABASE_URL>".to_owned();
    };
    match rest.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

fn section(title: &str) {
    println!("\n== {title} ==");
}

/// The tour: users and profiles, an organization, a function with deployments, logs,
/// invocations and their statistics, the organization as JSON for two viewers, a repository
/// tree, and transactions. Runs on any adapter.
///
/// # Errors
/// The first store, validation or JSON error, which `main` prints.
#[allow(clippy::too_many_lines)]
async fn tour<U: UnitOfWork>(db: &U) -> Result<(), Box<dyn Error>> {
    // A short random suffix keeps every unique name fresh across runs.
    let suffix = Uuid::new_v4().simple().to_string()[..8].to_owned();
    let now = Timestamp::new(Utc::now())?;

    section("1. A user with a profile");
    let ada = db
        .users()
        .insert(
            NewUser::parse(&format!("  Ada.{suffix}@Example.COM "))?
                .with_password_hash(PasswordHash::new("$argon2id$v=19$m=65536,t=3,p=4$…")?),
        )
        .await?;
    println!("Inserted {} (e-mail trimmed and lowercased).", ada.email);
    let profile = db
        .user_information()
        .upsert_for_user(NewUserInformation {
            first_name: Some(ShortText::new("first_name", "Ada")?),
            last_name: Some(ShortText::new("last_name", "Lovelace")?),
            city: Some(ShortText::new("city", "London")?),
            role: Role::Team,
            ..NewUserInformation::new(ada.uuid)
        })
        .await?;
    match &profile {
        Upserted::Inserted(p) => println!("Profile created ({}).", p.role),
        Upserted::Updated(p) => println!("Profile updated ({}).", p.role),
    }
    let view = db
        .user_information()
        .profile(ada.uuid)
        .await?
        .ok_or("the user has just been created")?;
    println!(
        "As JSON (uuids only, no hash): {}",
        serde_json::to_string(&UserProfileDto::try_from(&view)?)?
    );

    section("2. An organization with two members");
    let grace = db
        .users()
        .insert(NewUser::parse(&format!("grace.{suffix}@example.com"))?)
        .await?;
    let (org, owner_membership) = db
        .organizations()
        .create_with_owner(NewOrganization::new(
            EntityName::new("name", format!("Analytical Engines {suffix}"))?,
            ada.uuid,
        ))
        .await?;
    println!(
        "Created {:?}; its owner joined at {}.",
        org.name.as_str(),
        owner_membership.joined_at
    );
    db.organization_members()
        .add_member(org.uuid, grace.uuid)
        .await?;
    println!("Added {} as a member.", grace.email);
    match db
        .organization_members()
        .add_member(org.uuid, grace.uuid)
        .await
    {
        Err(err) => println!("Adding her twice is refused: {err}"),
        Ok(_) => return Err("a user was added to an organization twice".into()),
    }
    let members = db.organization_members().members_of(org.uuid).await?;
    for m in &members {
        let name = m
            .information
            .as_ref()
            .and_then(|i| i.first_name.as_ref())
            .map_or("(no profile)", |n| n.as_str());
        println!("  member {} {name}", m.user.email);
    }

    section("3. A function with three deployments, the second one active");
    let function = db
        .functions()
        .insert(NewFunction {
            analysis_result: Some(Json::new(
                "analysis_result",
                json!({"warnings": ["unused import"], "score": 0.93}),
            )?),
            ..NewFunction::new(ada.id, EntityName::new("name", "thumbnailer")?)
        })
        .await?;
    println!("Created function {:?}.", function.name.as_str());
    let mut deployments = Vec::new();
    for build in 1..=3 {
        let d = db
            .deployments()
            .create_next_version(NewDeployment {
                image_tag: Some(ImageTag::new(
                    "image_tag",
                    format!("registry.example.com/thumbnailer:{build}"),
                )?),
                status: DeploymentStatus::Active,
                ..NewDeployment::new(function.id)
            })
            .await?;
        println!("  deployed version {}", d.version);
        deployments.push(d);
    }
    let second = db.deployments().activate(deployments[1].id).await?;
    println!("Activated version {}.", second.version);
    // An API receives the function's uuid: the store resolves it in the same read.
    let details = db
        .functions()
        .details(Ref::uuid(function.uuid))
        .await?
        .ok_or("the function has just been created")?;
    println!("Its details, deployments newest first:");
    for d in &details.deployments {
        let mark = if Some(d.id) == details.function.active_deployment_id {
            "  <- active"
        } else {
            ""
        };
        println!(
            "  v{} {}{mark}",
            d.version,
            d.image_tag.as_ref().map_or("", |t| t.as_str())
        );
    }
    let summaries = db
        .functions()
        .summaries(Query::filter(FunctionField::UserId.eq(ada.id)))
        .await?;
    for s in &summaries {
        println!(
            "Summary: {:?}, {} deployments.",
            s.function.name.as_str(),
            s.deployment_count
        );
    }

    section("4. A batch of logs, read back in keyset windows");
    let lines: Vec<NewLog> = (0..25_i64)
        .map(|i| {
            let level = match i % 10 {
                9 => LogLevel::Error,
                4 => LogLevel::Warn,
                _ => LogLevel::Info,
            };
            let message = Text::new("message", format!("request {i} handled"))?;
            Ok(NewLog::new(function.id, level, message)
                .at(now.saturating_add(TimeDelta::milliseconds(i))))
        })
        .collect::<Result<_, StoreError>>()?;
    let written = db.logs().append(lines).await?;
    println!("Appended {written} log lines in one batch.");
    let query = LogQuery::for_function(function.id);
    let mut request = KeysetRequest::first(10);
    let mut window_number = 1;
    loop {
        let window = db.logs().for_function(query.clone(), request).await?;
        let first = window
            .items
            .first()
            .map(|l| l.message.as_str())
            .unwrap_or("-");
        let last = window
            .items
            .last()
            .map(|l| l.message.as_str())
            .unwrap_or("-");
        println!(
            "  window {window_number}: {} lines, from {first:?} to {last:?}",
            window.items.len()
        );
        match window.next {
            Some(cursor) => {
                request = KeysetRequest::after(cursor, 10);
                window_number += 1;
            }
            None => break,
        }
    }
    let errors = db
        .logs()
        .for_function(
            LogQuery {
                level: Some(LogLevel::Error),
                newest_first: true,
                ..query
            },
            KeysetRequest::first(100),
        )
        .await?;
    println!(
        "Errors only, newest first: {:?}",
        errors
            .items
            .iter()
            .map(|l| l.message.as_str())
            .collect::<Vec<_>>()
    );

    section("5. Invocations and their statistics");
    let invocations: Vec<NewInvocation> = (0..40_i32)
        .map(|i| {
            let status = match i % 8 {
                7 => InvocationStatus::Error,
                3 => InvocationStatus::Timeout,
                _ => InvocationStatus::Success,
            };
            let duration = DurationMs::new(20 + (i * 37) % 180)?;
            let at = now.saturating_add(TimeDelta::seconds(i64::from(i) - 40));
            Ok(NewInvocation::new(function.id, status, duration).at(at))
        })
        .collect::<Result<_, StoreError>>()?;
    let recorded = db.invocations().record_many(invocations).await?;
    println!("Recorded {recorded} invocations.");
    let since = now.saturating_add(TimeDelta::hours(-1));
    let stats = db
        .invocations()
        .stats(Ref::uuid(function.uuid), since)
        .await?
        .ok_or("the function exists")?;
    println!(
        "Statistics of the last hour: {}",
        serde_json::to_string(&FunctionStatsDto::for_function(&stats, function.uuid))?
    );

    section("6. The organization as its owner and as a non-owner see it");
    // The JSON the frontend reads: compact, snake_case, members newest first.
    let as_owner = OrganizationWithMembersDto::from_entities(&org, &members, Some(ada.uuid))?;
    println!("Seen by the owner: {}", serde_json::to_string(&as_owner)?);
    let as_member = OrganizationWithMembersDto::from_entities(&org, &members, Some(grace.uuid))?;
    println!(
        "Seen by a non-owner (no member uuids): {}",
        serde_json::to_string(&as_member)?
    );
    let (with_org, information) = db
        .users()
        .with_organization(grace.uuid)
        .await?
        .ok_or("grace exists")?;
    println!(
        "A member with her organization: {}",
        serde_json::to_string(&UserWithOrganizationDto::from_entities(
            &with_org,
            information.as_ref()
        )?)?
    );

    section("7. A repository tree");
    let root = format!("tour-{suffix}");
    for p in [
        root.clone(),
        format!("{root}/api"),
        format!("{root}/api/worker"),
        format!("{root}/web"),
    ] {
        let repo = db
            .repositories()
            .create(NewRepository::new(RepositoryPath::parse(&p)?))
            .await?;
        println!("  created {}", repo.path);
    }
    let top = db
        .repositories()
        .find_by_path(&RepositoryPath::parse(&root)?)
        .await?
        .ok_or("the root has just been created")?;
    let worker = db
        .repositories()
        .find_by_path(&RepositoryPath::parse(&format!("{root}/api/worker"))?)
        .await?
        .ok_or("the worker has just been created")?;
    let paths = |repos: &[containerpub_domain::Repository]| {
        repos.iter().map(|r| r.path.to_string()).collect::<Vec<_>>()
    };
    println!(
        "Descendants of {root}: {:?}",
        paths(&db.repositories().descendants_of(top.id.into()).await?)
    );
    println!(
        "Ancestors of {}, nearest first: {:?}",
        worker.path,
        paths(&db.repositories().ancestors_of(worker.id.into()).await?)
    );
    let api = worker.parent_id.ok_or("the worker has a parent")?;
    let hidden = db.repositories().soft_delete(api.into()).await?;
    println!("Soft-deleted {root}/api and its subtree: {hidden} rows.");
    println!(
        "Descendants of {root} now: {:?}",
        paths(&db.repositories().descendants_of(top.id.into()).await?)
    );
    let again = db
        .repositories()
        .create(NewRepository::new(RepositoryPath::parse(&format!(
            "{root}/api"
        ))?))
        .await?;
    println!("The path is free again: re-created {}.", again.path);

    section("8. Transactions");
    let renamed = db
        .transaction(async move |tx| {
            let f = tx
                .functions()
                .update_by_id(
                    function.id,
                    containerpub_domain::FunctionPatch {
                        name: Some(EntityName::new("name", "thumbnailer-v2")?),
                        ..Default::default()
                    },
                )
                .await?;
            tx.logs()
                .append(vec![NewLog::new(
                    f.id,
                    LogLevel::Info,
                    Text::new("message", "renamed")?,
                )])
                .await?;
            Ok::<_, StoreError>(f)
        })
        .await?;
    println!(
        "Committed: renamed to {:?}, with a log line.",
        renamed.name.as_str()
    );
    let ghost_address = format!("ghost.{suffix}@example.com");
    let second_org = format!("Second org {suffix}");
    let refused: Result<(), StoreError> = db
        .transaction(async move |tx| {
            tx.users().insert(NewUser::parse(&ghost_address)?).await?;
            // A second organization for Ada breaks a rule, so the whole body rolls back.
            tx.organizations()
                .create_with_owner(NewOrganization::new(
                    EntityName::new("name", second_org)?,
                    ada.uuid,
                ))
                .await?;
            Ok(())
        })
        .await;
    match refused {
        Err(err) => println!("Rolled back: {err}"),
        Ok(()) => return Err("a user was allowed to own two organizations".into()),
    }
    let ghost = containerpub_domain::Email::parse(&format!("ghost.{suffix}@example.com"))?;
    if db.users().find_by_email(&ghost).await?.is_some() {
        return Err("a rolled-back insert is still visible".into());
    }
    println!("The user inserted before the error was rolled back with it.");

    println!("\nTour complete. Next: docs/APPLICATIONS.md, a service of your own tested on mocks,");
    println!("on the in-memory store and on PostgreSQL.");
    Ok(())
}
