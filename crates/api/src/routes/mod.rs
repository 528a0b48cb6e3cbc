//! The HTTP routes, one module per resource.

pub mod agent_session;
pub mod agents;
pub mod api_keys;
pub mod auth;
pub mod call_actions;
pub mod contact_calls;
pub mod contacts;
pub mod events;
pub mod health;
pub mod ivr_flows;
pub mod numbers;
pub mod queues;
pub mod reports;
pub mod shifts;
pub mod sip_login;
pub mod skills;
pub mod tenant;
pub mod tenants;
pub mod trunks;
pub mod users;

use axum::Router;
use serde::Serialize;

use crate::state::AppState;

/// A list response: `{"items": [...]}`.
#[derive(Debug, Serialize)]
pub struct Items<T> {
    /// The objects.
    pub items: Vec<T>,
}

impl<T> From<Vec<T>> for Items<T> {
    fn from(items: Vec<T>) -> Self {
        Items { items }
    }
}

/// Every route, without state.
pub fn all() -> Router<AppState> {
    Router::new()
        .merge(health::routes())
        .merge(auth::routes())
        .merge(tenants::routes())
        .merge(tenant::routes())
        .merge(users::routes())
        .merge(api_keys::routes())
        .merge(skills::routes())
        .merge(agents::routes())
        .merge(shifts::routes())
        .merge(agent_session::routes())
        .merge(sip_login::routes())
        .merge(call_actions::routes())
        .merge(queues::routes())
        .merge(numbers::routes())
        .merge(trunks::routes())
        .merge(contacts::routes())
        .merge(contact_calls::routes())
        .merge(ivr_flows::routes())
        .merge(events::routes())
        .merge(reports::routes())
        .merge(crate::live::socket::routes())
}
