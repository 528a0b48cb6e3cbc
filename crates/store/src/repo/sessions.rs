//! Login sessions, found by the SHA-256 of their bearer token.

use chrono::{DateTime, Utc};
use model::{Role, TenantId, UserId};
use sqlx::PgExecutor;

use super::RepoError;

/// A live session and who it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The user.
    pub user_id: UserId,
    /// The user's current role.
    pub role: Role,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

/// Stores a new session.
pub async fn create(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    user: UserId,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<(), RepoError> {
    sqlx::query("INSERT INTO sessions (token_hash, tenant_id, user_id, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(tenant.0)
        .bind(user.0)
        .bind(expires_at)
        .execute(db)
        .await?;
    Ok(())
}

/// The unexpired session whose token hashes to `token_hash`.
pub async fn find(db: impl PgExecutor<'_>, token_hash: &[u8]) -> Result<Option<Session>, RepoError> {
    let row: Option<(uuid::Uuid, uuid::Uuid, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT s.tenant_id, s.user_id, u.role, s.expires_at FROM sessions s \
         JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > now()",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    let Some((tenant_id, user_id, role, expires_at)) = row else { return Ok(None) };
    let role = Role::parse(&role).ok_or_else(|| RepoError::Corrupt(format!("users.role = {role}")))?;
    Ok(Some(Session { tenant_id: tenant_id.into(), user_id: user_id.into(), role, expires_at }))
}

/// Ends the session whose token hashes to `token_hash`, if any.
pub async fn delete(db: impl PgExecutor<'_>, token_hash: &[u8]) -> Result<bool, RepoError> {
    let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(db).await?;
    Ok(done.rows_affected() == 1)
}

/// Removes expired sessions; returns how many.
pub async fn delete_expired(db: impl PgExecutor<'_>) -> Result<u64, RepoError> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= now()").execute(db).await?;
    Ok(done.rows_affected())
}
