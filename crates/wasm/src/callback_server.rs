//! The loopback callback handler, for JavaScript servers (`Deno.serve`).

use oauth_callback_core as core;
use wasm_bindgen::prelude::*;

use crate::Result;

/// One response of the callback handler, for a JS server (`Deno.serve`) to send.
#[wasm_bindgen(getter_with_clone)]
pub struct CallbackReply {
    /// HTTP status.
    pub status: u16,
    /// Header names and values, alternating, security headers included.
    pub headers: Vec<String>,
    /// Body (UTF-8 HTML or text).
    pub body: String,
    /// What the request was: `completed`, `state-mismatch`, `bad-host`, `already-handled`, ...
    pub kind: String,
}

/// RFC 8252 §7.3 / RFC 6749 §4.1.2: the core's loopback callback handler, driven from JS.
#[wasm_bindgen]
pub struct CallbackHandler {
    inner: core::callback::CallbackHandler,
}

#[wasm_bindgen]
impl CallbackHandler {
    /// A handler for `callback_path` on `port`, with optional state check and pages.
    #[wasm_bindgen(constructor)]
    pub fn new(
        callback_path: &str,
        port: u16,
        expected_state: Option<String>,
        expected_issuer: Option<String>,
        issuer_required: bool,
        success_html: Option<String>,
        error_html: Option<String>,
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
        })
    }

    /// The path served, with its leading `/`.
    #[wasm_bindgen(getter, js_name = callbackPath)]
    pub fn callback_path(&self) -> String {
        self.inner.callback_path().to_owned()
    }

    /// Answers one request.
    pub fn handle(&mut self, method: &str, target: &str, host: Option<String>) -> CallbackReply {
        use core::callback::SECURITY_HEADERS;
        let (response, kind) = self.inner.handle(core::callback::CallbackRequest {
            method,
            target,
            host: host.as_deref(),
        });
        let mut headers = Vec::with_capacity(2 * (SECURITY_HEADERS.len() + response.headers.len()));
        for (name, value) in SECURITY_HEADERS {
            headers.push(name.to_owned());
            headers.push(value.to_owned());
        }
        for (name, value) in response.headers {
            headers.push(name.to_owned());
            headers.push(value);
        }
        CallbackReply {
            status: response.status,
            headers,
            body: response.body,
            kind: kind.as_str().to_owned(),
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
