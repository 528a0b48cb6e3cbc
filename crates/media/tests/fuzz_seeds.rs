//! The fuzz seed corpora (`fuzz/corpus/sdp`, `fuzz/corpus/rfc4733`) run
//! through the parsers in the regular suite: `ok-*` seeds must be read,
//! `bad-*` refused, and nothing may panic, not even the answerer.

use media::dtmf::TelephoneEvent;
use media::offer_answer::{LocalMedia, Negotiator};
use media::sdp::{Direction, SessionDescription};

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("read seed"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn sdp_seeds_parse_or_fail_as_named_and_answering_them_never_panics() {
    let seeds = corpus("sdp");
    assert!(seeds.len() >= 30, "the SDP seed corpus is missing");
    for (name, bytes) in &seeds {
        let parsed = SessionDescription::parse(bytes);
        if name.starts_with("ok-") {
            let sdp = parsed.unwrap_or_else(|e| panic!("{name} should parse: {e}"));
            let again = SessionDescription::parse(sdp.to_string().as_bytes());
            assert_eq!(again.as_ref(), Ok(&sdp), "{name} round trip");
            let mut leg = Negotiator::new(LocalMedia::new("192.0.2.1".parse().expect("ip"), 4000), 1);
            if let Ok(answer) = leg.handle_offer(&sdp, Direction::SendRecv) {
                assert!(SessionDescription::parse(answer.to_string().as_bytes()).is_ok(), "{name}: answer parses");
            }
        } else {
            assert!(name.starts_with("bad-"), "{name}: seeds are ok-* or bad-*");
            assert!(parsed.is_err(), "{name} should be refused");
        }
    }
}

#[test]
fn rfc4733_seeds_parse_or_fail_as_named() {
    let seeds = corpus("rfc4733");
    assert!(seeds.len() >= 10, "the RFC 4733 seed corpus is missing");
    for (name, bytes) in &seeds {
        let parsed = TelephoneEvent::parse(bytes);
        if name.starts_with("ok-") {
            let event = parsed.unwrap_or_else(|e| panic!("{name} should parse: {e}"));
            assert_eq!(event.to_bytes()[..], [bytes[0], bytes[1] & 0xbf, bytes[2], bytes[3]], "{name}");
        } else {
            assert!(name.starts_with("bad-"), "{name}: seeds are ok-* or bad-*");
            assert!(parsed.is_err(), "{name} should be refused");
        }
    }
}
