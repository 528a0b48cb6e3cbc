//! Any text as the values of `WWW-Authenticate` headers: parsing and
//! answering must return a challenge, an answer or an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::auth::{Challenge, ClientSecret, DigestClient};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let values: Vec<&str> = text.split('\n').collect();
    for value in &values {
        let _ = Challenge::parse_all(value);
    }
    let mut client = DigestClient::new("user", ClientSecret::Password("pw".to_owned()), b"fuzz");
    if let Ok(answer) = client.answer(&values, "INVITE", "sip:a@b") {
        assert!(!answer.contains(['\r', '\n']), "an answer never carries a line break: {answer:?}");
    }
});
