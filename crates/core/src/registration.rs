//! Dynamic Client Registration (RFC 7591) as a native app (RFC 8252 §8.4).

use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorCode};
use crate::http_message::{HttpRequest, StepError, json_object, optional_str, required_str};
use crate::json::Value;

/// RFC 7591 §3.1: registers a public native client with exact loopback redirect URIs,
/// the grants it will use, and no client authentication.
pub fn registration_request(
    registration_endpoint: &str,
    client_name: &str,
    redirect_uris: &[String],
    grant_types: &[String],
    scope: Option<&str>,
) -> Result<HttpRequest, Error> {
    let url = Endpoint::parse(registration_endpoint)?.url();
    if grant_types.is_empty() {
        return Err(Error::new(
            ErrorCode::MissingParameter,
            "registration needs at least one grant type",
        ));
    }
    let strs = |v: &[String]| Value::Array(v.iter().map(|s| Value::String(s.clone())).collect());
    let mut m = vec![
        (
            "client_name".to_owned(),
            Value::String(client_name.to_owned()),
        ),
        (
            "application_type".to_owned(),
            Value::String("native".to_owned()),
        ),
        ("redirect_uris".to_owned(), strs(redirect_uris)),
        ("grant_types".to_owned(), strs(grant_types)),
        (
            "response_types".to_owned(),
            if redirect_uris.is_empty() {
                Value::Array(vec![])
            } else {
                strs(&["code".to_owned()])
            },
        ),
        (
            "token_endpoint_auth_method".to_owned(),
            Value::String("none".to_owned()),
        ),
    ];
    if let Some(scope) = scope.filter(|s| !s.is_empty()) {
        m.push(("scope".to_owned(), Value::String(scope.to_owned())));
    }
    Ok(HttpRequest::post_json(url, &Value::Object(m)))
}

/// RFC 7591 §3.2.1: the registered client; `client_id` is required. Returned as the
/// store's `ClientInfo` JSON shape, with the grant types the server granted (or, when
/// it does not say, those asked for), so a later flow knows whether it can reuse it.
pub fn process_registration(
    status: u16,
    body: &str,
    redirect_uris: &[String],
    grant_types: &[String],
) -> Result<Value, StepError> {
    let v = json_object(status, body, "registration endpoint")?;
    let mut m = vec![(
        "clientId".to_owned(),
        Value::String(required_str(&v, "client_id", "registration")?.to_owned()),
    )];
    if let Some(secret) = optional_str(&v, "client_secret", "registration")? {
        m.push(("clientSecret".to_owned(), Value::String(secret.to_owned())));
    }
    for (from, to) in [
        ("client_id_issued_at", "clientIdIssuedAt"),
        ("client_secret_expires_at", "clientSecretExpiresAt"),
    ] {
        if let Some(n @ Value::Number(_)) = v.get(from) {
            m.push((to.to_owned(), n.clone()));
        }
    }
    let granted = match v.get("grant_types").and_then(Value::as_array) {
        Some(list) => {
            let mut granted = Vec::new();
            for g in list {
                if let Some(g) = g.as_str() {
                    granted.push(Value::String(g.to_owned()));
                }
            }
            Value::Array(granted)
        }
        None => Value::strings(grant_types),
    };
    m.push(("grantTypes".to_owned(), granted));
    m.push(("redirectUris".to_owned(), Value::strings(redirect_uris)));
    Ok(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_as_native_public_client() {
        let r = registration_request(
            "https://as.example/reg",
            "my \"cli\"",
            &["http://127.0.0.1:5555/callback".into()],
            &["authorization_code".into(), "refresh_token".into()],
            Some("openid"),
        )
        .unwrap();
        let body = crate::json::parse(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body.get("application_type").and_then(Value::as_str),
            Some("native")
        );
        assert_eq!(
            body.get("token_endpoint_auth_method")
                .and_then(Value::as_str),
            Some("none")
        );
        assert_eq!(
            body.get("client_name").and_then(Value::as_str),
            Some("my \"cli\"")
        );
        assert_eq!(
            r.headers[0],
            ("content-type", "application/json".to_owned())
        );
    }

    #[test]
    fn reads_the_registration() {
        let v = process_registration(
            201,
            r#"{"client_id":"abc","client_id_issued_at":5}"#,
            &["u".into()],
            &["authorization_code".into()],
        )
        .unwrap();
        assert_eq!(v.get("clientId").and_then(Value::as_str), Some("abc"));
        assert_eq!(
            v.get("grantTypes"),
            Some(&Value::Array(vec![Value::String(
                "authorization_code".into()
            )]))
        );
        let granted = process_registration(
            201,
            r#"{"client_id":"a","grant_types":["refresh_token"]}"#,
            &[],
            &["authorization_code".into()],
        )
        .unwrap();
        assert_eq!(
            granted.get("grantTypes"),
            Some(&Value::Array(vec![Value::String("refresh_token".into())])),
            "the server's answer wins"
        );
        assert!(process_registration(201, r#"{"client_secret":"x"}"#, &[], &[]).is_err());
        assert!(matches!(
            process_registration(400, r#"{"error":"invalid_redirect_uri"}"#, &[], &[]),
            Err(StepError::OAuth(_))
        ));
    }
}
