//! Interop with SIPp on 127.0.0.1: SIPp REGISTERs an AOR in a tenant's
//! domain with MD5 digest auth (its `[authentication]` keyword, answering
//! the tenant realm) against a test registrar built from the UDP shell and
//! the sans-IO registrar, then un-REGISTERs.

use std::net::SocketAddr;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use sip::auth::Algorithm;
use sip::layer::{LayerEvent, TransactionLayer};
use sip::message::{Limits, Method, StatusCode};
use sip::registrar::{Accounts, BindingEvent, Config, Flow, Registrar, Transport};
use sip::transaction::Config as TransactionConfig;
use sip::udp::{Handler, UdpEndpoint};

use crate::interop::{sipp_against, sipp_available};

/// Answers REGISTERs with the registrar and records its events.
struct RegistrarEndpoint {
    registrar: Registrar<Accounts>,
    events: Vec<BindingEvent>,
    challenged: usize,
}

impl Handler for RegistrarEndpoint {
    fn on_event(&mut self, event: LayerEvent, layer: &mut TransactionLayer, now: Instant) {
        let LayerEvent::Request { key, request, source } = event else {
            return;
        };
        if request.method() != &Method::Register {
            let _ = layer.respond(&key, request.response(StatusCode::new(405).expect("405"), Some("x")), now);
            return;
        }
        let flow = Flow { source, transport: Transport::Udp };
        if let Some(response) = self.registrar.handle_register(&request, flow, now) {
            self.challenged += usize::from(response.status().as_u16() == 401);
            let _ = layer.respond(&key, response, now);
        }
        self.events.extend(std::iter::from_fn(|| self.registrar.poll_event()));
    }
}

#[tokio::test(flavor = "current_thread")]
async fn sipp_registers_with_md5_digest_and_unregisters() {
    if !sipp_available() {
        return;
    }
    // SIPp answers MD5 challenges only; offer MD5 alone so it picks it.
    let config = Config { algorithms: vec![Algorithm::Md5], ..Config::default() };
    // Another tenant's alice has another password: only acme's may answer.
    let users = Accounts::from_passwords([
        ("acme.switchboard.localhost", "alice", "secret"),
        ("globex.switchboard.localhost", "alice", "other-secret"),
    ]);
    let unix = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let registrar = Registrar::new(config, users, b"interop secret", Instant::now(), unix);
    let layer = TransactionLayer::new(TransactionConfig::default(), Limits::default(), 9);
    let bind: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let endpoint = UdpEndpoint::bind(bind, layer).await.expect("bind");
    let addr = endpoint.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let mut handler = RegistrarEndpoint { registrar, events: Vec::new(), challenged: 0 };
        endpoint
            .run(&mut handler, async {
                let _ = stopped.await;
            })
            .await
            .map(|()| handler)
    });
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sipp/uac-register-auth.xml");
    let key = ["-key", "domain", "acme.switchboard.localhost"];
    sipp_against(addr, &[&["-sf", scenario, "-au", "alice", "-ap", "secret", "-m", "1"][..], &key].concat()).await;
    let _ = stop.send(());
    let handler = task.await.expect("endpoint task").expect("endpoint ran");
    assert_eq!(handler.challenged, 2, "each REGISTER without credentials was challenged");
    assert!(
        matches!(&handler.events[..], [BindingEvent::Added { aor, domain, .. }, BindingEvent::Removed { .. }]
            if aor == "sip:alice@acme.switchboard.localhost" && domain == "acme.switchboard.localhost"),
        "{:?}",
        handler.events
    );
}
