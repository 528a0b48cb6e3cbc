//! What the history generator knows of the tenant: its entry numbers,
//! queues, agents, IVR flows (compiled to indexed nodes) and VIP contacts,
//! as plain data built from the stored configuration. Pure.

use std::collections::HashMap;

use chrono_tz::Tz;
use model::{BusinessHours, IvrFlow, IvrNode, OverflowTarget, Queue};
use uuid::Uuid;

/// The tenant as the generator sees it.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The tenant.
    pub tenant: Uuid,
    /// The zone the seasonality (weekday, hour of day) is local to.
    pub tz: Tz,
    /// The hours the agents' shifts follow.
    pub hours: BusinessHours,
    /// Entry numbers.
    pub entries: Vec<Entry>,
    /// Queues.
    pub queues: Vec<QueueSpec>,
    /// Agents who serve at least one of the queues.
    pub agents: Vec<AgentSpec>,
    /// IVR flows reached by an entry.
    pub flows: Vec<Flow>,
    /// The tenant's VIP contacts (the first VIP callers).
    pub vip_contacts: Vec<VipContact>,
}

/// A DID and where it leads.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The number's id.
    pub number_id: Uuid,
    /// The number dialled.
    pub e164: String,
    /// Where callers go.
    pub route: Route,
}

/// Where an entry number leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Into the flow of this index.
    Ivr(usize),
    /// Straight into the queue of this index.
    Queue(usize),
}

/// What became of a call overflowing a queue (too long a wait, or closed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    /// No overflow configured: callers wait until they give up.
    None,
    /// To voicemail.
    Voicemail,
    /// To a callback.
    Callback,
    /// A message, then hang-up.
    Message,
    /// Transferred out to a number.
    Number,
}

/// One queue's parameters.
#[derive(Clone, Debug)]
pub struct QueueSpec {
    /// Its id.
    pub id: Uuid,
    /// Its name (talk times and dispositions depend on it).
    pub name: String,
    /// Its hours (for entries straight into it).
    pub hours: BusinessHours,
    /// Wrap-up after each call, in seconds.
    pub wrap_up_secs: u32,
    /// How long an offer rings before RONA, in seconds.
    pub ring_timeout_secs: u32,
    /// Wait after which a callback is offered.
    pub callback_threshold_secs: Option<u32>,
    /// Longest wait before overflow.
    pub max_wait_secs: u32,
    /// What overflow does.
    pub overflow: Overflow,
    /// Whether callers are asked a post-call survey.
    pub survey: bool,
}

/// An agent.
#[derive(Clone, Debug)]
pub struct AgentSpec {
    /// Its id.
    pub id: Uuid,
    /// The queues it serves (indexes into [`Plan::queues`]).
    pub queues: Vec<usize>,
    /// The highest VIP tier it takes (seniors are faster and better rated).
    pub vip_tier: u8,
}

/// A VIP contact of the tenant.
#[derive(Clone, Debug)]
pub struct VipContact {
    /// The contact.
    pub id: Uuid,
    /// Its first number.
    pub number: String,
    /// Its tier.
    pub tier: u8,
}

/// A compiled IVR flow.
#[derive(Clone, Debug)]
pub struct Flow {
    /// The flow's id.
    pub id: Uuid,
    /// The first node.
    pub start: usize,
    /// The nodes; targets are indexes.
    pub nodes: Vec<Node>,
    /// The node names, by index (for `ivr_exit_node`).
    pub names: Vec<String>,
    /// The choice labels (`node=digits`), indexed by [`Node::Menu`]'s choices.
    pub labels: Vec<String>,
}

/// One compiled IVR node.
#[derive(Clone, Debug)]
pub enum Node {
    /// A prompt, then on.
    Play {
        /// The next node.
        next: usize,
    },
    /// A DTMF menu.
    Menu {
        /// (label index, target) per choice, in digit order.
        choices: Vec<(usize, usize)>,
        /// Seconds waited for a key.
        timeout_secs: u32,
        /// Repeats on no key.
        retries: u32,
        /// Where to go after the retries.
        on_failure: usize,
    },
    /// A business-hours branch.
    Hours {
        /// The schedule.
        hours: BusinessHours,
        /// When open.
        open: usize,
        /// When closed.
        closed: usize,
    },
    /// A node that only sets something (priority, skills), then on.
    Pass {
        /// The next node.
        next: usize,
    },
    /// Raises the VIP tier, then on.
    SetVip {
        /// The tier.
        tier: u8,
        /// The next node.
        next: usize,
    },
    /// Into the queue of this index.
    Enqueue(usize),
    /// Voicemail.
    Voicemail,
    /// A callback in the queue of this index.
    Callback(usize),
    /// Transfer to a number.
    Transfer,
    /// Hang up.
    Hangup,
    /// A target that does not exist or a queue the plan does not know:
    /// the flow fails here.
    Broken,
}

impl QueueSpec {
    /// The generator's view of a stored queue.
    pub fn of(id: Uuid, queue: &Queue) -> QueueSpec {
        let overflow = match &queue.overflow {
            None => Overflow::None,
            Some(OverflowTarget::Voicemail) => Overflow::Voicemail,
            Some(OverflowTarget::Callback) => Overflow::Callback,
            Some(OverflowTarget::MessageAndHangup { .. }) => Overflow::Message,
            Some(OverflowTarget::Number { .. }) => Overflow::Number,
            // Overflow into another queue or flow is not modelled: the
            // callers wait on until they give up.
            Some(_) => Overflow::None,
        };
        QueueSpec {
            id,
            name: queue.name.clone(),
            hours: queue.business_hours.clone(),
            wrap_up_secs: queue.wrap_up_secs,
            ring_timeout_secs: queue.ring_timeout_secs.max(2),
            callback_threshold_secs: queue.callback_threshold_secs,
            max_wait_secs: queue.max_wait_secs.max(1),
            overflow,
            survey: queue.post_call_survey,
        }
    }
}

impl Flow {
    /// Compiles `flow`; `queue` maps a queue id to its index in the plan.
    pub fn compile(id: Uuid, flow: &IvrFlow, queue: impl Fn(Uuid) -> Option<usize>) -> Flow {
        let mut names: Vec<String> = flow.nodes.keys().cloned().collect();
        let index: HashMap<String, usize> = names.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
        let broken = names.len();
        let at = |name: &str| index.get(name).copied().unwrap_or(broken);
        let mut labels = Vec::new();
        let mut nodes: Vec<Node> = flow
            .nodes
            .iter()
            .map(|(name, node)| match node {
                IvrNode::Play { next, .. } => Node::Play { next: at(next) },
                IvrNode::Menu { choices, timeout_secs, retries, on_failure, .. } => {
                    let choices = choices
                        .iter()
                        .map(|(digits, target)| {
                            labels.push(format!("{name}={digits}"));
                            (labels.len() - 1, at(target))
                        })
                        .collect();
                    Node::Menu { choices, timeout_secs: *timeout_secs, retries: *retries, on_failure: at(on_failure) }
                }
                IvrNode::BusinessHours { hours, open, closed } => {
                    Node::Hours { hours: hours.clone(), open: at(open), closed: at(closed) }
                }
                IvrNode::SetPriority { next, .. } | IvrNode::SetSkills { next, .. } => Node::Pass { next: at(next) },
                IvrNode::SetVip { vip_tier, next } => Node::SetVip { tier: vip_tier.0, next: at(next) },
                IvrNode::Enqueue { queue_id } => queue(queue_id.as_uuid()).map_or(Node::Broken, Node::Enqueue),
                IvrNode::Callback { queue_id } => queue(queue_id.as_uuid()).map_or(Node::Broken, Node::Callback),
                IvrNode::Voicemail { .. } => Node::Voicemail,
                IvrNode::Transfer { .. } => Node::Transfer,
                IvrNode::Hangup { .. } => Node::Hangup,
            })
            .collect();
        nodes.push(Node::Broken);
        let start = at(&flow.start);
        names.push(String::new());
        Flow { id, start, nodes, names, labels }
    }

    /// The schedule of the first business-hours check reached from the
    /// start without a key (what `call_arrived`'s `outside_business_hours`
    /// judges, as `calls::ivr::closed_on_arrival` does).
    pub fn arrival_hours(&self) -> Option<&BusinessHours> {
        let mut node = self.start;
        for _ in 0..self.nodes.len() {
            match &self.nodes[node] {
                Node::Play { next } | Node::Pass { next } | Node::SetVip { next, .. } => node = *next,
                Node::Hours { hours, .. } => return Some(hours),
                _ => return None,
            }
        }
        None
    }
}
