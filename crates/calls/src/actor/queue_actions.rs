//! A supervisor's actions on a waiting call: move it to another queue or
//! offer it to an agent of their choice (`acd::Command::MoveCall`,
//! `AssignCall`), change its priority (`SetPriority`). The ACD decides
//! first; what it accepts is audited as an event of the call, written
//! before any offer the change brings (the actor handles the ACD's
//! actions only after this command).

use acd::AcdError;
use model::{EventPayload, MoveTarget, UserId};

use super::{Actor, Stage};
use crate::error::CallsError;

/// The ACD's refusal in the call layer's terms: a call it does not hold is
/// unknown; anything else (ringing, connected, agent not available) stands.
fn refusal(error: CallsError) -> CallsError {
    match error {
        CallsError::Acd(AcdError::UnknownCall(_)) => CallsError::UnknownCall,
        other => other,
    }
}

impl Actor {
    /// Moves the waiting call to a queue, or offers it to an agent now.
    pub(super) async fn move_waiting(&mut self, by: UserId, target: MoveTarget) -> Result<(), CallsError> {
        let from = self.queue.ok_or(CallsError::UnknownCall)?;
        let command = match target {
            MoveTarget::Queue { queue_id } => acd::Command::MoveCall { call: self.call, queue: queue_id },
            MoveTarget::Agent { agent_id } => acd::Command::AssignCall { call: self.call, agent: agent_id },
        };
        self.acd.command(command).await.map_err(refusal)?;
        if let MoveTarget::Queue { queue_id } = target {
            if let Stage::Waiting { queue, .. } = &mut self.stage {
                *queue = Some(queue_id);
            }
            self.queue = Some(queue_id);
        }
        let position = self.acd.position(self.call).await;
        self.events.emit(EventPayload::CallMoved { by, from_queue_id: from, target, position }).await;
        Ok(())
    }

    /// Changes the waiting call's base priority.
    pub(super) async fn reprioritise(&mut self, by: UserId, priority: i32) -> Result<(), CallsError> {
        if self.queue.is_none() {
            return Err(CallsError::UnknownCall);
        }
        self.acd.command(acd::Command::SetPriority { call: self.call, priority }).await.map_err(refusal)?;
        let previous = std::mem::replace(&mut self.routing.priority, priority);
        let position = self.acd.position(self.call).await;
        self.events.emit(EventPayload::PriorityChanged { by, previous, priority, position }).await;
        Ok(())
    }
}
