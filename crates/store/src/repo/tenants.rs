//! Tenants: created by a platform operator, found by slug at login.

use chrono::{DateTime, Utc};
use model::{Tenant, TenantId};
use sqlx::PgExecutor;

use super::RepoError;

/// A stored tenant.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TenantRecord {
    /// The tenant's id.
    pub id: TenantId,
    /// Slug and name.
    #[serde(flatten)]
    pub tenant: Tenant,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: uuid::Uuid,
    slug: String,
    name: String,
    created_at: DateTime<Utc>,
}

impl From<Row> for TenantRecord {
    fn from(r: Row) -> Self {
        TenantRecord { id: r.id.into(), tenant: Tenant { slug: r.slug, name: r.name }, created_at: r.created_at }
    }
}

/// Creates a tenant; a taken slug is [`RepoError::Conflict`] on `tenants_slug_key`.
pub async fn create(db: impl PgExecutor<'_>, tenant: &Tenant) -> Result<TenantRecord, RepoError> {
    let row: Row =
        sqlx::query_as("INSERT INTO tenants (id, slug, name) VALUES ($1, $2, $3) RETURNING id, slug, name, created_at")
            .bind(TenantId::new().0)
            .bind(&tenant.slug)
            .bind(&tenant.name)
            .fetch_one(db)
            .await?;
    Ok(row.into())
}

/// The tenant with this slug.
pub async fn find_by_slug(db: impl PgExecutor<'_>, slug: &str) -> Result<Option<TenantRecord>, RepoError> {
    let row: Option<Row> = sqlx::query_as("SELECT id, slug, name, created_at FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_optional(db)
        .await?;
    Ok(row.map(Into::into))
}

/// The tenant with this id.
pub async fn get(db: impl PgExecutor<'_>, id: TenantId) -> Result<Option<TenantRecord>, RepoError> {
    let row: Option<Row> = sqlx::query_as("SELECT id, slug, name, created_at FROM tenants WHERE id = $1")
        .bind(id.0)
        .fetch_optional(db)
        .await?;
    Ok(row.map(Into::into))
}

/// Every tenant, by slug.
pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<TenantRecord>, RepoError> {
    let rows: Vec<Row> =
        sqlx::query_as("SELECT id, slug, name, created_at FROM tenants ORDER BY slug").fetch_all(db).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The tenant's time zone (an IANA name, `UTC` unless set), if the tenant
/// exists.
pub async fn time_zone(db: impl PgExecutor<'_>, id: TenantId) -> Result<Option<String>, RepoError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT time_zone FROM tenants WHERE id = $1").bind(id.0).fetch_optional(db).await?;
    Ok(row.map(|(tz,)| tz))
}

/// Sets the tenant's time zone; `false` when there is no such tenant. A
/// name PostgreSQL does not know (its `pg_timezone_names`, which the
/// reports group by) is [`RepoError::Invalid`] on `time_zone`; the API
/// validates the IANA name before.
pub async fn set_time_zone(db: impl PgExecutor<'_>, id: TenantId, time_zone: &str) -> Result<bool, RepoError> {
    let (known, updated): (bool, bool) = sqlx::query_as(
        "WITH z AS (SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $2) AS known), \
         u AS (UPDATE tenants SET time_zone = $2 WHERE id = $1 AND (SELECT known FROM z) RETURNING 1) \
         SELECT (SELECT known FROM z), EXISTS (SELECT 1 FROM u)",
    )
    .bind(id.0)
    .bind(time_zone)
    .fetch_one(db)
    .await?;
    if !known {
        return Err(RepoError::Invalid { constraint: "time_zone".into() });
    }
    Ok(updated)
}
