//! The hub's live-call projection, event by event (pure).

use api::live::LiveCallState;
use api::live::projection::Projection;
use chrono::{TimeZone, Utc};
use model::event::{EndCause, Event, EventPayload, OfferReason};
use model::{AgentId, CallId, QueueId, RoutingStrategy, TenantId, VipTier};

fn at(secs: i64) -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(1_767_600_000 + secs, 0).single().expect("time")
}

fn offered(queue_id: QueueId, agent_id: AgentId) -> EventPayload {
    let reason =
        OfferReason { strategy: RoutingStrategy::LongestIdle, step: 0, skills: Vec::new(), detail: String::new() };
    EventPayload::OfferedToAgent { queue_id, agent_id, reason }
}

#[test]
fn a_call_goes_queued_ringing_back_to_queued_on_rona_then_connected_and_leaves_at_its_end() {
    let (tenant, call, queue, alice, bob) =
        (TenantId::new(), CallId::new(), QueueId::new(), AgentId::new(), AgentId::new());
    let mut p = Projection::new();
    let mut seq = 0;
    let mut apply = |p: &mut Projection, secs, payload| {
        p.apply(&Event::call(tenant, call, seq, at(secs), payload));
        seq += 1;
    };
    apply(
        &mut p,
        0,
        EventPayload::CallArrived {
            from: "+441632960001".into(),
            to: "+441632960100".into(),
            number_id: None,
            trunk_id: None,
            contact_id: None,
            vip_tier: VipTier(2),
            outside_business_hours: false,
            direction: model::event::CallDirection::Inbound,
        },
    );
    apply(&mut p, 1, EventPayload::CallQueued { queue_id: queue, priority: 0, position: 3 });
    let c = &p.tenant(tenant).calls[&call];
    assert_eq!(
        (c.state, c.queue_id, c.position, c.vip_tier),
        (LiveCallState::Queued, Some(queue), Some(3), Some(VipTier(2)))
    );
    apply(&mut p, 5, offered(queue, alice));
    assert_eq!(p.tenant(tenant).calls[&call].state, LiveCallState::Ringing);
    apply(&mut p, 20, EventPayload::AgentNoAnswer { agent_id: alice });
    let c = &p.tenant(tenant).calls[&call];
    assert_eq!((c.state, c.agent_id, c.since), (LiveCallState::Queued, None, Some(at(20))));
    apply(&mut p, 21, offered(queue, bob));
    apply(&mut p, 24, EventPayload::Bridged { agent_id: bob });
    let c = &p.tenant(tenant).calls[&call];
    assert_eq!(
        (c.state, c.agent_id, c.position, c.arrived_at),
        (LiveCallState::Connected, Some(bob), None, Some(at(0)))
    );
    apply(&mut p, 30, EventPayload::Held { agent_id: bob });
    assert_eq!(p.tenant(tenant).calls[&call].state, LiveCallState::Held);
    apply(&mut p, 90, EventPayload::CallEnded { cause: EndCause::AgentHangup });
    assert!(p.tenant(tenant).calls.is_empty());
    // A disposition filed in wrap-up does not bring the call back.
    let late = EventPayload::DispositionSet { agent_id: bob, code: "sale".into(), notes: String::new() };
    apply(&mut p, 100, late);
    assert!(p.tenant(tenant).calls.is_empty());
}

#[test]
fn tenants_are_projected_apart_and_agent_changes_are_timed() {
    let (a, b, agent) = (TenantId::new(), TenantId::new(), AgentId::new());
    let mut p = Projection::new();
    p.apply(&Event::call(a, CallId::new(), 0, at(0), EventPayload::IvrEntered { flow_id: model::IvrFlowId::new() }));
    let state = EventPayload::AgentStateChanged { agent_id: agent, state: model::AgentState::Available };
    p.apply(&Event::agent(a, 0, at(7), state));
    assert_eq!(p.tenant(a).calls.values().map(|c| c.state).collect::<Vec<_>>(), vec![LiveCallState::Ivr]);
    assert_eq!(p.tenant(a).agent_since.get(&agent), Some(&at(7)));
    assert!(p.tenant(b).calls.is_empty() && p.tenant(b).agent_since.is_empty());
}

#[test]
fn a_take_over_leaves_the_call_with_the_supervisor_and_out_of_the_agents_view() {
    use api::live::viewer::{Scope, Viewer};
    use model::event::SupervisionMode;

    let (tenant, call, queue, alice, sam) =
        (TenantId::new(), CallId::new(), QueueId::new(), AgentId::new(), model::UserId::new());
    let mut p = Projection::new();
    let mut alices = Viewer {
        tenant,
        scope: Scope::Agent { agent: alice, queues: [queue].into_iter().collect(), calls: Default::default() },
    };
    let events = [
        EventPayload::CallQueued { queue_id: queue, priority: 0, position: 1 },
        offered(queue, alice),
        EventPayload::Bridged { agent_id: alice },
        EventPayload::SupervisorJoined { supervisor_id: sam, mode: SupervisionMode::Barge },
        EventPayload::SupervisorTookOver { supervisor_id: sam, agent_id: alice },
        EventPayload::Held { agent_id: AgentId::new() },
    ];
    let mut shown = Vec::new();
    for (seq, payload) in events.into_iter().enumerate() {
        let event = Event::call(tenant, call, seq as u64, at(seq as i64), payload);
        p.apply(&event);
        shown.push(alices.admit(&event));
    }
    assert_eq!(shown, [false, true, true, false, true, false], "alice sees her call up to its take-over, not after");
    let c = &p.tenant(tenant).calls[&call];
    assert_eq!(c.agent_id, None, "the agent left the call");
    assert_eq!(c.supervisors.len(), 1);
    assert_eq!((c.supervisors[0].supervisor_id, c.supervisors[0].mode), (sam, SupervisionMode::TakeOver));
}
