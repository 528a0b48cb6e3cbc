//! `POST /api/v1/agent/sip-login`: the signed-in agent's browser softphone
//! gets a short-lived SIP login for the agent's own address-of-record
//! (`sip::auth::mint_web_login`): the digest username `<extension>~<expiry>`
//! and a password derived from the agent's SIP password, which itself is
//! never handed out. It lasts as long as a session (at most a day) and
//! stops working when the SIP password changes. 409 when the agent has no
//! SIP password; 403 for a caller that is not a user.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AnyRole;
use crate::error::ApiError;
use crate::state::AppState;

/// What JsSIP needs to register the agent's browser.
#[derive(Debug, Serialize, ToSchema)]
pub struct SipLogin {
    /// The address-of-record: `sip:<extension>@<tenant slug>.<SIP domain>`.
    pub uri: String,
    /// The digest username: `<extension>~<expiry in Unix seconds>`.
    pub authorization_user: String,
    /// The digest password of this login.
    pub password: String,
    /// The agent's name, for the From display name.
    pub display_name: String,
    /// When the login stops working (register again with a new one).
    pub expires_at: DateTime<Utc>,
}

/// The route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/agent/sip-login", post(sip_login))
}

async fn sip_login(State(s): State<AppState>, AnyRole(c): AnyRole) -> Result<Json<SipLogin>, ApiError> {
    let user = c.user_id().ok_or(ApiError::Forbidden)?;
    let agent = store::repo::agents::find_by_user(&s.pool, c.tenant_id, user)
        .await?
        .ok_or_else(|| ApiError::Conflict("you have no agent profile".into()))?;
    let account = store::repo::sip_accounts::of_agent(&s.pool, c.tenant_id, agent.id)
        .await?
        .ok_or_else(|| ApiError::Conflict("you have no SIP account: an admin sets your SIP password".into()))?;
    let lifetime = s.config.session_ttl.as_secs().clamp(60, sip::auth::MAX_LIFETIME_SECS);
    let now = Utc::now();
    let expires_unix = u64::try_from(now.timestamp()).unwrap_or(0) + lifetime;
    let domain = account.domain(&s.config.sip_domain);
    let login = sip::auth::mint_web_login(&account.password, &domain, &account.extension, expires_unix);
    let expires_at = DateTime::from_timestamp(i64::try_from(expires_unix).unwrap_or(i64::MAX), 0).unwrap_or(now);
    Ok(Json(SipLogin {
        uri: account.aor(&s.config.sip_domain),
        authorization_user: login.authorization_user,
        password: login.password,
        display_name: agent.data.name,
        expires_at,
    }))
}
