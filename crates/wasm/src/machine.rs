//! Machine clients and MCP discovery: the client credentials grant with
//! `client_secret_basic`, `client_secret_post` or `private_key_jwt` (RFC 6749 §4.4,
//! RFC 7523), the enterprise-managed flow (RFC 8693 token exchange for an ID-JAG, then the
//! RFC 7523 JWT bearer grant), the checks on what MCP discovery found (including the
//! 2025-03-26 fallback) and client ID metadata documents. Node, Bun and Deno only
//! (feature `machine`): a page must not hold a client secret or a private key.

use core::json::Value;
use core::token::ClientAuth;
use oauth_callback_core as core;
use wasm_bindgen::prelude::*;

use crate::Result;

/// The client's authentication: a secret, a client assertion made for this server, or
/// (where `public_allowed`) its `client_id` alone; `method` forces one.
fn auth(
    client_id: &str,
    client_secret: Option<String>,
    assertion: Option<String>,
    auth_methods: &[String],
    method: Option<String>,
    public_allowed: bool,
) -> Result<ClientAuth> {
    Ok(core::client_credentials::client_auth(
        client_id,
        client_secret.as_deref(),
        assertion.as_deref(),
        auth_methods,
        method.as_deref(),
        public_allowed,
    )?)
}

/// RFC 7523 §2.2 / §3: a `private_key_jwt` client assertion signed with `key` (a JWK as
/// JSON, or PEM) for the server `audience` (its issuer).
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = clientAssertion)]
pub fn client_assertion(
    key: &str,
    alg: Option<String>,
    kid: Option<String>,
    client_id: &str,
    audience: &str,
    now_ms: f64,
    lifetime_secs: Option<u32>,
) -> Result<String> {
    let key = core::client_assertion::SigningKey::parse(key, alg.as_deref(), kid.as_deref())?;
    Ok(core::client_assertion::client_assertion(
        &key,
        &core::client_assertion::AssertionClaims {
            client_id,
            audience,
            now_ms,
            lifetime_secs: lifetime_secs.unwrap_or(core::client_assertion::DEFAULT_LIFETIME_SECS),
        },
        &mut core::SystemEntropy,
    )?)
}

/// Checks a private key (JWK or PEM) for `alg` and returns its public half as a JWK, for
/// the server's `jwks`.
#[wasm_bindgen(js_name = publicJwk)]
pub fn public_jwk(key: &str, alg: Option<String>, kid: Option<String>) -> Result<String> {
    let key = core::client_assertion::SigningKey::parse(key, alg.as_deref(), kid.as_deref())?;
    Ok(key.public_jwk().to_json())
}

/// RFC 6749 §4.4.2: the client credentials token request.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = clientCredentialsRequest)]
pub fn client_credentials_request(
    token_endpoint: &str,
    client_id: &str,
    client_secret: Option<String>,
    assertion: Option<String>,
    auth_methods: Vec<String>,
    method: Option<String>,
    scope: Option<String>,
    resources: Vec<String>,
) -> Result<String> {
    let c = auth(
        client_id,
        client_secret,
        assertion,
        &auth_methods,
        method,
        false,
    )?;
    Ok(core::client_credentials::client_credentials_request(
        token_endpoint,
        &c,
        scope.as_deref(),
        &resources,
    )?
    .to_json())
}

/// SEP-990 step 1 (RFC 8693 §2.1): the user's ID token for an ID-JAG addressed to the
/// authorization server `audience` and the MCP server `resource`, at the identity
/// provider, where the client may be public.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = idJagRequest)]
pub fn id_jag_request(
    idp_token_endpoint: &str,
    client_id: &str,
    client_secret: Option<String>,
    assertion: Option<String>,
    auth_methods: Vec<String>,
    method: Option<String>,
    id_token: &str,
    audience: &str,
    resource: &str,
    scope: Option<String>,
) -> Result<String> {
    let c = auth(
        client_id,
        client_secret,
        assertion,
        &auth_methods,
        method,
        true,
    )?;
    Ok(core::token_exchange::id_jag_request(
        idp_token_endpoint,
        &c,
        id_token,
        audience,
        resource,
        scope.as_deref(),
    )?
    .to_json())
}

/// RFC 8693 §2.2: reads a token exchange response; the issued type must be `expected_type`.
#[wasm_bindgen(js_name = processTokenExchange)]
pub fn process_token_exchange(
    status: u16,
    body: &str,
    expected_type: Option<String>,
    now_ms: f64,
) -> Result<String> {
    Ok(core::token_exchange::process_token_exchange_response(
        status,
        body,
        expected_type.as_deref(),
        now_ms,
    )?
    .to_value()
    .to_json())
}

/// The token type of an ID-JAG, for `processTokenExchange`.
#[wasm_bindgen(js_name = idJagTokenType)]
pub fn id_jag_token_type() -> String {
    core::token_exchange::ID_JAG_TYPE.to_owned()
}

/// SEP-990 step 2 (RFC 7523 §2.1): the access token request for a JWT grant (the ID-JAG).
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = jwtBearerRequest)]
pub fn jwt_bearer_request(
    token_endpoint: &str,
    client_id: &str,
    client_secret: Option<String>,
    assertion: Option<String>,
    auth_methods: Vec<String>,
    method: Option<String>,
    grant: &str,
    scope: Option<String>,
    resources: Vec<String>,
) -> Result<String> {
    let c = auth(
        client_id,
        client_secret,
        assertion,
        &auth_methods,
        method,
        false,
    )?;
    Ok(core::token_exchange::jwt_bearer_request(
        token_endpoint,
        &c,
        grant,
        scope.as_deref(),
        &resources,
    )?
    .to_json())
}

/// RFC 8414 §3.3 on what MCP discovery found for `authorization_server_url`: exact when
/// the resource's RFC 9728 metadata named the server, the same origin on the 2025-03-26
/// fallback. The checked metadata, as `processMetadata` gives it.
#[wasm_bindgen(js_name = checkMcpMetadata)]
pub fn check_mcp_metadata(
    authorization_server_url: &str,
    from_resource_metadata: bool,
    body: &str,
) -> Result<String> {
    Ok(core::mcp_discovery::check_metadata(
        authorization_server_url,
        from_resource_metadata,
        200,
        body,
    )?
    .to_value()
    .to_json())
}

/// MCP 2025-03-26 §2.3.3: `/authorize`, `/token`, `/register` at the server's origin.
#[wasm_bindgen(js_name = mcpDefaultEndpoints)]
pub fn mcp_default_endpoints(authorization_server_url: &str) -> Result<String> {
    Ok(
        core::mcp_discovery::default_endpoints(authorization_server_url)?
            .to_value()
            .to_json(),
    )
}

/// Checks a client ID metadata document URL (https, a path, no fragment).
#[wasm_bindgen(js_name = checkClientIdUrl)]
pub fn check_client_id_url(url: &str) -> Result<String> {
    Ok(core::client_id_metadata::check_client_id_url(url)?.to_owned())
}

/// The client ID metadata document to publish at `client_id`, as JSON.
#[wasm_bindgen(js_name = clientMetadataDocument)]
pub fn client_metadata_document(
    client_id: &str,
    client_name: &str,
    redirect_uris: Vec<String>,
    grant_types: Vec<String>,
    scope: Option<String>,
) -> Result<String> {
    let doc: Value =
        core::client_id_metadata::document(&core::client_id_metadata::ClientMetadataDocument {
            client_id,
            client_name,
            redirect_uris: &redirect_uris,
            grant_types: &grant_types,
            scope: scope.as_deref(),
        })?;
    Ok(doc.to_json())
}
