//! An agent rung on devices of two kinds at once — a desk phone (UDP, TCP
//! or TLS: a plain RTP offer) and a browser (WS or WSS: a WebRTC offer) —
//! has one INVITE per kind, each with its own media leg, since the edge
//! forks one INVITE with one offer. The agent's leg carries the first as
//! its own and the other as its `sibling` while they ring:
//!
//! - the sibling answering makes it the leg (the first is cancelled), and
//!   the answer then goes the way of any agent's answer;
//! - the leg answering cancels the sibling;
//! - one of them ending (refused, unreachable) leaves the other ringing,
//!   and nothing else happens; the last one ending is the agent's refusal.
//!
//! The edge's own forking still rings several devices of one kind with
//! one INVITE (first 2xx wins).

use sip::edge::LegId as SipLeg;

use super::legs::{AgentLeg, Fork};
use super::{Actor, Stage};

impl Actor {
    /// The agent's (supervisor's, consulted agent's) leg being rung that
    /// `sip` is one of two forks of.
    fn forked_leg_mut(&mut self, sip: SipLeg) -> Option<&mut AgentLeg> {
        let ringing = match &mut self.stage {
            Stage::Waiting { ringing, .. } => ringing.as_mut(),
            Stage::Callback(cb) if !cb.agent_answered => cb.agent.as_mut(),
            Stage::Connected { supervisor: Some(s), .. } if !s.joined => Some(&mut s.leg),
            _ => None,
        };
        let consulted = self.consult.as_mut().and_then(|c| c.ringing_agent_mut());
        [ringing, consulted]
            .into_iter()
            .flatten()
            .find(|leg| leg.sibling.as_ref().is_some_and(|f| f.sip == sip || leg.sip == sip))
    }

    /// A leg answered: when it is one of two forks, it becomes the agent's
    /// leg and the other is cancelled. The answer is then taken as usual.
    pub(super) async fn fork_answered(&mut self, leg: SipLeg) {
        let Some(agent) = self.forked_leg_mut(leg) else { return };
        let loser = if agent.sibling.as_ref().is_some_and(|f| f.sip == leg) {
            let Some(winner) = agent.sibling.take() else { return };
            agent.promote(winner)
        } else if agent.sip == leg {
            let Some(loser) = agent.sibling.take() else { return };
            loser
        } else {
            return;
        };
        tracing::debug!(answered = %leg, cancelled = %loser.sip, "the agent answered on one kind of device");
        self.cancel_fork(&loser).await;
    }

    /// A leg ended: when it is one of two forks still ringing, the other
    /// rings on and the end goes no further (`true`).
    pub(super) async fn fork_ended(&mut self, leg: SipLeg) -> bool {
        let Some(agent) = self.forked_leg_mut(leg) else { return false };
        let gone = if agent.sibling.as_ref().is_some_and(|f| f.sip == leg) {
            agent.sibling.take()
        } else if agent.sip == leg {
            agent.sibling.take().map(|other| agent.promote(other))
        } else {
            None
        };
        let Some(gone) = gone else { return false };
        tracing::debug!(ended = %leg, "one kind of the agent's devices ended; the other rings on");
        let _ = self.media.remove_leg(gone.media).await;
        self.shared.legs.forget(gone.sip);
        true
    }

    /// Cancels a fork that lost (or whose agent leg is dropped).
    pub(super) async fn cancel_fork(&mut self, fork: &Fork) {
        let _ = self.shared.edge.hangup(fork.sip).await;
        let _ = self.media.remove_leg(fork.media).await;
        self.shared.legs.forget(fork.sip);
    }
}
