//! Token endpoint requests and responses (RFC 6749 §4.1.3, §5, §6; RFC 7636 §4.5;
//! RFC 8628 §3.4; RFC 8707 §2.2), with client authentication (§2.3.1).

use crate::base64url;
use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorCode};
use crate::form;
use crate::http_message::{HttpRequest, StepError, json_object, optional_str, required_str};
use crate::json::{Number, Value};
use crate::prelude::*;

/// How the client authenticates at the token endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// A public client: `client_id` in the body (`token_endpoint_auth_method: none`).
    None {
        /// `client_id`.
        client_id: String,
    },
    /// `client_secret_basic` (RFC 6749 §2.3.1): HTTP Basic with form-encoded id and secret.
    Basic {
        /// `client_id`.
        client_id: String,
        /// `client_secret`.
        client_secret: String,
    },
    /// `client_secret_post`: id and secret in the body.
    Post {
        /// `client_id`.
        client_id: String,
        /// `client_secret`.
        client_secret: String,
    },
    /// `private_key_jwt` (RFC 7523 §2.2, OIDC Core §9): a signed JWT in the body, made
    /// by `client_assertion::client_assertion` for this request's server.
    PrivateKeyJwt {
        /// `client_id`.
        client_id: String,
        /// `client_assertion`: the compact JWS.
        assertion: String,
    },
}

impl ClientAuth {
    /// Picks the method: none without a secret; with one, basic unless the server lists
    /// only `client_secret_post`.
    pub fn choose(
        client_id: &str,
        client_secret: Option<&str>,
        server_methods: &[String],
    ) -> Result<Self, Error> {
        if client_id.is_empty() {
            return Err(Error::new(
                ErrorCode::MissingParameter,
                "a client_id is needed",
            ));
        }
        let id = client_id.to_owned();
        Ok(match client_secret {
            None | Some("") => Self::None { client_id: id },
            Some(secret) => {
                let post_only = server_methods.iter().any(|m| m == "client_secret_post")
                    && !server_methods.iter().any(|m| m == "client_secret_basic");
                if post_only {
                    Self::Post {
                        client_id: id,
                        client_secret: secret.to_owned(),
                    }
                } else {
                    Self::Basic {
                        client_id: id,
                        client_secret: secret.to_owned(),
                    }
                }
            }
        })
    }

    fn apply(&self, body: &mut String, headers: &mut Vec<(&'static str, String)>) {
        match self {
            Self::None { client_id } => form::append_pair(body, "client_id", client_id),
            Self::PrivateKeyJwt {
                client_id,
                assertion,
            } => {
                form::append_pair(body, "client_id", client_id);
                form::append_pair(
                    body,
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                );
                form::append_pair(body, "client_assertion", assertion);
            }
            Self::Post {
                client_id,
                client_secret,
            } => {
                form::append_pair(body, "client_id", client_id);
                form::append_pair(body, "client_secret", client_secret);
            }
            Self::Basic {
                client_id,
                client_secret,
            } => {
                let mut user = String::new();
                form::encode_into(&mut user, client_id);
                user.push(':');
                form::encode_into(&mut user, client_secret);
                headers.push((
                    "authorization",
                    "Basic ".to_owned() + &base64url::encode_standard(user.as_bytes()),
                ));
            }
        }
    }
}

/// A form POST to an endpoint of the authorization server, with client authentication.
pub(crate) fn authenticated_post(
    endpoint: &str,
    client: &ClientAuth,
    pairs: &[(&str, &str)],
    resources: &[String],
) -> Result<HttpRequest, Error> {
    let url = Endpoint::parse(endpoint)?.url();
    let mut body = String::new();
    for (n, v) in pairs {
        form::append_pair(&mut body, n, v);
    }
    for r in resources {
        form::append_pair(&mut body, "resource", r);
    }
    let mut req = HttpRequest::post_form(url, String::new());
    client.apply(&mut body, &mut req.headers);
    req.body = Some(body);
    Ok(req)
}

fn nonempty(name: &str, v: &str) -> Result<(), Error> {
    if v.is_empty() {
        Err(Error::new(
            ErrorCode::MissingParameter,
            crate::text::concat(&["the token request needs \"", name, "\""]),
        ))
    } else {
        Ok(())
    }
}

/// RFC 6749 §4.1.3 + RFC 7636 §4.5: exchange the authorization code.
pub fn authorization_code_request(
    token_endpoint: &str,
    client: &ClientAuth,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
    resources: &[String],
) -> Result<HttpRequest, Error> {
    nonempty("code", code)?;
    nonempty("code_verifier", code_verifier)?;
    authenticated_post(
        token_endpoint,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier),
        ],
        resources,
    )
}

/// RFC 6749 §6: a new access token from a refresh token.
pub fn refresh_request(
    token_endpoint: &str,
    client: &ClientAuth,
    refresh_token: &str,
    resources: &[String],
) -> Result<HttpRequest, Error> {
    nonempty("refresh_token", refresh_token)?;
    authenticated_post(
        token_endpoint,
        client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
        resources,
    )
}

/// RFC 8628 §3.4: poll for the token of a device authorization.
pub fn device_code_request(
    token_endpoint: &str,
    client: &ClientAuth,
    device_code: &str,
) -> Result<HttpRequest, Error> {
    nonempty("device_code", device_code)?;
    authenticated_post(
        token_endpoint,
        client,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", device_code),
        ],
        &[],
    )
}

/// A successful token response (RFC 6749 §5.1) with the expiry made absolute.
#[derive(Clone, PartialEq)]
pub struct TokenSet {
    /// `access_token`.
    pub access_token: String,
    /// `token_type`, normalized to `Bearer`.
    pub token_type: String,
    /// `now + expires_in`, in milliseconds since the epoch.
    pub expires_at: Option<f64>,
    /// `refresh_token`.
    pub refresh_token: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// `id_token` (OpenID Connect).
    pub id_token: Option<String>,
}

impl core::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TokenSet")
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl TokenSet {
    /// As the store's `Tokens` JSON shape (camelCase).
    pub fn to_value(&self) -> Value {
        let mut m = vec![
            (
                "accessToken".to_owned(),
                Value::String(self.access_token.clone()),
            ),
            (
                "tokenType".to_owned(),
                Value::String(self.token_type.clone()),
            ),
        ];
        if let Some(e) = self.expires_at {
            m.push(("expiresAt".to_owned(), Value::Number(Number::millis(e))));
        }
        for (k, v) in [
            ("refreshToken", &self.refresh_token),
            ("scope", &self.scope),
            ("idToken", &self.id_token),
        ] {
            if let Some(v) = v {
                m.push((k.to_owned(), Value::String(v.clone())));
            }
        }
        Value::Object(m)
    }

    /// [`Self::to_value`]'s JSON text, written directly.
    pub fn to_json(&self) -> String {
        let mut w = crate::json::ObjectWriter::new();
        w.text("accessToken", Some(&self.access_token));
        w.text("tokenType", Some(&self.token_type));
        if let Some(e) = self.expires_at {
            w.millis("expiresAt", e);
        }
        if let Some(v) = &self.refresh_token {
            w.text("refreshToken", Some(v));
        }
        if let Some(v) = &self.scope {
            w.text("scope", Some(v));
        }
        if let Some(v) = &self.id_token {
            w.text("idToken", Some(v));
        }
        w.finish()
    }
}

/// Reads a token response: `access_token` required, `token_type` must be Bearer
/// (RFC 6750), `expires_in` a non-negative number; errors per RFC 6749 §5.2.
pub fn process_token_response(status: u16, body: &str, now_ms: f64) -> Result<TokenSet, StepError> {
    let v = json_object(status, body, "token endpoint")?;
    let access_token = required_str(&v, "access_token", "token")?.to_owned();
    let token_type = required_str(&v, "token_type", "token")?;
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(Error::new(
            ErrorCode::InvalidResponse,
            crate::text::concat(&[
                "unsupported token_type \"",
                &crate::error::excerpt(token_type),
                "\"; only Bearer is supported",
            ]),
        )
        .into());
    }
    let expires_at = match v.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.value().is_finite() && n.value() >= 0.0 => {
            Some(now_ms + n.value() * 1000.0)
        }
        // Some servers send the number as a string.
        Some(Value::String(s)) => match crate::json::number_value(s) {
            Some(n) if n >= 0.0 => Some(now_ms + n * 1000.0),
            _ => {
                return Err(Error::new(
                    ErrorCode::InvalidResponse,
                    "the token response has a malformed \"expires_in\"",
                )
                .into());
            }
        },
        Some(_) => {
            return Err(Error::new(
                ErrorCode::InvalidResponse,
                "the token response has a malformed \"expires_in\"",
            )
            .into());
        }
    };
    Ok(TokenSet {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_at,
        refresh_token: optional_str(&v, "refresh_token", "token")?.map(str::to_owned),
        scope: optional_str(&v, "scope", "token")?.map(str::to_owned),
        id_token: optional_str(&v, "id_token", "token")?.map(str::to_owned),
    })
}

/// Should the access token be refreshed now? True when it expires within `skew_ms`
/// (clock skew and request time), false when it has no known expiry.
pub fn needs_refresh(expires_at_ms: Option<f64>, now_ms: f64, skew_ms: f64) -> bool {
    expires_at_ms.is_some_and(|e| now_ms + skew_ms >= e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public() -> ClientAuth {
        ClientAuth::None {
            client_id: "cli ent".into(),
        }
    }

    #[test]
    fn code_exchange_request() {
        let r = authorization_code_request(
            "https://as.example/token",
            &public(),
            "c&1",
            "http://127.0.0.1:5/cb",
            "v".repeat(43).as_str(),
            &["https://api.example/".into()],
        )
        .unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(
            r.body.as_deref(),
            Some(format!("grant_type=authorization_code&code=c%261&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Fcb&code_verifier={}&resource=https%3A%2F%2Fapi.example%2F&client_id=cli%20ent", "v".repeat(43)).as_str())
        );
        assert!(
            authorization_code_request("http://as.example/token", &public(), "c", "r", "v", &[])
                .is_err()
        );
        assert!(
            authorization_code_request("https://as.example/token", &public(), "", "r", "v", &[])
                .is_err()
        );
    }

    #[test]
    fn client_authentication_methods() {
        let basic = ClientAuth::choose("id:1", Some("s&cret"), &[]).unwrap();
        let r = refresh_request("https://as.example/t", &basic, "rt", &[]).unwrap();
        let auth = r
            .headers
            .iter()
            .find(|(n, _)| *n == "authorization")
            .unwrap();
        assert_eq!(
            auth.1,
            format!("Basic {}", base64url::encode_standard(b"id%3A1:s%26cret"))
        );
        assert!(!r.body.unwrap().contains("client_id"));
        let post = ClientAuth::choose("id", Some("s"), &["client_secret_post".into()]).unwrap();
        assert_eq!(
            post,
            ClientAuth::Post {
                client_id: "id".into(),
                client_secret: "s".into()
            }
        );
        assert_eq!(
            ClientAuth::choose("id", None, &[]).unwrap(),
            ClientAuth::None {
                client_id: "id".into()
            }
        );
        assert!(ClientAuth::choose("", None, &[]).is_err());
    }

    #[test]
    fn token_response_processing() {
        let t = process_token_response(200, r#"{"access_token":"at","token_type":"bearer","expires_in":60,"refresh_token":"rt","scope":"a b"}"#, 1000.0).unwrap();
        assert_eq!(t.expires_at, Some(61_000.0));
        assert_eq!(t.token_type, "Bearer");
        assert_eq!(t.refresh_token.as_deref(), Some("rt"));
        assert!(!format!("{t:?}").contains("at\""));
        for bad in [
            r#"{"token_type":"Bearer"}"#,
            r#"{"access_token":"a","token_type":"mac"}"#,
            r#"{"access_token":"a","token_type":"Bearer","expires_in":-1}"#,
            r#"{"access_token":"","token_type":"Bearer"}"#,
        ] {
            assert!(process_token_response(200, bad, 0.0).is_err(), "{bad}");
        }
        let e = process_token_response(400, r#"{"error":"invalid_grant"}"#, 0.0).unwrap_err();
        assert!(matches!(e, StepError::OAuth(ref o) if o.error == "invalid_grant"));
    }

    #[test]
    fn expires_in_forms_and_written_json() {
        let with = |e: &str| {
            format!(
                r#"{{"access_token":"a\"\u0001","token_type":"Bearer","expires_in":{e},"id_token":"i"}}"#
            )
        };
        for (e, at) in [
            ("null", None),
            ("0", Some(1_000.5)),
            ("\"30\"", Some(31_000.5)),
            ("\"2.5\"", Some(3_500.5)),
            ("1e3", Some(1_001_000.5)),
        ] {
            let t = process_token_response(200, &with(e), 1_000.5).unwrap();
            assert_eq!(t.expires_at, at, "{e}");
            assert_eq!(t.to_json(), t.to_value().to_json(), "{e}");
        }
        for e in ["-1", "\"-1\"", "\"x\"", "\"\"", "true", "[]", "{}"] {
            let Err(StepError::Library(err)) = process_token_response(200, &with(e), 0.0) else {
                panic!("{e}");
            };
            assert_eq!(
                err.message(),
                "the token response has a malformed \"expires_in\"",
                "{e}"
            );
        }
        let t = process_token_response(200, r#"{"access_token":"a","token_type":"bearer"}"#, 0.0)
            .unwrap();
        assert_eq!(t.to_json(), r#"{"accessToken":"a","tokenType":"Bearer"}"#);
    }

    #[test]
    fn refresh_margin() {
        assert!(needs_refresh(Some(10_000.0), 9_000.0, 2_000.0));
        assert!(!needs_refresh(Some(10_000.0), 7_000.0, 2_000.0));
        assert!(!needs_refresh(None, 1e15, 0.0));
    }
}
