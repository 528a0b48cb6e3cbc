//! One RTP leg's session (RFC 3550), sans-IO.
//!
//! [`RtpSession`] is fed every datagram that arrives on the leg's port
//! ([`RtpSession::handle_packet`]: RTP and, with rtcp-mux, RTCP) and the
//! current time; it answers at once for RTP (deliver it or drop it, so the
//! hot path neither copies nor queues) and queues what RTCP taught it as
//! [`Event`]s. It sends an SR (when we sent media since the last report) or
//! an RR every [`Config::report_interval`], which the shell drains with
//! [`RtpSession::poll_transmit`] after calling
//! [`RtpSession::handle_timeout`] at [`RtpSession::poll_timeout`].
//!
//! The peer's address is latched from the packets it sends (symmetric RTP,
//! for NAT): learnt from its first packets, moved only after a run of
//! packets from a new source (see [`LatchRule`]); packets from elsewhere
//! are dropped and counted. [`RtpSession::stats`] gives the leg's figures:
//! RFC 3550 appendix A loss and jitter, round-trip time, and the peer's
//! view of our stream.
//!
//! ```
//! use std::net::SocketAddr;
//! use std::time::Instant;
//! use media::rtp::{Config, Handled, RtpSession};
//!
//! let start = Instant::now(); // the shell's clock, read by the shell
//! let mut leg = RtpSession::new(Config::new(0x1234_5678, 1), start);
//! let peer: SocketAddr = "192.0.2.7:4000".parse().unwrap();
//! let datagram = [0x80, 0, 0, 1, 0, 0, 0, 160, 0, 0, 0, 9, 0xff];
//! match leg.handle_packet(&datagram, peer, start) {
//!     Handled::Rtp(packet) => { let _ = packet.payload; } // decode or relay it
//!     _ => {} // RTCP (consumed) or dropped (counted)
//! }
//! while let Some(_event) = leg.poll_event() {}
//! if leg.poll_timeout().is_some_and(|at| at <= start) {
//!     leg.handle_timeout(start);
//! }
//! while let Some(_transmit) = leg.poll_transmit() {} // send to transmit.destination
//! ```

mod latch;
pub mod packet;
mod rtcp;
mod session;
mod stats;

use std::net::SocketAddr;
use std::time::Duration;

pub use latch::LatchRule;
pub use packet::{PacketError, RtpHeader};
pub use session::RtpSession;

/// How a session is set up; [`Config::new`] gives the defaults.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Our SSRC (chosen by the caller from its seeded generator).
    pub ssrc: u32,
    /// The sequence number of the first packet we send.
    pub initial_sequence: u16,
    /// Our SDES CNAME, sent in every RTCP packet.
    pub cname: String,
    /// The peer's address from the SDP, used until a peer is latched.
    pub remote: Option<SocketAddr>,
    /// RTCP on the RTP port (RFC 5761). Without it RTCP goes to the peer's
    /// port + 1, or wherever the peer's RTCP came from.
    pub rtcp_mux: bool,
    /// Time between two RTCP reports (RFC 3550: 5 s).
    pub report_interval: Duration,
    /// When the peer's media stops for this long, the leg ends.
    pub media_timeout: Option<Duration>,
    /// The wall-clock time at the session's start, as a 64-bit NTP
    /// timestamp, for sender reports (round-trip times need only that
    /// it is steady).
    pub ntp_at_start: u64,
    /// When the latch follows a new source.
    pub latch: LatchRule,
    clock_rates: [u32; 128],
    events: [bool; 128],
}

impl Config {
    /// Defaults: rtcp-mux, reports every 5 s, no media timeout, the
    /// static payload types' clock rates (PCMU, PCMA, G.722, G.729 at
    /// 8 kHz).
    #[must_use]
    pub fn new(ssrc: u32, initial_sequence: u16) -> Self {
        let mut clock_rates = [0; 128];
        for pt in [0, 3, 4, 8, 9, 18] {
            clock_rates[pt] = 8_000;
        }
        Self {
            ssrc,
            initial_sequence,
            cname: format!("switchboard-{ssrc:08x}"),
            remote: None,
            rtcp_mux: true,
            report_interval: Duration::from_secs(5),
            media_timeout: None,
            ntp_at_start: 0,
            latch: LatchRule::default(),
            clock_rates,
            events: [false; 128],
        }
    }

    /// Sets the clock rate of a (dynamic) payload type, e.g. Opus 48 kHz.
    #[must_use]
    pub fn with_payload(mut self, payload_type: u8, clock_rate: u32) -> Self {
        self.clock_rates[usize::from(payload_type & 0x7f)] = clock_rate;
        self
    }

    /// Declares an RFC 4733 telephone-event payload type: its packets are
    /// delivered, but do not feed the jitter figure (their timestamps mark
    /// the event's start, not its sampling).
    #[must_use]
    pub fn with_telephone_event(mut self, payload_type: u8, clock_rate: u32) -> Self {
        let pt = usize::from(payload_type & 0x7f);
        self.clock_rates[pt] = clock_rate;
        self.events[pt] = true;
        self
    }

    /// The clock rate of a payload type, 0 when unknown.
    #[must_use]
    pub fn clock_rate(&self, payload_type: u8) -> u32 {
        self.clock_rates[usize::from(payload_type & 0x7f)]
    }

    fn is_event(&self, payload_type: u8) -> bool {
        self.events[usize::from(payload_type & 0x7f)]
    }
}

/// What [`RtpSession::handle_packet`] made of a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handled<'a> {
    /// An RTP packet from the peer: decode it or relay it.
    Rtp(RtpHeader<'a>),
    /// An RTCP packet, consumed (what it said is in [`RtpSession::poll_event`]).
    Rtcp,
    /// Dropped, and counted in [`LegStats`].
    Dropped(DropReason),
}

/// Why a datagram was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DropReason {
    /// Not a valid RTP or RTCP packet.
    Malformed,
    /// From an address other than the latched peer.
    ForeignSource,
    /// One of the first packets, before the peer is latched.
    Learning,
    /// A new SSRC on probation, or a sequence number far off the stream
    /// (RFC 3550 A.1).
    Sequence,
    /// The session has ended.
    Ended,
}

/// Why a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndReason {
    /// The peer sent an RTCP BYE for its source, with its reason if any.
    Bye(Option<String>),
    /// No media from the peer for [`Config::media_timeout`].
    Timeout,
    /// We closed it ([`RtpSession::close`]).
    Closed,
}

/// Something the session learnt; drain with [`RtpSession::poll_event`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// The first peer address was learnt from its packets.
    Latched(SocketAddr),
    /// The peer's packets now come from another address.
    PeerMoved {
        /// The address followed until now.
        from: SocketAddr,
        /// The address followed from now on.
        to: SocketAddr,
    },
    /// The peer's stream has a new SSRC (a re-INVITE, another device).
    SourceChanged(u32),
    /// The peer reported on our stream (an SR or RR report block).
    Report(PeerReport),
    /// The leg ended; nothing more is delivered.
    Ended(EndReason),
}

/// The peer's view of the stream we send, from its last report block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PeerReport {
    /// Fraction of our packets lost in its last interval, in 1/256.
    pub fraction_lost: u8,
    /// Packets of ours it counts as lost in all (negative with duplicates).
    pub cumulative_lost: i32,
    /// The highest sequence number of ours it received, extended.
    pub highest_sequence: u32,
    /// Interarrival jitter it measures on our stream, in timestamp units.
    pub jitter: u32,
    /// Round-trip time, when the report answers one of our SRs.
    pub round_trip: Option<Duration>,
}

/// A datagram for the shell to send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Transmit {
    /// Where to send it.
    pub destination: SocketAddr,
    /// Whether it is RTCP (sent from the RTCP socket without rtcp-mux).
    pub rtcp: bool,
    /// The datagram.
    pub contents: Vec<u8>,
}

/// One leg's figures, a snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegStats {
    /// The latched peer.
    pub peer: Option<SocketAddr>,
    /// The peer's current SSRC.
    pub remote_ssrc: Option<u32>,
    /// RTP packets delivered.
    pub packets_received: u64,
    /// Payload octets delivered.
    pub octets_received: u64,
    /// Packets expected from the current source (RFC 3550 A.3).
    pub expected: u32,
    /// Packets lost from the current source (A.3; negative with duplicates).
    pub lost: i64,
    /// Fraction lost in the last report interval, in 1/256 (A.3).
    pub fraction_lost: u8,
    /// Interarrival jitter (A.8), in the payload type's timestamp units.
    pub jitter: u32,
    /// The same jitter as a duration.
    pub jitter_time: Duration,
    /// RTP packets we sent.
    pub packets_sent: u32,
    /// Payload octets we sent.
    pub octets_sent: u32,
    /// Datagrams dropped as malformed.
    pub dropped_malformed: u64,
    /// Datagrams dropped because they came from an address other than the peer.
    pub dropped_foreign: u64,
    /// Packets dropped while learning the peer, on probation or out of sequence.
    pub dropped_sequence: u64,
    /// Round-trip time from the last report that answered our SR.
    pub round_trip: Option<Duration>,
    /// The peer's last report on our stream.
    pub remote: Option<PeerReport>,
    /// RTCP reports we sent.
    pub reports_sent: u32,
    /// RTCP packets from the peer we accepted.
    pub reports_received: u32,
}
