//! The OpenID Connect UserInfo endpoint (OIDC Core §5.3): a `GET` with the access token
//! as a bearer token (RFC 6750 §2.1), answered with the user's claims as a JSON object.

use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorCode, excerpt};
use crate::http_message::{HttpRequest, OAuthErrorResponse, StepError, json_object};
use crate::json::Value;
use crate::prelude::*;

/// RFC 6750 §2.1: `b64token`, the characters a bearer token may have in a header.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// OIDC Core §5.3.1: the UserInfo request, the access token in the `Authorization` header.
pub fn userinfo_request(endpoint: &str, access_token: &str) -> Result<HttpRequest, Error> {
    let url = Endpoint::parse(endpoint)?.url();
    if !is_b64token(access_token) {
        return Err(Error::new(
            ErrorCode::InvalidParameter,
            "the access token has characters a bearer token cannot have (RFC 6750 §2.1)",
        ));
    }
    let mut request = HttpRequest::get_json(url);
    request
        .headers
        .push(("authorization", "Bearer ".to_owned() + access_token));
    Ok(request)
}

/// RFC 9110 §5.6.2: a `token` character (a challenge's scheme, a parameter's name).
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
                | b'/'
        )
}

/// RFC 6750 §3: the error of a `Bearer` challenge in `WWW-Authenticate`, if it has one.
/// The header is a list of challenges (RFC 9110 §11.2), each a scheme and its
/// `name=value` parameters (token68 forms are skipped); the first `Bearer` challenge
/// counts, and in it the first of each parameter (names compared without case). Read in
/// one pass, keeping only those three values; every byte through `at`, so no bounds check
/// can panic (a panic would link the formatting code into the browser's module, issue 11).
pub fn bearer_error(www_authenticate: &str) -> Option<OAuthErrorResponse> {
    let s = www_authenticate.as_bytes();
    let at = |k: usize| s.get(k).copied();
    let blank = |b: Option<u8>| matches!(b, Some(b' ' | b'\t'));
    // The first `error`, `error_description` and `error_uri` of that challenge.
    let (mut error, mut description, mut uri): (Option<String>, Option<String>, Option<String>) =
        (None, None, None);
    // Whether the current challenge is the first `Bearer` one (`None` before any).
    let mut in_bearer: Option<bool> = None;
    let mut i = 0;
    while i < s.len() {
        while blank(at(i)) || at(i) == Some(b',') {
            i += 1;
        }
        let start = i;
        while at(i).is_some_and(is_token_char) {
            i += 1;
        }
        if start == i {
            i += 1;
            continue;
        }
        let word = s.get(start..i).unwrap_or_default();
        let mut j = i;
        while blank(at(j)) {
            j += 1;
        }
        if at(j) == Some(b'=') {
            // `name=value`: a parameter of the current challenge.
            j += 1;
            while blank(at(j)) {
                j += 1;
            }
            let mut value = Vec::new();
            if at(j) == Some(b'"') {
                j += 1;
                while let Some(b) = at(j).filter(|&b| b != b'"') {
                    match at(j + 1) {
                        Some(next) if b == b'\\' => {
                            value.push(next);
                            j += 2;
                        }
                        _ => {
                            value.push(b);
                            j += 1;
                        }
                    }
                }
                j += 1;
            } else {
                while let Some(b) = at(j).filter(|&b| b != b',' && b != b' ') {
                    value.push(b);
                    j += 1;
                }
            }
            i = j;
            let slot = if in_bearer != Some(true) {
                None
            } else if word.eq_ignore_ascii_case(b"error") {
                Some(&mut error)
            } else if word.eq_ignore_ascii_case(b"error_description") {
                Some(&mut description)
            } else if word.eq_ignore_ascii_case(b"error_uri") {
                Some(&mut uri)
            } else {
                None
            };
            if let Some(slot) = slot
                && slot.is_none()
            {
                *slot = Some(crate::text::lossy(&value));
            }
        } else if in_bearer == Some(true) {
            // The next challenge: the first `Bearer` one has ended.
            break;
        } else {
            in_bearer = Some(word.eq_ignore_ascii_case(b"bearer"));
        }
    }
    Some(OAuthErrorResponse::received(
        error.as_deref()?,
        description.as_deref(),
        uri.as_deref(),
    ))
}

/// OIDC Core §5.3.2-5.3.3: reads the UserInfo response. A JSON object with a `sub` is the
/// answer; when `expected_subject` (the ID token's `sub`) is given, it must be equal, or
/// the response must not be used. A signed or encrypted response (`application/jwt`) is
/// refused with a clear error. A 401 or 403 with a `Bearer` error in `WWW-Authenticate`
/// is that OAuth error (RFC 6750 §3.1: `invalid_token`, `insufficient_scope`).
pub fn process_userinfo(
    status: u16,
    content_type: Option<&str>,
    www_authenticate: Option<&str>,
    body: &str,
    expected_subject: Option<&str>,
) -> Result<Value, StepError> {
    if matches!(status, 401 | 403)
        && let Some(e) = www_authenticate.and_then(bearer_error)
    {
        return Err(StepError::OAuth(e));
    }
    let jwt = content_type.is_some_and(|c| {
        crate::text::before(c, b";")
            .trim()
            .eq_ignore_ascii_case("application/jwt")
    });
    if (200..300).contains(&status) && jwt {
        return Err(Error::new(
            ErrorCode::InvalidResponse,
            "the userinfo endpoint answered with a JWT (application/jwt: a signed or encrypted response, OIDC Core §5.3.2), which this client does not read; register the client without userinfo_signed_response_alg and userinfo_encrypted_response_alg to get JSON",
        )
        .into());
    }
    let v = json_object(status, body, "userinfo endpoint")?;
    let sub = match v.get("sub") {
        Some(Value::String(s)) if !s.is_empty() => s.as_str(),
        _ => {
            return Err(Error::new(
                ErrorCode::InvalidResponse,
                "the userinfo response has no \"sub\" (OIDC Core §5.3.2)",
            )
            .into());
        }
    };
    if let Some(expected) = expected_subject
        && expected != sub
    {
        return Err(Error::new(
            ErrorCode::ResponseMismatch,
            crate::text::concat(&[
                "the userinfo response is about another user (sub \"",
                &excerpt(sub),
                "\") than the ID token (OIDC Core §5.3.2); it was not used",
            ]),
        )
        .into());
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_carries_the_bearer_token() {
        let r = userinfo_request("https://as.example/me", "abc.DEF-_~+/==").unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.url, "https://as.example/me");
        assert!(
            r.headers
                .contains(&("authorization", "Bearer abc.DEF-_~+/==".to_owned()))
        );
        assert!(
            r.headers
                .contains(&("accept", "application/json".to_owned()))
        );
        for bad in ["", "a b", "a\r\nx: y", "=", "é"] {
            let e = userinfo_request("https://as.example/me", bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidParameter, "{bad:?}");
        }
        assert_eq!(
            userinfo_request("http://as.example/me", "t")
                .unwrap_err()
                .code(),
            ErrorCode::InsecureEndpoint
        );
    }

    #[test]
    fn reads_claims_and_checks_sub() {
        let body = r#"{"sub":"alice","name":"Alice","email_verified":true}"#;
        let v = process_userinfo(
            200,
            Some("application/json; charset=utf-8"),
            None,
            body,
            Some("alice"),
        )
        .unwrap();
        assert_eq!(v.get("name").and_then(Value::as_str), Some("Alice"));
        let e =
            process_userinfo(200, Some("application/json"), None, body, Some("bob")).unwrap_err();
        assert!(
            matches!(e, StepError::Library(ref e) if e.code() == ErrorCode::ResponseMismatch && e.message().contains("\"alice\""))
        );
        for bad in [r#"{"name":"x"}"#, r#"{"sub":""}"#, r#"{"sub":1}"#, "[]"] {
            assert!(
                process_userinfo(200, None, None, bad, None).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_jwt_response_is_refused_clearly() {
        let e =
            process_userinfo(200, Some("Application/JWT"), None, "eyJ.eyJ.sig", None).unwrap_err();
        let StepError::Library(e) = e else { panic!() };
        assert_eq!(e.code(), ErrorCode::InvalidResponse);
        assert!(e.message().contains("application/jwt"), "{}", e.message());
    }

    // The two-pass reader this module had before (every challenge collected, then the
    // first `Bearer` one searched), kept to check the one-pass reader against.
    /// One `name=value` list of an HTTP authentication challenge (RFC 9110 §11.2):
    /// `(scheme, params)` per challenge; token68 forms are skipped.
    fn reference_challenges(header: &str) -> Vec<(String, Vec<(String, String)>)> {
        let s = header.as_bytes();
        let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
        let mut i = 0;
        let token_char = |b: u8| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                        | b'/'
                )
        };
        // Every byte read through `at`: no indexing, so no bounds check can panic (a panic
        // would link the formatting code into the browser's module, issue 11).
        let at = |k: usize| s.get(k).copied();
        let blank = |b: Option<u8>| matches!(b, Some(b' ' | b'\t'));
        while i < s.len() {
            while blank(at(i)) || at(i) == Some(b',') {
                i += 1;
            }
            let start = i;
            while at(i).is_some_and(token_char) {
                i += 1;
            }
            if start == i {
                i += 1;
                continue;
            }
            let word = crate::text::lossy(s.get(start..i).unwrap_or_default());
            let mut j = i;
            while blank(at(j)) {
                j += 1;
            }
            if at(j) == Some(b'=') {
                // `name=value`: a parameter of the current challenge.
                j += 1;
                while blank(at(j)) {
                    j += 1;
                }
                let mut value = Vec::new();
                if at(j) == Some(b'"') {
                    j += 1;
                    while let Some(b) = at(j).filter(|&b| b != b'"') {
                        match at(j + 1) {
                            Some(next) if b == b'\\' => {
                                value.push(next);
                                j += 2;
                            }
                            _ => {
                                value.push(b);
                                j += 1;
                            }
                        }
                    }
                    j += 1;
                } else {
                    while let Some(b) = at(j).filter(|&b| b != b',' && b != b' ') {
                        value.push(b);
                        j += 1;
                    }
                }
                i = j;
                if let Some((_, params)) = out.last_mut() {
                    params.push((word.to_ascii_lowercase(), crate::text::lossy(&value)));
                }
            } else {
                out.push((word, Vec::new()));
            }
        }
        out
    }

    /// RFC 6750 §3: the error of a `Bearer` challenge in `WWW-Authenticate`, if it has one.
    fn reference_bearer_error(www_authenticate: &str) -> Option<OAuthErrorResponse> {
        let (_, params) = reference_challenges(www_authenticate)
            .into_iter()
            .find(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))?;
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        Some(OAuthErrorResponse::received(
            get("error")?,
            get("error_description"),
            get("error_uri"),
        ))
    }

    #[test]
    fn one_pass_reader_agrees_with_the_two_pass_one() {
        let pieces: [&str; 24] = [
            "Bearer",
            "bearer",
            "BEARER",
            "Basic",
            "DPoP",
            " ",
            "\t",
            ",",
            "=",
            "\"",
            "\\",
            "error",
            "ERROR",
            "error_description",
            "Error_Uri",
            "error_uri",
            "realm",
            "invalid_token",
            "https://x.example/e",
            "http://y",
            "a\u{1b}[31mb",
            "é",
            "x=\"",
            "token68==",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200_000 {
            let n = usize::try_from(next() % 14).unwrap_or(0);
            let mut h = String::new();
            for _ in 0..n {
                h.push_str(pieces[usize::try_from(next() % 24).unwrap_or(0)]);
            }
            assert_eq!(bearer_error(&h), reference_bearer_error(&h), "{h:?}");
        }
        for h in [
            r#"DPoP algs="ES256", Bearer realm="example", error="invalid_token", error_description="The access token \"expired\"""#,
            r#"Bearer error="a", Bearer error="b""#,
            r#"Bearer realm="x", Basic error="no""#,
            r#"error="before", Bearer error=after"#,
            r#"Bearer ERROR=x, error=y, error_uri=https://e.example, error_uri=http://f"#,
            "Bearer error=\"unterminated",
            "Bearer error=\"trailing\\",
        ] {
            assert_eq!(bearer_error(h), reference_bearer_error(h), "{h}");
        }
    }

    #[test]
    fn bearer_errors_from_the_challenge() {
        let h = r#"DPoP algs="ES256", Bearer realm="example", error="invalid_token", error_description="The access token \"expired\"""#;
        let e = process_userinfo(401, Some("text/plain"), Some(h), "", None).unwrap_err();
        let StepError::OAuth(e) = e else { panic!() };
        assert_eq!(e.error, "invalid_token");
        assert_eq!(
            e.description.as_deref(),
            Some("The access token \"expired\"")
        );
        let e = process_userinfo(
            403,
            None,
            Some("Bearer error=insufficient_scope, scope=\"openid profile\""),
            "",
            None,
        )
        .unwrap_err();
        assert!(matches!(e, StepError::OAuth(ref o) if o.error == "insufficient_scope"));
        // No error in the challenge: the status is named instead.
        let e = process_userinfo(401, None, Some(r#"Bearer realm="x""#), "", None).unwrap_err();
        assert!(matches!(e, StepError::Library(ref e) if e.message().contains("401")));
        assert_eq!(bearer_error("Basic realm=\"x\""), None);
        assert_eq!(bearer_error("Bearer"), None);
    }
}
