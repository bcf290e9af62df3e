//! `create_with_parents`: a repository and its missing ancestors in one call.

use containerpub_domain::{NewRepository, Repository};
use containerpub_ports::{Filter, StoreError, UniqueKey, create_with_parents};

use super::seed::{path, repository};
use super::{ContractStore, Fixture};

fn paths(rows: &[Repository]) -> Vec<&str> {
    rows.iter().map(|r| r.path.as_str()).collect()
}

/// `create_with_parents` creates the missing ancestors top first, then the repository,
/// returning exactly what it created, each linked to its parent; existing ancestors are
/// reused untouched; a live path is `Conflict` and creates nothing (no ancestor either);
/// concurrent calls sharing missing ancestors create each ancestor once.
pub async fn repositories_create_with_parents<U: ContractStore>(fx: Fixture<U>) {
    let a = repository(&fx.db, "a").await;
    let created = create_with_parents(&fx.db, NewRepository::new(path("a/b/c/d")))
        .await
        .expect("create_with_parents");
    assert_eq!(paths(&created), ["a/b", "a/b/c", "a/b/c/d"]);
    assert_eq!(created[0].parent_id, Some(a.id));
    assert_eq!(created[1].parent_id, Some(created[0].id));
    assert_eq!(created[2].parent_id, Some(created[1].id));
    assert_eq!(created[2].name.as_str(), "d");
    let repos = fx.db.repositories();
    assert_eq!(repos.find_by_id(a.id).await, Ok(Some(a.clone())));
    assert_eq!(repos.count(Filter::All).await, Ok(4));
    // A top-level path creates just itself.
    let top = create_with_parents(&fx.db, NewRepository::new(path("z")))
        .await
        .expect("top");
    assert_eq!(paths(&top), ["z"]);
    // The path is live: Conflict, and the missing ancestors of another branch are not left.
    assert_eq!(
        create_with_parents(&fx.db, NewRepository::new(path("a/b/c/d"))).await,
        Err(StoreError::Conflict {
            key: UniqueKey::RepositoriesLivePath
        })
    );
    let used_uuid = NewRepository {
        uuid: a.uuid,
        ..NewRepository::new(path("q/r/s"))
    };
    assert_eq!(
        create_with_parents(&fx.db, used_uuid).await,
        Err(StoreError::Conflict {
            key: UniqueKey::RepositoriesUuid
        })
    );
    assert_eq!(
        repos.count(Filter::All).await,
        Ok(5),
        "q and q/r rolled back"
    );
    // Concurrent calls under one missing parent.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let db = fx.db.clone();
        tasks.push(tokio::spawn(async move {
            create_with_parents(&db, NewRepository::new(path(&format!("m/n/leaf{i}")))).await
        }));
    }
    let mut created = 0;
    for task in tasks {
        created += task
            .await
            .expect("task")
            .expect("create_with_parents")
            .len();
    }
    assert_eq!(created, 8 + 2, "m and m/n created once");
    let n = repos
        .find_by_path(&path("m/n"))
        .await
        .expect("find")
        .expect("m/n");
    assert_eq!(
        fx.db
            .repositories()
            .descendants_of(n.id.into())
            .await
            .map(|d| d.len()),
        Ok(8)
    );
}
