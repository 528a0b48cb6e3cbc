//! One call on a shard: its session, its legs' sockets and where its
//! events go. The shard's task ([`super::run`]) hands it the datagrams of
//! its sockets, its commands and its timeouts; nothing else touches it.

use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::mpsc;
use tracing::{Span, warn};

use crate::ports::PortPool;
use crate::session::{CallMedia, LegId, Received, SessionError, SessionEvent, Transmit};
use crate::webrtc::{LegConfig, WebRtcLeg};

use super::inbox::Inbox;
use super::poller::{Poller, Token};
use super::sockets::{self, LegSockets};
use super::{Command, EngineConfig, LegInfo, MediaError};

/// A call's state on its shard: see the [module docs](self).
pub(super) struct Call {
    /// The call's tracing span (its label), entered for its commands.
    pub span: Span,
    config: EngineConfig,
    ports: Arc<Mutex<PortPool>>,
    pub media: CallMedia,
    legs: Vec<LegSockets>,
    events: mpsc::UnboundedSender<SessionEvent>,
    /// The call's slot on the shard: the high half of its sockets' tokens.
    slot: u32,
    /// The low half of the next socket's token.
    next_socket: u32,
    /// Datagrams that could not be sent (socket buffer full, unreachable).
    pub send_failures: u64,
}

impl Call {
    /// A call with no legs yet, in `slot` of its shard.
    pub fn new(
        span: Span,
        config: EngineConfig,
        ports: Arc<Mutex<PortPool>>,
        seed: u64,
        events: mpsc::UnboundedSender<SessionEvent>,
        slot: u32,
    ) -> Call {
        Call {
            span,
            config,
            ports,
            media: CallMedia::new(seed),
            legs: Vec::new(),
            events,
            slot,
            next_socket: 0,
            send_failures: 0,
        }
    }

    /// Takes the next datagram waiting on the socket `token` names
    /// through the session, a relayed packet straight out. One a call:
    /// the poller reports a socket that holds more again.
    pub fn readable(&mut self, token: Token, inbox: &mut Inbox, now: Instant) {
        let found = self.legs.iter().find_map(|s| s.socket(token).map(|socket| (s.leg, s.local, socket)));
        let Some((leg, local, socket)) = found else { return };
        let datagram = match inbox.receive(socket) {
            Ok(datagram) => datagram,
            // An error (an ICMP report of an earlier send) is taken off
            // the socket by the receive that reports it: once more.
            Err(_) => inbox.receive(socket).ok().flatten(),
        };
        if let Some((buffer, len, source)) = datagram {
            let received = self.media.handle_datagram(leg, buffer, len, source, local, now);
            if let Received::Forward { leg, destination, len } = received {
                self.send(leg, false, destination, &buffer[..len]);
            }
        }
        self.flush();
    }

    /// Reads what [`Call::readable`] for `token` touches first, in the
    /// stages of [`CallMedia::warm`]; at stage 1 the legs' sockets too.
    pub fn warm(&self, token: Token, stage: u8) -> u64 {
        let sockets = match stage {
            0 => self.legs.as_ptr() as u64,
            1 => self.legs.iter().position(|s| s.socket(token).is_some()).unwrap_or(0) as u64,
            _ => 0,
        };
        sockets ^ self.media.warm(stage)
    }

    /// Fires the session's timers due at `now`.
    pub fn timeout(&mut self, now: Instant) {
        self.media.handle_timeout(now);
        self.flush();
    }

    /// Sends what the session has, and passes its events on.
    pub fn flush(&mut self) {
        while let Some(Transmit { leg, destination, rtcp, contents, .. }) = self.media.poll_transmit() {
            self.send(leg, rtcp, destination, &contents);
        }
        while let Some(event) = self.media.poll_event() {
            // The call layer may have stopped listening; the call goes on.
            let _ = self.events.send(event);
        }
    }

    fn send(&mut self, leg: LegId, rtcp: bool, destination: SocketAddr, datagram: &[u8]) {
        let Some(sockets) = self.legs.iter().find(|s| s.leg == leg) else { return };
        let socket: &UdpSocket = if rtcp { sockets.rtcp_socket() } else { &sockets.rtp };
        // UDP: a full buffer drops the datagram, as the network would.
        if socket.send_to(datagram, destination).is_err() {
            self.send_failures += 1;
        }
    }

    /// Carries out a command (not [`Command::Close`]: the shard ends the
    /// call with [`Call::close_all`]); its reply goes back on its channel.
    pub fn command(&mut self, command: Command, poller: &Poller) {
        let now = Instant::now();
        match command {
            Command::AddRtpLeg(spec, reply) => {
                let _ = reply.send(self.add_rtp_leg(spec, now, poller));
            }
            Command::AddWebRtcLeg(offer, reply) => {
                let _ = reply.send(self.add_webrtc_leg(offer, now, poller));
            }
            Command::AcceptWebRtcAnswer(leg, answer, reply) => {
                let _ = reply.send(self.media.accept_webrtc_answer(leg, &answer).map_err(MediaError::from));
            }
            Command::AcceptWebRtcOffer(leg, offer, reply) => {
                let _ = reply.send(self.media.accept_webrtc_offer(leg, &offer).map_err(MediaError::from));
            }
            Command::UpdateRtpLeg(leg, spec, reply) => {
                let result = self.media.update_rtp_leg(leg, spec, now).map(|()| self.media.path());
                let _ = reply.send(result.map_err(MediaError::from));
            }
            Command::RemoveLeg(leg, reply) => {
                let result = self.media.remove_leg(leg, now).map_err(MediaError::from);
                self.flush();
                self.drop_sockets(leg, poller);
                let _ = reply.send(result);
            }
            Command::SetHearing(hearing, reply) => {
                let result = self.media.set_hearing(hearing, now).map(|()| self.media.path());
                let _ = reply.send(result.map_err(MediaError::from));
            }
            Command::Play(leg, player, reply) => {
                let _ = reply.send(self.media.play(leg, player, now).map_err(MediaError::from));
            }
            Command::StopPlaying(leg, reply) => {
                let _ = reply.send(self.media.stop_playing(leg, now).map_err(MediaError::from));
            }
            Command::SendDtmf(leg, digit, duration, reply) => {
                let _ = reply.send(self.media.send_dtmf(leg, digit, duration, now).map_err(MediaError::from));
            }
            Command::StartRecording { path, leg, reply } => {
                let _ = reply.send(self.start_recording(path, leg, now));
            }
            Command::StopRecording(reply) => {
                self.media.stop_recording();
                let _ = reply.send(());
            }
            Command::Stats(leg, reply) => {
                let _ = reply.send(self.media.rtp_stats(leg));
            }
            Command::Close(reply) => {
                self.close_all(poller);
                let _ = reply.send(());
            }
        }
    }

    fn add_rtp_leg(
        &mut self,
        spec: crate::session::RtpLegSpec,
        now: Instant,
        poller: &Poller,
    ) -> Result<LegInfo, MediaError> {
        // The id is known only once the session adds the leg: bind first
        // under a placeholder, then label the sockets.
        let mut sockets = self.bind(poller, !spec.rtcp_mux)?;
        match self.media.add_rtp_leg(spec, now) {
            Ok(id) => {
                sockets.leg = id;
                let local = SocketAddr::new(self.config.advertise, sockets.local.port());
                self.legs.push(sockets);
                Ok(LegInfo { id, local })
            }
            Err(error) => {
                sockets::release(&self.ports, poller, sockets);
                Err(error.into())
            }
        }
    }

    fn add_webrtc_leg(
        &mut self,
        offer: Option<String>,
        now: Instant,
        poller: &Poller,
    ) -> Result<(LegInfo, String), MediaError> {
        let mut sockets = self.bind(poller, false)?;
        let candidate = SocketAddr::new(self.config.advertise, sockets.local.port());
        // Every browser leg is encoded by us: the transcoding settings
        // (docs/benchmarks.md, "Transcoded calls").
        let mut leg_config = LegConfig::new(vec![candidate]);
        leg_config.opus = crate::opus::OpusConfig::transcoding();
        let result = WebRtcLeg::new(&leg_config, now)
            .map_err(crate::session::SessionError::from)
            .and_then(|leg| self.media.add_webrtc_leg(leg, now));
        let id = match result {
            Ok(id) => id,
            Err(error) => {
                sockets::release(&self.ports, poller, sockets);
                return Err(error.into());
            }
        };
        sockets.leg = id;
        self.legs.push(sockets);
        let sdp = match offer {
            Some(offer) => self.media.accept_webrtc_offer(id, &offer),
            None => self.media.create_webrtc_offer(id),
        };
        match sdp {
            Ok(sdp) => Ok((LegInfo { id, local: candidate }, sdp)),
            Err(error) => {
                let _ = self.media.remove_leg(id, now);
                self.drop_sockets(id, poller);
                Err(error.into())
            }
        }
    }

    fn start_recording(&mut self, path: std::path::PathBuf, leg: LegId, now: Instant) -> Result<(), MediaError> {
        if self.media.is_recording() {
            return Err(SessionError::AlreadyRecording.into());
        }
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)?;
        }
        let file = std::fs::File::options().read(true).write(true).create_new(true).open(&path)?;
        self.media.start_recording(path, file, leg, now).map_err(MediaError::from)
    }

    fn drop_sockets(&mut self, leg: LegId, poller: &Poller) {
        if let Some(index) = self.legs.iter().position(|s| s.leg == leg) {
            let sockets = self.legs.remove(index);
            sockets::release(&self.ports, poller, sockets);
        }
    }

    fn bind(&mut self, poller: &Poller, rtcp: bool) -> Result<LegSockets, MediaError> {
        let (slot, next) = (u64::from(self.slot) << 32, &mut self.next_socket);
        let mut tokens = || {
            *next = next.wrapping_add(1);
            slot | u64::from(*next)
        };
        sockets::bind(&self.ports, poller, &mut tokens, self.config.bind, rtcp, LegId(0))
    }

    /// Closes every leg (their last datagrams go out) and the recording.
    pub fn close_all(&mut self, poller: &Poller) {
        let now = Instant::now();
        self.media.stop_recording();
        let legs: Vec<LegId> = self.media.legs().collect();
        for leg in legs {
            if let Err(error) = self.media.remove_leg(leg, now) {
                warn!(%leg, %error, "closing a leg failed");
            }
        }
        self.flush();
        for sockets in std::mem::take(&mut self.legs) {
            sockets::release(&self.ports, poller, sockets);
        }
    }
}
