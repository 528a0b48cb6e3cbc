//! baresip (a real SIP user agent) as an agent's phone on 127.0.0.1: it
//! REGISTERs over UDP with digest auth to the edge's registrar, the edge
//! rings it through the leg API at the flow it registered from, baresip
//! answers (auto-answer) with its SDP, we hang up, and when baresip quits
//! it un-REGISTERs.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sip::auth::{Algorithm, Credentials};
use sip::edge::{Edge, EdgeConfig, EdgeEvent, LocalTransport, OpenDirectory, Originate, TransportId};
use sip::message::Address;
use sip::registrar::{BindingEvent, Config, CredentialStore, Registrar, Transport};
use sip::runner::EdgeRunner;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

use crate::interop::free_port;

/// Whether baresip can run: installs `baresip-core` when missing and we
/// are root with apt-get (as scripts/test does); otherwise says so loudly.
fn baresip_available() -> bool {
    let present = || Command::new("baresip").arg("-h").stdin(Stdio::null()).output().is_ok();
    if present() {
        return true;
    }
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if root {
        let _ = Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends", "baresip-core"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .status();
        if present() {
            return true;
        }
    }
    eprintln!(
        "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
         SKIPPED: baresip interop test. `baresip` is not installed and could not\n\
         be installed here (needs root and apt-get). Install the Debian package\n\
         baresip-core, or run scripts/test as root, which installs it.\n\
         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
    );
    false
}

/// One second of a 440 Hz tone, 8 kHz mono 16-bit WAV (baresip's aufile
/// source needs the codec's rate).
fn tone_wav() -> Vec<u8> {
    let samples: Vec<i16> =
        (0..8000).map(|n| ((n as f64 * 440.0 * std::f64::consts::TAU / 8000.0).sin() * 8000.0) as i16).collect();
    let data_len = u32::try_from(samples.len() * 2).expect("size");
    let mut wav = Vec::new();
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&8000u32.to_le_bytes());
    wav.extend_from_slice(&16000u32.to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        wav.extend_from_slice(&s.to_le_bytes());
    }
    wav
}

/// A baresip process with its own config directory.
struct Baresip {
    child: tokio::process::Child,
    control: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Baresip {
    fn start(edge: SocketAddr) -> Baresip {
        let dir = tempfile::tempdir().expect("tempdir");
        let (sip_port, rtp, control) = (free_port(), free_port(), free_port());
        let wav = dir.path().join("tone8k.wav");
        std::fs::write(&wav, tone_wav()).expect("wav");
        let config = format!(
            "poll_method epoll\nsip_listen 127.0.0.1:{sip_port}\nnet_interface 127.0.0.1\ndns_server 127.0.0.1:53\n\
audio_source aufile,{}\naudio_player aubridge,nil\naudio_alert aubridge,nil\nrtp_ports {rtp}-{}\n\
statmode_default off\nmodule_path /usr/lib/baresip/modules\nmodule g711.so\nmodule aufile.so\nmodule aubridge.so\n\
module_tmp uuid.so\nmodule_tmp account.so\nmodule_app menu.so\nmodule_app ctrl_tcp.so\nctrl_tcp_listen 127.0.0.1:{control}\n",
            wav.display(),
            rtp + 1
        );
        std::fs::write(dir.path().join("config"), config).expect("config");
        let account = format!(
            "<sip:alice@127.0.0.1:{};transport=udp>;auth_user=alice;auth_pass=secret;answermode=auto;regint=60;audio_codecs=pcmu\n",
            edge.port()
        );
        std::fs::File::create(dir.path().join("accounts"))
            .and_then(|mut f| f.write_all(account.as_bytes()))
            .expect("accounts");
        let child = tokio::process::Command::new("baresip")
            .arg("-f")
            .arg(dir.path())
            .arg("-4")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("baresip");
        Baresip { child, control: SocketAddr::from(([127, 0, 0, 1], control)), _dir: dir }
    }

    /// Asks baresip to quit over ctrl_tcp (a netstring of JSON); it
    /// un-registers first.
    async fn quit(mut self) {
        let command = br#"{"command":"quit","token":"q1"}"#;
        let frame = [format!("{}:", command.len()).as_bytes(), command, b","].concat();
        if let Ok(mut stream) = tokio::net::TcpStream::connect(self.control).await {
            let _ = stream.write_all(&frame).await;
            // A bound on a hung peer, not a timing assertion.
            let _ = tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await;
        }
    }
}

/// The next event matching `pick`, waiting at most a generous bound.
async fn next_event<T>(events: &mut mpsc::Receiver<EdgeEvent>, mut pick: impl FnMut(EdgeEvent) -> Option<T>) -> T {
    let wait = async {
        while let Some(event) = events.recv().await {
            if let Some(found) = pick(event) {
                return found;
            }
        }
        panic!("the edge stopped");
    };
    tokio::time::timeout(Duration::from_secs(30), wait).await.expect("the event came")
}

fn pcmu_offer() -> Vec<u8> {
    b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
        .to_vec()
}

#[tokio::test(flavor = "current_thread")]
async fn baresip_registers_with_digest_answers_a_call_placed_through_the_leg_api_and_unregisters() {
    if !baresip_available() {
        return;
    }
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let addr = socket.local_addr().expect("addr");
    let users = HashMap::from([(
        ("127.0.0.1".to_owned(), "alice".to_owned()),
        Credentials::from_password("alice", "127.0.0.1", "secret"),
    )]);
    let users: Box<dyn CredentialStore + Send> = Box::new(users);
    let unix = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    // baresip 1.0 (libre) fails on the first challenge when it is SHA-256
    // ("Function not implemented") instead of skipping to the MD5 one, as
    // RFC 8760 §2.4 asks: such phones need MD5 offered alone.
    let config = Config { algorithms: vec![Algorithm::Md5], ..Config::default() };
    let registrar = Registrar::new(config, users, b"baresip secret", Instant::now(), unix);
    let local = LocalTransport::new(Transport::Udp, "127.0.0.1", addr.port());
    let edge = Edge::new(EdgeConfig::default(), vec![local], Box::new(OpenDirectory), 21).with_registrar(registrar);
    let (runner, handle, mut events) = EdgeRunner::new(edge);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runner = tokio::spawn(runner.with_udp(TransportId(0), socket).run(async {
        let _ = stopped.await;
    }));

    let phone = Baresip::start(addr);
    let aor = next_event(&mut events, |e| match e {
        EdgeEvent::Binding(BindingEvent::Added { aor, .. }) => Some(aor),
        _ => None,
    })
    .await;
    assert_eq!(aor, "sip:alice@127.0.0.1");
    let targets = handle.targets_for(&aor).await.expect("targets");
    assert_eq!(targets.len(), 1, "one registered contact");

    let plan = Originate {
        from: Address::parse("\"Switchboard\" <sip:queue@127.0.0.1>").expect("from"),
        to: Address::parse("<sip:alice@127.0.0.1>").expect("to"),
        attempts: vec![targets],
        offer: Some(pcmu_offer()),
        headers: Vec::new(),
    };
    let leg = handle.originate(plan).await.expect("originate");
    let answer = next_event(&mut events, |e| match e {
        EdgeEvent::Answered { leg: l, answer } if l == leg => Some(answer),
        EdgeEvent::Ended { leg: l, cause } if l == leg => panic!("the call to baresip failed: {cause:?}"),
        _ => None,
    })
    .await;
    let answer = String::from_utf8(answer.expect("an SDP answer")).expect("utf8");
    assert!(answer.contains("m=audio") && answer.contains("RTP/AVP 0"), "baresip answered PCMU: {answer}");
    handle.hangup(leg).await.expect("hang up");

    phone.quit().await;
    next_event(&mut events, |e| match e {
        EdgeEvent::Binding(BindingEvent::Removed { aor, .. }) => Some(aor),
        _ => None,
    })
    .await;
    let _ = stop.send(());
    runner.await.expect("runner task").expect("runner ran");
}
