//! Fuzzes the journal record decoder: any bytes must give records or errors,
//! never a panic, and decoded records must re-encode to a valid record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use store::writer::journal::record;

fuzz_target!(|data: &[u8]| {
    let decoded = record::decode_all(data);
    assert!(decoded.valid_len <= data.len());
    if let Ok((events, used)) = record::decode(data) {
        assert!(used <= data.len());
        let again = record::encode(&events).expect("re-encode decoded events");
        let (events_again, _) = record::decode(&again).expect("decode re-encoded record");
        assert_eq!(events, events_again);
    }
});
