//! Which authorization server an MCP client talks to, and the checks on what discovery
//! found (the MCP SDK's `auth()` discovers; this module decides whether its findings may
//! be used).
//!
//! - MCP 2025-06-18 and later: the MCP server's RFC 9728 protected resource metadata names
//!   the authorization server; its RFC 8414 metadata must carry exactly that `issuer`
//!   (§3.3), which defeats mix-up attacks. [`check_metadata`] holds every such document to
//!   that rule.
//! - MCP 2025-03-26 (§2.3), for servers without RFC 9728 metadata: the authorization server
//!   is the MCP server's origin (its URL with the path discarded), its metadata at that
//!   origin's `/.well-known/oauth-authorization-server`, and without metadata the default
//!   endpoints `/authorize`, `/token` and `/register` there ([`default_endpoints`]).
//!   Servers of that revision commonly name an issuer with a path (`https://mcp.example/oauth`)
//!   that is not the URL the metadata was fetched for; on this path only, the issuer may
//!   differ from the authorization base URL, but it must still be on the same origin: an
//!   issuer on any other origin is a mix-up and is refused.

use crate::discovery::{ServerMetadata, process_metadata};
use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorCode, excerpt};
use crate::http_message::{StepError, json_object, required_str};
use crate::json::Value;

/// `scheme://host[:port]` of `ep`, without a default port.
fn origin(ep: &Endpoint) -> String {
    let scheme = if ep.is_secure() { "https" } else { "http" };
    match ep.port() {
        Some(443) if ep.is_secure() => format!("{scheme}://{}", ep.host()),
        Some(80) if !ep.is_secure() => format!("{scheme}://{}", ep.host()),
        Some(p) => format!("{scheme}://{}:{p}", ep.host()),
        None => format!("{scheme}://{}", ep.host()),
    }
}

/// The issuer to hold the document to: `expected`, or the document's own issuer when the
/// two are the same URI written differently, an empty path against `/`
/// (`https://as.example` and `https://as.example/`, RFC 3986 §6.2.3), which have the same
/// well-known URL. Any other difference stays a mismatch.
fn same_uri(expected: &str, status: u16, body: &str) -> String {
    let published = json_object(status, body, "discovery")
        .ok()
        .and_then(|v| v.get("issuer").and_then(Value::as_str).map(str::to_owned));
    match published {
        Some(p)
            if p != expected
                && (p.strip_suffix('/') == Some(expected)
                    || expected.strip_suffix('/') == Some(&p))
                && Endpoint::parse(&p).is_ok_and(|e| e.path() == "/" && e.query().is_empty()) =>
        {
            p
        }
        _ => expected.to_owned(),
    }
}

/// MCP 2025-03-26 §2.3.2: the authorization base URL of an MCP server, its URL with the
/// path (and query) discarded.
pub fn authorization_base_url(mcp_server_url: &str) -> Result<String, Error> {
    Ok(origin(&Endpoint::parse(mcp_server_url)?))
}

/// Checks authorization server metadata found for `authorization_server_url`.
///
/// `from_resource_metadata`: the MCP server's RFC 9728 document named this server (the
/// current MCP revisions): the `issuer` must equal `authorization_server_url` exactly
/// (RFC 8414 §3.3). Otherwise (the 2025-03-26 fallback, no RFC 9728 document) the URL
/// must be an origin, and the `issuer` may be any URL on that same origin. Either way
/// every other rule of [`process_metadata`] applies: https (or loopback) endpoints, a
/// `token_endpoint`, PKCE S256 when methods are listed.
pub fn check_metadata(
    authorization_server_url: &str,
    from_resource_metadata: bool,
    status: u16,
    body: &str,
) -> Result<ServerMetadata, StepError> {
    if from_resource_metadata {
        return process_metadata(
            &same_uri(authorization_server_url, status, body),
            status,
            body,
        );
    }
    let base = Endpoint::parse(authorization_server_url)?;
    if base.path() != "/" || !base.query().is_empty() {
        // Not the 2025-03-26 fallback (which discovers from an origin): the strict rule.
        return process_metadata(authorization_server_url, status, body);
    }
    let v = json_object(status, body, "discovery")?;
    let issuer = required_str(&v, "issuer", "discovery")?;
    let same_origin = Endpoint::parse(issuer).is_ok_and(|i| origin(&i) == origin(&base));
    if !same_origin {
        return Err(Error::new(
            ErrorCode::IssuerMismatch,
            format!(
                "the metadata of {} names issuer \"{}\" on another origin; without RFC 9728 metadata (MCP 2025-03-26) the authorization server is the MCP server's own origin (RFC 8414 §3.3)",
                origin(&base),
                excerpt(issuer)
            ),
        )
        .into());
    }
    process_metadata(issuer, status, body)
}

/// MCP 2025-03-26 §2.3.3: the endpoints of a server that publishes no metadata,
/// `/authorize`, `/token` and `/register` at the authorization base URL (the origin of
/// `authorization_server_url`). `raw` holds these defaults; `issuer` is the base URL.
pub fn default_endpoints(authorization_server_url: &str) -> Result<ServerMetadata, Error> {
    let base = authorization_base_url(authorization_server_url)?;
    let s = |v: String| Value::String(v);
    let doc = Value::Object(vec![
        ("issuer".into(), s(base.clone())),
        (
            "authorization_endpoint".into(),
            s(format!("{base}/authorize")),
        ),
        ("token_endpoint".into(), s(format!("{base}/token"))),
        (
            "registration_endpoint".into(),
            s(format!("{base}/register")),
        ),
        (
            "response_types_supported".into(),
            Value::Array(vec![s("code".into())]),
        ),
    ])
    .to_json();
    process_metadata(&base, 200, &doc).map_err(|e| match e {
        StepError::Library(e) => e,
        StepError::OAuth(o) => Error::new(ErrorCode::InvalidResponse, o.error),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(issuer: &str, token: &str) -> String {
        format!(
            r#"{{"issuer":"{issuer}","authorization_endpoint":"{issuer}/authorize","token_endpoint":"{token}","response_types_supported":["code"]}}"#
        )
    }

    fn code(e: StepError) -> ErrorCode {
        match e {
            StepError::Library(e) => e.code(),
            StepError::OAuth(o) => panic!("{o:?}"),
        }
    }

    #[test]
    fn the_resource_named_server_must_be_the_issuer_exactly() {
        let m = check_metadata(
            "https://as.example/tenant1",
            true,
            200,
            &doc(
                "https://as.example/tenant1",
                "https://as.example/tenant1/token",
            ),
        )
        .unwrap();
        assert_eq!(m.token_endpoint, "https://as.example/tenant1/token");
        // A mix-up: the resource named one server, the document is another's (or the
        // same origin's other tenant, or differs by a trailing slash).
        for issuer in [
            "https://evil.example",
            "https://as.example/tenant2",
            "https://as.example/tenant1/",
            "https://as.example",
        ] {
            let e = check_metadata(
                "https://as.example/tenant1",
                true,
                200,
                &doc(issuer, "https://as.example/token"),
            )
            .unwrap_err();
            assert_eq!(code(e), ErrorCode::IssuerMismatch, "{issuer}");
        }
        // The same URI written with and without the root path is the same server.
        for (named, issuer) in [
            ("https://as.example", "https://as.example/"),
            ("https://as.example/", "https://as.example"),
        ] {
            let m =
                check_metadata(named, true, 200, &doc(issuer, "https://as.example/token")).unwrap();
            assert_eq!(m.issuer, issuer);
        }
        // Even at an origin: a resource-named server is held to the exact rule.
        let e = check_metadata(
            "https://as.example/",
            true,
            200,
            &doc("https://as.example/oauth", "https://as.example/oauth/token"),
        )
        .unwrap_err();
        assert_eq!(code(e), ErrorCode::IssuerMismatch);
    }

    #[test]
    fn the_2025_03_26_fallback_allows_an_issuer_on_the_same_origin_only() {
        for (base, issuer) in [
            ("http://127.0.0.1:4000/", "http://127.0.0.1:4000/oauth"),
            ("http://127.0.0.1:4000/", "http://127.0.0.1:4000"),
            ("https://mcp.example", "https://mcp.example:443/"),
        ] {
            let m =
                check_metadata(base, false, 200, &doc(issuer, &format!("{issuer}/token"))).unwrap();
            assert_eq!(m.issuer, issuer);
        }
        for (base, issuer) in [
            ("http://127.0.0.1:4000/", "http://127.0.0.1:4001/oauth"),
            ("http://127.0.0.1:4000/", "http://localhost:4000"),
            ("https://mcp.example/", "https://evil.example"),
            ("https://mcp.example/", "http://mcp.example"),
            ("https://mcp.example/", "not a url"),
        ] {
            let e = check_metadata(base, false, 200, &doc(issuer, "https://mcp.example/token"))
                .unwrap_err();
            assert_eq!(code(e), ErrorCode::IssuerMismatch, "{issuer}");
        }
        // The fallback discovers from an origin only; a URL with a path keeps the exact rule.
        let e = check_metadata(
            "https://mcp.example/tenant",
            false,
            200,
            &doc("https://mcp.example/other", "https://mcp.example/token"),
        )
        .unwrap_err();
        assert_eq!(code(e), ErrorCode::IssuerMismatch);
        // Every other rule still applies on the relaxed path.
        let e = check_metadata(
            "https://mcp.example/",
            false,
            200,
            &doc("https://mcp.example/oauth", "http://mcp.example/token"),
        )
        .unwrap_err();
        assert_eq!(code(e), ErrorCode::InsecureEndpoint);
    }

    #[test]
    fn default_endpoints_sit_at_the_origin() {
        let m = default_endpoints("http://localhost:4000/any/path?x=1").unwrap();
        assert_eq!(m.issuer, "http://localhost:4000");
        assert_eq!(
            m.authorization_endpoint.as_deref(),
            Some("http://localhost:4000/authorize")
        );
        assert_eq!(m.token_endpoint, "http://localhost:4000/token");
        assert_eq!(
            m.registration_endpoint.as_deref(),
            Some("http://localhost:4000/register")
        );
        assert!(!m.iss_parameter_supported);
        assert_eq!(
            authorization_base_url("https://mcp.example:443/mcp").unwrap(),
            "https://mcp.example"
        );
        assert!(default_endpoints("http://mcp.example/").is_err());
    }
}
