//! Any bytes as an SDP body: parsing must give a description or an error,
//! never panic; a description must write back to one that parses the same;
//! answering it as an offer must give an answer that parses, or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use media::offer_answer::{LocalMedia, Negotiator};
use media::sdp::{Direction, SessionDescription};

fuzz_target!(|data: &[u8]| {
    let Ok(sdp) = SessionDescription::parse(data) else { return };
    let written = sdp.to_string();
    match SessionDescription::parse(written.as_bytes()) {
        Ok(again) => assert_eq!(again, sdp, "written back differently:\n{written}"),
        Err(e) => panic!("a parsed description writes one that does not parse ({e}):\n{written}"),
    }
    let mut leg = Negotiator::new(LocalMedia::new([192, 0, 2, 1].into(), 4000), 1);
    if let Ok(answer) = leg.handle_offer(&sdp, Direction::SendRecv) {
        let text = answer.to_string();
        assert!(SessionDescription::parse(text.as_bytes()).is_ok(), "our answer does not parse:\n{text}");
        assert!(leg.create_offer(Direction::SendOnly).is_ok(), "a re-offer after an answer");
    }
});
