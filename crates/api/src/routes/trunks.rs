//! `/api/v1/trunks`: carrier trunks; read by supervisors, written by
//! admins. Passwords are write-only: no response contains them, and a PUT
//! that leaves a password empty (as a GET shows it) keeps the stored one
//! when the username is unchanged.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use model::{DigestCredentials, InboundAuth, Record, Trunk, TrunkId, Validate};
use store::repo::trunks;

use super::Items;
use crate::auth::{Admin, Supervisor};
use crate::error::ApiError;
use crate::extract::{Id, JsonBody, UncheckedJson};
use crate::state::AppState;

type Out = Record<TrunkId, Trunk>;

/// The trunk routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/trunks", get(list).post(create))
        .route("/api/v1/trunks/{id}", get(one).put(update).delete(remove))
}

/// The trunk as shown: every password blanked.
fn shown(r: Out) -> Out {
    Record { id: r.id, data: r.data.redacted() }
}

async fn list(State(s): State<AppState>, Supervisor(c): Supervisor) -> Result<Json<Items<Out>>, ApiError> {
    let all = trunks::list(&s.pool, c.tenant_id).await?;
    Ok(Json(all.into_iter().map(shown).collect::<Vec<_>>().into()))
}

async fn one(State(s): State<AppState>, Supervisor(c): Supervisor, Id(id): Id<TrunkId>) -> Result<Json<Out>, ApiError> {
    trunks::get(&s.pool, c.tenant_id, id).await?.map(|t| Json(shown(t))).ok_or(ApiError::NotFound)
}

async fn create(
    State(s): State<AppState>,
    Admin(c): Admin,
    JsonBody(body): JsonBody<Trunk>,
) -> Result<(StatusCode, Json<Out>), ApiError> {
    Ok((StatusCode::CREATED, Json(shown(trunks::create(&s.pool, c.tenant_id, &body).await?))))
}

/// Fills an empty password from the stored credentials of the same user.
fn keep(new: &mut DigestCredentials, old: Option<&DigestCredentials>) {
    if let Some(old) = old.filter(|o| new.password.is_empty() && o.username == new.username) {
        new.password.clone_from(&old.password);
    }
}

/// Keeps every stored password the new configuration leaves empty.
fn keep_passwords(new: &mut Trunk, old: &Trunk) {
    if let (InboundAuth::Digest { credentials: n }, InboundAuth::Digest { credentials: o }) =
        (&mut new.inbound, &old.inbound)
    {
        keep(n, Some(o));
    }
    if let Some(n) = &mut new.outbound_credentials {
        keep(n, old.outbound_credentials.as_ref());
    }
    if let Some(n) = &mut new.registration {
        keep(&mut n.credentials, old.registration.as_ref().map(|r| &r.credentials));
    }
}

async fn update(
    State(s): State<AppState>,
    Admin(c): Admin,
    Id(id): Id<TrunkId>,
    UncheckedJson(mut body): UncheckedJson<Trunk>,
) -> Result<Json<Out>, ApiError> {
    let old = trunks::get(&s.pool, c.tenant_id, id).await?.ok_or(ApiError::NotFound)?;
    keep_passwords(&mut body, &old.data);
    body.validate()?;
    trunks::update(&s.pool, c.tenant_id, id, &body).await?.map(|t| Json(shown(t))).ok_or(ApiError::NotFound)
}

async fn remove(State(s): State<AppState>, Admin(c): Admin, Id(id): Id<TrunkId>) -> Result<StatusCode, ApiError> {
    if trunks::delete(&s.pool, c.tenant_id, id).await? { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}
