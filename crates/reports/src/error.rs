//! The one error type of the crate: what a report request got wrong.

use thiserror::Error;

/// Why a report could not be computed from the parameters given.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The tenant's time zone is not an IANA time-zone name.
    #[error("unknown time zone {0:?}: expected an IANA name such as \"Europe/Paris\"")]
    UnknownTimeZone(String),
    /// The range ends at or before its start.
    #[error("the range ends ({end}) at or before its start ({start})")]
    RangeNotIncreasing {
        /// The start given (RFC 3339).
        start: String,
        /// The end given (RFC 3339).
        end: String,
    },
    /// The range is longer than [`crate::time::MAX_RANGE_DAYS`].
    #[error("the range is {days} days long; at most {max} days are allowed")]
    RangeTooLong {
        /// Its length in whole days, rounded up.
        days: i64,
        /// The limit.
        max: i64,
    },
    /// A rollup bucket start is not on a 15-minute boundary.
    #[error("bucket {0} is not aligned to 15 minutes")]
    UnalignedBucket(String),
    /// An hour-of-day filter outside 0–23.
    #[error("hour {0} is not an hour of the day (0-23)")]
    InvalidHour(u32),
    /// A wait threshold that the rollups do not count calls within.
    #[error("{what} of {secs} s is not one of the rollup wait edges {edges:?}")]
    NotAWaitEdge {
        /// Which parameter (service-level threshold, short-abandon limit).
        what: &'static str,
        /// The value given.
        secs: u32,
        /// The allowed values.
        edges: [u32; 11],
    },
    /// A percentage outside its allowed interval.
    #[error("{what} must be within {min}..{max} %, got {value}")]
    PercentOutOfRange {
        /// Which parameter.
        what: &'static str,
        /// The value given.
        value: f64,
        /// Lowest allowed (exclusive unless 0).
        min: f64,
        /// Highest allowed (exclusive).
        max: f64,
    },
    /// A forecast history shorter than four weeks.
    #[error("the history has {days} days; a forecast needs at least {min} (4 weeks)")]
    HistoryTooShort {
        /// Whole days given.
        days: usize,
        /// Days needed.
        min: usize,
    },
    /// A forecast history whose length is not whole days of 48 intervals.
    #[error("the history has {0} intervals; expected whole days of 48 half-hours")]
    HistoryNotWholeDays(usize),
    /// A count that is negative or not a number.
    #[error("interval {index} has the count {value}; counts are finite and >= 0")]
    InvalidCount {
        /// The interval's position in the history.
        index: usize,
        /// The value given.
        value: f64,
    },
    /// A forecast horizon outside 1–14 days.
    #[error("a forecast covers 1 to 14 days, not {0}")]
    InvalidHorizon(u32),
    /// A backtest that would leave less than four weeks to fit on.
    #[error("holding back {held_back} weeks leaves {left_days} days; at least {min} are needed to fit")]
    BacktestTooLong {
        /// Weeks held back.
        held_back: u32,
        /// Days left to fit on.
        left_days: usize,
        /// Days needed.
        min: usize,
    },
    /// A multiplier that is not a positive finite number.
    #[error("{what} multiplier must be finite and > 0, got {value}")]
    InvalidMultiplier {
        /// Which adjustment.
        what: &'static str,
        /// The value given.
        value: f64,
    },
    /// A campaign whose last day is before its first.
    #[error("campaign {name:?} ends before it starts")]
    CampaignReversed {
        /// The campaign's name.
        name: String,
    },
    /// An average handle time that is not a positive number of seconds.
    #[error("average handle time must be finite and > 0 s, got {0}")]
    InvalidHandleTime(f64),
    /// No number of agents up to the search limit meets the target.
    #[error("no staffing up to {limit} agents meets the target for an interval of {calls} calls")]
    StaffingUnreachable {
        /// The calls forecast for the interval.
        calls: f64,
        /// The largest number of agents tried.
        limit: u32,
    },
    /// A first-contact-resolution window outside 1–90 days.
    #[error("the first-contact-resolution window is 1 to 90 days, not {0}")]
    InvalidWindow(u32),
    /// Writing CSV failed (only on an internal error of the writer).
    #[error("CSV output failed: {0}")]
    Csv(String),
}
