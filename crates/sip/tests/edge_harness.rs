//! A virtual network around one [`Edge`]: peers speak SIP text to it, the
//! clock jumps to each deadline, and everything the edge sent or reported
//! is recorded with the virtual time.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip::edge::{Directory, Edge, EdgeConfig, EdgeEvent, EdgeTransmit, LocalTransport, OpenDirectory, TransportId};
use sip::message::{Message, Request, Response, StatusCode};
use sip::registrar::Transport;

/// The UDP transport of the test edge.
pub const UDP: TransportId = TransportId(0);
/// The WebSocket transport of the test edge.
pub const WS: TransportId = TransportId(1);

/// A SIP peer (carrier, phone) on UDP.
pub fn carrier() -> SocketAddr {
    "127.0.0.1:5070".parse().expect("addr")
}

/// A browser's WebSocket flow (its TCP peer address).
pub fn browser() -> SocketAddr {
    "127.0.0.1:50123".parse().expect("addr")
}

/// An SDP body.
pub fn sdp(tag: &str) -> Vec<u8> {
    format!("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns={tag}\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n")
        .into_bytes()
}

/// The edge, its clock, and what it produced.
pub struct Net {
    pub edge: Edge,
    start: Instant,
    pub now: Instant,
    pub sent: Vec<(Duration, EdgeTransmit)>,
    pub events: Vec<(Duration, EdgeEvent)>,
}

impl Net {
    /// An edge on UDP 127.0.0.1:5060 and WS, admitting everything.
    pub fn new() -> Net {
        Net::with(EdgeConfig::default(), Box::new(OpenDirectory))
    }

    /// An edge with `config` and `directory`.
    pub fn with(config: EdgeConfig, directory: Box<dyn Directory + Send>) -> Net {
        let transports = vec![
            LocalTransport::new(Transport::Udp, "127.0.0.1", 5060),
            LocalTransport::new(Transport::Ws, "edge.invalid", 443),
        ];
        let start = Instant::now();
        Net {
            edge: Edge::new(config, transports, directory, 0x5eed),
            start,
            now: start,
            sent: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Virtual time since the start.
    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    /// Collects what the edge queued.
    pub fn drain(&mut self) {
        let at = self.elapsed();
        while let Some(t) = self.edge.poll_transmit() {
            self.sent.push((at, t));
        }
        while let Some(e) = self.edge.poll_event() {
            self.events.push((at, e));
        }
    }

    /// A peer at `from` sends `text` over `transport`.
    pub fn deliver(&mut self, transport: TransportId, from: SocketAddr, text: &str) {
        let message = Message::parse(text.as_bytes()).unwrap_or_else(|e| panic!("bad test message: {e}\n{text}"));
        self.deliver_message(transport, from, message);
    }

    /// A peer sends a built message (serialised and parsed again, as on the wire).
    pub fn deliver_message(&mut self, transport: TransportId, from: SocketAddr, message: Message) {
        let bytes = message.to_bytes();
        match transport {
            UDP => self.edge.handle_datagram(transport, &bytes, from, self.now),
            _ => {
                let parsed = Message::parse(&bytes).expect("reparse");
                self.edge.handle_message(transport, parsed, from, self.now);
            }
        }
        self.drain();
    }

    /// Fires every deadline up to `until` since the start, in order.
    pub fn run_until(&mut self, until: Duration) {
        let end = self.start + until;
        self.drain();
        while let Some(deadline) = self.edge.poll_timeout() {
            if deadline > end {
                break;
            }
            self.now = self.now.max(deadline);
            self.edge.handle_timeout(self.now);
            self.drain();
        }
        self.now = self.now.max(end);
    }

    /// Runs `d` more of virtual time.
    pub fn advance(&mut self, d: Duration) {
        let until = self.elapsed() + d;
        self.run_until(until);
    }

    /// Forgets what was recorded so far.
    pub fn clear(&mut self) {
        self.sent.clear();
        self.events.clear();
    }

    /// The responses sent, as status codes.
    pub fn statuses(&self) -> Vec<u16> {
        self.responses().iter().map(|r| r.status().as_u16()).collect()
    }

    /// The responses sent.
    pub fn responses(&self) -> Vec<Response> {
        self.sent
            .iter()
            .filter_map(|(_, t)| match &t.message {
                Message::Response(r) => Some(r.clone()),
                Message::Request(_) => None,
            })
            .collect()
    }

    /// The requests sent, with their transmit record.
    pub fn requests(&self) -> Vec<(Duration, EdgeTransmit, Request)> {
        self.sent
            .iter()
            .filter_map(|(at, t)| match &t.message {
                Message::Request(r) => Some((*at, t.clone(), r.clone())),
                Message::Response(_) => None,
            })
            .collect()
    }

    /// The requests of `method` sent.
    pub fn sent_requests(&self, method: &str) -> Vec<Request> {
        self.requests().into_iter().filter(|(_, _, r)| r.method().as_str() == method).map(|(_, _, r)| r).collect()
    }

    /// The requests of `method` sent, each once (UDP retransmissions,
    /// which share the branch, are left out).
    pub fn distinct_requests(&self, method: &str) -> Vec<Request> {
        let mut seen = std::collections::HashSet::new();
        self.sent_requests(method)
            .into_iter()
            .filter(|r| seen.insert(r.headers().top_via().branch().unwrap_or_default().to_owned()))
            .collect()
    }

    /// The events recorded.
    pub fn events(&self) -> Vec<EdgeEvent> {
        self.events.iter().map(|(_, e)| e.clone()).collect()
    }
}

/// An INVITE from the carrier to `+4930123` with `call_id`, `branch` and
/// `extra` headers (each ending in CRLF) and an SDP offer.
pub fn invite(call_id: &str, branch: &str, extra: &str) -> String {
    let body = String::from_utf8(sdp("caller")).expect("utf8");
    format!(
        "INVITE sip:+4930123@127.0.0.1:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5070;branch={branch};rport\r\n\
Max-Forwards: 70\r\n\
From: \"Caller\" <sip:+4917000@carrier.example>;tag=c1\r\n\
To: <sip:+4930123@switchboard.example>\r\n\
Call-ID: {call_id}\r\n\
CSeq: 1 INVITE\r\n\
Contact: <sip:+4917000@127.0.0.1:5070>\r\n\
{extra}Content-Type: application/sdp\r\n\
Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// An in-dialog request from the caller of [`invite`]: `method`, CSeq
/// `seq`, our To tag `to_tag`, a fresh `branch`, optional SDP.
pub fn caller_request(
    method: &str,
    call_id: &str,
    to_tag: &str,
    seq: u32,
    branch: &str,
    body: Option<&[u8]>,
) -> String {
    let body = body.map(|b| String::from_utf8(b.to_vec()).expect("utf8")).unwrap_or_default();
    let content_type = if body.is_empty() { String::new() } else { "Content-Type: application/sdp\r\n".to_owned() };
    format!(
        "{method} sip:sb@127.0.0.1:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5070;branch={branch};rport\r\n\
Max-Forwards: 70\r\n\
From: \"Caller\" <sip:+4917000@carrier.example>;tag=c1\r\n\
To: <sip:+4930123@switchboard.example>;tag={to_tag}\r\n\
Call-ID: {call_id}\r\n\
CSeq: {seq} {method}\r\n\
Contact: <sip:+4917000@127.0.0.1:5070>\r\n\
{content_type}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// The peer's response `status` to a request the edge sent, with To tag
/// `tag`, a Contact, and `body` as SDP.
pub fn answer(request: &Request, status: u16, tag: &str, body: Option<Vec<u8>>) -> Message {
    let mut response = request.response(StatusCode::new(status).expect("status"), Some(tag));
    if status < 300 {
        response.headers_mut().push("Contact", "<sip:agent@127.0.0.1:5090>").expect("contact");
    }
    if let Some(body) = body {
        response.set_body("application/sdp", body);
    }
    Message::Response(response)
}

/// The leg of the first `Incoming` event.
pub fn incoming_leg(net: &Net) -> sip::edge::LegId {
    net.events()
        .iter()
        .find_map(|e| match e {
            EdgeEvent::Incoming(call) => Some(call.leg),
            _ => None,
        })
        .expect("an Incoming event")
}

/// The To tag of the last response with status `status`.
pub fn to_tag_of(net: &Net, status: u16) -> String {
    net.responses()
        .iter()
        .rev()
        .find(|r| r.status().as_u16() == status)
        .and_then(|r| r.headers().to().tag().map(str::to_owned))
        .expect("a response with a To tag")
}

/// An ACK for the 2xx `response` to the caller's INVITE, end to end.
pub fn ack_for(response: &Response, branch: &str) -> String {
    let h = response.headers();
    format!(
        "ACK sip:sb@127.0.0.1:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5070;branch={branch};rport\r\n\
Max-Forwards: 70\r\n\
From: {}\r\n\
To: {}\r\n\
Call-ID: {}\r\n\
CSeq: {} ACK\r\n\
Content-Length: 0\r\n\r\n",
        h.from(),
        h.to(),
        h.call_id(),
        h.cseq().seq
    )
}

/// Whether an `Ended` event with `cause` was reported.
pub fn ended_with(net: &Net, cause: sip::edge::EndCause) -> bool {
    net.events().iter().any(|e| matches!(e, EdgeEvent::Ended { cause: c, .. } if *c == cause))
}
