//! Seeding for the binary (`demo`, `user add`): create tenants, users and
//! operators directly in the database, idempotently. Creating what already
//! exists is [`BootstrapError::AlreadyExists`], so callers can ignore it.

use model::{NewUser, Record, Tenant, TenantId, User, UserId, Validate};
use sqlx::PgPool;
use store::RepoError;
use store::repo::tenants::TenantRecord;
use store::repo::{operators, tenants, users};

use crate::auth::{password, token};
use crate::config::PasswordParams;
use crate::error::ApiError;

/// What can go wrong while seeding.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BootstrapError {
    /// The tenant slug, username or operator name is already taken.
    #[error("already exists: {0}")]
    AlreadyExists(String),
    /// The input is invalid.
    #[error("{0}")]
    Invalid(#[from] model::FieldErrors),
    /// The database failed.
    #[error(transparent)]
    Store(RepoError),
    /// Hashing the password failed.
    #[error("password hashing: {0}")]
    Hashing(String),
}

impl From<RepoError> for BootstrapError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::Conflict { constraint } => BootstrapError::AlreadyExists(constraint),
            other => BootstrapError::Store(other),
        }
    }
}

impl From<ApiError> for BootstrapError {
    fn from(e: ApiError) -> Self {
        BootstrapError::Hashing(e.to_string())
    }
}

/// Creates a tenant. A taken slug is [`BootstrapError::AlreadyExists`].
pub async fn create_tenant(pool: &PgPool, slug: &str, name: &str) -> Result<TenantRecord, BootstrapError> {
    let tenant = Tenant { slug: slug.to_owned(), name: name.to_owned() };
    tenant.validate()?;
    Ok(tenants::create(pool, &tenant).await?)
}

/// The tenant with this slug, if any.
pub async fn find_tenant(pool: &PgPool, slug: &str) -> Result<Option<TenantRecord>, BootstrapError> {
    Ok(tenants::find_by_slug(pool, slug).await?)
}

/// Creates a user with an argon2 hash made with the default (production)
/// parameters. A taken username is [`BootstrapError::AlreadyExists`].
pub async fn create_user(
    pool: &PgPool,
    tenant: TenantId,
    user: NewUser,
) -> Result<Record<UserId, User>, BootstrapError> {
    create_user_with(pool, tenant, user, PasswordParams::default()).await
}

/// [`create_user`] with explicit hashing parameters.
pub async fn create_user_with(
    pool: &PgPool,
    tenant: TenantId,
    user: NewUser,
    params: PasswordParams,
) -> Result<Record<UserId, User>, BootstrapError> {
    let mut errors = model::FieldErrors::default();
    user.user.validate_into("", &mut errors);
    model::user::validate_password("password", &user.password, &mut errors);
    errors.into_result()?;
    if users::find_credentials(pool, tenant, &user.user.username).await?.is_some() {
        return Err(BootstrapError::AlreadyExists("users_username_key".into()));
    }
    let hash = password::hash(params, user.password).await?;
    Ok(users::create(pool, tenant, &user.user, &hash).await?)
}

/// The user of the tenant with this username, if any.
pub async fn find_user(
    pool: &PgPool,
    tenant: TenantId,
    username: &str,
) -> Result<Option<Record<UserId, User>>, BootstrapError> {
    Ok(users::find_credentials(pool, tenant, username).await?.map(|c| c.user))
}

/// Registers a platform operator with a new token, returned once.
/// A taken name is [`BootstrapError::AlreadyExists`].
pub async fn create_operator(pool: &PgPool, name: &str) -> Result<String, BootstrapError> {
    let secret = token::generate("sbo_");
    operators::create(pool, name, &token::hash(&secret)).await?;
    Ok(secret)
}
