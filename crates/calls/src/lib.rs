//! Switchboard's call flows: the calls a contact center takes, built from
//! the SIP edge (`sip`), the media engine (`media`) and the ACD (`acd`).
//!
//! Sans-IO cores (this crate's modules unless they say they are a shell)
//! take inputs and the time and give outputs, so that every flow is tested
//! deterministically; the tokio shell runs one actor per call.
//!
//! - [`ivr`]: the IVR interpreter, one call's walk through an IVR flow.
//!
//! Modules are added by issue 6 as they land; see docs/architecture.md.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ivr;
