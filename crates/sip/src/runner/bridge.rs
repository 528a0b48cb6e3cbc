//! A two-leg relay over a running edge: every incoming call is placed to
//! one fixed target, ringing, answer, re-INVITEs and hang-up relayed
//! between the legs. It stands in for the call layer in interop tests and
//! the load benchmark (SIPp → edge → SIPp); the real call layer is the
//! `calls` crate.

use std::collections::HashMap;

use tokio::sync::mpsc;

use super::EdgeHandle;
use crate::edge::{EdgeEvent, LegId, Originate, Target};
use crate::message::StatusCode;

/// Relays calls until the event stream ends; returns how many calls it
/// bridged (answered on both legs).
pub async fn bridge(handle: EdgeHandle, mut events: mpsc::Receiver<EdgeEvent>, target: Target) -> u64 {
    let mut peers: HashMap<LegId, LegId> = HashMap::new();
    let mut ringing: HashMap<LegId, bool> = HashMap::new();
    let mut bridged = 0;
    while let Some(event) = events.recv().await {
        match event {
            EdgeEvent::Incoming(call) => {
                let plan = Originate {
                    from: call.from,
                    to: call.to,
                    attempts: vec![vec![target.clone()]],
                    offer: call.offer,
                    headers: Vec::new(),
                };
                match handle.originate(plan).await {
                    Ok(out) => {
                        peers.insert(call.leg, out);
                        peers.insert(out, call.leg);
                    }
                    Err(_) => {
                        let _ = handle.reject(call.leg, StatusCode::SERVICE_UNAVAILABLE).await;
                    }
                }
            }
            EdgeEvent::Progress { leg, early_media, .. } => {
                if let Some(&incoming) = peers.get(&leg)
                    && !ringing.insert(incoming, true).unwrap_or(false)
                {
                    let _ = handle.ring(incoming, early_media).await;
                }
            }
            EdgeEvent::Answered { leg, answer } => {
                if let Some(&incoming) = peers.get(&leg)
                    && handle.answer(incoming, answer.unwrap_or_default()).await.is_ok()
                {
                    bridged += 1;
                }
            }
            EdgeEvent::Reoffer { leg, offer } => {
                let relayed = match peers.get(&leg) {
                    Some(&other) => handle.reinvite(other, offer).await.is_ok(),
                    None => false,
                };
                if !relayed {
                    let _ = handle.reject_reoffer(leg, StatusCode::NOT_ACCEPTABLE_HERE).await;
                }
            }
            EdgeEvent::ReofferAnswered { leg, answer } => {
                if let Some(&other) = peers.get(&leg) {
                    let _ = handle.accept_reoffer(other, answer.unwrap_or_default()).await;
                }
            }
            EdgeEvent::ReofferFailed { leg, status } => {
                if let Some(&other) = peers.get(&leg) {
                    let _ = handle.reject_reoffer(other, status).await;
                }
            }
            EdgeEvent::Ended { leg, cause } => {
                ringing.remove(&leg);
                if let Some(other) = peers.remove(&leg) {
                    peers.remove(&other);
                    ringing.remove(&other);
                    let status = match cause {
                        crate::edge::EndCause::Rejected(status) => Some(status),
                        _ => None,
                    };
                    // An unanswered incoming leg gets the callee's status.
                    let rejected = match status {
                        Some(status) => handle.reject(other, status).await.is_ok(),
                        None => false,
                    };
                    if !rejected {
                        let _ = handle.hangup(other).await;
                    }
                }
            }
            _ => {}
        }
    }
    bridged
}
