//! The reports crate's tests: figures computed by hand beside the code's.

mod agents;
mod callbacks_survey;
mod csv;
mod forecast;
mod heatmap;
mod paths;
mod service_level;
mod speed;
mod staffing;
mod time;
mod volume;

use chrono::{DateTime, Utc};

/// The UTC instant `s` (RFC 3339).
pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("test instant").with_timezone(&Utc)
}

/// `a` and `b` agree to 1e-9.
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}
