//! JavaScript bindings of oauth-callback-core, compiled to wasm.
//!
//! Each function converts arguments, calls core and converts the result; nothing here
//! decides anything about the protocol. Arguments are flat (strings and string arrays)
//! so the module needs no serialization library: the TypeScript facade shapes the objects.

use oauth_callback_core::{
    self as core, AuthorizationRequest, CodeChallenge, CodeVerifier, Nonce, State, SystemEntropy,
};
use wasm_bindgen::prelude::*;

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

type Result<T> = std::result::Result<T, CoreError>;

/// RFC 7636 §4.1-4.2: a fresh verifier of `length` characters and its S256 challenge,
/// as `[verifier, challenge]`.
#[wasm_bindgen(js_name = generatePkce)]
pub fn generate_pkce(length: u32) -> Result<Vec<String>> {
    let len = usize::try_from(length).unwrap_or(usize::MAX);
    let verifier = CodeVerifier::generate_with_len(&mut SystemEntropy, len)?;
    let challenge = verifier.challenge();
    Ok(vec![
        verifier.secret().to_owned(),
        challenge.as_str().to_owned(),
    ])
}

/// RFC 7636 §4.2: the S256 challenge of a caller-supplied verifier (validated first).
#[wasm_bindgen(js_name = challengeFromVerifier)]
pub fn challenge_from_verifier(verifier: &str) -> Result<String> {
    Ok(CodeVerifier::new(verifier)?.challenge().as_str().to_owned())
}

/// RFC 6749 §10.12: a fresh unguessable `state`.
#[wasm_bindgen(js_name = generateState)]
pub fn generate_state() -> Result<String> {
    Ok(State::generate(&mut SystemEntropy)?.secret().to_owned())
}

/// OIDC Core §3.1.2.1: a fresh unguessable `nonce`.
#[wasm_bindgen(js_name = generateNonce)]
pub fn generate_nonce() -> Result<String> {
    Ok(Nonce::generate(&mut SystemEntropy)?.secret().to_owned())
}

/// RFC 6749 §4.1.1 with RFC 7636 and RFC 8707: the authorization URL.
/// `extra_names[i]` goes with `extra_values[i]`.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = buildAuthorizationUrl)]
pub fn build_authorization_url(
    endpoint: &str,
    client_id: &str,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: &str,
    code_challenge: &str,
    resources: Vec<String>,
    extra_names: Vec<String>,
    extra_values: Vec<String>,
) -> Result<String> {
    let mut req = AuthorizationRequest::new(endpoint, client_id)?
        .state(state)?
        .code_challenge(&CodeChallenge::new(code_challenge)?);
    if let Some(uri) = redirect_uri {
        req = req.redirect_uri(&uri)?;
    }
    if let Some(scope) = scope {
        req = req.scope(&scope)?;
    }
    for r in &resources {
        req = req.resource(r)?;
    }
    for (name, value) in extra_names.iter().zip(extra_values.iter()) {
        req = req.param(name, value)?;
    }
    Ok(req.build()?)
}

/// Renders an HTML template, escaping every value; `names[i]` goes with `values[i]`.
#[wasm_bindgen(js_name = renderTemplate)]
pub fn render_template(template: &str, names: Vec<String>, values: Vec<String>) -> String {
    let pairs: Vec<(String, String)> = names.into_iter().zip(values).collect();
    core::template::render_pairs(template, &pairs)
}

/// RFC 8252 §7.3: the loopback redirect URI for a host, port and callback path.
#[wasm_bindgen(js_name = loopbackRedirectUri)]
pub fn loopback_redirect_uri(hostname: &str, port: u16, callback_path: &str) -> Result<String> {
    Ok(core::loopback::redirect_uri(hostname, port, callback_path)?)
}

/// RFC 8252 §8.3: the loopback addresses to bind for a host name.
#[wasm_bindgen(js_name = loopbackBindAddresses)]
pub fn loopback_bind_addresses(hostname: &str) -> Result<Vec<String>> {
    Ok(core::loopback::bind_addresses(hostname)?
        .into_iter()
        .map(|ip| ip.to_string())
        .collect())
}

/// RFC 6749 §3.1 / RFC 8252 §8.3: an endpoint URL checked (https, or http on loopback;
/// no fragment, no user information) and normalized.
#[wasm_bindgen(js_name = checkedEndpoint)]
pub fn checked_endpoint(url: &str) -> Result<String> {
    Ok(core::Endpoint::parse(url)?.to_string())
}

/// One response of the callback handler, for a JS server (`Deno.serve`) to send.
#[wasm_bindgen(getter_with_clone)]
pub struct CallbackReply {
    /// HTTP status.
    pub status: u16,
    /// Header names and values, alternating, security headers included.
    pub headers: Vec<String>,
    /// Body (UTF-8 HTML or text).
    pub body: String,
    /// What the request was: `completed`, `result-page`, `state-mismatch`, `bad-host`, ...
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
        success_html: Option<String>,
        error_html: Option<String>,
    ) -> Result<CallbackHandler> {
        let mut config = core::callback::CallbackConfig::new(callback_path, port)?;
        if let Some(state) = expected_state {
            config = config.expected_state(&state)?;
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

    /// `code`, `error`, or empty while waiting.
    #[wasm_bindgen(js_name = outcomeKind)]
    pub fn outcome_kind(&self) -> String {
        match self.inner.outcome() {
            Some(core::callback::CallbackOutcome::Code(_)) => "code".into(),
            Some(core::callback::CallbackOutcome::Error { .. }) => "error".into(),
            None => String::new(),
        }
    }

    /// The redirect's query parameters, names and values alternating.
    #[wasm_bindgen(js_name = outcomeParams)]
    pub fn outcome_params(&self) -> Vec<String> {
        let params = match self.inner.outcome() {
            Some(core::callback::CallbackOutcome::Code(p)) => p,
            Some(core::callback::CallbackOutcome::Error { params, .. }) => params,
            None => return Vec::new(),
        };
        params
            .iter()
            .flat_map(|(n, v)| [n.clone(), v.clone()])
            .collect()
    }

    /// `[error, error_description, error_uri]` of an error outcome (empty strings for absent).
    #[wasm_bindgen(js_name = outcomeError)]
    pub fn outcome_error(&self) -> Vec<String> {
        match self.inner.outcome() {
            Some(core::callback::CallbackOutcome::Error {
                error,
                description,
                uri,
                ..
            }) => vec![
                error.clone(),
                description.clone().unwrap_or_default(),
                uri.clone().unwrap_or_default(),
            ],
            _ => Vec::new(),
        }
    }
}

/// The encrypted store envelope (AES-256-GCM, Argon2id for passphrases) around a store
/// document, with the derived key cached per salt. Used by the Deno file store; the same
/// format the napi addon writes.
#[wasm_bindgen]
pub struct StoreCipher {
    key: core::store_envelope::StoreKey,
}

#[wasm_bindgen]
impl StoreCipher {
    /// A cipher for a 32-byte `raw_key` or a `passphrase` (exactly one), named `key_name`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        raw_key: Option<Vec<u8>>,
        passphrase: Option<String>,
        key_name: &str,
    ) -> Result<StoreCipher> {
        use core::store_envelope::StoreKey;
        let key = match (raw_key, passphrase) {
            (Some(k), None) => StoreKey::raw(&k, key_name)?,
            (None, Some(p)) => StoreKey::passphrase(&p, key_name)?,
            _ => {
                return Err(core::Error::new(
                    core::ErrorCode::InvalidKey,
                    "give either encryptionKey or a passphrase, not both",
                )
                .into());
            }
        };
        Ok(Self { key })
    }

    /// Encrypts a document with a fresh nonce.
    pub fn seal(&mut self, document: &str) -> Result<String> {
        Ok(core::store_envelope::seal(
            document.as_bytes(),
            &mut self.key,
            &mut SystemEntropy,
        )?)
    }

    /// Decrypts an envelope to the document.
    pub fn open(&mut self, envelope: &str) -> Result<String> {
        let plain = core::store_envelope::open(envelope, &mut self.key)?;
        String::from_utf8(plain).map_err(|_| {
            core::Error::new(
                core::ErrorCode::StoreCorrupt,
                "the decrypted document is not UTF-8",
            )
            .into()
        })
    }
}

/// Whether file content is an encrypted store envelope (any version).
#[wasm_bindgen(js_name = isEncryptedStore)]
pub fn is_encrypted_store(content: &str) -> bool {
    core::store_envelope::is_encrypted(content.as_bytes())
}

// ---- The OAuth client's protocol steps (RFC 8414, 6749, 7591, 7009, 8628, 9207). ----
// Requests come back as JSON `{method, url, headers: [[name, value]], body}` for the
// facade to send with `fetch`; responses go in as status and body text.

use core::http_message::HttpRequest;
use core::json::Value;
use core::token::ClientAuth;

fn request_json(r: &HttpRequest) -> String {
    let s = |v: &str| Value::String(v.to_owned());
    Value::Object(vec![
        ("method".into(), s(r.method)),
        ("url".into(), s(&r.url)),
        (
            "headers".into(),
            Value::Array(
                r.headers
                    .iter()
                    .map(|(n, v)| Value::Array(vec![s(n), s(v)]))
                    .collect(),
            ),
        ),
        ("body".into(), r.body.as_deref().map_or(Value::Null, s)),
    ])
    .to_json()
}

fn client(
    client_id: &str,
    client_secret: Option<String>,
    auth_methods: &[String],
) -> Result<ClientAuth> {
    Ok(ClientAuth::choose(
        client_id,
        client_secret.as_deref(),
        auth_methods,
    )?)
}

/// RFC 8414 §3.1 then OIDC Discovery §4: the metadata requests to try, in order.
#[wasm_bindgen(js_name = discoveryRequests)]
pub fn discovery_requests(issuer: &str) -> Result<Vec<String>> {
    Ok(core::discovery::metadata_requests(issuer)?
        .iter()
        .map(request_json)
        .collect())
}

/// RFC 8414 §3.2-3.3: reads a metadata document (issuer must match) as JSON.
#[wasm_bindgen(js_name = processMetadata)]
pub fn process_metadata(expected_issuer: &str, status: u16, body: &str) -> Result<String> {
    Ok(
        core::discovery::process_metadata(expected_issuer, status, body)?
            .to_value()
            .to_json(),
    )
}

/// RFC 6749 §4.1.3 + RFC 7636 §4.5: the code exchange request.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = codeExchangeRequest)]
pub fn code_exchange_request(
    token_endpoint: &str,
    client_id: &str,
    client_secret: Option<String>,
    auth_methods: Vec<String>,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
    resources: Vec<String>,
) -> Result<String> {
    let c = client(client_id, client_secret, &auth_methods)?;
    Ok(request_json(&core::token::authorization_code_request(
        token_endpoint,
        &c,
        code,
        redirect_uri,
        code_verifier,
        &resources,
    )?))
}

/// RFC 6749 §6: the refresh request.
#[wasm_bindgen(js_name = refreshRequest)]
pub fn refresh_request(
    token_endpoint: &str,
    client_id: &str,
    client_secret: Option<String>,
    auth_methods: Vec<String>,
    refresh_token: &str,
    resources: Vec<String>,
) -> Result<String> {
    let c = client(client_id, client_secret, &auth_methods)?;
    Ok(request_json(&core::token::refresh_request(
        token_endpoint,
        &c,
        refresh_token,
        &resources,
    )?))
}

/// RFC 8628 §3.4: the device token poll.
#[wasm_bindgen(js_name = deviceTokenRequest)]
pub fn device_token_request(
    token_endpoint: &str,
    client_id: &str,
    client_secret: Option<String>,
    auth_methods: Vec<String>,
    device_code: &str,
) -> Result<String> {
    let c = client(client_id, client_secret, &auth_methods)?;
    Ok(request_json(&core::token::device_code_request(
        token_endpoint,
        &c,
        device_code,
    )?))
}

/// RFC 6749 §5.1-5.2: a token response as the store's `Tokens` JSON.
#[wasm_bindgen(js_name = processTokenResponse)]
pub fn process_token_response(status: u16, body: &str, now_ms: f64) -> Result<String> {
    Ok(core::token::process_token_response(status, body, now_ms)?
        .to_value()
        .to_json())
}

/// Whether to refresh now (expiry within `skew_ms`).
#[wasm_bindgen(js_name = needsRefresh)]
pub fn needs_refresh(expires_at_ms: Option<f64>, now_ms: f64, skew_ms: f64) -> bool {
    core::token::needs_refresh(expires_at_ms, now_ms, skew_ms)
}

/// RFC 7591 §3.1: the registration request of a native public client.
#[wasm_bindgen(js_name = registrationRequest)]
pub fn registration_request(
    endpoint: &str,
    client_name: &str,
    redirect_uris: Vec<String>,
    grant_types: Vec<String>,
    scope: Option<String>,
) -> Result<String> {
    Ok(request_json(&core::registration::registration_request(
        endpoint,
        client_name,
        &redirect_uris,
        &grant_types,
        scope.as_deref(),
    )?))
}

/// RFC 7591 §3.2: the registered client as the store's `ClientInfo` JSON.
#[wasm_bindgen(js_name = processRegistration)]
pub fn process_registration(status: u16, body: &str, redirect_uris: Vec<String>) -> Result<String> {
    Ok(core::registration::process_registration(status, body, &redirect_uris)?.to_json())
}

/// RFC 7009 §2.1: the revocation request.
#[wasm_bindgen(js_name = revocationRequest)]
pub fn revocation_request(
    endpoint: &str,
    client_id: &str,
    client_secret: Option<String>,
    auth_methods: Vec<String>,
    token: &str,
    hint: Option<String>,
) -> Result<String> {
    let c = client(client_id, client_secret, &auth_methods)?;
    Ok(request_json(&core::revocation::revocation_request(
        endpoint,
        &c,
        token,
        hint.as_deref(),
    )?))
}

/// RFC 7009 §2.2: checks the revocation response.
#[wasm_bindgen(js_name = processRevocation)]
pub fn process_revocation(status: u16, body: &str) -> Result<()> {
    Ok(core::revocation::process_revocation(status, body)?)
}

/// RFC 8628 §3.1: the device authorization request.
#[wasm_bindgen(js_name = deviceAuthorizationRequest)]
pub fn device_authorization_request(
    endpoint: &str,
    client_id: &str,
    client_secret: Option<String>,
    auth_methods: Vec<String>,
    scope: Option<String>,
    resources: Vec<String>,
) -> Result<String> {
    let c = client(client_id, client_secret, &auth_methods)?;
    Ok(request_json(&core::device::device_authorization_request(
        endpoint,
        &c,
        scope.as_deref(),
        &resources,
    )?))
}

/// RFC 8628 §3.2: the device authorization response as JSON.
#[wasm_bindgen(js_name = processDeviceAuthorization)]
pub fn process_device_authorization(status: u16, body: &str, now_ms: f64) -> Result<String> {
    Ok(core::device::process_device_authorization(status, body, now_ms)?.to_json())
}

/// RFC 8628 §3.5: seconds to wait before the next poll, or -1 to stop.
#[wasm_bindgen(js_name = devicePollNext)]
pub fn device_poll_next(error: &str, interval_s: f64) -> f64 {
    match core::device::poll_next(error, interval_s) {
        core::device::PollNext::WaitSeconds(s) => s,
        core::device::PollNext::Stop => -1.0,
    }
}

/// RFC 6749 §4.1.2 + RFC 9207: the code of a checked authorization response; `params`
/// alternate names and values.
#[wasm_bindgen(js_name = validateAuthorizationResponse)]
pub fn validate_authorization_response(
    params: Vec<String>,
    expected_state: &str,
    issuer: Option<String>,
    iss_required: bool,
) -> Result<String> {
    let pairs: Vec<(String, String)> = params
        .chunks(2)
        .filter_map(|c| Some((c.first()?.clone(), c.get(1)?.clone())))
        .collect();
    Ok(core::authorization_response::validate(
        &pairs,
        expected_state,
        issuer.as_deref(),
        iss_required,
    )?)
}

/// A body with every secret shown as `abc…` (for the trace).
#[wasm_bindgen(js_name = redactBody)]
pub fn redact_body(body: &str) -> String {
    core::trace::redact_body(body)
}

/// A URL with secret query parameters shown as `abc…` (for the trace).
#[wasm_bindgen(js_name = redactUrl)]
pub fn redact_url(url: &str) -> String {
    core::trace::redact_url(url)
}
