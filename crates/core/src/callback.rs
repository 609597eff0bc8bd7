//! The loopback redirect endpoint (RFC 8252 §7.3, RFC 6749 §4.1.2): one function that
//! answers every HTTP request the callback server receives, whatever drives it (the napi
//! addon's server, `Deno.listen` through wasm). Drivers pass the method, request target and
//! `Host` header in and write the response out. The redirect is answered with the page
//! itself ([`RequestKind::Completed`]): a driver settles once that response is written and
//! its connection closed, with no second request to wait for.

use crate::authorization_response;
use crate::error::{Error, ErrorCode};
use crate::form;
use crate::loopback;
use crate::pages;
use crate::sanitize::strip_controls;
use crate::state::constant_time_eq;
use crate::template;

/// Longest request target accepted (path and query); browsers send far less.
pub const MAX_TARGET_LEN: usize = 8 * 1024;

/// Headers on every response: no caching of a page that followed a code, no referrer
/// leaking the URL, no framing, no sniffing, and a CSP that allows inline style and the
/// built-in pages' one script (by its hash, [`pages::SCRIPT_CSP_SOURCE`]) only.
pub const SECURITY_HEADERS: [(&str, &str); 6] = [
    ("cache-control", "no-store"),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    (
        "content-security-policy",
        "default-src 'none'; script-src 'sha256-8A+3er73YJf04rRHGhbZwZQACPiiipi9EPduIeAAIDk='; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("connection", "close"),
];

/// How the callback server is set up.
#[derive(Clone, Debug)]
pub struct CallbackConfig {
    callback_path: String,
    port: u16,
    expected_state: Option<String>,
    /// RFC 9207: the issuer the request went to, and whether `iss` must be present.
    expected_issuer: Option<(String, bool)>,
    /// A custom success page, served verbatim; `None`: the built-in one.
    success_html: Option<String>,
    error_html: String,
}

impl CallbackConfig {
    /// A config for `callback_path` on `port` with the built-in pages and no state check.
    /// A path without its leading `/` is served with one, as `oauth-callback` does.
    pub fn new(callback_path: &str, port: u16) -> Result<Self, Error> {
        let callback_path = loopback::normalize_callback_path(callback_path)?;
        Ok(Self {
            callback_path,
            port,
            expected_state: None,
            expected_issuer: None,
            success_html: None,
            error_html: pages::default_error(),
        })
    }

    /// Turns on the CSRF check (RFC 6749 §10.12): a callback whose `state` differs gets an
    /// error page and the flow keeps waiting for the right one.
    pub fn expected_state(mut self, state: &str) -> Result<Self, Error> {
        if state.is_empty() {
            return Err(Error::new(
                ErrorCode::MissingParameter,
                "expectedState must not be empty",
            ));
        }
        self.expected_state = Some(state.to_owned());
        Ok(self)
    }

    /// Turns on the RFC 9207 check (§2.4): a redirect whose `iss` is not `issuer`, or
    /// lacks it when `required` (the server advertises
    /// `authorization_response_iss_parameter_supported`), ends the flow with
    /// [`CallbackOutcome::IssuerMismatch`] and the error page, success or error alike. It
    /// runs after the `state` check, so only the response to this request can end it.
    pub fn expected_issuer(mut self, issuer: &str, required: bool) -> Result<Self, Error> {
        if issuer.is_empty() {
            return Err(Error::new(
                ErrorCode::MissingParameter,
                "expectedIssuer must not be empty",
            ));
        }
        self.expected_issuer = Some((issuer.to_owned(), required));
        Ok(self)
    }

    /// Replaces the success page; it is served verbatim (no placeholders), as in
    /// `oauth-callback`.
    pub fn success_html(mut self, html: &str) -> Self {
        self.success_html = Some(html.to_owned());
        self
    }

    /// Replaces the error page: exactly `{{error}}`, `{{error_description}}` and
    /// `{{error_uri}}` are replaced (escaped, missing ones empty, a non-http(s) URI empty);
    /// any other `{{...}}` stays as written.
    pub fn error_html(mut self, html: &str) -> Self {
        html.clone_into(&mut self.error_html);
        self
    }
}

/// A request as the driver saw it.
#[derive(Clone, Copy, Debug)]
pub struct CallbackRequest<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The request target (`/callback?code=...`), as sent.
    pub target: &'a str,
    /// The `Host` header, if there was exactly one.
    pub host: Option<&'a str>,
}

/// The Fetch Metadata request headers (W3C Fetch Metadata: `Sec-Fetch-Site`,
/// `Sec-Fetch-Mode`, `Sec-Fetch-Dest`) as a driver saw them: `None` when absent, the value
/// when sent once, `Some("")` when repeated or not text. Browsers send all three on every
/// request, and a page cannot forge them: the real redirect is mode `navigate`,
/// destination `document`, while a page's `fetch()`, `<img>` or frame says otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FetchMetadata<'a> {
    /// `Sec-Fetch-Site`: present on every request of a browser that sends Fetch Metadata.
    pub site: Option<&'a str>,
    /// `Sec-Fetch-Mode`.
    pub mode: Option<&'a str>,
    /// `Sec-Fetch-Dest`.
    pub dest: Option<&'a str>,
}

impl FetchMetadata<'_> {
    /// Whether the request may be the browser's top-level navigation. A request without
    /// `Sec-Fetch-Site` is not from a browser that reports Fetch Metadata (curl, older
    /// browsers, and Node's `fetch`, which sends `Sec-Fetch-Mode: cors` alone): it may be.
    /// From such a browser, mode and destination must say navigation.
    pub fn may_be_navigation(&self) -> bool {
        self.site.is_none()
            || (self.mode.is_none_or(|m| m == "navigate")
                && self.dest.is_none_or(|d| d == "document"))
    }
}

/// A response for the driver to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers beyond [`SECURITY_HEADERS`] (which every response carries).
    pub headers: Vec<(&'static str, String)>,
    /// Body (HTML, UTF-8).
    pub body: String,
}

/// What the redirect brought (RFC 6749 §4.1.2 and §4.1.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallbackOutcome {
    /// Success: every query parameter, in order; `code` is among them.
    Code(Vec<(String, String)>),
    /// An OAuth error response. The fields are as received; `message` is safe to print.
    Error {
        /// `error` code, e.g. `access_denied`, as received.
        error: String,
        /// `error_description`, if any, as received.
        description: Option<String>,
        /// `error_uri`, if any, as received (the page shows it only when http(s)).
        uri: Option<String>,
        /// The description, or the code when there is none, with control characters and
        /// terminal escapes stripped: the `message` of the error a driver raises.
        message: String,
        /// Every query parameter, as received (`state` among them).
        params: Vec<(String, String)>,
    },
    /// RFC 9207 §2.4: the response names another issuer, or none where one is required
    /// (a mix-up attack or a misconfigured server); its code must not be used.
    IssuerMismatch {
        /// Why, safe to print.
        message: String,
    },
}

/// What happened with one request, for the driver's events and logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// The `Host` header was missing or not this server (DNS rebinding defense).
    BadHost,
    /// Not the callback path (favicon, probes, traversal attempts).
    NotFound,
    /// The callback path with a method other than GET.
    MethodNotAllowed,
    /// The callback path from something that says it is not a top-level navigation (a
    /// page's `fetch()`, an image, a frame): refused, nothing changes.
    NotNavigation,
    /// Malformed: too long, not UTF-8, repeated parameters, neither code nor error.
    BadRequest,
    /// The `state` did not match; the flow keeps waiting.
    StateMismatch,
    /// The redirect that completes the flow, answered with the result page; the driver
    /// settles once this response is written and its connection closed.
    Completed,
    /// A callback after the flow was completed.
    AlreadyHandled,
}

impl RequestKind {
    /// A stable kebab-case name for events and logs, e.g. `state-mismatch`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BadHost => "bad-host",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::NotNavigation => "not-navigation",
            Self::BadRequest => "bad-request",
            Self::StateMismatch => "state-mismatch",
            Self::Completed => "completed",
            Self::AlreadyHandled => "already-handled",
        }
    }
}

/// The state machine of one loopback login: waiting for the redirect, then done.
#[derive(Clone, Debug)]
pub struct CallbackHandler {
    config: CallbackConfig,
    outcome: Option<CallbackOutcome>,
}

fn html(status: u16, body: String) -> CallbackResponse {
    CallbackResponse {
        status,
        headers: vec![("content-type", "text/html; charset=utf-8".to_owned())],
        body,
    }
}

fn plain(status: u16, body: &str) -> CallbackResponse {
    CallbackResponse {
        status,
        headers: vec![("content-type", "text/plain; charset=utf-8".to_owned())],
        body: body.to_owned(),
    }
}

impl CallbackHandler {
    /// A handler waiting for the redirect.
    pub fn new(config: CallbackConfig) -> Self {
        Self {
            config,
            outcome: None,
        }
    }

    /// The path served, with its leading `/`.
    pub fn callback_path(&self) -> &str {
        &self.config.callback_path
    }

    /// The outcome, once the redirect has arrived.
    pub fn outcome(&self) -> Option<&CallbackOutcome> {
        self.outcome.as_ref()
    }

    /// True once the redirect has arrived (its response carries the result page).
    pub fn finished(&self) -> bool {
        self.outcome.is_some()
    }

    /// Is `host` this server: `localhost`, a 127.0.0.0/8 address or `[::1]`, with our port.
    /// Only what a URL parser accepts as that authority: the port in digits (no sign),
    /// an IPv6 address in brackets and only it (`::1:PORT` is no authority at all).
    fn host_ok(&self, host: Option<&str>) -> bool {
        let Some(host) = host else { return false };
        let Some((name, port)) = host.rsplit_once(':') else {
            return false;
        };
        let dotted = !name.contains(|c: char| c.is_alphabetic() || matches!(c, ':' | '[' | ']'));
        let bracketed_v6 = name.starts_with('[') && name.ends_with(']') && name.contains(':');
        !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().ok() == Some(self.config.port)
            && !name.is_empty()
            && loopback::bind_addresses(name).is_ok()
            && (name.eq_ignore_ascii_case("localhost") || dotted || bracketed_v6)
    }

    /// Answers one request that carried no Fetch Metadata headers (see
    /// [`handle_with_fetch`](Self::handle_with_fetch)). Never panics, whatever the input.
    pub fn handle(&mut self, req: CallbackRequest<'_>) -> (CallbackResponse, RequestKind) {
        self.handle_with_fetch(req, FetchMetadata::default())
    }

    /// Answers one request. Only `GET` completes the flow (`HEAD` and others are 405), and
    /// only a request that may be a top-level navigation (403 otherwise), so a web page in
    /// the user's browser cannot complete or end the login with `fetch()`. Never panics.
    pub fn handle_with_fetch(
        &mut self,
        req: CallbackRequest<'_>,
        fetch: FetchMetadata<'_>,
    ) -> (CallbackResponse, RequestKind) {
        if !self.host_ok(req.host) {
            return (
                plain(
                    421,
                    "This server only answers requests for its own loopback address.\n",
                ),
                RequestKind::BadHost,
            );
        }
        if req.target.len() > MAX_TARGET_LEN {
            return (
                plain(414, "Request target too long.\n"),
                RequestKind::BadRequest,
            );
        }
        let (path, query) = req.target.split_once('?').unwrap_or((req.target, ""));
        if path != self.config.callback_path {
            return (plain(404, "Not found.\n"), RequestKind::NotFound);
        }
        if req.method != "GET" {
            let mut r = plain(405, "Method not allowed.\n");
            r.headers.push(("allow", "GET".to_owned()));
            return (r, RequestKind::MethodNotAllowed);
        }
        if !fetch.may_be_navigation() {
            return (
                plain(
                    403,
                    "Only the browser's navigation to this address completes the sign-in.\n",
                ),
                RequestKind::NotNavigation,
            );
        }
        if self.outcome.is_some() {
            return (
                html(
                    200,
                    pages::notice(
                        "Already handled",
                        "This sign-in was already completed. You can close this tab.",
                    ),
                ),
                RequestKind::AlreadyHandled,
            );
        }
        self.handle_redirect(query)
    }

    fn bad_request(text: &str) -> (CallbackResponse, RequestKind) {
        (
            html(400, pages::notice("Sign-in response not accepted", text)),
            RequestKind::BadRequest,
        )
    }

    fn handle_redirect(&mut self, query: &str) -> (CallbackResponse, RequestKind) {
        let Some(params) = form::parse_query(query) else {
            return Self::bad_request("The response is not valid UTF-8.");
        };
        // RFC 6749 §3.1: parameters must not be repeated; a second `code` or `state` is an attack.
        for (i, (name, _)) in params.iter().enumerate() {
            if params[..i].iter().any(|(n, _)| n == name) {
                return Self::bad_request("The response repeats a parameter.");
            }
        }
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        if let Some(expected) = &self.config.expected_state {
            let received = get("state").unwrap_or("");
            if !constant_time_eq(expected.as_bytes(), received.as_bytes()) {
                return (
                    html(
                        400,
                        pages::notice(
                            "Sign-in response not accepted",
                            "The state parameter does not match this sign-in attempt. If you started a new one, finish that tab instead.",
                        ),
                    ),
                    RequestKind::StateMismatch,
                );
            }
        }
        if let Some((issuer, required)) = &self.config.expected_issuer
            && let Err(e) = authorization_response::check_issuer(get("iss"), issuer, *required)
        {
            let page = self.error_page(
                "issuer_mismatch",
                Some("The response came from another authorization server than this sign-in expected."),
                None,
            );
            self.outcome = Some(CallbackOutcome::IssuerMismatch {
                message: e.message().to_owned(),
            });
            return (html(200, page), RequestKind::Completed);
        }
        let (outcome, page) = if let Some(error) = get("error") {
            let page = self.error_page(error, get("error_description"), get("error_uri"));
            let description = get("error_description");
            let message = strip_controls(description.filter(|d| !d.is_empty()).unwrap_or(error));
            let outcome = CallbackOutcome::Error {
                error: error.to_owned(),
                description: description.map(str::to_owned),
                uri: get("error_uri").map(str::to_owned),
                message,
                params: params.clone(),
            };
            (outcome, page)
        } else if get("code").is_some_and(|c| !c.is_empty()) {
            let page = self
                .config
                .success_html
                .clone()
                .unwrap_or_else(pages::default_success);
            (CallbackOutcome::Code(params.clone()), page)
        } else {
            return Self::bad_request(
                "The response has neither an authorization code nor an error.",
            );
        };
        self.outcome = Some(outcome);
        // One round trip: the redirect itself gets the page (200, as `oauth-callback`
        // answers both outcomes); the built-in pages then take the code off the URL.
        (html(200, page), RequestKind::Completed)
    }

    /// The error page with its three placeholders filled: values stripped of control
    /// characters and escaped, `error_uri` only when http(s).
    fn error_page(&self, error: &str, description: Option<&str>, uri: Option<&str>) -> String {
        let error = strip_controls(error);
        let description = description.map(strip_controls);
        let uri = uri.filter(|u| is_http_url(u)).map(strip_controls);
        template::render_known(
            &self.config.error_html,
            &["error", "error_description", "error_uri"],
            |name| match name {
                "error" => Some(error.as_str()),
                "error_description" => description.as_deref(),
                "error_uri" => uri.as_deref(),
                _ => None,
            },
        )
    }
}

fn is_http_url(u: &str) -> bool {
    let lower = u.get(..8).map(str::to_ascii_lowercase).unwrap_or_default();
    lower.starts_with("https://") || lower.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORT: u16 = 53682;

    fn handler(state: Option<&str>) -> CallbackHandler {
        let mut c = CallbackConfig::new("/callback", PORT).unwrap();
        if let Some(s) = state {
            c = c.expected_state(s).unwrap();
        }
        CallbackHandler::new(c)
    }

    fn get(h: &mut CallbackHandler, target: &str) -> (CallbackResponse, RequestKind) {
        h.handle(CallbackRequest {
            method: "GET",
            target,
            host: Some("localhost:53682"),
        })
    }

    fn header<'a>(r: &'a CallbackResponse, name: &str) -> Option<&'a str> {
        r.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn code_completes_in_one_round_trip() {
        let mut h = handler(None);
        let (r, k) = get(&mut h, "/callback?code=abc&state=xyz&extra=1");
        assert_eq!((r.status, k), (200, RequestKind::Completed));
        assert_eq!(header(&r, "content-type"), Some("text/html; charset=utf-8"));
        assert!(r.body.contains("You are signed in"));
        assert!(r.body.contains(pages::CLEAN_URL_SCRIPT));
        assert!(h.finished());
        let Some(CallbackOutcome::Code(p)) = h.outcome() else {
            panic!("no code")
        };
        assert_eq!(p[0], ("code".into(), "abc".into()));
        assert_eq!(p[2], ("extra".into(), "1".into()));
        for again in ["/callback?code=again", "/callback"] {
            let (r, k) = get(&mut h, again);
            assert_eq!((r.status, k), (200, RequestKind::AlreadyHandled));
            assert!(r.body.contains("already completed"));
        }
    }

    #[test]
    fn csp_allows_exactly_the_clean_url_script() {
        let csp = SECURITY_HEADERS
            .iter()
            .find(|(n, _)| *n == "content-security-policy")
            .map(|(_, v)| *v)
            .unwrap_or_default();
        assert!(csp.contains(&format!("script-src {};", pages::SCRIPT_CSP_SOURCE)));
        assert!(csp.starts_with("default-src 'none';"));
        assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src 'unsafe-inline'"));
    }

    #[test]
    fn oauth_error_is_an_outcome_with_escaped_page() {
        let mut h = handler(None);
        let (r, k) = get(
            &mut h,
            "/callback?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E%1B%5B31m&error_uri=javascript%3Aalert(1)",
        );
        assert_eq!((r.status, k), (200, RequestKind::Completed));
        let Some(CallbackOutcome::Error {
            error,
            description,
            uri,
            message,
            ..
        }) = h.outcome().cloned()
        else {
            panic!()
        };
        assert_eq!(error, "access_denied");
        assert_eq!(
            description.as_deref(),
            Some("<script>alert(1)</script>\u{1b}[31m"),
            "fields as received"
        );
        assert_eq!(uri.as_deref(), Some("javascript:alert(1)"));
        assert_eq!(message, "<script>alert(1)</script>", "message stripped");
        assert!(r.body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
        assert_eq!(
            r.body.matches("<script").count(),
            1,
            "only the built-in script"
        );
        assert!(!r.body.contains("javascript:"));
    }

    #[test]
    fn error_message_is_the_description_or_the_code() {
        for (query, expected) in [
            ("error=x&error_description=Denied%07%20now", "Denied now"),
            ("error=x&error_description=", "x"),
            ("error=bad%1B%5B2J", "bad"),
        ] {
            let mut h = handler(None);
            get(&mut h, &format!("/callback?{query}"));
            let Some(CallbackOutcome::Error { message, .. }) = h.outcome() else {
                panic!("{query}")
            };
            assert_eq!(message, expected, "{query}");
        }
    }

    #[test]
    fn error_uri_shown_only_for_http() {
        let mut h = handler(None);
        let c = CallbackConfig::new("/callback", PORT)
            .unwrap()
            .error_html("[{{error_uri}}]");
        let mut h2 = CallbackHandler::new(c);
        let host = Some("localhost:53682");
        let (r, _) = h2.handle(CallbackRequest {
            method: "GET",
            target: "/callback?error=x&error_uri=https%3A%2F%2Fas.example%2Fe",
            host,
        });
        assert_eq!(r.body, "[https://as.example/e]");
        let (r, _) = get(&mut h, "/callback?error=x&error_uri=data%3Atext%2Fhtml,x");
        assert!(!r.body.contains("data:text"));
        let Some(CallbackOutcome::Error { uri, .. }) = h.outcome() else {
            panic!()
        };
        assert_eq!(uri.as_deref(), Some("data:text/html,x"));
    }

    #[test]
    fn issuer_is_checked_before_the_page_on_success_and_error() {
        let make = |required| {
            let c = CallbackConfig::new("/callback", PORT)
                .unwrap()
                .expected_state("s")
                .unwrap()
                .expected_issuer("https://as.example", required)
                .unwrap();
            CallbackHandler::new(c)
        };
        for target in [
            "/callback?code=c&state=s&iss=https%3A%2F%2Fevil.example",
            "/callback?error=access_denied&state=s&iss=https%3A%2F%2Fevil.example",
        ] {
            let mut h = make(false);
            let (r, k) = get(&mut h, target);
            assert_eq!((r.status, k), (200, RequestKind::Completed), "{target}");
            assert!(
                r.body.contains("issuer_mismatch"),
                "error page shown: {target}"
            );
            assert!(!r.body.contains("You are signed in"));
            assert!(
                matches!(h.outcome(), Some(CallbackOutcome::IssuerMismatch { .. })),
                "{target}"
            );
        }
        let mut h = make(true);
        get(&mut h, "/callback?code=c&state=s");
        assert!(
            matches!(h.outcome(), Some(CallbackOutcome::IssuerMismatch { .. })),
            "missing iss where required"
        );
        let mut h = make(false);
        get(&mut h, "/callback?code=c&state=s");
        assert!(
            matches!(h.outcome(), Some(CallbackOutcome::Code(_))),
            "optional iss"
        );
        let mut h = make(true);
        get(
            &mut h,
            "/callback?code=c&state=s&iss=https%3A%2F%2Fas.example",
        );
        assert!(
            matches!(h.outcome(), Some(CallbackOutcome::Code(_))),
            "right iss"
        );
        let mut h = make(true);
        let (_, k) = get(
            &mut h,
            "/callback?code=c&state=bad&iss=https%3A%2F%2Fevil.example",
        );
        assert_eq!(
            k,
            RequestKind::StateMismatch,
            "state first: a forged response cannot end the flow"
        );
        assert!(h.outcome().is_none());
    }

    #[test]
    fn only_a_navigation_completes_the_flow() {
        let nav = |mode, dest| FetchMetadata {
            site: Some("cross-site"),
            mode,
            dest,
        };
        for fetch in [
            nav(Some("cors"), Some("empty")),
            nav(Some("no-cors"), Some("image")),
            nav(Some("navigate"), Some("iframe")),
            nav(Some(""), None),
            nav(None, Some("script")),
        ] {
            let mut h = handler(None);
            let (r, k) = h.handle_with_fetch(
                CallbackRequest {
                    method: "GET",
                    target: "/callback?code=evil",
                    host: Some("localhost:53682"),
                },
                fetch,
            );
            assert_eq!(
                (r.status, k),
                (403, RequestKind::NotNavigation),
                "{fetch:?}"
            );
            assert!(h.outcome().is_none(), "nothing changes: {fetch:?}");
        }
        let node_fetch = FetchMetadata {
            site: None,
            mode: Some("cors"),
            dest: None,
        };
        for fetch in [
            nav(None, None),
            nav(Some("navigate"), Some("document")),
            FetchMetadata::default(),
            node_fetch,
        ] {
            let mut h = handler(None);
            let (_, k) = h.handle_with_fetch(
                CallbackRequest {
                    method: "GET",
                    target: "/callback?code=ok",
                    host: Some("localhost:53682"),
                },
                fetch,
            );
            assert_eq!(k, RequestKind::Completed, "{fetch:?}");
        }
    }

    #[test]
    fn state_mismatch_keeps_waiting() {
        let mut h = handler(Some("good"));
        let (r, k) = get(&mut h, "/callback?code=evil&state=bad");
        assert_eq!((r.status, k), (400, RequestKind::StateMismatch));
        let (_, k) = get(&mut h, "/callback?code=evil");
        assert_eq!(k, RequestKind::StateMismatch);
        let (_, k) = get(&mut h, "/callback?error=access_denied&state=bad");
        assert_eq!(
            k,
            RequestKind::StateMismatch,
            "forged errors are checked too"
        );
        assert!(h.outcome().is_none());
        let (_, k) = get(&mut h, "/callback?code=ok&state=good");
        assert_eq!(k, RequestKind::Completed);
    }

    #[test]
    fn host_header_must_be_this_loopback_server() {
        let mut h = handler(None);
        for host in [
            None,
            Some("evil.com:53682"),
            Some("localhost:1"),
            Some("localhost"),
            Some("127.0.0.1.nip.io:53682"),
            Some("0.0.0.0:53682"),
            Some(":53682"),
            Some("localhost:53682\r\n"),
            Some("::1:53682"),
            Some("localhost:+53682"),
            Some("127.0.0.1:-0"),
            Some("[::1]:+53682"),
            Some("[127.0.0.1]:53682"),
        ] {
            let (r, k) = h.handle(CallbackRequest {
                method: "GET",
                target: "/callback?code=x",
                host,
            });
            assert_eq!((r.status, k), (421, RequestKind::BadHost), "{host:?}");
        }
        assert!(h.outcome().is_none());
        for host in [
            "LOCALHOST:53682",
            "127.0.0.1:53682",
            "[::1]:53682",
            "127.0.0.2:53682",
        ] {
            let mut h = handler(None);
            let (_, k) = h.handle(CallbackRequest {
                method: "GET",
                target: "/callback?code=x",
                host: Some(host),
            });
            assert_eq!(k, RequestKind::Completed, "{host}");
        }
    }

    #[test]
    fn other_paths_and_methods_are_ignored() {
        let mut h = handler(None);
        for t in [
            "/favicon.ico",
            "/",
            "/callback/",
            "/callback/../callback",
            "/CALLBACK?code=x",
            "//callback?code=x",
            "*",
        ] {
            assert_eq!(get(&mut h, t).1, RequestKind::NotFound, "{t}");
        }
        for m in ["POST", "PUT", "OPTIONS", "DELETE", "get", "HEAD"] {
            let (r, k) = h.handle(CallbackRequest {
                method: m,
                target: "/callback?code=x",
                host: Some("localhost:53682"),
            });
            assert_eq!((r.status, k), (405, RequestKind::MethodNotAllowed), "{m}");
        }
        assert!(h.outcome().is_none());
    }

    #[test]
    fn malformed_redirects_keep_waiting() {
        let mut h = handler(None);
        let long = format!("/callback?code={}", "a".repeat(MAX_TARGET_LEN));
        for t in [
            "/callback",
            "/callback?state=x",
            "/callback?code=",
            "/callback?code=%FF",
            "/callback?code=a&code=b",
            long.as_str(),
        ] {
            let (r, k) = get(&mut h, t);
            assert_eq!(k, RequestKind::BadRequest, "{t}");
            assert!(r.status == 400 || r.status == 414);
        }
        assert!(h.outcome().is_none());
    }

    #[test]
    fn crlf_in_values_stays_data() {
        let mut h = handler(None);
        let (r, _) = get(&mut h, "/callback?code=a%0D%0ASet-Cookie:%20x&state=s");
        assert!(r.headers.iter().all(|(_, v)| !v.contains(['\r', '\n'])));
        let Some(CallbackOutcome::Code(p)) = h.outcome() else {
            panic!()
        };
        assert_eq!(p[0].1, "a\r\nSet-Cookie: x");
    }

    #[test]
    fn custom_pages_as_oauth_callback_renders_them() {
        let c = CallbackConfig::new("cb", PORT)
            .unwrap()
            .error_html(
                "<p>{{error}}|{{error_description}}|{{error_uri}}|{{other}}|{{ error }}</p>",
            )
            .success_html("<p>ok {{code}} {{state}}</p>");
        let host = Some("127.0.0.1:53682");
        let mut h = CallbackHandler::new(c.clone());
        let (r, k) = h.handle(CallbackRequest {
            method: "GET",
            target: "/cb?error=%22%3E&error_description=a%26b",
            host,
        });
        assert_eq!(
            k,
            RequestKind::Completed,
            "a path without / is served with one"
        );
        assert_eq!(r.body, "<p>&#34;&#62;|a&#38;b||{{other}}|{{ error }}</p>");
        let mut h = CallbackHandler::new(c);
        let (r, _) = h.handle(CallbackRequest {
            method: "GET",
            target: "/cb?code=c&state=s",
            host,
        });
        assert_eq!(
            r.body, "<p>ok {{code}} {{state}}</p>",
            "success page verbatim"
        );
    }
}
