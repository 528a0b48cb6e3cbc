//! The CDR columns the reports need (migration 0010): the callback offer,
//! the agents who let the call ring out or refused it, and the IVR path.

use model::{AgentId, CallOutcome, CallRecord, EndCause, EventPayload, IvrExit, IvrFlowId, QueueId};

use crate::cdr::{Call, t};

fn choice(flow_id: IvrFlowId, node: &str, digits: &str) -> EventPayload {
    EventPayload::IvrChoice { flow_id, node: node.into(), digits: digits.into() }
}

fn left(flow_id: IvrFlowId, node: &str, exit: IvrExit) -> EventPayload {
    EventPayload::IvrLeft { flow_id, node: node.into(), exit }
}

#[test]
fn rona_and_rejecting_agents_are_listed_in_order_an_agent_twice_twice() {
    let (queue, a, b) = (QueueId::new(), AgentId::new(), AgentId::new());
    let mut call = Call::arrive(0, false);
    call.queued(1_000, queue).offered(2_000, queue, a).at(17_000, EventPayload::AgentNoAnswer { agent_id: a });
    call.offered(18_000, queue, b).at(19_000, EventPayload::AgentRejected { agent_id: b });
    call.offered(20_000, queue, a).at(35_000, EventPayload::AgentNoAnswer { agent_id: a });
    call.offered(36_000, queue, b).answered(38_000, b).ended(98_000, EndCause::CallerHangup);
    let r = call.project();
    assert_eq!((r.outcome, r.agent_id), (CallOutcome::Answered, Some(b)));
    assert_eq!(r.rona_agent_ids, vec![a, a]);
    assert_eq!(r.rejected_agent_ids, vec![b]);
}

#[test]
fn a_callback_offer_is_recorded_whether_or_not_the_caller_accepts() {
    let queue = QueueId::new();
    let mut declined = Call::arrive(0, false);
    declined.queued(1_000, queue).at(60_000, EventPayload::CallbackOffered { queue_id: queue });
    declined.ended(90_000, EndCause::Abandoned);
    let r = declined.project();
    assert_eq!((r.outcome, r.callback_offered), (CallOutcome::Abandoned, true));

    let mut accepted = Call::arrive(0, false);
    accepted.queued(1_000, queue).at(60_000, EventPayload::CallbackOffered { queue_id: queue });
    accepted.at(65_000, EventPayload::CallbackAccepted { queue_id: queue, number: "+441632960001".into() });
    accepted.ended(66_000, EndCause::CallbackRequested);
    let r = accepted.project();
    assert_eq!((r.outcome, r.callback_offered), (CallOutcome::Callback, true));

    // A callback chosen in the IVR was never offered by the ACD.
    let mut from_ivr = Call::arrive(0, false);
    from_ivr.queued(1_000, queue);
    from_ivr.at(1_000, EventPayload::CallbackAccepted { queue_id: queue, number: "+441632960001".into() });
    from_ivr.ended(2_000, EndCause::CallbackRequested);
    let r = from_ivr.project();
    assert_eq!((r.outcome, r.callback_offered), (CallOutcome::Callback, false));
}

#[test]
fn ivr_flow_choices_and_exit_come_from_the_ivr_events() {
    let (flow, queue) = (IvrFlowId::new(), QueueId::new());
    let mut call = Call::arrive(0, false);
    call.at(100, EventPayload::IvrEntered { flow_id: flow });
    call.at(3_000, choice(flow, "main", "1")).at(6_000, choice(flow, "sales", "22"));
    call.at(6_100, left(flow, "to_sales", IvrExit::Enqueued)).queued(6_100, queue);
    call.ended(30_000, EndCause::Abandoned);
    let r = call.project();
    assert_eq!(r.ivr_flow_id, Some(flow));
    assert_eq!(r.ivr_choices, vec!["main=1".to_owned(), "sales=22".to_owned()]);
    assert_eq!((r.ivr_exit_node.as_deref(), r.ivr_exit), (Some("to_sales"), Some(IvrExit::Enqueued)));
    assert_eq!(r.ivr_left_at, Some(t(6_100)));
}

#[test]
fn a_call_without_ivr_has_no_ivr_columns() {
    let mut call = Call::arrive(0, false);
    call.queued(0, QueueId::new()).ended(5_000, EndCause::Abandoned);
    let r = call.project();
    assert_eq!((r.ivr_flow_id, r.ivr_exit_node, r.ivr_exit), (None, None, None));
    assert!(r.ivr_choices.is_empty() && r.rona_agent_ids.is_empty() && r.rejected_agent_ids.is_empty());
    assert!(!r.callback_offered);
}

#[test]
fn a_call_ended_inside_the_ivr_left_it_at_the_end_the_way_it_ended_at_no_node() {
    let flow = IvrFlowId::new();
    let in_ivr = |cause| {
        let mut call = Call::arrive(0, false);
        call.at(100, EventPayload::IvrEntered { flow_id: flow }).at(2_000, choice(flow, "main", "9"));
        call.ended(4_000, cause);
        call.project()
    };
    let r = in_ivr(EndCause::CallerHangup);
    assert_eq!((r.ivr_left_at, r.ivr_exit, r.ivr_exit_node), (Some(t(4_000)), Some(IvrExit::CallerHangup), None));
    assert_eq!(r.ivr_choices, vec!["main=9".to_owned()]);
    let exits = [
        (EndCause::Abandoned, IvrExit::CallerHangup),
        (EndCause::FlowHangup, IvrExit::FlowHangup),
        (EndCause::Voicemail, IvrExit::Voicemail),
        (EndCause::TransferredOut, IvrExit::Transferred),
        (EndCause::Failed, IvrExit::Failed),
        (EndCause::AgentHangup, IvrExit::Failed),
    ];
    for (cause, exit) in exits {
        assert_eq!(in_ivr(cause).ivr_exit, Some(exit), "{cause:?}");
    }

    // Left once, entered again (an overflow back into a flow), ended inside:
    // the end is the last exit, as it is the last ivr_left_at.
    let other = IvrFlowId::new();
    let mut call = Call::arrive(0, false);
    call.at(100, EventPayload::IvrEntered { flow_id: flow }).at(1_000, left(flow, "q", IvrExit::Enqueued));
    call.queued(1_000, QueueId::new());
    call.at(50_000, EventPayload::IvrEntered { flow_id: other }).at(52_000, choice(other, "vm", "1"));
    call.ended(55_000, EndCause::CallerHangup);
    let r = call.project();
    assert_eq!(r.ivr_flow_id, Some(flow), "the first flow entered");
    assert_eq!((r.ivr_left_at, r.ivr_exit, r.ivr_exit_node), (Some(t(55_000)), Some(IvrExit::CallerHangup), None));
}

#[test]
fn a_record_stored_before_the_report_columns_still_reads_with_their_defaults() {
    let mut call = Call::arrive(0, false);
    call.queued(0, QueueId::new()).ended(5_000, EndCause::Abandoned);
    let record = call.project();
    let mut json = serde_json::to_value(&record).unwrap();
    let object = json.as_object_mut().unwrap();
    for key in [
        "callback_offered",
        "rona_agent_ids",
        "rejected_agent_ids",
        "ivr_flow_id",
        "ivr_choices",
        "ivr_exit_node",
        "ivr_exit",
    ] {
        assert!(object.remove(key).is_some(), "{key} is serialised");
    }
    let old: CallRecord = serde_json::from_value(json).expect("an old record reads");
    assert_eq!(old, record);
}

#[test]
fn report_columns_serialise_under_their_column_names() {
    let (flow, queue, agent) = (IvrFlowId::new(), QueueId::new(), AgentId::new());
    let mut call = Call::arrive(0, false);
    call.at(100, EventPayload::IvrEntered { flow_id: flow }).at(900, choice(flow, "main", "1"));
    call.at(1_000, left(flow, "main", IvrExit::Enqueued)).queued(1_000, queue).offered(2_000, queue, agent);
    call.at(3_000, EventPayload::AgentRejected { agent_id: agent }).ended(9_000, EndCause::Abandoned);
    let json = serde_json::to_value(call.project()).unwrap();
    assert_eq!(json["ivr_flow_id"], serde_json::json!(flow));
    assert_eq!(json["ivr_choices"], serde_json::json!(["main=1"]));
    assert_eq!(
        (&json["ivr_exit_node"], &json["ivr_exit"]),
        (&serde_json::json!("main"), &serde_json::json!("enqueued"))
    );
    assert_eq!(json["rejected_agent_ids"], serde_json::json!([agent]));
}
