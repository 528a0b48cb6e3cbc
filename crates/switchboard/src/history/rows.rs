//! The rows the generator writes, and their COPY text form: `calls` (the
//! CDR) and `agent_state_intervals`. Times are milliseconds since the Unix
//! epoch (UTC). Pure.

use std::fmt::Write;

use model::CallOutcome;
use model::event::{AbandonStage, EndCause, IvrExit};
use uuid::Uuid;

use super::callers::{Caller, Callers};
use super::plan::Plan;

/// The `calls` columns written, in the order of [`encode_call`].
pub const CALL_COLUMNS: &str = "call_id, tenant_id, arrived_at, ivr_entered_at, ivr_left_at, queued_at, answered_at, \
     ended_at, outcome, abandon_stage, end_cause, number_id, queue_id, agent_id, contact_id, caller_number, \
     dialled_number, vip_tier, outside_business_hours, wait_ms, ring_ms, talk_ms, hold_ms, wrap_up_ms, survey_score, \
     survey_scale, disposition, direction, callback_offered, rona_agent_ids, ivr_flow_id, ivr_choices, ivr_exit_node, \
     ivr_exit";

/// The `agent_state_intervals` columns written, in the order of
/// [`encode_interval`].
pub const INTERVAL_COLUMNS: &str = "tenant_id, agent_id, state, reason, started_at, ended_at";

/// The IVR part of a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IvrTrace {
    /// The flow (index in [`Plan::flows`]).
    pub flow: usize,
    /// The choices made, as label indexes of the flow.
    pub choices: Vec<usize>,
    /// The node it was left at (index in the flow).
    pub exit_node: usize,
    /// How it was left.
    pub exit: IvrExit,
}

/// One CDR row, with indexes into the plan for ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRow {
    /// The call id.
    pub call_id: Uuid,
    /// `arrived_at`.
    pub arrived_at: i64,
    /// `ivr_entered_at`.
    pub ivr_entered_at: Option<i64>,
    /// `ivr_left_at`.
    pub ivr_left_at: Option<i64>,
    /// `queued_at`.
    pub queued_at: Option<i64>,
    /// `answered_at`.
    pub answered_at: Option<i64>,
    /// `ended_at`.
    pub ended_at: i64,
    /// `outcome`.
    pub outcome: CallOutcome,
    /// `abandon_stage`.
    pub abandon_stage: Option<AbandonStage>,
    /// `end_cause`.
    pub end_cause: EndCause,
    /// The entry number (index in [`Plan::entries`]).
    pub entry: usize,
    /// The queue (index in [`Plan::queues`]).
    pub queue: Option<usize>,
    /// The answering agent (index in [`Plan::agents`]).
    pub agent: Option<usize>,
    /// The caller.
    pub caller: Caller,
    /// `vip_tier`.
    pub vip_tier: u8,
    /// `outside_business_hours`.
    pub outside_business_hours: bool,
    /// `wait_ms`.
    pub wait_ms: Option<i64>,
    /// `ring_ms`.
    pub ring_ms: Option<i64>,
    /// `talk_ms`.
    pub talk_ms: Option<i64>,
    /// `hold_ms`.
    pub hold_ms: Option<i64>,
    /// `wrap_up_ms`.
    pub wrap_up_ms: Option<i64>,
    /// `survey_score` (scale 5).
    pub survey_score: Option<u8>,
    /// `disposition`.
    pub disposition: Option<&'static str>,
    /// `callback_offered`.
    pub callback_offered: bool,
    /// `rona_agent_ids` (agent indexes, in order).
    pub rona: Vec<usize>,
    /// The IVR part.
    pub ivr: Option<IvrTrace>,
}

/// One closed agent state interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntervalRow {
    /// The agent (index in [`Plan::agents`]).
    pub agent: usize,
    /// The state's name.
    pub state: &'static str,
    /// The not-ready reason code.
    pub reason: Option<&'static str>,
    /// Start.
    pub started_at: i64,
    /// End.
    pub ended_at: i64,
}

/// Writes `ms` as a PostgreSQL timestamptz literal in UTC,
/// `YYYY-MM-DD HH:MM:SS.mmm+00`.
pub fn write_timestamp(out: &mut String, ms: i64) {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s, milli) = (in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1000 % 60, in_day % 1000);
    let _ = write!(out, "{year:04}-{month:02}-{day:02} {h:02}:{m:02}:{s:02}.{milli:03}+00");
}

fn uuid(out: &mut String, id: Uuid) {
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    out.push_str(id.hyphenated().encode_lower(&mut buf));
}

fn tab(out: &mut String) {
    out.push('\t');
}

fn null(out: &mut String) {
    out.push_str("\\N");
}

fn opt_ts(out: &mut String, v: Option<i64>) {
    match v {
        Some(ms) => write_timestamp(out, ms),
        None => null(out),
    }
}

fn opt_int(out: &mut String, v: Option<i64>) {
    match v {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => null(out),
    }
}

fn opt_uuid(out: &mut String, v: Option<Uuid>) {
    match v {
        Some(id) => uuid(out, id),
        None => null(out),
    }
}

/// Text as a COPY field: backslash, tab and line ends escaped.
fn text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// A text[] literal of quoted elements, as a COPY field.
fn text_array<'a>(out: &mut String, items: impl Iterator<Item = &'a str>) {
    let mut literal = String::from("{");
    for (i, item) in items.enumerate() {
        if i > 0 {
            literal.push(',');
        }
        literal.push('"');
        for c in item.chars() {
            if c == '"' || c == '\\' {
                literal.push('\\');
            }
            literal.push(c);
        }
        literal.push('"');
    }
    literal.push('}');
    text(out, &literal);
}

/// The stored (snake_case) name of an abandon stage.
pub fn stage_name(stage: AbandonStage) -> &'static str {
    match stage {
        AbandonStage::Ivr => "ivr",
        AbandonStage::Queue => "queue",
        AbandonStage::Ringing => "ringing",
    }
}

/// The stored (snake_case) name of an end cause.
pub fn cause_name(cause: EndCause) -> &'static str {
    match cause {
        EndCause::CallerHangup => "caller_hangup",
        EndCause::AgentHangup => "agent_hangup",
        EndCause::Abandoned => "abandoned",
        EndCause::FlowHangup => "flow_hangup",
        EndCause::Voicemail => "voicemail",
        EndCause::CallbackRequested => "callback_requested",
        EndCause::TransferredOut => "transferred_out",
        EndCause::Failed => "failed",
    }
}

/// The stored (snake_case) name of an IVR exit.
pub fn exit_name(exit: IvrExit) -> &'static str {
    match exit {
        IvrExit::Enqueued => "enqueued",
        IvrExit::Transferred => "transferred",
        IvrExit::Voicemail => "voicemail",
        IvrExit::FlowHangup => "flow_hangup",
        IvrExit::CallerHangup => "caller_hangup",
        IvrExit::Callback => "callback",
        IvrExit::Failed => "failed",
    }
}

/// Appends `row` as one COPY text line (the columns of [`CALL_COLUMNS`]).
pub fn encode_call(out: &mut String, plan: &Plan, callers: &Callers, row: &CallRow) {
    let entry = &plan.entries[row.entry];
    uuid(out, row.call_id);
    tab(out);
    uuid(out, plan.tenant);
    tab(out);
    write_timestamp(out, row.arrived_at);
    for t in [row.ivr_entered_at, row.ivr_left_at, row.queued_at, row.answered_at, Some(row.ended_at)] {
        tab(out);
        opt_ts(out, t);
    }
    tab(out);
    out.push_str(row.outcome.as_str());
    tab(out);
    match row.abandon_stage {
        Some(stage) => out.push_str(stage_name(stage)),
        None => null(out),
    }
    tab(out);
    out.push_str(cause_name(row.end_cause));
    tab(out);
    uuid(out, entry.number_id);
    tab(out);
    opt_uuid(out, row.queue.map(|q| plan.queues[q].id));
    tab(out);
    opt_uuid(out, row.agent.map(|a| plan.agents[a].id));
    tab(out);
    opt_uuid(out, callers.contact(row.caller).map(|c| c.id));
    tab(out);
    callers.write_number(row.caller, out);
    tab(out);
    text(out, &entry.e164);
    let _ = write!(out, "\t{}\t{}", row.vip_tier, if row.outside_business_hours { 't' } else { 'f' });
    for v in [row.wait_ms, row.ring_ms, row.talk_ms, row.hold_ms, row.wrap_up_ms] {
        tab(out);
        opt_int(out, v);
    }
    tab(out);
    opt_int(out, row.survey_score.map(i64::from));
    tab(out);
    opt_int(out, row.survey_score.map(|_| 5));
    tab(out);
    match row.disposition {
        Some(d) => text(out, d),
        None => null(out),
    }
    out.push_str("\tinbound\t");
    out.push(if row.callback_offered { 't' } else { 'f' });
    tab(out);
    out.push('{');
    for (i, a) in row.rona.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        uuid(out, plan.agents[*a].id);
    }
    out.push('}');
    tab(out);
    match &row.ivr {
        Some(ivr) => {
            let flow = &plan.flows[ivr.flow];
            uuid(out, flow.id);
            tab(out);
            text_array(out, ivr.choices.iter().map(|c| flow.labels[*c].as_str()));
            tab(out);
            text(out, &flow.names[ivr.exit_node]);
            tab(out);
            out.push_str(exit_name(ivr.exit));
        }
        None => out.push_str("\\N\t{}\t\\N\t\\N"),
    }
    out.push('\n');
}

/// Appends `row` as one COPY text line (the columns of [`INTERVAL_COLUMNS`]).
pub fn encode_interval(out: &mut String, plan: &Plan, row: &IntervalRow) {
    uuid(out, plan.tenant);
    tab(out);
    uuid(out, plan.agents[row.agent].id);
    tab(out);
    out.push_str(row.state);
    tab(out);
    match row.reason {
        Some(r) => text(out, r),
        None => null(out),
    }
    tab(out);
    write_timestamp(out, row.started_at);
    tab(out);
    write_timestamp(out, row.ended_at);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_literals_with_milliseconds() {
        let at = |ms| {
            let mut s = String::new();
            write_timestamp(&mut s, ms);
            s
        };
        assert_eq!(at(0), "1970-01-01 00:00:00.000+00");
        // 2026-12-02 05:30:15.250 UTC, and a leap day.
        assert_eq!(at(1_796_189_415_250), "2026-12-02 05:30:15.250+00");
        assert_eq!(at(1_709_208_000_001), "2024-02-29 12:00:00.001+00");
        for ms in [1_600_000_000_123_i64, 1_900_000_000_999] {
            let chrono = chrono::DateTime::from_timestamp_millis(ms).unwrap().format("%Y-%m-%d %H:%M:%S%.3f+00");
            assert_eq!(at(ms), chrono.to_string());
        }
    }

    #[test]
    fn stored_names_are_the_serde_names() {
        use serde_json::json;
        for stage in [AbandonStage::Ivr, AbandonStage::Queue, AbandonStage::Ringing] {
            assert_eq!(json!(stage), json!(stage_name(stage)));
        }
        for cause in [
            EndCause::CallerHangup,
            EndCause::AgentHangup,
            EndCause::Abandoned,
            EndCause::FlowHangup,
            EndCause::Voicemail,
            EndCause::CallbackRequested,
            EndCause::TransferredOut,
            EndCause::Failed,
        ] {
            assert_eq!(json!(cause), json!(cause_name(cause)));
        }
        for exit in [
            IvrExit::Enqueued,
            IvrExit::Transferred,
            IvrExit::Voicemail,
            IvrExit::FlowHangup,
            IvrExit::CallerHangup,
            IvrExit::Callback,
            IvrExit::Failed,
        ] {
            assert_eq!(json!(exit), json!(exit_name(exit)));
        }
    }

    #[test]
    fn text_fields_and_arrays_are_escaped_for_copy() {
        let mut s = String::new();
        text(&mut s, "a\tb\\c");
        assert_eq!(s, "a\\tb\\\\c");
        let mut s = String::new();
        text_array(&mut s, ["menu=1", "x\"y"].into_iter());
        assert_eq!(s, "{\"menu=1\",\"x\\\\\"y\"}");
    }
}
