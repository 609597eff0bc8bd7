//! The loopback callback server (RFC 8252 §7.3) on tokio + hyper. Every request goes to
//! core's `CallbackHandler`; this module only accepts connections, enforces the transport
//! limits, and reports the outcome once the response that completed the flow (the result
//! page itself) is written and its connection closed.

use std::convert::Infallible;
use std::net::TcpListener as StdListener;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::HOST;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use napi::Result;
use napi::bindgen_prelude::{spawn, within_runtime_if_available};
use napi_derive::napi;
use oauth_callback_core::callback::{
    CallbackConfig, CallbackHandler, CallbackOutcome, CallbackRequest, FetchMetadata, RequestKind,
    SECURITY_HEADERS,
};
use oauth_callback_core::loopback;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, mpsc, oneshot};
use tokio::task::JoinSet;
use tokio::time::{Sleep, sleep};

use crate::listener::{LoopbackListener, bind_sockets, lib_error};

/// Connections served at once; more are closed on accept, so a flood cannot grow memory.
const MAX_CONNECTIONS: usize = 256;
/// Time a connection has to send its request head (slowloris and idle connections).
const HEADER_TIMEOUT: Duration = Duration::from_secs(3);
/// Time a connection may live in all.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// After a failed accept (EMFILE: no descriptor left), how long accepting pauses unless a
/// connection ends first; without a pause the accept would fail again at once, in a loop.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// Largest request head (request line and headers) read; hyper's floor is 8 KiB.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// Options of [`start_callback_server`]; the facade fills in defaults.
#[napi(object)]
pub struct CallbackServerOptions {
    /// `localhost`, a 127.0.0.0/8 address or `::1`.
    pub hostname: String,
    /// Port, or 0 for a free one.
    pub port: u32,
    /// Path of the redirect, e.g. `/callback`.
    pub callback_path: String,
    /// When set, callbacks with another `state` are refused and the flow keeps waiting.
    pub expected_state: Option<String>,
    /// RFC 9207: the issuer the authorization request went to.
    pub expected_issuer: Option<String>,
    /// Whether `iss` must be present (the server advertises it).
    pub issuer_required: Option<bool>,
    /// Page shown after success.
    pub success_html: Option<String>,
    /// Page shown after an OAuth error (`{{error}}`, `{{error_description}}`, `{{error_uri}}`).
    pub error_html: Option<String>,
    /// Milliseconds to wait for the redirect, counted from now (the server is listening).
    pub timeout_ms: f64,
    /// Keep a record of every request for `nextRequest()` (the facade's `onRequest`).
    pub record_requests: Option<bool>,
}

/// One request as received, for `onRequest` observers.
#[napi(object)]
pub struct RequestRecord {
    /// The method, e.g. `GET`.
    pub method: String,
    /// An absolute URL: `http://` + the Host header (or the bound address) + the target.
    pub url: String,
    /// Header names and values, in order.
    pub headers: Vec<Vec<String>>,
}

/// How the flow ended.
#[napi(object)]
pub struct CallbackServerResult {
    /// `"code"`, `"error"`, `"issuer-mismatch"`, `"timeout"` or `"closed"`.
    pub kind: String,
    /// Every query parameter of the redirect, as `[name, value]` pairs, in order.
    pub params: Vec<Vec<String>>,
    /// OAuth `error`, for kind `"error"`.
    pub error: Option<String>,
    /// OAuth `error_description`, as received.
    pub error_description: Option<String>,
    /// OAuth `error_uri`, as received.
    pub error_uri: Option<String>,
    /// The error's message: the description, or the code, control characters stripped.
    pub error_message: Option<String>,
    /// Callbacks refused because their `state` did not match.
    pub state_mismatches: u32,
    /// Requests refused or ignored (wrong Host, path, method, malformed).
    pub rejected_requests: u32,
}

/// A running callback server. `wait()` settles once, after the port is closed.
#[napi]
pub struct CallbackServer {
    port: u16,
    callback_path: String,
    addresses: Vec<String>,
    redirect_uri: String,
    stop: Arc<Notify>,
    result: Arc<Mutex<Option<oneshot::Receiver<CallbackServerResult>>>>,
    requests: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<RequestRecord>>>,
}

#[napi]
impl CallbackServer {
    /// The bound port.
    #[napi(getter)]
    pub fn port(&self) -> u32 {
        u32::from(self.port)
    }

    /// The path served, with its leading `/`.
    #[napi(getter)]
    pub fn callback_path(&self) -> String {
        self.callback_path.clone()
    }

    /// The addresses listened on.
    #[napi(getter)]
    pub fn addresses(&self) -> Vec<String> {
        self.addresses.clone()
    }

    /// The redirect URI to register and send, with the bound port.
    #[napi(getter)]
    pub fn redirect_uri(&self) -> String {
        self.redirect_uri.clone()
    }

    /// Stops waiting: `wait()` then settles with kind `"closed"` (unless the redirect has
    /// already arrived). Harmless after the end.
    #[napi]
    pub fn close(&self) {
        self.stop.notify_one();
    }

    /// The next recorded request, or `null` once the server has stopped (and always when
    /// the server was started without `recordRequests`).
    #[napi]
    pub async fn next_request(&self) -> Option<RequestRecord> {
        self.requests.lock().await.recv().await
    }

    /// Settles when the flow ends, after the listening sockets are closed (the port is
    /// free); connections still open are closed right after.
    #[napi]
    pub async fn wait(&self) -> Result<CallbackServerResult> {
        let rx = self
            .result
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .ok_or_else(|| {
                lib_error(
                    "INVALID_PARAMETER",
                    "wait() may be called only once".to_owned(),
                )
            })?;
        rx.await.map_err(|_| {
            lib_error(
                "BIND_FAILED",
                "the callback server stopped unexpectedly".to_owned(),
            )
        })
    }
}

/// Binds the loopback port and starts serving; returns at once, listening.
#[napi]
pub fn start_callback_server(options: CallbackServerOptions) -> Result<CallbackServer> {
    let bound = bind_sockets(&options.hostname, options.port)?;
    serve_on(bound, options)
}

/// Serves on the sockets of a listener bound earlier with `bindLoopback` (its port was
/// handed out before the flow, e.g. registered as a redirect URI); the listener is left
/// closed and the port stays taken until the flow ends. `options.hostname` must be the
/// name the listener was bound for.
#[napi]
// napi registers exports only outside `cfg(test)`, and a function taking a class by
// reference is then unused in the unit-test build.
#[cfg_attr(test, allow(dead_code))]
pub fn start_callback_server_on(
    listener: &mut LoopbackListener,
    options: CallbackServerOptions,
) -> Result<CallbackServer> {
    if !listener.listening() {
        return Err(lib_error(
            "INVALID_PARAMETER",
            "the listener is closed; bind a new one".to_owned(),
        ));
    }
    if listener.hostname() != options.hostname {
        return Err(lib_error(
            "INVALID_PARAMETER",
            format!(
                "the listener was bound for {:?}, not {:?}",
                listener.hostname(),
                options.hostname
            ),
        ));
    }
    let sockets = listener.take_sockets();
    let bound = LoopbackListener::from_parts(
        options.hostname.clone(),
        listener.bound_port(),
        listener.bound_addresses(),
        sockets,
    );
    serve_on(bound, options)
}

fn serve_on(mut bound: LoopbackListener, options: CallbackServerOptions) -> Result<CallbackServer> {
    let timeout = Duration::try_from_secs_f64(options.timeout_ms / 1000.0)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            lib_error(
                "INVALID_PARAMETER",
                "timeout must be a positive number of milliseconds".to_owned(),
            )
        })?;
    let core_err =
        |e: oauth_callback_core::Error| lib_error(e.code().as_str(), e.message().to_owned());
    let callback_path =
        loopback::normalize_callback_path(&options.callback_path).map_err(core_err)?;
    let port = bound.bound_port();
    let redirect_uri = loopback::redirect_uri(&options.hostname, port, &options.callback_path)
        .map_err(core_err)?;
    let mut config = CallbackConfig::new(&options.callback_path, port).map_err(core_err)?;
    if let Some(state) = &options.expected_state {
        config = config.expected_state(state).map_err(core_err)?;
    }
    if let Some(issuer) = &options.expected_issuer {
        config = config
            .expected_issuer(issuer, options.issuer_required.unwrap_or(false))
            .map_err(core_err)?;
    }
    if let Some(html) = &options.success_html {
        config = config.success_html(html);
    }
    if let Some(html) = &options.error_html {
        config = config.error_html(html);
    }
    let addresses = bound.bound_addresses();
    let listeners = within_runtime_if_available(|| {
        bound
            .take_sockets()
            .into_iter()
            .map(to_tokio)
            .collect::<std::io::Result<Vec<_>>>()
    })
    .map_err(|e| {
        lib_error(
            "BIND_FAILED",
            format!("cannot serve on the bound socket: {e}"),
        )
    })?;
    let stop = Arc::new(Notify::new());
    let (tx, rx) = oneshot::channel();
    let (record_tx, record_rx) = mpsc::unbounded_channel();
    let recorder = Recorder {
        sender: options
            .record_requests
            .unwrap_or(false)
            .then_some(record_tx),
        fallback_host: format!("127.0.0.1:{port}"),
    };
    spawn(serve(
        listeners,
        CallbackHandler::new(config),
        timeout,
        stop.clone(),
        tx,
        recorder,
    ));
    Ok(CallbackServer {
        port,
        callback_path,
        addresses,
        redirect_uri,
        stop,
        result: Arc::new(Mutex::new(Some(rx))),
        requests: Arc::new(tokio::sync::Mutex::new(record_rx)),
    })
}

fn to_tokio(l: StdListener) -> std::io::Result<TcpListener> {
    l.set_nonblocking(true)?;
    TcpListener::from_std(l)
}

async fn accept_on(l: Option<&TcpListener>) -> std::io::Result<TcpStream> {
    match l {
        Some(l) => l.accept().await.map(|(s, _)| s),
        None => std::future::pending().await,
    }
}

/// Resolves when the accept pause is over; never while there is none.
async fn pause_elapsed(paused: &mut Option<Pin<Box<Sleep>>>) {
    match paused {
        Some(s) => s.as_mut().await,
        None => std::future::pending().await,
    }
}

/// Passes request records to `nextRequest()` when asked to; dropping it ends the stream.
#[derive(Clone)]
struct Recorder {
    sender: Option<mpsc::UnboundedSender<RequestRecord>>,
    fallback_host: String,
}

impl Recorder {
    fn record(&self, req: &Request<Incoming>, host: Option<&str>, target: &str) {
        let Some(sender) = &self.sender else { return };
        let url = if target.starts_with('/') {
            format!("http://{}{target}", host.unwrap_or(&self.fallback_host))
        } else {
            target.to_owned()
        };
        let headers = req
            .headers()
            .iter()
            .map(|(n, v)| {
                vec![
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                ]
            })
            .collect();
        let _ = sender.send(RequestRecord {
            method: req.method().as_str().to_owned(),
            url,
            headers,
        });
    }
}

enum Ending {
    Timeout,
    Closed,
    Done,
}

async fn serve(
    listeners: Vec<TcpListener>,
    handler: CallbackHandler,
    timeout: Duration,
    stop: Arc<Notify>,
    tx: oneshot::Sender<CallbackServerResult>,
    recorder: Recorder,
) {
    let handler = Arc::new(Mutex::new(handler));
    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel::<RequestKind>();
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut conns = JoinSet::new();
    // Told by the connection that completed the flow once its page is written and its
    // socket closed, so the flow ends then even while junk connections keep finishing.
    let finished = Arc::new(Notify::new());
    let deadline = sleep(timeout);
    tokio::pin!(deadline);
    // Set when the redirect has been answered: from then on the flow ends when that
    // connection ends (its page written, the socket closed), whatever the deadline says.
    let mut completing = false;
    let mut paused: Option<Pin<Box<Sleep>>> = None;
    let (mut mismatches, mut rejected) = (0u32, 0u32);
    let mut it = listeners.into_iter();
    let (first, second) = (it.next(), it.next());
    let ending = loop {
        tokio::select! {
            // In this order: the end of the flow first, then its events, then new work.
            biased;
            () = finished.notified(), if completing => break Ending::Done,
            () = &mut deadline, if !completing => break Ending::Timeout,
            () = stop.notified() => break Ending::Closed,
            Some(kind) = ev_rx.recv() => match kind {
                RequestKind::Completed => completing = true,
                RequestKind::StateMismatch => mismatches = mismatches.saturating_add(1),
                RequestKind::AlreadyHandled => {}
                _ => rejected = rejected.saturating_add(1),
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {
                // A connection ended: a descriptor is free again.
                paused = None;
            }
            accepted = accept_on(first.as_ref()), if paused.is_none() => match accepted {
                Ok(stream) => spawn_connection(&mut conns, &permits, &handler, &ev_tx, &recorder, &finished, stream),
                Err(_) => paused = Some(Box::pin(sleep(ACCEPT_BACKOFF))),
            },
            accepted = accept_on(second.as_ref()), if paused.is_none() => match accepted {
                Ok(stream) => spawn_connection(&mut conns, &permits, &handler, &ev_tx, &recorder, &finished, stream),
                Err(_) => paused = Some(Box::pin(sleep(ACCEPT_BACKOFF))),
            },
            () = pause_elapsed(&mut paused) => paused = None,
        }
    };
    // Close the listening sockets before anyone hears the result, so the port is free
    // when the promise settles. The connections still open (junk, idle, half-sent) are
    // closed right after the result is sent: under a burst, closing hundreds of them
    // first would delay the result by milliseconds for nothing the caller can use.
    drop(first);
    drop(second);
    // Stop every connection from answering anything more; their sockets close below.
    conns.abort_all();
    drop(recorder);
    let outcome = handler
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .outcome()
        .cloned();
    let mut result = CallbackServerResult {
        kind: String::new(),
        params: Vec::new(),
        error: None,
        error_description: None,
        error_uri: None,
        error_message: None,
        state_mismatches: mismatches,
        rejected_requests: rejected,
    };
    let pairs = |p: Vec<(String, String)>| p.into_iter().map(|(n, v)| vec![n, v]).collect();
    match (outcome, ending) {
        (Some(CallbackOutcome::Code(params)), _) => {
            result.kind = "code".into();
            result.params = pairs(params);
        }
        (
            Some(CallbackOutcome::Error {
                error,
                description,
                uri,
                message,
                params,
            }),
            _,
        ) => {
            result.kind = "error".into();
            result.params = pairs(params);
            result.error = Some(error);
            result.error_description = description;
            result.error_uri = uri;
            result.error_message = Some(message);
        }
        (Some(CallbackOutcome::IssuerMismatch { message }), _) => {
            result.kind = "issuer-mismatch".into();
            result.error_message = Some(message);
        }
        (None, Ending::Timeout) => result.kind = "timeout".into(),
        (None, Ending::Closed | Ending::Done) => result.kind = "closed".into(),
    }
    // The receiver is gone only if JS dropped the server; nothing is left to tell.
    let _ = tx.send(result);
    conns.shutdown().await;
}

/// Serves one connection; when it answered the redirect that completed the flow, it
/// notifies `finished` once the response is written and the socket closed.
fn spawn_connection(
    conns: &mut JoinSet<()>,
    permits: &Arc<Semaphore>,
    handler: &Arc<Mutex<CallbackHandler>>,
    events: &mpsc::UnboundedSender<RequestKind>,
    recorder: &Recorder,
    finished: &Arc<Notify>,
    stream: TcpStream,
) {
    // Over the cap: the connection is closed at once (dropped), the server keeps going.
    let Ok(permit) = permits.clone().try_acquire_owned() else {
        return;
    };
    let handler = handler.clone();
    let events = events.clone();
    let recorder = recorder.clone();
    let completed = Arc::new(AtomicBool::new(false));
    let completed_here = completed.clone();
    let finished = finished.clone();
    conns.spawn(async move {
        let _permit = permit;
        let service = service_fn(move |req| {
            let (response, kind) = respond(&handler, &events, &recorder, &req);
            if kind == RequestKind::Completed {
                completed_here.store(true, Ordering::Release);
            }
            async move { Ok::<_, Infallible>(response) }
        });
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .max_buf_size(MAX_HEAD_BYTES)
            .max_headers(64)
            .keep_alive(false)
            .serve_connection(TokioIo::new(stream), service);
        // Errors (timeouts, malformed requests, resets) end only this connection.
        let _ = tokio::time::timeout(CONNECTION_TIMEOUT, conn).await;
        if completed.load(Ordering::Acquire) {
            finished.notify_one();
        }
    });
}

/// A header sent exactly once, as text; `Some("")` when repeated or not text, `None` when
/// absent (the same rule as core's `RequestHead::header_once` for the Deno driver).
fn header_once<'r>(req: &'r Request<Incoming>, name: &str) -> Option<&'r str> {
    let mut values = req.headers().get_all(name).iter();
    match (values.next(), values.next()) {
        (None, _) => None,
        (Some(v), None) => Some(v.to_str().unwrap_or("")),
        _ => Some(""),
    }
}

fn respond(
    handler: &Mutex<CallbackHandler>,
    events: &mpsc::UnboundedSender<RequestKind>,
    recorder: &Recorder,
    req: &Request<Incoming>,
) -> (Response<Full<Bytes>>, RequestKind) {
    let mut hosts = req.headers().get_all(HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (Some(h), None) => h.to_str().ok(),
        _ => None,
    };
    // An absolute-form target (`GET http://evil/callback`) keeps its scheme, so it
    // matches no path and is refused.
    let uri = req.uri();
    let target = if uri.authority().is_some() {
        uri.to_string()
    } else {
        uri.path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned())
    };
    recorder.record(req, host, &target);
    let fetch = FetchMetadata {
        site: header_once(req, "sec-fetch-site"),
        mode: header_once(req, "sec-fetch-mode"),
        dest: header_once(req, "sec-fetch-dest"),
    };
    let (response, kind) = handler
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .handle_with_fetch(
            CallbackRequest {
                method: req.method().as_str(),
                target: &target,
                host,
            },
            fetch,
        );
    let _ = events.send(kind);
    let mut builder = Response::builder().status(response.status);
    for (name, value) in SECURITY_HEADERS {
        builder = builder.header(name, value);
    }
    for (name, value) in &response.headers {
        builder = builder.header(*name, value.as_str());
    }
    let response = builder
        .body(Full::new(Bytes::from(response.body)))
        .unwrap_or_else(|_| {
            let mut fallback = Response::new(Full::new(Bytes::from_static(b"Internal error.\n")));
            *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            fallback
        });
    (response, kind)
}
