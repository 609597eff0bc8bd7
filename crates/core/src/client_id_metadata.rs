//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP
//! 2025-11-25 "Client ID Metadata Documents", SEP-991): the client's `client_id` is an
//! https URL where the client publishes its metadata as JSON. A server that advertises
//! `client_id_metadata_document_supported` fetches it instead of asking the client to
//! register; the redirect URIs in it are the only ones the server will redirect to.

use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorCode, excerpt};
use crate::json::Value;

fn invalid(url: &str, why: &str) -> Error {
    Error::new(
        ErrorCode::InvalidUrl,
        format!(
            "\"{}\" cannot be a client ID metadata document URL: {why}",
            excerpt(url)
        ),
    )
}

/// Checks a client ID URL (draft §3): https, with a path other than `/`, no fragment,
/// no user information, no `.` or `..` segments. Returns it as given: the URL is the
/// client ID, compared character by character.
pub fn check_client_id_url(url: &str) -> Result<&str, Error> {
    if url.contains('#') {
        return Err(invalid(url, "it must not have a fragment"));
    }
    let ep = Endpoint::parse(url).map_err(|e| invalid(url, e.message()))?;
    if !ep.is_secure() {
        return Err(invalid(url, "it must use https"));
    }
    if ep.path() == "/" {
        return Err(invalid(
            url,
            "it must have a path (e.g. /oauth/client.json)",
        ));
    }
    if ep.path().split('/').any(|s| s == "." || s == "..") {
        return Err(invalid(url, "it must not have . or .. path segments"));
    }
    Ok(url)
}

/// What goes into a client ID metadata document.
#[derive(Clone, Debug)]
pub struct ClientMetadataDocument<'a> {
    /// The document's own URL: the `client_id`.
    pub client_id: &'a str,
    /// `client_name`, shown to the user on the consent screen.
    pub client_name: &'a str,
    /// `redirect_uris`: the loopback redirects the client uses.
    pub redirect_uris: &'a [String],
    /// `grant_types` (default `authorization_code` and `refresh_token`).
    pub grant_types: &'a [String],
    /// `scope`, when the client always asks for the same.
    pub scope: Option<&'a str>,
}

/// The JSON document to publish at `client_id` (draft §4): a public native client
/// (`token_endpoint_auth_method: none`; a secret cannot be shared through a public URL).
pub fn document(d: &ClientMetadataDocument<'_>) -> Result<Value, Error> {
    check_client_id_url(d.client_id)?;
    if d.redirect_uris.is_empty() {
        return Err(Error::new(
            ErrorCode::MissingParameter,
            "a client ID metadata document needs at least one redirect URI",
        ));
    }
    for uri in d.redirect_uris {
        Endpoint::parse(uri)?;
    }
    let s = |v: &str| Value::String(v.to_owned());
    let list = |v: &[String]| Value::Array(v.iter().map(|x| s(x)).collect());
    let default_grants = ["authorization_code".to_owned(), "refresh_token".to_owned()];
    let grants = if d.grant_types.is_empty() {
        &default_grants[..]
    } else {
        d.grant_types
    };
    let mut m = vec![
        ("client_id".into(), s(d.client_id)),
        ("client_name".into(), s(d.client_name)),
        ("redirect_uris".into(), list(d.redirect_uris)),
        ("grant_types".into(), list(grants)),
        ("response_types".into(), Value::Array(vec![s("code")])),
        ("token_endpoint_auth_method".into(), s("none")),
        ("application_type".into(), s("native")),
    ];
    if let Some(scope) = d.scope.filter(|x| !x.is_empty()) {
        m.push(("scope".into(), s(scope)));
    }
    Ok(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_id_urls() {
        for ok in [
            "https://app.example/oauth/client.json",
            "https://conformance-test.local/client-metadata.json",
            "https://app.example:8443/c?v=1",
        ] {
            assert_eq!(check_client_id_url(ok).unwrap(), ok);
        }
        for bad in [
            "http://app.example/client.json",
            "http://localhost/client.json",
            "https://app.example",
            "https://app.example/",
            "https://app.example/a#b",
            "https://user@app.example/c.json",
            "https://app.example/a/../c.json",
            "https://app.example/./c.json",
            "app.example/c.json",
        ] {
            let e = check_client_id_url(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidUrl, "{bad}");
        }
    }

    #[test]
    fn document_for_a_native_public_client() {
        let redirects = vec!["http://127.0.0.1/callback".to_owned()];
        let v = document(&ClientMetadataDocument {
            client_id: "https://app.example/oauth/client.json",
            client_name: "My tool",
            redirect_uris: &redirects,
            grant_types: &[],
            scope: Some("mcp:read"),
        })
        .unwrap();
        assert_eq!(
            v.to_json(),
            r#"{"client_id":"https://app.example/oauth/client.json","client_name":"My tool","redirect_uris":["http://127.0.0.1/callback"],"grant_types":["authorization_code","refresh_token"],"response_types":["code"],"token_endpoint_auth_method":"none","application_type":"native","scope":"mcp:read"}"#
        );
        let bad = ["http://app.example/callback".to_owned()];
        for redirect_uris in [&[][..], &bad[..]] {
            assert!(
                document(&ClientMetadataDocument {
                    client_id: "https://app.example/c.json",
                    client_name: "x",
                    redirect_uris,
                    grant_types: &[],
                    scope: None,
                })
                .is_err()
            );
        }
    }
}
