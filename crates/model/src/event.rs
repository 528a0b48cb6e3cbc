//! Domain events: the source of truth for reports, live dashboards and CDRs.
//!
//! An [`Event`] is an envelope (id, tenant, time, sequence, call) around an
//! [`EventPayload`]. Events of one call carry that call's id and a sequence
//! that increases by one per event of the call; events of an agent outside a
//! call are sequenced per agent. The JSON form is versioned by
//! [`EVENT_SCHEMA_VERSION`]; new variants and new optional fields keep it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::agent_state::AgentState;
use crate::ids::{
    AgentId, CallId, ContactId, EventId, IvrFlowId, LegId, NumberId, QueueId, SkillId, TenantId, TrunkId, UserId,
};
use crate::queue::{OverflowTarget, RoutingStrategy};
use crate::vip::VipTier;

/// Version of the serialised event form written by this build.
pub const EVENT_SCHEMA_VERSION: u16 = 1;

fn schema_version() -> u16 {
    EVENT_SCHEMA_VERSION
}

/// One domain event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    /// Version of the serialised form.
    #[serde(default = "schema_version")]
    pub v: u16,
    /// Unique id; writing the same event twice stores it once.
    pub id: EventId,
    /// The tenant the event belongs to.
    pub tenant_id: TenantId,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Position in its stream (the call, or the agent for agent events).
    pub seq: u64,
    /// The call, for call events.
    pub call_id: Option<CallId>,
    /// What happened.
    pub payload: EventPayload,
}

impl Event {
    /// An event in the life of call `call_id`.
    pub fn call(tenant_id: TenantId, call_id: CallId, seq: u64, at: DateTime<Utc>, payload: EventPayload) -> Self {
        Event { v: EVENT_SCHEMA_VERSION, id: EventId::new(), tenant_id, at, seq, call_id: Some(call_id), payload }
    }

    /// An event of an agent outside any call (log-in, state change).
    pub fn agent(tenant_id: TenantId, seq: u64, at: DateTime<Utc>, payload: EventPayload) -> Self {
        Event { v: EVENT_SCHEMA_VERSION, id: EventId::new(), tenant_id, at, seq, call_id: None, payload }
    }

    /// The agent this event concerns, if any.
    pub fn agent_id(&self) -> Option<AgentId> {
        self.payload.agent_id()
    }

    /// The stable kind name, e.g. `call_queued`.
    pub fn kind(&self) -> &'static str {
        self.payload.kind()
    }
}

/// Where in its life a call was when the caller hung up unanswered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AbandonStage {
    /// In the IVR menus.
    Ivr,
    /// Waiting in a queue.
    Queue,
    /// While an agent's phone was ringing.
    Ringing,
}

/// Why a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndCause {
    /// The caller hung up after being answered.
    CallerHangup,
    /// The agent hung up.
    AgentHangup,
    /// The caller hung up before an agent answered.
    Abandoned,
    /// The IVR or the queue ended the call (message and hang-up, closed).
    FlowHangup,
    /// The caller left a voicemail.
    Voicemail,
    /// The caller accepted a callback and hung up to wait for it.
    CallbackRequested,
    /// Transferred to an outside number; Switchboard left the call.
    TransferredOut,
    /// Signalling or media failure.
    Failed,
}

/// Which way a call goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    /// A caller reached the tenant.
    #[default]
    Inbound,
    /// An agent placed the call (click-to-call).
    Outbound,
}

impl CallDirection {
    /// The stable name stored in `calls.direction`.
    pub fn as_str(self) -> &'static str {
        match self {
            CallDirection::Inbound => "inbound",
            CallDirection::Outbound => "outbound",
        }
    }
}

/// How a supervisor takes part in a live call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupervisionMode {
    /// Hears both parties, heard by none.
    Monitor,
    /// Hears both, heard by the agent only.
    Whisper,
    /// Hears both, heard by both.
    Barge,
    /// Takes the call from the agent: the agent's leg is hung up (they go
    /// to wrap-up) and the supervisor talks to the caller alone. Audited
    /// as `supervisor_took_over`; the call stays answered by the agent.
    TakeOver,
}

/// Blind or attended transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// Transfer without consulting the target.
    Blind,
    /// Consult the target first, then complete.
    Warm,
}

/// Where a call is transferred to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum TransferTarget {
    /// Another queue.
    Queue {
        /// The queue.
        queue_id: QueueId,
    },
    /// A named agent.
    Agent {
        /// The agent.
        agent_id: AgentId,
    },
    /// An outside number.
    Number {
        /// E.164 number.
        number: String,
    },
}

/// Where a supervisor moves a waiting call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum MoveTarget {
    /// Another queue of the tenant: the call waits there from now on.
    Queue {
        /// The queue.
        queue_id: QueueId,
    },
    /// An available agent, offered the call at once.
    Agent {
        /// The agent.
        agent_id: AgentId,
    },
}

/// Why the ACD chose this agent for this call, so a supervisor can see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OfferReason {
    /// The queue's routing strategy that picked the agent.
    pub strategy: RoutingStrategy,
    /// The skill-expansion step in force (0 = the initial requirement).
    pub step: u32,
    /// The required skills the agent matched, with the agent's level.
    pub skills: Vec<SkillMatch>,
    /// A one-line explanation (e.g. "longest idle: 312 s").
    pub detail: String,
}

/// One required skill an agent matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SkillMatch {
    /// The skill.
    pub skill_id: SkillId,
    /// The minimum level the step required.
    pub required: u8,
    /// The agent's level.
    pub level: u8,
}

/// How the caller left the IVR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IvrExit {
    /// Put into a queue.
    Enqueued,
    /// Transferred to a number.
    Transferred,
    /// Sent to voicemail.
    Voicemail,
    /// The flow hung up (closed message, too many bad choices).
    FlowHangup,
    /// The caller hung up in the IVR.
    CallerHangup,
    /// Offered a callback in working hours and left to wait for it.
    Callback,
    /// The flow could not go on (a node missing at run time, a loop without
    /// caller input): a configuration fault, not the caller's choice.
    Failed,
}

/// Why an agent's device stopped being reachable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnregisterReason {
    /// The device un-registered (`expires=0` or `Contact: *`).
    Unregistered,
    /// The registration was not refreshed in time.
    Expired,
}

/// What happened. Serialised with a `kind` tag, e.g. `{"kind":"call_queued",...}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventPayload {
    /// A call reached Switchboard.
    CallArrived {
        /// Caller's number as presented.
        from: String,
        /// Dialled number.
        to: String,
        /// The DID it arrived on.
        number_id: Option<NumberId>,
        /// The trunk it came through.
        trunk_id: Option<TrunkId>,
        /// The CRM contact matched by the caller's number.
        contact_id: Option<ContactId>,
        /// The caller's VIP tier.
        vip_tier: VipTier,
        /// Whether it arrived outside the entry point's business hours.
        outside_business_hours: bool,
        /// Inbound (a caller reached the tenant), or outbound (an agent
        /// placed it: `from` is the number presented, `to` the number
        /// called, the contact and tier those of the called party).
        #[serde(default)]
        direction: CallDirection,
    },
    /// The call entered an IVR flow.
    IvrEntered {
        /// The flow.
        flow_id: IvrFlowId,
    },
    /// The caller chose at an IVR menu.
    IvrChoice {
        /// The flow.
        flow_id: IvrFlowId,
        /// The menu node.
        node: String,
        /// The digits pressed.
        digits: String,
    },
    /// The call left the IVR.
    IvrLeft {
        /// The flow.
        flow_id: IvrFlowId,
        /// The node it left from.
        node: String,
        /// How.
        exit: IvrExit,
    },
    /// The call joined a queue.
    CallQueued {
        /// The queue.
        queue_id: QueueId,
        /// Priority on entry (higher first).
        priority: i32,
        /// Position on entry (1 = next).
        position: u32,
    },
    /// The caller was told their position and estimated wait.
    PositionAnnounced {
        /// The queue.
        queue_id: QueueId,
        /// Position (1 = next).
        position: u32,
        /// Estimated wait in seconds.
        ewt_secs: u32,
    },
    /// The caller was offered a callback.
    CallbackOffered {
        /// The queue.
        queue_id: QueueId,
    },
    /// The caller accepted a callback and keeps their place.
    CallbackAccepted {
        /// The queue.
        queue_id: QueueId,
        /// The number to call back.
        number: String,
    },
    /// Switchboard dialled the customer for a callback.
    CallbackDialled {
        /// Attempt number, from 1.
        attempt: u32,
    },
    /// A callback attempt ended.
    CallbackResult {
        /// Attempt number, from 1.
        attempt: u32,
        /// Whether the customer answered.
        answered: bool,
    },
    /// The call overflowed out of a queue.
    Overflowed {
        /// The queue it left.
        queue_id: QueueId,
        /// Where it went.
        target: OverflowTarget,
    },
    /// The ACD offered the call to an agent.
    OfferedToAgent {
        /// The queue.
        queue_id: QueueId,
        /// The agent.
        agent_id: AgentId,
        /// Why this agent.
        reason: OfferReason,
    },
    /// The agent's phone is ringing.
    AgentRinging {
        /// The agent.
        agent_id: AgentId,
        /// The agent's leg.
        leg_id: LegId,
    },
    /// The agent answered.
    AgentAnswered {
        /// The agent.
        agent_id: AgentId,
        /// The agent's leg.
        leg_id: LegId,
    },
    /// The agent rejected the offer.
    AgentRejected {
        /// The agent.
        agent_id: AgentId,
    },
    /// The agent did not answer in time (RONA).
    AgentNoAnswer {
        /// The agent.
        agent_id: AgentId,
    },
    /// Caller and agent are connected.
    Bridged {
        /// The agent.
        agent_id: AgentId,
    },
    /// The call was put on hold.
    Held {
        /// The agent who held it.
        agent_id: AgentId,
    },
    /// The call was taken off hold.
    Resumed {
        /// The agent who resumed it.
        agent_id: AgentId,
    },
    /// The call was transferred.
    Transferred {
        /// The agent who transferred it.
        agent_id: AgentId,
        /// Blind or warm.
        transfer: TransferKind,
        /// Where to.
        target: TransferTarget,
    },
    /// A supervisor joined the call (or changed mode).
    SupervisorJoined {
        /// The supervisor.
        supervisor_id: UserId,
        /// How.
        mode: SupervisionMode,
    },
    /// A supervisor left the call.
    SupervisorLeft {
        /// The supervisor.
        supervisor_id: UserId,
    },
    /// A supervisor took the call over: the agent's leg was hung up and
    /// the supervisor talks to the caller in the agent's place.
    SupervisorTookOver {
        /// The supervisor.
        supervisor_id: UserId,
        /// The agent whose call it was.
        agent_id: AgentId,
    },
    /// A supervisor moved the waiting call to another queue, or offered it
    /// to an agent of their choice (the audit of who, when, which call).
    CallMoved {
        /// The supervisor (or admin).
        by: UserId,
        /// The queue the call waited in.
        from_queue_id: QueueId,
        /// Where to.
        target: MoveTarget,
        /// Its position in the new queue right after (1 = next); `None`
        /// once it is offered to an agent.
        position: Option<u32>,
    },
    /// A supervisor changed the waiting call's priority (the audit of who,
    /// when, which call).
    PriorityChanged {
        /// The supervisor (or admin).
        by: UserId,
        /// The base priority before.
        previous: i32,
        /// The base priority now (higher is served first).
        priority: i32,
        /// Its position in its queue right after (1 = next); `None` while
        /// it rings at an agent.
        position: Option<u32>,
    },
    /// Recording started.
    RecordingStarted {
        /// Where the recording is written.
        path: String,
    },
    /// The caller left a voicemail.
    VoicemailRecorded {
        /// Where the message is stored.
        path: String,
        /// Its length in seconds.
        duration_secs: u32,
    },
    /// The caller answered the post-call survey.
    SurveyAnswered {
        /// The score given.
        score: u8,
        /// The highest score possible (5 for CSAT, 10 for NPS).
        scale: u8,
    },
    /// The agent filed the call's disposition in wrap-up.
    DispositionSet {
        /// The agent.
        agent_id: AgentId,
        /// Tenant-defined disposition code.
        code: String,
        /// Free notes.
        notes: String,
    },
    /// The caller hung up before reaching an agent.
    CallAbandoned {
        /// Where the caller was.
        stage: AbandonStage,
        /// Seconds since arrival.
        waited_secs: u32,
    },
    /// The call ended. Always the last event of a call.
    CallEnded {
        /// Why.
        cause: EndCause,
    },
    /// An agent logged in.
    AgentLoggedIn {
        /// The agent.
        agent_id: AgentId,
    },
    /// An agent logged out.
    AgentLoggedOut {
        /// The agent.
        agent_id: AgentId,
    },
    /// An agent's routing state changed.
    AgentStateChanged {
        /// The agent.
        agent_id: AgentId,
        /// The new state (with its reason code when not ready).
        state: AgentState,
    },
    /// A supervisor set the agent's state (the audit; the state change
    /// itself follows as `agent_state_changed`).
    AgentStateSet {
        /// The agent.
        agent_id: AgentId,
        /// The supervisor (or admin) who set it.
        by: UserId,
        /// The state set: available, not ready with its reason, or DND.
        state: AgentState,
    },
    /// A SIP device of the agent registered (or refreshed its
    /// registration): calls can reach the agent at `contact`.
    AgentDeviceRegistered {
        /// The agent.
        agent_id: AgentId,
        /// The registered Contact URI.
        contact: String,
        /// The transport it registered over (`udp`, `tcp`, `tls`, `ws`, `wss`).
        transport: String,
        /// Seconds the registration lasts unless refreshed.
        expires_secs: u32,
    },
    /// A SIP device of the agent is no longer reachable.
    AgentDeviceUnregistered {
        /// The agent.
        agent_id: AgentId,
        /// The Contact URI that was registered.
        contact: String,
        /// Un-registered by the device, or expired.
        reason: UnregisterReason,
    },
}

impl EventPayload {
    /// The stable kind name stored in the `events.kind` column.
    pub fn kind(&self) -> &'static str {
        use EventPayload::*;
        match self {
            CallArrived { .. } => "call_arrived",
            IvrEntered { .. } => "ivr_entered",
            IvrChoice { .. } => "ivr_choice",
            IvrLeft { .. } => "ivr_left",
            CallQueued { .. } => "call_queued",
            PositionAnnounced { .. } => "position_announced",
            CallbackOffered { .. } => "callback_offered",
            CallbackAccepted { .. } => "callback_accepted",
            CallbackDialled { .. } => "callback_dialled",
            CallbackResult { .. } => "callback_result",
            Overflowed { .. } => "overflowed",
            OfferedToAgent { .. } => "offered_to_agent",
            AgentRinging { .. } => "agent_ringing",
            AgentAnswered { .. } => "agent_answered",
            AgentRejected { .. } => "agent_rejected",
            AgentNoAnswer { .. } => "agent_no_answer",
            Bridged { .. } => "bridged",
            Held { .. } => "held",
            Resumed { .. } => "resumed",
            Transferred { .. } => "transferred",
            SupervisorJoined { .. } => "supervisor_joined",
            SupervisorLeft { .. } => "supervisor_left",
            SupervisorTookOver { .. } => "supervisor_took_over",
            CallMoved { .. } => "call_moved",
            PriorityChanged { .. } => "priority_changed",
            RecordingStarted { .. } => "recording_started",
            VoicemailRecorded { .. } => "voicemail_recorded",
            SurveyAnswered { .. } => "survey_answered",
            DispositionSet { .. } => "disposition_set",
            CallAbandoned { .. } => "call_abandoned",
            CallEnded { .. } => "call_ended",
            AgentLoggedIn { .. } => "agent_logged_in",
            AgentLoggedOut { .. } => "agent_logged_out",
            AgentStateChanged { .. } => "agent_state_changed",
            AgentStateSet { .. } => "agent_state_set",
            AgentDeviceRegistered { .. } => "agent_device_registered",
            AgentDeviceUnregistered { .. } => "agent_device_unregistered",
        }
    }

    /// The agent this payload concerns, if any.
    pub fn agent_id(&self) -> Option<AgentId> {
        use EventPayload::*;
        match self {
            OfferedToAgent { agent_id, .. }
            | AgentRinging { agent_id, .. }
            | AgentAnswered { agent_id, .. }
            | AgentRejected { agent_id }
            | AgentNoAnswer { agent_id }
            | Bridged { agent_id }
            | Held { agent_id }
            | Resumed { agent_id }
            | Transferred { agent_id, .. }
            | SupervisorTookOver { agent_id, .. }
            | DispositionSet { agent_id, .. }
            | AgentLoggedIn { agent_id }
            | AgentLoggedOut { agent_id }
            | AgentStateChanged { agent_id, .. }
            | AgentDeviceRegistered { agent_id, .. }
            | AgentDeviceUnregistered { agent_id, .. } => Some(*agent_id),
            _ => None,
        }
    }
}
