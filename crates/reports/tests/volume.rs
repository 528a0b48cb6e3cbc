//! Offered, answered, unanswered: shares, abandonment by stage with
//! stated denominators, abandon times, outside business hours.

use model::report::CallCounters;
use reports::volume::{VolumeInput, volume};

use crate::close;

fn input() -> VolumeInput {
    let mut all = CallCounters {
        calls: 100,
        queued: 70,
        answered: 55,
        abandoned_ivr: 8,
        abandoned_queue: 10,
        abandoned_ringing: 2,
        voicemail: 5,
        callback: 3,
        flow_hangup: 12,
        failed: 1,
        overflow: 4,
        ..Default::default()
    };
    all.abandoned_within = [2, 4, 5, 6, 8, 9, 10, 11, 11, 11, 11];
    let via_ivr = CallCounters { calls: 40, ..Default::default() };
    let outside_business_hours = CallCounters { calls: 15, flow_hangup: 12, voicemail: 3, ..Default::default() };
    VolumeInput { all, via_ivr, outside_business_hours }
}

#[test]
fn answered_share_and_unanswered() {
    let v = volume(&input());
    assert_eq!((v.offered, v.answered, v.unanswered), (100, 55, 45));
    assert_eq!(v.answered_share.percent, Some(55.0));
    // 8 + 10 + 2 of 100
    assert_eq!(v.abandoned_total.numerator, 20);
    assert_eq!(v.abandoned_total.percent, Some(20.0));
}

#[test]
fn abandonment_by_stage_states_its_denominators() {
    let v = volume(&input());
    assert_eq!((v.abandoned_ivr.numerator, v.abandoned_ivr.denominator), (8, 40));
    assert_eq!(v.abandoned_ivr.percent, Some(20.0));
    assert_eq!(v.abandoned_ivr.denominator_is, "calls that entered an IVR");
    assert_eq!((v.abandoned_queue.numerator, v.abandoned_queue.denominator), (10, 70));
    assert!(close(v.abandoned_queue.percent.unwrap(), 100.0 / 7.0));
    assert_eq!(v.abandoned_queue.denominator_is, "calls that joined a queue");
    // 2 of 55 answered + 2 abandoned ringing
    assert_eq!((v.abandoned_ringing.numerator, v.abandoned_ringing.denominator), (2, 57));
}

#[test]
fn abandon_times_are_bins_of_the_cumulative_counts() {
    let v = volume(&input());
    let bins: Vec<(&str, u64)> = v.abandon_times.iter().map(|b| (b.label.as_str(), b.calls)).collect();
    assert_eq!(
        bins,
        vec![
            ("<= 5 s", 2),
            ("5-10 s", 2),
            ("10-15 s", 1),
            ("15-20 s", 1),
            ("20-30 s", 2),
            ("30-45 s", 1),
            ("45-60 s", 1),
            ("60-90 s", 1),
            ("90-120 s", 0),
            ("120-180 s", 0),
            ("180-300 s", 0),
            ("> 300 s", 1),
        ]
    );
    // Out of the 12 abandoned in queue or ringing.
    assert!(close(v.abandon_times[0].percent.unwrap(), 200.0 / 12.0));
    assert_eq!(v.abandon_times[11].to_secs, None);
}

#[test]
fn outside_business_hours_calls_and_their_outcomes() {
    let v = volume(&input());
    let oh = &v.outside_business_hours;
    assert_eq!((oh.share.numerator, oh.share.denominator), (15, 100));
    assert_eq!(oh.outcomes.calls, 15);
    assert_eq!(oh.outcomes.flow_hangup, 12);
    assert_eq!(oh.outcomes.voicemail, 3);
    assert_eq!(oh.outcomes.answered, 0);
    let sum: u64 = v.outcomes.named().iter().map(|(_, n)| n).sum();
    assert_eq!(sum, 100, "every call has one outcome");
}

#[test]
fn empty_counters_give_no_rates() {
    let v = volume(&VolumeInput::default());
    assert_eq!(v.answered_share.percent, None);
    assert_eq!(v.abandoned_ivr.percent, None);
    assert!(v.abandon_times.iter().all(|b| b.percent.is_none()));
}
