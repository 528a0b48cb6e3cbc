//! SDP parsing and writing: real-world descriptions round-trip byte for
//! byte, WebRTC attributes pass through, bad lines are named.

use media::sdp::{Attribute, Direction, SdpError, SessionDescription};
use proptest::prelude::*;

/// A description of the seed corpus (`fuzz/corpus/sdp`), by file name.
pub fn sample(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/sdp").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every seed of `fuzz/corpus/sdp`, `(file name, bytes)`, sorted by name.
pub fn samples() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/sdp");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the SDP seed corpus")
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("read seed"))
        })
        .collect();
    files.sort();
    files
}

fn parse(name: &str) -> SessionDescription {
    SessionDescription::parse(&sample(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn real_world_descriptions_are_written_back_byte_for_byte() {
    for name in [
        "ok-chrome-webrtc-offer.sdp",
        "ok-carrier-offer.sdp",
        "ok-baresip-offer.sdp",
        "ok-sipp-uac-offer.sdp",
        "ok-desk-phone-hold.sdp",
        "ok-old-style-hold.sdp",
        "ok-ipv6-rtcp-attribute.sdp",
        "ok-session-level-inactive-and-extras.sdp",
    ] {
        let original = String::from_utf8(sample(name)).expect("utf-8");
        assert_eq!(parse(name).to_string(), original, "{name}");
    }
}

#[test]
fn chrome_offer_passes_every_webrtc_attribute_through() {
    let sdp = parse("ok-chrome-webrtc-offer.sdp");
    assert_eq!(sdp.attribute("group"), Some(Some("BUNDLE 0 1")));
    assert_eq!(sdp.attribute("extmap-allow-mixed"), Some(None));
    let audio = &sdp.media[0];
    assert_eq!(audio.proto, "UDP/TLS/RTP/SAVPF");
    assert_eq!(audio.attribute("ice-ufrag"), Some(Some("EsAw")));
    assert_eq!(audio.attribute("ice-pwd"), Some(Some("P2uYro0UCOQ4zxjKXaWCBui1")));
    assert_eq!(audio.attribute("setup"), Some(Some("actpass")));
    assert_eq!(audio.attribute("mid"), Some(Some("0")));
    assert_eq!(audio.attribute("end-of-candidates"), Some(None));
    assert!(audio.attribute("fingerprint").flatten().is_some_and(|f| f.starts_with("sha-256 D2:FA")));
    let count = |wanted: &str| {
        audio.attributes.iter().filter(|a| matches!(a, Attribute::Other { name, .. } if name == wanted)).count()
    };
    assert_eq!((count("candidate"), count("extmap"), count("ssrc"), count("msid")), (2, 4, 2, 1));
    assert!(audio.rtcp_mux());
    assert_eq!(audio.rtcp().map(|r| r.port), Some(9));
    let opus = audio.rtpmap(111).expect("opus");
    assert_eq!((opus.encoding.as_str(), opus.clock_rate, opus.channels), ("opus", 48000, Some(2)));
    assert_eq!(audio.fmtp(111), Some("minptime=10;useinbandfec=1"));
    assert_eq!(audio.rtpmap(110).map(|m| m.clock_rate), Some(48000));
    assert_eq!(sdp.media[1].kind, "video");
}

#[test]
fn carrier_offer_reads_codecs_packet_times_direction_and_address() {
    let sdp = parse("ok-carrier-offer.sdp");
    let audio = &sdp.media[0];
    assert_eq!(audio.payload_types().collect::<Vec<_>>(), [8, 0, 101]);
    assert_eq!(audio.rtpmap(8).map(|m| m.encoding.as_str()), Some("PCMA"));
    assert_eq!(audio.fmtp(101), Some("0-15"));
    assert_eq!((audio.ptime(), audio.maxptime()), (Some(20), Some(40)));
    assert_eq!(sdp.direction_for(0), Direction::SendRecv);
    assert_eq!(sdp.connection_for(0).and_then(|c| c.ip()), Some("203.0.113.21".parse().expect("ip")));
    assert_eq!(sdp.origin.session_version, 198542);
}

#[test]
fn a_session_level_direction_applies_to_sections_without_their_own() {
    let sdp = parse("ok-session-level-inactive-and-extras.sdp");
    assert_eq!(sdp.direction_for(0), Direction::Inactive);
    assert_eq!(sdp.media[0].port_count, Some(2));
    assert_eq!(parse("ok-sipp-uac-offer.sdp").direction_for(0), Direction::SendRecv, "no attribute: sendrecv");
}

#[test]
fn ipv6_connection_and_rtcp_address_are_read() {
    let sdp = parse("ok-ipv6-rtcp-attribute.sdp");
    assert_eq!(sdp.session_name, " ");
    assert_eq!(sdp.connection_for(0).and_then(|c| c.ip()), Some("2001:db8::1".parse().expect("ip")));
    let rtcp = sdp.media[0].rtcp().expect("rtcp");
    assert_eq!((rtcp.port, rtcp.connection.as_ref().map(|c| c.address.as_str())), (53020, Some("2001:db8::2")));
}

#[test]
fn bare_lf_line_ends_and_trailing_blank_lines_are_accepted() {
    let crlf = parse("ok-sipp-uac-offer.sdp");
    assert_eq!(parse("ok-lf-line-ends.sdp"), crlf);
    let mut padded = sample("ok-sipp-uac-offer.sdp");
    padded.extend_from_slice(b"\r\n\r\n");
    assert_eq!(SessionDescription::parse(&padded), Ok(crlf));
}

#[test]
fn a_decimal_ptime_is_rounded_to_whole_milliseconds() {
    let text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=ptime:20.0\r\n";
    let sdp = SessionDescription::parse(text.as_bytes()).expect("parses");
    assert_eq!(sdp.media[0].ptime(), Some(20));
}

fn error_of(name: &str) -> SdpError {
    match SessionDescription::parse(&sample(name)) {
        Ok(_) => panic!("{name} should be refused"),
        Err(e) => e,
    }
}

#[test]
fn every_bad_seed_is_refused_with_the_line_that_is_wrong() {
    let expected: &[(&str, Option<usize>, &str)] = &[
        ("bad-empty.sdp", None, "the SDP is empty"),
        ("bad-blank-lines-only.sdp", None, "the SDP is empty"),
        ("bad-no-version.sdp", Some(1), "starts with v=0"),
        ("bad-version-1.sdp", Some(1), "`v=1`"),
        ("bad-unknown-line-type.sdp", Some(5), "unknown line type"),
        ("bad-not-type-value.sdp", Some(5), "`hello world`"),
        ("bad-missing-origin.sdp", None, "no o= line"),
        ("bad-missing-timing.sdp", None, "no t= line"),
        ("bad-second-origin.sdp", Some(3), "a second o= line"),
        ("bad-session-name-after-media.sdp", Some(6), "belongs to the session section"),
        ("bad-origin-five-fields.sdp", Some(2), "o= needs"),
        ("bad-origin-version-text.sdp", Some(2), "session version"),
        ("bad-connection-two-fields.sdp", Some(4), "c= needs"),
        ("bad-time-text.sdp", Some(4), "t= needs"),
        ("bad-media-port-text.sdp", Some(5), "port is not a number"),
        ("bad-media-port-too-big.sdp", Some(5), "port is not a number"),
        ("bad-media-no-format.sdp", Some(5), "no format"),
        ("bad-payload-type-128.sdp", Some(5), "payload type from 0 to 127"),
        ("bad-rtpmap-no-clock-rate.sdp", Some(6), "clock rate"),
        ("bad-rtpmap-payload-type-text.sdp", Some(6), "payload type"),
        ("bad-ptime-text.sdp", Some(6), "ptime"),
        ("bad-rtcp-port-text.sdp", Some(6), "rtcp's port"),
        ("bad-bandwidth-text.sdp", Some(5), "bandwidth is not a number"),
        ("bad-second-media-connection.sdp", Some(7), "a second c= line"),
        ("bad-not-utf8.sdp", Some(3), "not valid UTF-8"),
    ];
    for (name, line, words) in expected {
        let error = error_of(name);
        assert_eq!(error.line(), *line, "{name}: {error}");
        assert!(error.to_string().contains(words), "{name}: `{error}` should say {words:?}");
    }
    let named = samples().into_iter().filter(|(n, _)| n.starts_with("bad-")).count();
    assert_eq!(named, expected.len(), "every bad seed has its expected error here");
}

#[test]
fn an_error_quotes_at_most_80_characters_without_control_characters() {
    let long = format!("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nb=AS:\x07{}\r\n", "9".repeat(500));
    let error = SessionDescription::parse(long.as_bytes()).expect_err("a bell in a bandwidth");
    let SdpError::Invalid { text, .. } = &error else { panic!("{error:?}") };
    assert!(text.chars().count() <= 81, "{text}");
    assert!(text.starts_with("b=AS:?9") && text.ends_with('…'), "{text}");
    assert!(!error.to_string().chars().any(char::is_control));
}

#[test]
fn a_description_over_64_kib_or_33_media_sections_is_refused() {
    let huge = vec![b'a'; media::sdp::MAX_SDP_BYTES + 1];
    assert_eq!(SessionDescription::parse(&huge), Err(SdpError::TooLarge { size: huge.len() }));
    let mut many = String::from("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n");
    for _ in 0..33 {
        many.push_str("m=audio 0 RTP/AVP 0\r\n");
    }
    assert_eq!(SessionDescription::parse(many.as_bytes()), Err(SdpError::TooManyMedia { line: 37 }));
}

fn token() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9.+-]{1,12}"
}

fn attribute() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u8..128, "[A-Za-z0-9-]{1,10}", 1u32..200_000, proptest::option::of(1u16..9)).prop_map(|(pt, e, r, c)| {
            c.map_or(format!("rtpmap:{pt} {e}/{r}"), |c| format!("rtpmap:{pt} {e}/{r}/{c}"))
        }),
        (0u8..128, "[ -~]{0,20}").prop_map(|(pt, p)| format!("fmtp:{pt} {}", p.trim())),
        (1u32..1000).prop_map(|ms| format!("ptime:{ms}")),
        (1u32..1000).prop_map(|ms| format!("maxptime:{ms}")),
        prop::sample::select(vec!["sendrecv", "sendonly", "recvonly", "inactive", "rtcp-mux", "ice-lite"])
            .prop_map(str::to_owned),
        (any::<u16>()).prop_map(|p| format!("rtcp:{p} IN IP4 192.0.2.9")),
        ("[a-z-]{1,12}", "[ -~]{0,30}").prop_map(|(n, v)| format!("{n}:{v}")),
    ]
}

fn media_section() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["audio", "video", "application"]),
        any::<u16>(),
        prop::sample::select(vec!["RTP/AVP", "RTP/SAVPF", "UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP"]),
        proptest::collection::vec(0u8..128, 1..6),
        proptest::option::of("IN IP4 [0-9.]{7,15}"),
        proptest::collection::vec(attribute(), 0..8),
    )
        .prop_map(|(kind, port, proto, pts, c, attrs)| {
            let formats: Vec<String> = pts.iter().map(u8::to_string).collect();
            let mut text = format!("m={kind} {port} {proto} {}\r\n", formats.join(" "));
            if let Some(c) = c {
                text.push_str(&format!("c={c}\r\n"));
            }
            for a in attrs {
                text.push_str(&format!("a={a}\r\n"));
            }
            text
        })
}

fn description() -> impl Strategy<Value = String> {
    (token(), any::<u64>(), any::<u64>(), "[ -~]{0,20}", proptest::collection::vec(attribute(), 0..4)).prop_flat_map(
        |(user, id, version, name, attrs)| {
            proptest::collection::vec(media_section(), 0..4).prop_map(move |media| {
                let mut text = format!("v=0\r\no={user} {id} {version} IN IP4 192.0.2.1\r\ns={name}\r\nt=0 0\r\n");
                for a in &attrs {
                    text.push_str(&format!("a={a}\r\n"));
                }
                text.extend(media);
                text
            })
        },
    )
}

proptest! {
    #![proptest_config(crate::seed::fixed_seed())]

    #[test]
    fn generated_descriptions_are_written_back_as_read(text in description()) {
        let sdp = SessionDescription::parse(text.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let written = sdp.to_string();
        prop_assert_eq!(SessionDescription::parse(written.as_bytes()), Ok(sdp));
    }

    #[test]
    fn random_bytes_never_panic_the_parser(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let _ = SessionDescription::parse(&bytes);
    }

    #[test]
    fn mutated_seeds_parse_to_what_they_write(
        seed in prop::sample::select(samples()),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), prop::sample::select(b" :/=\r\nav0-9x".to_vec()), 0u8..3), 1..8),
    ) {
        let mut bytes = seed.1;
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
        if let Ok(sdp) = SessionDescription::parse(&bytes) {
            let again = SessionDescription::parse(sdp.to_string().as_bytes());
            prop_assert_eq!(again, Ok(sdp), "a parsed description must write to one that parses the same");
        }
    }
}
