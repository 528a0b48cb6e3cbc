//! Test certificates made with rcgen: a CA and a server certificate it
//! signs for `localhost` and 127.0.0.1, written as PEM files.

use std::path::PathBuf;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use sip::tls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;

/// A CA, a server certificate it signed and the server's key, as files.
pub struct Pki {
    /// Holds the files.
    pub dir: tempfile::TempDir,
    /// The CA certificate (PEM).
    pub ca: PathBuf,
    /// The server certificate (PEM).
    pub cert: PathBuf,
    /// The server's private key (PEM, PKCS#8).
    pub key: PathBuf,
}

impl Pki {
    /// A fresh CA and server certificate.
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("ca key")).expect("ca");
        let server_key = KeyPair::generate().expect("server key");
        let server_params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).expect("params");
        let server = server_params.signed_by(&server_key, &ca).expect("server cert");
        let write = |name: &str, pem: String| {
            let path = dir.path().join(name);
            std::fs::write(&path, pem).expect("write pem");
            path
        };
        let ca = write("ca.pem", ca.pem());
        let cert = write("cert.pem", server.pem());
        let key = write("key.pem", server_key.serialize_pem());
        Pki { dir, ca, cert, key }
    }

    /// Writes `contents` to a file named `name` beside the others.
    pub fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write");
        path
    }

    /// A TLS client that trusts this CA only.
    pub fn connector(&self) -> TlsConnector {
        TlsConnector::from(Arc::new(sip::tls::client_config(&self.ca).expect("client config")))
    }
}

/// The name the server certificate is for.
pub fn server_name() -> ServerName<'static> {
    ServerName::try_from("localhost").expect("name")
}
