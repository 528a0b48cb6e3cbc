//! Any datagram: parsing must return a message or an error, never panic;
//! a parsed message must serialise and parse again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::message::Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = Message::parse(data) {
        let bytes = message.to_bytes();
        if let Err(e) = Message::parse(&bytes) {
            panic!("serialised message does not parse again: {e}");
        }
    }
});
