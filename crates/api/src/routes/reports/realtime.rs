//! `GET /api/v1/reports/realtime`: what `/api/v1/live` sends first, as one
//! REST response — the live calls, agents and queue figures, narrowed to
//! what the caller may see (`live::viewer`).

use axum::Json;
use axum::extract::State;

use crate::auth::AnyRole;
use crate::error::ApiError;
use crate::live::{self, LiveSnapshot};
use crate::state::AppState;

/// The live snapshot of the caller's tenant (an agent: their own agent,
/// calls and queues); 503 without a call layer.
pub(super) async fn snapshot(State(s): State<AppState>, AnyRole(c): AnyRole) -> Result<Json<LiveSnapshot>, ApiError> {
    let mut viewer = live::socket::viewer_of(&s, &c).await?;
    if s.calls.is_none() {
        return Err(ApiError::Unavailable("the call layer is not running".into()));
    }
    let snapshot = match &s.live {
        Some(hub) => live::snapshot(&s, hub, c.tenant_id).await,
        None => live::layer_snapshot(&s, c.tenant_id).await,
    };
    Ok(Json(viewer.restrict(snapshot)))
}
