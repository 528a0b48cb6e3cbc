//! The frame clock on a virtual clock: deadlines without drift, late wake-ups.

use std::time::{Duration, Instant};

use media::clock::{FRAME_PERIOD, FrameClock, Tick};
use proptest::prelude::*;

use crate::seed::fixed_seed;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn frame_n_is_due_at_start_plus_n_times_20_ms_however_late_each_wake_up() {
    let start = Instant::now();
    let mut clock = FrameClock::new(start);
    // Wake 7.3 ms late for every frame of more than five hours of call:
    // an interval-adding clock would drift by the lateness each time.
    for n in 0..1_000_000u64 {
        let deadline = clock.next_deadline().expect("running");
        assert_eq!(deadline, start + ms(20 * n), "deadline of frame {n}");
        let now = deadline + Duration::from_micros(7_300);
        assert_eq!(clock.poll(now), Tick::Due { frame: n, skipped: 0 });
    }
    assert_eq!(clock.skipped_total(), 0);
    assert_eq!(clock.next_frame(), Some(1_000_000));
}

#[test]
fn frame_zero_is_due_at_the_start() {
    let start = Instant::now();
    let mut clock = FrameClock::new(start);
    assert_eq!(clock.next_deadline(), Some(start));
    assert_eq!(clock.poll(start), Tick::Due { frame: 0, skipped: 0 });
    assert_eq!(clock.next_deadline(), Some(start + FRAME_PERIOD));
}

#[test]
fn waking_before_the_deadline_asks_to_wait_until_it() {
    let start = Instant::now();
    let mut clock = FrameClock::new(start);
    let _ = clock.poll(start);
    let early = start + ms(19);
    assert_eq!(clock.poll(early), Tick::Wait { until: start + ms(20) });
    // Waiting changes nothing: the same frame is due at the same deadline.
    assert_eq!(clock.poll(start + ms(20)), Tick::Due { frame: 1, skipped: 0 });
}

#[test]
fn time_going_backwards_or_before_the_start_is_not_a_tick() {
    let base = Instant::now();
    let start = base + ms(100);
    let mut clock = FrameClock::new(start);
    assert_eq!(clock.poll(base), Tick::Wait { until: start });
    let _ = clock.poll(start + ms(40));
    assert_eq!(clock.poll(start + ms(10)), Tick::Wait { until: start + ms(60) });
    assert_eq!(clock.next_frame(), Some(3));
}

#[test]
fn waking_late_skips_to_the_latest_due_frame_and_counts_the_skipped_ones() {
    let start = Instant::now();
    let mut clock = FrameClock::new(start);
    let _ = clock.poll(start);
    // Frames 1, 2 and 3 are due at 20, 40 and 60 ms: mix 3, skip 1 and 2.
    assert_eq!(clock.poll(start + ms(65)), Tick::Due { frame: 3, skipped: 2 });
    assert_eq!(clock.next_deadline(), Some(start + ms(80)));
    // A second stall of exactly 200 ms (frames 4..=13 due at 80..=260).
    assert_eq!(clock.poll(start + ms(260)), Tick::Due { frame: 13, skipped: 9 });
    assert_eq!(clock.skipped_total(), 11);
}

#[test]
fn a_wake_up_late_within_its_frame_skips_nothing() {
    let start = Instant::now();
    let mut clock = FrameClock::new(start);
    let _ = clock.poll(start);
    // 19.999 ms late for frame 1: frame 2 is not yet due.
    let now = start + ms(40) - Duration::from_micros(1);
    assert_eq!(clock.poll(now), Tick::Due { frame: 1, skipped: 0 });
    assert_eq!(clock.poll(now), Tick::Wait { until: start + ms(40) });
}

/// The latest `Instant` that `base` can reach by `checked_add`.
fn latest_instant(base: Instant) -> Instant {
    let (mut lo, mut hi) = (0u64, u64::MAX);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if base.checked_add(Duration::from_secs(mid)).is_some() { lo = mid } else { hi = mid - 1 }
    }
    let (mut nlo, mut nhi) = (0u32, 999_999_999u32);
    while nlo < nhi {
        let mid = nlo + (nhi - nlo).div_ceil(2);
        if base.checked_add(Duration::new(lo, mid)).is_some() { nlo = mid } else { nhi = mid - 1 }
    }
    base + Duration::new(lo, nlo)
}

#[test]
fn a_deadline_beyond_the_range_of_instant_stops_the_clock_without_panicking() {
    let last = latest_instant(Instant::now());
    let start = last - ms(30);
    let mut clock = FrameClock::new(start);
    assert_eq!(clock.poll(start), Tick::Due { frame: 0, skipped: 0 });
    assert_eq!(clock.poll(start + ms(20)), Tick::Due { frame: 1, skipped: 0 });
    // Frame 2 would be due after the last representable instant.
    assert_eq!(clock.next_deadline(), None);
    assert_eq!(clock.poll(last), Tick::Exhausted);
    assert_eq!(clock.deadline_of(u64::MAX), None);
}

proptest! {
    #![proptest_config(fixed_seed())]

    /// Whatever the wake-ups, every frame is either mixed once or skipped
    /// once, in order, and the frame mixed is the latest one due.
    #[test]
    fn every_frame_is_mixed_or_skipped_exactly_once(
        wakes in prop::collection::vec(0u64..120_000, 1..300),
    ) {
        let start = Instant::now();
        let mut clock = FrameClock::new(start);
        let mut now = start;
        let mut expected_next = 0u64;
        let mut skipped_sum = 0u64;
        for step in wakes {
            now += Duration::from_micros(step);
            match clock.poll(now) {
                Tick::Due { frame, skipped } => {
                    prop_assert_eq!(frame, expected_next + skipped);
                    prop_assert!(clock.deadline_of(frame).unwrap() <= now);
                    prop_assert!(now < clock.deadline_of(frame + 1).unwrap());
                    expected_next = frame + 1;
                    skipped_sum += skipped;
                }
                Tick::Wait { until } => {
                    prop_assert!(now < until);
                    prop_assert_eq!(Some(until), clock.next_deadline());
                }
                Tick::Exhausted => prop_assert!(false, "exhausted"),
                other => prop_assert!(false, "unexpected tick {:?}", other),
            }
            prop_assert_eq!(clock.next_frame(), Some(expected_next));
            prop_assert_eq!(clock.next_deadline(), Some(start + ms(20 * expected_next)));
            prop_assert_eq!(clock.skipped_total(), skipped_sum);
        }
    }
}
