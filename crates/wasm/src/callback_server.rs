//! The loopback callback handler, for a JavaScript server that owns its sockets
//! (`Deno.listen`): the bytes of each request head go in, the bytes of the response come
//! out, read and written by the core exactly as the addon's server reads and writes them
//! (both as hyper 1.x does).

use oauth_callback_core as core;
use wasm_bindgen::prelude::*;

use crate::Result;
use core::callback::RequestKind;
use core::request_head::{self, Answer};

/// What the driver does after a read ([`HeadAnswer::action`]).
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadAction {
    /// Not a whole head yet: read more.
    Read = 0,
    /// Write [`HeadAnswer::bytes`], then close the connection.
    Write = 1,
    /// Close the connection without writing.
    Close = 2,
}

/// The answer to what a connection sent so far, from [`CallbackHandler::answer_head`].
/// The action and `completed` are plain numbers to JavaScript; the response and the
/// request's record are copied out only when read, and the record is made only for a
/// handler that records requests (a burst of junk costs no strings nobody reads).
#[wasm_bindgen]
pub struct HeadAnswer {
    /// What to do with the connection.
    #[wasm_bindgen(readonly)]
    pub action: HeadAction,
    /// Whether this request completed the flow (its response is the result page).
    #[wasm_bindgen(readonly)]
    pub completed: bool,
    bytes: Vec<u8>,
    record: Option<request_head::RequestRecord>,
}

#[wasm_bindgen]
impl HeadAnswer {
    /// The response, for [`HeadAction::Write`] (empty otherwise).
    #[wasm_bindgen(getter)]
    pub fn bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    /// The request's method, for `onRequest`; empty when the handler does not record
    /// requests or the head was refused before it saw it.
    #[wasm_bindgen(getter)]
    pub fn method(&self) -> String {
        self.record
            .as_ref()
            .map(|r| r.method.clone())
            .unwrap_or_default()
    }

    /// The request's absolute URL as the addon records it, for `onRequest`.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.record
            .as_ref()
            .map(|r| r.url.clone())
            .unwrap_or_default()
    }

    /// Header names (lower case) and values (UTF-8, lossy) alternating, for `onRequest`.
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> Vec<String> {
        self.record
            .iter()
            .flat_map(|r| &r.headers)
            .flat_map(|(name, value)| [name.clone(), value.clone()])
            .collect()
    }
}

/// The most bytes of a request head the driver reads on one connection; the core
/// answers 431 to a head still incomplete at this size.
#[wasm_bindgen(js_name = requestHeadLimit)]
pub fn request_head_limit() -> u32 {
    u32::try_from(request_head::MAX_HEAD_BYTES).unwrap_or(u32::MAX)
}

/// RFC 8252 §7.3 / RFC 6749 §4.1.2: the core's loopback callback handler, driven from JS.
#[wasm_bindgen]
pub struct CallbackHandler {
    inner: core::callback::CallbackHandler,
    port: u16,
    record_requests: bool,
}

#[wasm_bindgen]
impl CallbackHandler {
    /// A handler for `callback_path` on `port`, with optional state check and pages;
    /// `record_requests` makes each answer carry the request's method, URL and headers.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        callback_path: &str,
        port: u16,
        expected_state: Option<String>,
        expected_issuer: Option<String>,
        issuer_required: bool,
        success_html: Option<String>,
        error_html: Option<String>,
        record_requests: bool,
    ) -> Result<CallbackHandler> {
        let mut config = core::callback::CallbackConfig::new(callback_path, port)?;
        if let Some(state) = expected_state {
            config = config.expected_state(&state)?;
        }
        if let Some(issuer) = expected_issuer {
            config = config.expected_issuer(&issuer, issuer_required)?;
        }
        if let Some(html) = success_html {
            config = config.success_html(&html);
        }
        if let Some(html) = error_html {
            config = config.error_html(&html);
        }
        Ok(Self {
            inner: core::callback::CallbackHandler::new(config),
            port,
            record_requests,
        })
    }

    /// The path served, with its leading `/`.
    #[wasm_bindgen(getter, js_name = callbackPath)]
    pub fn callback_path(&self) -> String {
        self.inner.callback_path().to_owned()
    }

    /// Reads the request head in `bytes` (everything received on one connection so far)
    /// and, once it is whole, answers it: HTTP/1.x as the addon's server (and hyper) reads it,
    /// the same refusals (400, 431, an HTTP/2 preface closed), the same response bytes.
    /// `prev_len` is the length of `bytes` at the previous call that said `read` (none
    /// on the first call); `unix_secs` the time for the `date` header.
    #[wasm_bindgen(js_name = answerHead)]
    pub fn answer_head(
        &mut self,
        bytes: &[u8],
        prev_len: Option<u32>,
        unix_secs: f64,
    ) -> HeadAnswer {
        let prev_len = prev_len.and_then(|n| usize::try_from(n).ok());
        // A negative, NaN or huge time saturates: the date is only informative.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let unix_secs = unix_secs as u64;
        let (action, bytes, request) =
            match request_head::answer(&mut self.inner, bytes, prev_len, unix_secs) {
                Answer::ReadMore => (HeadAction::Read, Vec::new(), None),
                Answer::Close => (HeadAction::Close, Vec::new(), None),
                Answer::Respond { bytes, request } => (HeadAction::Write, bytes, request),
            };
        let completed = request
            .as_ref()
            .is_some_and(|(_, kind)| *kind == RequestKind::Completed);
        let record = request
            .filter(|_| self.record_requests)
            .map(|(head, _)| request_head::request_record(&head, self.port));
        HeadAnswer {
            action,
            completed,
            bytes,
            record,
        }
    }

    /// `code`, `error`, `issuer-mismatch`, or empty while waiting.
    #[wasm_bindgen(js_name = outcomeKind)]
    pub fn outcome_kind(&self) -> String {
        match self.inner.outcome() {
            Some(core::callback::CallbackOutcome::Code(_)) => "code".into(),
            Some(core::callback::CallbackOutcome::Error { .. }) => "error".into(),
            Some(core::callback::CallbackOutcome::IssuerMismatch { .. }) => {
                "issuer-mismatch".into()
            }
            None => String::new(),
        }
    }

    /// The redirect's query parameters, names and values alternating.
    #[wasm_bindgen(js_name = outcomeParams)]
    pub fn outcome_params(&self) -> Vec<String> {
        let params = match self.inner.outcome() {
            Some(core::callback::CallbackOutcome::Code(p)) => p,
            Some(core::callback::CallbackOutcome::Error { params, .. }) => params,
            Some(core::callback::CallbackOutcome::IssuerMismatch { .. }) | None => {
                return Vec::new();
            }
        };
        params
            .iter()
            .flat_map(|(n, v)| [n.clone(), v.clone()])
            .collect()
    }

    /// `[error, message]` of an error outcome (empty while there is none): the code as
    /// received and the message to raise (description or code, control characters stripped).
    #[wasm_bindgen(js_name = outcomeError)]
    pub fn outcome_error(&self) -> Vec<String> {
        match self.inner.outcome() {
            Some(core::callback::CallbackOutcome::Error { error, message, .. }) => {
                vec![error.clone(), message.clone()]
            }
            Some(core::callback::CallbackOutcome::IssuerMismatch { message }) => {
                vec![String::new(), message.clone()]
            }
            _ => Vec::new(),
        }
    }

    /// `error_description` of an error outcome, as received, if it was sent.
    #[wasm_bindgen(js_name = outcomeErrorDescription)]
    pub fn outcome_error_description(&self) -> Option<String> {
        match self.inner.outcome() {
            Some(core::callback::CallbackOutcome::Error { description, .. }) => description.clone(),
            _ => None,
        }
    }

    /// `error_uri` of an error outcome, as received, if it was sent.
    #[wasm_bindgen(js_name = outcomeErrorUri)]
    pub fn outcome_error_uri(&self) -> Option<String> {
        match self.inner.outcome() {
            Some(core::callback::CallbackOutcome::Error { uri, .. }) => uri.clone(),
            _ => None,
        }
    }
}
