//! A queue as the engine sees it: its waiting callers in service order, its
//! idle agents in strategy order, and today's counters.

use std::collections::BTreeSet;

use model::{Queue, QueueId};

use crate::agent::AgentKey;
use crate::call::WaitKey;
use crate::ewt::ServiceRate;
use crate::skills::Step;
use crate::stats::DayStats;

/// One queue.
#[derive(Debug)]
pub(crate) struct QueueSlot {
    /// The queue's id.
    pub id: QueueId,
    /// Its configuration.
    pub config: Queue,
    /// Compiled skill steps; step 0 is the base requirement.
    pub steps: Vec<Step>,
    /// Waiting calls (live and callbacks), best first.
    pub waiting: BTreeSet<WaitKey>,
    /// Available member agents, in strategy order.
    pub available: BTreeSet<AgentKey>,
    /// Back-office member agents (blending pool), in strategy order.
    pub back_office: BTreeSet<AgentKey>,
    /// Member agents' indices.
    pub members: Vec<usize>,
    /// Members currently logged in.
    pub logged_in: u32,
    /// Round-robin counter.
    pub rr_next: u64,
    /// Today's counters.
    pub stats: DayStats,
    /// Live service rate for the estimated wait.
    pub rate: ServiceRate,
}
