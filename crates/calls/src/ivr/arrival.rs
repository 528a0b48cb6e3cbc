//! Whether a call arrives outside its flow's business hours, judged when
//! it arrives (for `call_arrived`'s `outside_business_hours`), before the
//! run reaches the check itself.

use chrono::{DateTime, Utc};
use model::{IvrFlow, IvrNode};

use super::MAX_VISITS_WITHOUT_KEY;

/// Whether `flow`, entered at `wall`, meets a closed business-hours check
/// before it waits for the caller: the first `BusinessHours` node on the
/// way from the start through nodes that need no key (`Play`, `Set*`). A
/// flow that asks for a key, leaves, or loops first has no such check
/// (false). The run judges the check again when it reaches it, after any
/// prompts on the way.
#[must_use]
pub fn closed_on_arrival(flow: &IvrFlow, wall: DateTime<Utc>) -> bool {
    let mut node = flow.start.as_str();
    for _ in 0..=MAX_VISITS_WITHOUT_KEY {
        match flow.nodes.get(node) {
            Some(
                IvrNode::Play { next, .. }
                | IvrNode::SetPriority { next, .. }
                | IvrNode::SetSkills { next, .. }
                | IvrNode::SetVip { next, .. },
            ) => node = next,
            Some(IvrNode::BusinessHours { hours, .. }) => return !hours.is_open(wall),
            _ => return false,
        }
    }
    false
}
