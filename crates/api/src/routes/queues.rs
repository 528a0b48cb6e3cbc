//! `/api/v1/queues`: queues with their skill requirements and the agents
//! serving them; read by every role, written by admins.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use model::{AgentId, FieldErrors, Queue, QueueId, Validate};
use serde::{Deserialize, Serialize};
use store::repo::queues::{self, QueueMember, StoredQueue};
use utoipa::ToSchema;

use super::Items;
use crate::auth::{Admin, AnyRole};
use crate::error::ApiError;
use crate::extract::{Id, JsonBody};
use crate::state::AppState;

/// An agent serving a queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// The agent.
    pub agent_id: AgentId,
    /// The queue's weight for this agent (1–100).
    pub weight: u8,
}

/// A queue as shown: its id, its configuration and its members.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueView {
    /// The queue's id.
    pub id: QueueId,
    /// The configuration.
    #[serde(flatten)]
    pub queue: Queue,
    /// The agents serving it (change with `PUT /api/v1/queues/{id}/members`
    /// or through each agent's `queues`).
    pub members: Vec<Member>,
}

impl From<StoredQueue> for QueueView {
    fn from(q: StoredQueue) -> Self {
        let members = q.members.into_iter().map(|m| Member { agent_id: m.agent_id, weight: m.weight }).collect();
        QueueView { id: q.id, queue: q.queue, members }
    }
}

/// The body of `PUT /api/v1/queues/{id}/members`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Members {
    /// The complete new list of members.
    pub members: Vec<Member>,
}

impl Validate for Members {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        for (i, m) in self.members.iter().enumerate() {
            let at = model::validation::index(&model::validation::join(path, "members"), i);
            if !(1..=100).contains(&m.weight) {
                errors.push(model::validation::join(&at, "weight"), "must be between 1 and 100");
            }
            if self.members[..i].iter().any(|o| o.agent_id == m.agent_id) {
                errors.push(model::validation::join(&at, "agent_id"), "is listed twice");
            }
        }
    }
}

/// The queue routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/queues", get(list).post(create))
        .route("/api/v1/queues/{id}", get(one).put(update).delete(remove))
        .route("/api/v1/queues/{id}/members", put(set_members))
}

async fn list(State(s): State<AppState>, AnyRole(c): AnyRole) -> Result<Json<Items<QueueView>>, ApiError> {
    let all = queues::list(&s.pool, c.tenant_id).await?;
    Ok(Json(all.into_iter().map(QueueView::from).collect::<Vec<_>>().into()))
}

async fn one(State(s): State<AppState>, AnyRole(c): AnyRole, Id(id): Id<QueueId>) -> Result<Json<QueueView>, ApiError> {
    queues::get(&s.pool, c.tenant_id, id).await?.map(|q| Json(q.into())).ok_or(ApiError::NotFound)
}

async fn create(
    State(s): State<AppState>,
    Admin(c): Admin,
    JsonBody(body): JsonBody<Queue>,
) -> Result<(StatusCode, Json<QueueView>), ApiError> {
    Ok((StatusCode::CREATED, Json(queues::create(&s.pool, c.tenant_id, &body).await?.into())))
}

async fn update(
    State(s): State<AppState>,
    Admin(c): Admin,
    Id(id): Id<QueueId>,
    JsonBody(body): JsonBody<Queue>,
) -> Result<Json<QueueView>, ApiError> {
    queues::update(&s.pool, c.tenant_id, id, &body).await?.map(|q| Json(q.into())).ok_or(ApiError::NotFound)
}

async fn set_members(
    State(s): State<AppState>,
    Admin(c): Admin,
    Id(id): Id<QueueId>,
    JsonBody(body): JsonBody<Members>,
) -> Result<Json<QueueView>, ApiError> {
    let members: Vec<QueueMember> =
        body.members.into_iter().map(|m| QueueMember { agent_id: m.agent_id, weight: m.weight }).collect();
    queues::set_members(&s.pool, c.tenant_id, id, &members).await?.map(|q| Json(q.into())).ok_or(ApiError::NotFound)
}

async fn remove(State(s): State<AppState>, Admin(c): Admin, Id(id): Id<QueueId>) -> Result<StatusCode, ApiError> {
    if queues::delete(&s.pool, c.tenant_id, id).await? { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}
