//! Segment files: `seg-<16 digit number>.journal` in the journal directory,
//! appended to and fsync'd, read back whole, repaired when their tail is torn.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use model::event::Event;

use super::record;

/// The file name of segment `number`.
pub fn file_name(number: u64) -> String {
    format!("seg-{number:016}.journal")
}

/// The segment number in file name `name`, if it is a segment's name.
pub fn parse_name(name: &str) -> Option<u64> {
    let digits = name.strip_prefix("seg-")?.strip_suffix(".journal")?;
    if digits.len() != 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The segment numbers present in `dir`, oldest first.
pub fn list(dir: &Path) -> io::Result<Vec<u64>> {
    let mut numbers = Vec::new();
    for entry in fs::read_dir(dir)? {
        if let Some(n) = entry?.file_name().to_str().and_then(parse_name) {
            numbers.push(n);
        }
    }
    numbers.sort_unstable();
    Ok(numbers)
}

/// What a segment held when it was read.
#[derive(Debug, Default)]
pub struct SegmentContents {
    /// Its batches, oldest first.
    pub batches: Vec<Vec<Event>>,
    /// Bytes of its valid records.
    pub valid_len: u64,
    /// Bytes beyond the valid records (a torn or corrupt tail).
    pub bad_tail: u64,
}

impl SegmentContents {
    /// Events in the segment.
    pub fn events(&self) -> u64 {
        self.batches.iter().map(|b| b.len() as u64).sum()
    }
}

/// Reads segment `path` whole, up to its first bad record.
pub fn read(path: &Path) -> io::Result<SegmentContents> {
    let bytes = fs::read(path)?;
    let decoded = record::decode_all(&bytes);
    Ok(SegmentContents {
        batches: decoded.batches,
        valid_len: decoded.valid_len as u64,
        bad_tail: (bytes.len() - decoded.valid_len) as u64,
    })
}

/// Reads segment `path` and cuts off a torn or corrupt tail, so that new
/// records are never appended after garbage.
pub fn read_and_repair(path: &Path) -> io::Result<SegmentContents> {
    let contents = read(path)?;
    if contents.bad_tail > 0 {
        tracing::warn!(path = %path.display(), valid = contents.valid_len, dropped = contents.bad_tail,
            "journal segment has a torn or corrupt tail; truncating it");
        let file = OpenOptions::new().write(true).open(path)?;
        file.set_len(contents.valid_len)?;
        file.sync_all()?;
    }
    Ok(contents)
}

/// A segment open for appending.
#[derive(Debug)]
pub struct Appender {
    number: u64,
    path: PathBuf,
    file: File,
    len: u64,
}

impl Appender {
    /// Opens (creating if needed) segment `number` in `dir` for appending;
    /// `len` is its current valid length.
    pub fn open(dir: &Path, number: u64, len: u64) -> io::Result<Appender> {
        let path = dir.join(file_name(number));
        let existed = path.exists();
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        if !existed {
            // The new directory entry must survive a crash too.
            File::open(dir)?.sync_all()?;
        }
        Ok(Appender { number, path, file, len })
    }

    /// Appends `bytes` (whole records) and fsyncs them.
    pub fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Err(e) = self.file.write_all(bytes).and_then(|()| self.file.sync_data()) {
            // Do not leave half a record for the next append to follow.
            let _ = self.file.set_len(self.len);
            return Err(e);
        }
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// The segment's number.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The segment's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes in the segment.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the segment holds no record.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
