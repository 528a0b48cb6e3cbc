//! Any text as an `Authorization` header value: parsing must return a
//! header or an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::auth::Authorization;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Authorization::parse(&text);
});
