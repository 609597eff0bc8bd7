//! Authorization server metadata: RFC 8414, with OpenID Connect Discovery 1.0 as fallback.

use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorCode, excerpt};
use crate::http_message::{HttpRequest, StepError, json_object, optional_str, required_str};
use crate::json::Value;
use crate::prelude::*;
use crate::text::concat;

/// The metadata this client uses, with every endpoint checked (https or loopback), and
/// the whole document as the server published it.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerMetadata {
    /// `issuer`, equal to the one asked for.
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: Option<String>,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `registration_endpoint` (RFC 7591).
    pub registration_endpoint: Option<String>,
    /// `revocation_endpoint` (RFC 7009).
    pub revocation_endpoint: Option<String>,
    /// `device_authorization_endpoint` (RFC 8628).
    pub device_authorization_endpoint: Option<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207).
    pub iss_parameter_supported: bool,
    /// `token_endpoint_auth_methods_supported`, default `["client_secret_basic"]`.
    pub token_endpoint_auth_methods: Vec<String>,
    /// `userinfo_endpoint` (OIDC Discovery §3).
    pub userinfo_endpoint: Option<String>,
    /// `jwks_uri`: the keys ID tokens are signed with (RFC 8414 §2, OIDC Discovery §3).
    pub jwks_uri: Option<String>,
    /// `end_session_endpoint` (OIDC RP-Initiated Logout §2.1).
    pub end_session_endpoint: Option<String>,
    /// Every member the server published, as it published it.
    pub raw: Value,
}

impl ServerMetadata {
    /// As a JSON object with camelCase names, for the JavaScript side.
    pub fn to_value(&self) -> Value {
        let s = |v: &str| Value::String(v.to_owned());
        let opt = |v: &Option<String>| v.as_deref().map_or(Value::Null, s);
        Value::Object(vec![
            ("issuer".into(), s(&self.issuer)),
            (
                "authorizationEndpoint".into(),
                opt(&self.authorization_endpoint),
            ),
            ("tokenEndpoint".into(), s(&self.token_endpoint)),
            (
                "registrationEndpoint".into(),
                opt(&self.registration_endpoint),
            ),
            ("revocationEndpoint".into(), opt(&self.revocation_endpoint)),
            (
                "deviceAuthorizationEndpoint".into(),
                opt(&self.device_authorization_endpoint),
            ),
            (
                "issParameterSupported".into(),
                Value::Bool(self.iss_parameter_supported),
            ),
            (
                "tokenEndpointAuthMethods".into(),
                Value::strings(&self.token_endpoint_auth_methods),
            ),
            ("userinfoEndpoint".into(), opt(&self.userinfo_endpoint)),
            ("jwksUri".into(), opt(&self.jwks_uri)),
            ("endSessionEndpoint".into(), opt(&self.end_session_endpoint)),
            ("raw".into(), self.raw.clone()),
        ])
    }

    /// [`Self::to_value`]'s JSON text, written directly (the browser's module sends the
    /// metadata out as text: no `Value` built and copied first; issue 11).
    pub fn to_json(&self) -> String {
        let mut w = crate::json::ObjectWriter::new();
        w.text("issuer", Some(&self.issuer));
        w.text(
            "authorizationEndpoint",
            self.authorization_endpoint.as_deref(),
        );
        w.text("tokenEndpoint", Some(&self.token_endpoint));
        w.text(
            "registrationEndpoint",
            self.registration_endpoint.as_deref(),
        );
        w.text("revocationEndpoint", self.revocation_endpoint.as_deref());
        w.text(
            "deviceAuthorizationEndpoint",
            self.device_authorization_endpoint.as_deref(),
        );
        w.value(
            "issParameterSupported",
            &Value::Bool(self.iss_parameter_supported),
        );
        w.texts(
            "tokenEndpointAuthMethods",
            &self.token_endpoint_auth_methods,
        );
        w.text("userinfoEndpoint", self.userinfo_endpoint.as_deref());
        w.text("jwksUri", self.jwks_uri.as_deref());
        w.text("endSessionEndpoint", self.end_session_endpoint.as_deref());
        w.value("raw", &self.raw);
        w.finish()
    }
}

/// The discovery requests to try in order: RFC 8414 §3.1 (the well-known segment inserted
/// before the issuer's path), then OIDC Discovery §4 (appended to the issuer).
pub fn metadata_requests(issuer: &str) -> Result<Vec<HttpRequest>, Error> {
    let ep = Endpoint::parse(issuer)?;
    if !ep.query().is_empty() {
        return Err(Error::new(
            ErrorCode::InvalidUrl,
            "an issuer identifier has no query (RFC 8414 §2)",
        ));
    }
    let path = ep.path().trim_end_matches('/');
    let origin = ep.with_query("");
    let origin = origin.strip_suffix(ep.path()).unwrap_or(&origin);
    Ok(vec![
        HttpRequest::get_json(concat(&[
            origin,
            "/.well-known/oauth-authorization-server",
            path,
        ])),
        HttpRequest::get_json(concat(&[origin, path, "/.well-known/openid-configuration"])),
    ])
}

fn endpoint(v: &Value, name: &str) -> Result<Option<String>, Error> {
    optional_str(v, name, "discovery")?
        .map(|u| Endpoint::parse(u).map(|e| e.url()))
        .transpose()
}

fn not_strings(name: &str) -> Error {
    Error::new(
        ErrorCode::InvalidResponse,
        concat(&["discovery \"", name, "\" must be a list of strings"]),
    )
}

fn strings(v: &Value, name: &str) -> Result<Option<Vec<String>>, Error> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => {
            let mut strings = Vec::new();
            for item in items {
                strings.push(item.as_str().ok_or_else(|| not_strings(name))?.to_owned());
            }
            Ok(Some(strings))
        }
        Some(_) => Err(not_strings(name)),
    }
}

/// Reads a metadata document. The `issuer` must equal `expected_issuer` exactly
/// (RFC 8414 §3.3), which defeats mix-up attacks; PKCE S256 must be supported when the
/// server lists its methods.
pub fn process_metadata(
    expected_issuer: &str,
    status: u16,
    body: &str,
) -> Result<ServerMetadata, StepError> {
    let v = json_object(status, body, "discovery")?;
    let issuer = required_str(&v, "issuer", "discovery")?;
    if issuer != expected_issuer {
        return Err(Error::new(
            ErrorCode::IssuerMismatch,
            concat(&[
                "the metadata names issuer \"",
                &excerpt(issuer),
                "\", not \"",
                &excerpt(expected_issuer),
                "\" (RFC 8414 §3.3)",
            ]),
        )
        .into());
    }
    let token_endpoint = endpoint(&v, "token_endpoint")?.ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidResponse,
            "the discovery response lacks \"token_endpoint\"",
        )
    })?;
    if let Some(methods) = strings(&v, "code_challenge_methods_supported")?
        && !methods.iter().any(|m| m == "S256")
    {
        return Err(Error::new(
            ErrorCode::InvalidResponse,
            "the server does not support PKCE with S256, which OAuth 2.1 requires",
        )
        .into());
    }
    Ok(ServerMetadata {
        issuer: issuer.to_owned(),
        authorization_endpoint: endpoint(&v, "authorization_endpoint")?,
        token_endpoint,
        registration_endpoint: endpoint(&v, "registration_endpoint")?,
        revocation_endpoint: endpoint(&v, "revocation_endpoint")?,
        device_authorization_endpoint: endpoint(&v, "device_authorization_endpoint")?,
        iss_parameter_supported: v
            .get("authorization_response_iss_parameter_supported")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        token_endpoint_auth_methods: strings(&v, "token_endpoint_auth_methods_supported")?
            .unwrap_or_else(|| vec!["client_secret_basic".to_owned()]),
        userinfo_endpoint: endpoint(&v, "userinfo_endpoint")?,
        jwks_uri: endpoint(&v, "jwks_uri")?,
        end_session_endpoint: endpoint(&v, "end_session_endpoint")?,
        raw: v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_urls_insert_and_append() {
        let r = metadata_requests("https://as.example").unwrap();
        assert_eq!(
            r[0].url,
            "https://as.example/.well-known/oauth-authorization-server"
        );
        assert_eq!(
            r[1].url,
            "https://as.example/.well-known/openid-configuration"
        );
        let r = metadata_requests("https://as.example/tenant/1/").unwrap();
        assert_eq!(
            r[0].url,
            "https://as.example/.well-known/oauth-authorization-server/tenant/1"
        );
        assert_eq!(
            r[1].url,
            "https://as.example/tenant/1/.well-known/openid-configuration"
        );
        let r = metadata_requests("http://127.0.0.1:4000").unwrap();
        assert_eq!(
            r[0].url,
            "http://127.0.0.1:4000/.well-known/oauth-authorization-server"
        );
        assert!(metadata_requests("http://as.example").is_err());
        assert!(metadata_requests("https://as.example/?x=1").is_err());
    }

    const DOC: &str = r#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/auth","token_endpoint":"https://as.example/token","code_challenge_methods_supported":["S256"],"authorization_response_iss_parameter_supported":true,"revocation_endpoint":"https://as.example/revoke"}"#;

    #[test]
    fn reads_metadata() {
        let m = process_metadata("https://as.example", 200, DOC).unwrap();
        assert_eq!(m.token_endpoint, "https://as.example/token");
        assert!(m.iss_parameter_supported);
        assert_eq!(
            m.revocation_endpoint.as_deref(),
            Some("https://as.example/revoke")
        );
        assert_eq!(m.token_endpoint_auth_methods, vec!["client_secret_basic"]);
        assert_eq!(m.userinfo_endpoint, None);
        assert_eq!(m.to_json(), m.to_value().to_json());
    }

    #[test]
    fn written_json_is_the_value_s() {
        let every = r#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t","registration_endpoint":"https://as.example/r","revocation_endpoint":"https://as.example/v","device_authorization_endpoint":"https://as.example/d","token_endpoint_auth_methods_supported":["none","private_key_jwt"],"userinfo_endpoint":"https://as.example/u","jwks_uri":"https://as.example/j","end_session_endpoint":"https://as.example/e","x":"\"\u2028"}"#;
        for doc in [DOC, every] {
            let m = process_metadata("https://as.example", 200, doc).unwrap();
            assert_eq!(m.to_json(), m.to_value().to_json(), "{doc}");
            assert_eq!(crate::json::parse(&m.to_json()).unwrap(), m.to_value());
        }
        // The first bad member in reading order is the one reported: the auth methods
        // are read after the device endpoint and before the userinfo endpoint.
        let bad = every
            .replace("https://as.example/u", "http://as.example/u")
            .replace("[\"none\",\"private_key_jwt\"]", "[1]");
        let e = process_metadata("https://as.example", 200, &bad).unwrap_err();
        assert!(
            matches!(e, StepError::Library(ref e) if e.message().contains("token_endpoint_auth_methods_supported")),
            "{e:?}"
        );
        let bad = every
            .replace("https://as.example/d", "http://as.example/d")
            .replace("[\"none\",\"private_key_jwt\"]", "[1]");
        let e = process_metadata("https://as.example", 200, &bad).unwrap_err();
        assert!(
            matches!(e, StepError::Library(ref e) if e.code() == ErrorCode::InsecureEndpoint),
            "{e:?}"
        );
    }

    #[test]
    fn oidc_endpoints_and_every_published_member() {
        let doc = DOC.replace(
            "\"revocation_endpoint\"",
            r#""userinfo_endpoint":"https://as.example/me","jwks_uri":"https://as.example/jwks","end_session_endpoint":"https://as.example/logout?x=1","claims_supported":["sub","name"],"x_vendor":{"deep":[1,true,null]},"revocation_endpoint""#,
        );
        let m = process_metadata("https://as.example", 200, &doc).unwrap();
        assert_eq!(
            m.userinfo_endpoint.as_deref(),
            Some("https://as.example/me")
        );
        assert_eq!(m.jwks_uri.as_deref(), Some("https://as.example/jwks"));
        assert_eq!(
            m.end_session_endpoint.as_deref(),
            Some("https://as.example/logout?x=1")
        );
        let v = m.to_value();
        assert_eq!(m.to_json(), v.to_json());
        assert_eq!(
            v.get("endSessionEndpoint").and_then(Value::as_str),
            Some("https://as.example/logout?x=1")
        );
        let raw = v.get("raw").unwrap();
        assert_eq!(raw, &crate::json::parse(&doc).unwrap());
        assert_eq!(
            raw.get("x_vendor").unwrap().to_json(),
            r#"{"deep":[1,true,null]}"#
        );
        // A published endpoint is held to the same rule as the others.
        let insecure = doc.replace("https://as.example/me", "http://as.example/me");
        let e = process_metadata("https://as.example", 200, &insecure).unwrap_err();
        assert!(matches!(e, StepError::Library(ref e) if e.code() == ErrorCode::InsecureEndpoint));
    }

    #[test]
    fn issuer_must_match_exactly() {
        for expected in [
            "https://as.example/",
            "https://AS.example",
            "https://evil.example",
        ] {
            let e = process_metadata(expected, 200, DOC).unwrap_err();
            assert!(
                matches!(e, StepError::Library(ref e) if e.code() == ErrorCode::IssuerMismatch),
                "{expected}"
            );
        }
    }

    #[test]
    fn refuses_bad_documents() {
        let no_s256 = DOC.replace("[\"S256\"]", "[\"plain\"]");
        let insecure = DOC.replace("https://as.example/token", "http://as.example/token");
        let no_token = DOC.replace("\"token_endpoint\"", "\"other\"");
        for body in [
            no_s256.as_str(),
            insecure.as_str(),
            no_token.as_str(),
            "{}",
            "[]",
        ] {
            assert!(
                process_metadata("https://as.example", 200, body).is_err(),
                "{body}"
            );
        }
        assert!(process_metadata("https://as.example", 404, "Not found").is_err());
    }
}
