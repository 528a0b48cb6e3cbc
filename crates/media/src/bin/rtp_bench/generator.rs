//! The generator and receiver: for every call a caller and a callee
//! endpoint, each sending one 172-byte G.711 μ-law RTP packet every 20 ms,
//! the endpoints' send times spread evenly over the 20 ms; the other end
//! counts what arrives and the one-way delay.
//!
//! One thread, non-blocking sockets and `poll(2)`. The endpoints share a
//! few sockets per side (`per_side`, endpoint of call `k` on socket
//! `k % per_side`), so the generator's receive cost is one `recvfrom` per
//! packet with no per-endpoint wake-up; the relay still sees two addresses
//! per call on its side and one port per leg on its own. Every payload
//! starts with the send time (nanoseconds since the run's start), the
//! call's index and the sending side, so the receiver computes the delay,
//! checks the packet reached the right call and side, and counts loss by
//! send time.
//!
//! A mixer decodes and re-encodes, so the stamp cannot cross it: with
//! [`Marking::Pulse`] every endpoint sends silence with one loud 1 kHz
//! packet a second, and the receiver times each pulse's first loud packet
//! against the pulse's send time, telling the call and side by the
//! relay address the packet comes from.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};

use super::histogram::Histogram;

/// Bytes of one packet: 12 of RTP header, 160 of μ-law (20 ms at 8 kHz).
pub const PACKET_LEN: usize = 172;
/// The packet interval, nanoseconds.
const INTERVAL_NS: u64 = 20_000_000;
/// Timestamp units per packet.
const SAMPLES: u32 = 160;
/// Socket buffers asked for (the kernel caps them at `rmem_max`).
const SOCKET_BUFFER: usize = 4 << 20;
/// Side index of the caller and of the callee.
pub const CALLER: usize = 0;
/// A pulse every this many packets (one a second).
const PULSE_EVERY: u64 = 50;
/// Samples of a packet above this magnitude make it loud...
const LOUD_SAMPLE: i16 = 2000;
/// ...when there are at least this many.
const LOUD_COUNT: usize = 40;

/// How packets carry what the receiver measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marking {
    /// The send time, call and side in the payload (a relay keeps payloads).
    Stamp,
    /// Silence and a loud packet a second (the payload does not survive).
    Pulse,
}

/// The endpoints' sockets, `per_side` for the callers and as many for the
/// callees.
#[derive(Debug)]
pub struct Endpoints {
    sides: [Vec<UdpSocket>; 2],
}

impl Endpoints {
    /// Binds `per_side` non-blocking sockets per side on `ip`.
    pub fn bind(ip: IpAddr, per_side: usize) -> io::Result<Self> {
        let bind_side = || -> io::Result<Vec<UdpSocket>> {
            (0..per_side.max(1))
                .map(|_| {
                    let socket = UdpSocket::bind(SocketAddr::new(ip, 0))?;
                    socket.set_nonblocking(true)?;
                    // Best effort: a small buffer shows up as loss, which the report counts.
                    let _ = rustix::net::sockopt::set_socket_recv_buffer_size(&socket, SOCKET_BUFFER);
                    let _ = rustix::net::sockopt::set_socket_send_buffer_size(&socket, SOCKET_BUFFER);
                    Ok(socket)
                })
                .collect()
        };
        Ok(Self { sides: [bind_side()?, bind_side()?] })
    }

    /// The address of call `call`'s endpoint on `side` ([`CALLER`] or 1).
    pub fn addr(&self, call: usize, side: usize) -> io::Result<SocketAddr> {
        self.socket(call, side).local_addr()
    }

    fn socket(&self, call: usize, side: usize) -> &UdpSocket {
        let sockets = &self.sides[side];
        &sockets[call % sockets.len()]
    }
}

/// When the run sends and which packets it counts.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// Time zero of the payload timestamps; the first packets go out then.
    pub start: Instant,
    /// Packets sent from here on are counted...
    pub window_start: Instant,
    /// ...up to here, when sending stops.
    pub window_end: Instant,
    /// Receiving stops here (a margin for the last packets in flight).
    pub stop: Instant,
    /// The least sleep between two passes of the loop.
    pub tick: Duration,
}

/// What a run saw. Counts are of packets sent inside the window.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Packets sent (all of them).
    pub offered: u64,
    /// Packets measured: all with [`Marking::Stamp`], the pulses with
    /// [`Marking::Pulse`].
    pub sent: u64,
    /// Of those, received at the right endpoint.
    pub received: u64,
    /// Received at an endpoint of another call or side.
    pub misrouted: u64,
    /// Datagrams that are not the generator's packets (RTCP, ...), any time.
    pub foreign: u64,
    /// Sends that failed (buffer full, error), any time.
    pub send_errors: u64,
    /// One-way delay of the packets received, ns.
    pub delay: Histogram,
    /// How late the generator sent each packet after its due time, ns.
    pub lateness: Histogram,
}

/// Streams from every endpoint to its target (`targets[call][side]`, where
/// that side sends) on `schedule`, receiving on every endpoint, and
/// reports. Runs on the calling thread until `schedule.stop`.
pub fn run(
    endpoints: &Endpoints,
    targets: &[[SocketAddr; 2]],
    schedule: &Schedule,
    marking: Marking,
) -> io::Result<Report> {
    let mut run = Run::new(schedule, targets, marking);
    let sockets: Vec<&UdpSocket> = endpoints.sides.iter().flatten().collect();
    let per_side = endpoints.sides[CALLER].len();
    let mut buffer = [0u8; 2048];
    loop {
        let now = Instant::now();
        if now >= schedule.stop {
            break;
        }
        run.send_due(endpoints, targets, now);
        let wake = run.next_due().max(now + schedule.tick).min(schedule.stop);
        let mut fds: Vec<PollFd<'_>> = sockets.iter().map(|s| PollFd::new(*s, PollFlags::IN)).collect();
        let wait = wake.saturating_duration_since(Instant::now());
        let timeout = Timespec { tv_sec: wait.as_secs() as i64, tv_nsec: i64::from(wait.subsec_nanos()) };
        match poll(&mut fds, Some(&timeout)) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
        let ready: Vec<usize> =
            fds.iter().enumerate().filter(|(_, fd)| !fd.revents().is_empty()).map(|(i, _)| i).collect();
        drop(fds);
        for index in ready {
            let (side, slot) = (index / per_side, index % per_side);
            run.drain(sockets[index], side, slot, per_side, &mut buffer)?;
        }
    }
    Ok(run.report)
}

/// The loop's state: the next endpoint due and the counts.
struct Run {
    start: Instant,
    window: (u64, u64),
    send_end: Instant,
    endpoints: u64,
    cursor: u64,
    cycle: u64,
    marking: Marking,
    /// Pulse mode: the relay address each call's side hears from.
    sources: HashMap<SocketAddr, (usize, usize)>,
    /// Pulse mode: the send time of each endpoint's pulse not yet heard.
    pulses: Vec<Option<u64>>,
    report: Report,
}

impl Run {
    fn new(schedule: &Schedule, targets: &[[SocketAddr; 2]], marking: Marking) -> Self {
        let since = |t: Instant| t.saturating_duration_since(schedule.start).as_nanos() as u64;
        let calls = targets.len();
        // A packet to the callee leaves the relay from where the callee sends to.
        let sources = targets
            .iter()
            .enumerate()
            .flat_map(|(call, to)| [(to[1 - CALLER], (call, CALLER)), (to[CALLER], (call, 1 - CALLER))])
            .collect();
        Self {
            start: schedule.start,
            window: (since(schedule.window_start), since(schedule.window_end)),
            send_end: schedule.window_end,
            endpoints: (calls as u64 * 2).max(1),
            cursor: 0,
            cycle: 0,
            marking,
            sources,
            pulses: vec![None; calls * 2],
            report: Report::default(),
        }
    }

    /// When the endpoint at the cursor is due: endpoint `e` of `n` sends at
    /// `cycle × 20 ms + e × 20 ms / n`.
    fn next_due(&self) -> Instant {
        let at = self.cycle * INTERVAL_NS + self.cursor * INTERVAL_NS / self.endpoints;
        let due = self.start + Duration::from_nanos(at);
        if due >= self.send_end { Instant::now() + Duration::from_secs(3600) } else { due }
    }

    /// Sends every packet due by `now`.
    fn send_due(&mut self, endpoints: &Endpoints, targets: &[[SocketAddr; 2]], now: Instant) {
        if targets.is_empty() {
            return;
        }
        let mut packet = [0xffu8; PACKET_LEN];
        loop {
            let due = self.next_due();
            if due > now {
                return;
            }
            let (call, side) = ((self.cursor / 2) as usize, (self.cursor % 2) as usize);
            let sent_at = Instant::now();
            let send_ns = sent_at.saturating_duration_since(self.start).as_nanos() as u64;
            let pulse = self.marking == Marking::Pulse && self.cycle % PULSE_EVERY == PULSE_EVERY / 2;
            write_header(&mut packet, self.cycle, self.cursor);
            write_payload(&mut packet, self.marking, pulse, send_ns, call, side);
            match endpoints.socket(call, side).send_to(&packet, targets[call][side]) {
                Ok(_) => {
                    if (self.window.0..self.window.1).contains(&send_ns) {
                        if pulse {
                            self.pulses[self.cursor as usize] = Some(send_ns);
                        }
                        self.report.offered += 1;
                        self.report.sent += u64::from(self.marking == Marking::Stamp || pulse);
                        self.report.lateness.record(sent_at.saturating_duration_since(due).as_nanos() as u64);
                    }
                }
                Err(_) => self.report.send_errors += 1,
            }
            self.cursor += 1;
            if self.cursor == self.endpoints {
                self.cursor = 0;
                self.cycle += 1;
            }
        }
    }

    /// Reads every datagram waiting on `socket` (socket `slot` of `side`).
    fn drain(
        &mut self,
        socket: &UdpSocket,
        side: usize,
        slot: usize,
        per_side: usize,
        buffer: &mut [u8],
    ) -> io::Result<()> {
        loop {
            let (len, from) = match socket.recv_from(buffer) {
                Ok(got) => got,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                // An ICMP error reported on the socket: not a packet.
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
                Err(e) => return Err(e),
            };
            let now_ns = Instant::now().saturating_duration_since(self.start).as_nanos() as u64;
            if self.marking == Marking::Pulse {
                self.hear_pulse(&buffer[..len], from, side, now_ns);
                continue;
            }
            let Some((send_ns, call, from_side)) = read_packet(&buffer[..len]) else {
                self.report.foreign += 1;
                continue;
            };
            if !(self.window.0..self.window.1).contains(&send_ns) {
                continue;
            }
            if call % per_side != slot || from_side == side {
                self.report.misrouted += 1;
                continue;
            }
            self.report.received += 1;
            self.report.delay.record(now_ns.saturating_sub(send_ns));
        }
    }
}

impl Run {
    /// Pulse mode: times the first loud packet after a pulse was sent.
    fn hear_pulse(&mut self, packet: &[u8], from: SocketAddr, side: usize, now_ns: u64) {
        let Some(&(call, from_side)) = self.sources.get(&from) else {
            self.report.foreign += 1;
            return;
        };
        if from_side == side || packet.len() != PACKET_LEN || packet[0] & 0xc0 != 0x80 || packet[1] & 0x7f != 0 {
            self.report.foreign += 1;
            return;
        }
        let loud = packet[12..].iter().filter(|&&code| media::g711::ulaw_decode(code).abs() > LOUD_SAMPLE).count();
        let pending = &mut self.pulses[call * 2 + from_side];
        if let Some(send_ns) = *pending
            && loud >= LOUD_COUNT
        {
            *pending = None;
            self.report.received += 1;
            self.report.delay.record(now_ns.saturating_sub(send_ns));
        }
    }
}

/// Writes the RTP header: PCMU, sequence and timestamp from the cycle,
/// SSRC from the endpoint.
fn write_header(packet: &mut [u8; PACKET_LEN], cycle: u64, endpoint: u64) {
    packet[0] = 0x80; // version 2, no padding, extension or CSRC
    packet[1] = 0; // PCMU, no marker
    packet[2..4].copy_from_slice(&(cycle as u16).to_be_bytes());
    packet[4..8].copy_from_slice(&(cycle as u32).wrapping_mul(SAMPLES).to_be_bytes());
    packet[8..12].copy_from_slice(&(endpoint as u32 + 1).to_be_bytes());
}

/// Writes the payload: with [`Marking::Stamp`] the send time, call and
/// side in the first 13 bytes and μ-law silence (0xff) after; with
/// [`Marking::Pulse`] silence, or a full-scale-ish 1 kHz tone for a pulse.
fn write_payload(packet: &mut [u8; PACKET_LEN], marking: Marking, pulse: bool, send_ns: u64, call: usize, side: usize) {
    if marking == Marking::Pulse {
        for (i, code) in packet[12..].iter_mut().enumerate() {
            // 1 kHz at 8 kHz: eight samples a period, peak 16,000.
            let sample = [0, 11314, 16000, 11314, 0, -11314, -16000, -11314][i % 8];
            *code = if pulse { media::g711::ulaw_encode(sample) } else { 0xff };
        }
        return;
    }
    packet[12..].fill(0xff);
    packet[12..20].copy_from_slice(&send_ns.to_be_bytes());
    packet[20..24].copy_from_slice(&(call as u32).to_be_bytes());
    packet[24] = side as u8;
}

/// The send time, call and side of one of our packets, or `None` for any
/// other datagram.
fn read_packet(packet: &[u8]) -> Option<(u64, usize, usize)> {
    if packet.len() != PACKET_LEN || packet[0] & 0xc0 != 0x80 || packet[1] & 0x7f != 0 || packet[24] > 1 {
        return None;
    }
    let send_ns = u64::from_be_bytes(packet[12..20].try_into().ok()?);
    let call = u32::from_be_bytes(packet[20..24].try_into().ok()?) as usize;
    Some((send_ns, call, usize::from(packet[24])))
}
