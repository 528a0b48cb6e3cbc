//! The media engine's tokio shell (`media::shard`) on real UDP sockets on
//! 127.0.0.1: calls on shard threads, relayed and mixed audio, recording,
//! ports given back.

use std::net::SocketAddr;
use std::time::Duration;

use media::g711::Law;
use media::goertzel::tone_energy;
use media::rtp::RtpHeader;
use media::rtp::packet::write_rtp;
use media::session::{Hearing, MediaPath, RtpLegSpec, SessionEvent};
use media::shard::{EngineConfig, MediaEngine};
use tokio::net::UdpSocket;
use tokio::time::timeout;

/// Generous bound for a datagram on loopback: a failure, not a timing claim.
const PATIENCE: Duration = Duration::from_secs(5);

fn engine(first: u16) -> MediaEngine {
    MediaEngine::start(EngineConfig::new("127.0.0.1".parse().unwrap(), first, first + 39)).unwrap()
}

/// A μ-law packet of `frequency` for frame `n`.
fn tone_packet(ssrc: u32, n: u16, frequency: f64) -> Vec<u8> {
    let samples: Vec<i16> = (0..160)
        .map(|i| {
            let t = f64::from(u32::from(n) * 160 + i) / 8_000.0;
            (8_000.0 * (std::f64::consts::TAU * frequency * t).sin()) as i16
        })
        .collect();
    let mut payload = [0u8; 160];
    Law::Ulaw.encode_into(&samples, &mut payload);
    let header = RtpHeader {
        payload_type: 0,
        marker: n == 0,
        sequence: n,
        timestamp: u32::from(n) * 160,
        ssrc,
        payload: &payload,
    };
    let mut out = vec![0u8; 172];
    write_rtp(&header, &mut out).unwrap();
    out
}

/// The caller's 440 Hz packet `n` with its number in the first two
/// payload bytes: a tone's frames repeat (440 Hz: every fifth) and the
/// relay renumbers, so the payload names the packet.
fn numbered(n: u16) -> Vec<u8> {
    let mut packet = tone_packet(0xca11, n, 440.0);
    packet[12..14].copy_from_slice(&[0x55, n as u8]);
    packet
}

/// Whether a payload is one of [`numbered`]'s.
fn is_numbered(payload: &[u8]) -> bool {
    payload[0] == 0x55
}

/// Receives RTP packets until `count` arrived; returns their headers' SSRCs and payloads.
async fn receive(socket: &UdpSocket, count: usize) -> Vec<(u32, u16, Vec<u8>)> {
    receive_where(socket, count, |_| true).await
}

/// As [`receive`], keeping only the packets whose payload passes `keep`.
async fn receive_where(socket: &UdpSocket, count: usize, keep: fn(&[u8]) -> bool) -> Vec<(u32, u16, Vec<u8>)> {
    let mut got = Vec::new();
    let mut buffer = [0u8; 2048];
    while got.len() < count {
        let (len, _) = timeout(PATIENCE, socket.recv_from(&mut buffer)).await.expect("RTP arrives").unwrap();
        let Ok(h) = RtpHeader::parse(&buffer[..len]) else { continue };
        if (200..=204).contains(&buffer[1]) || !keep(h.payload) {
            continue;
        }
        got.push((h.ssrc, h.sequence, h.payload.to_vec()));
    }
    got
}

#[tokio::test]
async fn a_bridged_call_on_a_shard_relays_rtp_between_two_udp_peers() {
    let engine = engine(41_000);
    let caller = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let agent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let call = engine.open_call("call-1");
    let a = call.add_rtp_leg(RtpLegSpec::pcmu(Some(caller.local_addr().unwrap()))).await.unwrap();
    let b = call.add_rtp_leg(RtpLegSpec::pcmu(Some(agent.local_addr().unwrap()))).await.unwrap();
    assert!((41_000..41_040).contains(&a.local.port()) && a.local.port() % 2 == 0);
    assert_eq!(engine.load(), vec![1]);
    let path = call.set_hearing(Hearing::Bridge { caller: a.id, agent: b.id }).await.unwrap();
    assert_eq!(path, MediaPath::Relay);
    for n in 0..20 {
        caller.send_to(&tone_packet(0xca11, n, 440.0), a.local).await.unwrap();
        agent.send_to(&tone_packet(0xa9e7, n, 700.0), b.local).await.unwrap();
    }
    // The first packet of each side latches its peer; the rest are relayed.
    // (Before the bridge, the mixer sent each leg silence.)
    // μ-law near silence is 0xff/0x7f give or take a step.
    let sound = |payload: &[u8]| payload.iter().any(|&b| !matches!(b, 0xfc..=0xff | 0x7c..=0x7f));
    let at_agent = receive_where(&agent, 17, sound).await;
    let at_caller = receive_where(&caller, 17, sound).await;
    assert!(at_agent.iter().all(|(ssrc, _, _)| *ssrc != 0xca11), "relayed with our SSRC");
    assert!(at_agent.windows(2).all(|w| w[1].1 == w[0].1.wrapping_add(1)));
    // Relayed payloads are the peers' own, untouched and in order (the
    // first one or two may have gone to the mixer, before the bridge).
    let untouched = |got: &[(u32, u16, Vec<u8>)], ssrc: u32, frequency: f64| {
        let first = (1..4).find(|&n| got[0].2 == tone_packet(ssrc, n, frequency)[12..]);
        let first = first.expect("the first relayed payload is one the peer sent");
        got.iter().zip(first..).all(|(g, n)| g.2 == tone_packet(ssrc, n, frequency)[12..])
    };
    assert!(untouched(&at_agent, 0xca11, 440.0), "the caller's payloads reach the agent untouched");
    assert!(untouched(&at_caller, 0xa9e7, 700.0), "the agent's payloads reach the caller untouched");
    call.close().await.unwrap();
}

#[tokio::test]
async fn a_call_with_a_player_is_mixed_and_paced_by_the_frame_clock() {
    let engine = engine(41_100);
    let caller = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut call = engine.open_call("call-2");
    let a = call.add_rtp_leg(RtpLegSpec::pcmu(Some(caller.local_addr().unwrap()))).await.unwrap();
    // Alone in the IVR: a second of 1,000 Hz is played to the caller.
    let clip: Vec<i16> = (0..16_000)
        .map(|i| (6_000.0 * (std::f64::consts::TAU * 1_000.0 * f64::from(i) / 16_000.0).sin()) as i16)
        .collect();
    let play = call.play(a.id, media::player::Player::once([clip.into()])).await.unwrap();
    let got = receive(&caller, 25).await;
    let mut audio = Vec::new();
    for (_, _, payload) in &got[5..] {
        let mut pcm = [0i16; 160];
        Law::Ulaw.decode_into(payload, &mut pcm);
        audio.extend_from_slice(&pcm);
    }
    let total: f64 = audio.iter().map(|&x| f64::from(x).powi(2)).sum();
    assert!(tone_energy(&audio, 1_000.0, 8_000.0) / total > 0.5, "the prompt is heard");
    let mut finished = false;
    while let Ok(Some(event)) = timeout(PATIENCE, call.next_event()).await {
        if event == (SessionEvent::PlayFinished { leg: a.id, play }) {
            finished = true;
            break;
        }
    }
    assert!(finished, "the end of the prompt is reported");
    call.close().await.unwrap();
}

#[tokio::test]
async fn closing_a_call_gives_its_ports_back_and_ends_its_task() {
    let engine = MediaEngine::start(EngineConfig::new("127.0.0.1".parse().unwrap(), 41_200, 41_203)).unwrap();
    let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let mut call = engine.open_call("call-3");
    let first = call.add_rtp_leg(RtpLegSpec::pcmu(Some(peer))).await.unwrap();
    call.add_rtp_leg(RtpLegSpec::pcmu(Some(peer))).await.unwrap();
    let full = call.add_rtp_leg(RtpLegSpec::pcmu(Some(peer))).await;
    assert!(matches!(full, Err(media::shard::MediaError::Ports(_))), "two pairs in the range: {full:?}");
    call.close().await.unwrap();
    assert!(call.add_rtp_leg(RtpLegSpec::pcmu(Some(peer))).await.is_err(), "the task has ended");
    while timeout(PATIENCE, call.next_event()).await.expect("the event stream ends").is_some() {}
    assert_eq!(engine.load(), vec![0]);
    let again = engine.open_call("call-4");
    let leg = again.add_rtp_leg(RtpLegSpec::pcmu(Some(peer))).await.unwrap();
    assert_eq!(leg.local.port(), 41_200, "the freed pairs are used again");
    let _ = first;
}

#[tokio::test]
async fn a_recording_started_on_a_shard_reports_its_path_and_completes_on_close() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenant-1").join("call-5.wav");
    let engine = engine(41_300);
    let caller = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let agent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut call = engine.open_call("call-5");
    let a = call.add_rtp_leg(RtpLegSpec::pcmu(Some(caller.local_addr().unwrap()))).await.unwrap();
    let b = call.add_rtp_leg(RtpLegSpec::pcmu(Some(agent.local_addr().unwrap()))).await.unwrap();
    call.set_hearing(Hearing::Bridge { caller: a.id, agent: b.id }).await.unwrap();
    call.start_recording(path.clone(), a.id).await.unwrap();
    assert!(call.start_recording(path.clone(), a.id).await.is_err(), "one recording per call");
    let mut started = false;
    while let Ok(Some(event)) = timeout(PATIENCE, call.next_event()).await {
        if event == (SessionEvent::RecordingStarted { path: path.clone() }) {
            started = true;
            break;
        }
    }
    assert!(started);
    call.close().await.unwrap();
    let mut stopped = false;
    while let Ok(Some(event)) = timeout(PATIENCE, call.next_event()).await {
        stopped |= matches!(event, SessionEvent::RecordingStopped { path: ref p, .. } if *p == path);
    }
    assert!(stopped, "closing the call completes the recording");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(media::wav::Wav::parse(&bytes).unwrap().spec().channels, 2);
}

#[tokio::test]
async fn a_burst_on_one_socket_is_relayed_to_its_last_packet_without_waiting_for_more() {
    // The shard drains a socket a few datagrams per receive (a short
    // receive meaning drained) and carries a busy one to its next round;
    // 48 packets sent back to back can be more than one socket's share of
    // a round (4 receives of 4), and nothing arrives after them to report
    // the socket again: none may be left waiting.
    let engine = engine(41_400);
    let caller = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let agent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let call = engine.open_call("call-6");
    let a = call.add_rtp_leg(RtpLegSpec::pcmu(Some(caller.local_addr().unwrap()))).await.unwrap();
    let b = call.add_rtp_leg(RtpLegSpec::pcmu(Some(agent.local_addr().unwrap()))).await.unwrap();
    call.set_hearing(Hearing::Bridge { caller: a.id, agent: b.id }).await.unwrap();
    // Both sides latched and relayed first, as in a call.
    for n in 0..4 {
        caller.send_to(&numbered(n), a.local).await.unwrap();
        agent.send_to(&tone_packet(0xa9e7, n, 700.0), b.local).await.unwrap();
    }
    receive_where(&agent, 1, is_numbered).await;
    for n in 4..52 {
        caller.send_to(&numbered(n), a.local).await.unwrap();
    }
    let mut got = Vec::new();
    while got.last().is_none_or(|&(n, _)| n != 51) {
        let (_, sequence, payload) = receive_where(&agent, 1, is_numbered).await.remove(0);
        if payload[1] >= 4 {
            got.push((payload[1], sequence));
        }
    }
    // The whole burst is relayed, in order and renumbered without a gap.
    assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), (4..52).collect::<Vec<u8>>());
    assert!(got.windows(2).all(|w| w[1].1 == w[0].1.wrapping_add(1)));
    call.close().await.unwrap();
}

#[test]
fn wake_pacing_sleeps_out_the_rest_of_its_interval_and_never_past_a_timer() {
    use media::shard::WakePacing;
    let woke = std::time::Instant::now();
    let ms = Duration::from_millis;
    let paced = WakePacing { interval: ms(1) };
    // Woken 0.25 ms ago: the rest of the millisecond.
    assert_eq!(paced.pause(woke, woke + Duration::from_micros(250), None), Some(Duration::from_micros(750)));
    // A timer due sooner cuts the pause short; one due later does not.
    assert_eq!(paced.pause(woke, woke, Some(woke + Duration::from_micros(400))), Some(Duration::from_micros(400)));
    assert_eq!(paced.pause(woke, woke, Some(woke + ms(5))), Some(ms(1)));
    // The interval has passed, or a timer is due: wait on the sockets now.
    assert_eq!(paced.pause(woke, woke + ms(1), None), None);
    assert_eq!(paced.pause(woke, woke + ms(3), None), None);
    assert_eq!(paced.pause(woke, woke, Some(woke)), None);
    // Unpaced: never.
    assert_eq!(WakePacing { interval: Duration::ZERO }.pause(woke, woke, None), None);
    // Sleeps are kept within an eighth of the interval, 1 to 50 µs.
    assert_eq!(paced.timer_slack(), Duration::from_micros(50));
    assert_eq!(WakePacing { interval: Duration::from_micros(200) }.timer_slack(), Duration::from_micros(25));
    assert_eq!(WakePacing { interval: Duration::from_micros(4) }.timer_slack(), Duration::from_micros(1));
}

#[tokio::test]
async fn a_paced_shard_takes_what_came_during_its_pause_in_one_wake_and_relays_all_of_it() {
    // With a long pacing interval, a packet for each of ten calls, sent
    // back to back after a wake, waits out its pause and is taken with the
    // others: one or two wakes (the first packet may wake the shard before
    // the rest arrive), where an unpaced shard wakes for most of them.
    // None is lost or held back.
    let config =
        EngineConfig::new("127.0.0.1".parse().unwrap(), 41_500, 41_539).with_pacing(Duration::from_millis(100));
    let engine = MediaEngine::start(config).unwrap();
    let mut calls = Vec::new();
    for n in 0..10 {
        let caller = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let agent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let call = engine.open_call(&format!("call-{n}"));
        let a = call.add_rtp_leg(RtpLegSpec::pcmu(Some(caller.local_addr().unwrap()))).await.unwrap();
        let b = call.add_rtp_leg(RtpLegSpec::pcmu(Some(agent.local_addr().unwrap()))).await.unwrap();
        call.set_hearing(Hearing::Bridge { caller: a.id, agent: b.id }).await.unwrap();
        calls.push((call, caller, agent, a.local, b.local));
    }
    // Both sides of every call latched and relayed first, as in a call.
    for n in 0..4 {
        for (_, caller, agent, a, b) in &calls {
            caller.send_to(&numbered(n), *a).await.unwrap();
            agent.send_to(&tone_packet(0xa9e7, n, 700.0), *b).await.unwrap();
        }
    }
    for (_, _, agent, ..) in &calls {
        while receive_where(agent, 1, is_numbered).await[0].2[1] != 3 {}
    }
    let before = engine.wakes()[0];
    for (_, caller, _, a, _) in &calls {
        caller.send_to(&numbered(4), *a).await.unwrap();
    }
    for (_, _, agent, ..) in &calls {
        assert_eq!(receive_where(agent, 1, is_numbered).await[0].2[1], 4);
    }
    let woke = engine.wakes()[0] - before;
    assert!((1..=2).contains(&woke), "ten packets took {woke} wakes");
    for (call, ..) in calls {
        call.close().await.unwrap();
    }
}
