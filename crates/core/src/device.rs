//! The device authorization grant (RFC 8628) for machines without a browser.

use crate::error::{Error, ErrorCode};
use crate::http_message::{HttpRequest, StepError, json_object, optional_str, required_str};
use crate::json::{Number, Value};
use crate::token::ClientAuth;

/// RFC 8628 §3.5: the default polling interval when the server gives none.
pub const DEFAULT_INTERVAL_S: f64 = 5.0;

/// RFC 8628 §3.1: ask for a device code and a user code.
pub fn device_authorization_request(
    endpoint: &str,
    client: &ClientAuth,
    scope: Option<&str>,
    resources: &[String],
) -> Result<HttpRequest, Error> {
    let mut pairs = Vec::new();
    if let Some(s) = scope.filter(|s| !s.is_empty()) {
        pairs.push(("scope", s));
    }
    crate::token::authenticated_post(endpoint, client, &pairs, resources)
}

/// RFC 8628 §3.2: the codes to show the user, with the expiry made absolute and the
/// interval defaulted to 5 s. Returned as a JSON object with camelCase names.
pub fn process_device_authorization(
    status: u16,
    body: &str,
    now_ms: f64,
) -> Result<Value, StepError> {
    let v = json_object(status, body, "device authorization endpoint")?;
    let s = |x: &str| Value::String(x.to_owned());
    let what = "device authorization";
    let expires_in = v
        .get("expires_in")
        .and_then(Value::as_f64)
        .filter(|n| n.is_finite() && *n > 0.0)
        .ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidResponse,
                "the device authorization response lacks a positive \"expires_in\"",
            )
        })?;
    let interval = match v.get("interval") {
        None | Some(Value::Null) => DEFAULT_INTERVAL_S,
        Some(Value::Number(n)) if n.value().is_finite() && n.value() >= 0.0 => n.value(),
        Some(_) => {
            return Err(Error::new(ErrorCode::InvalidResponse, "malformed \"interval\"").into());
        }
    };
    let uri = required_str(&v, "verification_uri", what)?;
    crate::endpoint::Endpoint::parse(uri)?;
    let mut m = vec![
        (
            "deviceCode".to_owned(),
            s(required_str(&v, "device_code", what)?),
        ),
        (
            "userCode".to_owned(),
            s(&crate::sanitize::strip_controls(required_str(
                &v,
                "user_code",
                what,
            )?)),
        ),
        ("verificationUri".to_owned(), s(uri)),
        (
            "expiresAt".to_owned(),
            Value::Number(Number::millis(now_ms + expires_in * 1000.0)),
        ),
        ("interval".to_owned(), Value::Number(interval.into())),
    ];
    if let Some(c) = optional_str(&v, "verification_uri_complete", what)? {
        crate::endpoint::Endpoint::parse(c)?;
        m.push(("verificationUriComplete".to_owned(), s(c)));
    }
    Ok(Value::Object(m))
}

/// What to do after a device token poll failed with OAuth `error` (RFC 8628 §3.5).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PollNext {
    /// Poll again after this many seconds.
    WaitSeconds(f64),
    /// Stop: the error is final (`access_denied`, `expired_token`, anything else).
    Stop,
}

/// `authorization_pending` keeps the interval; `slow_down` adds 5 seconds to it.
pub fn poll_next(error: &str, interval_s: f64) -> PollNext {
    match error {
        "authorization_pending" => PollNext::WaitSeconds(interval_s),
        "slow_down" => PollNext::WaitSeconds(interval_s + 5.0),
        _ => PollNext::Stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_device_authorization() {
        let v = process_device_authorization(200, r#"{"device_code":"d","user_code":"WDJB-MJHT\u001b[2J","verification_uri":"https://as.example/device","expires_in":600}"#, 1000.0).unwrap();
        assert_eq!(v.get("interval").and_then(Value::as_f64), Some(5.0));
        assert_eq!(v.get("expiresAt").and_then(Value::as_f64), Some(601_000.0));
        assert_eq!(v.get("userCode").and_then(Value::as_str), Some("WDJB-MJHT"));
        assert!(process_device_authorization(200, r#"{"device_code":"d","user_code":"u","verification_uri":"javascript:x","expires_in":600}"#, 0.0).is_err());
        assert!(process_device_authorization(200, r#"{"device_code":"d","user_code":"u","verification_uri":"https://a/","expires_in":0}"#, 0.0).is_err());
    }

    #[test]
    fn polling_rules() {
        assert_eq!(
            poll_next("authorization_pending", 5.0),
            PollNext::WaitSeconds(5.0)
        );
        assert_eq!(poll_next("slow_down", 5.0), PollNext::WaitSeconds(10.0));
        assert_eq!(poll_next("access_denied", 5.0), PollNext::Stop);
        assert_eq!(poll_next("expired_token", 5.0), PollNext::Stop);
    }
}
