//! A test "browser" softphone for the call scenarios: SIP over `serve`'s
//! WebSocket (`GET /sip`, subprotocol `sip`) as JsSIP speaks it — REGISTER
//! answered with digest auth, INVITEs answered with 180 then 200, CANCEL,
//! BYE, its own re-INVITE to hold — and media as a browser's WebRTC stack
//! would do it: a str0m instance (full ICE, DTLS-SRTP, Opus at 48 kHz) on a
//! UDP socket of 127.0.0.1, sending a tone every 20 ms once connected and
//! keeping what it decodes (16 kHz). Every wait is bounded and ends on a
//! real message or event.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use media::FRAME_SAMPLES;
use media::opus::{MAX_PACKET_BYTES, OpusDecoder, OpusEncoder};
use sip::auth::{ClientSecret, DigestClient};
use sip::message::{Address, CSeq, Headers, Message, Method, Request, Response, StatusCode, Uri, Via};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::{Codec, FormatParams};
use str0m::media::{Direction, Frequency, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc, RtcConfig};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A bound on a peer that hangs, not a timing assertion.
const BOUND: Duration = Duration::from_secs(20);

/// The host of the browser's Via and Contact (RFC 7118 §5: not resolvable;
/// the flow is the only way back).
const HOST: &str = "b7x2k9.invalid";

/// The demo tenant's SIP domain.
const DOMAIN: &str = "demo.switchboard.localhost";

/// A browser registered over `serve`'s WebSocket, with at most one call.
pub(crate) struct Browser {
    ws: Ws,
    user: String,
    /// The INVITE being rung or answered, and our To-tag for it.
    invite: Option<(Request, String)>,
    /// The answered call's media.
    media: Option<MediaTask>,
    /// Our CSeq in the answered call's dialog.
    cseq: u32,
    branches: u32,
}

impl Browser {
    /// Opens `ws://http/sip` and registers `user` with `password` (digest,
    /// as JsSIP does: a first REGISTER, its 401, then the answer).
    pub(crate) async fn register(http: SocketAddr, user: &str, password: &str) -> Browser {
        let mut request = format!("ws://{http}/sip").into_client_request().unwrap();
        request.headers_mut().insert("Sec-WebSocket-Protocol", "sip".parse().unwrap());
        let (ws, handshake) = tokio_tungstenite::connect_async(request).await.expect("the SIP WebSocket upgrades");
        assert_eq!(handshake.headers().get("Sec-WebSocket-Protocol").map(|v| v.as_bytes()), Some(&b"sip"[..]));
        let mut browser = Browser { ws, user: user.to_owned(), invite: None, media: None, cseq: 0, branches: 0 };
        browser.send(&browser.register_request(1, None)).await;
        let challenged = browser.next_response().await;
        assert_eq!(challenged.status().as_u16(), 401, "the first REGISTER is challenged");
        let challenges = challenged.headers().get_all("WWW-Authenticate");
        let mut digest = DigestClient::new(user, ClientSecret::Password(password.to_owned()), user.as_bytes());
        let answer = digest.answer(&challenges, "REGISTER", &format!("sip:{DOMAIN}")).expect("an answerable challenge");
        browser.send(&browser.register_request(2, Some(&answer))).await;
        let ok = browser.next_response().await;
        assert_eq!(ok.status(), StatusCode::OK, "the answered REGISTER is taken");
        browser
    }

    fn register_request(&self, cseq: u32, authorization: Option<&str>) -> String {
        let user = &self.user;
        let auth = authorization.map(|a| format!("Authorization: {a}\r\n")).unwrap_or_default();
        format!(
            "REGISTER sip:{DOMAIN} SIP/2.0\r\n\
             Via: SIP/2.0/WS {HOST};branch=z9hG4bKbrowserreg{cseq};rport\r\n\
             Max-Forwards: 70\r\n\
             To: <sip:{user}@{DOMAIN}>\r\n\
             From: <sip:{user}@{DOMAIN}>;tag=breg{user}\r\n\
             Call-ID: browser-register-{user}\r\n\
             CSeq: {cseq} REGISTER\r\n\
             Contact: {};+sip.ice;reg-id=1;+sip.instance=\"<urn:uuid:5c1e7a2b-0000-4000-8000-00000000b10b>\"\r\n\
             Expires: 600\r\n\
             Supported: path, gruu, outbound\r\n\
             User-Agent: switchboard-test-browser\r\n\
             {auth}Content-Length: 0\r\n\r\n",
            self.contact()
        )
    }

    fn contact(&self) -> String {
        format!("<sip:{}@{HOST};transport=ws;ob>", self.user)
    }

    async fn send(&mut self, text: &str) {
        self.ws.send(WsMessage::text(text.to_owned())).await.expect("the SIP WebSocket is open");
    }

    async fn send_message(&mut self, bytes: Vec<u8>) {
        let text = String::from_utf8(bytes).expect("SIP in UTF-8");
        self.send(&text).await;
    }

    /// The next SIP message from `serve` (bounded).
    async fn next_message(&mut self) -> Message {
        loop {
            let frame = tokio::time::timeout(BOUND, self.ws.next()).await.expect("a SIP message in time");
            let payload = match frame.expect("the SIP WebSocket is open").expect("a frame") {
                WsMessage::Text(text) => text.as_bytes().to_vec(),
                WsMessage::Binary(bytes) => bytes.to_vec(),
                _ => continue,
            };
            return Message::parse(&payload).expect("serve sends SIP");
        }
    }

    async fn next_response(&mut self) -> Response {
        loop {
            match self.next_message().await {
                Message::Response(response) if response.status().as_u16() >= 200 => return response,
                Message::Response(_) => {}
                Message::Request(request) => self.unexpected(request).await,
            }
        }
    }

    /// The next request of `method` (bounded); others get their answer.
    async fn next_request(&mut self, method: &str) -> Request {
        loop {
            match self.next_message().await {
                Message::Request(request) if request.method().as_str() == method => return request,
                Message::Request(request) => self.unexpected(request).await,
                Message::Response(_) => {}
            }
        }
    }

    /// A request the scenario did not wait for: OPTIONS is answered, an
    /// ACK needs none, anything else is a failure of the scenario.
    async fn unexpected(&mut self, request: Request) {
        match request.method().as_str() {
            "OPTIONS" => self.send_message(request.response(StatusCode::OK, Some("bopt")).to_bytes()).await,
            "ACK" => {}
            other => panic!("the browser did not expect {other}:\n{}", String::from_utf8_lossy(&request.to_bytes())),
        }
    }

    /// Waits for `serve`'s INVITE and rings (180); its offer comes back.
    pub(crate) async fn ring(&mut self) -> String {
        let invite = self.next_request("INVITE").await;
        assert_eq!(invite.headers().top_via().transport(), "WS", "the INVITE comes over the browser's flow");
        let tag = format!("btag{}", self.user);
        self.send_message(invite.response(StatusCode::RINGING, Some(&tag)).to_bytes()).await;
        let offer = String::from_utf8(invite.body().to_vec()).expect("an SDP offer");
        self.invite = Some((invite, tag));
        offer
    }

    /// Answers the INVITE being rung: str0m's answer in the 200, the ACK
    /// awaited, then media flows: `tone` (Hz) sent, what is heard kept.
    pub(crate) async fn answer(&mut self, tone: f64) {
        let (invite, tag) = self.invite.clone().expect("an INVITE rung");
        let offer = String::from_utf8(invite.body().to_vec()).unwrap();
        let (media, answer) = MediaTask::answer(&offer, tone).await;
        let mut ok = invite.response(StatusCode::OK, Some(&tag));
        ok.headers_mut().push("Contact", &self.contact()).unwrap();
        ok.set_body("application/sdp", answer.into_bytes());
        self.send_message(ok.to_bytes()).await;
        let ack = self.next_request("ACK").await;
        assert_eq!(ack.headers().call_id(), invite.headers().call_id(), "the ACK of our 200 reuses the flow");
        self.media = Some(media);
    }

    /// Waits for the CANCEL of the INVITE being rung, and ends it (200 to
    /// the CANCEL, 487 to the INVITE, its ACK).
    pub(crate) async fn cancelled(&mut self) {
        let (invite, tag) = self.invite.take().expect("an INVITE rung");
        let cancel = self.next_request("CANCEL").await;
        assert_eq!(cancel.headers().call_id(), invite.headers().call_id());
        self.send_message(cancel.response(StatusCode::OK, Some(&tag)).to_bytes()).await;
        self.send_message(invite.response(StatusCode::REQUEST_TERMINATED, Some(&tag)).to_bytes()).await;
        let _ = self.next_request("ACK").await;
    }

    /// Waits (bounded) until ICE and DTLS-SRTP have completed.
    pub(crate) async fn wait_connected(&self) {
        let media = self.media.as_ref().expect("an answered call");
        let deadline = Instant::now() + BOUND;
        while !media.connected.load(Ordering::Relaxed) {
            assert!(Instant::now() < deadline, "the browser's ICE and DTLS did not complete");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits (bounded) until the browser has heard `seconds` more of audio
    /// than now.
    pub(crate) async fn hear_for(&self, seconds: usize) {
        let media = self.media.as_ref().expect("an answered call");
        let wanted = media.heard_len() + seconds * 16_000;
        let deadline = Instant::now() + BOUND;
        while media.heard_len() < wanted {
            assert!(Instant::now() < deadline, "the browser stopped hearing the call");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// What the browser heard so far (16 kHz).
    pub(crate) fn heard(&self) -> Vec<i16> {
        self.media.as_ref().map(|m| m.heard.lock().unwrap().clone()).unwrap_or_default()
    }

    /// Offers again in the call with our audio line's `direction` (hold:
    /// `SendOnly`; resume: `SendRecv`); the status of `serve`'s answer and
    /// its SDP, which str0m then takes.
    pub(crate) async fn reinvite(&mut self, direction: Direction) -> (u16, String) {
        let media = self.media.as_ref().expect("an answered call");
        let (reply, offer) = oneshot::channel();
        media.commands.send(MediaCommand::Offer(direction, reply)).await.unwrap();
        let offer = offer.await.unwrap();
        let (status, body) = self.reinvite_with(&offer).await;
        let (reply, taken) = oneshot::channel();
        let media = self.media.as_ref().expect("an answered call");
        media.commands.send(MediaCommand::Answer((status == 200).then(|| body.clone()), reply)).await.unwrap();
        taken.await.unwrap();
        (status, body)
    }

    /// A re-INVITE in the call with `sdp` as its offer (ACKed when
    /// answered); the status and SDP of `serve`'s answer.
    pub(crate) async fn reinvite_with(&mut self, sdp: &str) -> (u16, String) {
        let (invite, tag) = self.invite.clone().expect("an answered call");
        self.cseq += 1;
        let mut request = self.in_dialog(&invite, &tag, Method::Invite);
        request.headers_mut().push("Contact", &self.contact()).unwrap();
        request.set_body("application/sdp", sdp.as_bytes().to_vec());
        self.send_message(request.to_bytes()).await;
        let response = self.next_response().await;
        let status = response.status().as_u16();
        if status == 200 {
            let ack = self.in_dialog(&invite, &tag, Method::Ack);
            self.send_message(ack.to_bytes()).await;
        }
        (status, String::from_utf8(response.body().to_vec()).unwrap())
    }

    /// A request of ours in the dialog of `invite`: to its Contact, From
    /// our side (with `tag`), To `serve`'s.
    fn in_dialog(&mut self, invite: &Request, tag: &str, method: Method) -> Request {
        self.branches += 1;
        let branch = format!("z9hG4bKbrowser{}{}", self.user, self.branches);
        let mut from = invite.headers().to().clone();
        from.set_tag(tag);
        let to: Address = invite.headers().from().clone();
        let target: Uri = invite.headers().contacts().unwrap().first().expect("serve's Contact").uri().clone();
        let via = Via::new("WS", HOST, None, &branch);
        let headers =
            Headers::new(via, from, to, invite.headers().call_id(), CSeq { seq: self.cseq, method: method.clone() });
        Request::new(method, target, headers)
    }

    /// Waits for `serve`'s BYE, answers it and stops the media; what the
    /// browser heard comes back.
    pub(crate) async fn hung_up(&mut self) -> Vec<i16> {
        let bye = self.next_request("BYE").await;
        self.send_message(bye.response(StatusCode::OK, None).to_bytes()).await;
        let heard = self.heard();
        self.media = None;
        self.invite = None;
        heard
    }
}

/// What the test asks of the media task.
enum MediaCommand {
    /// A new offer with this direction for our audio line.
    Offer(Direction, oneshot::Sender<String>),
    /// The answer to it (`None`: refused; the offer is dropped).
    Answer(Option<String>, oneshot::Sender<()>),
}

/// The browser's WebRTC media, in a task of its own; dropped, it stops.
struct MediaTask {
    connected: Arc<AtomicBool>,
    heard: Arc<Mutex<Vec<i16>>>,
    commands: mpsc::Sender<MediaCommand>,
    _task: AbortOnDrop,
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl MediaTask {
    /// Answers `offer` with a new str0m peer on a UDP port of 127.0.0.1.
    async fn answer(offer: &str, tone: f64) -> (MediaTask, String) {
        let port = crate::phones::take_ports(1);
        let socket = UdpSocket::bind(("127.0.0.1", port)).await.unwrap();
        let local = socket.local_addr().unwrap();
        let now = Instant::now();
        let mut config = RtcConfig::new().clear_codecs().enable_opus(true, false);
        config.codec_config().add_config(
            110.into(),
            None,
            Codec::Tele,
            Frequency::FORTY_EIGHT_KHZ,
            None,
            FormatParams::default(),
        );
        let mut rtc = config.build(now);
        rtc.add_local_candidate(Candidate::host(local, "udp").unwrap());
        let offer = SdpOffer::from_sdp_string(offer).expect("serve's offer is SDP str0m reads");
        let answer = rtc.sdp_api().accept_offer(offer).expect("str0m answers serve's WebRTC offer");
        let mid = answer.media_lines.first().expect("an audio line").mid();
        let connected = Arc::new(AtomicBool::new(false));
        let heard = Arc::new(Mutex::new(Vec::new()));
        let (commands, command_rx) = mpsc::channel(4);
        let peer = Peer { rtc, mid, socket, local, tone, connected: connected.clone(), heard: heard.clone() };
        let task = tokio::spawn(peer.run(command_rx));
        (MediaTask { connected, heard, commands, _task: AbortOnDrop(task) }, answer.to_sdp_string())
    }

    fn heard_len(&self) -> usize {
        self.heard.lock().unwrap().len()
    }
}

/// The str0m peer and its socket.
struct Peer {
    rtc: Rtc,
    mid: Mid,
    socket: UdpSocket,
    local: SocketAddr,
    tone: f64,
    connected: Arc<AtomicBool>,
    heard: Arc<Mutex<Vec<i16>>>,
}

impl Peer {
    /// The media loop: datagrams in, str0m's timeouts, a frame every 20 ms.
    async fn run(mut self, mut commands: mpsc::Receiver<MediaCommand>) {
        let mut encoder = OpusEncoder::new().unwrap();
        let mut decoder = OpusDecoder::new().unwrap();
        let mut pending: Option<SdpPendingOffer> = None;
        let mut buffer = vec![0u8; 2048];
        let mut next_frame = tokio::time::Instant::now();
        let mut frame_index = 0u64;
        loop {
            let timeout = self.drain(&mut decoder).await;
            let wake = tokio::time::Instant::from_std(timeout).min(next_frame);
            tokio::select! {
                received = self.socket.recv_from(&mut buffer) => {
                    let Ok((len, source)) = received else { return };
                    if let Ok(receive) = Receive::new(Protocol::Udp, source, self.local, &buffer[..len]) {
                        let _ = self.rtc.handle_input(Input::Receive(Instant::now(), receive));
                    }
                }
                command = commands.recv() => match command {
                    Some(MediaCommand::Offer(direction, reply)) => {
                        let mut change = self.rtc.sdp_api();
                        change.set_direction(self.mid, direction);
                        let (offer, offered) = change.apply().expect("a change to offer");
                        pending = Some(offered);
                        let _ = reply.send(offer.to_sdp_string());
                    }
                    Some(MediaCommand::Answer(answer, reply)) => {
                        if let (Some(answer), Some(offered)) = (answer, pending.take()) {
                            let answer = SdpAnswer::from_sdp_string(&answer).expect("serve's answer is SDP");
                            self.rtc.sdp_api().accept_answer(offered, answer).expect("str0m takes serve's answer");
                        }
                        let _ = reply.send(());
                    }
                    None => return,
                },
                () = tokio::time::sleep_until(wake) => {
                    let now = tokio::time::Instant::now();
                    if now >= next_frame {
                        next_frame += Duration::from_millis(20);
                        if self.connected.load(Ordering::Relaxed) {
                            self.send_frame(&mut encoder, frame_index);
                            frame_index += 1;
                        }
                    }
                    let _ = self.rtc.handle_input(Input::Timeout(Instant::now()));
                }
            }
        }
    }

    /// Sends what str0m has, takes its events; its next timeout.
    async fn drain(&mut self, decoder: &mut OpusDecoder) -> Instant {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(at)) => return at,
                Ok(Output::Transmit(t)) => {
                    let _ = self.socket.send_to(&t.contents, t.destination).await;
                }
                Ok(Output::Event(Event::Connected)) => self.connected.store(true, Ordering::Relaxed),
                Ok(Output::Event(Event::MediaData(data))) if data.params.spec().codec == Codec::Opus => {
                    let mut pcm = [0i16; FRAME_SAMPLES];
                    if let Ok(n) = decoder.decode(&data.data, &mut pcm) {
                        self.heard.lock().unwrap().extend_from_slice(&pcm[..n.min(FRAME_SAMPLES)]);
                    }
                }
                Ok(Output::Event(_)) => {}
                Err(error) => panic!("the browser's str0m failed: {error}"),
            }
        }
    }

    /// One 20 ms frame of the tone, as Opus.
    fn send_frame(&mut self, encoder: &mut OpusEncoder, index: u64) {
        let mut frame = [0i16; FRAME_SAMPLES];
        for (i, sample) in frame.iter_mut().enumerate() {
            let n = (index as usize * FRAME_SAMPLES + i) as f64;
            *sample = (8_000.0 * (std::f64::consts::TAU * self.tone * n / 16_000.0).sin()) as i16;
        }
        let mut packet = [0u8; MAX_PACKET_BYTES];
        let Ok(len) = encoder.encode(&frame, &mut packet) else { return };
        let Some(writer) = self.rtc.writer(self.mid) else { return };
        let Some(pt) = writer.payload_params().find(|p| p.spec().codec == Codec::Opus).map(|p| p.pt()) else {
            return;
        };
        let time = MediaTime::new(index * 960, Frequency::FORTY_EIGHT_KHZ);
        let _ = writer.write(pt, Instant::now(), time, &packet[..len]);
    }
}

/// The share of `frequency` in 16 kHz audio (what the browser decodes).
pub(crate) fn share_16k(audio: &[i16], frequency: f64) -> f64 {
    let total: f64 = audio.iter().map(|&x| f64::from(x).powi(2)).sum();
    if total == 0.0 {
        return 0.0;
    }
    media::goertzel::tone_energy(audio, frequency, 16_000.0) / total
}

/// Whether an offer or answer is the WebRTC kind a browser needs.
pub(crate) fn is_webrtc_sdp(offer: &str) -> bool {
    ["a=ice-lite", "a=fingerprint:", "a=rtcp-mux", "opus/48000/2", "telephone-event/48000", "UDP/TLS/RTP/SAVPF"]
        .iter()
        .all(|needle| offer.contains(needle))
}
