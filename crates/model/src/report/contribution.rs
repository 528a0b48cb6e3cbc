//! What one CDR row adds to the rollups: the key of its `call_rollup` row
//! and its counters, and its `agent_rollup` contributions. The same rules
//! as the triggers of migration 0011 (and the column comments of 0010), in
//! Rust, for the history generator and for tests that check the two agree.
//!
//! Durations are whole milliseconds; a NULL duration counts as 0, and so
//! does a negative one (the projection writes none). PostgreSQL keeps
//! microseconds, so a record whose times carry finer digits may differ by
//! a millisecond from its stored row.

use chrono::{DateTime, Duration, Utc};

use super::{AgentCounters, BUCKET_SECS, CallCounters, WAIT_EDGES_SECS};
use crate::cdr::{CallOutcome, CallRecord};
use crate::event::{AbandonStage, CallDirection};
use crate::ids::{AgentId, NumberId, QueueId, TenantId};
use crate::vip::VipTier;

/// The start of the 15 minutes (counted from the Unix epoch) `at` falls in.
pub fn bucket_of(at: DateTime<Utc>) -> DateTime<Utc> {
    let into = Duration::seconds(at.timestamp().rem_euclid(BUCKET_SECS))
        + Duration::nanoseconds(i64::from(at.timestamp_subsec_nanos()));
    at.checked_sub_signed(into).unwrap_or(at)
}

/// The dimensions of a `call_rollup` row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallKey {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The 15 minutes the calls arrived in ([`bucket_of`] `arrived_at`).
    pub bucket: DateTime<Utc>,
    /// The CDR's queue; None: never queued.
    pub queue_id: Option<QueueId>,
    /// The entry number; None: none (outbound).
    pub number_id: Option<NumberId>,
    /// The call's VIP tier.
    pub vip_tier: VipTier,
    /// Inbound or outbound.
    pub direction: CallDirection,
    /// Whether the call entered an IVR.
    pub via_ivr: bool,
    /// Whether it arrived outside business hours.
    pub outside_business_hours: bool,
}

impl CallKey {
    /// The `call_rollup` row `r` counts in.
    pub fn of(r: &CallRecord) -> CallKey {
        CallKey {
            tenant_id: r.tenant_id,
            bucket: bucket_of(r.arrived_at),
            queue_id: r.queue_id,
            number_id: r.number_id,
            vip_tier: r.vip_tier,
            direction: r.direction,
            via_ivr: r.ivr_entered_at.is_some(),
            outside_business_hours: r.outside_business_hours,
        }
    }
}

/// The dimensions of an `agent_rollup` row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AgentKey {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The 15 minutes the call arrived in.
    pub bucket: DateTime<Utc>,
    /// The agent.
    pub agent_id: AgentId,
    /// The CDR's queue.
    pub queue_id: Option<QueueId>,
    /// Inbound or outbound.
    pub direction: CallDirection,
}

/// Whole milliseconds from `a` to `b`, 0 if `b` is earlier.
fn ms(a: DateTime<Utc>, b: DateTime<Utc>) -> u64 {
    u64::try_from((b - a).num_milliseconds()).unwrap_or(0)
}

/// A duration column as a counter: None and negative count as 0.
fn non_negative(v: Option<i64>) -> u64 {
    v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0)
}

/// 1 if `cond`, else 0.
fn n(cond: bool) -> u64 {
    u64::from(cond)
}

/// A 1–5 survey score, if `r` has one.
fn csat_score(r: &CallRecord) -> Option<u8> {
    r.survey_score.filter(|s| r.survey_scale == Some(5) && (1..=5).contains(s))
}

impl CallCounters {
    /// What `r` adds to the `call_rollup` row of [`CallKey::of`]`(r)`.
    pub fn of(r: &CallRecord) -> CallCounters {
        let outcome = r.outcome;
        let answered = outcome == CallOutcome::Answered;
        let stage = |s| outcome == CallOutcome::Abandoned && r.abandon_stage == Some(s);
        let abandoned_waiting = stage(AbandonStage::Queue) || stage(AbandonStage::Ringing);
        let wait = non_negative(r.wait_ms);
        let within = |cond: bool| WAIT_EDGES_SECS.map(|edge| n(cond && wait <= u64::from(edge) * 1000));
        let completed = outcome == CallOutcome::Callback && r.answered_at.is_some();
        let callback_delay_ms = match (r.queued_at, r.wait_ms, r.answered_at) {
            (Some(queued), Some(wait_ms), Some(reached)) if completed => {
                ms(queued + Duration::milliseconds(wait_ms), reached)
            }
            _ => 0,
        };
        let if_answered = |v: Option<i64>| if answered { non_negative(v) } else { 0 };
        let mut csat = [0; 5];
        if let Some(score) = csat_score(r) {
            csat[usize::from(score - 1)] = 1;
        }
        let mut nps = [0; 11];
        if let Some(score) = r.survey_score.filter(|s| r.survey_scale == Some(10) && *s <= 10) {
            nps[usize::from(score)] = 1;
        }
        CallCounters {
            calls: 1,
            queued: n(r.queued_at.is_some()),
            answered: n(answered),
            abandoned_ivr: n(stage(AbandonStage::Ivr)),
            abandoned_queue: n(stage(AbandonStage::Queue)),
            abandoned_ringing: n(stage(AbandonStage::Ringing)),
            voicemail: n(outcome == CallOutcome::Voicemail),
            callback: n(outcome == CallOutcome::Callback),
            overflow: n(outcome == CallOutcome::Overflow),
            failed: n(outcome == CallOutcome::Failed),
            flow_hangup: n(outcome == CallOutcome::FlowHangup),
            transferred_out: n(outcome == CallOutcome::TransferredOut),
            not_reached: n(outcome == CallOutcome::NotReached),
            answered_within: within(answered),
            abandoned_within: within(abandoned_waiting),
            wait_answered_ms: if answered { wait } else { 0 },
            wait_abandoned_ms: if abandoned_waiting { wait } else { 0 },
            ivr_ms: match (r.ivr_entered_at, r.ivr_left_at) {
                (Some(entered), Some(left)) => ms(entered, left),
                _ => 0,
            },
            ring_ms: if_answered(r.ring_ms),
            talk_ms: if_answered(r.talk_ms),
            hold_ms: if_answered(r.hold_ms),
            held_calls: n(answered && r.hold_ms.is_some_and(|h| h > 0)),
            wrap_up_ms: non_negative(r.wrap_up_ms),
            wrap_up_calls: n(r.wrap_up_ms.is_some()),
            callback_offered: n(r.callback_offered),
            callback_completed: n(completed),
            callback_delay_ms,
            csat,
            nps,
        }
    }
}

impl AgentCounters {
    /// What `r` adds to `agent_rollup`: one entry for the answering agent
    /// (the CDR's agent, `answered_at` set), one per entry of
    /// `rona_agent_ids` and of `rejected_agent_ids`. Entries may share a
    /// key (an agent who let it ring out twice); the row is their sum.
    pub fn of(r: &CallRecord) -> Vec<(AgentKey, AgentCounters)> {
        let key = |agent_id| AgentKey {
            tenant_id: r.tenant_id,
            bucket: bucket_of(r.arrived_at),
            agent_id,
            queue_id: r.queue_id,
            direction: r.direction,
        };
        let mut out = Vec::new();
        if let (Some(agent), Some(_)) = (r.agent_id, r.answered_at) {
            let score = csat_score(r);
            let counters = AgentCounters {
                offered: 1,
                answered: 1,
                ring_ms: non_negative(r.ring_ms),
                talk_ms: non_negative(r.talk_ms),
                hold_ms: non_negative(r.hold_ms),
                wrap_up_ms: non_negative(r.wrap_up_ms),
                wrap_up_calls: n(r.wrap_up_ms.is_some()),
                surveyed: n(score.is_some()),
                survey_sum: score.map_or(0, u64::from),
                ..AgentCounters::default()
            };
            out.push((key(agent), counters));
        }
        for agent in &r.rona_agent_ids {
            out.push((key(*agent), AgentCounters { offered: 1, rona: 1, ..AgentCounters::default() }));
        }
        for agent in &r.rejected_agent_ids {
            out.push((key(*agent), AgentCounters { offered: 1, rejected: 1, ..AgentCounters::default() }));
        }
        out
    }
}
