//! The bodies of the cargo-fuzz targets. `fuzz/fuzz_targets/<name>.rs` includes this file
//! by path and calls the function of the same name; `tests/fuzz_corpus.rs` replays every
//! kept input in `fuzz/corpus/<name>/` through the same function on stable, so a
//! regression fails the ordinary `cargo test -p oauth-callback-core`.
//!
//! Each function accepts any bytes, must not panic, and asserts the invariants it can.
//! Inputs holding several strings are split at `0xFF`, a byte UTF-8 never contains; each
//! part is read as UTF-8 (lossily, so every input reaches the code under test).

// Each fuzz binary uses one of these functions.
#![allow(dead_code)]

use oauth_callback_core::authorization_response;
use oauth_callback_core::base64url;
use oauth_callback_core::callback::{
    CallbackConfig, CallbackHandler, CallbackOutcome, CallbackRequest, RequestKind,
};
use oauth_callback_core::device;
use oauth_callback_core::discovery;
use oauth_callback_core::entropy::Entropy;
use oauth_callback_core::error::{Error, ErrorCode};
use oauth_callback_core::form;
use oauth_callback_core::http_message::{self, OAuthErrorResponse, StepError};
use oauth_callback_core::json::{self, Value};
use oauth_callback_core::loopback;
use oauth_callback_core::pages;
use oauth_callback_core::registration;
use oauth_callback_core::request_head::{self, Answer, HeadStatus, MAX_HEAD_BYTES, Refusal};
use oauth_callback_core::revocation;
use oauth_callback_core::store_envelope::{self, StoreKey};
use oauth_callback_core::template;
use oauth_callback_core::token;
use oauth_callback_core::trace;
use oauth_callback_core::{AuthorizationRequest, CodeVerifier, Endpoint};

/// A fuzz target's body: any bytes in, a panic for a broken invariant.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name: `fuzz/Cargo.toml` has one `[[bin]]` per entry and
/// `fuzz/corpus/<name>/` keeps its corpus.
pub const TARGETS: [(&str, Target); 9] = [
    ("callback", callback),
    ("query", query),
    ("json", json),
    ("template", template),
    ("responses", responses),
    ("store_envelope", store_envelope),
    ("authorization_response", authorization_response),
    ("urls", urls),
    ("request_head", request_head),
];

/// The key every `store_envelope` input is opened with; the seeds were sealed with it.
pub const STORE_KEY: [u8; 32] = *b"fuzz-store-key-0123456789abcdef!";
/// The key name of [`STORE_KEY`].
pub const STORE_KEY_NAME: &str = "default";

/// The characters that make markup: a value must never add one of them to a page.
const MARKUP: [char; 4] = ['<', '>', '"', '\''];

fn parts(data: &[u8]) -> Vec<String> {
    data.split(|&b| b == 0xff)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

fn part(parts: &[String], i: usize) -> &str {
    parts.get(i).map_or("", String::as_str)
}

fn markup_counts(s: &str) -> [usize; 4] {
    MARKUP.map(|m| s.matches(m).count())
}

fn has_controls(s: &str) -> bool {
    s.chars().any(char::is_control)
}

fn escaped(v: &str) -> String {
    let mut out = String::new();
    template::escape_html(v, &mut out);
    out
}

/// A character that does not occur in `s`, to mark where values go.
fn marker_for(s: &str) -> char {
    ('\u{e000}'..='\u{f8ff}')
        .find(|c| !s.contains(*c))
        .unwrap_or('\u{e000}')
}

// ---------------------------------------------------------------------------------------
// callback: a CallbackHandler driven by a sequence of requests.

const PORT_DEFAULT: u16 = 53682;

/// Input: `flags [port_hi port_lo]` (flags: 1 expected state, 2 custom error page,
/// 4 custom success page, 8 port from the next two bytes, 16 expected issuer
/// `https://as.example`, 32 `iss` required) 0xFF `callback path` 0xFF `expected state` 0xFF
/// `error page` 0xFF `success page`, then one part per request: `method host target`,
/// where `method` and `host` are selector bytes (a host selector past the list takes the
/// host from the target, up to its first newline).
pub fn callback(data: &[u8]) {
    let p = parts(data);
    let flags = p.first().map(|f| f.as_bytes()).unwrap_or_default();
    let bits = flags.first().copied().unwrap_or(0);
    let port = match flags.get(1..3) {
        Some(&[hi, lo]) if bits & 8 != 0 => u16::from_be_bytes([hi, lo]),
        _ => PORT_DEFAULT,
    };
    let path = part(&p, 1);
    let mut config = match CallbackConfig::new(path, port) {
        Ok(c) => c,
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::InvalidParameter);
            match CallbackConfig::new("/callback", port) {
                Ok(c) => c,
                Err(e) => panic!("the default path is refused: {e}"),
            }
        }
    };
    let mut expected_state = None;
    if bits & 1 != 0 {
        match config.clone().expected_state(part(&p, 2)) {
            Ok(c) => {
                config = c;
                expected_state = Some(part(&p, 2).to_owned());
            }
            Err(e) => {
                assert!(part(&p, 2).is_empty());
                assert_eq!(e.code(), ErrorCode::MissingParameter);
            }
        }
    }
    let mut expected_issuer = None;
    if bits & 16 != 0 {
        let required = bits & 32 != 0;
        match config.clone().expected_issuer(ISSUER, required) {
            Ok(c) => {
                config = c;
                expected_issuer = Some((ISSUER, required));
            }
            Err(e) => panic!("the issuer is refused: {e}"),
        }
    }
    let error_html = if bits & 2 != 0 {
        config = config.error_html(part(&p, 3));
        part(&p, 3).to_owned()
    } else {
        pages::default_error()
    };
    let success_html = if bits & 4 != 0 {
        config = config.success_html(part(&p, 4));
        part(&p, 4).to_owned()
    } else {
        pages::default_success()
    };
    let mut handler = CallbackHandler::new(config);
    let served = handler.callback_path().to_owned();
    assert!(loopback::validate_callback_path(&served).is_ok());

    let names = ["error", "error_description", "error_uri"];
    let empty_error_page = template::render_known(&error_html, &names, |_| Some(""));
    let notice_markup = markup_counts(&pages::notice("t", "x"));

    for raw in data.split(|&b| b == 0xff).skip(5).take(16) {
        let method = match raw.first().copied().unwrap_or(0) % 5 {
            0 => "GET",
            1 => "HEAD",
            2 => "POST",
            3 => "get",
            _ => "OPTIONS",
        };
        let sel = raw.get(1).copied().unwrap_or(0);
        let text = String::from_utf8_lossy(raw.get(2..).unwrap_or_default()).into_owned();
        let (host, target) = match sel % 8 {
            0 => (Some(format!("localhost:{port}")), text.as_str()),
            1 => (Some(format!("127.0.0.1:{port}")), text.as_str()),
            2 => (Some(format!("[::1]:{port}")), text.as_str()),
            3 => (None, text.as_str()),
            4 => (Some(format!("evil.example:{port}")), text.as_str()),
            5 => (
                Some(format!("localhost:{}", port.wrapping_add(1))),
                text.as_str(),
            ),
            _ => {
                let (h, t) = text.split_once('\n').unwrap_or((text.as_str(), ""));
                (Some(h.to_owned()), t)
            }
        };
        let req = CallbackRequest {
            method,
            target,
            host: host.as_deref(),
        };
        let before = handler.outcome().cloned();
        let mut twin = handler.clone();
        let (resp, kind) = handler.handle(req);
        assert_eq!(twin.handle(req), (resp.clone(), kind), "not deterministic");

        let content_type = resp.headers.iter().find(|(n, _)| *n == "content-type");
        assert!(content_type.is_some(), "no content-type");
        // Every answer but a custom page (which may be empty) has a body.
        assert!(!resp.body.is_empty() || kind == RequestKind::Completed);
        let is_html = content_type.is_some_and(|(_, v)| v.starts_with("text/html"));
        match kind {
            RequestKind::BadHost => assert_eq!(resp.status, 421),
            RequestKind::NotFound => assert_eq!(resp.status, 404),
            RequestKind::MethodNotAllowed => {
                assert_eq!(resp.status, 405);
                assert!(resp.headers.iter().any(|(n, _)| *n == "allow"));
            }
            RequestKind::BadRequest => assert!(matches!(resp.status, 400 | 414)),
            RequestKind::NotNavigation => assert_eq!(resp.status, 403),
            RequestKind::StateMismatch => {
                assert_eq!(resp.status, 400);
                assert!(expected_state.is_some(), "state checked without a state");
            }
            RequestKind::Completed => {
                assert_eq!(resp.status, 200);
                assert!(before.is_none(), "completed twice");
            }
            RequestKind::AlreadyHandled => {
                assert_eq!(resp.status, 200);
                assert!(before.is_some());
            }
        }
        if kind != RequestKind::Completed {
            assert_eq!(handler.outcome(), before.as_ref(), "outcome changed");
            if is_html {
                assert_eq!(markup_counts(&resp.body), notice_markup, "{}", resp.body);
            }
        }
        if matches!(
            kind,
            RequestKind::BadHost | RequestKind::NotFound | RequestKind::MethodNotAllowed
        ) {
            assert!(!is_html);
        }
        if kind == RequestKind::Completed {
            assert!(is_html);
            let query = target.split_once('?').map_or("", |(_, q)| q);
            let parsed = form::parse_query(query);
            match handler.outcome() {
                Some(CallbackOutcome::IssuerMismatch { message }) => {
                    assert!(expected_issuer.is_some(), "iss checked without an issuer");
                    assert!(!has_controls(message));
                    assert_eq!(markup_counts(&resp.body), markup_counts(&empty_error_page));
                    let Some(params) = parsed else {
                        panic!("completed on a query that does not parse")
                    };
                    check_state(&params, expected_state.as_deref());
                    if let (Some(state), Some((issuer, required))) =
                        (&expected_state, expected_issuer)
                    {
                        match authorization_response::validate(
                            &params,
                            state,
                            Some(issuer),
                            required,
                        ) {
                            Err(StepError::Library(e)) => {
                                assert_eq!(e.code(), ErrorCode::IssuerMismatch);
                            }
                            other => {
                                panic!("the handler saw another issuer, validate saw {other:?}")
                            }
                        }
                    }
                }
                Some(CallbackOutcome::Code(params)) => {
                    assert_eq!(resp.body, success_html);
                    assert_eq!(Some(params), parsed.as_ref());
                    let code = params.iter().find(|(n, _)| n == "code");
                    assert!(code.is_some_and(|(_, c)| !c.is_empty()));
                    assert!(!params.iter().any(|(n, _)| n == "error"));
                    check_state(params, expected_state.as_deref());
                    // The handler and the authorization-response check agree.
                    if let Some(state) = &expected_state {
                        let (issuer, required) = expected_issuer.unzip();
                        let required = required.unwrap_or(false);
                        let v = authorization_response::validate(params, state, issuer, required);
                        assert_eq!(v.ok().as_ref(), code.map(|(_, c)| c));
                    }
                }
                Some(CallbackOutcome::Error {
                    error,
                    message,
                    params,
                    ..
                }) => {
                    assert_eq!(
                        markup_counts(&resp.body),
                        markup_counts(&empty_error_page),
                        "a value added markup to the error page"
                    );
                    assert!(!has_controls(message));
                    assert_eq!(Some(params), parsed.as_ref());
                    check_state(params, expected_state.as_deref());
                    if let Some(state) = &expected_state {
                        let (issuer, required) = expected_issuer.unzip();
                        let required = required.unwrap_or(false);
                        match authorization_response::validate(params, state, issuer, required) {
                            Err(StepError::OAuth(e)) => {
                                assert_eq!(
                                    e.error,
                                    oauth_callback_core::sanitize::strip_controls(error)
                                );
                            }
                            other => panic!("the handler saw an error, validate saw {other:?}"),
                        }
                    }
                }
                None => panic!("completed without an outcome"),
            }
        }
        assert_eq!(handler.finished(), handler.outcome().is_some());
    }
}

fn check_state(params: &[(String, String)], expected: Option<&str>) {
    if let Some(expected) = expected {
        let got = params
            .iter()
            .find(|(n, _)| n == "state")
            .map(|(_, v)| v.as_str());
        assert_eq!(got, Some(expected), "completed with another state");
    }
}

// ---------------------------------------------------------------------------------------
// query: form / query parsing and encoding, and the trace's redaction of bodies and URLs.

/// Input: a query string or form body (also used as one value to encode).
pub fn query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);

    // Any string survives encoding, and the encoding is only unreserved bytes and %XX.
    let mut enc = String::new();
    form::encode_into(&mut enc, &text);
    assert!(enc.bytes().all(|b| form::is_unreserved(b) || b == b'%'));
    assert_eq!(form::decode_bytes(&enc), text.as_bytes());

    let decoded = form::decode_bytes(&text);
    assert!(decoded.len() <= text.len());

    if let Some(pairs) = form::parse_query(&text) {
        assert!(pairs.len() <= text.matches('&').count() + 1);
        // Re-encoded pairs parse back to the same pairs, in order.
        let mut again = String::new();
        for (n, v) in &pairs {
            form::append_pair(&mut again, n, v);
        }
        assert_eq!(form::parse_query(&again).as_ref(), Some(&pairs));
    }

    // The URL before `?` is shown as it is (core only traces URLs it built); bodies and
    // queries are parsed and cleaned.
    let url = trace::redact_url(&text);
    let shown_query = url.split_once('?').map_or("", |(_, q)| q);
    for shown in [trace::redact_body(&text).as_str(), shown_query] {
        assert!(
            !shown.chars().any(|c| c < ' '),
            "a control character reached the trace: {shown:?}"
        );
    }
    let secret = trace::redact(&text);
    assert!(secret.chars().count() <= 4);
}

// ---------------------------------------------------------------------------------------
// json: the reader and the writer.

/// Input: a JSON document.
pub fn json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(n) = json::number_value(&text) {
        assert!(n.is_finite());
    }
    let Ok(v) = json::parse(&text) else {
        return;
    };
    assert!(text.len() <= json::MAX_LEN);
    let written = v.to_json();
    match json::parse(&written) {
        Ok(back) => assert!(same_json(&v, &back), "{text:?} -> {written:?}"),
        Err(e) => panic!("our own JSON does not parse back: {written:?}: {e}"),
    }
}

/// Equal, numbers included: a number read keeps its text, so it is written back as it
/// came and reads back to the same value.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.text() == y.text() && x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && same_json(va, vb))
        }
        _ => a == b,
    }
}

// ---------------------------------------------------------------------------------------
// template: render and render_known.

/// Input: `template` 0xFF `value` [0xFF `name`]...
pub fn template(data: &[u8]) {
    let p = parts(data);
    let tpl = part(&p, 0);
    let value = part(&p, 1);
    let names: Vec<&str> = p.iter().skip(2).take(4).map(String::as_str).collect();
    let mark = marker_for(tpl).to_string();

    let esc = escaped(value);
    assert!(!esc.contains(MARKUP));

    // Values are escaped and never rescanned: rendering `value` is rendering a marker and
    // putting the escaped value where the marker went.
    let with_value = template::render(tpl, |_| Some(value));
    let with_mark = template::render(tpl, |_| Some(mark.as_str()));
    assert_eq!(with_value, with_mark.replace(&mark, &esc));
    let empty = template::render(tpl, |_| Some(""));
    assert_eq!(markup_counts(&with_value), markup_counts(&empty));
    assert_eq!(template::render(tpl, |_| None), empty);
    if !tpl.contains("{{") {
        assert_eq!(empty, tpl);
    }

    let known_value = template::render_known(tpl, &names, |_| Some(value));
    let known_mark = template::render_known(tpl, &names, |_| Some(mark.as_str()));
    assert_eq!(known_value, known_mark.replace(&mark, &esc));
    let known_empty = template::render_known(tpl, &names, |_| Some(""));
    assert_eq!(markup_counts(&known_value), markup_counts(&known_empty));
    if names.is_empty() {
        assert_eq!(
            known_empty, tpl,
            "render_known with no names copies the template"
        );
    }

    let pairs: Vec<(String, String)> = names
        .iter()
        .map(|n| ((*n).to_owned(), value.to_owned()))
        .collect();
    let paired = template::render_pairs(tpl, &pairs);
    assert_eq!(markup_counts(&paired), markup_counts(&empty));
}

// ---------------------------------------------------------------------------------------
// responses: token, error, discovery, registration, device and revocation processing.

const STATUSES: [u16; 8] = [200, 201, 204, 400, 401, 404, 500, 302];
const ISSUER: &str = "https://as.example";
const NOW_MS: f64 = 1_700_000_000_000.0;

/// Input: `status selector` then the response body; every processor reads it.
pub fn responses(data: &[u8]) {
    let (status, body) = match data.split_first() {
        Some((&s, rest)) if s >= 0xf8 => (
            u16::from_be_bytes([
                rest.first().copied().unwrap_or(0),
                rest.get(1).copied().unwrap_or(0),
            ]),
            rest.get(2..).unwrap_or_default(),
        ),
        Some((&s, rest)) => (STATUSES[usize::from(s) % STATUSES.len()], rest),
        None => (200, &[][..]),
    };
    let body = String::from_utf8_lossy(body);
    let success = (200..300).contains(&status);

    match http_message::json_object(status, &body, "fuzz") {
        Ok(v) => {
            assert!(success && matches!(v, Value::Object(_)));
            if let Some(e) = http_message::oauth_error(&v) {
                check_oauth_error(&e);
            }
        }
        Err(e) => check_step_error(&e),
    }

    match token::process_token_response(status, &body, NOW_MS) {
        Ok(t) => {
            assert!(success);
            assert!(!t.access_token.is_empty());
            assert_eq!(t.token_type, "Bearer");
            assert!(t.expires_at.is_none_or(|e| e >= NOW_MS));
            round_trip(&t.to_value());
        }
        Err(e) => check_step_error(&e),
    }

    match discovery::process_metadata(ISSUER, status, &body) {
        Ok(m) => {
            assert!(success);
            assert_eq!(m.issuer, ISSUER);
            let endpoints = [
                m.authorization_endpoint.as_deref(),
                Some(m.token_endpoint.as_str()),
                m.registration_endpoint.as_deref(),
                m.revocation_endpoint.as_deref(),
                m.device_authorization_endpoint.as_deref(),
            ];
            for url in endpoints.into_iter().flatten() {
                let parsed = Endpoint::parse(url);
                assert!(parsed.is_ok(), "metadata kept a bad endpoint {url:?}");
                assert_eq!(parsed.map(|e| e.to_string()).ok().as_deref(), Some(url));
            }
            round_trip(&m.to_value());
        }
        Err(e) => check_step_error(&e),
    }

    let uris = ["http://127.0.0.1:5555/callback".to_owned()];
    let grants = ["authorization_code".to_owned(), "refresh_token".to_owned()];
    match registration::process_registration(status, &body, &uris, &grants) {
        Ok(v) => {
            assert!(success);
            assert!(
                v.get("clientId")
                    .and_then(Value::as_str)
                    .is_some_and(|c| !c.is_empty())
            );
            round_trip(&v);
        }
        Err(e) => check_step_error(&e),
    }

    match device::process_device_authorization(status, &body, NOW_MS) {
        Ok(v) => {
            assert!(success);
            let uri = v.get("verificationUri").and_then(Value::as_str);
            assert!(uri.is_some_and(|u| Endpoint::parse(u).is_ok()));
            let user_code = v.get("userCode").and_then(Value::as_str);
            assert!(user_code.is_some_and(|c| !has_controls(c)));
            let interval = v.get("interval").and_then(Value::as_f64);
            assert!(interval.is_some_and(|i| i.is_finite() && i >= 0.0));
            round_trip(&v);
        }
        Err(e) => check_step_error(&e),
    }

    match revocation::process_revocation(status, &body) {
        Ok(()) => assert!(success),
        Err(e) => {
            assert_ne!(status, 200);
            check_step_error(&e);
        }
    }

    if let Ok(v) = json::parse(&body)
        && let Some(e) = http_message::oauth_error(&v)
    {
        check_oauth_error(&e);
        let next = device::poll_next(&e.error, device::DEFAULT_INTERVAL_S);
        if let device::PollNext::WaitSeconds(s) = next {
            assert!(s >= device::DEFAULT_INTERVAL_S);
        }
    }
}

fn check_oauth_error(e: &OAuthErrorResponse) {
    assert!(!has_controls(&e.error));
    assert!(e.description.as_deref().is_none_or(|d| !has_controls(d)));
    assert!(e.uri.as_deref().is_none_or(|u| {
        !has_controls(u) && (u.starts_with("https://") || u.starts_with("http://"))
    }));
}

fn check_step_error(e: &StepError) {
    match e {
        StepError::OAuth(e) => check_oauth_error(e),
        StepError::Library(e) => check_error(e),
    }
}

fn check_error(e: &Error) {
    // Messages carry excerpts of input: never a raw control character.
    assert!(!has_controls(e.message()), "{:?}", e.message());
    assert!(!e.code().as_str().is_empty());
}

/// What core hands to JavaScript parses back as the same value.
fn round_trip(v: &Value) {
    let text = v.to_json();
    match json::parse(&text) {
        Ok(back) => assert!(same_json(v, &back), "{text}"),
        Err(e) => panic!("{text}: {e}"),
    }
}

// ---------------------------------------------------------------------------------------
// store_envelope: plain detection, and opening with a fixed raw key.

/// Replays the nonce an envelope was sealed with, so it can be sealed again.
struct Replay(Vec<u8>);

impl Entropy for Replay {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        if buf.len() != self.0.len() {
            return Err(Error::new(ErrorCode::EntropyUnavailable, "unexpected draw"));
        }
        buf.copy_from_slice(&self.0);
        Ok(())
    }
}

/// Input: a store file's content.
pub fn store_envelope(data: &[u8]) {
    let encrypted = store_envelope::is_encrypted(data);
    assert_eq!(
        encrypted,
        data.starts_with(b"oauth-callback-rs encrypted store v")
    );
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut key = match StoreKey::raw(&STORE_KEY, STORE_KEY_NAME) {
        Ok(k) => k,
        Err(e) => panic!("the fixed key is refused: {e}"),
    };
    match store_envelope::open(text, &mut key) {
        Ok(plain) => {
            // Only the exact text `seal` writes opens: sealing the plaintext again with
            // the same nonce gives the input back, byte for byte.
            let nonce = text
                .lines()
                .find_map(|l| l.strip_prefix("nonce: "))
                .and_then(base64url::decode);
            let Some(nonce) = nonce else {
                panic!("opened without a nonce line")
            };
            match store_envelope::seal(&plain, &mut key, &mut Replay(nonce)) {
                Ok(again) => assert_eq!(again, text, "a changed envelope opened"),
                Err(e) => panic!("cannot seal again: {e}"),
            }
        }
        Err(e) => {
            assert!(
                matches!(
                    e.code(),
                    ErrorCode::StoreCorrupt
                        | ErrorCode::StoreDecryptFailed
                        | ErrorCode::StoreVersionUnsupported
                ),
                "{e}"
            );
            if !encrypted {
                assert_eq!(e.code(), ErrorCode::StoreCorrupt);
            }
            check_error(&e);
        }
    }
}

// ---------------------------------------------------------------------------------------
// authorization_response: the state / iss / code check of a callback's parameters.

/// Input: `query` 0xFF `expected state` 0xFF `issuer` 0xFF `flags`.
pub fn authorization_response(data: &[u8]) {
    let p = parts(data);
    let Some(params) = form::parse_query(part(&p, 0)) else {
        return;
    };
    let state = part(&p, 1);
    let flags = part(&p, 3).bytes().next().unwrap_or(0);
    let issuer = (flags & 1 != 0).then(|| part(&p, 2));
    let iss_required = flags & 2 != 0;
    let get = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let result = authorization_response::validate(&params, state, issuer, iss_required);
    let state_ok = get("state").unwrap_or("") == state;
    let iss_ok = match (get("iss"), issuer) {
        (Some(got), Some(want)) => got == want,
        (None, Some(_)) => !iss_required,
        _ => true,
    };
    match result {
        Ok(code) => {
            assert!(state_ok && iss_ok);
            assert!(get("error").is_none());
            assert!(!code.is_empty());
            assert_eq!(Some(code.as_str()), get("code"));
        }
        Err(StepError::OAuth(e)) => {
            assert!(state_ok && iss_ok);
            assert!(get("error").is_some());
            check_oauth_error(&e);
        }
        Err(StepError::Library(e)) => {
            let code = e.code();
            if !state_ok {
                assert_eq!(code, ErrorCode::ResponseMismatch);
            } else if !iss_ok {
                assert_eq!(code, ErrorCode::IssuerMismatch);
            } else {
                assert_eq!(code, ErrorCode::InvalidResponse);
                assert!(get("code").is_none_or(str::is_empty));
            }
            check_error(&e);
        }
    }
}

// ---------------------------------------------------------------------------------------
// urls: endpoints, discovery URLs, loopback hosts and paths, and the authorization URL.

/// Input: `url` 0xFF `host` 0xFF `path` 0xFF `client_id` 0xFF `state` 0xFF `name`
/// 0xFF `value` 0xFF `scope` 0xFF `resource`.
pub fn urls(data: &[u8]) {
    let p = parts(data);
    let url = part(&p, 0);
    match Endpoint::parse(url) {
        Ok(e) => {
            assert!(e.is_secure() || e.is_loopback());
            let shown = e.to_string();
            assert!(!shown.chars().any(|c| c.is_control() || c.is_whitespace()));
            assert!(!shown.contains('#'));
            assert!(e.path().starts_with('/'));
            match Endpoint::parse(&shown) {
                Ok(again) => assert_eq!(again, e, "{shown}"),
                Err(err) => panic!("{shown:?} does not parse back: {err}"),
            }
        }
        Err(e) => {
            assert!(matches!(
                e.code(),
                ErrorCode::InvalidUrl | ErrorCode::InsecureEndpoint
            ));
            check_error(&e);
        }
    }
    if let Ok(requests) = discovery::metadata_requests(url) {
        for r in requests {
            assert!(Endpoint::parse(&r.url).is_ok(), "{}", r.url);
        }
    }

    let host = part(&p, 1);
    match loopback::bind_addresses(host) {
        Ok(ips) => assert!(!ips.is_empty() && ips.iter().all(std::net::IpAddr::is_loopback)),
        Err(e) => check_error(&e),
    }
    let path = part(&p, 2);
    if let Ok(norm) = loopback::normalize_callback_path(path) {
        assert!(loopback::validate_callback_path(&norm).is_ok());
        assert_eq!(
            loopback::normalize_callback_path(&norm).ok().as_ref(),
            Some(&norm)
        );
        if let Ok(uri) = loopback::redirect_uri(host, 8080, path) {
            assert!(uri.ends_with(&norm));
            match Endpoint::parse(&uri) {
                Ok(e) => assert!(e.is_loopback()),
                Err(err) => panic!("{uri:?}: {err}"),
            }
        }
    }

    authorization_url(url, &p);
}

/// The authorization URL parses back to the endpoint's own parameters followed by
/// exactly the parameters given.
fn authorization_url(url: &str, p: &[String]) {
    let (client_id, state, name, value, scope, resource) = (
        part(p, 3),
        part(p, 4),
        part(p, 5),
        part(p, 6),
        part(p, 7),
        part(p, 8),
    );
    let challenge =
        CodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").map(|v| v.challenge());
    let Ok(challenge) = challenge else {
        panic!("the RFC 7636 verifier is refused")
    };
    let Ok(mut req) = AuthorizationRequest::new(url, client_id) else {
        return;
    };
    req = req.code_challenge(&challenge);
    let Ok(r) = req.clone().state(state) else {
        assert!(state.is_empty());
        return;
    };
    req = r;
    let mut scopes: Vec<String> = Vec::new();
    if let Ok(r) = req.clone().scope(scope) {
        req = r;
        for t in scope.split(' ').filter(|t| !t.is_empty()) {
            if !scopes.iter().any(|s| s == t) {
                scopes.push(t.to_owned());
            }
        }
    }
    let mut resources = Vec::new();
    if let Ok(r) = req.clone().resource(resource) {
        req = r;
        resources.push(resource);
    }
    let mut extra = None;
    if let Ok(r) = req.clone().param(name, value) {
        req = r;
        extra = Some((name, value));
    }
    let Ok(built) = req.build() else {
        return;
    };
    let Ok(endpoint) = Endpoint::parse(url) else {
        panic!("built on an endpoint that does not parse")
    };
    let own = form::parse_query(endpoint.query());
    let query = built.split_once('?').map_or("", |(_, q)| q);
    let (Some(own), Some(all)) = (own, form::parse_query(query)) else {
        return;
    };
    let mut want: Vec<(String, String)> = own;
    let mut push = |n: &str, v: &str| want.push((n.to_owned(), v.to_owned()));
    push("response_type", "code");
    push("client_id", client_id);
    if !scopes.is_empty() {
        push("scope", &scopes.join(" "));
    }
    push("state", state);
    push("code_challenge", challenge.as_str());
    push("code_challenge_method", "S256");
    for r in resources {
        push("resource", r);
    }
    if let Some((n, v)) = extra {
        push(n, v);
    }
    assert_eq!(all, want, "{built}");
}

// ---------------------------------------------------------------------------------------
// request_head: the bytes of one loopback connection, read as a driver reads them.

/// Input: `flags` then the bytes a client sends. Flags: the low 4 bits + 1 is the number
/// of reads the bytes arrive in; 16 repeats the bytes past [`MAX_HEAD_BYTES`]; 32 sets
/// an expected state (`xyz`).
pub fn request_head(data: &[u8]) {
    let Some((&flags, sent)) = data.split_first() else {
        return;
    };
    let mut buf = sent.to_vec();
    if flags & 16 != 0 && !sent.is_empty() {
        while buf.len() < MAX_HEAD_BYTES + 64 {
            buf.extend_from_slice(sent);
        }
    }
    let mut config = match CallbackConfig::new("/callback", PORT_DEFAULT) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    if flags & 32 != 0 {
        config = match config.expected_state("xyz") {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
    }
    let mut handler = CallbackHandler::new(config);
    let reads = 1 + usize::from(flags & 15);
    let mut prev = None;
    for i in 1..=reads {
        let end = buf.len() * i / reads;
        let received = &buf[..end];
        let status = request_head::read_head(received, prev);
        match request_head::answer(&mut handler, received, prev, 1_700_000_000) {
            Answer::ReadMore => {
                assert_eq!(status, HeadStatus::Partial);
                assert!(received.len() < MAX_HEAD_BYTES, "read past the limit");
                prev = Some(end);
            }
            Answer::Close => {
                assert_eq!(status, HeadStatus::Refused(Refusal::Http2Preface));
                return;
            }
            Answer::Respond { bytes, request } => {
                match request {
                    None => {
                        let HeadStatus::Refused(r) = status else {
                            panic!("answered without a head: {status:?}")
                        };
                        assert!(r.status().is_some());
                        check_http_response(&bytes, false);
                    }
                    Some((head, kind)) => {
                        assert!(head.len <= received.len() && head.len <= MAX_HEAD_BYTES);
                        assert_eq!(status, HeadStatus::Complete(head.clone()));
                        let url = request_head::request_url(&head, PORT_DEFAULT);
                        assert!(!url.is_empty());
                        if kind == RequestKind::Completed {
                            assert!(handler.finished());
                        }
                        check_http_response(&bytes, head.method == "HEAD");
                    }
                }
                return;
            }
        }
    }
}

/// A response a driver writes: a status line, header lines without a stray CR or LF (no
/// header injection), a blank line, and exactly `content-length` bytes of body (none for
/// `HEAD`).
fn check_http_response(bytes: &[u8], head_only: bool) {
    assert!(bytes.starts_with(b"HTTP/1.1 ") || bytes.starts_with(b"HTTP/1.0 "));
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        panic!("no end of head")
    };
    let Ok(head) = std::str::from_utf8(&bytes[..end]) else {
        panic!("the head is not UTF-8")
    };
    let body = &bytes[end + 4..];
    let mut length = None;
    for line in head.split("\r\n").skip(1) {
        assert!(!line.contains(['\r', '\n']), "{line:?}");
        let Some((name, value)) = line.split_once(": ") else {
            panic!("not a header line: {line:?}")
        };
        if name == "content-length" {
            length = value.parse::<usize>().ok();
        }
    }
    let Some(length) = length else {
        panic!("no content-length")
    };
    if head_only {
        assert!(body.is_empty());
    } else {
        assert_eq!(body.len(), length);
    }
}
