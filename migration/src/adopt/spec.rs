//! `docs/SCHEMA.md` as data, frozen like the migrations: every column (type, NOT NULL, default),
//! constraint and index of the nine tables, exactly as PostgreSQL's catalog prints them for a
//! database that `migration up` created. Adoption compares a database against these lists.

/// The nine tables of `docs/SCHEMA.md`, in creation order.
pub const TABLES: [&str; 9] = [
    "users",
    "functions",
    "function_deployments",
    "function_logs",
    "function_invocations",
    "user_information",
    "organizations",
    "organization_members",
    "repositories",
];

/// One column: table, name, `format_type` of its type, NOT NULL, default (`pg_get_expr`).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The table.
    pub table: &'static str,
    /// The column.
    pub name: &'static str,
    /// Its type as `format_type(atttypid, atttypmod)` prints it.
    pub ty: &'static str,
    /// Whether it is NOT NULL.
    pub not_null: bool,
    /// Its default as `pg_get_expr(adbin, adrelid)` prints it.
    pub default: Option<&'static str>,
}

const TS: &str = "timestamp without time zone";
const NOW: Option<&str> = Some("timezone('UTC'::text, now())");
const UUID: Option<&str> = Some("gen_random_uuid()");

const fn col(
    table: &'static str,
    name: &'static str,
    ty: &'static str,
    not_null: bool,
    default: Option<&'static str>,
) -> Column {
    Column {
        table,
        name,
        ty,
        not_null,
        default,
    }
}

/// Every column of the nine tables.
pub const COLUMNS: &[Column] = &[
    col(
        "users",
        "id",
        "integer",
        true,
        Some("nextval('users_id_seq'::regclass)"),
    ),
    col("users", "uuid", "uuid", true, UUID),
    col("users", "email", "character varying(255)", true, None),
    col(
        "users",
        "password_hash",
        "character varying(255)",
        false,
        None,
    ),
    col("users", "created_at", TS, true, NOW),
    col("users", "updated_at", TS, true, NOW),
    col(
        "functions",
        "id",
        "integer",
        true,
        Some("nextval('functions_id_seq'::regclass)"),
    ),
    col("functions", "uuid", "uuid", true, UUID),
    col("functions", "user_id", "integer", true, None),
    col("functions", "name", "character varying(255)", true, None),
    col(
        "functions",
        "status",
        "character varying(50)",
        true,
        Some("'active'::character varying"),
    ),
    col("functions", "active_deployment_id", "integer", false, None),
    col("functions", "analysis_result", "jsonb", false, None),
    col("functions", "created_at", TS, true, NOW),
    col("functions", "updated_at", TS, true, NOW),
    col(
        "function_deployments",
        "id",
        "integer",
        true,
        Some("nextval('function_deployments_id_seq'::regclass)"),
    ),
    col("function_deployments", "uuid", "uuid", true, UUID),
    col("function_deployments", "function_id", "integer", true, None),
    col("function_deployments", "version", "integer", true, None),
    col(
        "function_deployments",
        "image_tag",
        "character varying(255)",
        false,
        None,
    ),
    col(
        "function_deployments",
        "s3_key",
        "character varying(500)",
        false,
        None,
    ),
    col(
        "function_deployments",
        "status",
        "character varying(50)",
        true,
        Some("'pending'::character varying"),
    ),
    col(
        "function_deployments",
        "is_active",
        "boolean",
        true,
        Some("false"),
    ),
    col("function_deployments", "build_logs", "text", false, None),
    col("function_deployments", "deployed_at", TS, true, NOW),
    col(
        "function_logs",
        "id",
        "bigint",
        true,
        Some("nextval('function_logs_id_seq'::regclass)"),
    ),
    col("function_logs", "uuid", "uuid", true, UUID),
    col("function_logs", "function_id", "integer", true, None),
    col(
        "function_logs",
        "level",
        "character varying(20)",
        true,
        None,
    ),
    col("function_logs", "message", "text", true, None),
    col("function_logs", "timestamp", TS, true, NOW),
    col(
        "function_invocations",
        "id",
        "bigint",
        true,
        Some("nextval('function_invocations_id_seq'::regclass)"),
    ),
    col("function_invocations", "uuid", "uuid", true, UUID),
    col("function_invocations", "function_id", "integer", true, None),
    col(
        "function_invocations",
        "status",
        "character varying(50)",
        true,
        None,
    ),
    col("function_invocations", "duration_ms", "integer", true, None),
    col("function_invocations", "error", "text", false, None),
    col("function_invocations", "timestamp", TS, true, NOW),
    col(
        "user_information",
        "id",
        "integer",
        true,
        Some("nextval('user_information_id_seq'::regclass)"),
    ),
    col("user_information", "uuid", "uuid", true, UUID),
    col("user_information", "user_id", "uuid", true, None),
    col(
        "user_information",
        "first_name",
        "character varying(100)",
        false,
        None,
    ),
    col(
        "user_information",
        "last_name",
        "character varying(100)",
        false,
        None,
    ),
    col(
        "user_information",
        "phone_number",
        "character varying(20)",
        false,
        None,
    ),
    col(
        "user_information",
        "country",
        "character varying(100)",
        false,
        None,
    ),
    col(
        "user_information",
        "city",
        "character varying(100)",
        false,
        None,
    ),
    col("user_information", "address", "text", false, None),
    col(
        "user_information",
        "zip_code",
        "character varying(20)",
        false,
        None,
    ),
    col("user_information", "avatar", "text", false, None),
    col(
        "user_information",
        "role",
        "character varying(50)",
        true,
        Some("'developer'::character varying"),
    ),
    col("user_information", "created_at", TS, true, NOW),
    col("user_information", "updated_at", TS, true, NOW),
    col(
        "organizations",
        "id",
        "integer",
        true,
        Some("nextval('organizations_id_seq'::regclass)"),
    ),
    col("organizations", "uuid", "uuid", true, UUID),
    col(
        "organizations",
        "name",
        "character varying(255)",
        true,
        None,
    ),
    col("organizations", "owner_id", "uuid", true, None),
    col("organizations", "created_at", TS, true, NOW),
    col("organizations", "updated_at", TS, true, NOW),
    col(
        "organization_members",
        "id",
        "integer",
        true,
        Some("nextval('organization_members_id_seq'::regclass)"),
    ),
    col(
        "organization_members",
        "organization_id",
        "uuid",
        true,
        None,
    ),
    col("organization_members", "user_id", "uuid", true, None),
    col("organization_members", "joined_at", TS, true, NOW),
    col(
        "repositories",
        "id",
        "integer",
        true,
        Some("nextval('repositories_id_seq'::regclass)"),
    ),
    col("repositories", "uuid", "uuid", true, UUID),
    col("repositories", "name", "character varying(255)", true, None),
    col("repositories", "path", "text", true, None),
    col("repositories", "parent_id", "integer", false, None),
    col("repositories", "created_at", TS, true, NOW),
    col("repositories", "updated_at", TS, true, NOW),
    col("repositories", "deleted_at", TS, false, None),
];

/// One constraint or index: table, name, definition (`pg_get_constraintdef` /
/// `pg_get_indexdef`).
#[derive(Debug, Clone, Copy)]
pub struct Object {
    /// The table it is on.
    pub table: &'static str,
    /// Its name.
    pub name: &'static str,
    /// Its definition as the catalog prints it.
    pub def: &'static str,
}

const fn obj(table: &'static str, name: &'static str, def: &'static str) -> Object {
    Object { table, name, def }
}

/// Every constraint of the nine tables (primary keys, unique keys, checks, foreign keys).
pub const CONSTRAINTS: &[Object] = &[
    obj("users", "users_pkey", "PRIMARY KEY (id)"),
    obj("users", "users_uuid_key", "UNIQUE (uuid)"),
    obj("users", "users_email_key", "UNIQUE (email)"),
    obj("functions", "functions_pkey", "PRIMARY KEY (id)"),
    obj("functions", "functions_uuid_key", "UNIQUE (uuid)"),
    obj(
        "functions",
        "functions_user_id_name_key",
        "UNIQUE (user_id, name)",
    ),
    obj(
        "functions",
        "functions_user_id_fkey",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    obj(
        "functions",
        "functions_active_deployment_id_fkey",
        "FOREIGN KEY (active_deployment_id) REFERENCES function_deployments(id) ON DELETE SET NULL",
    ),
    obj(
        "function_deployments",
        "function_deployments_pkey",
        "PRIMARY KEY (id)",
    ),
    obj(
        "function_deployments",
        "function_deployments_uuid_key",
        "UNIQUE (uuid)",
    ),
    obj(
        "function_deployments",
        "function_deployments_function_id_version_key",
        "UNIQUE (function_id, version)",
    ),
    obj(
        "function_deployments",
        "function_deployments_version_check",
        "CHECK ((version > 0))",
    ),
    obj(
        "function_deployments",
        "function_deployments_function_id_fkey",
        "FOREIGN KEY (function_id) REFERENCES functions(id) ON DELETE CASCADE",
    ),
    obj("function_logs", "function_logs_pkey", "PRIMARY KEY (id)"),
    obj("function_logs", "function_logs_uuid_key", "UNIQUE (uuid)"),
    obj(
        "function_logs",
        "function_logs_function_id_fkey",
        "FOREIGN KEY (function_id) REFERENCES functions(id) ON DELETE CASCADE",
    ),
    obj(
        "function_invocations",
        "function_invocations_pkey",
        "PRIMARY KEY (id)",
    ),
    obj(
        "function_invocations",
        "function_invocations_uuid_key",
        "UNIQUE (uuid)",
    ),
    obj(
        "function_invocations",
        "function_invocations_duration_ms_check",
        "CHECK ((duration_ms >= 0))",
    ),
    obj(
        "function_invocations",
        "function_invocations_function_id_fkey",
        "FOREIGN KEY (function_id) REFERENCES functions(id) ON DELETE CASCADE",
    ),
    obj(
        "user_information",
        "user_information_pkey",
        "PRIMARY KEY (id)",
    ),
    obj(
        "user_information",
        "user_information_uuid_key",
        "UNIQUE (uuid)",
    ),
    obj(
        "user_information",
        "user_information_user_id_key",
        "UNIQUE (user_id)",
    ),
    obj(
        "user_information",
        "user_information_user_id_fkey",
        "FOREIGN KEY (user_id) REFERENCES users(uuid) ON DELETE CASCADE",
    ),
    obj("organizations", "organizations_pkey", "PRIMARY KEY (id)"),
    obj("organizations", "organizations_uuid_key", "UNIQUE (uuid)"),
    obj("organizations", "organizations_name_key", "UNIQUE (name)"),
    obj(
        "organizations",
        "organizations_owner_id_fkey",
        "FOREIGN KEY (owner_id) REFERENCES users(uuid) ON DELETE RESTRICT",
    ),
    obj(
        "organization_members",
        "organization_members_pkey",
        "PRIMARY KEY (id)",
    ),
    obj(
        "organization_members",
        "organization_members_user_id_key",
        "UNIQUE (user_id)",
    ),
    obj(
        "organization_members",
        "organization_members_organization_id_fkey",
        "FOREIGN KEY (organization_id) REFERENCES organizations(uuid) ON DELETE CASCADE",
    ),
    obj(
        "organization_members",
        "organization_members_user_id_fkey",
        "FOREIGN KEY (user_id) REFERENCES users(uuid) ON DELETE CASCADE",
    ),
    obj("repositories", "repositories_pkey", "PRIMARY KEY (id)"),
    obj("repositories", "repositories_uuid_key", "UNIQUE (uuid)"),
    obj(
        "repositories",
        "repositories_parent_id_fkey",
        "FOREIGN KEY (parent_id) REFERENCES repositories(id) ON DELETE CASCADE",
    ),
];

/// Every index that is not a constraint's.
pub const INDEXES: &[Object] = &[
    obj(
        "functions",
        "functions_user_id_idx",
        "CREATE INDEX functions_user_id_idx ON public.functions USING btree (user_id)",
    ),
    obj(
        "functions",
        "functions_active_deployment_id_idx",
        "CREATE INDEX functions_active_deployment_id_idx ON public.functions USING btree (active_deployment_id)",
    ),
    obj(
        "function_deployments",
        "function_deployments_function_id_idx",
        "CREATE INDEX function_deployments_function_id_idx ON public.function_deployments USING btree (function_id)",
    ),
    obj(
        "function_deployments",
        "function_deployments_is_active_idx",
        "CREATE INDEX function_deployments_is_active_idx ON public.function_deployments USING btree (is_active)",
    ),
    obj(
        "function_deployments",
        "function_deployments_version_idx",
        "CREATE INDEX function_deployments_version_idx ON public.function_deployments USING btree (version)",
    ),
    obj(
        "function_deployments",
        "function_deployments_function_id_active_key",
        "CREATE UNIQUE INDEX function_deployments_function_id_active_key ON public.function_deployments USING btree (function_id) WHERE is_active",
    ),
    obj(
        "function_logs",
        "function_logs_function_id_timestamp_idx",
        "CREATE INDEX function_logs_function_id_timestamp_idx ON public.function_logs USING btree (function_id, \"timestamp\")",
    ),
    obj(
        "function_logs",
        "function_logs_timestamp_idx",
        "CREATE INDEX function_logs_timestamp_idx ON public.function_logs USING btree (\"timestamp\")",
    ),
    obj(
        "function_invocations",
        "function_invocations_function_id_timestamp_idx",
        "CREATE INDEX function_invocations_function_id_timestamp_idx ON public.function_invocations USING btree (function_id, \"timestamp\")",
    ),
    obj(
        "function_invocations",
        "function_invocations_timestamp_idx",
        "CREATE INDEX function_invocations_timestamp_idx ON public.function_invocations USING btree (\"timestamp\")",
    ),
    obj(
        "user_information",
        "user_information_role_idx",
        "CREATE INDEX user_information_role_idx ON public.user_information USING btree (role)",
    ),
    obj(
        "organizations",
        "organizations_owner_id_idx",
        "CREATE INDEX organizations_owner_id_idx ON public.organizations USING btree (owner_id)",
    ),
    obj(
        "organization_members",
        "organization_members_organization_id_idx",
        "CREATE INDEX organization_members_organization_id_idx ON public.organization_members USING btree (organization_id)",
    ),
    obj(
        "repositories",
        "repositories_parent_id_idx",
        "CREATE INDEX repositories_parent_id_idx ON public.repositories USING btree (parent_id)",
    ),
    obj(
        "repositories",
        "repositories_path_live_key",
        "CREATE UNIQUE INDEX repositories_path_live_key ON public.repositories USING btree (path) WHERE (deleted_at IS NULL)",
    ),
    // m20251203_000011_case_insensitive_indexes
    obj(
        "users",
        "users_email_ci_idx",
        "CREATE INDEX users_email_ci_idx ON public.users USING btree (lower(((email)::text COLLATE \"C\")))",
    ),
    obj(
        "organizations",
        "organizations_name_ci_idx",
        "CREATE INDEX organizations_name_ci_idx ON public.organizations USING btree (lower(((name)::text COLLATE \"C\")))",
    ),
    obj(
        "functions",
        "functions_name_ci_idx",
        "CREATE INDEX functions_name_ci_idx ON public.functions USING btree (lower(((name)::text COLLATE \"C\")))",
    ),
];

/// The tables whose `id` is a 64-bit `BIGSERIAL` (their sequences are `AS bigint`).
pub const BIGINT_IDS: [&str; 2] = ["function_logs", "function_invocations"];

/// The words the domain reads in each status, level and role column (frozen copies of the
/// domain's enums: this crate must not depend on the domain; a test checks they agree).
pub const WORDS: &[(&str, &str, &[&str])] = &[
    (
        "functions",
        "status",
        &["active", "inactive", "building", "failed", "init"],
    ),
    (
        "function_deployments",
        "status",
        &[
            "pending", "building", "active", "inactive", "failed", "disabled",
        ],
    ),
    (
        "function_logs",
        "level",
        &["debug", "info", "warn", "error"],
    ),
    (
        "function_invocations",
        "status",
        &["success", "error", "timeout"],
    ),
    (
        "user_information",
        "role",
        &["developer", "team", "sub_team_developer"],
    ),
];

/// The column naming a row in reports: `uuid`, or `user_id` for `organization_members`.
#[must_use]
pub fn key_column(table: &str) -> &'static str {
    if table == "organization_members" {
        "user_id"
    } else {
        "uuid"
    }
}
