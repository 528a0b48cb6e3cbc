//! The agents of the model: each one's own speed, ring-answer habit, RONA
//! and hold rates and rated quality (drawn once from the seed), the day's
//! shift with its breaks, and the state intervals an agent leaves behind.
//! Pure.

use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use model::BusinessHours;

use super::rng::Rng;
use super::rows::IntervalRow;

/// A day's chance that an agent does not work (leave, sickness).
pub const ABSENCE: f64 = 0.07;

/// The longest shift, in minutes (eight hours with a half-hour lunch).
const SHIFT_MINUTES: i64 = 510;

/// One agent's habits.
#[derive(Clone, Debug)]
pub struct Traits {
    /// Talk time relative to the queue's mean (seniors below 1).
    pub speed: f64,
    /// Mean time to pick up an offer, in ms.
    pub ring_ms: f64,
    /// Chance an offer rings out (RONA).
    pub rona: f64,
    /// Chance a call is put on hold.
    pub hold: f64,
    /// Added to the survey score's mean.
    pub quality: f64,
}

impl Traits {
    /// The habits of agent `index` with VIP eligibility `vip_tier`: seniors
    /// (tier above 0) are faster, surer and better rated.
    pub fn draw(seed: u64, index: usize, vip_tier: u8) -> Traits {
        let mut rng = Rng::derive(seed, 0xA6E7_0000 + index as u64);
        let senior = f64::from(vip_tier.min(3)) / 3.0;
        Traits {
            speed: (rng.lognormal(1.0, 0.18) * (1.15 - 0.3 * senior)).clamp(0.55, 1.8),
            ring_ms: 2_000.0 + rng.f64() * 5_000.0,
            rona: 0.01 + rng.f64() * 0.05 * (1.0 - 0.6 * senior),
            hold: 0.15 + rng.f64() * 0.2,
            quality: (rng.f64() - 0.5) * 0.6 + 0.3 * senior,
        }
    }
}

/// A planned not-ready time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Break {
    /// When it is due.
    pub start: i64,
    /// How long it lasts, in ms.
    pub duration: i64,
    /// The reason code.
    pub reason: &'static str,
}

/// An agent's working day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shift {
    /// Log-in.
    pub start: i64,
    /// Log-out (after the call in progress, if any).
    pub end: i64,
    /// Breaks, by start.
    pub breaks: Vec<Break>,
}

/// The local opening span of `date` under `hours`: the earliest opening
/// and the latest closing of its windows; None when closed all day.
pub fn opening(hours: &BusinessHours, tz: Tz, date: NaiveDate) -> Option<(i64, i64)> {
    if hours.holidays.iter().any(|h| h.date == date) {
        return None;
    }
    let windows = hours.weekly.iter().filter(|w| w.day == date.weekday());
    let (open, close) = windows.fold(None, |acc: Option<(NaiveTime, NaiveTime)>, w| match acc {
        None => Some((w.open, w.close)),
        Some((o, c)) => Some((o.min(w.open), c.max(w.close))),
    })?;
    let at = |t: NaiveTime| tz.from_local_datetime(&date.and_time(t)).earliest().map(|d| d.timestamp_millis());
    Some((at(open)?, at(close)?))
}

/// Agent `index`'s shift on a day open `open..close`, or None
/// when the agent is off. Even agents work early (from ten minutes before
/// opening, up to a quarter of an hour later), odd ones late (to ten
/// minutes after closing, up to a quarter of an hour earlier), so every hour is covered and the
/// middle of the day twice; long days are worked by everyone, a short day
/// (under six hours, a Saturday morning) by half.
pub fn shift(rng: &mut Rng, index: usize, open: i64, close: i64) -> Option<Shift> {
    const MIN: i64 = 60_000;
    if rng.chance(ABSENCE) {
        return None;
    }
    let day = close - open;
    let short = day < 6 * 60 * MIN;
    if short && rng.chance(0.5) {
        return None;
    }
    let length = (day + 20 * MIN).min(SHIFT_MINUTES * MIN);
    let slack = (day + 20 * MIN - length).clamp(0, 15 * MIN);
    let inward = (rng.range(0, slack / (5 * MIN))) * 5 * MIN;
    let start = if index.is_multiple_of(2) { open - 10 * MIN + inward } else { close + 10 * MIN - length - inward };
    let end = start + length;
    let jitter = |rng: &mut Rng, minutes: i64| rng.range(-minutes, minutes) * MIN;
    let mut breaks = Vec::new();
    if length >= 6 * 60 * MIN {
        breaks.push(Break { start: start + 120 * MIN + jitter(rng, 20), duration: 15 * MIN, reason: "break" });
        breaks.push(Break { start: start + 240 * MIN + jitter(rng, 30), duration: 30 * MIN, reason: "lunch" });
        breaks.push(Break { start: start + 390 * MIN + jitter(rng, 20), duration: 15 * MIN, reason: "break" });
        if rng.chance(0.1) {
            breaks.push(Break { start: start + 300 * MIN + jitter(rng, 30), duration: 60 * MIN, reason: "training" });
        }
    } else {
        breaks.push(Break { start: start + length / 2 + jitter(rng, 15), duration: 10 * MIN, reason: "break" });
    }
    if rng.chance(0.2) {
        let at = start + 60 * MIN + rng.below((length - 120 * MIN).max(1) as u64) as i64;
        breaks.push(Break { start: at, duration: 20 * MIN, reason: "back_office" });
    }
    breaks.sort_by_key(|b| b.start);
    Some(Shift { start, end, breaks })
}

/// An agent's state as the intervals record it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    /// The state's name (`available`, `reserved`, `on_call`, `wrap_up`,
    /// `not_ready`).
    pub name: &'static str,
    /// The not-ready reason.
    pub reason: Option<&'static str>,
}

impl State {
    /// Available.
    pub const AVAILABLE: State = State { name: "available", reason: None };
    /// An offer ringing.
    pub const RESERVED: State = State { name: "reserved", reason: None };
    /// On a call.
    pub const ON_CALL: State = State { name: "on_call", reason: None };
    /// Wrap-up.
    pub const WRAP_UP: State = State { name: "wrap_up", reason: None };
    /// Not ready after a RONA.
    pub const MISSED: State = State { name: "not_ready", reason: Some("missed") };

    /// Not ready for `reason`.
    pub fn not_ready(reason: &'static str) -> State {
        State { name: "not_ready", reason: Some(reason) }
    }
}

/// The intervals of one agent's day, contiguous from log-in to log-out.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    current: Option<(State, i64)>,
}

impl Timeline {
    /// The agent enters `state` at `at`, closing the interval it was in
    /// (an empty one is not kept).
    pub fn enter(&mut self, agent: usize, state: State, at: i64, out: &mut Vec<IntervalRow>) {
        self.close(agent, at, out);
        self.current = Some((state, at));
    }

    /// The agent logs out at `at`.
    pub fn close(&mut self, agent: usize, at: i64, out: &mut Vec<IntervalRow>) {
        if let Some((state, since)) = self.current.take()
            && at > since
        {
            out.push(IntervalRow { agent, state: state.name, reason: state.reason, started_at: since, ended_at: at });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    #[test]
    fn shifts_cover_the_opening_hours_and_breaks_fall_inside() {
        let (open, close) = (8 * H, 18 * H);
        let mut rng = Rng::new(1);
        let shifts: Vec<Shift> = (0..40).filter_map(|i| shift(&mut rng, i, open, close)).collect();
        assert!(shifts.len() >= 30, "about 7 % are off: {}", shifts.len());
        assert!(
            shifts.iter().all(|s| s.start >= open - H / 6 && s.end <= close + H / 6 && s.end - s.start == 510 * 60_000)
        );
        assert!(shifts.iter().any(|s| s.start < open) && shifts.iter().any(|s| s.end > close));
        for s in &shifts {
            assert!(s.breaks.iter().all(|b| b.start > s.start && b.start + b.duration < s.end));
            assert!(s.breaks.iter().any(|b| b.reason == "lunch"));
        }
        // A four-hour Saturday: about half work, the whole morning.
        let saturday: Vec<Shift> = (0..300).filter_map(|i| shift(&mut rng, i % 10, 9 * H, 13 * H)).collect();
        assert!((110..170).contains(&saturday.len()), "{}", saturday.len());
        assert!(saturday.iter().all(|s| s.end - s.start == 4 * H + H / 3 && s.start == 9 * H - H / 6));
    }

    #[test]
    fn a_timeline_is_contiguous_and_drops_empty_intervals() {
        let mut out = Vec::new();
        let mut t = Timeline::default();
        t.enter(0, State::AVAILABLE, 0, &mut out);
        t.enter(0, State::RESERVED, 10, &mut out);
        t.enter(0, State::ON_CALL, 10, &mut out);
        t.enter(0, State::WRAP_UP, 50, &mut out);
        t.close(0, 60, &mut out);
        let spans: Vec<_> = out.iter().map(|r| (r.state, r.started_at, r.ended_at)).collect();
        assert_eq!(spans, [("available", 0, 10), ("on_call", 10, 50), ("wrap_up", 50, 60)]);
    }

    #[test]
    fn seniors_are_faster_on_average() {
        let mean = |tier| (0..200).map(|i| Traits::draw(9, i, tier).speed).sum::<f64>() / 200.0;
        assert!(mean(3) < mean(0) - 0.2);
    }
}
