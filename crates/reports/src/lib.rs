//! Switchboard's reports as pure functions: the store sums 15-minute rollup
//! rows into [`model::report`] counters, and this crate turns those sums
//! into the figures a contact-center manager reads (service level under a
//! stated formula, abandonment by stage, speed of answer, agent KPIs), and
//! forecasts calls and the agents needed to answer them (Erlang C from the
//! `acd` crate). No I/O, no clock: every input is a parameter.
//!
//! Every output type is `Serialize` (the API returns it as JSON) and a
//! [`csv::CsvTable`] ([`csv::to_csv`] writes it as RFC 4180 CSV). Shares
//! are percentages (0–100) with their numerator and denominator, and
//! `None`, never NaN, when the denominator is 0.
//!
//! ```
//! use model::report::CallCounters;
//! use reports::service_level::{service_level, ServiceLevelSpec};
//!
//! let mut c = CallCounters { calls: 10, queued: 10, answered: 8, abandoned_queue: 2, ..Default::default() };
//! c.answered_within[3] = 6; // answered within 20 s
//! let sl = service_level(&c, &ServiceLevelSpec::default()).unwrap();
//! assert_eq!((sl.numerator, sl.denominator), (6, 10));
//! assert_eq!(sl.percent, Some(60.0));
//! ```

pub mod agents;
pub mod callbacks;
pub mod csv;
mod error;
pub mod forecast;
pub mod heatmap;
pub mod outcomes;
pub mod paths;
pub mod ratio;
pub mod service_level;
pub mod speed;
pub mod staffing;
pub mod survey;
pub mod time;
pub mod volume;

pub use error::ReportError;
