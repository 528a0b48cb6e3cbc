//! Relay fast path: packets per second on one core, beside baselines
//! measured in the same run.
//!
//! Every variant first "receives" a G.711 packet (172 bytes: copies a
//! template into the receive buffer and writes the next sequence number and
//! timestamp, as a socket read would leave a new packet there), then:
//!
//! - `receive only` (baseline a): nothing more: the cost of a plain copy of
//!   the packet bytes;
//! - `rtp-types parse + rebuild` (baseline b): parse with `rtp_types` and
//!   build a new packet with our SSRC, sequence and timestamp into a
//!   second buffer, the way a naive relay would;
//! - `relay rewrite`: [`Relay::rewrite`], the header rewritten in place;
//! - `relay fast path`: the whole per-packet work of one relayed
//!   direction: the incoming leg's [`RtpSession::handle_packet`] (latch,
//!   RFC 3550 A.1 sequence, A.8 jitter), [`Relay::rewrite`], and the
//!   outgoing leg's [`RtpSession::record_sent`].
//!
//! Run: `cargo bench -p media --bench relay`. Prints criterion's time per
//! packet and packets per second for each, then a table of the ratios.

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use media::relay::{Relay, RelayConfig};
use media::rtp::packet::write_rtp;
use media::rtp::{Config, Handled, RtpHeader, RtpSession};

const PAYLOAD: [u8; 160] = [0xd5; 160];

/// The receive buffer and the stream's position.
struct Receiver {
    template: Vec<u8>,
    buf: [u8; 1500],
    len: usize,
    seq: u16,
    ts: u32,
}

impl Receiver {
    fn new() -> Self {
        let mut template = vec![0; 172];
        let header =
            RtpHeader { payload_type: 0, marker: false, sequence: 0, timestamp: 0, ssrc: 0xabcd, payload: &PAYLOAD };
        let n = write_rtp(&header, &mut template).unwrap();
        template.truncate(n);
        Self { len: template.len(), template, buf: [0; 1500], seq: 0, ts: 0 }
    }

    /// A new packet in the buffer.
    #[inline]
    fn receive(&mut self) -> &mut [u8] {
        self.seq = self.seq.wrapping_add(1);
        self.ts = self.ts.wrapping_add(160);
        let buf = &mut self.buf[..self.len];
        buf.copy_from_slice(black_box(&self.template));
        buf[2..4].copy_from_slice(&self.seq.to_be_bytes());
        buf[4..8].copy_from_slice(&self.ts.to_be_bytes());
        buf
    }
}

fn rebuild(packet: &[u8], seq: u16, ts: u32, out: &mut [u8]) -> usize {
    let p = rtp_types::RtpPacket::parse(packet).unwrap();
    rtp_types::RtpPacketBuilder::<&[u8], &[u8]>::new()
        .payload_type(p.payload_type())
        .marker_bit(p.marker_bit())
        .sequence_number(seq)
        .timestamp(ts)
        .ssrc(0x5151_5151)
        .payload(p.payload())
        .write_into(out)
        .unwrap()
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("relay");
    group.throughput(Throughput::Elements(1));

    let mut rx = Receiver::new();
    group.bench_function("receive only", |b| b.iter(|| black_box(rx.receive()[3])));

    let mut rx = Receiver::new();
    let mut out = [0u8; 1500];
    let mut n = 0u16;
    group.bench_function("rtp-types parse + rebuild", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            let len = rebuild(rx.receive(), n, u32::from(n) * 160, &mut out);
            black_box(out[len - 1])
        })
    });

    let mut rx = Receiver::new();
    let t0 = Instant::now();
    let mut relay = Relay::new(RelayConfig::new(0x5151_5151, 1, 1, 8_000));
    group.bench_function("relay rewrite", |b| b.iter(|| black_box(relay.rewrite(rx.receive(), t0).unwrap().sequence)));

    let mut rx = Receiver::new();
    let peer: SocketAddr = "192.0.2.1:4000".parse().unwrap();
    let mut inbound = RtpSession::new(Config::new(1, 1), t0);
    let mut outbound = RtpSession::new(Config::new(0x5151_5151, 1), t0);
    let mut relay = Relay::new(RelayConfig::new(outbound.ssrc(), 1, 1, 8_000));
    let mut now = t0;
    group.bench_function("relay fast path", |b| {
        b.iter(|| {
            now += Duration::from_millis(20);
            let packet = rx.receive();
            if !matches!(inbound.handle_packet(packet, peer, now), Handled::Rtp(_)) {
                return 0;
            }
            let f = relay.rewrite(packet, now).unwrap();
            outbound.record_sent(f.payload_type, f.timestamp, f.payload_len, now);
            black_box(f.sequence)
        })
    });
    group.finish();
    c.final_summary();
    let stats = inbound.stats();
    println!(
        "fast path: {} packets delivered, {} dropped (the first one, while learning the peer)",
        stats.packets_received,
        stats.dropped_sequence + stats.dropped_foreign + stats.dropped_malformed
    );
}
