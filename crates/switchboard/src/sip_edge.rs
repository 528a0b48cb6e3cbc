//! The SIP edge inside `serve`: one [`sip::edge::Edge`] on a UDP socket
//! (`sip.udp_listen`) and on the WebSocket flows of `GET /sip`, with the
//! registrar answering agents' REGISTERs from their SIP passwords in the
//! database, and carriers admitted by the trunks and numbers of every
//! tenant. Accounts, trunks and numbers are read again every
//! `reload.every_secs`. The edge's events (calls, registrations) go to the call
//! layer (`calls::Calls`), which `serve` starts with what this returns.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use model::{AgentId, InboundAuth, TenantId};
use sip::auth::Algorithm;
use sip::edge::{
    Edge, EdgeConfig, EdgeEvent, InboundRoute, LocalTransport, TransportId, TrunkAuthConfig, TrunkDirectory,
};
use sip::registrar::{Accounts, Registrar, Transport};
use sip::runner::{EdgeHandle, EdgeRunner};
use sip::trunk::{Inbound, Trunk, TrunkTable};
use sqlx::PgPool;
use tokio::sync::mpsc;

/// (tenant domain, extension) → the agent, as last read.
type AgentsByAor = HashMap<(String, String), (TenantId, AgentId)>;

/// The map the reload task replaces and the call layer reads.
pub type SharedAgents = Arc<RwLock<AgentsByAor>>;

/// What the edge knows from the database at one moment.
struct Snapshot {
    accounts: Accounts,
    /// (tenant domain, extension) → the agent.
    agents: AgentsByAor,
    trunks: TrunkTable<String>,
    /// E.164 number → its tenant and number id.
    numbers: HashMap<String, (TenantId, String)>,
    /// Trunk id → its tenant.
    trunk_tenants: HashMap<String, TenantId>,
}

/// Reads every tenant's SIP accounts, trunks and numbers. A trunk whose
/// allow-list cannot be used is left out with a warning.
async fn load(pool: &PgPool, platform_domain: &str, realm: &str) -> anyhow::Result<Snapshot> {
    let accounts = store::repo::sip_accounts::all(pool).await.context("cannot read SIP accounts")?;
    let mut agents = HashMap::new();
    let mut triples = Vec::new();
    for account in &accounts {
        let domain = account.domain(platform_domain);
        agents.insert((domain.clone(), account.extension.to_ascii_lowercase()), (account.tenant_id, account.agent_id));
        triples.push((domain, account.extension.clone(), account.password.clone()));
    }
    let (mut trunks, mut numbers, mut trunk_tenants) = (Vec::new(), HashMap::new(), HashMap::new());
    for tenant in store::repo::tenants::list(pool).await.context("cannot read tenants")? {
        for record in store::repo::trunks::list(pool, tenant.id).await.context("cannot read trunks")? {
            let id = record.id.to_string();
            let inbound = match &record.data.inbound {
                InboundAuth::IpAllowList { sources } => Inbound::allow_list(sources),
                InboundAuth::Digest { credentials } => {
                    Inbound::digest(&credentials.username, &credentials.password, realm)
                }
            };
            match inbound {
                Ok(inbound) => {
                    trunk_tenants.insert(id.clone(), tenant.id);
                    trunks.push(Trunk { id, inbound, outbound: None });
                }
                Err(e) => {
                    tracing::warn!(tenant = %tenant.id, trunk = %id, error = %e, "trunk left out of the SIP edge")
                }
            }
        }
        for record in store::repo::numbers::list(pool, tenant.id).await.context("cannot read numbers")? {
            numbers.insert(record.data.e164.clone(), (tenant.id, record.id.to_string()));
        }
    }
    let trunks = TrunkTable::new(&trunks).context("the trunks do not form a table")?;
    Ok(Snapshot { accounts: Accounts::from_passwords(triples), agents, trunks, numbers, trunk_tenants })
}

/// The running edge.
pub struct SipEdge {
    stop: tokio::sync::oneshot::Sender<()>,
    runner: tokio::task::JoinHandle<std::io::Result<()>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The UDP address it listens on.
    pub udp: SocketAddr,
    /// The edge's handle, for the call layer.
    pub handle: EdgeHandle,
    /// The edge's events, for the call layer (taken once).
    pub events: Option<mpsc::Receiver<EdgeEvent>>,
    /// Which agent each registered AOR is, kept current by the reload.
    pub agents: SharedAgents,
}

impl SipEdge {
    /// Stops the edge (live calls are dropped).
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.runner.await;
        for task in self.tasks {
            task.abort();
        }
    }
}

/// What the edge needs from `serve`.
pub struct EdgeSetup<'a> {
    /// The database.
    pub pool: &'a PgPool,
    /// The platform SIP domain (`sip.domain`).
    pub domain: &'a str,
    /// The UDP address to listen on (`sip.udp_listen`).
    pub udp_listen: SocketAddr,
    /// The WebSocket flows of `GET /sip`, their transport (WS or WSS) and
    /// the HTTP address they are served on.
    pub ws: (sip::ws::WsFlows, Transport, SocketAddr),
    /// A TCP address to serve SIP on (`sip.tcp_listen`).
    pub tcp_listen: Option<SocketAddr>,
    /// A TLS address and the acceptor to serve SIP over TLS with.
    pub tls: Option<(SocketAddr, sip::tls::TlsAcceptor)>,
    /// How often accounts, trunks and numbers are read again (`reload.every_secs`).
    pub reload_every: Duration,
}

/// Starts the edge.
pub async fn start(setup: EdgeSetup<'_>) -> anyhow::Result<SipEdge> {
    let trunk_auth = TrunkAuthConfig { realm: setup.domain.to_owned(), ..TrunkAuthConfig::default() };
    let snapshot = load(setup.pool, setup.domain, &trunk_auth.realm).await?;
    let socket = tokio::net::UdpSocket::bind(setup.udp_listen)
        .await
        .with_context(|| format!("cannot listen on {} (sip.udp_listen)", setup.udp_listen))?;
    let udp = socket.local_addr()?;
    let (flows, ws_kind, http) = setup.ws;
    let mut transports = vec![
        LocalTransport::new(Transport::Udp, &udp.ip().to_string(), udp.port()),
        LocalTransport::new(ws_kind, &http.ip().to_string(), http.port()),
    ];
    let tcp = match setup.tcp_listen {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} (sip.tcp_listen)"))?,
        ),
        None => None,
    };
    let tls = match setup.tls {
        Some((addr, acceptor)) => Some((
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} (sip.tls_listen)"))?,
            acceptor,
        )),
        None => None,
    };
    let mut stream_ids = (None, None);
    for (listener, kind) in [(tcp.as_ref(), Transport::Tcp), (tls.as_ref().map(|(l, _)| l), Transport::Tls)] {
        let Some(listener) = listener else { continue };
        let local = listener.local_addr()?;
        let id = TransportId(u8::try_from(transports.len()).unwrap_or(u8::MAX));
        transports.push(LocalTransport::new(kind, &local.ip().to_string(), local.port()));
        tracing::info!(%local, transport = kind.as_str(), "SIP edge listening");
        if kind == Transport::Tcp { stream_ids.0 = Some(id) } else { stream_ids.1 = Some(id) }
    }
    let seed = uuid::Uuid::new_v4().as_u64_pair().0;
    let (start, unix) = (Instant::now(), SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()));
    let secret = uuid::Uuid::new_v4();
    // MD5 only: baresip 1.0 (libre) fails with "Function not implemented"
    // on a SHA-256 challenge even when an MD5 one comes first, and JsSIP
    // 3.x knows only MD5 (the test with two baresip phones pins this).
    let registrar_config = sip::registrar::Config { algorithms: vec![Algorithm::Md5], ..Default::default() };
    let registrar =
        Registrar::new(registrar_config, credentials(snapshot.accounts.clone()), secret.as_bytes(), start, unix);
    let agents = Arc::new(RwLock::new(snapshot.agents.clone()));
    let directory = directory(&trunk_auth, &snapshot, secret.as_bytes(), start, unix);
    let edge = Edge::new(EdgeConfig::default(), transports, directory, seed).with_registrar(registrar);
    let (runner, handle, edge_events) = EdgeRunner::new(edge);
    let mut runner = runner.with_udp(TransportId(0), socket).with_ws(TransportId(1), flows);
    let limits = sip::runner::StreamLimits::default();
    if let (Some(listener), Some(id)) = (tcp, stream_ids.0) {
        runner = runner.with_tcp(id, listener, limits);
    }
    if let (Some((listener, acceptor)), Some(id)) = (tls, stream_ids.1) {
        runner = runner.with_tls(id, listener, acceptor, limits);
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runner = tokio::spawn(runner.run(async {
        let _ = stopped.await;
    }));
    let reloading = Reloading { every: setup.reload_every, trunk_auth, handle: handle.clone(), agents: agents.clone() };
    let reload = tokio::spawn(reload(setup.pool.clone(), setup.domain.to_owned(), reloading));
    tracing::info!(%udp, "SIP edge listening");
    Ok(SipEdge { stop, runner, tasks: vec![reload], udp, handle, events: Some(edge_events), agents })
}

fn credentials(accounts: Accounts) -> Box<dyn sip::registrar::CredentialStore + Send> {
    Box::new(accounts)
}

fn directory(
    config: &TrunkAuthConfig,
    snapshot: &Snapshot,
    secret: &[u8],
    start: Instant,
    unix: u64,
) -> Box<dyn sip::edge::Directory + Send> {
    let (numbers, trunk_tenants) = (snapshot.numbers.clone(), snapshot.trunk_tenants.clone());
    // A number is reached only through a trunk of its own tenant.
    let lookup = move |trunk: &str, number: &str| {
        let (tenant, number_id) = numbers.get(number)?;
        (trunk_tenants.get(trunk) == Some(tenant)).then(|| InboundRoute {
            trunk: None,
            tenant: Some(tenant.to_string()),
            entry: Some(number_id.clone()),
        })
    };
    Box::new(TrunkDirectory::new(config, snapshot.trunks.clone(), lookup, secret, start, unix))
}

/// What the reload task keeps current, and how often.
struct Reloading {
    every: Duration,
    trunk_auth: TrunkAuthConfig,
    handle: EdgeHandle,
    agents: SharedAgents,
}

/// Reads accounts, trunks and numbers again now and then and hands them to
/// the edge.
async fn reload(pool: PgPool, domain: String, reloading: Reloading) {
    let Reloading { every, trunk_auth, handle, agents } = reloading;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    let secret = uuid::Uuid::new_v4();
    loop {
        tick.tick().await;
        let snapshot = match load(&pool, &domain, &trunk_auth.realm).await {
            Ok(snapshot) => snapshot,
            Err(e) => {
                tracing::warn!(error = %e, "SIP edge kept its accounts and trunks: reading them failed");
                continue;
            }
        };
        let unix = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let directory = directory(&trunk_auth, &snapshot, secret.as_bytes(), Instant::now(), unix);
        *agents.write().unwrap_or_else(PoisonError::into_inner) = snapshot.agents;
        if handle.set_credentials(credentials(snapshot.accounts)).await.is_err()
            || handle.set_directory(directory).await.is_err()
        {
            return;
        }
    }
}
