//! `/api/v1/tenant`: the caller's own tenant and its settings. Any role
//! reads it; an admin changes the settings with `PATCH` (today the time
//! zone the reports group days, weeks and hours in).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use model::{FieldErrors, TenantId, Validate};
use serde::{Deserialize, Serialize};
use store::RepoError;
use store::repo::tenants;
use utoipa::ToSchema;

use crate::auth::{Admin, AnyRole};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;

/// The caller's tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantSettings {
    /// The tenant's id.
    pub id: TenantId,
    /// Login slug.
    pub slug: String,
    /// Company name.
    pub name: String,
    /// The IANA time zone reports use (`UTC` unless set).
    pub time_zone: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// The body of `PATCH /api/v1/tenant`: the settings to change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantPatch {
    /// An IANA time zone name (`Europe/London`).
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl Validate for TenantPatch {
    fn validate_into(&self, _path: &str, errors: &mut FieldErrors) {
        if let Some(zone) = &self.time_zone
            && !crate::routes::reports::params::valid_zone(zone)
        {
            errors.push("time_zone", "is not an IANA time zone name (such as Europe/London)");
        }
    }
}

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/tenant", get(show).patch(update))
}

async fn settings(s: &AppState, id: TenantId) -> Result<TenantSettings, ApiError> {
    let t = tenants::get(&s.pool, id).await?.ok_or(ApiError::NotFound)?;
    let time_zone = tenants::time_zone(&s.pool, id).await?.ok_or(ApiError::NotFound)?;
    Ok(TenantSettings { id, slug: t.tenant.slug, name: t.tenant.name, time_zone, created_at: t.created_at })
}

async fn show(State(s): State<AppState>, AnyRole(c): AnyRole) -> Result<Json<TenantSettings>, ApiError> {
    Ok(Json(settings(&s, c.tenant_id).await?))
}

async fn update(
    State(s): State<AppState>,
    Admin(c): Admin,
    JsonBody(body): JsonBody<TenantPatch>,
) -> Result<Json<TenantSettings>, ApiError> {
    if let Some(zone) = &body.time_zone {
        match tenants::set_time_zone(&s.pool, c.tenant_id, zone).await {
            Ok(true) => tracing::info!(tenant_id = %c.tenant_id, time_zone = %zone, "tenant time zone set"),
            Ok(false) => return Err(ApiError::NotFound),
            Err(RepoError::Invalid { .. }) => {
                return Err(ApiError::field("time_zone", "is not a time zone the database knows"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Json(settings(&s, c.tenant_id).await?))
}
