//! Choosing the session's path and applying the hearing: when the fast
//! path applies, and how each stream continues across a switch.

use std::time::Instant;

use super::rtp_leg::RtpLeg;
use super::{CallMedia, FastPath, Hearing, LegId, LegKind, MediaPath, SessionError, SessionEvent};
use crate::clock::FrameClock;
use crate::mixer::{Gain, Mode, ParticipantId};
use crate::relay::{Relay, RelayConfig};

impl CallMedia {
    /// Writes the hearing into the mixer's matrix.
    pub(super) fn apply_hearing(&mut self) -> Result<(), SessionError> {
        let repeated = |a: LegId, b: LegId, c: Option<LegId>| {
            if a == b || c == Some(a) {
                Err(SessionError::RepeatedRole(a))
            } else if c == Some(b) {
                Err(SessionError::RepeatedRole(b))
            } else {
                Ok(())
            }
        };
        let mode = match self.hearing {
            Hearing::Apart => {
                let everyone: Vec<ParticipantId> = self.mixer.participants().collect();
                for &listener in &everyone {
                    for &source in &everyone {
                        if listener != source {
                            self.mixer.set_gain(source, listener, Gain::MUTE)?;
                        }
                    }
                }
                return Ok(());
            }
            Hearing::Conference => Mode::Conference,
            Hearing::Bridge { caller, agent } => {
                repeated(caller, agent, None)?;
                Mode::Bridge { caller: self.participant(caller)?, agent: self.participant(agent)? }
            }
            Hearing::Monitor { caller, agent, supervisor } => {
                repeated(caller, agent, Some(supervisor))?;
                let (caller, agent, supervisor) = self.roles(caller, agent, supervisor)?;
                Mode::Monitor { caller, agent, supervisor }
            }
            Hearing::Whisper { caller, agent, supervisor } => {
                repeated(caller, agent, Some(supervisor))?;
                let (caller, agent, supervisor) = self.roles(caller, agent, supervisor)?;
                Mode::Whisper { caller, agent, supervisor }
            }
            Hearing::Barge { caller, agent, supervisor } => {
                repeated(caller, agent, Some(supervisor))?;
                let (caller, agent, supervisor) = self.roles(caller, agent, supervisor)?;
                Mode::Barge { caller, agent, supervisor }
            }
        };
        self.mixer.set_mode(mode)?;
        Ok(())
    }

    pub(super) fn roles(
        &self,
        caller: LegId,
        agent: LegId,
        supervisor: LegId,
    ) -> Result<(ParticipantId, ParticipantId, ParticipantId), SessionError> {
        Ok((self.participant(caller)?, self.participant(agent)?, self.participant(supervisor)?))
    }

    /// The two legs the fast path would relay between, if it applies.
    pub(super) fn relay_pair(&self) -> Option<(usize, usize)> {
        let [first, second] = &self.legs[..] else { return None };
        let bridged = match self.hearing {
            Hearing::Bridge { caller, agent } => {
                (caller, agent) == (first.id, second.id) || (agent, caller) == (first.id, second.id)
            }
            Hearing::Conference => true,
            _ => false,
        };
        let (LegKind::Rtp(a), LegKind::Rtp(b)) = (&first.kind, &second.kind) else { return None };
        let alike =
            a.spec.codec == b.spec.codec && a.spec.telephone_event.is_some() == b.spec.telephone_event.is_some();
        let quiet = first.player.is_none() && second.player.is_none() && a.spec.sends && b.spec.sends;
        let digits = a.is_sending_digits() || b.is_sending_digits();
        (bridged && alike && quiet && !digits).then_some((0, 1))
    }

    /// Chooses the path after a change, switching streams over cleanly.
    pub(super) fn update_path(&mut self, now: Instant) {
        let path = match (self.legs.is_empty(), self.relay_pair()) {
            (true, _) => MediaPath::Idle,
            (false, Some(_)) => MediaPath::Relay,
            (false, None) => MediaPath::Mix,
        };
        if path == self.path {
            return;
        }
        if let Some(fast) = self.fast.take() {
            self.leave_relay(&fast, now);
        }
        match path {
            MediaPath::Relay => {
                self.enter_relay();
                if self.recording.is_none() {
                    self.clock = None;
                }
            }
            MediaPath::Mix => {
                if self.clock.is_none() {
                    self.clock = Some(FrameClock::new(now));
                }
            }
            MediaPath::Idle => self.clock = None,
        }
        self.path = path;
        self.events.push_back(SessionEvent::PathChanged(path));
    }

    pub(super) fn enter_relay(&mut self) {
        let [first, second] = &mut self.legs[..] else { return };
        let (LegKind::Rtp(a), LegKind::Rtp(b)) = (&first.kind, &second.kind) else { return };
        let relay_to = |from: &RtpLeg, to: &RtpLeg| {
            let rate = super::codec::Codec::clock_rate(to.spec.codec);
            let config = RelayConfig::new(to.session.ssrc(), to.session.next_sequence(), to.next_timestamp, rate);
            let mut relay = Relay::new(config);
            relay.map_payload_type(from.spec.payload_type, to.spec.payload_type);
            if let (Some(from_te), Some(to_te)) = (from.spec.telephone_event, to.spec.telephone_event) {
                relay.map_payload_type(from_te, to_te);
            }
            relay
        };
        self.fast = Some(FastPath { a: first.id, b: second.id, a_to_b: relay_to(a, b), b_to_a: relay_to(b, a) });
    }

    /// Continues each relayed stream from its last packet, for the mixer.
    pub(super) fn leave_relay(&mut self, fast: &FastPath, now: Instant) {
        for (relay, to) in [(&fast.a_to_b, fast.b), (&fast.b_to_a, fast.a)] {
            let Some((_, timestamp, at)) = relay.last_sent() else { continue };
            let Some(leg) = self.legs.iter_mut().find(|leg| leg.id == to) else { continue };
            let LegKind::Rtp(rtp) = &mut leg.kind else { continue };
            let rate = u64::from(super::codec::Codec::clock_rate(rtp.spec.codec));
            let elapsed = now.saturating_duration_since(at).as_millis() as u64 * rate / 1000;
            let step = u32::try_from(elapsed).unwrap_or(u32::MAX).max(super::codec::Codec::frame_ticks(rtp.spec.codec));
            rtp.next_timestamp = timestamp.wrapping_add(step);
            rtp.marker_next = true;
        }
    }
}
