//! Configuration: built-in defaults (`config/default.toml`), then an optional
//! file given with `--config`, then `SWITCHBOARD_*` environment variables.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;

/// The defaults, compiled in so the binary runs from any directory.
const DEFAULTS: &str = include_str!("../../../config/default.toml");

/// `SWITCHBOARD_*` variables that are not configuration keys: the config
/// file path (read by the CLI) and the PostgreSQL binaries and test settings
/// (read by the store).
const NOT_CONFIG: &[&str] = &["config", "pg_bin", "test_pg_dir", "test_database_url"];

/// Configuration from environment variables starting with `prefix`.
fn environment(prefix: &str) -> Env {
    Env::prefixed(prefix).ignore(NOT_CONFIG).split("__")
}

/// Everything the binary can be configured with.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Local state: private cluster, journal.
    pub data_dir: PathBuf,
    /// HTTP listener.
    pub http: HttpConfig,
    /// PostgreSQL.
    pub database: DatabaseConfig,
    /// The event writer.
    pub events: EventsConfig,
    /// The SIP edge.
    pub sip: SipConfig,
    /// The media engine.
    pub media: MediaConfig,
    /// How often configuration is read again.
    pub reload: ReloadConfig,
    /// Logging.
    pub log: LogConfig,
    /// The platform operator.
    #[serde(default)]
    pub operator: OperatorConfig,
}

/// SIP edge settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SipConfig {
    /// The platform's SIP domain: tenant `acme` is `acme.<domain>`
    /// ([`model::sip_domain`]), its agents register `sip:<extension>@acme.<domain>`.
    pub domain: String,
    /// Open SIP-over-WebSocket flows at most; a handshake beyond gets 503.
    pub ws_max_flows: usize,
    /// The UDP address of the SIP edge (carriers, desk phones).
    pub udp_listen: SocketAddr,
    /// A TCP address for SIP, when set.
    #[serde(default)]
    pub tcp_listen: Option<SocketAddr>,
    /// A TLS address for SIP (`sips:`, with the certificate of
    /// `http.tls_cert`), when set.
    #[serde(default)]
    pub tls_listen: Option<SocketAddr>,
}

/// Reading the tenants' configuration again.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReloadConfig {
    /// Seconds between two reads (at least 1).
    pub every_secs: u64,
}

impl ReloadConfig {
    /// The interval, never under a second.
    pub fn every(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.every_secs.max(1))
    }
}

/// Media engine settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaConfig {
    /// The address RTP sockets bind to.
    pub bind: std::net::IpAddr,
    /// The address written into SDP.
    pub advertise: std::net::IpAddr,
    /// The first port of the RTP range.
    pub port_first: u16,
    /// The last port of the RTP range.
    pub port_last: u16,
    /// Shard threads.
    pub shards: usize,
    /// Cores the shard threads are pinned to, shard `n` to
    /// `cores[n % len]`; empty (the default): left to the scheduler.
    pub cores: Vec<usize>,
    /// The least time, in microseconds, between two wakes of a shard that
    /// took datagrams (`media::shard::WakePacing`); 0: each datagram taken
    /// as it comes.
    pub pacing_us: u64,
    /// The prompts folder (16 kHz mono WAV files).
    pub prompts_dir: PathBuf,
}

/// The longest wake pacing taken: a quarter of a 20 ms frame.
const MAX_PACING_US: u64 = 5_000;

impl MediaConfig {
    /// The shards' wake pacing interval.
    pub fn pacing(&self) -> std::time::Duration {
        std::time::Duration::from_micros(self.pacing_us)
    }
}

/// HTTP listener settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// PEM certificate chain (end-entity first): with `tls_key`, the port
    /// speaks HTTPS and WSS.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of `tls_cert`.
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// The built web app, served at `/` when it holds an `index.html`.
    #[serde(default)]
    pub web_dir: Option<PathBuf>,
}

impl HttpConfig {
    /// The certificate and key files when TLS is configured; an error when
    /// only one of them is.
    pub fn tls_files(&self) -> anyhow::Result<Option<(&Path, &Path)>> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Ok(Some((cert, key))),
            (None, None) => Ok(None),
            (Some(_), None) => anyhow::bail!("http.tls_cert is set but http.tls_key is not: TLS needs both"),
            (None, Some(_)) => anyhow::bail!("http.tls_key is set but http.tls_cert is not: TLS needs both"),
        }
    }
}

/// PostgreSQL settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Connection URL; `None` runs a private cluster under `data_dir/pg`.
    pub url: Option<String>,
    /// Pool size.
    pub max_connections: u32,
}

/// Event writer settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsConfig {
    /// Journal size limit in bytes.
    pub journal_max_bytes: u64,
    /// Capacity of the writer's channel, in events.
    pub channel_capacity: usize,
    /// Most events per database transaction.
    pub batch_max: usize,
}

/// How logs are printed.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// JSON when stdout is not a terminal.
    Auto,
    /// Always JSON lines.
    Json,
    /// Always human-readable text.
    Text,
}

/// Logging settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// Output format.
    pub format: LogFormat,
    /// `tracing` filter, e.g. `info,store=debug`; `RUST_LOG` wins when set.
    pub filter: String,
}

/// Platform operator settings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorConfig {
    /// Bearer token of the platform operator.
    pub token: Option<String>,
}

impl Config {
    /// Loads the defaults, then `file` when given, then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        Self::load_from(file, environment("SWITCHBOARD_"))
    }

    fn load_from(file: Option<&Path>, env: Env) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(file) = file {
            anyhow::ensure!(file.exists(), "configuration file {} does not exist", file.display());
            figment = figment.merge(Toml::file_exact(file));
        }
        let config: Config = figment.merge(env).extract().context("invalid configuration")?;
        anyhow::ensure!(
            model::is_valid_domain(&config.sip.domain),
            "invalid configuration: sip.domain {:?} is not a domain name (labels of letters, digits and inner hyphens)",
            config.sip.domain
        );
        anyhow::ensure!(
            config.media.pacing_us <= MAX_PACING_US,
            "invalid configuration: media.pacing_us {} is more than {MAX_PACING_US} (every relayed packet may wait that long)",
            config.media.pacing_us
        );
        Ok(config)
    }

    /// Where the private PostgreSQL cluster lives.
    pub fn cluster_dir(&self) -> PathBuf {
        self.data_dir.join("pg")
    }

    /// Where call recordings and voicemail are written.
    pub fn recordings_dir(&self) -> PathBuf {
        self.data_dir.join("recordings")
    }

    /// Where the event journal lives.
    pub fn journal_dir(&self) -> PathBuf {
        self.data_dir.join("journal")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_listen_on_loopback_and_run_a_private_cluster() {
        let config = Config::load_from(None, Env::prefixed("SWITCHBOARD_TEST_NOTHING_")).unwrap();
        assert_eq!(config.http.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(config.database.url, None);
        assert_eq!(config.cluster_dir(), PathBuf::from("var/pg"));
        assert_eq!(config.http.tls_files().unwrap(), None);
        assert_eq!(config.sip.ws_max_flows, 10_000);
    }

    #[test]
    #[expect(clippy::result_large_err, reason = "figment::Jail fixes the closure's error type")]
    fn a_certificate_without_its_key_is_an_error_naming_the_missing_key() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("SBCFGTEST4_HTTP__TLS_CERT", "/etc/sb/cert.pem");
            let config = Config::load_from(None, environment("SBCFGTEST4_")).unwrap();
            let err = config.http.tls_files().unwrap_err();
            assert!(err.to_string().contains("http.tls_key"), "{err}");
            jail.set_env("SBCFGTEST4_HTTP__TLS_KEY", "/etc/sb/key.pem");
            let config = Config::load_from(None, environment("SBCFGTEST4_")).unwrap();
            let files = config.http.tls_files().unwrap().unwrap();
            assert_eq!(files, (Path::new("/etc/sb/cert.pem"), Path::new("/etc/sb/key.pem")));
            Ok(())
        });
    }

    #[test]
    #[expect(clippy::result_large_err, reason = "figment::Jail fixes the closure's error type")]
    fn sip_domain_defaults_to_switchboard_localhost_and_names_tenant_domains() {
        let config = Config::load_from(None, Env::prefixed("SWITCHBOARD_TEST_NOTHING_")).unwrap();
        assert_eq!(config.sip.domain, "switchboard.localhost");
        assert_eq!(model::sip_domain("demo", &config.sip.domain), "demo.switchboard.localhost");
        figment::Jail::expect_with(|jail| {
            jail.set_env("SBCFGTEST4_SIP__DOMAIN", "sip.example.com");
            let config = Config::load_from(None, environment("SBCFGTEST4_")).unwrap();
            assert_eq!(model::sip_domain("acme", &config.sip.domain), "acme.sip.example.com");
            jail.set_env("SBCFGTEST4_SIP__DOMAIN", "not a domain");
            let err = Config::load_from(None, environment("SBCFGTEST4_")).unwrap_err();
            assert!(format!("{err:#}").contains("sip.domain"), "{err:#}");
            Ok(())
        });
    }

    #[test]
    #[expect(clippy::result_large_err, reason = "figment::Jail fixes the closure's error type")]
    fn file_then_environment_override_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sb.toml");
        std::fs::write(&file, "data_dir = \"/srv/sb\"\n[http]\nlisten = \"127.0.0.1:9000\"\n").unwrap();
        figment::Jail::expect_with(|jail| {
            jail.set_env("SBCFGTEST_HTTP__LISTEN", "127.0.0.1:9100");
            let config = Config::load_from(Some(&file), environment("SBCFGTEST_")).unwrap();
            assert_eq!(config.data_dir, PathBuf::from("/srv/sb"));
            assert_eq!(config.http.listen, "127.0.0.1:9100".parse().unwrap());
            Ok(())
        });
    }

    #[test]
    #[expect(clippy::result_large_err, reason = "figment::Jail fixes the closure's error type")]
    fn variables_read_elsewhere_are_not_taken_for_configuration() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("SBCFGTEST3_CONFIG", "/etc/sb.toml");
            jail.set_env("SBCFGTEST3_PG_BIN", "/usr/lib/postgresql/15/bin");
            jail.set_env("SBCFGTEST3_DATA_DIR", "/srv/x");
            let config = Config::load_from(None, environment("SBCFGTEST3_")).unwrap();
            assert_eq!(config.data_dir, PathBuf::from("/srv/x"));
            Ok(())
        });
    }

    #[test]
    fn media_wake_pacing_defaults_to_the_engines_and_refuses_more_than_5_ms() {
        let config = Config::load_from(None, Env::prefixed("SWITCHBOARD_TEST_NOTHING_")).unwrap();
        assert_eq!(config.media.pacing(), media::shard::DEFAULT_PACING);
        assert!(config.media.cores.is_empty());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sb.toml");
        std::fs::write(&file, "[media]\npacing_us = 0\ncores = [1]\n").unwrap();
        let config = Config::load_from(Some(&file), Env::prefixed("SBCFGTEST5_")).unwrap();
        assert_eq!((config.media.pacing(), config.media.cores), (std::time::Duration::ZERO, vec![1]));
        std::fs::write(&file, "[media]\npacing_us = 5001\n").unwrap();
        let err = Config::load_from(Some(&file), Env::prefixed("SBCFGTEST5_")).unwrap_err();
        assert!(format!("{err:#}").contains("media.pacing_us 5001"), "{err:#}");
    }

    #[test]
    fn unknown_keys_and_missing_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sb.toml");
        std::fs::write(&file, "[http]\nlisen = \"127.0.0.1:9000\"\n").unwrap();
        let err = Config::load_from(Some(&file), Env::prefixed("SBCFGTEST2_")).unwrap_err();
        assert!(format!("{err:#}").contains("lisen"), "{err:#}");
        assert!(Config::load_from(Some(Path::new("/nonexistent.toml")), Env::prefixed("X_")).is_err());
    }
}
