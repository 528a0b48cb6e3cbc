//! Summing rollup rows into groups: the range, zone, grouping and filter
//! of a report together, and the grouped sums.

use std::collections::BTreeMap;
use std::ops::AddAssign;

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::{Grouping, LocalFilter, ReportRange, group_start};
use crate::ReportError;

/// The time parameters of a report, validated.
#[derive(Clone, Debug)]
pub struct ReportTime {
    /// The instants covered.
    pub range: ReportRange,
    /// The tenant's zone.
    pub zone: Tz,
    /// How buckets are grouped.
    pub grouping: Grouping,
    /// Which local weekdays and hours are kept.
    pub filter: LocalFilter,
}

/// One group of a report: its local start and its figure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group<T> {
    /// The group's first instant, with the local offset (RFC 3339).
    pub start: DateTime<FixedOffset>,
    /// What the report says about it.
    pub value: T,
}

/// Sums the rows (bucket start, counters) that are in the range and pass
/// the filter into their groups, in time order; a group with no row is
/// absent.
pub fn group_rows<'a, C, I>(rows: I, time: &ReportTime) -> Result<Vec<Group<C>>, ReportError>
where
    C: Default + Clone + AddAssign<&'a C> + 'a,
    I: IntoIterator<Item = (DateTime<Utc>, &'a C)>,
{
    let mut groups: BTreeMap<DateTime<Utc>, Group<C>> = BTreeMap::new();
    for (bucket, counters) in rows {
        if !time.range.contains(bucket) || !time.filter.keeps(bucket, time.zone) {
            continue;
        }
        let start = group_start(bucket, time.grouping, time.zone)?;
        let group = groups.entry(start.with_timezone(&Utc)).or_insert_with(|| Group { start, value: C::default() });
        group.value += counters;
    }
    Ok(groups.into_values().collect())
}
