//! Domain events serialise to a stable, tagged, versioned JSON form.

use chrono::{TimeZone, Utc};
use model::{
    AbandonStage, AgentId, AgentState, CallId, EVENT_SCHEMA_VERSION, Event, EventPayload, NotReadyReason, QueueId,
    SupervisionMode, TenantId, UnregisterReason, UserId,
};

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0).unwrap()
}

#[test]
fn call_event_round_trips_through_json_with_kind_tag_and_version() {
    let event = Event::call(
        TenantId::new(),
        CallId::new(),
        3,
        at(),
        EventPayload::CallQueued { queue_id: QueueId::new(), priority: 5, position: 2 },
    );
    let json = serde_json::to_value(&event).unwrap();
    assert_eq!(json["v"], EVENT_SCHEMA_VERSION);
    assert_eq!(json["payload"]["kind"], "call_queued");
    assert_eq!(json["seq"], 3);
    let back: Event = serde_json::from_value(json).unwrap();
    assert_eq!(back, event);
}

#[test]
fn kind_matches_the_serde_tag_for_every_sampled_payload() {
    let agent_id = AgentId::new();
    let payloads = [
        EventPayload::CallAbandoned { stage: AbandonStage::Ringing, waited_secs: 40 },
        EventPayload::AgentStateChanged { agent_id, state: AgentState::NotReady { reason: NotReadyReason::Lunch } },
        EventPayload::AgentNoAnswer { agent_id },
        EventPayload::CallEnded { cause: model::EndCause::CallerHangup },
        EventPayload::SupervisorTookOver { supervisor_id: UserId::new(), agent_id },
        EventPayload::SupervisorJoined { supervisor_id: UserId::new(), mode: SupervisionMode::TakeOver },
    ];
    for p in payloads {
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["kind"], p.kind(), "{json}");
    }
}

#[test]
fn agent_id_is_derived_from_the_payload() {
    let agent_id = AgentId::new();
    let e = Event::agent(TenantId::new(), 1, at(), EventPayload::AgentLoggedIn { agent_id });
    assert_eq!(e.agent_id(), Some(agent_id));
    assert_eq!(e.call_id, None);
    let c = Event::call(
        TenantId::new(),
        CallId::new(),
        1,
        at(),
        EventPayload::CallAbandoned { stage: AbandonStage::Queue, waited_secs: 3 },
    );
    assert_eq!(c.agent_id(), None);
}

#[test]
fn events_written_before_versioning_default_to_version_one() {
    let e = Event::call(
        TenantId::new(),
        CallId::new(),
        1,
        at(),
        EventPayload::CallEnded { cause: model::EndCause::Abandoned },
    );
    let mut json = serde_json::to_value(&e).unwrap();
    json.as_object_mut().unwrap().remove("v");
    let back: Event = serde_json::from_value(json).unwrap();
    assert_eq!(back.v, 1);
}

#[test]
fn not_ready_reason_codes_serialise_with_their_label() {
    let json =
        serde_json::to_value(AgentState::NotReady { reason: NotReadyReason::Custom("coaching".into()) }).unwrap();
    assert_eq!(json, serde_json::json!({"state": "not_ready", "reason": {"code": "custom", "label": "coaching"}}));
}

#[test]
fn device_registration_events_round_trip_with_their_kind_and_agent() {
    let agent_id = AgentId::new();
    let registered = EventPayload::AgentDeviceRegistered {
        agent_id,
        contact: "sip:1001@192.0.2.10:5060".into(),
        transport: "udp".into(),
        expires_secs: 3600,
    };
    let unregistered = EventPayload::AgentDeviceUnregistered {
        agent_id,
        contact: "sip:1001@192.0.2.10:5060".into(),
        reason: UnregisterReason::Expired,
    };
    for (payload, kind) in [(registered, "agent_device_registered"), (unregistered, "agent_device_unregistered")] {
        let event = Event::agent(TenantId::new(), 7, at(), payload);
        assert_eq!(event.kind(), kind);
        assert_eq!(event.agent_id(), Some(agent_id));
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["payload"]["kind"], kind);
        let back: Event = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }
}

#[test]
fn unregister_reasons_serialise_as_unregistered_and_expired() {
    assert_eq!(serde_json::to_value(UnregisterReason::Unregistered).unwrap(), "unregistered");
    assert_eq!(serde_json::to_value(UnregisterReason::Expired).unwrap(), "expired");
}

#[test]
fn ivr_exits_serialise_in_snake_case_including_callback_and_failed() {
    use model::IvrExit;
    let forms = [
        (IvrExit::Enqueued, "enqueued"),
        (IvrExit::Transferred, "transferred"),
        (IvrExit::Voicemail, "voicemail"),
        (IvrExit::FlowHangup, "flow_hangup"),
        (IvrExit::CallerHangup, "caller_hangup"),
        (IvrExit::Callback, "callback"),
        (IvrExit::Failed, "failed"),
    ];
    for (exit, form) in forms {
        assert_eq!(serde_json::to_value(exit).unwrap(), form);
        assert_eq!(serde_json::from_value::<IvrExit>(form.into()).unwrap(), exit);
    }
    let left =
        EventPayload::IvrLeft { flow_id: model::IvrFlowId::new(), node: "closed".into(), exit: IvrExit::Callback };
    let json = serde_json::to_value(&left).unwrap();
    assert_eq!(json["exit"], "callback");
    assert_eq!(serde_json::from_value::<EventPayload>(json).unwrap(), left);
}

#[test]
fn a_take_over_names_supervisor_and_agent_and_belongs_to_the_agent() {
    let (supervisor_id, agent_id) = (UserId::new(), AgentId::new());
    let payload = EventPayload::SupervisorTookOver { supervisor_id, agent_id };
    let json = serde_json::to_value(&payload).unwrap();
    assert_eq!(json["kind"], "supervisor_took_over");
    assert_eq!(json["supervisor_id"], supervisor_id.to_string().as_str());
    assert_eq!(json["agent_id"], agent_id.to_string().as_str());
    assert_eq!(payload.agent_id(), Some(agent_id), "the agent's events include losing the call");
    assert_eq!(serde_json::to_value(SupervisionMode::TakeOver).unwrap(), "take_over");
    let back: SupervisionMode = serde_json::from_str("\"take_over\"").unwrap();
    assert_eq!(back, SupervisionMode::TakeOver);
}
