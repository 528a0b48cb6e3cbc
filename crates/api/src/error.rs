//! API errors and their JSON form: `{"error": "...", "fields": [...]}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use model::{FieldError, FieldErrors};
use serde::Serialize;
use store::RepoError;
use utoipa::ToSchema;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The request is malformed (bad JSON, bad query parameter).
    #[error("{message}")]
    BadRequest {
        /// What is wrong.
        message: String,
        /// The offending fields, if known.
        fields: Vec<FieldError>,
    },
    /// The request is well-formed but its values are invalid.
    #[error("{message}")]
    Invalid {
        /// What is wrong.
        message: String,
        /// The offending fields.
        fields: Vec<FieldError>,
    },
    /// No valid credentials were presented.
    #[error("authentication required")]
    Unauthorized,
    /// The caller's role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// No such object in the caller's tenant.
    #[error("not found")]
    NotFound,
    /// The route exists but not with this method.
    #[error("method not allowed on this route")]
    MethodNotAllowed,
    /// Too many failed logins; try again later.
    #[error("too many failed logins; try again later")]
    TooManyRequests,
    /// The change conflicts with existing data.
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than the server accepts.
    #[error("request body too large")]
    PayloadTooLarge,
    /// The body is not JSON.
    #[error("expected a JSON body (Content-Type: application/json)")]
    UnsupportedMediaType,
    /// A dependency (the database) is unavailable.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure; details go to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// An invalid single field.
    pub fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.push(field, reason);
        errors.into()
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in plain words.
    pub error: String,
    /// The offending fields (JSON paths), when the error is about the request's content.
    pub fields: Vec<FieldError>,
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        ApiError::Invalid { message: "invalid request".into(), fields: e.errors }
    }
}

/// The request field a violated constraint is about, and what to say.
fn constraint_field(constraint: &str) -> (&'static str, &'static str) {
    match constraint {
        "tenants_slug_key" => ("slug", "is already taken"),
        "users_username_key" => ("username", "is already taken in this tenant"),
        "skills_name_key" | "queues_name_key" | "trunks_name_key" | "ivr_flows_name_key" => {
            ("name", "is already taken in this tenant")
        }
        "agents_extension_key" => ("extension", "is already taken in this tenant"),
        "agents_user_key" => ("user_id", "already has an agent profile"),
        "agents_user_fk" => ("user_id", "names no user of this tenant"),
        "numbers_e164_key" => ("e164", "is already in use"),
        "numbers_entry_queue_fk" => ("entry.queue_id", "names no queue of this tenant"),
        "numbers_entry_flow_fk" => ("entry.flow_id", "names no IVR flow of this tenant"),
        "agent_skills_skill_fk" => ("skills", "names a skill that does not exist in this tenant"),
        "queue_skills_skill_fk" => ("required_skills", "names a skill that does not exist in this tenant"),
        "queue_memberships_queue_fk" => ("queues", "names a queue that does not exist in this tenant"),
        "queue_memberships_agent_fk" => ("members", "names an agent that does not exist in this tenant"),
        "contacts_owner_fk" => ("owner_agent_id", "names no agent of this tenant"),
        _ => ("", "conflicts with existing data"),
    }
}

impl From<RepoError> for ApiError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::Conflict { constraint } => {
                let (field, reason) = constraint_field(&constraint);
                ApiError::Conflict(format!("{field} {reason}").trim().to_owned())
            }
            RepoError::MissingReference { constraint } => {
                let (field, reason) = constraint_field(&constraint);
                ApiError::field(field, reason)
            }
            RepoError::InUse { constraint } => {
                ApiError::Conflict(format!("still in use ({constraint}); remove the references first"))
            }
            RepoError::Invalid { constraint } => ApiError::field("", format!("refused by {constraint}")),
            RepoError::LastAdmin => ApiError::Conflict("the tenant's last admin cannot be removed or demoted".into()),
            RepoError::Database(e) if matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::Io(_)) => {
                ApiError::Unavailable(e.to_string())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (error, fields) = match self {
            ApiError::BadRequest { message, fields } | ApiError::Invalid { message, fields } => (message, fields),
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                ("internal error".to_owned(), Vec::new())
            }
            other => (other.to_string(), Vec::new()),
        };
        let mut response = (status, Json(ErrorBody { error, fields })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
