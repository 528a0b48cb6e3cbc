//! The test harness's phones: baresip user agents, each in its own folder,
//! driven over ctrl_tcp, sending a tone from a WAV and dumping what they
//! decode, and the Goertzel measure of what they heard.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The ports of a test process's block (its first is chosen by pid).
const BLOCK: u16 = 400;

/// The first port of this test process's block (12,000–27,999: below
/// Linux's ephemeral ports, 32,768 up, which the tests' own HTTP and
/// database connections take by the hundred, and clear of the media ranges
/// the tests give `serve`, 28,000–32,699), so that phones of tests running
/// side by side do not pick the same ports between looking and binding.
fn port_block() -> u16 {
    static BASE: std::sync::OnceLock<u16> = std::sync::OnceLock::new();
    *BASE.get_or_init(|| {
        let mixed = u64::from(std::process::id()).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32;
        12_000 + u16::try_from(mixed % u64::from(16_000 / BLOCK)).unwrap_or(0) * BLOCK
    })
}

/// `count` consecutive ports of the process's block that are free now for
/// both UDP and TCP on 127.0.0.1.
pub(crate) fn take_ports(count: u16) -> u16 {
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    loop {
        let offset = NEXT.fetch_add(count, std::sync::atomic::Ordering::Relaxed);
        assert!(offset + count <= BLOCK, "the test process used up its block of ports");
        let first = port_block() + offset;
        let free = (first..first + count).all(|port| {
            std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok()
                && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
        });
        if free {
            return first;
        }
    }
}

pub(crate) fn baresip_available() -> bool {
    let ok = Command::new("baresip").arg("-h").stdin(Stdio::null()).output().is_ok();
    if !ok {
        eprintln!("SKIPPED: the call test needs baresip (Debian package baresip-core; scripts/test installs it)");
    }
    ok
}

/// How long a phone's tone lasts: baresip 1.0's aufile source ends the
/// call when its file ends, so it outlasts every scenario's call.
const TONE_SECS: u32 = 30;

/// A tone of [`TONE_SECS`], 8 kHz mono 16-bit WAV (baresip's aufile source).
pub(crate) fn tone_wav(frequency: f64) -> Vec<u8> {
    let samples: Vec<i16> = (0..8_000 * TONE_SECS)
        .map(|n| ((f64::from(n) * frequency * std::f64::consts::TAU / 8000.0).sin() * 8000.0) as i16)
        .collect();
    pcm16_wav(8_000, &samples)
}

/// A mono 16-bit PCM WAV file of `samples` at `rate` Hz.
pub(crate) fn pcm16_wav(rate: u32, samples: &[i16]) -> Vec<u8> {
    let data_len = u32::try_from(samples.len() * 2).expect("a short clip");
    let mut wav = Vec::with_capacity(44 + samples.len() * 2);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&rate.to_le_bytes());
    wav.extend_from_slice(&(rate * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        wav.extend_from_slice(&s.to_le_bytes());
    }
    wav
}

/// A baresip phone with its own folder; it dumps what it decodes.
pub(crate) struct Phone {
    child: Running,
    control: SocketAddr,
    sip_port: u16,
    dir: tempfile::TempDir,
}

/// A baresip process, killed (and reaped) when dropped: a test that
/// panics, or forgets to quit its phone, leaves no baresip running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

impl Phone {
    pub(crate) fn start(account: &str, tone: f64) -> Phone {
        let dir = tempfile::tempdir().unwrap();
        // baresip binds its SIP port for UDP and TCP, SIP over TLS on the
        // port above, its control port for TCP, and RTP/RTCP pairs in its
        // range: a stripe of 30 ports of this process's own block.
        let stripe = take_ports(30);
        let (sip_port, control, rtp) = (stripe, stripe + 5, stripe + 10);
        let wav = dir.path().join("tone.wav");
        std::fs::write(&wav, tone_wav(tone)).unwrap();
        let snd = dir.path().join("snd");
        std::fs::create_dir(&snd).unwrap();
        let config = format!(
            "poll_method epoll\nsip_listen 127.0.0.1:{sip_port}\nnet_interface 127.0.0.1\ndns_server 127.0.0.1:53\n\
audio_source aufile,{}\naudio_player aubridge,nil\naudio_alert aubridge,nil\nrtp_ports {rtp}-{}\n\
statmode_default off\nmodule_path /usr/lib/baresip/modules\nmodule g711.so\nmodule aufile.so\nmodule aubridge.so\n\
module sndfile.so\nsnd_path {}\nmodule_tmp uuid.so\nmodule_tmp account.so\nmodule_app menu.so\nmodule_app ctrl_tcp.so\n\
ctrl_tcp_listen 127.0.0.1:{control}\n",
            wav.display(),
            rtp + 9,
            snd.display()
        );
        std::fs::write(dir.path().join("config"), config).unwrap();
        std::fs::File::create(dir.path().join("accounts"))
            .unwrap()
            .write_all(format!("{account}\n").as_bytes())
            .unwrap();
        let log = std::fs::File::create(dir.path().join("log")).unwrap();
        let child = Command::new("baresip")
            .arg("-f")
            .arg(dir.path())
            .arg("-4")
            // Verbose: the log says which RFC 4733 events it received.
            .arg("-v")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        Phone { child: Running(child), control: SocketAddr::from(([127, 0, 0, 1], control)), sip_port, dir }
    }

    /// The port it takes SIP on (UDP and TCP, 127.0.0.1).
    pub(crate) fn sip_port(&self) -> u16 {
        self.sip_port
    }

    /// Sends a ctrl_tcp command (a netstring of JSON); retries while the
    /// control port is not up yet (bounded).
    pub(crate) fn command(&self, command: &str, params: &str) {
        let json = serde_json::json!({"command": command, "params": params, "token": "t"}).to_string();
        let frame = format!("{}:{json},", json.len());
        for _ in 0..100 {
            if let Ok(mut stream) = std::net::TcpStream::connect(self.control) {
                stream.write_all(frame.as_bytes()).unwrap();
                std::thread::sleep(Duration::from_millis(100));
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("baresip's control port did not open");
    }

    /// Sets the audio dumps of the calls so far aside under numbered names
    /// (`aside-NNN-`) that sort before any later `dump-`. This baresip
    /// names a dump only after the second it opened
    /// (`dump-2026-12-02-11-54-10-dec.wav`), so a second call starting in
    /// the same second would overwrite the first one's file. A call still
    /// running keeps writing into its renamed file (same open inode).
    pub(crate) fn set_aside_dumps(&self) {
        let snd = self.dir.path().join("snd");
        let set_aside = |name: &str| name.starts_with("aside-");
        let names: Vec<String> =
            std::fs::read_dir(&snd).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        let first = names.iter().filter(|n| set_aside(n)).count();
        let mut fresh: Vec<&String> = names.iter().filter(|n| !set_aside(n)).collect();
        fresh.sort();
        for (number, name) in (first..).zip(fresh) {
            std::fs::rename(snd.join(name), snd.join(format!("aside-{number:03}-{name}"))).unwrap();
        }
    }

    /// Quits and gives the decoded audio of each of its calls, oldest first.
    pub(crate) fn quit_per_call(mut self) -> Vec<Vec<i16>> {
        self.command("quit", "");
        for _ in 0..200 {
            if self.child.0.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.0.kill();
        let mut dumps: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("snd"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with("-dec.wav"))
            .collect();
        dumps.sort();
        dumps
            .iter()
            .map(|path| {
                let bytes = std::fs::read(path).unwrap();
                media::wav::Wav::parse(&bytes).map(|w| w.samples().collect()).unwrap_or_default()
            })
            .collect()
    }

    /// What baresip printed.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    /// Waits (bounded: 20 s) until baresip has printed `needle`.
    pub(crate) fn wait_log(&self, needle: &str) -> bool {
        for _ in 0..400 {
            if self.log().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Quits (un-registering first) and gives the decoded audio of its call.
    pub(crate) fn quit(mut self) -> (Vec<i16>, PathBuf) {
        self.command("quit", "");
        for _ in 0..200 {
            if self.child.0.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.0.kill();
        let snd = self.dir.path().join("snd");
        let decoded = decoded_audio(&snd);
        (decoded, self.dir.keep())
    }
}

/// The samples of the `*-dec.wav` dumps baresip's sndfile module wrote.
pub(crate) fn decoded_audio(folder: &Path) -> Vec<i16> {
    let mut samples = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap().flatten() {
        let path = entry.path();
        if !path.to_string_lossy().ends_with("-dec.wav") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        if let Ok(wav) = media::wav::Wav::parse(&bytes) {
            samples.extend(wav.samples());
        }
    }
    samples
}

/// The share of `frequency` in 8 kHz audio.
pub(crate) fn share(audio: &[i16], frequency: f64) -> f64 {
    let total: f64 = audio.iter().map(|&x| f64::from(x).powi(2)).sum();
    if total == 0.0 {
        return 0.0;
    }
    media::goertzel::tone_energy(audio, frequency, 8_000.0) / total
}
