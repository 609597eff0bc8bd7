//! The `login` operations (cargo feature `login`): what `BrowserOAuthClient` and the browser
//! entry's protocol steps need past PKCE, state and the authorization URL — discovery, the
//! authorization response checks, the code exchange, refresh, revocation, the token
//! response, UserInfo and the trace's redaction — each a call into oauth-callback-core with
//! arguments read from a frame. The wasm bindings of `crates/wasm` (`client.rs`) make the
//! same calls and answer the same JSON text; `tests/facade/login-module-cases.mjs` checks
//! that both modules answer alike.
//!
//! Requests come back as the JSON `{method, url, headers: [[name, value]], body}` of
//! `crates/wasm`. The operations that read a server's answer ([`PROCESS_METADATA`],
//! [`VALIDATE_AUTHORIZATION_RESPONSE`], [`PROCESS_TOKEN_RESPONSE`], [`PROCESS_USERINFO`],
//! [`PROCESS_REVOCATION`]) start their value with a tag: `=` then the value, or `!` then
//! the server's OAuth error as the JSON `{error, error_description, error_uri}` (absent
//! members `null`), which the JavaScript side throws as an `OAuthError`. Library errors
//! are the module's own (`CODE\nmessage`).

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use oauth_callback_core::http_message::{OAuthErrorResponse, StepError};
use oauth_callback_core::json;
use oauth_callback_core::token::ClientAuth;
use oauth_callback_core::{
    Error, ErrorCode, authorization_response, discovery, revocation, token, trace, userinfo,
};

use crate::frame::Args;

/// The first login operation: the numbers go on from the `authorize` ones ([`crate::ops`]).
pub const FIRST: u32 = DISCOVERY_REQUESTS;

/// RFC 8414 §3.1, then OpenID Connect Discovery 1.0 §4: `[issuer]` → the metadata requests
/// to try, in order, one request JSON per line.
pub const DISCOVERY_REQUESTS: u32 = 8;
/// RFC 8414 §3.2-3.3: `[issuer, status, body]` → the checked metadata as JSON (tagged).
pub const PROCESS_METADATA: u32 = 9;
/// RFC 6749 §4.1.2, RFC 9207 §2.4: `[n, (name, value) × n, state, issuer?, iss_required]`
/// → the authorization code (tagged).
pub const VALIDATE_AUTHORIZATION_RESPONSE: u32 = 10;
/// RFC 6749 §4.1.3, RFC 7636 §4.5, RFC 8707 §2.2: `[token_endpoint, client_id,
/// client_secret?, n, auth_method × n, code, redirect_uri, code_verifier, m, resource × m]`
/// → the token request JSON.
pub const CODE_EXCHANGE_REQUEST: u32 = 11;
/// RFC 6749 §5.1-5.2: `[status, body, now_ms low 32 bits, now_ms high 32 bits]` (`now_ms`
/// as the bits of an IEEE 754 double) → the tokens as JSON (tagged).
pub const PROCESS_TOKEN_RESPONSE: u32 = 12;
/// OpenID Connect Core §5.3.1: `[endpoint, access_token]` → the UserInfo request JSON.
pub const USERINFO_REQUEST: u32 = 13;
/// OpenID Connect Core §5.3.2-5.3.3: `[status, content_type?, www_authenticate?, body,
/// expected_subject?]` → the user's claims as JSON (tagged).
pub const PROCESS_USERINFO: u32 = 14;
/// RFC 6749 §10.3 (tokens are secrets): `[body]` → the body with every secret as `abc…`.
pub const REDACT_BODY: u32 = 15;
/// RFC 6749 §10.3: `[url]` → the URL with secret query parameters as `abc…`.
pub const REDACT_URL: u32 = 16;
/// RFC 6749 §6, RFC 8707 §2.2: `[token_endpoint, client_id, client_secret?, n,
/// auth_method × n, refresh_token, m, resource × m]` → the refresh request JSON.
pub const REFRESH_REQUEST: u32 = 17;
/// RFC 7009 §2.1: `[endpoint, client_id, client_secret?, n, auth_method × n, token,
/// token_type_hint?]` → the revocation request JSON.
pub const REVOCATION_REQUEST: u32 = 18;
/// RFC 7009 §2.2: `[status, body]` → nothing when the server revoked the token (tagged).
pub const PROCESS_REVOCATION: u32 = 19;

/// Writes a step's result, tagged: `=` and the value, or `!` and the OAuth error as JSON.
fn tagged(result: Result<String, StepError>, out: &mut String) -> Result<(), Error> {
    match result {
        Ok(value) => {
            out.push('=');
            out.push_str(&value);
        }
        Err(StepError::Library(e)) => return Err(e),
        Err(StepError::OAuth(o)) => {
            out.push('!');
            oauth_error_json(&o, out);
        }
    }
    Ok(())
}

/// RFC 6749 §5.2: the server's error, its members as received (absent ones `null`), as
/// `crates/wasm` hands its fields to the facade.
fn oauth_error_json(o: &OAuthErrorResponse, out: &mut String) {
    let mut w = json::ObjectWriter::new();
    w.text("error", Some(&o.error));
    w.text("error_description", o.description.as_deref());
    w.text("error_uri", o.uri.as_deref());
    out.push_str(&w.finish());
}

/// An HTTP status (the JavaScript side passes it as the client module's `u16` reads it).
fn status(args: &mut Args<'_>) -> Result<u16, Error> {
    Ok(u16::try_from(args.number()?).unwrap_or(u16::MAX))
}

/// `n`, then `n` texts.
fn texts(args: &mut Args<'_>) -> Result<Vec<String>, Error> {
    let n = args.number()?;
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(args.text()?.to_owned());
    }
    Ok(out)
}

/// RFC 6749 §2.3: `[client_id, client_secret?, n, auth_method × n]` → how the client
/// authenticates at the token endpoint.
fn client_auth(args: &mut Args<'_>) -> Result<ClientAuth, Error> {
    let client_id = args.text()?;
    let secret = args.optional_text()?;
    let methods = texts(args)?;
    ClientAuth::choose(client_id, secret, &methods)
}

fn code_exchange_request(args: &mut Args<'_>, out: &mut String) -> Result<(), Error> {
    let endpoint = args.text()?;
    let client = client_auth(args)?;
    let code = args.text()?;
    let redirect_uri = args.text()?;
    let verifier = args.text()?;
    let resources = texts(args)?;
    let request = token::authorization_code_request(
        endpoint,
        &client,
        code,
        redirect_uri,
        verifier,
        &resources,
    )?;
    request.write_json(out);
    Ok(())
}

fn validate_authorization_response(args: &mut Args<'_>, out: &mut String) -> Result<(), Error> {
    let n = args.number()?;
    let mut params: Vec<(String, String)> = Vec::new();
    for _ in 0..n {
        params.push((args.text()?.to_owned(), args.text()?.to_owned()));
    }
    let state = args.text()?;
    let issuer = args.optional_text()?;
    let iss_required = args.number()? != 0;
    tagged(
        authorization_response::validate(&params, state, issuer, iss_required),
        out,
    )
}

/// Runs login operation `op` on the framed `input`, appending its value to `out`; an
/// operation it does not know is `INVALID_PARAMETER`, as in [`crate::ops`].
pub fn run_into(op: u32, input: &[u8], out: &mut String) -> Result<(), Error> {
    let mut args = Args::new(input);
    match op {
        DISCOVERY_REQUESTS => {
            for (i, r) in discovery::metadata_requests(args.text()?)?
                .iter()
                .enumerate()
            {
                if i > 0 {
                    out.push('\n');
                }
                r.write_json(out);
            }
        }
        PROCESS_METADATA => {
            let issuer = args.text()?;
            let status = status(&mut args)?;
            let body = args.text()?;
            let metadata = discovery::process_metadata(issuer, status, body);
            tagged(metadata.map(|m| m.to_json()), out)?;
        }
        VALIDATE_AUTHORIZATION_RESPONSE => validate_authorization_response(&mut args, out)?,
        CODE_EXCHANGE_REQUEST => code_exchange_request(&mut args, out)?,
        PROCESS_TOKEN_RESPONSE => {
            let status = status(&mut args)?;
            let body = args.text()?;
            let low = u64::from(args.number()?);
            let high = u64::from(args.number()?);
            let now_ms = f64::from_bits(high << 32 | low);
            let tokens = token::process_token_response(status, body, now_ms);
            tagged(tokens.map(|t| t.to_json()), out)?;
        }
        USERINFO_REQUEST => {
            let endpoint = args.text()?;
            let request = userinfo::userinfo_request(endpoint, args.text()?)?;
            request.write_json(out);
        }
        PROCESS_USERINFO => {
            let status = status(&mut args)?;
            let content_type = args.optional_text()?;
            let www_authenticate = args.optional_text()?;
            let body = args.text()?;
            let subject = args.optional_text()?;
            let claims =
                userinfo::process_userinfo(status, content_type, www_authenticate, body, subject);
            tagged(claims.map(|c| c.to_json()), out)?;
        }
        REDACT_BODY => out.push_str(&trace::redact_body(args.text()?)),
        REDACT_URL => out.push_str(&trace::redact_url(args.text()?)),
        REFRESH_REQUEST => {
            let endpoint = args.text()?;
            let client = client_auth(&mut args)?;
            let refresh_token = args.text()?;
            let resources = texts(&mut args)?;
            let request = token::refresh_request(endpoint, &client, refresh_token, &resources)?;
            request.write_json(out);
        }
        REVOCATION_REQUEST => {
            let endpoint = args.text()?;
            let client = client_auth(&mut args)?;
            let token = args.text()?;
            let hint = args.optional_text()?;
            let request = revocation::revocation_request(endpoint, &client, token, hint)?;
            request.write_json(out);
        }
        PROCESS_REVOCATION => {
            let status = status(&mut args)?;
            let result = revocation::process_revocation(status, args.text()?);
            tagged(result.map(|()| String::new()), out)?;
        }
        _ => {
            return Err(Error::new(ErrorCode::InvalidParameter, "unknown operation"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::encode as frame;

    fn number(out: &mut Vec<u8>, n: u32) {
        out.extend_from_slice(&n.to_le_bytes());
    }

    fn run(op: u32, input: &[u8]) -> Result<String, Error> {
        let mut out = String::new();
        run_into(op, input, &mut out)?;
        Ok(out)
    }

    const ISSUER: &str = "https://as.example";

    #[test]
    fn discovery_requests_are_core_s_one_per_line() {
        let out = run(DISCOVERY_REQUESTS, &frame(&[Some(ISSUER)])).unwrap_or_default();
        let lines: Vec<&str> = out.split('\n').collect();
        let expected = discovery::metadata_requests(ISSUER).unwrap_or_default();
        assert_eq!(lines.len(), expected.len());
        for (line, r) in lines.iter().zip(&expected) {
            assert_eq!(*line, r.to_json());
        }
        assert!(out.contains("/.well-known/oauth-authorization-server"));
        assert_eq!(
            run(DISCOVERY_REQUESTS, &frame(&[Some("http://as.example")]))
                .err()
                .map(|e| e.code()),
            Some(ErrorCode::InsecureEndpoint)
        );
    }

    #[test]
    fn metadata_is_tagged_and_checked() {
        let body = "{\"issuer\":\"https://as.example\",\"token_endpoint\":\"https://as.example/token\",\"authorization_endpoint\":\"https://as.example/authorize\"}";
        // `[issuer, 200, body]`.
        let input = |issuer: &str| {
            let mut input = frame(&[Some(issuer)]);
            number(&mut input, 200);
            input.extend_from_slice(&frame(&[Some(body)]));
            input
        };
        let out = run(PROCESS_METADATA, &input(ISSUER)).unwrap_or_default();
        let expected = discovery::process_metadata(ISSUER, 200, body)
            .ok()
            .map(|m| m.to_value().to_json());
        assert_eq!(out.strip_prefix('='), expected.as_deref());

        assert_eq!(
            run(PROCESS_METADATA, &input("https://evil.example"))
                .err()
                .map(|e| e.code()),
            Some(ErrorCode::IssuerMismatch)
        );
    }

    fn response(params: &[&str], state: &str, issuer: Option<&str>, required: bool) -> Vec<u8> {
        let mut input = Vec::new();
        number(&mut input, u32::try_from(params.len() / 2).unwrap_or(0));
        let items: Vec<Option<&str>> = params.iter().map(|p| Some(*p)).collect();
        input.extend_from_slice(&frame(&items));
        input.extend_from_slice(&frame(&[Some(state), issuer]));
        number(&mut input, u32::from(required));
        input
    }

    #[test]
    fn authorization_responses_are_checked_and_errors_are_oauth_errors() {
        let denied = response(
            &[
                "error",
                "access_denied",
                "state",
                "xyz",
                "error_description",
                "no \"thanks\"",
            ],
            "xyz",
            None,
            false,
        );
        assert_eq!(
            run(VALIDATE_AUTHORIZATION_RESPONSE, &denied)
                .ok()
                .as_deref(),
            Some(
                "!{\"error\":\"access_denied\",\"error_description\":\"no \\\"thanks\\\"\",\"error_uri\":null}"
            )
        );
        let good = response(&["code", "c1", "state", "xyz"], "xyz", None, false);
        assert_eq!(
            run(VALIDATE_AUTHORIZATION_RESPONSE, &good).ok().as_deref(),
            Some("=c1")
        );
        let wrong = response(&["code", "c1", "state", "xyz"], "abc", None, false);
        assert_eq!(
            run(VALIDATE_AUTHORIZATION_RESPONSE, &wrong)
                .err()
                .map(|e| e.code()),
            Some(ErrorCode::ResponseMismatch)
        );
        let no_iss = response(&["code", "c1", "state", "xyz"], "xyz", Some(ISSUER), true);
        assert_eq!(
            run(VALIDATE_AUTHORIZATION_RESPONSE, &no_iss)
                .err()
                .map(|e| e.code()),
            Some(ErrorCode::IssuerMismatch)
        );
    }

    #[test]
    fn token_requests_are_core_s() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let mut input = frame(&[Some("https://as.example/token"), Some("app"), None]);
        number(&mut input, 0);
        input.extend_from_slice(&frame(&[
            Some("c1"),
            Some("https://app.example/cb"),
            Some(verifier),
        ]));
        number(&mut input, 0);
        let expected = ClientAuth::choose("app", None, &[]).and_then(|c| {
            token::authorization_code_request(
                "https://as.example/token",
                &c,
                "c1",
                "https://app.example/cb",
                verifier,
                &[],
            )
        });
        assert_eq!(
            run(CODE_EXCHANGE_REQUEST, &input).ok(),
            expected.ok().map(|r| r.to_json())
        );

        let mut refresh = frame(&[Some("https://as.example/token"), Some("app"), Some("s")]);
        number(&mut refresh, 1);
        refresh.extend_from_slice(&frame(&[Some("client_secret_post"), Some("rt")]));
        number(&mut refresh, 0);
        let methods = ["client_secret_post".to_owned()];
        let expected = ClientAuth::choose("app", Some("s"), &methods)
            .and_then(|c| token::refresh_request("https://as.example/token", &c, "rt", &[]));
        assert_eq!(
            run(REFRESH_REQUEST, &refresh).ok(),
            expected.ok().map(|r| r.to_json())
        );

        let mut revoke = frame(&[Some("https://as.example/revoke"), Some("app"), None]);
        number(&mut revoke, 0);
        revoke.extend_from_slice(&frame(&[Some("rt"), Some("refresh_token")]));
        let out = run(REVOCATION_REQUEST, &revoke).unwrap_or_default();
        assert!(out.contains("token_type_hint=refresh_token"), "{out}");
    }

    #[test]
    fn token_responses_are_tagged() {
        let now = 1_700_000_000_123.0f64;
        let bits = now.to_bits();
        let body = "{\"access_token\":\"at\",\"token_type\":\"Bearer\",\"expires_in\":60}";
        let mut input = Vec::new();
        number(&mut input, 200);
        input.extend_from_slice(&frame(&[Some(body)]));
        number(&mut input, u32::try_from(bits & 0xffff_ffff).unwrap_or(0));
        number(&mut input, u32::try_from(bits >> 32).unwrap_or(0));
        let out = run(PROCESS_TOKEN_RESPONSE, &input).unwrap_or_default();
        let expected = token::process_token_response(200, body, now)
            .ok()
            .map(|t| t.to_value().to_json());
        assert_eq!(out.strip_prefix('='), expected.as_deref());
        assert!(out.contains("1700000060123"), "{out}");

        let mut denied = Vec::new();
        number(&mut denied, 400);
        denied.extend_from_slice(&frame(&[Some("{\"error\":\"invalid_grant\"}")]));
        number(&mut denied, 0);
        number(&mut denied, 0);
        assert_eq!(
            run(PROCESS_TOKEN_RESPONSE, &denied).ok().as_deref(),
            Some("!{\"error\":\"invalid_grant\",\"error_description\":null,\"error_uri\":null}")
        );
        let mut revoked = Vec::new();
        number(&mut revoked, 200);
        revoked.extend_from_slice(&frame(&[Some("")]));
        assert_eq!(run(PROCESS_REVOCATION, &revoked).ok().as_deref(), Some("="));
    }

    #[test]
    fn userinfo_and_redaction_are_core_s() {
        let out = run(
            USERINFO_REQUEST,
            &frame(&[Some("https://as.example/me"), Some("at-123")]),
        )
        .unwrap_or_default();
        assert!(out.contains("Bearer at-123"), "{out}");
        let mut input = Vec::new();
        number(&mut input, 200);
        input.extend_from_slice(&frame(&[
            Some("application/json"),
            None,
            Some("{\"sub\":\"u1\"}"),
            Some("u2"),
        ]));
        assert_eq!(
            run(PROCESS_USERINFO, &input).err().map(|e| e.code()),
            Some(ErrorCode::ResponseMismatch)
        );
        let body = "access_token=abcdefghijkl&x=1";
        assert_eq!(
            run(REDACT_BODY, &frame(&[Some(body)])).ok(),
            Some(trace::redact_body(body))
        );
        assert_eq!(
            run(99, &[]).err().map(|e| e.code()),
            Some(ErrorCode::InvalidParameter)
        );
        assert!(run(PROCESS_USERINFO, &[1, 0]).is_err(), "short frame");
    }

    #[test]
    fn the_authorize_operations_forward_here() {
        let mut entropy = Zero;
        assert_eq!(
            crate::ops::run(
                REDACT_URL,
                &frame(&[Some("https://a.example/?code=abcdefgh")]),
                &mut entropy
            )
            .ok(),
            Some(trace::redact_url("https://a.example/?code=abcdefgh"))
        );
    }

    struct Zero;

    impl oauth_callback_core::Entropy for Zero {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
            buf.fill(0);
            Ok(())
        }
    }
}
