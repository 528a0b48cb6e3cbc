//! One call's task on a shard: the session, its legs' sockets, its
//! commands and its timer, in one loop.

use std::future::poll_fn;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Instant;

use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::Sleep;
use tracing::{Instrument, debug, info_span, warn};

use crate::ports::PortPool;
use crate::session::{CallMedia, LegId, Received, SessionError, SessionEvent, Transmit};
use crate::webrtc::{LegConfig, WebRtcLeg};

use super::sockets::{self, LegSockets};
use super::{Command, EngineConfig, LegInfo, MediaError};

/// The largest datagram taken in (RTP over Ethernet fits well within).
const MAX_DATAGRAM: usize = 2048;

/// What woke the loop.
enum Wake {
    Command(Option<Command>),
    Datagram(sockets::Arrival),
    Timer,
}

/// A call's task: see the [module docs](self).
pub(super) struct CallTask {
    label: String,
    config: EngineConfig,
    ports: Arc<Mutex<PortPool>>,
    media: CallMedia,
    legs: Vec<LegSockets>,
    commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<SessionEvent>,
    calls: Arc<AtomicUsize>,
    /// Datagrams that could not be sent (socket buffer full, unreachable).
    send_failures: u64,
}

impl CallTask {
    pub(super) fn new(
        label: String,
        config: EngineConfig,
        ports: Arc<Mutex<PortPool>>,
        seed: u64,
        commands: mpsc::UnboundedReceiver<Command>,
        events: mpsc::UnboundedSender<SessionEvent>,
        calls: Arc<AtomicUsize>,
    ) -> CallTask {
        CallTask {
            label,
            config,
            ports,
            media: CallMedia::new(seed),
            legs: Vec::new(),
            commands,
            events,
            calls,
            send_failures: 0,
        }
    }

    /// Runs the call until it is closed or its handle dropped.
    pub(super) async fn run(self) {
        let span = info_span!("call_media", call = %self.label);
        self.serve().instrument(span).await;
    }

    async fn serve(mut self) {
        let mut buffer = [0u8; MAX_DATAGRAM];
        let mut sleep: Pin<Box<Sleep>> = Box::pin(tokio::time::sleep_until(tokio::time::Instant::now()));
        let mut start = 0usize;
        // The deadline the timer is set for: resetting it moves it in the
        // timer wheel, so only a changed deadline does.
        let mut armed = None;
        loop {
            let deadline = self.media.poll_timeout();
            if let Some(at) = deadline
                && armed != Some(at)
            {
                sleep.as_mut().reset(tokio::time::Instant::from_std(at));
                armed = Some(at);
            }
            let wake = poll_fn(|cx| {
                if let Poll::Ready(command) = self.commands.poll_recv(cx) {
                    return Poll::Ready(Wake::Command(command));
                }
                if let Poll::Ready(arrival) = sockets::poll_any(&self.legs, start, &mut buffer, cx) {
                    return Poll::Ready(Wake::Datagram(arrival));
                }
                if deadline.is_some() && sleep.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Wake::Timer);
                }
                Poll::Pending
            })
            .await;
            match wake {
                Wake::Command(None) => break,
                Wake::Command(Some(Command::Close(reply))) => {
                    self.close_all();
                    let _ = reply.send(());
                    break;
                }
                Wake::Command(Some(command)) => self.command(command),
                Wake::Datagram(arrival) => {
                    start = start.wrapping_add(1);
                    self.datagram(arrival, &mut buffer);
                }
                Wake::Timer => self.media.handle_timeout(Instant::now()),
            }
            self.flush();
        }
        self.close_all();
        self.calls.fetch_sub(1, Ordering::Relaxed);
        debug!(send_failures = self.send_failures, "call media ended");
    }

    fn datagram(&mut self, arrival: sockets::Arrival, buffer: &mut [u8]) {
        let Some(sockets) = self.legs.get(arrival.index / 2) else { return };
        let (leg, local) = (sockets.leg, sockets.local);
        let now = Instant::now();
        let received = self.media.handle_datagram(leg, buffer, arrival.len, arrival.source, local, now);
        if let Received::Forward { leg, destination, len } = received {
            self.send(leg, false, destination, &buffer[..len]);
        }
    }

    /// Sends what the session has, and passes its events on.
    fn flush(&mut self) {
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
        let socket: &UdpSocket = if rtcp { sockets.rtcp.as_ref().unwrap_or(&sockets.rtp) } else { &sockets.rtp };
        // UDP: a full buffer drops the datagram, as the network would.
        if socket.try_send_to(datagram, destination).is_err() {
            self.send_failures += 1;
        }
    }

    fn command(&mut self, command: Command) {
        let now = Instant::now();
        match command {
            Command::AddRtpLeg(spec, reply) => {
                let _ = reply.send(self.add_rtp_leg(spec, now));
            }
            Command::AddWebRtcLeg(offer, reply) => {
                let _ = reply.send(self.add_webrtc_leg(offer, now));
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
                self.drop_sockets(leg);
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
                self.close_all();
                let _ = reply.send(());
            }
        }
    }

    fn add_rtp_leg(&mut self, spec: crate::session::RtpLegSpec, now: Instant) -> Result<LegInfo, MediaError> {
        // The id is known only once the session adds the leg: bind first
        // under a placeholder, then label the sockets.
        let mut sockets = sockets::bind(&self.ports, self.config.bind, !spec.rtcp_mux, LegId(0))?;
        match self.media.add_rtp_leg(spec, now) {
            Ok(id) => {
                sockets.leg = id;
                let local = SocketAddr::new(self.config.advertise, sockets.local.port());
                self.legs.push(sockets);
                Ok(LegInfo { id, local })
            }
            Err(error) => {
                sockets::give_back(&self.ports, sockets.ports);
                Err(error.into())
            }
        }
    }

    fn add_webrtc_leg(&mut self, offer: Option<String>, now: Instant) -> Result<(LegInfo, String), MediaError> {
        let mut sockets = sockets::bind(&self.ports, self.config.bind, false, LegId(0))?;
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
                sockets::give_back(&self.ports, sockets.ports);
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
                self.drop_sockets(id);
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

    fn drop_sockets(&mut self, leg: LegId) {
        if let Some(index) = self.legs.iter().position(|s| s.leg == leg) {
            let sockets = self.legs.remove(index);
            sockets::give_back(&self.ports, sockets.ports);
        }
    }

    /// Closes every leg (their last datagrams go out) and the recording.
    fn close_all(&mut self) {
        let now = Instant::now();
        self.media.stop_recording();
        let legs: Vec<LegId> = self.media.legs().collect();
        for leg in legs {
            if let Err(error) = self.media.remove_leg(leg, now) {
                warn!(%leg, %error, "closing a leg failed");
            }
        }
        self.flush();
        for sockets in self.legs.drain(..) {
            sockets::give_back(&self.ports, sockets.ports);
        }
    }
}
