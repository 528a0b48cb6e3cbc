//! The carrier as SIPp: a UAC on 127.0.0.1 (admitted by the demo trunk's
//! IP allow-list) calling a DID of the demo tenant with the scenarios of
//! `tests/sipp/`: `carrier.xml` streams a G.711 μ-law tone as RTP,
//! `carrier-echo.xml` (with `-rtp_echo`) sends every RTP packet it gets
//! back to its sender. SIPp hangs up after the talk time and needs a 200
//! to its BYE; its exit code and statistics say how the call went.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::phones::take_ports;

/// What the carrier sends on its media port.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Media {
    /// A tone of this frequency, G.711 μ-law, looped (`rtp_stream`).
    Tone(f64),
    /// Every packet received, back to its sender (`-rtp_echo`).
    Echo,
}

/// The folder of the repository's SIPp scenarios for `serve`.
pub(crate) fn scenario(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sipp").join(name)
}

/// A SIPp carrier placing one call.
pub(crate) struct Carrier {
    child: Option<Child>,
    dir: tempfile::TempDir,
}

/// How SIPp's run ended.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// SIPp's exit code: 0 when every call succeeded.
    pub code: Option<i32>,
    /// Successful calls (SIPp's cumulative statistics).
    pub successful: u64,
    /// Failed calls.
    pub failed: u64,
    /// What SIPp printed and logged, for messages.
    pub log: String,
}

impl Carrier {
    /// Calls `did` at `edge` presenting `caller`, talks for `talk`, then
    /// hangs up.
    pub(crate) fn dial(edge: SocketAddr, caller: &str, did: &str, media: Media, talk: Duration) -> Carrier {
        let dir = tempfile::tempdir().unwrap();
        let (file, echo) = match media {
            Media::Tone(frequency) => {
                std::fs::write(dir.path().join("carrier-tone.wav"), ulaw_wav(frequency, 10)).unwrap();
                ("carrier.xml", false)
            }
            Media::Echo => ("carrier-echo.xml", true),
        };
        Carrier::spawn(dir, edge, caller, did, (file, echo), talk)
    }

    /// Calls `did` at `edge` presenting `caller`, echoes the RTP it gets,
    /// and waits for the far end to hang up (bounded by SIPp's timeout).
    pub(crate) fn dial_echo_until_hung_up(edge: SocketAddr, caller: &str, did: &str) -> Carrier {
        let dir = tempfile::tempdir().unwrap();
        Carrier::spawn(dir, edge, caller, did, ("carrier-echo-until-bye.xml", true), Duration::ZERO)
    }

    /// Calls `did`, an IVR's number, presenting `caller`; presses 1 once
    /// the media flows, echoes the RTP it gets, and waits for the far end
    /// to hang up (bounded by SIPp's timeout).
    pub(crate) fn dial_ivr_press_1_echo_until_hung_up(edge: SocketAddr, caller: &str, did: &str) -> Carrier {
        let dir = tempfile::tempdir().unwrap();
        Carrier::spawn(dir, edge, caller, did, ("carrier-ivr-echo-until-bye.xml", true), Duration::ZERO)
    }

    /// Starts SIPp on scenario `file` (`echo`: with `-rtp_echo`).
    fn spawn(
        dir: tempfile::TempDir,
        edge: SocketAddr,
        caller: &str,
        did: &str,
        (file, echo): (&str, bool),
        talk: Duration,
    ) -> Carrier {
        // SIP, the control port, the media port and the one two above it
        // (SIPp binds both): a stripe of this process's block.
        let first = take_ports(6);
        let (sip, control, rtp) = (first, first + 1, first + 2);
        let talk_ms = talk.as_millis().to_string();
        let mut command = Command::new("sipp");
        command
            .current_dir(dir.path())
            .arg(edge.to_string())
            .arg("-sf")
            .arg(scenario(file))
            .args(["-s", did, "-key", "caller", caller, "-d", &talk_ms, "-m", "1", "-l", "1"])
            .args(["-i", "127.0.0.1", "-p", &sip.to_string(), "-mi", "127.0.0.1", "-mp", &rtp.to_string()])
            .args(["-cp", &control.to_string(), "-timeout", "60", "-timeout_error", "-nostdin"])
            .args(["-trace_stat", "-stf", "stat.csv", "-trace_err", "-error_file", "errors.log"])
            .args(["-trace_msg", "-message_file", "messages.log"])
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.path().join("stdout.log")).unwrap())
            .stderr(Stdio::null());
        if echo {
            command.arg("-rtp_echo");
        }
        let child = command.spawn().expect("sipp runs (Debian package sip-tester)");
        Carrier { child: Some(child), dir }
    }

    /// The dialog `serve` answered the call with, once SIPp has logged its
    /// 200 (bounded: 20 s).
    pub(crate) fn answered(&self) -> Answered {
        for _ in 0..400 {
            let log = std::fs::read_to_string(self.dir.path().join("messages.log")).unwrap_or_default();
            if let Some(answered) = log.split("-----------------------------------------------").find_map(answered) {
                return answered;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("SIPp logged no 200 to its INVITE");
    }

    /// Waits (bounded: 90 s, beyond SIPp's own 60 s timeout) for SIPp to
    /// finish its call.
    pub(crate) fn finish(mut self) -> Outcome {
        let mut child = self.child.take().unwrap();
        let mut code = None;
        for _ in 0..1_800 {
            if let Some(status) = child.try_wait().unwrap() {
                code = status.code();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if code.is_none() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let read = |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        let stats = read("stat.csv");
        Outcome {
            code,
            successful: last_stat(&stats, "SuccessfulCall(C)"),
            failed: last_stat(&stats, "FailedCall(C)"),
            log: format!("{}\n{}", read("stdout.log"), read("errors.log")),
        }
    }
}

impl Drop for Carrier {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The carrier's dialog as `serve`'s 200 to the INVITE set it up.
#[derive(Debug, Clone)]
pub(crate) struct Answered {
    /// The Call-ID.
    pub call_id: String,
    /// The carrier's tag (From).
    pub from_tag: String,
    /// `serve`'s tag (To).
    pub to_tag: String,
    /// `serve`'s RTP address for the carrier's leg (its SDP answer).
    pub media: SocketAddr,
}

/// The dialog of one logged message when it is the 200 to the INVITE.
fn answered(entry: &str) -> Option<Answered> {
    let message = entry.split_once("bytes :")?.1.trim_start();
    if !message.starts_with("SIP/2.0 200") || !message.contains("CSeq: 1 INVITE") {
        return None;
    }
    let header = |name: &str| {
        message.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned()).unwrap_or_default()
    };
    let tag = |value: String| value.split(";tag=").nth(1).map(|t| t.split(';').next().unwrap_or(t).to_owned());
    let port = message.lines().find_map(|l| l.strip_prefix("m=audio "))?.split(' ').next()?.parse().ok()?;
    Some(Answered {
        call_id: header("Call-ID:"),
        from_tag: tag(header("From:"))?,
        to_tag: tag(header("To:"))?,
        media: SocketAddr::from(([127, 0, 0, 1], port)),
    })
}

/// The last value of `column` in SIPp's `-trace_stat` file (0 if absent).
fn last_stat(csv: &str, column: &str) -> u64 {
    let mut lines = csv.lines();
    let Some(header) = lines.next() else { return 0 };
    let Some(index) = header.split(';').position(|c| c == column) else { return 0 };
    lines.last().and_then(|l| l.split(';').nth(index)).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

/// A tone of `seconds`, 8 kHz mono G.711 μ-law in a WAV (format 7), the
/// file SIPp's `rtp_stream` plays.
pub(crate) fn ulaw_wav(frequency: f64, seconds: u32) -> Vec<u8> {
    let data: Vec<u8> = (0..8_000 * seconds)
        .map(|n| {
            let sample = (f64::from(n) * frequency * std::f64::consts::TAU / 8000.0).sin() * 8000.0;
            media::g711::ulaw_encode(sample as i16)
        })
        .collect();
    let data_len = u32::try_from(data.len()).unwrap();
    let mut wav = Vec::with_capacity(data.len() + 46);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(38 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&18u32.to_le_bytes());
    // Format 7 (μ-law), mono, 8 kHz, 8,000 bytes/s, 1-byte blocks, 8 bits, no extra.
    for v in [7u16, 1] {
        wav.extend_from_slice(&v.to_le_bytes());
    }
    for v in [8000u32, 8000] {
        wav.extend_from_slice(&v.to_le_bytes());
    }
    for v in [1u16, 8, 0] {
        wav.extend_from_slice(&v.to_le_bytes());
    }
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.extend_from_slice(&data);
    wav
}
