//! The media engine's tokio shell: shard threads that own the sockets and
//! drive each call's [`CallMedia`](crate::session::CallMedia).
//!
//! [`MediaEngine::start`] spawns one thread per shard (`media-shard-N`),
//! which owns every call of the shard and runs no async runtime: it
//! blocks in its own epoll set (see `poller`). [`MediaEngine::open_call`] puts a call on the
//! least loaded shard: its session and a UDP socket per leg (RTP and,
//! without rtcp-mux, RTCP), taken from the engine's port range. The
//! shard's thread waits on its calls' sockets, their commands (a channel
//! whose senders wake the thread through the epoll set) and their
//! sessions' deadlines together, and nothing else touches a call. The call layer talks to the shard
//! through the [`CallHandle`]: commands with replies, and the session's
//! events. Dropping the handle (or [`CallHandle::close`]) ends the call,
//! closes its legs and gives its ports back.
//!
//! This is a shell: it reads the clock, binds sockets and spawns. The
//! decisions are in [`crate::session`].

mod call;
mod inbox;
mod pacing;
mod poller;
mod run;
mod sockets;

pub use pacing::{DEFAULT_PACING, WakePacing};

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::dtmf::Digit;
use crate::player::Player;
use crate::ports::{PortError, PortPool};
use crate::rtp::LegStats;
use crate::session::{Hearing, LegId, MediaPath, RtpLegSpec, SessionError, SessionEvent};

/// How the engine is set up.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EngineConfig {
    /// The address the legs' sockets bind to.
    pub bind: IpAddr,
    /// The address written into SDP (the public one behind a 1:1 NAT).
    pub advertise: IpAddr,
    /// The first port of the RTP range.
    pub port_first: u16,
    /// The last port of the RTP range.
    pub port_last: u16,
    /// Shard threads (one per core the media may use).
    pub shards: usize,
    /// Cores the shard threads are pinned to, shard `n` to
    /// `cores[n % cores.len()]`; empty: left to the scheduler.
    pub cores: Vec<usize>,
    /// How the shards pace their wakes ([`DEFAULT_PACING`] unless set).
    pub pacing: WakePacing,
}

impl EngineConfig {
    /// Binding and advertising `bind`, ports `first..=last`, one shard.
    #[must_use]
    pub fn new(bind: IpAddr, first: u16, last: u16) -> Self {
        EngineConfig {
            bind,
            advertise: bind,
            port_first: first,
            port_last: last,
            shards: 1,
            cores: Vec::new(),
            pacing: WakePacing { interval: DEFAULT_PACING },
        }
    }

    /// With `shards` shard threads (at least one).
    #[must_use]
    pub fn with_shards(mut self, shards: usize) -> Self {
        self.shards = shards.max(1);
        self
    }

    /// With shard `n` pinned to core `cores[n % cores.len()]` (no pinning
    /// when empty).
    #[must_use]
    pub fn with_cores(mut self, cores: Vec<usize>) -> Self {
        self.cores = cores;
        self
    }

    /// With at least `interval` between two wakes of a shard that took
    /// datagrams (zero: each datagram taken as it comes).
    #[must_use]
    pub fn with_pacing(mut self, interval: Duration) -> Self {
        self.pacing = WakePacing { interval };
        self
    }

    /// Advertising `address` in SDP instead of the bound one.
    #[must_use]
    pub fn with_advertise(mut self, address: IpAddr) -> Self {
        self.advertise = address;
        self
    }
}

/// Pins the calling thread to `core`; a core that is not there (or not
/// ours) leaves the thread where the scheduler puts it, with a warning.
fn pin_to(core: usize) {
    let mut set = rustix::thread::CpuSet::new();
    if core >= rustix::thread::CpuSet::MAX_CPU {
        tracing::warn!(core, "no such core: the shard thread is not pinned");
        return;
    }
    set.set(core);
    if let Err(error) = rustix::thread::sched_setaffinity(None, &set) {
        tracing::warn!(core, %error, "the shard thread could not be pinned");
    }
}

/// Keeps the calling thread's sleeps within [`WakePacing::timer_slack`]
/// of their deadline; nothing to do without pacing.
fn tighten_timer_slack(pacing: WakePacing) {
    if pacing.interval.is_zero() {
        return;
    }
    let slack = u64::try_from(pacing.timer_slack().as_nanos()).unwrap_or(u64::MAX);
    if let Err(error) = rustix::thread::set_current_timer_slack(std::num::NonZeroU64::new(slack)) {
        tracing::warn!(%error, "the shard thread's timer slack could not be set");
    }
}

/// What the engine or a call refuses.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The port range is empty or every pair is in use.
    #[error(transparent)]
    Ports(#[from] PortError),
    /// A socket could not be bound or a thread started.
    #[error("media I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The session refused the change.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The call's task has ended (closed, or its engine stopped).
    #[error("the call's media has ended")]
    Ended,
}

/// A leg as the call layer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegInfo {
    /// The leg's id in its call.
    pub id: LegId,
    /// Where the peer sends to: the advertised address and the leg's RTP port.
    pub local: SocketAddr,
}

/// A command to a call's task, with its reply.
#[derive(Debug)]
enum Command {
    AddRtpLeg(RtpLegSpec, oneshot::Sender<Result<LegInfo, MediaError>>),
    AddWebRtcLeg(Option<String>, oneshot::Sender<Result<(LegInfo, String), MediaError>>),
    AcceptWebRtcAnswer(LegId, String, oneshot::Sender<Result<(), MediaError>>),
    AcceptWebRtcOffer(LegId, String, oneshot::Sender<Result<String, MediaError>>),
    UpdateRtpLeg(LegId, RtpLegSpec, oneshot::Sender<Result<MediaPath, MediaError>>),
    RemoveLeg(LegId, oneshot::Sender<Result<(), MediaError>>),
    SetHearing(Hearing, oneshot::Sender<Result<MediaPath, MediaError>>),
    Play(LegId, Player, oneshot::Sender<Result<u64, MediaError>>),
    StopPlaying(LegId, oneshot::Sender<Result<(), MediaError>>),
    SendDtmf(LegId, Digit, Duration, oneshot::Sender<Result<(), MediaError>>),
    StartRecording { path: PathBuf, leg: LegId, reply: oneshot::Sender<Result<(), MediaError>> },
    StopRecording(oneshot::Sender<()>),
    Stats(LegId, oneshot::Sender<Option<LegStats>>),
    Close(oneshot::Sender<()>),
}

/// What the shard's thread is told, about the call `id` (the handle's).
#[derive(Debug)]
enum Message {
    /// A new call, its events to `events`.
    Open {
        id: u64,
        label: String,
        seed: u64,
        events: mpsc::UnboundedSender<SessionEvent>,
    },
    Call(u64, Command),
    /// The call's handle is gone: the call ends.
    Dropped(u64),
    /// The engine is gone: every call ends and the thread stops.
    Stop,
}

/// The sending end of a shard's messages: queued, then the thread woken.
#[derive(Debug, Clone)]
struct ShardSender {
    queue: std::sync::mpsc::Sender<Message>,
    waker: poller::Waker,
}

impl ShardSender {
    /// Queues `message` and wakes the shard; `Err` once the shard has
    /// stopped.
    fn send(&self, message: Message) -> Result<(), ()> {
        self.queue.send(message).map_err(drop)?;
        self.waker.wake();
        Ok(())
    }
}

/// One shard: its thread's channel and how many calls it carries.
#[derive(Debug)]
struct Shard {
    messages: ShardSender,
    calls: Arc<AtomicUsize>,
    wakes: Arc<AtomicU64>,
}

/// Dropped with the engine: the shard's thread ends (its calls with it),
/// whatever handles are still held.
impl Drop for Shard {
    fn drop(&mut self) {
        let _ = self.messages.send(Message::Stop);
    }
}

/// What every clone of the engine shares.
#[derive(Debug)]
struct Inner {
    config: EngineConfig,
    shards: Vec<Shard>,
    seed: AtomicUsize,
    /// The next call's id.
    next_call: AtomicU64,
}

/// The media engine: its shards and its port range. Cheap to clone.
#[derive(Debug, Clone)]
pub struct MediaEngine {
    inner: Arc<Inner>,
}

impl MediaEngine {
    /// Starts the shard threads.
    pub fn start(config: EngineConfig) -> Result<MediaEngine, MediaError> {
        let ports = Arc::new(Mutex::new(PortPool::new(config.port_first, config.port_last)?));
        let mut shards = Vec::with_capacity(config.shards);
        for n in 0..config.shards.max(1) {
            let poller = poller::Poller::new()?;
            let (queue, inbox) = std::sync::mpsc::channel();
            let messages = ShardSender { queue, waker: poller.waker() };
            let calls = Arc::new(AtomicUsize::new(0));
            let wakes = Arc::new(AtomicU64::new(0));
            let task = run::ShardTask::new(config.clone(), Arc::clone(&ports), Arc::clone(&calls), Arc::clone(&wakes));
            let core = (!config.cores.is_empty()).then(|| config.cores[n % config.cores.len()]);
            let pacing = config.pacing;
            thread::Builder::new().name(format!("media-shard-{n}")).spawn(move || {
                if let Some(core) = core {
                    pin_to(core);
                }
                tighten_timer_slack(pacing);
                task.run(inbox, poller);
            })?;
            shards.push(Shard { messages, calls, wakes });
        }
        let seed = AtomicUsize::new(std::process::id() as usize);
        let next_call = AtomicU64::new(0);
        Ok(MediaEngine { inner: Arc::new(Inner { config, shards, seed, next_call }) })
    }

    /// The engine's configuration.
    #[must_use]
    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// Calls carried now, per shard.
    #[must_use]
    pub fn load(&self) -> Vec<usize> {
        self.inner.shards.iter().map(|s| s.calls.load(Ordering::Relaxed)).collect()
    }

    /// Wakes that took datagrams since the engine started, per shard:
    /// datagrams ÷ wakes is how many each wake took together.
    #[must_use]
    pub fn wakes(&self) -> Vec<u64> {
        self.inner.shards.iter().map(|s| s.wakes.load(Ordering::Relaxed)).collect()
    }

    /// Opens a call's media on the least loaded shard; `label` (the call
    /// id) names its tracing span.
    pub fn open_call(&self, label: &str) -> CallHandle {
        let shard = self.inner.shards.iter().min_by_key(|s| s.calls.load(Ordering::Relaxed)).unwrap_or_else(|| {
            unreachable!("the engine starts at least one shard");
        });
        let (event_tx, events) = mpsc::unbounded_channel();
        let seed = self.inner.seed.fetch_add(0x9e37_79b9, Ordering::Relaxed) as u64 ^ nanos_now();
        let id = self.inner.next_call.fetch_add(1, Ordering::Relaxed);
        shard.calls.fetch_add(1, Ordering::Relaxed);
        let open = Message::Open { id, label: label.to_owned(), seed, events: event_tx };
        if shard.messages.send(open).is_err() {
            // The shard has stopped: the handle's commands end at once.
            shard.calls.fetch_sub(1, Ordering::Relaxed);
        }
        CallHandle { id, commands: shard.messages.clone(), events }
    }
}

/// A seed's share of the clock: RTP wants unpredictable SSRCs.
fn nanos_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// The call layer's end of one call's media on its shard.
#[derive(Debug)]
pub struct CallHandle {
    id: u64,
    commands: ShardSender,
    events: mpsc::UnboundedReceiver<SessionEvent>,
}

impl Drop for CallHandle {
    fn drop(&mut self) {
        // After a close, the shard no longer knows the id and ignores it.
        let _ = self.commands.send(Message::Dropped(self.id));
    }
}

impl CallHandle {
    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Result<T, MediaError> {
        let (reply, answer) = oneshot::channel();
        self.commands.send(Message::Call(self.id, make(reply))).map_err(|_| MediaError::Ended)?;
        answer.await.map_err(|_| MediaError::Ended)
    }

    /// Adds a plain RTP leg as agreed in `spec`, on a fresh port pair.
    pub async fn add_rtp_leg(&self, spec: RtpLegSpec) -> Result<LegInfo, MediaError> {
        self.ask(|reply| Command::AddRtpLeg(spec, reply)).await?
    }

    /// Adds a WebRTC leg on a fresh port: with the browser's offer, our
    /// answer comes back; without, our offer (answer it with
    /// [`CallHandle::accept_webrtc_answer`]).
    pub async fn add_webrtc_leg(&self, offer: Option<String>) -> Result<(LegInfo, String), MediaError> {
        self.ask(|reply| Command::AddWebRtcLeg(offer, reply)).await?
    }

    /// Changes an RTP leg to a new agreement (the answer to our offer, a
    /// re-INVITE); the path the session then takes comes back.
    pub async fn update_rtp_leg(&self, leg: LegId, spec: RtpLegSpec) -> Result<MediaPath, MediaError> {
        self.ask(|reply| Command::UpdateRtpLeg(leg, spec, reply)).await?
    }

    /// The browser's answer to our offer.
    pub async fn accept_webrtc_answer(&self, leg: LegId, answer: String) -> Result<(), MediaError> {
        self.ask(|reply| Command::AcceptWebRtcAnswer(leg, answer, reply)).await?
    }

    /// A new offer from the browser on a negotiated WebRTC leg (a
    /// re-INVITE: hold, resume, a refresh); our answer comes back.
    pub async fn accept_webrtc_offer(&self, leg: LegId, offer: String) -> Result<String, MediaError> {
        self.ask(|reply| Command::AcceptWebRtcOffer(leg, offer, reply)).await?
    }

    /// Removes a leg and gives its ports back.
    pub async fn remove_leg(&self, leg: LegId) -> Result<(), MediaError> {
        self.ask(|reply| Command::RemoveLeg(leg, reply)).await?
    }

    /// Sets who hears whom; the path the session then takes comes back.
    pub async fn set_hearing(&self, hearing: Hearing) -> Result<MediaPath, MediaError> {
        self.ask(|reply| Command::SetHearing(hearing, reply)).await?
    }

    /// Plays to a leg instead of what it hears; the play's number comes
    /// back, and [`SessionEvent::PlayFinished`] names it.
    pub async fn play(&self, leg: LegId, player: Player) -> Result<u64, MediaError> {
        self.ask(|reply| Command::Play(leg, player, reply)).await?
    }

    /// Stops what is played to a leg.
    pub async fn stop_playing(&self, leg: LegId) -> Result<(), MediaError> {
        self.ask(|reply| Command::StopPlaying(leg, reply)).await?
    }

    /// Sends a digit on a leg.
    pub async fn send_dtmf(&self, leg: LegId, digit: Digit, duration: Duration) -> Result<(), MediaError> {
        self.ask(|reply| Command::SendDtmf(leg, digit, duration, reply)).await?
    }

    /// Starts recording `leg` (its voice left, what it hears right; see
    /// [`crate::session::CallMedia::start_recording`]) into a new WAV file
    /// at `path` (its folder is made); [`SessionEvent::RecordingStarted`]
    /// follows. A call already recorded is refused
    /// ([`SessionError::AlreadyRecording`]) before any file is made.
    pub async fn start_recording(&self, path: PathBuf, leg: LegId) -> Result<(), MediaError> {
        self.ask(|reply| Command::StartRecording { path, leg, reply }).await?
    }

    /// Ends the recording; [`SessionEvent::RecordingStopped`] follows.
    pub async fn stop_recording(&self) -> Result<(), MediaError> {
        self.ask(Command::StopRecording).await
    }

    /// An RTP leg's figures.
    pub async fn stats(&self, leg: LegId) -> Result<Option<LegStats>, MediaError> {
        self.ask(|reply| Command::Stats(leg, reply)).await
    }

    /// The next event of the call's media; `None` once it has ended.
    pub async fn next_event(&mut self) -> Option<SessionEvent> {
        self.events.recv().await
    }

    /// An event if one is waiting.
    pub fn try_event(&mut self) -> Option<SessionEvent> {
        self.events.try_recv().ok()
    }

    /// Ends the call's media: legs closed (RTCP BYE), recording completed,
    /// ports given back.
    pub async fn close(&self) -> Result<(), MediaError> {
        self.ask(Command::Close).await
    }
}
