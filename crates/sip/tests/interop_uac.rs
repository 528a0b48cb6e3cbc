//! Interop with SIPp's built-in `uas` scenario: our client transactions
//! place a call (INVITE, ACK for the 2xx end-to-end, BYE) on 127.0.0.1.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use sip::layer::{LayerEvent, TransactionLayer};
use sip::message::{Address, CSeq, Headers, Limits, Method, Request, Response, Uri, Via};
use sip::transaction::{Config, TransactionKey};
use sip::udp::{Handler, UdpEndpoint};

use crate::interop::{free_port, sipp_available};

const SDP_OFFER: &str = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio 6998 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/// Places one call and hangs up once it is answered.
struct Caller {
    local: SocketAddr,
    peer: SocketAddr,
    invite: Option<TransactionKey>,
    bye: Option<TransactionKey>,
    statuses: Vec<(Method, u16)>,
    done: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Caller {
    fn request(&self, method: Method, seq: u32, branch: &str, to: Address) -> Request {
        let via = Via::new("UDP", "127.0.0.1", Some(self.local.port()), branch);
        let from = Address::parse("<sip:agent@127.0.0.1>;tag=caller1").expect("from");
        let headers = Headers::new(via, from, to, "uac-call-1@127.0.0.1", CSeq { seq, method: method.clone() });
        let uri = Uri::parse(&format!("sip:service@{}", self.peer)).expect("uri");
        let mut request = Request::new(method, uri, headers);
        request.headers_mut().push("Contact", &format!("<sip:agent@{}>", self.local)).expect("contact");
        request
    }

    fn invite(&self) -> Request {
        let to = Address::parse(&format!("<sip:service@{}>", self.peer)).expect("to");
        let mut invite = self.request(Method::Invite, 1, "z9hG4bKuac-invite", to);
        invite.set_body("application/sdp", SDP_OFFER.as_bytes().to_vec());
        invite
    }

    fn on_answer(&mut self, answer: &Response, layer: &mut TransactionLayer, now: Instant) {
        let to = answer.headers().to().clone();
        // The ACK of a 2xx is end-to-end: a new branch, outside any transaction.
        let ack = self.request(Method::Ack, 1, "z9hG4bKuac-ack", to.clone());
        layer.send_stateless(sip::message::Message::Request(ack), self.peer);
        let bye = self.request(Method::Bye, 2, "z9hG4bKuac-bye", to);
        self.bye = Some(layer.send_request(bye, self.peer, now).expect("BYE sent"));
    }
}

impl Handler for Caller {
    fn on_event(&mut self, event: LayerEvent, layer: &mut TransactionLayer, now: Instant) {
        let LayerEvent::Response { key, response } = event else { return };
        let method = response.headers().cseq().method.clone();
        self.statuses.push((method, response.status().as_u16()));
        if Some(&key) == self.invite.as_ref() && response.status().is_success() {
            self.on_answer(&response, layer, now);
        } else if Some(&key) == self.bye.as_ref()
            && response.status().is_final()
            && let Some(done) = self.done.take()
        {
            let _ = done.send(());
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn sipp_uas_answers_a_call_placed_by_our_client_transactions() {
    if !sipp_available() {
        return;
    }
    let sipp_port = free_port();
    let (media, control) = (free_port().to_string(), free_port().to_string());
    let sipp = tokio::process::Command::new("sipp")
        .args(["-sn", "uas", "-i", "127.0.0.1", "-p", &sipp_port.to_string(), "-mi", "127.0.0.1", "-mp", &media])
        .args(["-cp", &control, "-m", "1", "-timeout", "30", "-nostdin"])
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let sipp = tokio::spawn(sipp);

    let layer = TransactionLayer::new(Config::default(), Limits::default(), 2);
    let bind: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let mut endpoint = UdpEndpoint::bind(bind, layer).await.expect("bind");
    let local = endpoint.local_addr().expect("addr");
    let (done, finished) = tokio::sync::oneshot::channel();
    let peer: SocketAddr = format!("127.0.0.1:{sipp_port}").parse().expect("peer");
    let mut caller = Caller { local, peer, invite: None, bye: None, statuses: Vec::new(), done: Some(done) };
    // If SIPp is not listening yet, Timer A retransmits the INVITE.
    let invite = caller.invite();
    caller.invite = Some(endpoint.layer_mut().send_request(invite, peer, Instant::now()).expect("INVITE sent"));
    let run = endpoint.run(&mut caller, async {
        let _ = finished.await;
    });
    // Bounds on a hung peer, not timing assertions.
    tokio::time::timeout(Duration::from_secs(60), run).await.expect("call finished").expect("endpoint ran");
    let output = tokio::time::timeout(Duration::from_secs(60), sipp)
        .await
        .expect("sipp finished")
        .expect("sipp task")
        .expect("sipp ran");

    assert!(output.status.success(), "sipp failed ({}):\n{}", output.status, String::from_utf8_lossy(&output.stdout));
    assert!(caller.statuses.contains(&(Method::Invite, 180)), "{:?}", caller.statuses);
    assert!(caller.statuses.contains(&(Method::Invite, 200)), "{:?}", caller.statuses);
    assert_eq!(caller.statuses.last(), Some(&(Method::Bye, 200)));
}
