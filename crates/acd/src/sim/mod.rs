//! A deterministic simulation harness: virtual time, seeded random numbers,
//! Poisson arrivals, exponential handle times and optional exponential
//! caller patience, driving a real [`Engine`](crate::Engine) through its
//! public commands and timeouts. Used to check the engine against queueing
//! theory ([`crate::erlang_c`]) and to measure it.

mod clock;
mod mmc;

pub use clock::EventQueue;
pub use mmc::{MmcConfig, SimReport, run_mmc};

use rand::Rng;

/// A sample of the exponential distribution with the given mean.
pub fn exponential<R: Rng>(rng: &mut R, mean: f64) -> f64 {
    let u: f64 = rng.r#gen();
    -mean * (1.0 - u).ln()
}
