//! PKCE, state and nonce, authorization URLs, templates and loopback redirect URIs.

use oauth_callback_core::{
    self as core, AuthorizationRequest, CodeChallenge, CodeVerifier, Nonce, State, SystemEntropy,
};
use wasm_bindgen::prelude::*;

use crate::Result;

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
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut values = values.into_iter();
    for name in names {
        let Some(value) = values.next() else { break };
        pairs.push((name, value));
    }
    core::template::render_pairs(template, &pairs)
}

/// RFC 8252 §7.3: the loopback redirect URI for a host, port and callback path.
#[wasm_bindgen(js_name = loopbackRedirectUri)]
pub fn loopback_redirect_uri(hostname: &str, port: u16, callback_path: &str) -> Result<String> {
    Ok(core::loopback::redirect_uri(hostname, port, callback_path)?)
}

/// RFC 8252 §8.3: the loopback addresses to bind for a host name. Only the loopback
/// server binds (Deno's, on the full module); a page has none.
#[cfg(feature = "server")]
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
    Ok(core::Endpoint::parse(url)?.url())
}
