//! The journal's record decoder and segment repair: bad bytes give errors,
//! torn tails are cut off, nothing panics.

use std::fs::{self, OpenOptions};
use std::io::Write;

use store::writer::journal::record::{self, DecodeError};
use store::writer::journal::{Journal, segment};

use crate::support::call_events;

/// A small deterministic generator (xorshift64*), enough for input noise.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn decoder_answers_random_bytes_with_errors() {
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let len = (noise.next() % 300) as usize;
        let bytes = noise.bytes(len);
        assert!(record::decode(&bytes).is_err(), "random bytes decoded: {bytes:?}");
        let _ = record::decode_all(&bytes);
    }
}

#[test]
fn decoder_rejects_random_payloads_behind_a_valid_checksum() {
    let mut noise = Noise(7);
    for _ in 0..5_000 {
        let len = (noise.next() % 200) as usize;
        let payload = noise.bytes(len);
        let mut buf = (payload.len() as u32).to_le_bytes().to_vec();
        buf.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        buf.extend_from_slice(&payload);
        assert!(matches!(record::decode(&buf), Err(DecodeError::Payload(_))));
    }
}

#[test]
fn decoder_reports_every_truncation_of_a_record_as_truncated() {
    let events = call_events(3);
    let bytes = record::encode(&events).expect("encode");
    let (decoded, used) = record::decode(&bytes).expect("decode whole record");
    assert_eq!((decoded, used), (events, bytes.len()));
    for cut in 0..bytes.len() {
        assert!(
            matches!(record::decode(&bytes[..cut]), Err(DecodeError::Truncated { .. })),
            "cut at {cut} was not reported as truncated"
        );
    }
}

#[test]
fn decoder_detects_every_flipped_byte() {
    let bytes = record::encode(&call_events(2)).expect("encode");
    for i in 0..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[i] ^= 0x41;
        assert!(record::decode(&damaged).is_err(), "flip at {i} went unnoticed");
    }
}

#[test]
fn decoder_refuses_absurd_lengths_without_allocating() {
    let mut buf = u32::MAX.to_le_bytes().to_vec();
    buf.extend_from_slice(&[0; 12]);
    assert_eq!(record::decode(&buf).map(|_| ()), Err(DecodeError::TooLong(u32::MAX as usize)));
}

fn only_segment(dir: &std::path::Path) -> std::path::PathBuf {
    let numbers = segment::list(dir).expect("list segments");
    assert_eq!(numbers.len(), 1, "segments: {numbers:?}");
    dir.join(segment::file_name(numbers[0]))
}

#[test]
fn torn_tail_is_truncated_when_the_journal_is_opened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (call_events(3), call_events(2));
    {
        let mut journal = Journal::open(dir.path(), 1 << 20, 1 << 20).expect("open");
        journal.append(&a).expect("append a");
        journal.append(&b).expect("append b");
    }
    let path = only_segment(dir.path());
    let valid_len = fs::metadata(&path).expect("stat").len();
    // A crash in the middle of the next append: half a record.
    let torn = record::encode(&call_events(4)).expect("encode");
    OpenOptions::new().append(true).open(&path).expect("reopen").write_all(&torn[..torn.len() / 2]).expect("tear");

    let mut journal = Journal::open(dir.path(), 1 << 20, 1 << 20).expect("open after tear");
    assert_eq!(journal.events(), 5);
    assert_eq!(fs::metadata(&path).expect("stat").len(), valid_len, "tail not truncated");
    let c = call_events(1);
    journal.append(&c).expect("append after repair");
    drop(journal);

    let mut batches = Vec::new();
    for n in segment::list(dir.path()).expect("list") {
        let contents = segment::read(&dir.path().join(segment::file_name(n))).expect("read");
        assert_eq!(contents.bad_tail, 0);
        batches.extend(contents.batches);
    }
    assert_eq!(batches, vec![a, b, c]);
}

#[test]
fn corrupt_record_ends_the_segment_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (call_events(2), call_events(2));
    {
        let mut journal = Journal::open(dir.path(), 1 << 20, 1 << 20).expect("open");
        journal.append(&a).expect("append a");
        journal.append(&b).expect("append b");
    }
    let path = only_segment(dir.path());
    let mut bytes = fs::read(&path).expect("read");
    let last = bytes.len() - 3;
    bytes[last] ^= 0xff;
    fs::write(&path, &bytes).expect("damage");

    let journal = Journal::open(dir.path(), 1 << 20, 1 << 20).expect("open damaged");
    assert_eq!(journal.events(), 2);
    let contents = segment::read(&path).expect("read repaired");
    assert_eq!(contents.batches, vec![a]);
}

#[test]
fn garbage_only_segment_is_discarded() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join(segment::file_name(1)), b"\x05\x00\x00\x00garbage").expect("write garbage");
    let journal = Journal::open(dir.path(), 1 << 20, 1 << 20).expect("open");
    assert!(journal.is_empty());
}

#[test]
fn append_beyond_the_limit_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut journal = Journal::open(dir.path(), 600, 1 << 20).expect("open");
    let mut refused = false;
    for _ in 0..10 {
        if journal.append(&call_events(1)).is_err() {
            refused = true;
            break;
        }
    }
    assert!(refused, "the journal never refused");
    assert!(journal.bytes() <= 600);
}
