//! Network bytes never panic the parser or the framer: the fuzz seed
//! corpus (`fuzz/corpus/message`) and random input.

use std::path::PathBuf;

use proptest::prelude::*;
use sip::layer::TransactionLayer;
use sip::message::{Limits, Message, StreamFramer};
use sip::transaction::Config;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/message");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("seed corpus")
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("read seed"))
        })
        .collect();
    files.sort();
    files
}

/// Frames `bytes` pushed in chunks of `chunk`, returning how many messages
/// came out; stops at a stream failure.
fn frame(bytes: &[u8], chunk: usize) -> usize {
    let limits = Limits::default();
    let mut framer = StreamFramer::new(limits);
    let mut messages = 0;
    for piece in bytes.chunks(chunk.max(1)) {
        framer.push(piece);
        while let Some(frame) = framer.poll() {
            match frame {
                Ok(sip::message::Frame::Message(_)) => messages += 1,
                Ok(_) => {}
                Err(_) if framer.is_failed() => return messages,
                Err(_) => {}
            }
        }
        assert!(framer.buffered() <= limits.max_head + limits.max_body + chunk);
    }
    messages
}

#[test]
fn seed_corpus_parses_or_fails_as_named() {
    let seeds = corpus();
    assert!(seeds.len() >= 30, "seed corpus is missing");
    for (name, bytes) in &seeds {
        let parsed = Message::parse(bytes);
        if name.starts_with("ok-") {
            let message = parsed.unwrap_or_else(|e| panic!("{name} should parse: {e}"));
            let again = Message::parse(&message.to_bytes()).unwrap_or_else(|e| panic!("{name} round trip: {e}"));
            assert_eq!(again.headers().vias(), message.headers().vias(), "{name}");
            assert_eq!(again.headers().cseq(), message.headers().cseq(), "{name}");
        } else {
            assert!(parsed.is_err(), "{name} should be rejected");
        }
    }
}

#[test]
fn seed_corpus_frames_at_every_chunk_size_without_panic() {
    for (name, bytes) in corpus() {
        let whole = frame(&bytes, bytes.len().max(1));
        for chunk in [1, 2, 3, 7, 64] {
            assert_eq!(frame(&bytes, chunk), whole, "{name} framed differently in chunks of {chunk}");
        }
    }
}

#[test]
fn stream_of_two_messages_and_a_ping_frames_two_messages() {
    let seed = corpus().into_iter().find(|(n, _)| n == "ok-stream-two-messages-and-ping.sip").expect("seed");
    assert_eq!(frame(&seed.1, 5), 2);
}

/// Every single-byte change of every seed to a delimiter, a letter or a
/// control byte: whatever the layer answers must parse again. (A From of
/// `Afoo:bar>` once came back as `<Afoo:bar>>`.)
#[test]
fn single_byte_mutations_of_every_seed_only_send_parsable_messages() {
    let source = "192.0.2.1:5060".parse().expect("addr");
    let now = std::time::Instant::now();
    // The huge-header seeds only repeat one line; they would add minutes.
    for (name, seed) in corpus().into_iter().filter(|(_, seed)| seed.len() <= 1024) {
        for i in 0..seed.len() {
            for byte in [b'A', b'<', b'>', b'"', b' ', b';', b',', b':', b'=', 0, 0xff] {
                let mut bytes = seed.clone();
                bytes[i] = byte;
                let mut layer = TransactionLayer::new(Config::default(), Limits::default(), 7);
                layer.handle_datagram(&bytes, source, now);
                while layer.poll_event().is_some() {}
                while let Some(transmit) = layer.poll_transmit() {
                    let sent = transmit.message.to_bytes();
                    assert!(
                        Message::parse(&sent).is_ok(),
                        "{name} with byte {i} set to {byte:#04x}: the layer sent {:?}",
                        String::from_utf8_lossy(&sent)
                    );
                }
            }
        }
    }
}

fn seed_strategy() -> impl Strategy<Value = Vec<u8>> {
    let seeds: Vec<Vec<u8>> = corpus().into_iter().map(|(_, b)| b).collect();
    proptest::sample::select(seeds)
}

proptest! {
    #![proptest_config(crate::harness::fixed_seed())]

    #[test]
    fn random_bytes_never_panic_the_parser(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = Message::parse(&bytes);
    }

    #[test]
    fn random_bytes_never_panic_the_framer(bytes in proptest::collection::vec(any::<u8>(), 0..2048), chunk in 1usize..64) {
        let _ = frame(&bytes, chunk);
    }

    #[test]
    fn mutated_seeds_never_panic(
        seed in seed_strategy(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..16),
        chunk in 1usize..32,
    ) {
        let mut bytes = seed;
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                bytes.push(byte);
                continue;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        if let Ok(message) = Message::parse(&bytes) {
            prop_assert!(Message::parse(&message.to_bytes()).is_ok(), "a parsed message must serialise to a parsable one");
        }
        let _ = frame(&bytes, chunk);
    }

    #[test]
    fn transaction_layer_survives_mutated_datagrams(
        datagrams in proptest::collection::vec(
            (seed_strategy(), proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8)),
            1..8,
        ),
    ) {
        let mut layer = TransactionLayer::new(Config::default(), Limits::default(), 7);
        let start = std::time::Instant::now();
        let source = "192.0.2.1:5060".parse().expect("addr");
        for (step, (mut bytes, edits)) in datagrams.into_iter().enumerate() {
            for (at, byte) in edits {
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    bytes[i] = byte;
                }
            }
            let now = start + std::time::Duration::from_millis(300 * step as u64);
            layer.handle_timeout(now);
            layer.handle_datagram(&bytes, source, now);
            while layer.poll_event().is_some() {}
            while let Some(transmit) = layer.poll_transmit() {
                prop_assert!(Message::parse(&transmit.message.to_bytes()).is_ok(), "the layer sends what it can parse");
            }
        }
    }

    #[test]
    fn mutated_header_text_never_panics(
        seed in seed_strategy(),
        text in "[ -~\\t\\r\\n;:<>\",=@\\[\\]]{0,64}",
        at in any::<prop::sample::Index>(),
    ) {
        let mut bytes = seed;
        let i = if bytes.is_empty() { 0 } else { at.index(bytes.len()) };
        bytes.splice(i..i, text.bytes());
        if let Ok(message) = Message::parse(&bytes) {
            prop_assert!(Message::parse(&message.to_bytes()).is_ok(), "a parsed message must serialise to a parsable one");
        }
    }
}
