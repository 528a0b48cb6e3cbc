//! The frame clock: when the shell must mix the next frame.
//!
//! Sans-IO: the shell passes the time in. Frame `n` is due at
//! `start + n × 20 ms`, computed from `start` every time (never by adding
//! intervals), so the clock does not drift however late the shell wakes.
//!
//! **Late wake-ups skip to now.** When the shell wakes after several
//! deadlines have passed, [`FrameClock::poll`] returns only the latest due
//! frame and counts the ones before it as skipped; they are not mixed. Mixing
//! them now would send a burst of frames that the far ends' jitter buffers
//! must absorb and would leave every later frame late by the same amount;
//! skipping keeps the output on the 20 ms grid and leaves a gap that the
//! receivers' loss concealment covers. Each leg's jitter buffer gives the
//! mixer one frame per tick and adapts to what piled up meanwhile.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use media::clock::{FrameClock, Tick};
//!
//! let start = Instant::now();
//! let mut clock = FrameClock::new(start);
//! // The shell sleeps until `clock.next_deadline()`, then polls.
//! assert_eq!(clock.poll(start), Tick::Due { frame: 0, skipped: 0 });
//! // It oversleeps by 50 ms: frames 1 and 2 are skipped, frame 3 is mixed.
//! let late = start + Duration::from_millis(70);
//! assert_eq!(clock.poll(late), Tick::Due { frame: 3, skipped: 2 });
//! assert_eq!(clock.next_deadline(), Some(start + Duration::from_millis(80)));
//! ```

use std::time::{Duration, Instant};

/// The length of one frame.
pub const FRAME_PERIOD: Duration = Duration::from_millis(20);

const PERIOD_NANOS: u128 = FRAME_PERIOD.as_nanos();

/// What the shell must do after waking at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tick {
    /// No frame is due yet: sleep until `until` and poll again.
    Wait {
        /// The deadline of the next frame.
        until: Instant,
    },
    /// Mix frame `frame` now; `skipped` frames before it were due and are dropped.
    Due {
        /// The index of the frame to mix, counted from 0 at the clock's start.
        frame: u64,
        /// Frames that became due since the last tick and will not be mixed.
        skipped: u64,
    },
    /// The next deadline cannot be represented as an `Instant`: the clock has stopped.
    Exhausted,
}

/// Where the clock is in its run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Frame `next` is the next to be due, at `deadline`.
    Running { next: u64, deadline: Instant },
    /// A deadline overflowed `Instant`; no frame will be due again.
    Exhausted,
}

/// A sans-IO clock that says which 20 ms frame is due.
#[derive(Debug, Clone)]
pub struct FrameClock {
    start: Instant,
    state: State,
    skipped_total: u64,
}

impl FrameClock {
    /// A clock whose frame 0 is due at `start`.
    pub fn new(start: Instant) -> FrameClock {
        FrameClock { start, state: State::Running { next: 0, deadline: start }, skipped_total: 0 }
    }

    /// The instant frame 0 was due.
    pub fn start(&self) -> Instant {
        self.start
    }

    /// When the next frame is due, or `None` once the clock is exhausted.
    pub fn next_deadline(&self) -> Option<Instant> {
        match self.state {
            State::Running { deadline, .. } => Some(deadline),
            State::Exhausted => None,
        }
    }

    /// The index of the next frame to be due (the number of frames mixed or skipped so far).
    pub fn next_frame(&self) -> Option<u64> {
        match self.state {
            State::Running { next, .. } => Some(next),
            State::Exhausted => None,
        }
    }

    /// All frames skipped since the start because the shell woke late.
    pub fn skipped_total(&self) -> u64 {
        self.skipped_total
    }

    /// The deadline of frame `frame`: `start + frame × 20 ms`, or `None` if it overflows.
    pub fn deadline_of(&self, frame: u64) -> Option<Instant> {
        let nanos = u128::from(frame).checked_mul(PERIOD_NANOS)?;
        let secs = u64::try_from(nanos / 1_000_000_000).ok()?;
        // The remainder is below 10^9 and fits a u32.
        let sub = (nanos % 1_000_000_000) as u32;
        self.start.checked_add(Duration::new(secs, sub))
    }

    /// Advances to `now`: which frame to mix, if any, and how many were skipped.
    ///
    /// An instant before the next deadline (including one before the start, or
    /// time going backwards) is a [`Tick::Wait`]. Call again after mixing, or
    /// at [`FrameClock::next_deadline`].
    #[must_use]
    pub fn poll(&mut self, now: Instant) -> Tick {
        let State::Running { next, deadline } = self.state else {
            return Tick::Exhausted;
        };
        if now < deadline {
            return Tick::Wait { until: deadline };
        }
        // `now >= deadline >= start`, so the subtraction cannot saturate.
        let elapsed = now.saturating_duration_since(self.start).as_nanos() / PERIOD_NANOS;
        // The latest due frame; never behind `next`, since `now >= deadline(next)`.
        let due = u64::try_from(elapsed).unwrap_or(u64::MAX).max(next);
        let skipped = due - next;
        self.skipped_total = self.skipped_total.saturating_add(skipped);
        self.state = match due.checked_add(1).and_then(|n| Some((n, self.deadline_of(n)?))) {
            Some((next, deadline)) => State::Running { next, deadline },
            None => State::Exhausted,
        };
        Tick::Due { frame: due, skipped }
    }
}
