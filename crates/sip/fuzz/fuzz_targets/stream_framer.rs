//! Any byte stream, cut into chunks at points chosen by the input: framing
//! must yield messages, keep-alives or errors, never panic, and never
//! buffer more than the limits allow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::message::{Limits, StreamFramer};

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, stream)) = data.split_first() else { return };
    let chunk = usize::from(chunk).max(1);
    let limits = Limits { max_head: 4096, max_body: 4096 };
    let mut framer = StreamFramer::new(limits);
    for piece in stream.chunks(chunk) {
        framer.push(piece);
        while let Some(frame) = framer.poll() {
            if frame.is_err() && framer.is_failed() {
                return;
            }
        }
        assert!(framer.buffered() <= limits.max_head + limits.max_body + chunk);
    }
});
