//! The calls crate's tests, one binary; each module pins one part.

mod ivr;
mod ivr_prop;
