//! Tenant users with their argon2 password hashes. The last admin of a
//! tenant can be neither deleted nor demoted.

use model::{Record, Role, TenantId, User, UserId};
use sqlx::{PgExecutor, PgPool, Postgres, Transaction};

use super::RepoError;

#[derive(sqlx::FromRow)]
struct Row {
    id: uuid::Uuid,
    username: String,
    display_name: String,
    role: String,
}

impl TryFrom<Row> for Record<UserId, User> {
    type Error = RepoError;
    fn try_from(r: Row) -> Result<Self, RepoError> {
        let role = Role::parse(&r.role).ok_or_else(|| RepoError::Corrupt(format!("users.role = {}", r.role)))?;
        Ok(Record { id: r.id.into(), data: User { username: r.username, display_name: r.display_name, role } })
    }
}

/// A user with the password hash, for login.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The user.
    pub user: Record<UserId, User>,
    /// The argon2 PHC string.
    pub password_hash: String,
}

const COLUMNS: &str = "id, username, display_name, role";

/// Creates a user; a taken username is [`RepoError::Conflict`] on `users_username_key`.
pub async fn create(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    user: &User,
    password_hash: &str,
) -> Result<Record<UserId, User>, RepoError> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO users (id, tenant_id, username, display_name, role, password_hash) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    ))
    .bind(UserId::new().0)
    .bind(tenant.0)
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(user.role.as_str())
    .bind(password_hash)
    .fetch_one(db)
    .await?;
    row.try_into()
}

/// Every user of the tenant, by username.
pub async fn list(db: impl PgExecutor<'_>, tenant: TenantId) -> Result<Vec<Record<UserId, User>>, RepoError> {
    let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE tenant_id = $1 ORDER BY username"))
        .bind(tenant.0)
        .fetch_all(db)
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// One user of the tenant.
pub async fn get(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    id: UserId,
) -> Result<Option<Record<UserId, User>>, RepoError> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant.0)
        .bind(id.0)
        .fetch_optional(db)
        .await?;
    row.map(TryInto::try_into).transpose()
}

/// The user with this username, with their password hash.
pub async fn find_credentials(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    username: &str,
) -> Result<Option<Credentials>, RepoError> {
    let row: Option<(uuid::Uuid, String, String, String, String)> = sqlx::query_as(
        "SELECT id, username, display_name, role, password_hash FROM users WHERE tenant_id = $1 AND username = $2",
    )
    .bind(tenant.0)
    .bind(username)
    .fetch_optional(db)
    .await?;
    let Some((id, username, display_name, role, password_hash)) = row else { return Ok(None) };
    let user = Row { id, username, display_name, role }.try_into()?;
    Ok(Some(Credentials { user, password_hash }))
}

/// Locks the tenant's admins and fails if `id` is the only one.
async fn guard_last_admin(tx: &mut Transaction<'_, Postgres>, tenant: TenantId, id: UserId) -> Result<(), RepoError> {
    let admins: Vec<(uuid::Uuid,)> =
        sqlx::query_as("SELECT id FROM users WHERE tenant_id = $1 AND role = 'admin' ORDER BY id FOR UPDATE")
            .bind(tenant.0)
            .fetch_all(&mut **tx)
            .await?;
    if admins.len() == 1 && admins[0].0 == id.0 { Err(RepoError::LastAdmin) } else { Ok(()) }
}

/// Replaces a user's profile and, when given, their password hash.
/// `None` when the tenant has no such user.
pub async fn update(
    pool: &PgPool,
    tenant: TenantId,
    id: UserId,
    user: &User,
    password_hash: Option<&str>,
) -> Result<Option<Record<UserId, User>>, RepoError> {
    let mut tx = pool.begin().await?;
    if user.role != Role::Admin {
        guard_last_admin(&mut tx, tenant, id).await?;
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "UPDATE users SET username = $3, display_name = $4, role = $5, \
         password_hash = COALESCE($6, password_hash) WHERE tenant_id = $1 AND id = $2 RETURNING {COLUMNS}"
    ))
    .bind(tenant.0)
    .bind(id.0)
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(user.role.as_str())
    .bind(password_hash)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    row.map(TryInto::try_into).transpose()
}

/// Deletes a user (and their sessions). `false` when the tenant has no such user.
pub async fn delete(pool: &PgPool, tenant: TenantId, id: UserId) -> Result<bool, RepoError> {
    let mut tx = pool.begin().await?;
    guard_last_admin(&mut tx, tenant, id).await?;
    let done = sqlx::query("DELETE FROM users WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(super::delete_error)?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}
