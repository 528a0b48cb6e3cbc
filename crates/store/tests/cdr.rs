//! The CDR and the agent state intervals in PostgreSQL: finalising, the
//! writer's wiring (direct and journal replay), reads, tenant isolation.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use model::{
    AgentId, AgentState, CallId, CallOutcome, EndCause, Event, EventPayload, LegId, NotReadyReason, OfferReason,
    QueueId, RoutingStrategy, TenantId, VipTier,
};
use store::writer::batch_insert::insert_events;
use store::writer::journal::Journal;
use store::writer::{self, WriterConfig};

use crate::support::eventually;

fn t(ms: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + chrono::Duration::milliseconds(ms)
}

/// The events of an answered call of `tenant`: queued at 1 s, answered at
/// 5 s by `agent`, ended at 65 s.
fn answered_call(tenant: TenantId, call: CallId, agent: AgentId) -> Vec<Event> {
    let queue = QueueId::new();
    let reason = OfferReason { strategy: RoutingStrategy::LongestIdle, step: 0, skills: vec![], detail: "t".into() };
    let payloads = [
        (
            0,
            EventPayload::CallArrived {
                from: "+441632960001".into(),
                to: "+441632960999".into(),
                number_id: None,
                trunk_id: None,
                contact_id: None,
                vip_tier: VipTier(1),
                outside_business_hours: false,
                direction: model::event::CallDirection::Inbound,
            },
        ),
        (1_000, EventPayload::CallQueued { queue_id: queue, priority: 0, position: 1 }),
        (2_000, EventPayload::OfferedToAgent { queue_id: queue, agent_id: agent, reason }),
        (2_100, EventPayload::AgentRinging { agent_id: agent, leg_id: LegId::new() }),
        (5_000, EventPayload::AgentAnswered { agent_id: agent, leg_id: LegId::new() }),
        (5_000, EventPayload::Bridged { agent_id: agent }),
        (65_000, EventPayload::CallEnded { cause: EndCause::CallerHangup }),
    ];
    payloads.into_iter().enumerate().map(|(seq, (ms, p))| Event::call(tenant, call, seq as u64, t(ms), p)).collect()
}

/// The next event of a call whose last event is `events.last()`.
fn next(events: &[Event], ms: i64, payload: EventPayload) -> Event {
    let last = events.last().expect("a call event");
    Event::call(last.tenant_id, last.call_id.expect("call"), last.seq + 1, t(ms), payload)
}

/// The stored row as JSON, to compare rows whole.
async fn row(pool: &sqlx::PgPool, call: CallId) -> Option<serde_json::Value> {
    sqlx::query_as::<_, (serde_json::Value,)>("SELECT to_jsonb(c) FROM calls c WHERE call_id = $1")
        .bind(call.as_uuid())
        .fetch_optional(pool)
        .await
        .expect("read row")
        .map(|(json,)| json)
}

#[tokio::test]
async fn finalise_is_idempotent_and_a_late_disposition_refinalises() {
    let pool = store::testing::fresh_database().await;
    let (tenant, call, agent) = (TenantId::new(), CallId::new(), AgentId::new());
    let events = answered_call(tenant, call, agent);
    insert_events(&pool, &events).await.expect("insert");
    sqlx::query("DELETE FROM calls").execute(&pool).await.expect("forget the writer's row");

    let first = store::cdr::finalise(&pool, tenant, call).await.expect("finalise");
    let stored = row(&pool, call).await.expect("a row");
    let second = store::cdr::finalise(&pool, tenant, call).await.expect("finalise again");
    assert_eq!(first, second);
    assert_eq!(row(&pool, call).await.expect("a row"), stored, "finalising twice changed the row");
    assert_eq!(
        (first.outcome, first.wait_ms, first.ring_ms, first.talk_ms),
        (CallOutcome::Answered, Some(4_000), Some(3_000), Some(60_000))
    );
    assert_eq!(store::cdr::get(&pool, tenant, call).await.expect("get"), Some(first));

    let late =
        next(&events, 90_000, EventPayload::DispositionSet { agent_id: agent, code: "sale".into(), notes: "".into() });
    insert_events(&pool, &[late]).await.expect("insert the disposition");
    let record = store::cdr::get(&pool, tenant, call).await.expect("get").expect("a row");
    assert_eq!(record.disposition.as_deref(), Some("sale"));
    assert_eq!(record.talk_ms, Some(60_000));
}

#[tokio::test]
async fn a_recorded_call_stores_its_recording_path_and_a_voicemail_its_message_path() {
    let pool = store::testing::fresh_database().await;
    let (tenant, recorded, plain) = (TenantId::new(), CallId::new(), CallId::new());
    let mut events = answered_call(tenant, recorded, AgentId::new());
    events.pop();
    events.push(next(&events, 5_010, EventPayload::RecordingStarted { path: "/rec/t/call-1.wav".into() }));
    events.push(next(&events, 65_000, EventPayload::CallEnded { cause: EndCause::CallerHangup }));
    let mut voicemail = answered_call(tenant, plain, AgentId::new());
    voicemail.truncate(2);
    voicemail.push(next(
        &voicemail,
        30_000,
        EventPayload::VoicemailRecorded { path: "/rec/t/vm.wav".into(), duration_secs: 20 },
    ));
    voicemail.push(next(&voicemail, 30_100, EventPayload::CallEnded { cause: EndCause::Voicemail }));
    insert_events(&pool, &events).await.expect("insert");
    insert_events(&pool, &voicemail).await.expect("insert");
    store::cdr::finalise(&pool, tenant, recorded).await.expect("finalise");
    store::cdr::finalise(&pool, tenant, plain).await.expect("finalise");

    let columns = |call: CallId| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (Option<String>, Option<String>)>(
                "SELECT recording_path, voicemail_path FROM calls WHERE call_id = $1",
            )
            .bind(call.as_uuid())
            .fetch_one(&pool)
            .await
            .expect("the row")
        }
    };
    assert_eq!(columns(recorded).await, (Some("/rec/t/call-1.wav".to_owned()), None));
    assert_eq!(columns(plain).await, (None, Some("/rec/t/vm.wav".to_owned())));
    let record = store::cdr::get(&pool, tenant, recorded).await.expect("get").expect("a row");
    assert_eq!(record.recording_path.as_deref(), Some("/rec/t/call-1.wav"));
}

#[tokio::test]
async fn report_columns_arrays_included_round_trip_through_the_row() {
    let pool = store::testing::fresh_database().await;
    let (tenant, call, flow) = (TenantId::new(), CallId::new(), model::IvrFlowId::new());
    let (queue, slow, busy, taker) = (QueueId::new(), AgentId::new(), AgentId::new(), AgentId::new());
    let reason = || OfferReason { strategy: RoutingStrategy::LongestIdle, step: 0, skills: vec![], detail: "t".into() };
    let mut events = answered_call(tenant, call, taker);
    events.truncate(1);
    let rest = [
        (100, EventPayload::IvrEntered { flow_id: flow }),
        (900, EventPayload::IvrChoice { flow_id: flow, node: "main".into(), digits: "1".into() }),
        (1_000, EventPayload::IvrLeft { flow_id: flow, node: "main".into(), exit: model::IvrExit::Enqueued }),
        (1_000, EventPayload::CallQueued { queue_id: queue, priority: 0, position: 1 }),
        (2_000, EventPayload::OfferedToAgent { queue_id: queue, agent_id: slow, reason: reason() }),
        (17_000, EventPayload::AgentNoAnswer { agent_id: slow }),
        (18_000, EventPayload::OfferedToAgent { queue_id: queue, agent_id: busy, reason: reason() }),
        (19_000, EventPayload::AgentRejected { agent_id: busy }),
        (30_000, EventPayload::CallbackOffered { queue_id: queue }),
        (31_000, EventPayload::OfferedToAgent { queue_id: queue, agent_id: taker, reason: reason() }),
        (33_000, EventPayload::AgentAnswered { agent_id: taker, leg_id: LegId::new() }),
        (93_000, EventPayload::CallEnded { cause: EndCause::CallerHangup }),
    ];
    for (ms, payload) in rest {
        let e = next(&events, ms, payload);
        events.push(e);
    }
    insert_events(&pool, &events).await.expect("insert");
    let projected = model::cdr::project(&events).expect("a record");
    assert_eq!((projected.rona_agent_ids.clone(), projected.rejected_agent_ids.clone()), (vec![slow], vec![busy]));
    assert_eq!(store::cdr::get(&pool, tenant, call).await.expect("get"), Some(projected.clone()));

    let (rona, choices, exit): (Vec<uuid::Uuid>, Vec<String>, Option<String>) = sqlx::query_as(
        "SELECT rona_agent_ids, ivr_choices, ivr_exit_node || '=' || ivr_exit FROM calls WHERE call_id = $1",
    )
    .bind(call.as_uuid())
    .fetch_one(&pool)
    .await
    .expect("the row");
    assert_eq!((rona, choices, exit), (vec![slow.as_uuid()], vec!["main=1".to_owned()], Some("main=enqueued".into())));
    assert!(projected.callback_offered);
}

#[tokio::test]
async fn finalise_of_a_call_not_ended_writes_nothing() {
    let pool = store::testing::fresh_database().await;
    let (tenant, call) = (TenantId::new(), CallId::new());
    let mut events = answered_call(tenant, call, AgentId::new());
    events.pop();
    insert_events(&pool, &events).await.expect("insert");
    let err = store::cdr::finalise(&pool, tenant, call).await.expect_err("not ended");
    assert!(matches!(err, store::cdr::FinaliseError::Projection(model::CdrError::NotEnded)), "{err:?}");
    assert_eq!(row(&pool, call).await, None);
    // A disposition before the end does not make a row either.
    let early = next(
        &events,
        6_000,
        EventPayload::DispositionSet { agent_id: AgentId::new(), code: "x".into(), notes: "".into() },
    );
    insert_events(&pool, &[early]).await.expect("insert");
    assert_eq!(row(&pool, call).await, None);
}

#[tokio::test]
async fn events_through_the_writer_end_with_the_calls_row_and_a_late_survey_joins_it() {
    let pool = store::testing::fresh_database().await;
    let journal = tempfile::tempdir().expect("tempdir");
    let (sink, handle) = writer::start(pool.clone(), WriterConfig::new(journal.path())).expect("start");
    let (tenant, agent) = (TenantId::new(), AgentId::new());
    let calls: Vec<CallId> = (0..20).map(|_| CallId::new()).collect();
    let mut all = Vec::new();
    for call in &calls {
        let events = answered_call(tenant, *call, agent);
        // Everything but the end, then the end in its own request.
        sink.write_batch(events[..events.len() - 1].to_vec()).await.expect("write");
        all.push(events);
    }
    for events in &all {
        sink.write(events.last().expect("end").clone()).await.expect("write the end");
    }
    let survey = next(&all[0], 70_000, EventPayload::SurveyAnswered { score: 5, scale: 5 });
    sink.write(survey).await.expect("write the survey");
    handle.shutdown().await;

    let listed = store::cdr::list(&pool, tenant, t(-1)..t(1), 100).await.expect("list");
    assert_eq!(listed.len(), calls.len());
    for record in &listed {
        assert_eq!(
            (record.outcome, record.agent_id, record.ended_at),
            (CallOutcome::Answered, Some(agent), Some(t(65_000)))
        );
    }
    let first = store::cdr::get(&pool, tenant, calls[0]).await.expect("get").expect("row");
    assert_eq!((first.survey_score, first.survey_scale), (Some(5), Some(5)));
}

#[tokio::test]
async fn a_call_ended_in_the_journal_is_finalised_when_it_is_replayed() {
    let pool = store::testing::fresh_database().await;
    let journal_dir = tempfile::tempdir().expect("tempdir");
    let (tenant, call, agent) = (TenantId::new(), CallId::new(), AgentId::new());
    let events = answered_call(tenant, call, agent);
    insert_events(&pool, &events[..3]).await.expect("the start reached the database");
    {
        // The rest was acknowledged from the journal; then the process died.
        let mut journal = Journal::open(journal_dir.path(), 1 << 20, 1 << 20).expect("open");
        journal.append(&events[3..]).expect("append");
    }
    let (sink, handle) = writer::start(pool.clone(), WriterConfig::new(journal_dir.path())).expect("start");
    eventually("the journal to be replayed", Duration::from_secs(30), || async { sink.status().journal_events == 0 })
        .await;
    handle.shutdown().await;
    let record = store::cdr::get(&pool, tenant, call).await.expect("get").expect("finalised on replay");
    assert_eq!((record.outcome, record.answered_at), (CallOutcome::Answered, Some(t(5_000))));
}

#[tokio::test]
async fn tenant_b_never_sees_tenant_a_calls() {
    let pool = store::testing::fresh_database().await;
    let (a, b, call) = (TenantId::new(), TenantId::new(), CallId::new());
    insert_events(&pool, &answered_call(a, call, AgentId::new())).await.expect("insert a");
    assert!(store::cdr::get(&pool, a, call).await.expect("get").is_some());
    assert_eq!(store::cdr::get(&pool, b, call).await.expect("get"), None);
    assert!(store::cdr::list(&pool, b, t(-1)..t(1), 100).await.expect("list").is_empty());
    assert!(matches!(
        store::cdr::finalise(&pool, b, call).await,
        Err(store::cdr::FinaliseError::Projection(model::CdrError::Empty))
    ));

    // Tenant B's events reusing A's call id do not overwrite A's row.
    let before = row(&pool, call).await;
    let mut forged = answered_call(b, call, AgentId::new());
    for e in &mut forged {
        e.id = model::EventId::new();
    }
    insert_events(&pool, &forged).await.expect("insert b");
    assert_eq!(row(&pool, call).await, before);
    assert!(store::cdr::get(&pool, b, call).await.expect("get").is_none());
}

#[tokio::test]
async fn list_is_by_arrival_within_the_range_and_limited() {
    let pool = store::testing::fresh_database().await;
    let tenant = TenantId::new();
    let mut ids = Vec::new();
    for i in 0..5 {
        let call = CallId::new();
        let mut events = answered_call(tenant, call, AgentId::new());
        for e in &mut events {
            e.at += chrono::Duration::hours(i);
        }
        insert_events(&pool, &events).await.expect("insert");
        ids.push(call);
    }
    let hour = chrono::Duration::hours(1);
    let listed = store::cdr::list(&pool, tenant, t(0) + hour..t(0) + hour * 4, 2).await.expect("list");
    assert_eq!(listed.iter().map(|r| r.call_id).collect::<Vec<_>>(), ids[1..3].to_vec());
}

/// The agent's intervals as (state, reason, start, end).
async fn intervals(
    pool: &sqlx::PgPool,
    tenant: TenantId,
    agent: AgentId,
) -> Vec<(String, Option<String>, DateTime<Utc>, Option<DateTime<Utc>>)> {
    store::agent_intervals::list(pool, tenant, agent, t(-1), t(10_000_000))
        .await
        .expect("intervals")
        .into_iter()
        .map(|i| (i.state, i.reason, i.started_at, i.ended_at))
        .collect()
}

#[tokio::test]
async fn agent_intervals_open_and_close_across_login_two_changes_and_logout() {
    let pool = store::testing::fresh_database().await;
    let (tenant, agent) = (TenantId::new(), AgentId::new());
    let on_break = AgentState::NotReady { reason: NotReadyReason::Break };
    let events = vec![
        Event::agent(tenant, 0, t(0), EventPayload::AgentLoggedIn { agent_id: agent }),
        Event::agent(
            tenant,
            1,
            t(1_000),
            EventPayload::AgentStateChanged { agent_id: agent, state: AgentState::Available },
        ),
        Event::agent(tenant, 2, t(60_000), EventPayload::AgentStateChanged { agent_id: agent, state: on_break }),
        Event::agent(tenant, 3, t(90_000), EventPayload::AgentLoggedOut { agent_id: agent }),
    ];
    insert_events(&pool, &events[..3]).await.expect("insert");
    let open = intervals(&pool, tenant, agent).await;
    assert_eq!(open.last(), Some(&("not_ready".into(), Some("break".into()), t(60_000), None)));

    insert_events(&pool, &events[3..]).await.expect("insert the logout");
    let expected = vec![
        ("logged_in".to_owned(), None, t(0), Some(t(1_000))),
        ("available".to_owned(), None, t(1_000), Some(t(60_000))),
        ("not_ready".to_owned(), Some("break".to_owned()), t(60_000), Some(t(90_000))),
    ];
    assert_eq!(intervals(&pool, tenant, agent).await, expected);

    // Replayed (the same events again): nothing changes.
    insert_events(&pool, &events).await.expect("insert again");
    assert_eq!(intervals(&pool, tenant, agent).await, expected);
    assert!(intervals(&pool, TenantId::new(), agent).await.is_empty(), "another tenant sees the agent's time");
}

#[tokio::test]
async fn a_late_agent_event_lands_in_its_place_in_the_timeline() {
    let pool = store::testing::fresh_database().await;
    let (tenant, agent) = (TenantId::new(), AgentId::new());
    let change =
        |seq, ms, state| Event::agent(tenant, seq, t(ms), EventPayload::AgentStateChanged { agent_id: agent, state });
    insert_events(&pool, &[change(0, 0, AgentState::Available), change(2, 20_000, AgentState::Available)])
        .await
        .expect("insert");
    // The ring in between arrives last (it travelled in a call's shard).
    insert_events(&pool, &[change(1, 10_000, AgentState::Reserved)]).await.expect("insert the late one");
    let expected = vec![
        ("available".to_owned(), None, t(0), Some(t(10_000))),
        ("reserved".to_owned(), None, t(10_000), Some(t(20_000))),
        ("available".to_owned(), None, t(20_000), None),
    ];
    assert_eq!(intervals(&pool, tenant, agent).await, expected);
}
