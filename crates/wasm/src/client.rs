//! The OAuth client's protocol steps (RFC 8414, 6749, 7591, 7009, 8628, 9207; OIDC
//! UserInfo and, with the `oidc` feature, ID tokens).
//! Requests come back as JSON `{method, url, headers: [[name, value]], body}` for the
//! facade to send with `fetch`; responses go in as status and body text.

use core::token::ClientAuth;
use oauth_callback_core as core;
use wasm_bindgen::prelude::*;

use crate::Result;

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
    let mut requests = Vec::new();
    for r in &core::discovery::metadata_requests(issuer)? {
        requests.push(r.to_json());
    }
    Ok(requests)
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
    Ok(core::token::authorization_code_request(
        token_endpoint,
        &c,
        code,
        redirect_uri,
        code_verifier,
        &resources,
    )?
    .to_json())
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
    Ok(core::token::refresh_request(token_endpoint, &c, refresh_token, &resources)?.to_json())
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
    Ok(core::token::device_code_request(token_endpoint, &c, device_code)?.to_json())
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
    Ok(core::registration::registration_request(
        endpoint,
        client_name,
        &redirect_uris,
        &grant_types,
        scope.as_deref(),
    )?
    .to_json())
}

/// RFC 7591 §3.2: the registered client as the store's `ClientInfo` JSON.
#[wasm_bindgen(js_name = processRegistration)]
pub fn process_registration(
    status: u16,
    body: &str,
    redirect_uris: Vec<String>,
    grant_types: Vec<String>,
) -> Result<String> {
    Ok(
        core::registration::process_registration(status, body, &redirect_uris, &grant_types)?
            .to_json(),
    )
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
    Ok(core::revocation::revocation_request(endpoint, &c, token, hint.as_deref())?.to_json())
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
    Ok(
        (core::device::device_authorization_request(endpoint, &c, scope.as_deref(), &resources)?)
            .to_json(),
    )
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
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut params = params.into_iter();
    while let (Some(name), Some(value)) = (params.next(), params.next()) {
        pairs.push((name, value));
    }
    Ok(core::authorization_response::validate(
        &pairs,
        expected_state,
        issuer.as_deref(),
        iss_required,
    )?)
}

/// OIDC Core §5.3.1: the UserInfo request with the access token as a bearer token.
#[wasm_bindgen(js_name = userinfoRequest)]
pub fn userinfo_request(endpoint: &str, access_token: &str) -> Result<String> {
    Ok(core::userinfo::userinfo_request(endpoint, access_token)?.to_json())
}

/// OIDC Core §5.3.2-5.3.3: the user's claims as JSON; `sub` must equal
/// `expected_subject` when given.
#[wasm_bindgen(js_name = processUserInfo)]
pub fn process_userinfo(
    status: u16,
    content_type: Option<String>,
    www_authenticate: Option<String>,
    body: &str,
    expected_subject: Option<String>,
) -> Result<String> {
    Ok(core::userinfo::process_userinfo(
        status,
        content_type.as_deref(),
        www_authenticate.as_deref(),
        body,
        expected_subject.as_deref(),
    )?
    .to_json())
}

/// RFC 7517 §5: the request for the issuer's JWK Set.
#[cfg(feature = "oidc")]
#[wasm_bindgen(js_name = keySetRequest)]
pub fn key_set_request(jwks_uri: &str) -> Result<String> {
    Ok(core::jose::key_set_request(jwks_uri)?.to_json())
}

/// Checks a JWK Set response; the document comes back to be cached.
#[cfg(feature = "oidc")]
#[wasm_bindgen(js_name = processKeySet)]
pub fn process_key_set(status: u16, body: &str) -> Result<String> {
    Ok(core::jose::process_key_set_response(status, body)?)
}

/// Whether `key_set` (or no set yet) lacks a key that fits the ID token.
#[cfg(feature = "oidc")]
#[wasm_bindgen(js_name = idTokenNeedsKeys)]
pub fn id_token_needs_keys(token: &str, key_set: Option<String>) -> Result<bool> {
    Ok(core::id_token::needs_keys(token, key_set.as_deref())?)
}

/// OIDC Core §3.1.3.7: the claims of a valid ID token, as JSON.
#[cfg(feature = "oidc")]
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = validateIdToken)]
pub fn validate_id_token(
    token: &str,
    key_set: &str,
    issuer: &str,
    client_id: &str,
    nonce: Option<String>,
    now_ms: f64,
    check_time: bool,
    subject: Option<String>,
) -> Result<String> {
    let expected = core::id_token::Expectations {
        issuer,
        client_id,
        nonce: nonce.as_deref(),
        now_ms,
        check_time,
        subject: subject.as_deref(),
    };
    Ok(core::id_token::validate(token, key_set, &expected)?.to_json())
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
