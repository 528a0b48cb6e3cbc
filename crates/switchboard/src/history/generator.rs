//! The generator: day after day, the arrivals of the volume profile (a
//! Poisson count per 15 minutes of local time, uniform within), each
//! through its entry (IVR or queue) into the day's simulation with the
//! agents' shifts. Deterministic: the same plan, seed and range give the
//! same rows. Pure.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone};
use model::CallOutcome;
use model::event::EndCause;
use uuid::Uuid;

use super::agents::{self, Traits};
use super::callers::Callers;
use super::ivr::{self, Leave};
use super::plan::{Overflow, Plan, Route};
use super::profile::{self, Profile};
use super::rng::Rng;
use super::rows::{CallRow, IntervalRow};
use super::sim::{Carry, Day};

/// A generated day.
#[derive(Debug)]
pub struct DayRows {
    /// The CDR rows finished that day (callbacks carried from earlier days
    /// among them).
    pub calls: Vec<CallRow>,
    /// The agents' state intervals of the day.
    pub intervals: Vec<IntervalRow>,
}

/// The history generator over one plan.
pub struct Generator {
    plan: Plan,
    seed: u64,
    profile: Profile,
    traits: Vec<Traits>,
    callers: Callers,
    carry: Carry,
}

impl Generator {
    /// A generator of `days` days from `first`, about `calls_per_day` calls
    /// a day (the weekly mean).
    pub fn new(plan: Plan, seed: u64, calls_per_day: f64, first: NaiveDate, days: i64) -> Generator {
        let seed = seed ^ plan.tenant.as_u64_pair().0 ^ plan.tenant.as_u64_pair().1;
        let profile = Profile::new(calls_per_day, first, days, seed);
        let traits = plan.agents.iter().enumerate().map(|(i, a)| Traits::draw(seed, i, a.vip_tier)).collect();
        let callers = Callers::new(calls_per_day, plan.vip_contacts.clone());
        Generator { plan, seed, profile, traits, callers, carry: Carry::default() }
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The caller pools (the rows name callers by index).
    pub fn callers(&self) -> &Callers {
        &self.callers
    }

    /// The campaign days of the range.
    pub fn campaigns(&self) -> &[NaiveDate] {
        &self.profile.campaigns
    }

    /// The rows of local day `date` (days must come in order).
    pub fn day(&mut self, date: NaiveDate) -> DayRows {
        let stream = date.num_days_from_ce() as u64;
        let mut shift_rng = Rng::derive(self.seed, stream << 1);
        let rng = Rng::derive(self.seed, (stream << 1) | 1);
        let plan = &self.plan;
        let carry = std::mem::take(&mut self.carry);
        let mut day = Day::new(plan, &self.traits, &mut self.callers, rng, carry);
        if let Some((open, close)) = agents::opening(&plan.hours, plan.tz, date) {
            for agent in 0..plan.agents.len() {
                if let Some(shift) = agents::shift(&mut shift_rng, agent, open, close) {
                    day.add_shift(agent, shift);
                }
            }
        }
        let holiday = plan.hours.holidays.iter().any(|h| h.date == date);
        let arrivals = arrivals(plan, &self.profile, date, holiday, &mut day.rng);
        let weights: Vec<f64> =
            plan.entries.iter().map(|e| if matches!(e.route, Route::Ivr(_)) { 7.0 } else { 3.0 }).collect();
        for at in arrivals {
            day.run_until(at);
            arrive(&mut day, plan, &weights, at);
        }
        let (calls, intervals, carry) = day.close();
        self.carry = carry;
        DayRows { calls, intervals }
    }

    /// The callbacks never made by the end of the range: finished as
    /// accepted and not (yet) reached.
    pub fn finish(&mut self) -> Vec<CallRow> {
        std::mem::take(&mut self.carry).callbacks.into_iter().map(|l| l.row).collect()
    }
}

/// The arrival times (ms, sorted) of local day `date`.
fn arrivals(plan: &Plan, profile: &Profile, date: NaiveDate, holiday: bool, rng: &mut Rng) -> Vec<i64> {
    let volume = profile.day_volume(date, holiday);
    let shares = profile::slot_shares(date.weekday());
    let mut out = Vec::with_capacity(volume as usize + 16);
    for (slot, share) in shares.iter().enumerate() {
        let local = date.and_time(NaiveTime::MIN) + Duration::minutes(15 * slot as i64);
        let Some(start) = plan.tz.from_local_datetime(&local).earliest() else { continue };
        let start = start.timestamp_millis();
        let n = rng.poisson(volume * share);
        let first = out.len();
        out.extend((0..n).map(|_| start + rng.below(900_000) as i64));
        out[first..].sort_unstable();
    }
    out.sort_unstable();
    out
}

/// A call arrives at `at`: its caller, entry and way in.
fn arrive(day: &mut Day<'_>, plan: &Plan, weights: &[f64], at: i64) {
    if plan.entries.is_empty() {
        return;
    }
    let caller = day.callers.next(at, &mut day.rng);
    let entry = day.rng.weighted(weights);
    let mut bytes = [0u8; 10];
    bytes[..8].copy_from_slice(&day.rng.next_u64().to_le_bytes());
    bytes[8..].copy_from_slice(&day.rng.next_u64().to_le_bytes()[..2]);
    let call_id = uuid::Builder::from_unix_timestamp_millis(at.max(0) as u64, &bytes).into_uuid();
    let wall = DateTime::from_timestamp_millis(at).unwrap_or_default();
    let outside = match plan.entries[entry].route {
        Route::Ivr(f) => plan.flows[f].arrival_hours().is_some_and(|h| !h.is_open(wall)),
        Route::Queue(q) => !plan.queues[q].hours.is_open(wall),
    };
    let mut row = new_row(call_id, at, entry, caller, day.callers.tier(caller), outside);
    match plan.entries[entry].route {
        Route::Queue(q) if !outside => day.enqueue(row, q, at + 500, false),
        Route::Queue(q) => closed_queue(day, row, plan.queues[q].overflow, q, at),
        Route::Ivr(f) => {
            let walk = ivr::walk(&plan.flows[f], f, at, &mut day.rng);
            row.vip_tier = row.vip_tier.max(walk.tier);
            row.ivr_entered_at = Some(at);
            row.ivr_left_at = Some(walk.left_at);
            row.ivr = Some(walk.trace);
            let left = walk.left_at;
            match walk.leave {
                Leave::Enqueue(q) => day.enqueue(row, q, left, false),
                Leave::Callback(q) => day.enqueue(row, q, left, true),
                Leave::Voicemail => {
                    (row.outcome, row.end_cause) = (CallOutcome::Voicemail, EndCause::Voicemail);
                    row.ended_at = left + day.rng.range(15_000, 90_000);
                    day.finish(row, false);
                }
                Leave::Transfer => end(day, row, CallOutcome::TransferredOut, EndCause::TransferredOut, left + 1_000),
                Leave::Hangup => end(day, row, CallOutcome::FlowHangup, EndCause::FlowHangup, left),
                Leave::Failed => end(day, row, CallOutcome::Failed, EndCause::Failed, left),
                Leave::CallerHangup => {
                    row.abandon_stage = Some(model::event::AbandonStage::Ivr);
                    end(day, row, CallOutcome::Abandoned, EndCause::Abandoned, left);
                }
            }
        }
    }
}

fn end(day: &mut Day<'_>, mut row: CallRow, outcome: CallOutcome, cause: EndCause, at: i64) {
    (row.outcome, row.end_cause, row.ended_at) = (outcome, cause, at);
    day.finish(row, false);
}

/// A call straight into a closed queue goes where the queue's overflow
/// says (a closed queue without one plays its message and hangs up).
fn closed_queue(day: &mut Day<'_>, mut row: CallRow, overflow: Overflow, queue: usize, at: i64) {
    match overflow {
        Overflow::Callback => day.enqueue(row, queue, at + 500, true),
        Overflow::Voicemail => {
            (row.outcome, row.end_cause) = (CallOutcome::Voicemail, EndCause::Voicemail);
            row.ended_at = at + day.rng.range(20_000, 90_000);
            day.finish(row, false);
        }
        Overflow::Number => end(day, row, CallOutcome::Overflow, EndCause::TransferredOut, at + 1_000),
        Overflow::Message => end(day, row, CallOutcome::Overflow, EndCause::FlowHangup, at + 6_000),
        Overflow::None => end(day, row, CallOutcome::FlowHangup, EndCause::FlowHangup, at + 6_000),
    }
}

fn new_row(call_id: Uuid, at: i64, entry: usize, caller: super::callers::Caller, tier: u8, outside: bool) -> CallRow {
    CallRow {
        call_id,
        arrived_at: at,
        ivr_entered_at: None,
        ivr_left_at: None,
        queued_at: None,
        answered_at: None,
        ended_at: at,
        outcome: CallOutcome::Failed,
        abandon_stage: None,
        end_cause: EndCause::Failed,
        entry,
        queue: None,
        agent: None,
        caller,
        vip_tier: tier,
        outside_business_hours: outside,
        wait_ms: None,
        ring_ms: None,
        talk_ms: None,
        hold_ms: None,
        wrap_up_ms: None,
        survey_score: None,
        disposition: None,
        callback_offered: false,
        rona: Vec::new(),
        ivr: None,
    }
}
