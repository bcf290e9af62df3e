//! Rows that block adoption: what the new keys, NOT NULLs and checks of `docs/SCHEMA.md` would
//! refuse, and values the domain cannot read. Found by SQL, at most [`LIMIT`] rows listed per
//! kind, table and column (the total is always given).

use sea_orm_migration::sea_orm::{ConnectionTrait, DbErr};

use super::inspect::{Catalog, text_rows};
use super::{Blocker, BlockerKind, spec};

/// The most rows listed for one kind, table and column.
pub const LIMIT: usize = 1000;

/// `users.email` trimmed (of any white space) and lowercased, in SQL.
pub(crate) const NORMALISED_EMAIL: &str =
    "lower(regexp_replace(email, '^[[:space:]]+|[[:space:]]+$', '', 'g'))";

/// The shape `Email::parse` accepts, for a normalised address.
const EMAIL_SHAPE: &str =
    "^[^@[:space:][:cntrl:]]+@[^@.[:space:][:cntrl:]]+([.][^@.[:space:][:cntrl:]]+)+$";

/// Runs `select` (columns: row key, reason; may use `count(*) OVER ()` as a third column for
/// the total) and appends its rows as blockers.
async fn collect<C: ConnectionTrait>(
    db: &C,
    out: &mut Vec<Blocker>,
    kind: BlockerKind,
    table: &str,
    column: &str,
    select: &str,
) -> Result<(), DbErr> {
    let sql = format!(
        "SELECT q.*, (count(*) OVER ())::text FROM ({select}) q LIMIT {}",
        LIMIT + 1
    );
    let rows = text_rows(db, &sql).await?;
    let total: usize = rows
        .first()
        .and_then(|r| r.last().cloned().flatten())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let listed = rows.into_iter().map(|row| {
        let mut it = row.into_iter();
        let key = it.next().flatten().unwrap_or_default();
        (key, it.next().flatten().unwrap_or_default())
    });
    push_listed(out, kind, table, column, listed, total);
    Ok(())
}

/// Appends the first [`LIMIT`] of `rows` (row key, reason) as blockers of one kind, table and
/// column, then one line counting the rest when `total` is larger.
fn push_listed(
    out: &mut Vec<Blocker>,
    kind: BlockerKind,
    table: &str,
    column: &str,
    rows: impl IntoIterator<Item = (String, String)>,
    total: usize,
) {
    let blocker = |row: String, reason: String| Blocker {
        kind,
        table: table.to_owned(),
        row,
        column: column.to_owned(),
        reason,
    };
    out.extend(
        rows.into_iter()
            .take(LIMIT)
            .map(|(row, reason)| blocker(row, reason)),
    );
    if total > LIMIT {
        out.push(blocker(
            "…".to_owned(),
            format!("and {} more rows like these", total - LIMIT),
        ));
    }
}

/// What the domain stores for an e-mail: trimmed of white space and lowercased, as
/// `Email::parse` does (Unicode rules; a test in the tests crate checks the two agree).
pub fn domain_normalised(email: &str) -> String {
    email.trim().to_lowercase()
}

/// E-mails with non-ASCII characters whose SQL normalisation ([`NORMALISED_EMAIL`], which the
/// adoption runs) differs from the domain's: PostgreSQL's `lower()` follows the database's
/// collation (under `C` it lowercases ASCII only; glibc and Rust disagree on letters such as
/// `İ`), so such a row would be adopted in a form every read of `users` refuses. Compared
/// here, in Rust, row by row (only rows with a non-ASCII character are fetched).
async fn non_ascii_emails<C: ConnectionTrait>(db: &C, out: &mut Vec<Blocker>) -> Result<(), DbErr> {
    let rows = text_rows(
        db,
        &format!(
            "SELECT uuid::text, email, {NORMALISED_EMAIL} FROM users \
             WHERE email ~ '[^\\x01-\\x7f]' ORDER BY id"
        ),
    )
    .await?;
    let differing: Vec<String> = rows
        .into_iter()
        .filter_map(|row| match row.as_slice() {
            [Some(uuid), Some(email), Some(sql)] if domain_normalised(email) != *sql => {
                Some(uuid.clone())
            }
            _ => None,
        })
        .collect();
    let total = differing.len();
    let reason = "non-ASCII letters that PostgreSQL's lower() and the domain lowercase \
                  differently: store the address lowercased by hand";
    let listed = differing.into_iter().map(|uuid| (uuid, reason.to_owned()));
    push_listed(
        out,
        BlockerKind::InvalidValue,
        "users",
        "email",
        listed,
        total,
    );
    Ok(())
}

/// Every blocking row of a Dart-created database.
pub(crate) async fn find<C: ConnectionTrait>(db: &C, cat: &Catalog) -> Result<Vec<Blocker>, DbErr> {
    let mut out = Vec::new();
    if cat.has("users") {
        collect(
            db,
            &mut out,
            BlockerKind::EmailCollision,
            "users",
            "email",
            &format!(
                "SELECT uuid::text, 'e-mail ' || e || ' is shared by ' || count(*) OVER (PARTITION BY e) \
                 || ' accounts once trimmed and lowercased' FROM (SELECT id, uuid, {NORMALISED_EMAIL} AS e \
                 FROM users) n WHERE e IN (SELECT {NORMALISED_EMAIL} FROM users GROUP BY 1 \
                 HAVING count(*) > 1) ORDER BY e, id"
            ),
        )
        .await?;
        collect(
            db,
            &mut out,
            BlockerKind::InvalidValue,
            "users",
            "email",
            &format!(
                "SELECT uuid::text, 'not an address like name@example.com once trimmed and lowercased' \
                 FROM users WHERE {NORMALISED_EMAIL} !~ '{EMAIL_SHAPE}' ORDER BY id"
            ),
        )
        .await?;
        non_ascii_emails(db, &mut out).await?;
    }
    if cat.has("function_deployments") && cat.has("functions") {
        collect(
            db,
            &mut out,
            BlockerKind::TwoActiveDeployments,
            "function_deployments",
            "is_active",
            "SELECT d.uuid::text, 'one of ' || count(*) OVER (PARTITION BY d.function_id) \
             || ' active deployments of function ' || f.uuid || ' (version ' || d.version || ')' \
             FROM function_deployments d JOIN functions f ON f.id = d.function_id \
             WHERE d.is_active AND d.function_id IN (SELECT function_id FROM function_deployments \
             WHERE is_active GROUP BY 1 HAVING count(*) > 1) ORDER BY d.function_id, d.version",
        )
        .await?;
        collect(
            db,
            &mut out,
            BlockerKind::DanglingActiveDeployment,
            "functions",
            "active_deployment_id",
            "SELECT f.uuid::text, 'points at a deployment that does not exist' FROM functions f \
             WHERE f.active_deployment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \
             function_deployments d WHERE d.id = f.active_deployment_id) ORDER BY f.id",
        )
        .await?;
        collect(
            db,
            &mut out,
            BlockerKind::NonPositiveVersion,
            "function_deployments",
            "version",
            "SELECT uuid::text, 'version ' || version || ' breaks CHECK (version > 0)' \
             FROM function_deployments WHERE version <= 0 ORDER BY id",
        )
        .await?;
    }
    if cat.has("function_invocations") {
        collect(
            db,
            &mut out,
            BlockerKind::NegativeDuration,
            "function_invocations",
            "duration_ms",
            "SELECT uuid::text, 'duration_ms ' || duration_ms || ' breaks CHECK (duration_ms >= 0)' \
             FROM function_invocations WHERE duration_ms < 0 ORDER BY id",
        )
        .await?;
    }
    for column in spec::COLUMNS {
        let Some(found) = cat.column(column.table, column.name) else {
            continue;
        };
        if column.not_null && !found.not_null {
            collect(
                db,
                &mut out,
                BlockerKind::NullInRequiredColumn,
                column.table,
                column.name,
                &format!(
                    "SELECT {key}::text, 'NULL in a column that becomes NOT NULL' FROM {table} \
                     WHERE \"{name}\" IS NULL ORDER BY id",
                    key = spec::key_column(column.table),
                    table = column.table,
                    name = column.name
                ),
            )
            .await?;
        }
    }
    for (table, column, words) in spec::WORDS {
        if cat.column(table, column).is_none() {
            continue;
        }
        let list = words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(", ");
        collect(
            db,
            &mut out,
            BlockerKind::InvalidValue,
            table,
            column,
            &format!(
                "SELECT uuid::text, 'not one of {}' FROM {table} WHERE \"{column}\" IS NOT NULL \
                 AND \"{column}\" NOT IN ({list}) ORDER BY id",
                words.join(", ")
            ),
        )
        .await?;
    }
    for table in ["functions", "organizations"] {
        if cat.has(table) {
            collect(
                db,
                &mut out,
                BlockerKind::InvalidValue,
                table,
                "name",
                &format!(
                    "SELECT uuid::text, 'blank name' FROM {table} WHERE name ~ '^[[:space:]]*$' \
                     ORDER BY id"
                ),
            )
            .await?;
        }
    }
    Ok(out)
}
