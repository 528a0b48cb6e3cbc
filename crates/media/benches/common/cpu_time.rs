//! A criterion measurement of the CPU time of the benchmark thread itself
//! (`CLOCK_THREAD_CPUTIME_ID`), so that other processes sharing the cores do
//! not count as cost.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use rustix::time::{ClockId, clock_gettime};

/// Thread CPU time in nanoseconds, formatted like durations.
pub struct ThreadCpu;

static WALL: WallTime = WallTime;

/// Nanoseconds this thread has spent on a CPU.
pub fn on_cpu_ns() -> u64 {
    let t = clock_gettime(ClockId::ThreadCPUTime);
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        on_cpu_ns()
    }

    fn end(&self, start: u64) -> u64 {
        on_cpu_ns().saturating_sub(start)
    }

    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }

    fn zero(&self) -> u64 {
        0
    }

    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        WALL.formatter()
    }
}
