//! Report time: the range a report covers (UTC instants), the tenant's
//! time zone, the grouping of 15-minute rollup buckets into local
//! intervals, days, weeks and months, and filters by local weekday and
//! hour of day.

mod filter;
mod grouping;
mod range;
mod series;

pub use filter::LocalFilter;
pub use grouping::{Grouping, group_start};
pub use range::{MAX_RANGE_DAYS, ReportRange, parse_zone};
pub use series::{Group, ReportTime, group_rows};
