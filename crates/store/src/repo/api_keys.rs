//! Per-tenant API keys, found by the SHA-256 of the key.

use chrono::{DateTime, Utc};
use model::{ApiKey, ApiKeyId, Role, TenantId};
use sqlx::PgExecutor;

use super::RepoError;

/// A stored API key (never the secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredApiKey {
    /// The key's id.
    pub id: ApiKeyId,
    /// Name and role.
    pub key: ApiKey,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used to authenticate.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Who an API key authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyOwner {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The key.
    pub id: ApiKeyId,
    /// The key's role.
    pub role: Role,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: uuid::Uuid,
    name: String,
    role: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
}

fn role(s: &str) -> Result<Role, RepoError> {
    Role::parse(s).ok_or_else(|| RepoError::Corrupt(format!("api_keys.role = {s}")))
}

impl TryFrom<Row> for StoredApiKey {
    type Error = RepoError;
    fn try_from(r: Row) -> Result<Self, RepoError> {
        Ok(StoredApiKey {
            id: r.id.into(),
            key: ApiKey { name: r.name, role: role(&r.role)? },
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        })
    }
}

const COLUMNS: &str = "id, name, role, created_at, last_used_at";

/// Stores a key by its hash.
pub async fn create(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    key: &ApiKey,
    key_hash: &[u8],
) -> Result<StoredApiKey, RepoError> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO api_keys (id, tenant_id, name, role, key_hash) VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    ))
    .bind(ApiKeyId::new().0)
    .bind(tenant.0)
    .bind(&key.name)
    .bind(key.role.as_str())
    .bind(key_hash)
    .fetch_one(db)
    .await?;
    row.try_into()
}

/// Every key of the tenant, oldest first.
pub async fn list(db: impl PgExecutor<'_>, tenant: TenantId) -> Result<Vec<StoredApiKey>, RepoError> {
    let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY id"))
        .bind(tenant.0)
        .fetch_all(db)
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// One key of the tenant.
pub async fn get(db: impl PgExecutor<'_>, tenant: TenantId, id: ApiKeyId) -> Result<Option<StoredApiKey>, RepoError> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM api_keys WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant.0)
        .bind(id.0)
        .fetch_optional(db)
        .await?;
    row.map(TryInto::try_into).transpose()
}

/// Renames a key or changes its role.
pub async fn update(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    id: ApiKeyId,
    key: &ApiKey,
) -> Result<Option<StoredApiKey>, RepoError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "UPDATE api_keys SET name = $3, role = $4 WHERE tenant_id = $1 AND id = $2 RETURNING {COLUMNS}"
    ))
    .bind(tenant.0)
    .bind(id.0)
    .bind(&key.name)
    .bind(key.role.as_str())
    .fetch_optional(db)
    .await?;
    row.map(TryInto::try_into).transpose()
}

/// Revokes a key.
pub async fn delete(db: impl PgExecutor<'_>, tenant: TenantId, id: ApiKeyId) -> Result<bool, RepoError> {
    let done = sqlx::query("DELETE FROM api_keys WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The key whose secret hashes to `key_hash`. Records the use, at most once
/// a minute per key so that a busy client does not write on every request.
pub async fn authenticate(db: impl PgExecutor<'_>, key_hash: &[u8]) -> Result<Option<KeyOwner>, RepoError> {
    let row: Option<(uuid::Uuid, uuid::Uuid, String)> = sqlx::query_as(
        "WITH k AS (SELECT id, tenant_id, role, last_used_at FROM api_keys WHERE key_hash = $1), \
         touched AS (UPDATE api_keys a SET last_used_at = now() FROM k WHERE a.id = k.id \
         AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute')) \
         SELECT tenant_id, id, role FROM k",
    )
    .bind(key_hash)
    .fetch_optional(db)
    .await?;
    let Some((tenant_id, id, r)) = row else { return Ok(None) };
    Ok(Some(KeyOwner { tenant_id: tenant_id.into(), id: id.into(), role: role(&r)? }))
}
