//! Any datagrams into a call's media session, on both legs, relayed and
//! mixed: the session never panics, a packet it forwards parses as RTP
//! and fits the buffer, and its timers go on.
#![no_main]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use media::rtp::RtpHeader;
use media::session::{CallMedia, Hearing, Received, RtpLegSpec};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, data)) = data.split_first() else { return };
    let t0 = Instant::now();
    let (pa, pb): (SocketAddr, SocketAddr) = ("192.0.2.1:4000".parse().unwrap(), "192.0.2.2:4000".parse().unwrap());
    let local: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let mut media = CallMedia::new(u64::from(mode));
    let a = media.add_rtp_leg(RtpLegSpec::pcmu(Some(pa)).with_telephone_event(101), t0).unwrap();
    let b = media.add_rtp_leg(RtpLegSpec::pcmu(Some(pb)).with_telephone_event(101), t0).unwrap();
    if mode & 1 == 1 {
        media.set_hearing(Hearing::Bridge { caller: a, agent: b }, t0).unwrap();
    } else {
        media.set_hearing(Hearing::Conference, t0).unwrap();
    }
    for (i, piece) in data.chunks(180).enumerate() {
        let now = t0 + Duration::from_millis(7 * i as u64);
        let (leg, source) = if i % 2 == 0 { (a, pa) } else { (b, pb) };
        let mut buffer = piece.to_vec();
        let len = buffer.len();
        if let Received::Forward { len, .. } = media.handle_datagram(leg, &mut buffer, len, source, local, now) {
            assert!(len <= buffer.len());
            RtpHeader::parse(&buffer[..len]).expect("a forwarded packet parses");
        }
        if media.poll_timeout().is_some_and(|at| at <= now) {
            media.handle_timeout(now);
        }
        while media.poll_transmit().is_some() {}
        while media.poll_event().is_some() {}
    }
});
