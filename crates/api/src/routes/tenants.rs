//! `/api/v1/tenants`: platform operators create tenants with their first admin.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use model::user::validate_password;
use model::validation::join;
use model::{FieldErrors, NewUser, Record, Role, Tenant, TenantId, User, UserId, Validate};
use serde::{Deserialize, Serialize};
use store::repo::tenants::TenantRecord;
use store::repo::{tenants, users};
use utoipa::ToSchema;

use super::Items;
use crate::auth::{Operator, password};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;

/// The body of `POST /api/v1/tenants`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    /// Login slug, unique on the platform.
    pub slug: String,
    /// Company name.
    pub name: String,
    /// The first admin (role must be `admin`).
    pub admin: NewUser,
}

impl Validate for NewTenant {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        Tenant { slug: self.slug.clone(), name: self.name.clone() }.validate_into(path, errors);
        let admin = join(path, "admin");
        self.admin.user.validate_into(&admin, errors);
        validate_password(&join(&admin, "password"), &self.admin.password, errors);
        if self.admin.user.role != Role::Admin {
            errors.push(join(&admin, "role"), "the first user must be an admin");
        }
    }
}

/// A tenant as shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantView {
    /// The tenant's id.
    pub id: TenantId,
    /// Login slug.
    pub slug: String,
    /// Company name.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The first admin, in the creation response only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub admin: Option<Record<UserId, User>>,
}

impl From<TenantRecord> for TenantView {
    fn from(t: TenantRecord) -> Self {
        TenantView { id: t.id, slug: t.tenant.slug, name: t.tenant.name, created_at: t.created_at, admin: None }
    }
}

/// The tenant routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/tenants", get(list).post(create))
}

async fn list(State(s): State<AppState>, _: Operator) -> Result<Json<Items<TenantView>>, ApiError> {
    Ok(Json(tenants::list(&s.pool).await?.into_iter().map(TenantView::from).collect::<Vec<_>>().into()))
}

async fn create(
    State(s): State<AppState>,
    op: Operator,
    JsonBody(body): JsonBody<NewTenant>,
) -> Result<(StatusCode, Json<TenantView>), ApiError> {
    let hash = password::hash(s.config.password, body.admin.password.clone()).await?;
    let mut tx = s.pool.begin().await.map_err(store::RepoError::from)?;
    let tenant = tenants::create(&mut *tx, &Tenant { slug: body.slug, name: body.name }).await?;
    let admin = users::create(&mut *tx, tenant.id, &body.admin.user, &hash).await?;
    tx.commit().await.map_err(store::RepoError::from)?;
    tracing::info!(operator = %op.name, tenant_id = %tenant.id, slug = %tenant.tenant.slug, "tenant created");
    Ok((StatusCode::CREATED, Json(TenantView { admin: Some(admin), ..tenant.into() })))
}
