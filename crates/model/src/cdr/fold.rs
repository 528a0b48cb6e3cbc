//! The projection's running state: one pass over the events, then
//! [`Fold::finish`] applies the outcome and duration rules.

use chrono::{DateTime, Utc};

use super::{CallOutcome, CallRecord, CdrError};
use crate::agent_state::AgentState;
use crate::event::{AbandonStage, CallDirection, EndCause, Event, EventPayload, IvrExit, MoveTarget};
use crate::ids::{AgentId, CallId, ContactId, IvrFlowId, NumberId, QueueId, TenantId};
use crate::queue::OverflowTarget;
use crate::vip::VipTier;

type At = DateTime<Utc>;

/// Where the call is, for the abandon stage derived from the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// Arrived, or in an IVR flow.
    BeforeQueue,
    /// Waiting in a queue.
    Queued,
    /// Offered to an agent.
    Ringing,
    /// Connected to an agent.
    Connected,
    /// Overflowed or otherwise out of the queues.
    Away,
}

/// The first answer: when, by whom, after how long a ring.
#[derive(Clone, Copy, Debug)]
struct Answer {
    at: At,
    agent: AgentId,
    ring_ms: Option<i64>,
}

/// What `call_arrived` says.
#[derive(Debug)]
struct Arrival {
    tenant_id: TenantId,
    at: At,
    from: String,
    to: String,
    number_id: Option<NumberId>,
    contact_id: Option<ContactId>,
    outside_business_hours: bool,
    direction: CallDirection,
}

/// The state folded over a call's events.
#[derive(Debug)]
pub(super) struct Fold {
    arrival: Arrival,
    vip_tier: VipTier,
    ivr_entered_at: Option<At>,
    ivr_left_at: Option<At>,
    in_ivr: bool,
    queued_at: Option<At>,
    queue_id: Option<QueueId>,
    place: Place,
    offer_at: Option<At>,
    answer: Option<Answer>,
    callback_at: Option<At>,
    callback_reached_at: Option<At>,
    abandoned: Option<(At, AbandonStage)>,
    overflow_out_at: Option<At>,
    voicemail: bool,
    /// The file of the first `recording_started`.
    recording_path: Option<String>,
    /// The file of the last `voicemail_recorded`.
    voicemail_path: Option<String>,
    hold_ms: i64,
    held_since: Option<At>,
    wrap_started: Option<At>,
    wrap_up_ms: Option<i64>,
    survey: Option<(u8, u8)>,
    disposition: Option<String>,
    ended: Option<(At, EndCause)>,
    /// For an outbound call, the agent who placed it (rung first).
    placed_by: Option<AgentId>,
    callback_offered: bool,
    rona: Vec<AgentId>,
    rejected: Vec<AgentId>,
    /// The flow of the first `ivr_entered`.
    ivr_flow_id: Option<IvrFlowId>,
    /// Each `ivr_choice` as `node=digits`.
    ivr_choices: Vec<String>,
    /// The node and way of the last `ivr_left`.
    ivr_exit: Option<(String, IvrExit)>,
}

/// Milliseconds from `a` to `b`, 0 if `b` is earlier.
fn ms(a: At, b: At) -> i64 {
    (b - a).num_milliseconds().max(0)
}

impl Fold {
    /// Starts from the call's first event, which must be `call_arrived`.
    pub(super) fn start(first: &Event) -> Result<Fold, CdrError> {
        let EventPayload::CallArrived {
            from,
            to,
            number_id,
            contact_id,
            vip_tier,
            outside_business_hours,
            direction,
            ..
        } = &first.payload
        else {
            return Err(CdrError::NoArrival { kind: first.kind() });
        };
        let arrival = Arrival {
            tenant_id: first.tenant_id,
            at: first.at,
            from: from.clone(),
            to: to.clone(),
            number_id: *number_id,
            contact_id: *contact_id,
            outside_business_hours: *outside_business_hours,
            direction: *direction,
        };
        Ok(Fold {
            arrival,
            vip_tier: *vip_tier,
            ivr_entered_at: None,
            ivr_left_at: None,
            in_ivr: false,
            queued_at: None,
            queue_id: None,
            place: Place::BeforeQueue,
            offer_at: None,
            answer: None,
            callback_at: None,
            callback_reached_at: None,
            abandoned: None,
            overflow_out_at: None,
            voicemail: false,
            recording_path: None,
            voicemail_path: None,
            hold_ms: 0,
            held_since: None,
            wrap_started: None,
            wrap_up_ms: None,
            survey: None,
            disposition: None,
            ended: None,
            placed_by: None,
            callback_offered: false,
            rona: Vec::new(),
            rejected: Vec::new(),
            ivr_flow_id: None,
            ivr_choices: Vec::new(),
            ivr_exit: None,
        })
    }

    /// Applies the next event of the call.
    pub(super) fn apply(&mut self, event: &Event) -> Result<(), CdrError> {
        if let Some((_, cause)) = self.ended {
            let late = matches!(
                event.payload,
                EventPayload::SurveyAnswered { .. }
                    | EventPayload::DispositionSet { .. }
                    | EventPayload::AgentStateChanged { .. }
            );
            if cause != EndCause::CallbackRequested && !late {
                return Err(CdrError::AfterEnd { seq: event.seq, kind: event.kind() });
            }
        }
        if self.apply_routing(event) {
            return Ok(());
        }
        self.apply_other(event)
    }

    /// The events that move the call between IVR, queue and agent; returns
    /// whether `event` was one of them.
    fn apply_routing(&mut self, event: &Event) -> bool {
        let at = event.at;
        match &event.payload {
            EventPayload::IvrEntered { flow_id } => {
                self.ivr_entered_at.get_or_insert(at);
                self.ivr_flow_id.get_or_insert(*flow_id);
                self.in_ivr = true;
                self.overflow_out_at = None;
                if self.place == Place::Away {
                    self.place = Place::BeforeQueue;
                }
            }
            EventPayload::IvrLeft { node, exit, .. } => {
                self.ivr_left_at = Some(at);
                self.ivr_exit = Some((node.clone(), *exit));
                self.in_ivr = false;
            }
            EventPayload::CallQueued { queue_id, .. } => {
                self.queued_at.get_or_insert(at);
                self.queue_id = Some(*queue_id);
                self.overflow_out_at = None;
                if self.place != Place::Connected {
                    self.place = Place::Queued;
                }
            }
            EventPayload::CallMoved { target: MoveTarget::Queue { queue_id }, .. } => {
                self.queue_id = Some(*queue_id);
            }
            EventPayload::OfferedToAgent { .. } => self.offered(at, true),
            EventPayload::AgentRinging { .. } => self.offered(at, false),
            EventPayload::AgentNoAnswer { agent_id } => {
                self.rona.push(*agent_id);
                self.offer_ended();
            }
            EventPayload::AgentRejected { agent_id } => {
                self.rejected.push(*agent_id);
                self.offer_ended();
            }
            // An outbound call is answered when the called party is bridged.
            EventPayload::AgentAnswered { agent_id, .. } if self.arrival.direction == CallDirection::Outbound => {
                self.placed_by.get_or_insert(*agent_id);
            }
            EventPayload::AgentAnswered { agent_id, .. } | EventPayload::Bridged { agent_id } => {
                self.answered(at, *agent_id);
            }
            EventPayload::Overflowed { target, .. } => {
                self.overflow_out_at = Some(at);
                self.offer_at = None;
                if self.place != Place::Connected {
                    self.place = Place::Away;
                }
                if matches!(target, OverflowTarget::Callback) {
                    self.callback_accepted(at);
                }
            }
            EventPayload::CallbackAccepted { .. } => self.callback_accepted(at),
            EventPayload::CallbackResult { answered: true, .. } => {
                if self.callback_at.is_some() {
                    self.callback_reached_at.get_or_insert(at);
                }
            }
            _ => return false,
        }
        true
    }

    /// Everything else: hold, voicemail, survey, disposition, abandon, end,
    /// wrap-up.
    fn apply_other(&mut self, event: &Event) -> Result<(), CdrError> {
        let at = event.at;
        match &event.payload {
            EventPayload::CallArrived { .. } => {
                return Err(CdrError::Unexpected { seq: event.seq, kind: event.kind() });
            }
            EventPayload::Held { .. } => {
                self.held_since.get_or_insert(at);
            }
            EventPayload::Resumed { .. } => {
                if let Some(since) = self.held_since.take() {
                    self.hold_ms += ms(since, at);
                }
            }
            EventPayload::VoicemailRecorded { path, .. } => {
                self.voicemail = true;
                self.voicemail_path = Some(path.clone());
            }
            EventPayload::RecordingStarted { path } => {
                self.recording_path.get_or_insert_with(|| path.clone());
            }
            EventPayload::SurveyAnswered { score, scale } => self.survey = Some((*score, *scale)),
            EventPayload::DispositionSet { code, .. } => self.disposition = Some(code.clone()),
            EventPayload::CallAbandoned { stage, .. } => self.abandoned = Some((at, *stage)),
            EventPayload::CallEnded { cause } => self.ended = Some((at, *cause)),
            EventPayload::CallbackOffered { .. } => self.callback_offered = true,
            EventPayload::IvrChoice { node, digits, .. } => self.ivr_choices.push(format!("{node}={digits}")),
            EventPayload::AgentStateChanged { agent_id, state } => self.agent_state(at, *agent_id, state),
            _ => {}
        }
        Ok(())
    }

    /// An offer (`offered_to_agent`) or a ring; a ring keeps the time of the
    /// offer it belongs to.
    fn offered(&mut self, at: At, offer: bool) {
        if offer || self.offer_at.is_none() {
            self.offer_at = Some(at);
        }
        if self.place != Place::Connected {
            self.place = Place::Ringing;
        }
    }

    /// The offer out was refused or rang out: the call waits again.
    fn offer_ended(&mut self) {
        self.offer_at = None;
        if self.place == Place::Ringing {
            self.place = Place::Queued;
        }
    }

    fn answered(&mut self, at: At, agent: AgentId) {
        if self.answer.is_none() {
            let ring_ms = self.offer_at.map(|offer| ms(offer, at));
            self.answer = Some(Answer { at, agent, ring_ms });
        }
        self.offer_at = None;
        self.overflow_out_at = None;
        self.place = Place::Connected;
    }

    fn callback_accepted(&mut self, at: At) {
        if self.answer.is_none() {
            self.callback_at.get_or_insert(at);
        }
    }

    /// Wrap-up of the answering agent, when its state changes are in the
    /// call's stream.
    fn agent_state(&mut self, at: At, agent: AgentId, state: &AgentState) {
        let Some(answer) = self.answer else { return };
        if agent != answer.agent || self.wrap_up_ms.is_some() {
            return;
        }
        match (state, self.wrap_started) {
            (AgentState::WrapUp, None) => self.wrap_started = Some(at),
            (AgentState::WrapUp, Some(_)) => {}
            (_, Some(start)) => self.wrap_up_ms = Some(ms(start, at)),
            (_, None) => {}
        }
    }

    /// The outcome and the abandon stage, by the rules of the module docs.
    fn outcome(&self, cause: EndCause) -> (CallOutcome, Option<AbandonStage>) {
        let derived = match self.place {
            Place::Ringing => AbandonStage::Ringing,
            Place::Queued => AbandonStage::Queue,
            _ => AbandonStage::Ivr,
        };
        let overflowed = self.overflow_out_at.is_some();
        if self.arrival.direction == CallDirection::Outbound {
            let outcome = if self.answer.is_some() { CallOutcome::Answered } else { CallOutcome::NotReached };
            (outcome, None)
        } else if self.callback_at.is_some() {
            (CallOutcome::Callback, None)
        } else if self.answer.is_some() {
            (CallOutcome::Answered, None)
        } else if self.voicemail || cause == EndCause::Voicemail {
            (CallOutcome::Voicemail, None)
        } else if let Some((_, stage)) = self.abandoned {
            (CallOutcome::Abandoned, Some(stage))
        } else if !overflowed && matches!(cause, EndCause::Abandoned | EndCause::CallerHangup) {
            (CallOutcome::Abandoned, Some(derived))
        } else if cause == EndCause::CallbackRequested {
            (CallOutcome::Callback, None)
        } else if matches!(cause, EndCause::Failed | EndCause::AgentHangup) {
            (CallOutcome::Failed, None)
        } else if overflowed {
            (CallOutcome::Overflow, None)
        } else if cause == EndCause::TransferredOut {
            (CallOutcome::TransferredOut, None)
        } else {
            (CallOutcome::FlowHangup, None)
        }
    }

    /// The record, once every event has been applied.
    pub(super) fn finish(self, call_id: CallId) -> Result<CallRecord, CdrError> {
        let (ended_at, cause) = self.ended.ok_or(CdrError::NotEnded)?;
        let (outcome, abandon_stage) = self.outcome(cause);
        let hold_ms = self.hold_ms + self.held_since.map_or(0, |since| ms(since, ended_at));
        let (answered_at, connected) = match (outcome, self.answer) {
            (CallOutcome::Callback, answer) => {
                (self.callback_reached_at, answer.filter(|_| self.callback_reached_at.is_some()))
            }
            (_, Some(answer)) => (Some(answer.at), Some(answer)),
            _ => (None, None),
        };
        let wait_end = self
            .callback_at
            .or(self.answer.map(|a| a.at))
            .or(self.abandoned.map(|(at, _)| at))
            .or(self.overflow_out_at)
            .unwrap_or(ended_at);
        let ivr_left_at = if self.in_ivr { Some(ended_at) } else { self.ivr_left_at };
        let (ivr_exit_node, ivr_exit) = match self.ivr_exit {
            _ if self.in_ivr => (None, Some(ivr_exit_at_end(cause))),
            Some((node, exit)) => (Some(node), Some(exit)),
            None => (None, None),
        };
        let Arrival { tenant_id, at, from, to, number_id, contact_id, outside_business_hours, direction } =
            self.arrival;
        Ok(CallRecord {
            call_id,
            tenant_id,
            arrived_at: at,
            ivr_entered_at: self.ivr_entered_at,
            ivr_left_at,
            queued_at: self.queued_at,
            answered_at,
            ended_at: Some(ended_at),
            outcome,
            abandon_stage,
            end_cause: Some(cause),
            number_id,
            queue_id: self.queue_id,
            agent_id: connected.map(|a| a.agent).or(self.placed_by),
            contact_id,
            caller_number: from,
            dialled_number: to,
            vip_tier: self.vip_tier,
            outside_business_hours,
            wait_ms: self.queued_at.map(|queued| ms(queued, wait_end)),
            ring_ms: connected.and_then(|a| a.ring_ms),
            talk_ms: answered_at.map(|answered| (ms(answered, ended_at) - hold_ms).max(0)),
            hold_ms: answered_at.map(|_| hold_ms),
            wrap_up_ms: connected.and(self.wrap_up_ms),
            survey_score: self.survey.map(|(score, _)| score),
            survey_scale: self.survey.map(|(_, scale)| scale),
            disposition: self.disposition,
            direction,
            recording_path: self.recording_path,
            voicemail_path: self.voicemail_path,
            callback_offered: self.callback_offered,
            rona_agent_ids: self.rona,
            rejected_agent_ids: self.rejected,
            ivr_flow_id: self.ivr_flow_id,
            ivr_choices: self.ivr_choices,
            ivr_exit_node,
            ivr_exit,
        })
    }
}

/// How a call that ended inside the IVR left it, from its end cause.
fn ivr_exit_at_end(cause: EndCause) -> IvrExit {
    match cause {
        EndCause::FlowHangup => IvrExit::FlowHangup,
        EndCause::Voicemail => IvrExit::Voicemail,
        EndCause::CallbackRequested => IvrExit::Callback,
        EndCause::TransferredOut => IvrExit::Transferred,
        EndCause::Failed | EndCause::AgentHangup => IvrExit::Failed,
        EndCause::CallerHangup | EndCause::Abandoned => IvrExit::CallerHangup,
    }
}
