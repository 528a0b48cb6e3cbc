//! TLS for SIP (RFC 3261 §26, `transport=tls`) and for WSS: certificates
//! and keys loaded from PEM files into rustls configurations (the `ring`
//! provider), and [`TlsListener`], an accept loop that runs handshakes off
//! the accepting task so a slow or hostile client never stalls the others.
//!
//! Loading never panics: a missing file, a file without a certificate, a
//! key that is absent, unsupported or does not match the certificate each
//! give a [`TlsError`] naming the file.
//!
//! ```no_run
//! # fn demo() -> Result<(), sip::tls::TlsError> {
//! use std::path::Path;
//! let acceptor = sip::tls::acceptor(Path::new("/etc/sb/cert.pem"), Path::new("/etc/sb/key.pem"))?;
//! # let _ = acceptor; Ok(()) }
//! ```

mod listener;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig};

pub(crate) use listener::is_connection_error;
pub use listener::{MAX_PENDING_HANDSHAKES, TlsListener, TlsListenerStats};
pub use rustls::pki_types::ServerName;
pub use tokio_rustls::{TlsAcceptor, TlsConnector};

/// Why a certificate, key or CA file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// The file is not valid PEM.
    #[error("{} is not valid PEM: {detail}", path.display())]
    BadPem {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// The file holds no `CERTIFICATE` block.
    #[error("{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path.display())]
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// The file holds no private key block.
    #[error("{} holds no PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC)", path.display())]
    NoKey {
        /// The file.
        path: PathBuf,
    },
    /// The key is of a kind or encoding the `ring` provider cannot sign with.
    #[error("the private key in {} is not supported (RSA, ECDSA P-256/P-384 or Ed25519 are): {detail}", path.display())]
    UnsupportedKey {
        /// The key file.
        path: PathBuf,
        /// What rustls said.
        detail: String,
    },
    /// The key is not the one of the chain's first certificate.
    #[error("the private key in {} does not match the certificate in {}", key.display(), cert.display())]
    KeyMismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
    },
    /// rustls refused the certificate (e.g. it is not valid DER) or a CA.
    #[error("rustls refused the certificate in {}: {source}", path.display())]
    Rejected {
        /// The certificate or CA file.
        path: PathBuf,
        /// What rustls said.
        source: rustls::Error,
    },
}

/// The crypto provider every configuration here is built with (`ring`).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server configuration with the chain in `cert` (end-entity first) and
/// the private key in `key`, both PEM files; TLS 1.2 and 1.3, no ALPN (set
/// `alpn_protocols` for HTTP).
pub fn server_config(cert: &Path, key: &Path) -> Result<ServerConfig, TlsError> {
    let chain = load_certificates(cert)?;
    let private_key = load_key(key)?;
    let provider = provider();
    if let Err(error) = provider.key_provider.load_private_key(private_key.clone_key()) {
        return Err(TlsError::UnsupportedKey { path: key.to_owned(), detail: error.to_string() });
    }
    ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|source| TlsError::Rejected { path: cert.to_owned(), source })?
        .with_no_client_auth()
        .with_single_cert(chain, private_key)
        .map_err(|source| match source {
            rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
                TlsError::KeyMismatch { cert: cert.to_owned(), key: key.to_owned() }
            }
            source => TlsError::Rejected { path: cert.to_owned(), source },
        })
}

/// A TLS acceptor over [`server_config`].
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    Ok(TlsAcceptor::from(Arc::new(server_config(cert, key)?)))
}

/// A client configuration that trusts only the CA certificates in the PEM
/// file `ca` (for tests and for outbound TLS to a known peer).
pub fn client_config(ca: &Path) -> Result<ClientConfig, TlsError> {
    let pem = read(ca)?;
    client_config_from_pem(&pem, ca)
}

/// A client configuration that trusts only the CA certificates in `pem`;
/// `origin` names where they came from in errors.
pub fn client_config_from_pem(pem: &[u8], origin: &Path) -> Result<ClientConfig, TlsError> {
    let mut roots = RootCertStore::empty();
    for certificate in parse_certificates(pem, origin)? {
        roots.add(certificate).map_err(|source| TlsError::Rejected { path: origin.to_owned(), source })?;
    }
    Ok(ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|source| TlsError::Rejected { path: origin.to_owned(), source })?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The certificates of the PEM file `path`, in order; at least one.
pub fn load_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    parse_certificates(&read(path)?, path)
}

/// The first private key of the PEM file `path`.
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = read(path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|error| match error {
        rustls::pki_types::pem::Error::NoItemsFound => TlsError::NoKey { path: path.to_owned() },
        error => TlsError::BadPem { path: path.to_owned(), detail: error.to_string() },
    })
}

fn parse_certificates(pem: &[u8], path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let chain = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| TlsError::BadPem { path: path.to_owned(), detail: error.to_string() })?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate { path: path.to_owned() });
    }
    Ok(chain)
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read { path: path.to_owned(), source })
}
