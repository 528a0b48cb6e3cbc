//! Blind transfer of a connected call, asked by its agent (over the API,
//! or a REFER from their phone) or by a supervisor: to a queue (the caller
//! waits there again), to a named agent (offered to them at once, refused
//! while they are not free) or to a number (dialled through the tenant's
//! trunks). The agent's leg is hung up and the agent goes to wrap-up; the
//! `transferred` event says who moved the call where.

use acd::NewCall;
use model::{AgentId, EventPayload, TransferKind, TransferTarget};
use sip::edge::LegId as SipLeg;
use sip::message::{StatusCode, Uri};

use super::{Actor, Stage, legs};
use crate::error::CallsError;
use crate::runtime::Transferor;

impl Actor {
    /// Carries out a blind transfer of the connected call.
    pub(super) async fn transfer(&mut self, by: Transferor, target: TransferTarget) -> Result<(), CallsError> {
        self.check_transfer(by, &target)?;
        if let TransferTarget::Agent { agent_id } = &target {
            // Offered to the agent now, or refused with the call untouched.
            self.offer_transfer_to(*agent_id).await?;
        }
        let Stage::Connected { agent, supervisor } = std::mem::replace(&mut self.stage, Stage::Ended) else {
            return Err(CallsError::NotConnected);
        };
        self.cancel_agent_leg(&agent).await;
        self.drop_supervisor(supervisor).await;
        if !matches!(target, TransferTarget::Agent { .. }) {
            self.acd.tell(acd::Command::CallEnded { call: self.call });
        }
        let kind = TransferKind::Blind;
        self.events
            .emit(EventPayload::Transferred { agent_id: agent.agent, transfer: kind, target: target.clone() })
            .await;
        match target {
            TransferTarget::Queue { queue_id } => self.enqueue(queue_id).await,
            TransferTarget::Agent { .. } => self.waiting_for_transfer().await,
            TransferTarget::Number { number } => self.transfer_out(&number).await,
        }
        Ok(())
    }

    /// Whether `by` may move the call to `target` now.
    fn check_transfer(&self, by: Transferor, target: &TransferTarget) -> Result<(), CallsError> {
        let Stage::Connected { agent, .. } = &self.stage else { return Err(CallsError::NotConnected) };
        if let Transferor::Agent(asking) = by
            && asking != agent.agent
        {
            return Err(CallsError::NotYourCall);
        }
        match target {
            TransferTarget::Queue { queue_id } if !self.tenant.queues.contains_key(queue_id) => {
                Err(CallsError::UnknownQueue)
            }
            TransferTarget::Agent { agent_id } if !self.tenant.agents.contains_key(agent_id) => {
                Err(CallsError::UnknownAgent)
            }
            TransferTarget::Agent { agent_id } if *agent_id == agent.agent => {
                Err(CallsError::Refused("the call is already with this agent".into()))
            }
            TransferTarget::Number { .. } if self.tenant.trunks.is_empty() => Err(CallsError::NoTrunk),
            _ => Ok(()),
        }
    }

    /// Asks the ACD to offer the call to `agent` in the call's queue (or
    /// the agent's first queue); its agent goes to wrap-up. Refused, with
    /// the call untouched, when the agent is not free.
    async fn offer_transfer_to(&mut self, agent: AgentId) -> Result<(), CallsError> {
        let first_queue = self.tenant.agents.get(&agent).and_then(|(a, _)| a.queues.first()).map(|m| m.queue_id);
        let queue = self.queue.or(first_queue).ok_or(CallsError::UnknownQueue)?;
        let new = NewCall {
            call: self.call,
            queue,
            priority: self.routing.priority,
            vip: self.routing.vip,
            caller: Some(self.caller_number.clone()),
            skills: self.routing.skills.clone(),
        };
        self.acd.command(acd::Command::TransferToAgent { call: new, agent }).await?;
        self.queue = Some(queue);
        Ok(())
    }

    /// After a transfer to an agent: the caller waits (music) for their
    /// answer; the ACD's offer comes as for any queued call.
    async fn waiting_for_transfer(&mut self) {
        let queue = self.queue;
        self.stage = Stage::Waiting { queue, since: std::time::Instant::now(), ringing: None };
        self.resume_music().await;
    }

    /// A REFER from the agent's phone: a blind transfer to the extension
    /// of another agent of the tenant, or else to the number dialled.
    pub(super) async fn on_refer(&mut self, leg: SipLeg, refer_to: Uri) {
        let Some(asking) = self.agent_of(leg).filter(|_| matches!(self.stage, Stage::Connected { .. })) else {
            let _ = self.shared.edge.notify_refer(leg, StatusCode::DECLINE).await;
            return;
        };
        let user = legs::user_of(&refer_to);
        let agent = self.tenant.agents.iter().find(|(_, (a, _))| a.extension.eq_ignore_ascii_case(&user));
        let target = match agent {
            Some((agent_id, _)) => TransferTarget::Agent { agent_id: *agent_id },
            None => TransferTarget::Number { number: user },
        };
        if let Err(error) = self.check_transfer(Transferor::Agent(asking), &target) {
            tracing::info!(%error, "the phone's transfer was refused");
            let _ = self.shared.edge.notify_refer(leg, StatusCode::DECLINE).await;
            return;
        }
        let _ = self.shared.edge.notify_refer(leg, StatusCode::OK).await;
        if let Err(error) = self.transfer(Transferor::Agent(asking), target).await {
            tracing::info!(%error, "the phone's transfer could not be carried out");
        }
    }
}
