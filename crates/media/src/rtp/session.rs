//! The session state machine of one RTP leg.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::latch::{Latch, Verdict};
use super::packet::{self, Kind};
use super::rtcp::{self, Block, Finding, Report, SenderInfo};
use super::stats::{Receiver, SeqVerdict};
use super::{Config, DropReason, EndReason, Event, Handled, LegStats, PeerReport, RtpHeader, Transmit};

/// The longest CNAME an SDES item holds.
const MAX_CNAME: usize = 255;

/// The session's timers, each named after what it does; the next deadline
/// is the earliest set one.
#[derive(Debug, Clone, Copy)]
enum Timer {
    /// RFC 3550 §6.2: send the next SR/RR.
    Report = 0,
    /// No media from the peer for [`Config::media_timeout`].
    MediaTimeout = 1,
}

/// Whether the leg runs.
#[derive(Debug, Clone)]
enum State {
    /// Receiving and sending; `Latch` knows where the peer is.
    Active(Latch),
    /// Over: nothing is delivered or reported any more.
    Ended {
        /// The last peer address, kept for the figures.
        peer: Option<SocketAddr>,
    },
}

/// What we sent, for the SR's sender information.
#[derive(Debug, Clone, Copy, Default)]
struct Sent {
    packets: u32,
    octets: u32,
    /// RTP timestamp, send time and clock rate of the last packet.
    last: Option<(u32, Instant, u32)>,
    since_report: bool,
}

/// The last SR from the peer: its NTP middle bits and when it arrived.
#[derive(Debug, Clone, Copy)]
struct LastSr {
    middle: u32,
    at: Instant,
}

/// One RTP leg: latching, statistics, RTCP. See the [module docs](super).
#[derive(Debug)]
pub struct RtpSession {
    config: Config,
    start: Instant,
    state: State,
    /// The peer's current source.
    receiver: Option<Receiver>,
    /// A new SSRC from the peer, on probation.
    pending: Option<Receiver>,
    next_sequence: u16,
    sent: Sent,
    last_sr: Option<LastSr>,
    /// Where the peer's RTCP came from last.
    rtcp_source: Option<SocketAddr>,
    stats: LegStats,
    timers: [Option<Instant>; 2],
    events: VecDeque<Event>,
    transmits: VecDeque<Transmit>,
}

impl RtpSession {
    /// A session that starts at `now`; its first report is due one
    /// interval later.
    #[must_use]
    pub fn new(mut config: Config, now: Instant) -> Self {
        if config.cname.len() > MAX_CNAME {
            let mut end = MAX_CNAME;
            while !config.cname.is_char_boundary(end) {
                end -= 1;
            }
            config.cname.truncate(end);
        }
        let mut timers = [None; 2];
        timers[Timer::Report as usize] = now.checked_add(config.report_interval);
        timers[Timer::MediaTimeout as usize] = config.media_timeout.and_then(|t| now.checked_add(t));
        Self {
            state: State::Active(Latch::Learning { expected: config.remote, run: None }),
            next_sequence: config.initial_sequence,
            config,
            start: now,
            receiver: None,
            pending: None,
            sent: Sent::default(),
            last_sr: None,
            rtcp_source: None,
            stats: LegStats::default(),
            timers,
            events: VecDeque::new(),
            transmits: VecDeque::new(),
        }
    }

    /// Our SSRC.
    #[must_use]
    pub fn ssrc(&self) -> u32 {
        self.config.ssrc
    }

    /// The latched peer address, if one is latched.
    #[must_use]
    pub fn peer(&self) -> Option<SocketAddr> {
        match &self.state {
            State::Active(latch) => latch.peer(),
            State::Ended { peer } => *peer,
        }
    }

    /// Where RTP for the peer goes: the latched address, else the SDP's;
    /// `None` once ended.
    #[must_use]
    pub fn destination(&self) -> Option<SocketAddr> {
        match &self.state {
            State::Active(latch) => latch.destination(),
            State::Ended { .. } => None,
        }
    }

    /// Whether the leg has ended.
    #[must_use]
    pub fn is_ended(&self) -> bool {
        matches!(self.state, State::Ended { .. })
    }

    /// Takes one datagram received from `source` at `now` on the leg's
    /// port: an RTP packet from the peer is returned for decoding or
    /// relaying, RTCP is consumed, anything else is dropped and counted.
    pub fn handle_packet<'a>(&mut self, bytes: &'a [u8], source: SocketAddr, now: Instant) -> Handled<'a> {
        if self.is_ended() {
            return Handled::Dropped(DropReason::Ended);
        }
        match packet::classify(bytes) {
            Kind::Rtp => self.on_rtp(bytes, source, now),
            Kind::Rtcp => self.on_rtcp(bytes, source, now),
            Kind::Other => self.malformed(),
        }
    }

    fn malformed<'a>(&mut self) -> Handled<'a> {
        self.stats.dropped_malformed += 1;
        Handled::Dropped(DropReason::Malformed)
    }

    fn on_rtp<'a>(&mut self, bytes: &'a [u8], source: SocketAddr, now: Instant) -> Handled<'a> {
        let Ok(header) = RtpHeader::parse(bytes) else {
            return self.malformed();
        };
        let State::Active(latch) = &mut self.state else {
            return Handled::Dropped(DropReason::Ended);
        };
        match latch.on_rtp(&self.config.latch, source, header.ssrc, header.sequence, now) {
            Verdict::Accept => {}
            Verdict::Learnt(peer) => {
                self.events.push_back(Event::Latched(peer));
                self.adopt_source(header.ssrc, header.sequence, false);
                return self.deliver(header, now);
            }
            Verdict::Moved(from) => {
                self.events.push_back(Event::PeerMoved { from, to: source });
                if self.receiver.as_ref().is_none_or(|r| r.ssrc() != header.ssrc) {
                    self.adopt_source(header.ssrc, header.sequence, true);
                    return self.deliver(header, now);
                }
            }
            Verdict::Pending => {
                self.stats.dropped_sequence += 1;
                return Handled::Dropped(DropReason::Learning);
            }
            Verdict::Foreign => {
                self.stats.dropped_foreign += 1;
                return Handled::Dropped(DropReason::ForeignSource);
            }
        }
        if self.check_sequence(header.ssrc, header.sequence) {
            self.deliver(header, now)
        } else {
            self.stats.dropped_sequence += 1;
            Handled::Dropped(DropReason::Sequence)
        }
    }

    /// Makes `ssrc` the peer's current source, valid from `seq` on.
    fn adopt_source(&mut self, ssrc: u32, seq: u16, announce: bool) {
        self.receiver = Some(Receiver::validated(ssrc, seq));
        self.pending = None;
        if announce {
            self.events.push_back(Event::SourceChanged(ssrc));
        }
    }

    /// RFC 3550 A.1 for a packet from the latched peer; a new SSRC takes
    /// over once it passes probation. Whether to deliver it.
    fn check_sequence(&mut self, ssrc: u32, seq: u16) -> bool {
        if let Some(r) = self.receiver.as_mut().filter(|r| r.ssrc() == ssrc) {
            return r.update_seq(seq) == SeqVerdict::Accepted;
        }
        let mut pending = match self.pending.take() {
            Some(p) if p.ssrc() == ssrc => p,
            _ => Receiver::new(ssrc, seq),
        };
        if pending.update_seq(seq) == SeqVerdict::Accepted {
            self.receiver = Some(pending);
            self.events.push_back(Event::SourceChanged(ssrc));
            true
        } else {
            self.pending = Some(pending);
            false
        }
    }

    fn deliver<'a>(&mut self, header: RtpHeader<'a>, now: Instant) -> Handled<'a> {
        let rate = self.config.clock_rate(header.payload_type);
        if rate > 0 && !self.config.is_event(header.payload_type) {
            let arrival = self.clock_at(now, rate);
            if let Some(r) = self.receiver.as_mut() {
                r.update_jitter(header.timestamp, arrival, rate);
            }
        }
        self.stats.packets_received += 1;
        self.stats.octets_received += header.payload.len() as u64;
        if let Some(t) = self.config.media_timeout {
            self.timers[Timer::MediaTimeout as usize] = now.checked_add(t);
        }
        Handled::Rtp(header)
    }

    /// `now` in a `rate` Hz clock since the start (wrapping, as RTP does).
    /// In microseconds and 64 bits (this runs for every packet): exact to
    /// the microsecond, and it would wrap only after 12 years at 48 kHz.
    fn clock_at(&self, now: Instant, rate: u32) -> u32 {
        let micros = now.saturating_duration_since(self.start).as_micros() as u64;
        (micros.wrapping_mul(u64::from(rate)) / 1_000_000) as u32
    }

    fn ntp_at(&self, now: Instant) -> u64 {
        self.config.ntp_at_start.wrapping_add(rtcp::ntp_duration(now.saturating_duration_since(self.start)))
    }

    /// Whether RTCP from `source` is the peer's: the latched address with
    /// rtcp-mux, its host (any port) without.
    fn is_peer_rtcp(&self, source: SocketAddr) -> bool {
        match self.peer() {
            Some(peer) if self.config.rtcp_mux => peer == source,
            Some(peer) => peer.ip() == source.ip(),
            None => false,
        }
    }

    fn on_rtcp<'a>(&mut self, bytes: &'a [u8], source: SocketAddr, now: Instant) -> Handled<'a> {
        if !self.is_peer_rtcp(source) {
            if self.peer().is_none() {
                self.stats.dropped_sequence += 1;
                return Handled::Dropped(DropReason::Learning);
            }
            self.stats.dropped_foreign += 1;
            return Handled::Dropped(DropReason::ForeignSource);
        }
        let remote = self.receiver.as_ref().map(Receiver::ssrc);
        let mut findings = Vec::new();
        let result = rtcp::read_compound(bytes, self.config.ssrc, remote, |f| findings.push(f));
        for finding in findings {
            self.on_finding(finding, now);
        }
        if result.is_err() {
            return self.malformed();
        }
        self.stats.reports_received += 1;
        self.rtcp_source = Some(source);
        Handled::Rtcp
    }

    fn on_finding(&mut self, finding: Finding, now: Instant) {
        match finding {
            Finding::SenderReport { ssrc, ntp } => {
                if self.receiver.as_ref().is_none_or(|r| r.ssrc() == ssrc) {
                    self.last_sr = Some(LastSr { middle: rtcp::ntp_middle(ntp), at: now });
                }
            }
            Finding::Block(b) => {
                let round_trip = (b.last_sr != 0)
                    .then(|| {
                        rtcp::ntp_middle(self.ntp_at(now)).wrapping_sub(b.last_sr).wrapping_sub(b.delay_since_last_sr)
                    })
                    .filter(|units| (*units as i32) >= 0)
                    .map(rtcp::from_q16);
                let report = PeerReport {
                    fraction_lost: b.fraction_lost,
                    cumulative_lost: b.cumulative_lost,
                    highest_sequence: b.highest_sequence,
                    jitter: b.jitter,
                    round_trip,
                };
                self.stats.remote = Some(report);
                if round_trip.is_some() {
                    self.stats.round_trip = round_trip;
                }
                self.events.push_back(Event::Report(report));
            }
            Finding::Bye { reason } => self.end(EndReason::Bye(reason)),
        }
    }

    fn end(&mut self, reason: EndReason) {
        if let State::Active(latch) = &self.state {
            self.state = State::Ended { peer: latch.peer() };
            self.timers = [None; 2];
            self.events.push_back(Event::Ended(reason));
        }
    }

    /// Ends the leg from our side: queues a last report with an RTCP BYE.
    pub fn close(&mut self, now: Instant) {
        if !self.is_ended() {
            self.queue_report(now, true);
            self.end(EndReason::Closed);
        }
    }

    /// Builds an RTP packet from us (our SSRC, the next sequence number)
    /// into `out` and counts it as sent; returns its length, or `None` when
    /// `out` is too small or the leg has ended.
    pub fn write_rtp(
        &mut self,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
        payload: &[u8],
        now: Instant,
        out: &mut [u8],
    ) -> Option<usize> {
        if self.is_ended() {
            return None;
        }
        let header = RtpHeader {
            payload_type,
            marker,
            sequence: self.next_sequence,
            timestamp,
            ssrc: self.config.ssrc,
            payload,
        };
        let len = packet::write_rtp(&header, out)?;
        self.next_sequence = self.next_sequence.wrapping_add(1);
        self.record_sent(payload_type, timestamp, payload.len(), now);
        Some(len)
    }

    /// Takes the peer's new address from a re-INVITE: a different one is
    /// learnt again from its packets (symmetric RTP), the same one keeps
    /// the latch.
    pub fn set_remote(&mut self, remote: Option<SocketAddr>) {
        if remote == self.config.remote {
            return;
        }
        self.config.remote = remote;
        if let State::Active(latch) = &mut self.state {
            *latch = Latch::Learning { expected: remote, run: None };
        }
    }

    /// Sets the clock rate of a payload type a re-INVITE brought in.
    pub fn set_payload(&mut self, payload_type: u8, clock_rate: u32) {
        self.config.clock_rates[usize::from(payload_type & 0x7f)] = clock_rate;
    }

    /// Declares a telephone-event payload type a re-INVITE brought in.
    pub fn set_telephone_event(&mut self, payload_type: u8, clock_rate: u32) {
        let pt = usize::from(payload_type & 0x7f);
        self.config.clock_rates[pt] = clock_rate;
        self.config.events[pt] = true;
    }

    /// The sequence number of the next packet we send.
    #[must_use]
    pub fn next_sequence(&self) -> u16 {
        self.next_sequence
    }

    /// Counts a packet the relay forwarded on this leg with `sequence`:
    /// our own packets continue after it (a switch from the relay to the
    /// mixer keeps the stream's numbers running), and it counts as sent.
    pub fn record_forwarded(
        &mut self,
        sequence: u16,
        payload_type: u8,
        timestamp: u32,
        payload_len: usize,
        now: Instant,
    ) {
        let next = sequence.wrapping_add(1);
        if next.wrapping_sub(self.next_sequence) < 0x8000 {
            self.next_sequence = next;
        }
        self.record_sent(payload_type, timestamp, payload_len, now);
    }

    /// Counts an RTP packet sent on this leg by someone else (the relay,
    /// which writes our SSRC into the packets it forwards).
    pub fn record_sent(&mut self, payload_type: u8, timestamp: u32, payload_len: usize, now: Instant) {
        self.sent.packets = self.sent.packets.wrapping_add(1);
        self.sent.octets = self.sent.octets.wrapping_add(u32::try_from(payload_len).unwrap_or(u32::MAX));
        let rate = self.config.clock_rate(payload_type);
        if rate > 0 && !self.config.is_event(payload_type) {
            self.sent.last = Some((timestamp, now, rate));
        }
        self.sent.since_report = true;
    }

    /// Fires the timers due at `now`: the periodic report, the media timeout.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.timers[Timer::Report as usize].is_some_and(|at| at <= now) {
            self.queue_report(now, false);
            self.timers[Timer::Report as usize] = now.checked_add(self.config.report_interval);
        }
        if self.timers[Timer::MediaTimeout as usize].is_some_and(|at| at <= now) {
            self.end(EndReason::Timeout);
        }
    }

    fn rtcp_destination(&self) -> Option<SocketAddr> {
        let rtp = self.destination()?;
        if self.config.rtcp_mux {
            return Some(rtp);
        }
        Some(self.rtcp_source.unwrap_or_else(|| SocketAddr::new(rtp.ip(), rtp.port().wrapping_add(1))))
    }

    fn sender_info(&self, now: Instant) -> Option<SenderInfo> {
        if !self.sent.since_report {
            return None;
        }
        let rtp_timestamp = self.sent.last.map_or(0, |(ts, at, rate)| {
            let elapsed = now.saturating_duration_since(at).as_nanos();
            ts.wrapping_add((elapsed * u128::from(rate) / 1_000_000_000) as u32)
        });
        Some(SenderInfo { ntp: self.ntp_at(now), rtp_timestamp, packets: self.sent.packets, octets: self.sent.octets })
    }

    fn report_block(&mut self, now: Instant) -> Option<Block> {
        let last_sr = self.last_sr;
        let r = self.receiver.as_mut()?;
        let fraction_lost = r.take_fraction_lost();
        self.stats.fraction_lost = fraction_lost;
        Some(Block {
            ssrc: r.ssrc(),
            fraction_lost,
            cumulative_lost: r.lost(),
            highest_sequence: r.extended_max(),
            jitter: r.jitter(),
            last_sr: last_sr.map_or(0, |sr| sr.middle),
            delay_since_last_sr: last_sr.map_or(0, |sr| rtcp::to_q16(now.saturating_duration_since(sr.at))),
        })
    }

    fn queue_report(&mut self, now: Instant, bye: bool) {
        let Some(destination) = self.rtcp_destination() else {
            return;
        };
        let sender = self.sender_info(now);
        let block = self.report_block(now);
        let report = Report { ssrc: self.config.ssrc, sender, block, cname: &self.config.cname, bye };
        let contents = report.to_bytes();
        self.transmits.push_back(Transmit { destination, rtcp: true, contents });
        self.stats.reports_sent += 1;
        self.sent.since_report = false;
    }

    /// The next datagram to send (RTCP), if any.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next thing the session learnt, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`RtpSession::handle_timeout`] must be called next; `None` once
    /// ended. Call again after every `handle_*`.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.iter().flatten().min().copied()
    }

    /// Reads the fields a packet in or out touches first and returns a
    /// value that means nothing: a shell handling a batch of datagrams
    /// for many calls calls it for each before handling any, so that
    /// their cache misses overlap instead of coming one after the other
    /// (pass the value to [`std::hint::black_box`]).
    #[must_use]
    pub fn warm(&self) -> u64 {
        let receiver = self.receiver.as_ref().map_or(0, |r| u64::from(r.ssrc()));
        let timer = u64::from(self.timers[Timer::Report as usize].is_some());
        receiver
            ^ u64::from(self.is_ended())
            ^ u64::from(self.next_sequence)
            ^ u64::from(self.sent.packets)
            ^ u64::from(self.config.ssrc)
            ^ (timer << 1)
            ^ self.transmits.len() as u64
            ^ self.events.len() as u64
    }

    /// The leg's figures now.
    #[must_use]
    pub fn stats(&self) -> LegStats {
        let mut stats = self.stats;
        stats.peer = self.peer();
        stats.packets_sent = self.sent.packets;
        stats.octets_sent = self.sent.octets;
        if let Some(r) = &self.receiver {
            stats.remote_ssrc = Some(r.ssrc());
            stats.expected = r.expected();
            stats.lost = r.lost();
            stats.jitter = r.jitter();
            stats.jitter_time = match r.clock_rate() {
                0 => Duration::ZERO,
                rate => Duration::from_nanos(u64::from(r.jitter()) * 1_000_000_000 / u64::from(rate)),
            };
        }
        stats
    }
}
