//! Checking the authorization response (RFC 6749 §4.1.2) before the code is used:
//! `state` (§10.12) and, when the server supports it, `iss` (RFC 9207).

use crate::error::{Error, ErrorCode};
use crate::http_message::{OAuthErrorResponse, StepError};
use crate::prelude::*;
use crate::state::constant_time_eq;

/// Returns the `code` of a callback whose `state` matches and whose `iss` is the expected
/// issuer. `iss` is required when the server advertises
/// `authorization_response_iss_parameter_supported`, and checked whenever present.
pub fn validate(
    params: &[(String, String)],
    expected_state: &str,
    issuer: Option<&str>,
    iss_required: bool,
) -> Result<String, StepError> {
    let get = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let mismatch =
        |m: &str| StepError::Library(Error::new(ErrorCode::ResponseMismatch, m.to_owned()));
    if !constant_time_eq(
        get("state").unwrap_or("").as_bytes(),
        expected_state.as_bytes(),
    ) {
        return Err(mismatch(
            "the authorization response's state does not match the request (RFC 6749 §10.12)",
        ));
    }
    if let Some(expected) = issuer {
        check_issuer(get("iss"), expected, iss_required).map_err(StepError::Library)?;
    }
    if let Some(error) = get("error") {
        return Err(StepError::OAuth(OAuthErrorResponse::received(
            error,
            get("error_description"),
            get("error_uri"),
        )));
    }
    match get("code") {
        Some(c) if !c.is_empty() => Ok(c.to_owned()),
        _ => Err(StepError::Library(Error::new(
            ErrorCode::InvalidResponse,
            "the authorization response has no code",
        ))),
    }
}

/// RFC 9207 §2.4: the `iss` of an authorization response, success or error, must be the
/// issuer the request went to; when the server advertises
/// `authorization_response_iss_parameter_supported` it must be present. Compared exactly
/// (simple string comparison, RFC 9207 §2.4).
pub fn check_issuer(iss: Option<&str>, expected: &str, required: bool) -> Result<(), Error> {
    match iss {
        Some(iss) if iss != expected => Err(Error::new(
            ErrorCode::IssuerMismatch,
            "the authorization response comes from another issuer than the one this sign-in went to (RFC 9207 §2.4)",
        )),
        None if required => Err(Error::new(
            ErrorCode::IssuerMismatch,
            "the authorization response lacks the iss parameter the server promised (RFC 9207 §2.4)",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).into(), (*b).into()))
            .collect()
    }

    #[test]
    fn checks_state_and_iss() {
        let ok = p(&[("code", "c"), ("state", "s"), ("iss", "https://as.example")]);
        assert_eq!(
            validate(&ok, "s", Some("https://as.example"), true).unwrap(),
            "c"
        );
        assert!(validate(&ok, "t", Some("https://as.example"), true).is_err());
        assert!(validate(&ok, "s", Some("https://other.example"), false).is_err());
        let no_iss = p(&[("code", "c"), ("state", "s")]);
        assert!(validate(&no_iss, "s", Some("https://as.example"), true).is_err());
        assert_eq!(
            validate(&no_iss, "s", Some("https://as.example"), false).unwrap(),
            "c"
        );
        let err = p(&[("error", "access_denied"), ("state", "s")]);
        assert!(
            matches!(validate(&err, "s", None, false), Err(StepError::OAuth(ref e)) if e.error == "access_denied")
        );
        assert!(validate(&p(&[("state", "s")]), "s", None, false).is_err());
    }
}
