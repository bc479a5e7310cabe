//! Kea's `control-sockets` of type `http` and `https`: `POST /` with a
//! command, the answer as a JSON list of one answer per service (what
//! kea-shell, Stork and kea-exporter expect from Kea's HTTP listener), and
//! `GET /metrics` for Prometheus. A metrics-only listener (`--metrics`)
//! answers the latter alone.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine as _;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;

use super::{answer, result, tls, Api, MAX_REQUEST};
use crate::config::services::{BasicAuth, ControlSocket};

/// Who may send commands: the `Authorization` header values accepted, and
/// the realm named in a 401. `None` lets everyone in, as Kea does without
/// `authentication`.
struct Gate {
    accepted: Vec<String>,
    realm: String,
}

impl Gate {
    fn new(auth: &BasicAuth) -> Gate {
        let b64 = base64::engine::general_purpose::STANDARD;
        Gate {
            accepted: auth
                .credentials
                .iter()
                .map(|c| format!("Basic {}", b64.encode(c)))
                .collect(),
            realm: auth.realm.clone(),
        }
    }

    fn admits(&self, req: &Request<Incoming>) -> bool {
        let given = req
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        given.is_some_and(|g| self.accepted.iter().any(|a| a == g))
    }
}

/// What a listener answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routes {
    /// Commands (`POST /`) and `GET /metrics`.
    All,
    /// `GET /metrics` only.
    MetricsOnly,
}

/// What every connection of one socket shares.
struct Listener {
    api: Arc<Api>,
    gate: Option<Gate>,
    headers: Vec<(hyper::header::HeaderName, hyper::header::HeaderValue)>,
    routes: Routes,
}

/// Serves `api` on `addr` as `socket` says (HTTPS when it has TLS
/// settings, basic authentication, extra headers) until the API's stop flag
/// is set, on a thread of its own with a single-threaded runtime: commands
/// are rare and small, the packet path never waits for them.
pub fn serve(
    addr: SocketAddr,
    api: Arc<Api>,
    socket: &ControlSocket,
    routes: Routes,
) -> std::io::Result<JoinHandle<()>> {
    let bad = |e: &dyn std::fmt::Display| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
    };
    let headers = socket
        .http_headers
        .iter()
        .map(|(n, v)| {
            Ok((
                n.parse().map_err(|e| bad(&e))?,
                v.parse().map_err(|e| bad(&e))?,
            ))
        })
        .collect::<std::io::Result<_>>()?;
    let tls = socket.tls.as_ref().map(tls::acceptor).transpose()?;
    let shared = Arc::new(Listener {
        api: api.clone(),
        gate: socket.authentication.as_ref().map(Gate::new),
        headers,
        routes,
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    let listener = runtime.block_on(TcpListener::bind(addr))?;
    Ok(std::thread::spawn(move || {
        runtime.block_on(async move {
            while !api.stop.load(Ordering::Relaxed) {
                let Ok(Ok((stream, _))) =
                    tokio::time::timeout(Duration::from_millis(200), listener.accept()).await
                else {
                    continue;
                };
                let (shared, tls) = (shared.clone(), tls.clone());
                tokio::task::spawn(async move {
                    match tls {
                        // A failed handshake closes the connection; nothing
                        // was executed.
                        Some(tls) => {
                            if let Ok(stream) = tls.accept(stream).await {
                                connection(stream, shared).await;
                            }
                        }
                        None => connection(stream, shared).await,
                    }
                });
            }
        })
    }))
}

/// Serves HTTP/1.1 on one accepted (and perhaps TLS-wrapped) connection.
async fn connection(
    stream: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    shared: Arc<Listener>,
) {
    let service = service_fn(move |req| {
        let shared = shared.clone();
        async move {
            let mut r = handle(&shared, req).await;
            for (n, v) in &shared.headers {
                r.headers_mut().insert(n.clone(), v.clone());
            }
            Ok::<_, Infallible>(r)
        }
    });
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn handle(shared: &Listener, req: Request<Incoming>) -> Response<Full<Bytes>> {
    if let Some(gate) = shared.gate.as_ref().filter(|g| !g.admits(&req)) {
        // Nothing is executed for a request without valid credentials; the
        // body is Kea's, result 401 included.
        let mut r = reply(
            StatusCode::UNAUTHORIZED,
            &answer(i64::from(StatusCode::UNAUTHORIZED.as_u16()), "Unauthorized"),
        );
        let challenge = format!("Basic realm=\"{}\"", gate.realm);
        if let Ok(v) = hyper::header::HeaderValue::from_str(&challenge) {
            r.headers_mut().insert(hyper::header::WWW_AUTHENTICATE, v);
        }
        return r;
    }
    if req.method() == Method::GET && req.uri().path() == "/metrics" {
        let Some(metrics) = shared.api.metrics.clone() else {
            return reply(
                StatusCode::SERVICE_UNAVAILABLE,
                &answer(
                    result::ERROR,
                    "metrics are not available before serving starts",
                ),
            );
        };
        // A scrape reads the lease tables: off the runtime's only thread.
        let rendered = tokio::task::spawn_blocking(move || metrics.render())
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
        let text = match rendered {
            Ok(text) => text,
            Err(e) => return reply(StatusCode::SERVICE_UNAVAILABLE, &answer(result::ERROR, e)),
        };
        let mut r = Response::new(Full::new(Bytes::from(text)));
        r.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        );
        return r;
    }
    if shared.routes == Routes::MetricsOnly {
        return reply(
            StatusCode::NOT_FOUND,
            &answer(result::ERROR, "this listener serves GET /metrics only"),
        );
    }
    if req.method() != Method::POST {
        return reply(
            StatusCode::METHOD_NOT_ALLOWED,
            &answer(result::ERROR, "send commands with POST"),
        );
    }
    let body = match Limited::new(req.into_body(), MAX_REQUEST).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            let too_big = answer(
                result::ERROR,
                format!("request larger than {MAX_REQUEST} bytes"),
            );
            return reply(StatusCode::PAYLOAD_TOO_LARGE, &too_big);
        }
    };
    // Kea answers over HTTP with a list: one answer per service addressed.
    reply(StatusCode::OK, &Value::Array(shared.api.handle_http(&body)))
}

fn reply(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}
