//! TLS for `https` control sockets (Kea's `trust-anchor`, `cert-file`,
//! `key-file`, `cert-required`), with rustls.

use std::io;
use std::path::Path;
use std::sync::Arc;

use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::config::services::Tls;

fn error(what: &str, file: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("{what} {file}: {e}"))
}

/// Every certificate in a PEM file.
fn certificates(key: &str, file: &str) -> io::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(file)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| error(key, file, e))?;
    if certs.is_empty() {
        return Err(error(key, file, "no certificate in the file"));
    }
    Ok(certs)
}

/// The trust anchor: a PEM file, or a directory of them (as OpenSSL's
/// CApath, which Kea accepts too).
fn roots(anchor: &str) -> io::Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    let files: Vec<String> = if Path::new(anchor).is_dir() {
        std::fs::read_dir(anchor)
            .map_err(|e| error("trust-anchor", anchor, e))?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .map(|e| e.path().to_string_lossy().into_owned())
            .collect()
    } else {
        vec![anchor.to_string()]
    };
    for f in &files {
        // In a directory, files that hold no certificate are skipped.
        let Ok(certs) = certificates("trust-anchor", f) else {
            continue;
        };
        for c in certs {
            store.add(c).map_err(|e| error("trust-anchor", f, e))?;
        }
    }
    if store.is_empty() {
        return Err(error("trust-anchor", anchor, "no usable CA certificate"));
    }
    Ok(store)
}

/// The acceptor for `tls`; a file that cannot be used is an error naming it.
pub fn acceptor(tls: &Tls) -> io::Result<TlsAcceptor> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = certificates("cert-file", &tls.cert_file)?;
    let key = PrivateKeyDer::from_pem_file(&tls.key_file)
        .map_err(|e| error("key-file", &tls.key_file, e))?;
    let verifier = WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots(&tls.trust_anchor)?),
        provider.clone(),
    );
    // cert-required false: a certificate is not asked for, but one that is
    // sent must still chain to the trust anchor.
    let verifier = if tls.cert_required {
        verifier
    } else {
        verifier.allow_unauthenticated()
    }
    .build()
    .map_err(|e| error("trust-anchor", &tls.trust_anchor, e))?;
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| error("TLS", "setup", e))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| error("cert-file", &tls.cert_file, e))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
