//! The media crate's tests, one binary with a module per subject.

mod frame;
mod jitter;
mod malformed;
mod netsim;
mod relay;
mod rtcp;
mod rtp;

/// Proptest configuration with a fixed seed (unless PROPTEST_RNG_SEED says
/// otherwise), so a run is repeatable.
pub fn fixed_seed() -> proptest::test_runner::Config {
    let mut config = proptest::test_runner::Config::default();
    if matches!(config.rng_seed, proptest::test_runner::RngSeed::Random) {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x5eed_0005);
    }
    config
}
