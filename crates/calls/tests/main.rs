//! The calls crate's tests, one binary; each module pins one part.

mod arrival;
mod ivr;
mod ivr_prop;
