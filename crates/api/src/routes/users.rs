//! `/api/v1/users`: the tenant's users; read by supervisors, written by
//! admins. The last admin can be neither deleted nor demoted.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use model::user::validate_password;
use model::{FieldErrors, NewUser, Record, Role, User, UserId, Validate};
use serde::Deserialize;
use store::repo::users;
use utoipa::ToSchema;

use super::Items;
use crate::auth::{Admin, Supervisor, password};
use crate::error::ApiError;
use crate::extract::{Id, JsonBody};
use crate::state::AppState;

type Out = Record<UserId, User>;

/// The body of `PUT /api/v1/users/{id}`: the profile, and a new password if given.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    /// Login name.
    pub username: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// A new password; omitted keeps the current one.
    #[serde(default)]
    pub password: Option<String>,
}

impl UserUpdate {
    fn user(&self) -> User {
        User { username: self.username.clone(), display_name: self.display_name.clone(), role: self.role }
    }
}

impl Validate for UserUpdate {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        self.user().validate_into(path, errors);
        if let Some(p) = &self.password {
            validate_password(&model::validation::join(path, "password"), p, errors);
        }
    }
}

/// A new user's fields, password included.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct NewUserBody(pub NewUser);

impl Validate for NewUserBody {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        self.0.user.validate_into(path, errors);
        validate_password(&model::validation::join(path, "password"), &self.0.password, errors);
    }
}

/// The user routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users", get(list).post(create))
        .route("/api/v1/users/{id}", get(one).put(update).delete(remove))
}

async fn list(State(s): State<AppState>, Supervisor(c): Supervisor) -> Result<Json<Items<Out>>, ApiError> {
    Ok(Json(users::list(&s.pool, c.tenant_id).await?.into()))
}

async fn one(State(s): State<AppState>, Supervisor(c): Supervisor, Id(id): Id<UserId>) -> Result<Json<Out>, ApiError> {
    users::get(&s.pool, c.tenant_id, id).await?.map(Json).ok_or(ApiError::NotFound)
}

async fn create(
    State(s): State<AppState>,
    Admin(c): Admin,
    JsonBody(NewUserBody(body)): JsonBody<NewUserBody>,
) -> Result<(StatusCode, Json<Out>), ApiError> {
    let hash = password::hash(s.config.password, body.password).await?;
    Ok((StatusCode::CREATED, Json(users::create(&s.pool, c.tenant_id, &body.user, &hash).await?)))
}

async fn update(
    State(s): State<AppState>,
    Admin(c): Admin,
    Id(id): Id<UserId>,
    JsonBody(body): JsonBody<UserUpdate>,
) -> Result<Json<Out>, ApiError> {
    let hash = match body.password.clone() {
        Some(p) => Some(password::hash(s.config.password, p).await?),
        None => None,
    };
    let user = body.user();
    users::update(&s.pool, c.tenant_id, id, &user, hash.as_deref()).await?.map(Json).ok_or(ApiError::NotFound)
}

async fn remove(State(s): State<AppState>, Admin(c): Admin, Id(id): Id<UserId>) -> Result<StatusCode, ApiError> {
    if users::delete(&s.pool, c.tenant_id, id).await? { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}
