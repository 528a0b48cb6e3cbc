//! The CDR: one [`CallRecord`] per call (a row of the `calls` table),
//! projected from the call's events by [`project`]. Pure: the store reads
//! the events, calls [`project`] and writes the row; the reports (issue 7)
//! read the rows.
//!
//! It lives in `model` because it is a function of [`Event`]s alone, with
//! no I/O, and every crate that needs a CDR (the store that writes it, the
//! API that exports it, a history generator that fabricates it) already
//! depends on `model`.
//!
//! # Input
//!
//! One call's events in sequence order. The first must be `call_arrived`;
//! every event must carry the same tenant and call id, and `seq` must
//! strictly increase (a gap is tolerated: a CDR with a missing event is worth
//! more to the reports than no CDR). Anything else is a [`CdrError`]. A call
//! without `call_ended` is [`CdrError::NotEnded`]: there is no partial record,
//! so every record has an outcome that will not change except through the
//! late events below.
//!
//! After `call_ended` only `survey_answered`, `disposition_set` and
//! `agent_state_changed` may follow (the survey, the agent's wrap-up and its
//! end), except after `call_ended` with cause `callback_requested`: the call
//! lives on as a callback (the ACD keeps its place), so any event may follow,
//! up to a later `call_ended` that supersedes the first.
//!
//! # Outcome (first rule that applies)
//!
//! An outbound call (`call_arrived` with direction `outbound`: an agent
//! placed it) is `answered` once the called party answered (`bridged`; the
//! agent's own `agent_answered` is their phone picking up, not an answer)
//! and `not_reached` otherwise; `answered_at` is the bridge and `agent_id`
//! the agent who placed it (the first `agent_answered`), reached or not. Every rule below is for inbound calls.
//!
//! 1. `callback`: the caller accepted a callback (`callback_accepted`, or an
//!    overflow to a callback) before any agent answered. A callback stays a
//!    `callback` whether or not the customer was reached later; reached means
//!    `answered_at` is set (the first `callback_result` with `answered`), so
//!    "completed" is `outcome = 'callback' AND answered_at IS NOT NULL`.
//! 2. `answered`: an agent answered (`agent_answered`, or `bridged` when no
//!    answer preceded it), whatever happened next (transfer out, failure:
//!    see `end_cause`).
//! 3. `voicemail`: a voicemail was recorded, or the call ended with cause
//!    `voicemail`.
//! 4. `abandoned` with the stage of the last `call_abandoned`; or, when the
//!    call ended with cause `abandoned` or `caller_hangup` without that event
//!    (and not after an overflow, rule 7), with the stage derived from where
//!    the call was: `ringing` while an offer was out (offered or ringing, not
//!    yet refused or timed out), `queue` while queued, else `ivr` (a caller
//!    who hung up before reaching any queue, IVR or not).
//! 5. `callback`: cause `callback_requested` without an acceptance event.
//! 6. `failed`: cause `failed`, or `agent_hangup` on a call no agent answered.
//! 7. `overflow`: the call overflowed and was not queued or sent into an IVR
//!    again afterwards (overflow to a number, a message, or voicemail without
//!    a message).
//! 8. `transferred_out` / `flow_hangup`: the call ended with that cause.
//!
//! After hours is not an outcome: `outside_business_hours` is the flag of
//! `call_arrived`, and the outcome says what became of the call (usually
//! `voicemail`, `callback` or `flow_hangup`).
//!
//! # Times
//!
//! `arrived_at` is `call_arrived`; `ivr_entered_at` the first `ivr_entered`;
//! `ivr_left_at` the last `ivr_left`, or `ended_at` when the call ended inside
//! the IVR; `queued_at` the first `call_queued`; `answered_at` the first
//! answer (for a callback, the customer reached); `ended_at` the last
//! `call_ended`.
//!
//! # Durations (milliseconds; a negative span counts as 0)
//!
//! - `wait_ms`: `queued_at` to the end of waiting: the answer, the callback
//!   acceptance, the last `call_abandoned`, the overflow out of the queues,
//!   else the end. None if never queued. For a callback it is the time the
//!   caller waited on the line; time to callback is
//!   `answered_at - (queued_at + wait_ms)`.
//! - `ring_ms`: the answered offer (the last `offered_to_agent`, or
//!   `agent_ringing` with no offer before it) to `agent_answered`. Answered
//!   calls only, so after a RONA it is the ring time of the agent who
//!   answered.
//! - `hold_ms`: the sum of `held` → `resumed`; a hold open at the end closes
//!   there. Answered calls only.
//! - `talk_ms`: `answered_at` to `ended_at`, minus hold.
//! - `wrap_up_ms`: from the answering agent's `agent_state_changed` to
//!   `wrap_up` to that agent's next state change, when both are in the call's
//!   stream; otherwise None and the agent's state intervals tell.
//!
//! # Who and what
//!
//! `agent_id` is the agent connected by the first answer (None unless
//! `answered_at` is set); `queue_id` the last queue joined (or moved to by a
//! supervisor, `call_moved`); `number_id`,
//! `contact_id`, `caller_number`, `dialled_number` and
//! `outside_business_hours` come from `call_arrived`; `vip_tier` is the
//! highest tier carried by the call's events (today only `call_arrived`
//! carries one); `survey_score`/`survey_scale` and `disposition` are the last
//! `survey_answered` and `disposition_set`; `end_cause` the cause of the last
//! `call_ended`.
//!
//! `callback_offered` is set by a `callback_offered` event (the ACD told
//! a waiting caller they may be called back), accepted or not; a callback
//! the caller chose in the IVR, or an overflow to a callback, has no offer.
//! `rona_agent_ids` and `rejected_agent_ids` list the agent of each
//! `agent_no_answer` and `agent_rejected`, in order (an agent twice is
//! there twice).
//!
//! # IVR
//!
//! `ivr_flow_id` is the flow of the first `ivr_entered`; `ivr_choices` every
//! `ivr_choice` of the call, in order, as `node=digits`; `ivr_exit_node` and
//! `ivr_exit` the node and way (`IvrExit`) of the last `ivr_left`, like
//! `ivr_left_at`. A call that ended inside the IVR (no `ivr_left` after its
//! last `ivr_entered`) left it at the end, as `ivr_left_at` says, and the
//! way it left follows from the end cause: `caller_hangup` for a caller who
//! hung up (`caller_hangup`, `abandoned`), `flow_hangup`, `voicemail`, `callback` (`callback_requested`),
//! `transferred` (`transferred_out`) and `failed` (`failed`,
//! `agent_hangup`); its exit node is None, since no event says which node
//! the caller was at. A call through two flows (an overflow into another
//! IVR) keeps the first flow's id with the choices and exit of both.
//!
//! `recording_path` is the file of the call's first `recording_started` (a
//! queue that records calls: one stereo WAV from the bridge to the end,
//! across transfers and supervisors), `voicemail_path` that of its last
//! `voicemail_recorded` (the caller's message); two columns, because a
//! message left for the tenant and a recorded conversation are kept, shown
//! and deleted under different rules.

mod fold;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::event::{AbandonStage, EndCause, Event, IvrExit};
use crate::ids::{AgentId, CallId, ContactId, IvrFlowId, NumberId, QueueId, TenantId};
use crate::vip::VipTier;

/// What became of a call, as the `calls.outcome` column stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CallOutcome {
    /// An agent answered.
    Answered,
    /// The caller hung up unanswered (the stage is in `abandon_stage`).
    Abandoned,
    /// The caller reached voicemail.
    Voicemail,
    /// The caller accepted a callback.
    Callback,
    /// The call overflowed out of the queues and was not answered.
    Overflow,
    /// The flow hung up (closed message, too many bad choices).
    FlowHangup,
    /// Transferred to an outside number before any agent answered.
    TransferredOut,
    /// Signalling or media failure before an answer.
    Failed,
    /// An outbound call the called party did not answer.
    NotReached,
}

impl CallOutcome {
    /// The stable name stored in `calls.outcome`.
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Answered => "answered",
            CallOutcome::Abandoned => "abandoned",
            CallOutcome::Voicemail => "voicemail",
            CallOutcome::Callback => "callback",
            CallOutcome::Overflow => "overflow",
            CallOutcome::FlowHangup => "flow_hangup",
            CallOutcome::TransferredOut => "transferred_out",
            CallOutcome::Failed => "failed",
            CallOutcome::NotReached => "not_reached",
        }
    }
}

/// One call's CDR: one field per column of the `calls` table, under the
/// column's name (so the JSON form is the row's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CallRecord {
    /// The call.
    pub call_id: CallId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// When it reached Switchboard.
    pub arrived_at: DateTime<Utc>,
    /// When it first entered an IVR flow.
    pub ivr_entered_at: Option<DateTime<Utc>>,
    /// When it last left an IVR flow.
    pub ivr_left_at: Option<DateTime<Utc>>,
    /// When it first joined a queue.
    pub queued_at: Option<DateTime<Utc>>,
    /// When caller and agent were first connected.
    pub answered_at: Option<DateTime<Utc>>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// What became of it.
    pub outcome: CallOutcome,
    /// Where the caller gave up, for abandoned calls.
    pub abandon_stage: Option<AbandonStage>,
    /// Why it ended.
    pub end_cause: Option<EndCause>,
    /// The DID it arrived on.
    pub number_id: Option<NumberId>,
    /// The last queue it joined.
    pub queue_id: Option<QueueId>,
    /// The agent it was connected to.
    pub agent_id: Option<AgentId>,
    /// The CRM contact of the caller.
    pub contact_id: Option<ContactId>,
    /// The caller's number as presented.
    pub caller_number: String,
    /// The number dialled.
    pub dialled_number: String,
    /// The highest VIP tier of the call.
    pub vip_tier: VipTier,
    /// Whether it arrived outside the entry point's business hours.
    pub outside_business_hours: bool,
    /// Time waiting in queue, in milliseconds.
    pub wait_ms: Option<i64>,
    /// Time the answering agent's phone rang, in milliseconds.
    pub ring_ms: Option<i64>,
    /// Time connected, hold excluded, in milliseconds.
    pub talk_ms: Option<i64>,
    /// Time on hold, in milliseconds.
    pub hold_ms: Option<i64>,
    /// The answering agent's wrap-up time, in milliseconds.
    pub wrap_up_ms: Option<i64>,
    /// The post-call survey score.
    pub survey_score: Option<u8>,
    /// The survey's highest possible score.
    pub survey_scale: Option<u8>,
    /// The disposition code the agent filed.
    pub disposition: Option<String>,
    /// Inbound, or outbound (placed by the agent).
    pub direction: crate::event::CallDirection,
    /// Where the call's recording was written (a queue that records calls).
    pub recording_path: Option<String>,
    /// Where the caller's voicemail message was written.
    pub voicemail_path: Option<String>,
    /// Whether the caller was offered a callback (accepted or not).
    #[serde(default)]
    pub callback_offered: bool,
    /// The agents offered the call who let it ring out, in order.
    #[serde(default)]
    pub rona_agent_ids: Vec<AgentId>,
    /// The agents offered the call who refused it, in order.
    #[serde(default)]
    pub rejected_agent_ids: Vec<AgentId>,
    /// The IVR flow the call entered first.
    #[serde(default)]
    pub ivr_flow_id: Option<IvrFlowId>,
    /// Each IVR menu choice, in order, as `node=digits`.
    #[serde(default)]
    pub ivr_choices: Vec<String>,
    /// The IVR node the call last left from.
    #[serde(default)]
    pub ivr_exit_node: Option<String>,
    /// How the call last left the IVR.
    #[serde(default)]
    pub ivr_exit: Option<IvrExit>,
}

/// Why a call's events give no record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CdrError {
    /// No events at all.
    #[error("no events")]
    Empty,
    /// An event carries no call id.
    #[error("event seq {seq} belongs to no call")]
    NotACallEvent {
        /// Its sequence number.
        seq: u64,
    },
    /// The first event is not `call_arrived`.
    #[error("the first event is {kind}, not call_arrived")]
    NoArrival {
        /// The first event's kind.
        kind: &'static str,
    },
    /// An event of another call or tenant is in the list.
    #[error("event seq {seq} belongs to another call or tenant")]
    ForeignEvent {
        /// Its sequence number.
        seq: u64,
    },
    /// Sequence numbers do not strictly increase.
    #[error("event seq {seq} follows seq {previous}")]
    OutOfOrder {
        /// The sequence number before it.
        previous: u64,
        /// Its sequence number.
        seq: u64,
    },
    /// An event that can only come first came again.
    #[error("unexpected {kind} at seq {seq}")]
    Unexpected {
        /// Its sequence number.
        seq: u64,
        /// Its kind.
        kind: &'static str,
    },
    /// An event that may not follow the end of the call.
    #[error("{kind} at seq {seq} after the call ended")]
    AfterEnd {
        /// Its sequence number.
        seq: u64,
        /// Its kind.
        kind: &'static str,
    },
    /// The call has not ended yet.
    #[error("the call has not ended")]
    NotEnded,
}

/// Projects one call's events, in sequence order, into its CDR (the rules
/// are in the [module docs](self)).
pub fn project(events: &[Event]) -> Result<CallRecord, CdrError> {
    let first = events.first().ok_or(CdrError::Empty)?;
    let call_id = first.call_id.ok_or(CdrError::NotACallEvent { seq: first.seq })?;
    let mut fold = fold::Fold::start(first)?;
    let mut previous = first.seq;
    for event in &events[1..] {
        if event.tenant_id != first.tenant_id || event.call_id != Some(call_id) {
            return Err(CdrError::ForeignEvent { seq: event.seq });
        }
        if event.seq <= previous {
            return Err(CdrError::OutOfOrder { previous, seq: event.seq });
        }
        previous = event.seq;
        fold.apply(event)?;
    }
    fold.finish(call_id)
}
