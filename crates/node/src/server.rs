//! The loopback callback server (RFC 8252 §7.3) as Node-API sees it: options in, a
//! result out. The serving runs on a thread of its own ([`crate::event_loop`]), each
//! connection read and answered by [`crate::connection`] through core's request-head
//! reader and `CallbackHandler`. The result is reported once the response that completed
//! the flow (the result page itself) is written and its connection closed, and after the
//! listening sockets are closed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use napi::bindgen_prelude::Object;
use napi::{Env, Result};
use napi_derive::napi;
use oauth_callback_core::callback::{
    CallbackConfig, CallbackHandler, CallbackOutcome, RequestKind,
};
use oauth_callback_core::loopback;
use oauth_callback_core::request_head::{self, RequestHead};
use tokio::sync::mpsc;

use crate::connection::Flow;
use crate::event_loop::{Ending, EventLoop, Stopper};
use crate::listener::{LoopbackListener, bind_sockets, lib_error};
use crate::result_slot::ResultSlot;

/// How long the connections still open when the flow ends (junk, idle, half-sent) are kept
/// at most, waiting for JavaScript to take the result and call `close()`.
const RELEASE_BOUND: Duration = Duration::from_secs(1);

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
    stop: Arc<Stopper>,
    result: Arc<ResultSlot<CallbackServerResult>>,
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
    /// already arrived). After the end, closes the connections still open (which the
    /// server otherwise closes a second after the end); harmless then.
    #[napi]
    pub fn close(&self) {
        self.stop.stop();
    }

    /// The next recorded request, or `null` once the server has stopped (and always when
    /// the server was started without `recordRequests`).
    #[napi]
    pub async fn next_request(&self) -> Option<RequestRecord> {
        self.requests.lock().await.recv().await
    }

    /// Settles when the flow ends, after the listening sockets are closed (the port is
    /// free); connections still open are closed right after. The server's thread settles
    /// the promise itself (see [`ResultSlot`]).
    #[napi(ts_return_type = "Promise<CallbackServerResult>")]
    pub fn wait<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let (waiter, promise) = env.create_deferred()?;
        if let Err(refused) = self.result.wait(waiter) {
            refused.reject(lib_error(
                "INVALID_PARAMETER",
                "wait() may be called only once".to_owned(),
            ));
        }
        Ok(promise)
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
    let cannot_serve = |e: std::io::Error| {
        lib_error(
            "BIND_FAILED",
            format!("cannot serve on the bound socket: {e}"),
        )
    };
    let (mut event_loop, stop) = EventLoop::new(bound.take_sockets()).map_err(cannot_serve)?;
    let slot = Arc::new(ResultSlot::new());
    let (record_tx, record_rx) = mpsc::unbounded_channel();
    let mut flow = FlowState {
        handler: CallbackHandler::new(config),
        recorder: Recorder {
            sender: options
                .record_requests
                .unwrap_or(false)
                .then_some(record_tx),
            port,
        },
        mismatches: 0,
        rejected: 0,
    };
    // A timeout past what the clock can count (about 292 years) never comes.
    let deadline = Instant::now().checked_add(timeout);
    let stopper = stop.clone();
    let unexpected_end = StopsUnexpectedly(slot.clone());
    std::thread::Builder::new()
        .name("oauth-callback-server".to_owned())
        .spawn(move || {
            let ending = event_loop.run(&mut flow, deadline, &stopper);
            // The port is free before anyone hears the result.
            event_loop.close_listeners();
            unexpected_end.0.deliver(Ok(flow.result(ending)));
            // The connections still open (junk, idle, half-sent) are closed after that:
            // closing hundreds of them costs about a millisecond of CPU here and in their
            // peers, which would compete with handing the result to JavaScript. They are
            // closed once JavaScript has it (the facade calls `close()` when `wait()`
            // settles), or after RELEASE_BOUND without that call.
            event_loop.wait_for_release(&stopper, RELEASE_BOUND);
            drop(event_loop);
        })
        .map_err(cannot_serve)?;
    Ok(CallbackServer {
        port,
        callback_path,
        addresses,
        redirect_uri,
        stop,
        result: slot,
        requests: Arc::new(tokio::sync::Mutex::new(record_rx)),
    })
}

/// Owned by the server's thread: if the thread ends without a result (a panic), `wait()`
/// rejects instead of waiting forever. After the result, dropping it changes nothing.
struct StopsUnexpectedly(Arc<ResultSlot<CallbackServerResult>>);

impl Drop for StopsUnexpectedly {
    fn drop(&mut self) {
        self.0.deliver(Err(lib_error(
            "BIND_FAILED",
            "the callback server stopped unexpectedly".to_owned(),
        )));
    }
}

/// Passes request records to `nextRequest()` when asked to; dropping it ends the stream.
struct Recorder {
    sender: Option<mpsc::UnboundedSender<RequestRecord>>,
    port: u16,
}

impl Recorder {
    fn record(&self, head: &RequestHead<'_>) {
        let Some(sender) = &self.sender else { return };
        let record = request_head::request_record(head, self.port);
        let _ = sender.send(RequestRecord {
            method: record.method,
            url: record.url,
            headers: record
                .headers
                .into_iter()
                .map(|(name, value)| vec![name, value])
                .collect(),
        });
    }
}

/// The flow the connections answer to: the handler, the recorder, and the counts of the
/// result.
struct FlowState {
    handler: CallbackHandler,
    recorder: Recorder,
    mismatches: u32,
    rejected: u32,
}

impl Flow for FlowState {
    fn handler(&mut self) -> &mut CallbackHandler {
        &mut self.handler
    }

    fn answered(&mut self, head: &RequestHead<'_>, kind: RequestKind) {
        self.recorder.record(head);
        match kind {
            RequestKind::Completed | RequestKind::AlreadyHandled => {}
            RequestKind::StateMismatch => self.mismatches = self.mismatches.saturating_add(1),
            _ => self.rejected = self.rejected.saturating_add(1),
        }
    }
}

impl FlowState {
    /// The result of a flow that ended so; ends the stream of `nextRequest()`.
    fn result(self, ending: Ending) -> CallbackServerResult {
        let Self {
            handler,
            recorder,
            mismatches,
            rejected,
        } = self;
        drop(recorder);
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
        match (handler.outcome().cloned(), ending) {
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
        result
    }
}
