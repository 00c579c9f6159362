//! HTTPS served by the server itself, for a small deployment without a reverse proxy: rustls (ring)
//! with the certificate chain and key of the `[tls]` table, HTTP/1.1 and HTTP/2 (ALPN) on the same
//! router as plain HTTP. Behind a TLS proxy, leave `[tls]` out.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::TlsConfig;

/// Why the TLS set-up failed (at start: the server does not run half-configured).
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file that cannot be read or holds nothing usable.
    #[error("{path} : {reason}")]
    File {
        /// The file.
        path: String,
        /// What is wrong, in French.
        reason: String,
    },
    /// rustls refused the certificate and key together.
    #[error("certificat ou clé refusés : {0}")]
    Rustls(#[from] tokio_rustls::rustls::Error),
}

/// The rustls acceptor of the configured certificate chain and key.
pub fn acceptor(tls: &TlsConfig) -> Result<TlsAcceptor, TlsError> {
    let file_error = |path: &std::path::Path, reason: String| TlsError::File {
        path: path.display().to_string(),
        reason,
    };
    let chain = CertificateDer::pem_file_iter(&tls.cert_file)
        .map_err(|e| file_error(&tls.cert_file, e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(&tls.cert_file, e.to_string()))?;
    if chain.is_empty() {
        return Err(file_error(&tls.cert_file, "aucun certificat PEM".into()));
    }
    let key = PrivateKeyDer::from_pem_file(&tls.key_file)
        .map_err(|e| file_error(&tls.key_file, e.to_string()))?;
    let mut config = ServerConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Accepts TLS connections on `listener` and serves `router` on each until `shutdown` resolves; a
/// handshake that stalls is dropped after 10 s, connections in flight get 10 s to finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    acceptor: TlsAcceptor,
    router: Router,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut connections = tokio::task::JoinSet::new();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
        };
        let (acceptor, router) = (acceptor.clone(), router.clone());
        let watcher = graceful.watcher();
        connections.spawn(async move {
            let Ok(Ok(stream)) =
                tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
            else {
                return;
            };
            let service = tower::ServiceExt::map_request(
                router,
                move |req: axum::http::Request<hyper::body::Incoming>| {
                    let mut req = req.map(axum::body::Body::new);
                    req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                    req
                },
            );
            let builder = auto::Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(service),
            );
            let _ = watcher.watch(connection.into_owned()).await;
        });
        while connections.try_join_next().is_some() {}
    }
    // Idle connections close at once, busy ones after their answer (HTTP/2: GOAWAY); 10 s at most.
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        graceful.shutdown().await;
        while connections.join_next().await.is_some() {}
    })
    .await;
    Ok(())
}
