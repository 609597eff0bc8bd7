//! JavaScript bindings of oauth-callback-core, compiled to wasm.
//!
//! Each function converts arguments, calls core and converts the result; nothing here
//! decides anything about the protocol. Arguments are flat (strings and string arrays)
//! so the module needs no serialization library: the TypeScript facade shapes the objects.

use oauth_callback_core as core;
use wasm_bindgen::prelude::*;

// The browser build (no loopback server) swaps dlmalloc for a much smaller allocator.
#[cfg(all(target_arch = "wasm32", not(feature = "server")))]
mod blocks;
mod client;
mod protocol;

#[cfg(feature = "server")]
mod callback_server;
#[cfg(feature = "machine")]
mod machine;
#[cfg(feature = "store")]
mod store;

/// A core error as thrown to JavaScript; the facade turns it into `OAuthCallbackError`.
#[wasm_bindgen]
pub struct CoreError {
    code: &'static str,
    message: String,
    oauth: Option<core::http_message::OAuthErrorResponse>,
}

#[wasm_bindgen]
impl CoreError {
    /// The stable error code, e.g. `INVALID_URL`.
    #[wasm_bindgen(getter)]
    pub fn code(&self) -> String {
        self.code.to_owned()
    }

    /// The human-readable message.
    #[wasm_bindgen(getter)]
    pub fn message(&self) -> String {
        self.message.clone()
    }

    /// For `OAUTH_ERROR`: the server's `error`.
    #[wasm_bindgen(getter, js_name = oauthError)]
    pub fn oauth_error(&self) -> Option<String> {
        self.oauth.as_ref().map(|o| o.error.clone())
    }

    /// For `OAUTH_ERROR`: the server's `error_description`.
    #[wasm_bindgen(getter, js_name = oauthDescription)]
    pub fn oauth_description(&self) -> Option<String> {
        self.oauth.as_ref().and_then(|o| o.description.clone())
    }

    /// For `OAUTH_ERROR`: the server's `error_uri`.
    #[wasm_bindgen(getter, js_name = oauthUri)]
    pub fn oauth_uri(&self) -> Option<String> {
        self.oauth.as_ref().and_then(|o| o.uri.clone())
    }
}

impl From<core::Error> for CoreError {
    fn from(e: core::Error) -> Self {
        Self {
            code: e.code().as_str(),
            message: e.message().to_owned(),
            oauth: None,
        }
    }
}

impl From<core::http_message::StepError> for CoreError {
    fn from(e: core::http_message::StepError) -> Self {
        match e {
            core::http_message::StepError::Library(e) => e.into(),
            core::http_message::StepError::OAuth(o) => Self {
                code: "OAUTH_ERROR",
                message: o.error.clone(),
                oauth: Some(o),
            },
        }
    }
}

/// A [`CoreError`] already made a JavaScript object: the conversion happens here, once,
/// instead of inlined in every binding (a smaller browser module, issue 11).
pub struct Thrown(JsValue);

impl From<CoreError> for Thrown {
    #[inline(never)]
    fn from(e: CoreError) -> Self {
        Self(e.into())
    }
}

impl From<core::Error> for Thrown {
    #[inline(never)]
    fn from(e: core::Error) -> Self {
        CoreError::from(e).into()
    }
}

impl From<core::http_message::StepError> for Thrown {
    #[inline(never)]
    fn from(e: core::http_message::StepError) -> Self {
        CoreError::from(e).into()
    }
}

impl From<Thrown> for JsValue {
    fn from(t: Thrown) -> Self {
        t.0
    }
}

/// What every binding returns: a value, or a `CoreError` thrown to JavaScript.
pub(crate) type Result<T> = std::result::Result<T, Thrown>;
