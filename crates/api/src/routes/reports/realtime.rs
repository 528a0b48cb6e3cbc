//! `GET /api/v1/reports/realtime`: what `/api/v1/live` sends first, as one
//! REST response — the live calls, agents and queue figures, narrowed to
//! what the caller may see (`live::viewer`). `format=csv` gives one of its
//! three tables, `table=queues` (default, the wallboard), `agents` or
//! `calls`.

use axum::extract::State;
use axum::response::Response;
use reports::csv::{CsvTable, to_csv};
use serde::Deserialize;

use super::figures::Format;
use super::params::bad;
use crate::auth::AnyRole;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::live::{self, LiveSnapshot};
use crate::state::AppState;

/// The query string.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RealtimeParams {
    format: Option<String>,
    table: Option<String>,
}

/// A table of the snapshot as CSV.
#[derive(Clone, Copy, Debug)]
enum Table {
    Queues,
    Agents,
    Calls,
}

/// The live snapshot of the caller's tenant (an agent: their own agent,
/// calls and queues); 503 without a call layer.
pub(super) async fn snapshot(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<RealtimeParams>,
) -> Result<Response, ApiError> {
    let format = Format::parse(p.format.as_deref())?;
    if format == Format::Json && p.table.is_some() {
        return Err(bad("table", "only with format=csv"));
    }
    let table = match p.table.as_deref() {
        None | Some("queues") => Table::Queues,
        Some("agents") => Table::Agents,
        Some("calls") => Table::Calls,
        Some(other) => return Err(bad("table", format!("`{other}`: expected queues, agents or calls"))),
    };
    let mut viewer = live::socket::viewer_of(&s, &c).await?;
    if s.calls.is_none() {
        return Err(ApiError::Unavailable("the call layer is not running".into()));
    }
    let snapshot = match &s.live {
        Some(hub) => live::snapshot(&s, hub, c.tenant_id).await,
        None => live::layer_snapshot(&s, c.tenant_id).await,
    };
    let snapshot = viewer.restrict(snapshot);
    format.reply(&snapshot, || match table {
        Table::Queues => to_csv(&Queues(&snapshot)),
        Table::Agents => to_csv(&Agents(&snapshot)),
        Table::Calls => to_csv(&Calls(&snapshot)),
    })
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The queue figures (the wallboard).
struct Queues<'a>(&'a LiveSnapshot);
/// The agents.
struct Agents<'a>(&'a LiveSnapshot);
/// The live calls.
struct Calls<'a>(&'a LiveSnapshot);

impl CsvTable for Queues<'_> {
    fn header() -> Vec<&'static str> {
        vec![
            "queue_id",
            "waiting",
            "callbacks_waiting",
            "longest_wait_secs",
            "agents_available",
            "agents_ringing",
            "agents_on_call",
            "agents_wrap_up",
            "agents_not_ready",
            "offered_today",
            "answered_today",
            "abandoned_today",
            "overflowed_today",
            "service_level_pct",
            "asa_secs",
            "estimated_wait_secs",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.0
            .queues
            .iter()
            .map(|q| {
                vec![
                    q.queue_id.to_string(),
                    q.waiting.to_string(),
                    q.callbacks_waiting.to_string(),
                    q.longest_wait_secs.to_string(),
                    q.agents.available.to_string(),
                    q.agents.ringing.to_string(),
                    q.agents.on_call.to_string(),
                    q.agents.wrap_up.to_string(),
                    q.agents.not_ready.to_string(),
                    q.offered.to_string(),
                    q.answered.to_string(),
                    q.abandoned.to_string(),
                    q.overflowed.to_string(),
                    opt(q.service_level_percent),
                    opt(q.average_speed_of_answer_secs),
                    opt(q.estimated_wait_secs),
                ]
            })
            .collect()
    }
}

impl CsvTable for Agents<'_> {
    fn header() -> Vec<&'static str> {
        vec!["agent_id", "state", "reason", "since", "call_id", "queue_ids"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.0
            .agents
            .iter()
            .map(|a| {
                let queues: Vec<String> = a.queues.iter().map(ToString::to_string).collect();
                vec![
                    a.agent_id.to_string(),
                    a.state.name().to_string(),
                    opt(a.state.reason_code()),
                    opt(a.since.map(|t| t.to_rfc3339())),
                    opt(a.call_id),
                    queues.join(" "),
                ]
            })
            .collect()
    }
}

impl CsvTable for Calls<'_> {
    fn header() -> Vec<&'static str> {
        vec!["call_id", "state", "since", "arrived_at", "from", "to", "vip_tier", "queue_id", "position", "agent_id"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.0
            .calls
            .iter()
            .map(|c| {
                let state = serde_json::to_value(c.state).ok().and_then(|v| v.as_str().map(str::to_owned));
                vec![
                    c.call_id.to_string(),
                    opt(state),
                    opt(c.since.map(|t| t.to_rfc3339())),
                    opt(c.arrived_at.map(|t| t.to_rfc3339())),
                    opt(c.from.as_deref()),
                    opt(c.to.as_deref()),
                    opt(c.vip_tier.map(|t| t.0)),
                    opt(c.queue_id),
                    opt(c.position),
                    opt(c.agent_id),
                ]
            })
            .collect()
    }
}
