//! rtpengine as a backend: the daemon started userspace-only (no kernel
//! forwarding, no Redis, no recording), driven over its ng control protocol
//! (a cookie, a space, a bencoded dictionary, over UDP): `offer` with the
//! caller's SDP, `answer` with the callee's, `delete` at the end.

use std::fs::File;
use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::backend::Backend;
use super::bencode::Value;
use super::cpu;

/// How the daemon is started.
#[derive(Debug, Clone)]
pub struct RtpengineConfig {
    /// The media interface.
    pub ip: IpAddr,
    /// The media port range.
    pub ports: (u16, u16),
    /// `--num-threads`.
    pub threads: usize,
    /// A core to pin the daemon to (`taskset`), if any.
    pub cpu: Option<usize>,
}

/// A running daemon and its control socket.
#[derive(Debug)]
pub struct Rtpengine {
    child: Child,
    /// Its stderr (removed at the end when empty).
    log: std::path::PathBuf,
    control: UdpSocket,
    cookie: u64,
}

impl Rtpengine {
    /// Starts the daemon and waits until it answers a ping.
    pub fn start(config: &RtpengineConfig) -> io::Result<Self> {
        let ng = UdpSocket::bind((config.ip, 0))?.local_addr()?;
        let log = std::env::temp_dir().join(format!("rtp-bench-rtpengine-{}.log", std::process::id()));
        let mut command = match config.cpu {
            Some(cpu) => {
                let mut c = Command::new("taskset");
                c.args(["-c", &cpu.to_string(), "rtpengine"]);
                c
            }
            None => Command::new("rtpengine"),
        };
        command
            .args(["--config-file=none", "--table=-1", "--foreground", "--log-stderr", "--log-level=4"])
            .arg(format!("--interface={}", config.ip))
            .arg(format!("--listen-ng={ng}"))
            .arg(format!("--port-min={}", config.ports.0))
            .arg(format!("--port-max={}", config.ports.1))
            .arg(format!("--num-threads={}", config.threads))
            .args(["--delete-delay=0", "--timeout=600"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log)?);
        let child = command.spawn().map_err(|e| io::Error::other(format!("cannot start rtpengine: {e}")))?;
        let control = UdpSocket::bind((config.ip, 0))?;
        control.connect(ng)?;
        control.set_read_timeout(Some(Duration::from_millis(200)))?;
        let mut daemon = Self { child, log: log.clone(), control, cookie: 0 };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match daemon.command(&Value::dict(&[("command", "ping")])) {
                Ok(reply) if reply.get("result").and_then(Value::as_str) == Some("pong") => break,
                _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
                _ => return Err(io::Error::other(format!("rtpengine does not answer; see {}", log.display()))),
            }
        }
        eprintln!("rtpengine pid {} (log {})", daemon.pid(), log.display());
        Ok(daemon)
    }

    /// The daemon's process id (taskset execs it, so the same).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends one command and returns the reply dictionary (retried thrice).
    fn command(&mut self, message: &Value) -> io::Result<Value> {
        self.cookie += 1;
        let cookie = format!("{:x}", self.cookie);
        let mut datagram = format!("{cookie} ").into_bytes();
        message.encode(&mut datagram);
        let mut buffer = vec![0u8; 65_536];
        for _ in 0..3 {
            self.control.send(&datagram)?;
            let len = match self.control.recv(&mut buffer) {
                Ok(len) => len,
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => continue,
                Err(e) => return Err(e),
            };
            let reply = &buffer[..len];
            let Some(body) = reply.strip_prefix(cookie.as_bytes()).and_then(|r| r.strip_prefix(b" ")) else {
                continue; // a late reply to an earlier try
            };
            return Value::decode(body).map(|(v, _)| v).ok_or_else(|| io::Error::other("malformed ng reply"));
        }
        Err(io::Error::new(io::ErrorKind::TimedOut, "rtpengine did not reply"))
    }

    /// Sends `offer` or `answer` and returns the address in the SDP it gives back.
    fn negotiate(&mut self, entries: &[(&str, &str)]) -> io::Result<SocketAddr> {
        let reply = self.command(&Value::dict(entries))?;
        if reply.get("result").and_then(Value::as_str) != Some("ok") {
            return Err(io::Error::other(format!("rtpengine refused {entries:?}: {reply:?}")));
        }
        let sdp = reply.get("sdp").and_then(Value::as_str).ok_or_else(|| io::Error::other("no SDP in the reply"))?;
        media_address(sdp).ok_or_else(|| io::Error::other(format!("no audio address in {sdp:?}")))
    }
}

impl Drop for Rtpengine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::fs::metadata(&self.log).is_ok_and(|m| m.len() == 0) {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

impl Backend for Rtpengine {
    fn name(&self) -> &'static str {
        "rtpengine"
    }

    async fn open(&mut self, call: usize, caller: SocketAddr, callee: SocketAddr) -> io::Result<[SocketAddr; 2]> {
        let call_id = format!("bench-{call}");
        let (offer, answer) = (sdp(caller, call), sdp(callee, call));
        let base = [("call-id", call_id.as_str()), ("from-tag", "caller"), ("to-tag", "callee")];
        // The offer's reply is what the callee is told: where the callee sends.
        let to_from_callee = self.negotiate(&[("command", "offer"), base[0], base[1], ("sdp", &offer)])?;
        let to_from_caller = self.negotiate(&[("command", "answer"), base[0], base[1], base[2], ("sdp", &answer)])?;
        Ok([to_from_caller, to_from_callee])
    }

    async fn close(&mut self, call: usize) -> io::Result<()> {
        let call_id = format!("bench-{call}");
        self.command(&Value::dict(&[("command", "delete"), ("call-id", &call_id), ("from-tag", "caller")]))?;
        Ok(())
    }

    fn cpu_ns(&self) -> io::Result<u64> {
        cpu::cpu_ns(&self.pid().to_string(), "")
    }
}

/// A one-section PCMU offer or answer for an endpoint.
fn sdp(addr: SocketAddr, call: usize) -> String {
    let ip = addr.ip();
    format!(
        "v=0\r\no=- {call} 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\nm=audio {} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n",
        addr.port()
    )
}

/// The address of the first audio section (its `c=` or the session's).
fn media_address(sdp: &str) -> Option<SocketAddr> {
    let mut ip = None;
    let mut port = None;
    for line in sdp.lines().map(str::trim_end) {
        if let Some(rest) = line.strip_prefix("c=IN IP4 ") {
            ip = rest.split('/').next().and_then(|a| a.parse::<IpAddr>().ok()).or(ip);
        } else if let Some(rest) = line.strip_prefix("m=audio ") {
            if port.is_some() {
                break;
            }
            port = rest.split_whitespace().next().and_then(|p| p.parse::<u16>().ok());
        }
    }
    Some(SocketAddr::new(ip?, port?))
}
