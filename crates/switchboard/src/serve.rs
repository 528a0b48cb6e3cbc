//! `switchboard serve`: the database, the event writer and the HTTP API, until
//! SIGINT or SIGTERM; then the listener drains and the writer flushes. With
//! `http.tls_cert` and `http.tls_key` the port speaks HTTPS and WSS.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::{database, demo, demo_data};

/// Runs the platform until a shutdown signal, then shuts down gracefully.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    // A bad certificate stops start-up before anything else is opened.
    let tls = tls_acceptor(config)?;
    let db = database::open(config).await?;

    let mut writer_config = store::writer::WriterConfig::new(config.journal_dir());
    writer_config.channel_capacity = config.events.channel_capacity;
    writer_config.batch_max = config.events.batch_max;
    writer_config.journal_max_bytes = config.events.journal_max_bytes;
    let (events, writer) = store::writer::start(db.pool.clone(), writer_config)
        .with_context(|| format!("cannot start the event writer (journal in {})", config.journal_dir().display()))?;

    let status_source = events.clone();
    let web_dir = config.http.web_dir.clone().filter(|d| d.join("index.html").is_file());
    let api_config = api::ApiConfig {
        operator_token: config.operator.token.clone(),
        web_dir: web_dir.clone(),
        sip_domain: config.sip.domain.clone(),
        ..api::ApiConfig::default()
    };
    let state = api::AppState::new(db.pool.clone(), api_config)
        .with_writer_status(move || status_source.status())
        .with_live_feed(events.bus());

    let listener = TcpListener::bind(config.http.listen)
        .await
        .with_context(|| format!("cannot listen on {} (http.listen)", config.http.listen))?;
    let addr = listener.local_addr()?;
    let web = match (&web_dir, &config.http.web_dir) {
        (Some(_), _) => Some(format!("{}://{addr}/", if tls.is_some() { "https" } else { "http" })),
        (None, Some(dir)) => {
            Some(format!("not served: {} holds no index.html (cd web && npm ci && npm run build)", dir.display()))
        }
        (None, None) => None,
    };
    announce(addr, tls.is_some(), &db, &config.sip.domain, web.as_deref());

    // SIP over WebSocket on the API's origin (GET /sip, RFC 7118), and UDP.
    let limits = sip::message::Limits::default();
    let (sip_ws, ws_flows) = sip::ws::WsTransport::with_flows(limits);
    let sip_ws = sip_ws.with_max_flows(config.sip.ws_max_flows);
    let ws_kind = if tls.is_some() { sip::registrar::Transport::Wss } else { sip::registrar::Transport::Ws };
    let mut sip_edge = crate::sip_edge::start(crate::sip_edge::EdgeSetup {
        pool: &db.pool,
        domain: &config.sip.domain,
        udp_listen: config.sip.udp_listen,
        ws: (ws_flows, ws_kind, addr),
        tcp_listen: config.sip.tcp_listen,
        tls: sip_tls(config)?,
        reload_every: config.reload.every(),
    })
    .await?;
    println!("  SIP/UDP:   {}", sip_edge.udp);
    let calls = crate::call_layer::start(config, &db.pool, events.clone(), &mut sip_edge).await?;
    let state = state.with_call_control(std::sync::Arc::new(calls));
    let app = api::router(state).merge(sip_ws.router());

    match tls {
        None => axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("HTTP server failed")?,
        Some(acceptor) => {
            let listener = sip::tls::TlsListener::new(listener, acceptor, TLS_HANDSHAKE_TIMEOUT)?;
            // Flows upgraded on this port are WSS.
            let app = app.layer(axum::Extension(sip::ws::OverTls));
            // tap_io makes ConnectInfo<SocketAddr> available for /sip.
            axum::serve(listener.tap_io(|_| ()), app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(shutdown_signal())
                .await
                .context("HTTPS server failed")?
        }
    }
    sip_edge.stop().await;

    tracing::info!("shutting down: flushing the event writer");
    drop(events);
    writer.shutdown().await;
    db.pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// SIP over TLS: `sip.tls_listen` with the certificate of the HTTP port.
fn sip_tls(config: &Config) -> anyhow::Result<Option<(SocketAddr, sip::tls::TlsAcceptor)>> {
    let Some(addr) = config.sip.tls_listen else { return Ok(None) };
    let Some((cert, key)) = config.http.tls_files()? else {
        anyhow::bail!(
            "sip.tls_listen is set but http.tls_cert and http.tls_key are not: SIP over TLS uses that certificate"
        )
    };
    let acceptor =
        sip::tls::acceptor(cert, key).context("cannot use http.tls_cert and http.tls_key for SIP over TLS")?;
    Ok(Some((addr, acceptor)))
}

/// A TLS handshake on the HTTP port not done within this is abandoned.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The TLS acceptor for the HTTP port when `http.tls_cert` and
/// `http.tls_key` are set (HTTP/1.1 by ALPN); `None` for plain HTTP.
fn tls_acceptor(config: &Config) -> anyhow::Result<Option<sip::tls::TlsAcceptor>> {
    let Some((cert, key)) = config.http.tls_files()? else { return Ok(None) };
    let mut server = sip::tls::server_config(cert, key).context("cannot use http.tls_cert and http.tls_key")?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(sip::tls::TlsAcceptor::from(Arc::new(server))))
}

/// Prints where to go and how to log in, for the person who just started it.
fn announce(addr: SocketAddr, tls: bool, db: &database::Database, sip_domain: &str, web: Option<&str>) {
    let (http, ws) = if tls { ("https", "wss") } else { ("http", "ws") };
    println!("Switchboard is running.");
    if let Some(web) = web {
        println!("  Web app:   {web}");
    }
    println!("  API:       {http}://{addr}/api/v1");
    println!("  OpenAPI:   {http}://{addr}/api/openapi.json");
    println!("  SIP/WS:    {ws}://{addr}/sip (subprotocol sip)");
    println!("  Health:    {http}://{addr}/healthz  {http}://{addr}/readyz  {http}://{addr}/metrics");
    match &db.cluster {
        Some(cluster) => println!("  Database:  {} (private cluster in {})", db.url, cluster.data_dir().display()),
        None => println!("  Database:  {}", database::redact(&db.url)),
    }
    print!("{}", demo::credentials(sip_domain));
    println!(
        "  log in:     curl -s -XPOST {http}://{addr}/api/v1/auth/login -H 'content-type: application/json' \
         -d '{{\"tenant\":\"{}\",\"username\":\"{}\",\"password\":\"{}\"}}'",
        demo_data::TENANT_SLUG,
        demo_data::STAFF[0].username,
        demo_data::STAFF[0].password
    );
    println!("Press Ctrl-C to stop.");
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(error) => {
                tracing::warn!(%error, "cannot watch SIGTERM; only Ctrl-C stops the server");
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
