//! The CDR projection, rule by rule, on hand-made event lists.

use chrono::{DateTime, Duration, TimeZone, Utc};
use model::cdr::project;
use model::{
    AbandonStage, AgentId, AgentState, CallId, CallOutcome, CallRecord, CdrError, EndCause, Event, EventPayload,
    IvrExit, IvrFlowId, LegId, OfferReason, OverflowTarget, QueueId, RoutingStrategy, TenantId, VipTier,
};

/// A call under construction: events at milliseconds after its arrival.
pub struct Call {
    pub tenant: TenantId,
    pub call: CallId,
    pub events: Vec<Event>,
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

pub fn t(ms: i64) -> DateTime<Utc> {
    t0() + Duration::milliseconds(ms)
}

pub fn reason() -> OfferReason {
    OfferReason { strategy: RoutingStrategy::LongestIdle, step: 0, skills: vec![], detail: "test".into() }
}

impl Call {
    /// A call from +441632960001 to +441632960999 arrived at `t0`.
    pub fn arrive(vip: u8, outside_business_hours: bool) -> Call {
        let mut call = Call { tenant: TenantId::new(), call: CallId::new(), events: vec![] };
        call.at(
            0,
            EventPayload::CallArrived {
                from: "+441632960001".into(),
                to: "+441632960999".into(),
                number_id: None,
                trunk_id: None,
                contact_id: None,
                vip_tier: VipTier(vip),
                outside_business_hours,
                direction: model::event::CallDirection::Inbound,
            },
        );
        call
    }

    /// An agent's outbound call from +441632960999 to +441632960001, placed at `t0`.
    pub fn placed() -> Call {
        let mut call = Call::arrive(0, false);
        if let EventPayload::CallArrived { from, to, direction, .. } = &mut call.events[0].payload {
            std::mem::swap(from, to);
            *direction = model::event::CallDirection::Outbound;
        }
        call
    }

    /// Adds an event at `ms` after arrival.
    pub fn at(&mut self, ms: i64, payload: EventPayload) -> &mut Call {
        let seq = self.events.len() as u64;
        self.events.push(Event::call(self.tenant, self.call, seq, t(ms), payload));
        self
    }

    pub fn queued(&mut self, ms: i64, queue_id: QueueId) -> &mut Call {
        self.at(ms, EventPayload::CallQueued { queue_id, priority: 0, position: 1 })
    }

    /// Offered to `agent` at `ms`, ringing 100 ms later.
    pub fn offered(&mut self, ms: i64, queue_id: QueueId, agent_id: AgentId) -> &mut Call {
        self.at(ms, EventPayload::OfferedToAgent { queue_id, agent_id, reason: reason() });
        self.at(ms + 100, EventPayload::AgentRinging { agent_id, leg_id: LegId::new() })
    }

    /// Answered and bridged at `ms`.
    pub fn answered(&mut self, ms: i64, agent_id: AgentId) -> &mut Call {
        self.at(ms, EventPayload::AgentAnswered { agent_id, leg_id: LegId::new() });
        self.at(ms, EventPayload::Bridged { agent_id })
    }

    pub fn ended(&mut self, ms: i64, cause: EndCause) -> &mut Call {
        self.at(ms, EventPayload::CallEnded { cause })
    }

    pub fn project(&self) -> CallRecord {
        project(&self.events).expect("a record")
    }
}

#[test]
fn answered_call_with_hold_counts_wait_ring_hold_and_talk() {
    let (queue, agent) = (QueueId::new(), AgentId::new());
    let mut call = Call::arrive(2, false);
    call.queued(1_000, queue).offered(5_000, queue, agent).answered(8_000, agent);
    call.at(20_000, EventPayload::Held { agent_id: agent }).at(30_000, EventPayload::Resumed { agent_id: agent });
    call.at(40_000, EventPayload::Held { agent_id: agent }).at(45_000, EventPayload::Resumed { agent_id: agent });
    call.ended(68_000, EndCause::CallerHangup);
    let r = call.project();
    assert_eq!(r.outcome, CallOutcome::Answered);
    assert_eq!(r.abandon_stage, None);
    assert_eq!(
        (r.arrived_at, r.queued_at, r.answered_at, r.ended_at),
        (t(0), Some(t(1_000)), Some(t(8_000)), Some(t(68_000)))
    );
    assert_eq!(r.wait_ms, Some(7_000));
    assert_eq!(r.ring_ms, Some(3_000));
    assert_eq!(r.hold_ms, Some(15_000));
    assert_eq!(r.talk_ms, Some(45_000));
    assert_eq!((r.agent_id, r.queue_id, r.vip_tier), (Some(agent), Some(queue), VipTier(2)));
    assert_eq!(r.end_cause, Some(EndCause::CallerHangup));
    assert_eq!((r.caller_number.as_str(), r.dialled_number.as_str()), ("+441632960001", "+441632960999"));
    assert_eq!((r.call_id, r.tenant_id), (call.call, call.tenant));
}

#[test]
fn an_outbound_call_is_answered_when_the_called_party_is_bridged_not_when_the_agent_picks_up() {
    let agent = AgentId::new();
    let mut call = Call::placed();
    call.at(100, EventPayload::AgentRinging { agent_id: agent, leg_id: LegId::new() });
    call.at(2_000, EventPayload::AgentAnswered { agent_id: agent, leg_id: LegId::new() });
    call.at(9_000, EventPayload::Bridged { agent_id: agent }).ended(39_000, EndCause::AgentHangup);
    let r = call.project();
    assert_eq!(r.direction, model::event::CallDirection::Outbound);
    assert_eq!(r.outcome, CallOutcome::Answered);
    assert_eq!((r.answered_at, r.agent_id), (Some(t(9_000)), Some(agent)));
    assert_eq!(r.talk_ms, Some(30_000));
    assert_eq!((r.caller_number.as_str(), r.dialled_number.as_str()), ("+441632960999", "+441632960001"));
}

#[test]
fn an_outbound_call_the_called_party_does_not_answer_is_not_reached() {
    let agent = AgentId::new();
    let mut call = Call::placed();
    call.at(2_000, EventPayload::AgentAnswered { agent_id: agent, leg_id: LegId::new() });
    call.ended(32_000, EndCause::Failed);
    let r = call.project();
    assert_eq!(r.outcome, CallOutcome::NotReached);
    assert_eq!((r.answered_at, r.agent_id, r.talk_ms), (None, Some(agent), None), "still the agent's call");
    assert_eq!(serde_json::to_value(&r).unwrap()["outcome"], "not_reached");
}

#[test]
fn hold_still_open_at_the_end_closes_at_the_end() {
    let agent = AgentId::new();
    let mut call = Call::arrive(0, false);
    call.answered(1_000, agent).at(5_000, EventPayload::Held { agent_id: agent }).ended(9_000, EndCause::Failed);
    let r = call.project();
    assert_eq!((r.outcome, r.end_cause), (CallOutcome::Answered, Some(EndCause::Failed)));
    assert_eq!((r.hold_ms, r.talk_ms, r.wait_ms, r.ring_ms), (Some(4_000), Some(4_000), None, None));
}

#[test]
fn abandoned_in_ivr_has_stage_ivr_and_no_wait() {
    let flow_id = IvrFlowId::new();
    let mut call = Call::arrive(0, false);
    call.at(500, EventPayload::IvrEntered { flow_id });
    call.at(4_000, EventPayload::IvrChoice { flow_id, node: "menu".into(), digits: "9".into() });
    call.at(9_000, EventPayload::CallAbandoned { stage: AbandonStage::Ivr, waited_secs: 9 });
    call.ended(9_000, EndCause::Abandoned);
    let r = call.project();
    assert_eq!((r.outcome, r.abandon_stage), (CallOutcome::Abandoned, Some(AbandonStage::Ivr)));
    assert_eq!((r.ivr_entered_at, r.ivr_left_at), (Some(t(500)), Some(t(9_000))));
    assert_eq!((r.queued_at, r.wait_ms, r.answered_at, r.agent_id), (None, None, None, None));
}

#[test]
fn abandoned_in_queue_waits_from_queue_entry_to_abandon() {
    let queue = QueueId::new();
    let flow_id = IvrFlowId::new();
    let mut call = Call::arrive(0, false);
    call.at(200, EventPayload::IvrEntered { flow_id });
    call.at(800, EventPayload::IvrLeft { flow_id, node: "q".into(), exit: IvrExit::Enqueued });
    call.queued(1_000, queue);
    call.at(11_000, EventPayload::PositionAnnounced { queue_id: queue, position: 3, ewt_secs: 60 });
    call.at(31_000, EventPayload::CallAbandoned { stage: AbandonStage::Queue, waited_secs: 30 });
    call.ended(31_050, EndCause::Abandoned);
    let r = call.project();
    assert_eq!((r.outcome, r.abandon_stage), (CallOutcome::Abandoned, Some(AbandonStage::Queue)));
    assert_eq!((r.ivr_left_at, r.wait_ms, r.queue_id), (Some(t(800)), Some(30_000), Some(queue)));
    assert_eq!((r.ring_ms, r.talk_ms, r.hold_ms), (None, None, None));
}

#[test]
fn abandoned_while_ringing_has_stage_ringing() {
    let (queue, agent) = (QueueId::new(), AgentId::new());
    let mut call = Call::arrive(0, false);
    call.queued(1_000, queue).offered(3_000, queue, agent);
    call.at(6_000, EventPayload::CallAbandoned { stage: AbandonStage::Ringing, waited_secs: 5 });
    call.ended(6_000, EndCause::Abandoned);
    let r = call.project();
    assert_eq!((r.outcome, r.abandon_stage), (CallOutcome::Abandoned, Some(AbandonStage::Ringing)));
    assert_eq!((r.wait_ms, r.agent_id, r.ring_ms), (Some(5_000), None, None));
}

#[test]
fn hangup_without_abandon_event_derives_the_stage_from_where_the_call_was() {
    let (queue, agent) = (QueueId::new(), AgentId::new());
    let mut ringing = Call::arrive(0, false);
    ringing.queued(1_000, queue).offered(3_000, queue, agent).ended(4_000, EndCause::CallerHangup);
    assert_eq!(ringing.project().abandon_stage, Some(AbandonStage::Ringing));

    let mut after_rona = Call::arrive(0, false);
    after_rona.queued(1_000, queue).offered(3_000, queue, agent);
    after_rona.at(18_000, EventPayload::AgentNoAnswer { agent_id: agent }).ended(20_000, EndCause::CallerHangup);
    let r = after_rona.project();
    assert_eq!(
        (r.outcome, r.abandon_stage, r.wait_ms),
        (CallOutcome::Abandoned, Some(AbandonStage::Queue), Some(19_000))
    );

    let mut greeting = Call::arrive(0, false);
    greeting.ended(2_000, EndCause::CallerHangup);
    assert_eq!(greeting.project().abandon_stage, Some(AbandonStage::Ivr));
}

#[test]
fn rona_then_next_agent_takes_the_ring_time_of_the_last_offer() {
    let (queue, first, second) = (QueueId::new(), AgentId::new(), AgentId::new());
    let mut call = Call::arrive(0, false);
    call.queued(1_000, queue).offered(2_000, queue, first);
    call.at(17_000, EventPayload::AgentNoAnswer { agent_id: first });
    call.offered(18_000, queue, second).answered(21_000, second).ended(81_000, EndCause::AgentHangup);
    let r = call.project();
    assert_eq!((r.outcome, r.agent_id), (CallOutcome::Answered, Some(second)));
    assert_eq!((r.ring_ms, r.wait_ms, r.talk_ms), (Some(3_000), Some(20_000), Some(60_000)));
}

#[test]
fn after_hours_voicemail_is_flagged_outside_business_hours() {
    let flow_id = IvrFlowId::new();
    let mut call = Call::arrive(0, true);
    call.at(100, EventPayload::IvrEntered { flow_id });
    call.at(6_000, EventPayload::IvrLeft { flow_id, node: "closed".into(), exit: IvrExit::Voicemail });
    call.at(40_000, EventPayload::VoicemailRecorded { path: "vm/1.wav".into(), duration_secs: 30 });
    call.ended(40_500, EndCause::CallerHangup);
    let r = call.project();
    assert_eq!(r.outcome, CallOutcome::Voicemail);
    assert!(r.outside_business_hours);
    assert_eq!((r.abandon_stage, r.queued_at, r.wait_ms), (None, None, None));
    assert_eq!(r.voicemail_path.as_deref(), Some("vm/1.wav"), "the message's file");
    assert_eq!(r.recording_path, None, "a voicemail is not a call recording");
}

#[test]
fn a_recorded_call_keeps_the_file_of_its_first_recording_started() {
    let (queue, agent) = (QueueId::new(), AgentId::new());
    let mut call = Call::arrive(0, false);
    call.queued(1_000, queue).offered(2_000, queue, agent).answered(3_000, agent);
    call.at(3_010, EventPayload::RecordingStarted { path: "rec/t/call-1.wav".into() });
    // A second start (after a transfer, say) does not replace the file.
    call.at(9_000, EventPayload::RecordingStarted { path: "rec/t/other.wav".into() });
    call.ended(60_000, EndCause::CallerHangup);
    let r = call.project();
    assert_eq!(r.recording_path.as_deref(), Some("rec/t/call-1.wav"));
    assert_eq!(r.voicemail_path, None);
    assert_eq!(r.outcome, CallOutcome::Answered, "a recording changes no outcome");
}

#[test]
fn a_call_without_recording_events_has_no_recording_path() {
    let (queue, agent) = (QueueId::new(), AgentId::new());
    let mut call = Call::arrive(0, false);
    call.queued(1_000, queue).offered(2_000, queue, agent).answered(3_000, agent).ended(9_000, EndCause::AgentHangup);
    let r = call.project();
    assert_eq!((r.recording_path, r.voicemail_path), (None, None));
}

#[test]
fn a_recording_started_after_the_end_is_refused_like_any_call_event() {
    let mut call = Call::arrive(0, false);
    call.ended(1_000, EndCause::CallerHangup).at(2_000, EventPayload::RecordingStarted { path: "late.wav".into() });
    assert_eq!(project(&call.events), Err(CdrError::AfterEnd { seq: 2, kind: "recording_started" }));
}

#[test]
fn after_hours_closed_message_is_a_flagged_flow_hangup() {
    let flow_id = IvrFlowId::new();
    let mut call = Call::arrive(0, true);
    call.at(100, EventPayload::IvrEntered { flow_id });
    call.at(8_000, EventPayload::IvrLeft { flow_id, node: "closed".into(), exit: IvrExit::FlowHangup });
    call.ended(8_000, EndCause::FlowHangup);
    let r = call.project();
    assert_eq!((r.outcome, r.outside_business_hours), (CallOutcome::FlowHangup, true));
    assert_eq!(r.ivr_left_at, Some(t(8_000)));
}

/// A caller who waits 61 s, accepts a callback and hangs up.
fn callback_requested(queue: QueueId) -> Call {
    let mut call = Call::arrive(1, false);
    call.queued(1_000, queue);
    call.at(60_000, EventPayload::CallbackOffered { queue_id: queue });
    call.at(62_000, EventPayload::CallbackAccepted { queue_id: queue, number: "+441632960001".into() });
    call.ended(65_000, EndCause::CallbackRequested);
    call
}

#[test]
fn accepted_callback_is_a_callback_with_the_time_waited_on_the_line() {
    let call = callback_requested(QueueId::new());
    let r = call.project();
    assert_eq!((r.outcome, r.answered_at, r.agent_id), (CallOutcome::Callback, None, None));
    assert_eq!(
        (r.wait_ms, r.ended_at, r.end_cause),
        (Some(61_000), Some(t(65_000)), Some(EndCause::CallbackRequested))
    );
}

#[test]
fn callback_that_reaches_the_customer_stays_a_callback_with_answer_and_talk() {
    let (queue, agent) = (QueueId::new(), AgentId::new());
    let mut call = callback_requested(queue);
    call.offered(300_000, queue, agent);
    call.at(305_000, EventPayload::AgentAnswered { agent_id: agent, leg_id: LegId::new() });
    call.at(305_500, EventPayload::CallbackDialled { attempt: 1 });
    call.at(310_000, EventPayload::CallbackResult { attempt: 1, answered: true });
    call.at(310_000, EventPayload::Bridged { agent_id: agent }).ended(400_000, EndCause::AgentHangup);
    let r = call.project();
    assert_eq!(r.outcome, CallOutcome::Callback);
    assert_eq!((r.answered_at, r.ended_at, r.agent_id), (Some(t(310_000)), Some(t(400_000)), Some(agent)));
    assert_eq!((r.wait_ms, r.ring_ms, r.talk_ms), (Some(61_000), Some(5_000), Some(90_000)));
    // Time to callback, as the module docs say to compute it.
    let to_callback = r.answered_at.unwrap() - (r.queued_at.unwrap() + Duration::milliseconds(r.wait_ms.unwrap()));
    assert_eq!(to_callback, Duration::milliseconds(248_000));
}

#[test]
fn callback_never_reached_has_no_answer() {
    let (queue, agent) = (QueueId::new(), AgentId::new());
    let mut call = callback_requested(queue);
    call.offered(300_000, queue, agent)
        .at(303_000, EventPayload::AgentAnswered { agent_id: agent, leg_id: LegId::new() });
    for attempt in 1..=3 {
        call.at(300_000 + attempt * 10_000, EventPayload::CallbackDialled { attempt: attempt as u32 });
        call.at(305_000 + attempt * 10_000, EventPayload::CallbackResult { attempt: attempt as u32, answered: false });
    }
    call.ended(340_000, EndCause::Failed);
    let r = call.project();
    assert_eq!((r.outcome, r.answered_at, r.agent_id, r.talk_ms), (CallOutcome::Callback, None, None, None));
}

#[test]
fn overflow_to_a_number_is_an_overflow_waiting_until_it_left() {
    let queue = QueueId::new();
    let mut call = Call::arrive(0, false);
    call.queued(1_000, queue);
    call.at(
        121_000,
        EventPayload::Overflowed { queue_id: queue, target: OverflowTarget::Number { number: "+441632960500".into() } },
    );
    call.ended(122_000, EndCause::TransferredOut);
    let r = call.project();
    assert_eq!((r.outcome, r.abandon_stage, r.wait_ms), (CallOutcome::Overflow, None, Some(120_000)));
    assert_eq!(r.end_cause, Some(EndCause::TransferredOut));
}

#[test]
fn caller_hanging_up_during_the_overflow_message_is_an_overflow() {
    let queue = QueueId::new();
    let mut call = Call::arrive(0, false);
    call.queued(1_000, queue);
    call.at(
        61_000,
        EventPayload::Overflowed {
            queue_id: queue,
            target: OverflowTarget::MessageAndHangup { prompt: "busy".into() },
        },
    );
    call.ended(63_000, EndCause::CallerHangup);
    assert_eq!(call.project().outcome, CallOutcome::Overflow);
}

#[test]
fn overflow_to_another_queue_then_answered_is_answered_in_the_last_queue() {
    let (first, second, agent) = (QueueId::new(), QueueId::new(), AgentId::new());
    let mut call = Call::arrive(0, false);
    call.queued(1_000, first);
    call.at(61_000, EventPayload::Overflowed { queue_id: first, target: OverflowTarget::Queue { queue_id: second } });
    call.queued(61_000, second)
        .offered(70_000, second, agent)
        .answered(72_000, agent)
        .ended(100_000, EndCause::CallerHangup);
    let r = call.project();
    assert_eq!(
        (r.outcome, r.queue_id, r.queued_at, r.wait_ms),
        (CallOutcome::Answered, Some(second), Some(t(1_000)), Some(71_000))
    );
}

#[test]
fn answered_then_transferred_out_stays_answered() {
    let agent = AgentId::new();
    let mut call = Call::arrive(0, false);
    call.answered(2_000, agent);
    call.at(
        30_000,
        EventPayload::Transferred {
            agent_id: agent,
            transfer: model::TransferKind::Blind,
            target: model::TransferTarget::Number { number: "+441632960500".into() },
        },
    );
    call.ended(30_500, EndCause::TransferredOut);
    let r = call.project();
    assert_eq!((r.outcome, r.end_cause), (CallOutcome::Answered, Some(EndCause::TransferredOut)));
}

#[test]
fn unanswered_ends_by_cause_transfer_out_and_failure() {
    let mut out = Call::arrive(0, false);
    out.ended(3_000, EndCause::TransferredOut);
    assert_eq!(out.project().outcome, CallOutcome::TransferredOut);
    let mut failed = Call::arrive(0, false);
    failed.ended(3_000, EndCause::Failed);
    assert_eq!(failed.project().outcome, CallOutcome::Failed);
}

#[test]
fn survey_disposition_and_wrap_up_after_the_end_join_the_record() {
    let agent = AgentId::new();
    let mut call = Call::arrive(0, false);
    call.answered(1_000, agent);
    call.at(61_000, EventPayload::AgentStateChanged { agent_id: agent, state: AgentState::WrapUp });
    call.ended(75_000, EndCause::AgentHangup);
    call.at(75_100, EventPayload::SurveyAnswered { score: 4, scale: 5 });
    call.at(80_000, EventPayload::DispositionSet { agent_id: agent, code: "sale".into(), notes: "".into() });
    call.at(91_000, EventPayload::AgentStateChanged { agent_id: agent, state: AgentState::Available });
    let r = call.project();
    assert_eq!((r.survey_score, r.survey_scale), (Some(4), Some(5)));
    assert_eq!(r.disposition.as_deref(), Some("sale"));
    assert_eq!(r.wrap_up_ms, Some(30_000));
    assert_eq!(r.ended_at, Some(t(75_000)));
}

#[test]
fn wrap_up_without_its_end_in_the_stream_is_left_to_the_agent_intervals() {
    let agent = AgentId::new();
    let mut call = Call::arrive(0, false);
    call.answered(1_000, agent).ended(60_000, EndCause::AgentHangup);
    call.at(60_000, EventPayload::AgentStateChanged { agent_id: agent, state: AgentState::WrapUp });
    assert_eq!(call.project().wrap_up_ms, None);
}

#[test]
fn a_call_not_ended_yet_is_not_ended_error() {
    let mut call = Call::arrive(0, false);
    call.queued(1_000, QueueId::new());
    assert_eq!(project(&call.events), Err(CdrError::NotEnded));
}

#[test]
fn bad_streams_are_clear_errors() {
    assert_eq!(project(&[]), Err(CdrError::Empty));

    let mut call = Call::arrive(0, false);
    call.queued(1_000, QueueId::new()).ended(2_000, EndCause::CallerHangup);
    let mut swapped = call.events.clone();
    swapped.swap(1, 2);
    assert_eq!(project(&swapped), Err(CdrError::OutOfOrder { previous: 2, seq: 1 }));

    let mut foreign = call.events.clone();
    foreign[1].call_id = Some(CallId::new());
    assert_eq!(project(&foreign), Err(CdrError::ForeignEvent { seq: 1 }));

    assert_eq!(project(&call.events[1..]), Err(CdrError::NoArrival { kind: "call_queued" }));

    let mut after = Call::arrive(0, false);
    after.ended(1_000, EndCause::CallerHangup).at(2_000, EventPayload::Held { agent_id: AgentId::new() });
    assert_eq!(project(&after.events), Err(CdrError::AfterEnd { seq: 2, kind: "held" }));

    let mut twice = Call::arrive(0, false);
    let arrival = twice.events[0].payload.clone();
    twice.at(10, arrival).ended(20, EndCause::CallerHangup);
    assert_eq!(project(&twice.events), Err(CdrError::Unexpected { seq: 1, kind: "call_arrived" }));
}

#[test]
fn record_json_uses_the_column_names_and_values() {
    let mut call = Call::arrive(0, false);
    call.at(500, EventPayload::CallAbandoned { stage: AbandonStage::Ivr, waited_secs: 0 })
        .ended(500, EndCause::Abandoned);
    let json = serde_json::to_value(call.project()).unwrap();
    assert_eq!(json["outcome"], "abandoned");
    assert_eq!(json["abandon_stage"], "ivr");
    assert_eq!(json["end_cause"], "abandoned");
    assert_eq!(json["vip_tier"], 0);
    assert_eq!(json["direction"], "inbound");
    assert_eq!(json["recording_path"], serde_json::Value::Null);
    assert_eq!(json["voicemail_path"], serde_json::Value::Null);
    assert_eq!(json["callback_offered"], false);
    assert_eq!(json["rona_agent_ids"], serde_json::json!([]));
    assert_eq!(json["ivr_choices"], serde_json::json!([]));
    assert_eq!((&json["ivr_flow_id"], &json["ivr_exit"]), (&serde_json::Value::Null, &serde_json::Value::Null));
    assert_eq!(json.as_object().unwrap().len(), 37, "one key per column of calls");
}

mod never_panics {
    use proptest::prelude::*;

    use super::*;

    fn fixed_seed() -> proptest::test_runner::Config {
        let mut config = proptest::test_runner::Config::default();
        if matches!(config.rng_seed, proptest::test_runner::RngSeed::Random) {
            config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x5eed_0cd7);
        }
        config
    }

    /// One of the call's payloads, by index, among two agents and two queues.
    fn payload(i: u8, agents: [AgentId; 2], queues: [QueueId; 2]) -> EventPayload {
        let (a, q) = (agents[usize::from(i & 1)], queues[usize::from((i >> 1) & 1)]);
        match i % 16 {
            0 => EventPayload::CallQueued { queue_id: q, priority: 0, position: 1 },
            1 => EventPayload::OfferedToAgent { queue_id: q, agent_id: a, reason: reason() },
            2 => EventPayload::AgentRinging { agent_id: a, leg_id: LegId::new() },
            3 => EventPayload::AgentAnswered { agent_id: a, leg_id: LegId::new() },
            4 => EventPayload::AgentNoAnswer { agent_id: a },
            5 => EventPayload::Held { agent_id: a },
            6 => EventPayload::Resumed { agent_id: a },
            7 => EventPayload::CallbackAccepted { queue_id: q, number: "+1".into() },
            8 => EventPayload::CallbackResult { attempt: 1, answered: i & 2 == 0 },
            9 => EventPayload::Overflowed { queue_id: q, target: OverflowTarget::Voicemail },
            10 => EventPayload::CallAbandoned { stage: AbandonStage::Queue, waited_secs: 1 },
            11 => EventPayload::SurveyAnswered { score: i, scale: 5 },
            12 => EventPayload::AgentStateChanged { agent_id: a, state: AgentState::WrapUp },
            13 => EventPayload::AgentStateChanged { agent_id: a, state: AgentState::Available },
            14 => EventPayload::IvrEntered { flow_id: IvrFlowId::new() },
            15 if i & 16 == 0 => EventPayload::RecordingStarted { path: format!("rec-{i}.wav") },
            _ => EventPayload::CallEnded { cause: EndCause::CallbackRequested },
        }
    }

    proptest! {
        #![proptest_config(fixed_seed())]

        /// Any mix of events at any times, in any seq order, ends in a record
        /// or an error, never a panic, and every duration is non-negative.
        #[test]
        fn any_event_list_projects_or_errs_without_panic(
            steps in proptest::collection::vec((any::<u8>(), -100_000i64..100_000, 1u64..3), 0..40),
            end in any::<bool>(),
            swap in proptest::option::of((0usize..42, 0usize..42)),
        ) {
            let (agents, queues) = ([AgentId::new(), AgentId::new()], [QueueId::new(), QueueId::new()]);
            let mut call = Call::arrive(1, false);
            let mut seq = 0u64;
            for (i, ms, skip) in steps {
                call.at(ms, payload(i, agents, queues));
                seq += skip;
                call.events.last_mut().unwrap().seq = seq;
            }
            if end {
                call.ended(50_000, EndCause::CallerHangup);
                call.events.last_mut().unwrap().seq = seq + 1;
            }
            if let Some((i, j)) = swap {
                let n = call.events.len();
                call.events.swap(i % n, j % n);
            }
            if let Ok(r) = project(&call.events) {
                for d in [r.wait_ms, r.ring_ms, r.talk_ms, r.hold_ms, r.wrap_up_ms].into_iter().flatten() {
                    prop_assert!(d >= 0);
                }
                prop_assert_eq!(r.abandon_stage.is_some(), r.outcome == CallOutcome::Abandoned);
                prop_assert!(r.agent_id.is_none() || r.answered_at.is_some());
            }
        }
    }
}
