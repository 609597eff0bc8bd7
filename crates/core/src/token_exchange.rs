//! Token exchange (RFC 8693) and the JWT bearer grant (RFC 7523 §2.1), the two steps of
//! MCP's enterprise-managed authorization (SEP-990, after draft-ietf-oauth-identity-
//! assertion-authz-grant): the client trades the user's ID token at the enterprise
//! identity provider for an Identity Assertion JWT Authorization Grant (ID-JAG) addressed
//! to the MCP server's authorization server, then presents that grant there for an
//! access token. No browser is involved: the identity provider's single sign-on already
//! happened.

use crate::error::{Error, ErrorCode, excerpt};
use crate::http_message::{HttpRequest, StepError, json_object, optional_str, required_str};
use crate::json::{Number, Value};
use crate::token::{ClientAuth, authenticated_post};

/// `grant_type` of a token exchange (RFC 8693 §2.1).
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// `grant_type` of the JWT bearer grant (RFC 7523 §2.1).
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Token type of an OpenID Connect ID token (RFC 8693 §3).
pub const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
/// Token type of an Identity Assertion JWT Authorization Grant (ID-JAG).
pub const ID_JAG_TYPE: &str = "urn:ietf:params:oauth:token-type:id-jag";

/// What a token exchange asks for (RFC 8693 §2.1).
#[derive(Clone, Copy, Debug)]
pub struct TokenExchange<'a> {
    /// `subject_token`: the token being exchanged (for an ID-JAG, the user's ID token).
    pub subject_token: &'a str,
    /// `subject_token_type`.
    pub subject_token_type: &'a str,
    /// `requested_token_type`.
    pub requested_token_type: Option<&'a str>,
    /// `audience`: for an ID-JAG, the issuer of the authorization server it is for.
    pub audience: Option<&'a str>,
    /// `resource` (RFC 8707): for an ID-JAG, the MCP server.
    pub resources: &'a [String],
    /// `scope`.
    pub scope: Option<&'a str>,
}

fn nonempty(name: &str, v: &str) -> Result<(), Error> {
    if v.is_empty() {
        Err(Error::new(
            ErrorCode::MissingParameter,
            format!("the request needs \"{name}\""),
        ))
    } else {
        Ok(())
    }
}

/// RFC 8693 §2.1: the token exchange request, with the client's authentication at that
/// server (a public client sends its `client_id` only).
pub fn token_exchange_request(
    token_endpoint: &str,
    client: &ClientAuth,
    exchange: &TokenExchange<'_>,
) -> Result<HttpRequest, Error> {
    nonempty("subject_token", exchange.subject_token)?;
    nonempty("subject_token_type", exchange.subject_token_type)?;
    let mut pairs = vec![
        ("grant_type", TOKEN_EXCHANGE_GRANT),
        ("subject_token", exchange.subject_token),
        ("subject_token_type", exchange.subject_token_type),
    ];
    if let Some(t) = exchange.requested_token_type.filter(|t| !t.is_empty()) {
        pairs.push(("requested_token_type", t));
    }
    if let Some(a) = exchange.audience.filter(|a| !a.is_empty()) {
        pairs.push(("audience", a));
    }
    if let Some(s) = exchange.scope.filter(|s| !s.is_empty()) {
        pairs.push(("scope", s));
    }
    authenticated_post(token_endpoint, client, &pairs, exchange.resources)
}

/// SEP-990 step 1: an ID-JAG for the authorization server `audience` (its issuer) and
/// the MCP server `resource`, in exchange for the user's `id_token`.
pub fn id_jag_request(
    idp_token_endpoint: &str,
    client: &ClientAuth,
    id_token: &str,
    audience: &str,
    resource: &str,
    scope: Option<&str>,
) -> Result<HttpRequest, Error> {
    nonempty("audience", audience)?;
    nonempty("resource", resource)?;
    let resources = [resource.to_owned()];
    token_exchange_request(
        idp_token_endpoint,
        client,
        &TokenExchange {
            subject_token: id_token,
            subject_token_type: ID_TOKEN_TYPE,
            requested_token_type: Some(ID_JAG_TYPE),
            audience: Some(audience),
            resources: &resources,
            scope,
        },
    )
}

/// A token a token exchange issued (RFC 8693 §2.2.1). `Debug` leaves the token out.
#[derive(Clone, PartialEq)]
pub struct IssuedToken {
    /// `access_token`: the issued token, whatever its type (for an ID-JAG, the JWT).
    pub token: String,
    /// `issued_token_type`.
    pub issued_token_type: String,
    /// `token_type`: `Bearer`, or `N_A` for a token that is not an access token.
    pub token_type: String,
    /// `now + expires_in`, in milliseconds since the epoch.
    pub expires_at: Option<f64>,
    /// `scope`.
    pub scope: Option<String>,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("issued_token_type", &self.issued_token_type)
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl IssuedToken {
    /// As JSON with camelCase names, for the JavaScript side.
    pub fn to_value(&self) -> Value {
        let s = |v: &str| Value::String(v.to_owned());
        let mut m = vec![
            ("token".to_owned(), s(&self.token)),
            ("issuedTokenType".to_owned(), s(&self.issued_token_type)),
            ("tokenType".to_owned(), s(&self.token_type)),
        ];
        if let Some(e) = self.expires_at {
            m.push(("expiresAt".to_owned(), Value::Number(Number::millis(e))));
        }
        if let Some(sc) = &self.scope {
            m.push(("scope".to_owned(), s(sc)));
        }
        Value::Object(m)
    }
}

/// RFC 8693 §2.2: reads a token exchange response. `access_token`, `issued_token_type`
/// and `token_type` are required; the issued type must be `expected_type` when one was
/// requested (a server that hands back another kind of token has not done what was
/// asked). Errors per §2.2.2 (RFC 6749 §5.2).
pub fn process_token_exchange_response(
    status: u16,
    body: &str,
    expected_type: Option<&str>,
    now_ms: f64,
) -> Result<IssuedToken, StepError> {
    const WHAT: &str = "token exchange";
    let v = json_object(status, body, "token exchange endpoint")?;
    let token = required_str(&v, "access_token", WHAT)?.to_owned();
    let issued_token_type = required_str(&v, "issued_token_type", WHAT)?.to_owned();
    let token_type = required_str(&v, "token_type", WHAT)?.to_owned();
    if let Some(expected) = expected_type
        && issued_token_type != expected
    {
        return Err(Error::new(
            ErrorCode::InvalidResponse,
            format!(
                "the token exchange issued a \"{}\", not the \"{}\" asked for (RFC 8693 §2.2.1)",
                excerpt(&issued_token_type),
                excerpt(expected)
            ),
        )
        .into());
    }
    let expires_at = match v.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.value().is_finite() && n.value() >= 0.0 => {
            Some(now_ms + n.value() * 1000.0)
        }
        Some(_) => {
            return Err(Error::new(
                ErrorCode::InvalidResponse,
                "the token exchange response has a malformed \"expires_in\"",
            )
            .into());
        }
    };
    Ok(IssuedToken {
        token,
        issued_token_type,
        token_type,
        expires_at,
        scope: optional_str(&v, "scope", WHAT)?.map(str::to_owned),
    })
}

/// RFC 7523 §2.1: an access token for a JWT authorization grant (for SEP-990, the ID-JAG),
/// with the client's authentication at the authorization server. The response is an
/// ordinary token response ([`crate::token::process_token_response`]).
pub fn jwt_bearer_request(
    token_endpoint: &str,
    client: &ClientAuth,
    assertion: &str,
    scope: Option<&str>,
    resources: &[String],
) -> Result<HttpRequest, Error> {
    nonempty("assertion", assertion)?;
    let mut pairs = vec![("grant_type", JWT_BEARER_GRANT), ("assertion", assertion)];
    if let Some(s) = scope.filter(|s| !s.is_empty()) {
        pairs.push(("scope", s));
    }
    authenticated_post(token_endpoint, client, &pairs, resources)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form;

    fn pairs(body: &str) -> Vec<(String, String)> {
        form::parse_query(body).unwrap()
    }

    fn public() -> ClientAuth {
        ClientAuth::None {
            client_id: "idp-client".into(),
        }
    }

    #[test]
    fn id_jag_request_names_everything_sep_990_asks_for() {
        let r = id_jag_request(
            "https://idp.example/token",
            &public(),
            "eyJ.id.token",
            "https://as.example",
            "https://mcp.example/mcp",
            Some("mcp:read"),
        )
        .unwrap();
        assert_eq!(r.url, "https://idp.example/token");
        assert_eq!(
            pairs(r.body.as_deref().unwrap()),
            vec![
                ("grant_type".into(), TOKEN_EXCHANGE_GRANT.into()),
                ("subject_token".into(), "eyJ.id.token".into()),
                ("subject_token_type".into(), ID_TOKEN_TYPE.into()),
                ("requested_token_type".into(), ID_JAG_TYPE.into()),
                ("audience".into(), "https://as.example".into()),
                ("scope".into(), "mcp:read".into()),
                ("resource".into(), "https://mcp.example/mcp".into()),
                ("client_id".into(), "idp-client".into()),
            ]
        );
        for (token, aud, res) in [
            ("", "https://as.example", "https://mcp.example/mcp"),
            ("t", "", "https://mcp.example/mcp"),
            ("t", "https://as.example", ""),
        ] {
            let e = id_jag_request(
                "https://idp.example/token",
                &public(),
                token,
                aud,
                res,
                None,
            )
            .unwrap_err();
            assert_eq!(e.code(), ErrorCode::MissingParameter);
        }
    }

    #[test]
    fn jwt_bearer_request_authenticates_the_client() {
        let basic = ClientAuth::Basic {
            client_id: "mcp-client".into(),
            client_secret: "s".into(),
        };
        let r = jwt_bearer_request(
            "https://as.example/token",
            &basic,
            "id.jag.jwt",
            None,
            &["https://mcp.example/mcp".to_owned()],
        )
        .unwrap();
        assert!(
            r.headers
                .iter()
                .any(|(n, v)| *n == "authorization" && v.starts_with("Basic "))
        );
        assert_eq!(
            pairs(r.body.as_deref().unwrap()),
            vec![
                ("grant_type".into(), JWT_BEARER_GRANT.into()),
                ("assertion".into(), "id.jag.jwt".into()),
                ("resource".into(), "https://mcp.example/mcp".into()),
            ]
        );
        assert!(jwt_bearer_request("https://as.example/token", &basic, "", None, &[]).is_err());
    }

    #[test]
    fn the_trace_shows_no_grant_or_assertion() {
        let jwt = ClientAuth::PrivateKeyJwt {
            client_id: "c".into(),
            assertion: "eyJclientassertion".into(),
        };
        let exchange = id_jag_request(
            "https://idp.example/token",
            &jwt,
            "eyJsubjecttoken",
            "https://as.example",
            "https://mcp.example/mcp",
            None,
        )
        .unwrap();
        let bearer =
            jwt_bearer_request("https://as.example/token", &jwt, "eyJidjaggrant", None, &[])
                .unwrap();
        for r in [exchange, bearer] {
            let shown = crate::trace::redact_body(r.body.as_deref().unwrap());
            for secret in ["eyJclientassertion", "eyJsubjecttoken", "eyJidjaggrant"] {
                assert!(!shown.contains(secret), "{shown}");
            }
        }
        let issued = crate::trace::redact_body(
            r#"{"access_token":"eyJidjaggrant","issued_token_type":"t","token_type":"N_A"}"#,
        );
        assert!(!issued.contains("eyJidjaggrant"), "{issued}");
    }

    #[test]
    fn reads_the_issued_token() {
        let ok = r#"{"access_token":"id.jag.jwt","issued_token_type":"urn:ietf:params:oauth:token-type:id-jag","token_type":"N_A","expires_in":300,"scope":"mcp:read"}"#;
        let t = process_token_exchange_response(200, ok, Some(ID_JAG_TYPE), 1000.0).unwrap();
        assert_eq!(t.token, "id.jag.jwt");
        assert_eq!(t.token_type, "N_A");
        assert_eq!(t.expires_at, Some(301_000.0));
        assert_eq!(t.scope.as_deref(), Some("mcp:read"));
        assert!(!format!("{t:?}").contains("id.jag.jwt"));
        assert_eq!(
            t.to_value().get("token").and_then(Value::as_str),
            Some("id.jag.jwt")
        );
    }

    #[test]
    fn refuses_what_was_not_asked_for_and_reports_oauth_errors() {
        let wrong = r#"{"access_token":"x","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer"}"#;
        let e = process_token_exchange_response(200, wrong, Some(ID_JAG_TYPE), 0.0).unwrap_err();
        assert!(matches!(e, StepError::Library(ref e) if e.code() == ErrorCode::InvalidResponse));
        // Without an expectation, any issued type is read.
        assert!(process_token_exchange_response(200, wrong, None, 0.0).is_ok());
        for body in [
            r#"{"issued_token_type":"t","token_type":"N_A"}"#,
            r#"{"access_token":"x","token_type":"N_A"}"#,
            r#"{"access_token":"x","issued_token_type":"t"}"#,
            r#"{"access_token":"x","issued_token_type":"t","token_type":"N_A","expires_in":"soon"}"#,
        ] {
            assert!(
                process_token_exchange_response(200, body, None, 0.0).is_err(),
                "{body}"
            );
        }
        let e = process_token_exchange_response(
            400,
            r#"{"error":"invalid_target","error_description":"unknown audience"}"#,
            Some(ID_JAG_TYPE),
            0.0,
        )
        .unwrap_err();
        assert!(matches!(e, StepError::OAuth(ref o) if o.error == "invalid_target"));
    }
}
