//! The authorization request (RFC 6749 §4.1.1, OAuth 2.1 §4.1.1) as a URL.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorCode, quoting};
use crate::form;
use crate::pkce::{CodeChallenge, CodeChallengeMethod};
use crate::text::{concat, split_byte};

/// Parameter names the builder sets itself; extra parameters may not replace them.
const RESERVED: [&str; 8] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "resource",
];

/// Builds the URL that sends the user to the authorization endpoint.
///
/// PKCE (S256) and `state` are required: OAuth 2.1 §4.1.1 makes PKCE mandatory and the
/// `state` is this library's CSRF binding between request and callback.
#[derive(Clone)]
pub struct AuthorizationRequest(Box<Fields>);

/// The request's fields, boxed: each builder step moves one pointer, not the fields
/// (less code in the browser's `authorize` module).
#[derive(Clone)]
struct Fields {
    endpoint: Endpoint,
    client_id: String,
    redirect_uri: Option<String>,
    scopes: Vec<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    resources: Vec<String>,
    extra: Vec<(String, String)>,
}

impl AuthorizationRequest {
    /// Starts a request to `authorization_endpoint` (https, or http on loopback) for `client_id`.
    pub fn new(authorization_endpoint: &str, client_id: &str) -> Result<Self, Error> {
        let endpoint = Endpoint::parse(authorization_endpoint)?;
        if client_id.is_empty() {
            return Err(missing("client_id"));
        }
        Ok(Self(Box::new(Fields {
            endpoint,
            client_id: client_id.to_owned(),
            redirect_uri: None,
            scopes: Vec::new(),
            state: None,
            code_challenge: None,
            resources: Vec::new(),
            extra: Vec::new(),
        })))
    }

    /// Sets `redirect_uri` (RFC 6749 §3.1.2): an absolute URI without a fragment; for
    /// native apps a loopback `http` URI (RFC 8252 §7.3) or a private-use scheme (§7.1).
    pub fn redirect_uri(mut self, uri: &str) -> Result<Self, Error> {
        check_absolute_uri("redirect_uri", uri)?;
        self.0.redirect_uri = Some(uri.to_owned());
        Ok(self)
    }

    /// Adds scope tokens (RFC 6749 §3.3). A string holding several space-separated
    /// scopes is split; each token must be printable ASCII without `"` or `\`.
    pub fn scope(mut self, scope: &str) -> Result<Self, Error> {
        for token in split_byte(scope, b' ').filter(|t| !t.is_empty()) {
            check_scope_token(token)?;
            if !self.0.scopes.iter().any(|s| s == token) {
                self.0.scopes.push(token.to_owned());
            }
        }
        Ok(self)
    }

    /// Sets `state` (RFC 6749 §4.1.1), normally from [`crate::State::generate`].
    pub fn state(mut self, state: &str) -> Result<Self, Error> {
        if state.is_empty() {
            return Err(missing("state"));
        }
        self.0.state = Some(state.to_owned());
        Ok(self)
    }

    /// Sets `code_challenge` with method `S256` (RFC 7636 §4.3).
    pub fn code_challenge(mut self, challenge: &CodeChallenge) -> Self {
        self.0.code_challenge = Some(challenge.as_str().to_owned());
        self
    }

    /// Adds a `resource` indicator (RFC 8707 §2): an absolute URI without a fragment.
    /// Repeated calls give repeated parameters, as the RFC allows.
    pub fn resource(mut self, resource: &str) -> Result<Self, Error> {
        check_absolute_uri("resource", resource)?;
        if !self.0.resources.iter().any(|r| r == resource) {
            self.0.resources.push(resource.to_owned());
        }
        Ok(self)
    }

    /// Adds any other parameter (`prompt`, `login_hint`, `nonce`, ...). Names the builder
    /// sets itself, and names given twice, are refused: RFC 6749 §3.1 forbids repeats.
    pub fn param(mut self, name: &str, value: &str) -> Result<Self, Error> {
        check_param(name, self.0.extra.iter().any(|(n, _)| n == name))?;
        self.0.extra.push((name.to_owned(), value.to_owned()));
        Ok(self)
    }

    /// The authorization URL: the endpoint's own query first, then `response_type=code`,
    /// `client_id`, `redirect_uri`, `scope`, `state`, `code_challenge`,
    /// `code_challenge_method=S256`, each `resource`, then the extra parameters.
    pub fn build(&self) -> Result<String, Error> {
        let r = &self.0;
        let state = r.state.as_deref().ok_or_else(|| missing("state"))?;
        let challenge = r
            .code_challenge
            .as_deref()
            .ok_or_else(|| missing("code_challenge"))?;
        // The scopes as one text, split again (and found valid and distinct again) by
        // `AuthorizationUrl::new`.
        let mut scope = String::new();
        for token in &r.scopes {
            scope.push_str(token);
            scope.push(' ');
        }
        let mut url = AuthorizationUrl::new(
            &r.endpoint,
            &r.client_id,
            state,
            challenge,
            r.redirect_uri.as_deref(),
            Some(&scope),
        )?;
        for resource in &r.resources {
            url.resource(resource)?;
        }
        for (name, value) in &r.extra {
            url.param(name, value)?;
        }
        url.finish()
    }
}

/// An authorization URL written in one pass over its parts, in the URL's order, each
/// checked as [`AuthorizationRequest`]'s setters check it and in their order: what
/// [`AuthorizationRequest::build`] does with its fields, and what a caller with every
/// part at hand does without a builder (the browser's `authorize` module, straight from
/// its arguments: no copies of them, no builder code in the module).
///
/// [`new`](Self::new), then each [`resource`](Self::resource), then each extra
/// [`param`](Self::param) (the URL holds them in the order they came), then
/// [`finish`](Self::finish).
pub struct AuthorizationUrl<'a> {
    endpoint: &'a Endpoint,
    query: String,
    resources: Vec<&'a str>,
    names: Vec<&'a str>,
}

impl<'a> AuthorizationUrl<'a> {
    /// Checks `client_id`, `state`, `code_challenge` (43 base64url characters, S256),
    /// `redirect_uri` and the `scope` tokens (space-separated; repeats dropped), in that
    /// order, and writes the endpoint's own query, then `response_type=code` up to
    /// `code_challenge_method=S256`.
    pub fn new(
        endpoint: &'a Endpoint,
        client_id: &str,
        state: &str,
        code_challenge: &str,
        redirect_uri: Option<&str>,
        scope: Option<&str>,
    ) -> Result<Self, Error> {
        if client_id.is_empty() {
            return Err(missing("client_id"));
        }
        if state.is_empty() {
            return Err(missing("state"));
        }
        crate::pkce::check_challenge(code_challenge)?;
        let mut query = endpoint.query().to_owned();
        form::append_pair(&mut query, "response_type", "code");
        form::append_pair(&mut query, "client_id", client_id);
        if let Some(uri) = redirect_uri {
            check_absolute_uri("redirect_uri", uri)?;
            form::append_pair(&mut query, "redirect_uri", uri);
        }
        // The tokens joined by spaces, encoded: a space is `%20`.
        let mut tokens = Vec::new();
        for token in split_byte(scope.unwrap_or_default(), b' ') {
            if token.is_empty() || tokens.contains(&token) {
                continue;
            }
            check_scope_token(token)?;
            query.push_str(if tokens.is_empty() { "&scope=" } else { "%20" });
            form::encode_into(&mut query, token);
            tokens.push(token);
        }
        form::append_pair(&mut query, "state", state);
        form::append_pair(&mut query, "code_challenge", code_challenge);
        form::append_pair(
            &mut query,
            "code_challenge_method",
            CodeChallengeMethod::S256.as_str(),
        );
        Ok(Self {
            endpoint,
            query,
            resources: Vec::new(),
            names: Vec::new(),
        })
    }

    /// A `resource` indicator (RFC 8707 §2), checked as [`AuthorizationRequest::resource`]
    /// checks it; one given before is not written again.
    pub fn resource(&mut self, resource: &'a str) -> Result<(), Error> {
        check_absolute_uri("resource", resource)?;
        if !self.resources.contains(&resource) {
            self.resources.push(resource);
            form::append_pair(&mut self.query, "resource", resource);
        }
        Ok(())
    }

    /// An extra parameter, checked as [`AuthorizationRequest::param`] checks it.
    pub fn param(&mut self, name: &'a str, value: &str) -> Result<(), Error> {
        check_param(name, self.names.contains(&name))?;
        self.names.push(name);
        form::append_pair(&mut self.query, name, value);
        Ok(())
    }

    /// The URL, unless a name in the endpoint's own query is one the request sets.
    pub fn finish(self) -> Result<String, Error> {
        for name in existing_names(self.endpoint.query()) {
            if RESERVED.contains(&name.as_str()) || self.names.contains(&name.as_str()) {
                return Err(duplicate(&name));
            }
        }
        Ok(self.endpoint.with_query(&self.query))
    }
}

impl core::fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let r = &self.0;
        f.debug_struct("AuthorizationRequest")
            .field("endpoint", &r.endpoint)
            .field("client_id", &r.client_id)
            .field("redirect_uri", &r.redirect_uri)
            .field("scopes", &r.scopes)
            .field("state", &r.state)
            .field("code_challenge", &r.code_challenge)
            .field("resources", &r.resources)
            .field("extra", &r.extra)
            .finish()
    }
}

/// A scope token (RFC 6749 §3.3): printable ASCII without `"` or `\`.
fn check_scope_token(token: &str) -> Result<(), Error> {
    if crate::text::all_in(token, crate::text::SCOPE) {
        Ok(())
    } else {
        Err(quoting(
            ErrorCode::InvalidParameter,
            &["scope "],
            token,
            &[" has a character RFC 6749 §3.3 does not allow"],
        ))
    }
}

/// An extra parameter's `name`: not empty, not one the builder sets, not `taken` before.
fn check_param(name: &str, taken: bool) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::new(
            ErrorCode::InvalidParameter,
            "an extra parameter needs a name",
        ));
    }
    if RESERVED.contains(&name) {
        return Err(Error::new(
            ErrorCode::DuplicateParameter,
            concat(&[
                "\"",
                name,
                "\" is set by its own option, not as an extra parameter",
            ]),
        ));
    }
    if taken {
        return Err(duplicate(name));
    }
    Ok(())
}

fn missing(name: &str) -> Error {
    Error::new(
        ErrorCode::MissingParameter,
        concat(&["the authorization request needs \"", name, "\""]),
    )
}

fn duplicate(name: &str) -> Error {
    quoting(
        ErrorCode::DuplicateParameter,
        &[],
        name,
        &[" would appear twice in the authorization request (RFC 6749 §3.1)"],
    )
}

/// Parameter names already in the endpoint's query, percent-decoded.
fn existing_names(query: &str) -> impl Iterator<Item = String> + '_ {
    split_byte(query, b'&')
        .filter(|p| !p.is_empty())
        .map(|p| decode_name(crate::text::before(p, b"=")))
}

/// A name as the authorization server reads it: percent-decoded, with U+FFFD for bytes
/// that are not UTF-8 (as `String::from_utf8_lossy`).
fn decode_name(raw: &str) -> String {
    crate::text::lossy(&form::decode_bytes(raw))
}

/// `scheme ":" ...` with no fragment and no whitespace or control characters (RFC 3986 §4.3).
fn check_absolute_uri(param: &str, uri: &str) -> Result<(), Error> {
    let scheme_ok = crate::text::split_once_byte(uri, b':').is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic())
            && crate::text::all_in(scheme, crate::text::SCHEME)
    });
    let clean = !crate::text::has_space_or_control(uri);
    if scheme_ok && clean && !crate::text::contains_any(uri, b"#") {
        Ok(())
    } else {
        Err(quoting(
            ErrorCode::InvalidParameter,
            &[param, " "],
            uri,
            &[" must be an absolute URI without a fragment, spaces or control characters"],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pkce::CodeVerifier;

    fn challenge() -> CodeChallenge {
        CodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
            .unwrap()
            .challenge()
    }

    fn base(endpoint: &str) -> AuthorizationRequest {
        AuthorizationRequest::new(endpoint, "my-client")
            .unwrap()
            .state("xyz")
            .unwrap()
            .code_challenge(&challenge())
    }

    #[test]
    fn builds_full_url_in_stable_order() {
        let url = base("https://as.example/authorize")
            .redirect_uri("http://127.0.0.1:53682/callback")
            .unwrap()
            .scope("openid profile")
            .unwrap()
            .resource("https://api.example/v1")
            .unwrap()
            .resource("https://other.example/")
            .unwrap()
            .param("prompt", "consent")
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(
            url,
            "https://as.example/authorize?response_type=code&client_id=my-client\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2Fcallback&scope=openid%20profile\
             &state=xyz&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
             &code_challenge_method=S256&resource=https%3A%2F%2Fapi.example%2Fv1\
             &resource=https%3A%2F%2Fother.example%2F&prompt=consent"
        );
    }

    #[test]
    fn keeps_existing_query() {
        let url = base("https://as.example/authorize?tenant=acme&x=a%20b")
            .build()
            .unwrap();
        assert!(
            url.starts_with("https://as.example/authorize?tenant=acme&x=a%20b&response_type=code&")
        );
    }

    #[test]
    fn encodes_hostile_values() {
        let url = base("https://as.example/a")
            .param("login_hint", "a&b=c\r\nSet-Cookie: x <script>")
            .unwrap()
            .build()
            .unwrap();
        assert!(url.ends_with("&login_hint=a%26b%3Dc%0D%0ASet-Cookie%3A%20x%20%3Cscript%3E"));
        assert!(!url.contains(['\r', '\n', ' ', '<']));
    }

    #[test]
    fn pkce_and_state_are_required() {
        let no_state = AuthorizationRequest::new("https://as.example/a", "c")
            .unwrap()
            .code_challenge(&challenge());
        assert_eq!(
            no_state.build().unwrap_err().code(),
            ErrorCode::MissingParameter
        );
        let no_pkce = AuthorizationRequest::new("https://as.example/a", "c")
            .unwrap()
            .state("s")
            .unwrap();
        assert_eq!(
            no_pkce.build().unwrap_err().code(),
            ErrorCode::MissingParameter
        );
        assert_eq!(
            AuthorizationRequest::new("https://as.example/a", "")
                .unwrap_err()
                .code(),
            ErrorCode::MissingParameter
        );
    }

    #[test]
    fn refuses_insecure_endpoint_but_allows_loopback() {
        assert_eq!(
            AuthorizationRequest::new("http://as.example/a", "c")
                .unwrap_err()
                .code(),
            ErrorCode::InsecureEndpoint
        );
        assert!(base("http://127.0.0.1:9000/a").build().is_ok());
        assert!(base("http://[::1]:9000/a").build().is_ok());
    }

    #[test]
    fn refuses_duplicates_and_reserved_extras() {
        assert_eq!(
            base("https://as.example/a")
                .param("state", "x")
                .unwrap_err()
                .code(),
            ErrorCode::DuplicateParameter
        );
        assert_eq!(
            base("https://as.example/a")
                .param("p", "1")
                .unwrap()
                .param("p", "2")
                .unwrap_err()
                .code(),
            ErrorCode::DuplicateParameter
        );
        assert_eq!(
            base("https://as.example/a?client_id=evil")
                .build()
                .unwrap_err()
                .code(),
            ErrorCode::DuplicateParameter
        );
        assert_eq!(
            base("https://as.example/a?%63lient_id=evil")
                .build()
                .unwrap_err()
                .code(),
            ErrorCode::DuplicateParameter
        );
        assert_eq!(
            base("https://as.example/a?prompt=none")
                .param("prompt", "login")
                .unwrap()
                .build()
                .unwrap_err()
                .code(),
            ErrorCode::DuplicateParameter
        );
        assert_eq!(
            base("https://as.example/a")
                .param("", "x")
                .unwrap_err()
                .code(),
            ErrorCode::InvalidParameter
        );
    }

    #[test]
    fn resource_and_redirect_must_be_absolute_without_fragment() {
        for bad in [
            "/relative",
            "api.example",
            "https://api.example/#f",
            "https://a b",
            "",
            "1http://x",
        ] {
            assert_eq!(
                base("https://as.example/a")
                    .resource(bad)
                    .unwrap_err()
                    .code(),
                ErrorCode::InvalidParameter,
                "{bad}"
            );
            assert_eq!(
                base("https://as.example/a")
                    .redirect_uri(bad)
                    .unwrap_err()
                    .code(),
                ErrorCode::InvalidParameter,
                "{bad}"
            );
        }
        assert!(
            base("https://as.example/a")
                .redirect_uri("com.example.app:/oauth2redirect")
                .is_ok()
        );
    }

    #[test]
    fn scopes_are_validated_and_deduplicated() {
        let url = base("https://as.example/a")
            .scope("  a b ")
            .unwrap()
            .scope("b c")
            .unwrap()
            .build()
            .unwrap();
        assert!(url.contains("&scope=a%20b%20c&"));
        for bad in ["a\"b", "a\\b", "é", "a\tb"] {
            assert_eq!(
                base("https://as.example/a").scope(bad).unwrap_err().code(),
                ErrorCode::InvalidParameter
            );
        }
        let url = base("https://as.example/a")
            .scope("")
            .unwrap()
            .build()
            .unwrap();
        assert!(!url.contains("scope="));
    }

    #[test]
    fn decode_name_handles_truncated_escapes() {
        assert_eq!(decode_name("a%"), "a%");
        assert_eq!(decode_name("a%4"), "a%4");
        assert_eq!(decode_name("%41+b"), "A b");
        assert_eq!(decode_name("%zz"), "%zz");
        assert_eq!(decode_name("%FF%C3"), "\u{fffd}\u{fffd}");
    }

    #[test]
    fn a_lossy_decoded_name_still_collides() {
        assert_eq!(
            base("https://as.example/a?%FF=1")
                .param("\u{fffd}", "x")
                .unwrap()
                .build()
                .unwrap_err()
                .code(),
            ErrorCode::DuplicateParameter
        );
        assert!(
            base("https://as.example/a?%FF=1")
                .param("\u{fffe}", "x")
                .unwrap()
                .build()
                .is_ok()
        );
    }

    /// `build` as it was before [`AuthorizationUrl`]: the oracle of the tests below.
    fn build_before(r: &AuthorizationRequest) -> Result<String, Error> {
        let r = &r.0;
        let state = r.state.as_deref().ok_or_else(|| missing("state"))?;
        let challenge = r
            .code_challenge
            .as_deref()
            .ok_or_else(|| missing("code_challenge"))?;
        let existing = r.endpoint.query();
        for name in existing_names(existing) {
            if RESERVED.contains(&name.as_str()) || r.extra.iter().any(|(n, _)| *n == name) {
                return Err(duplicate(&name));
            }
        }
        let mut q = existing.to_owned();
        form::append_pair(&mut q, "response_type", "code");
        form::append_pair(&mut q, "client_id", &r.client_id);
        if let Some(uri) = &r.redirect_uri {
            form::append_pair(&mut q, "redirect_uri", uri);
        }
        if let Some((first, more)) = r.scopes.split_first() {
            form::append_pair(&mut q, "scope", first);
            for token in more {
                q.push_str("%20");
                form::encode_into(&mut q, token);
            }
        }
        form::append_pair(&mut q, "state", state);
        form::append_pair(&mut q, "code_challenge", challenge);
        form::append_pair(&mut q, "code_challenge_method", "S256");
        for res in &r.resources {
            form::append_pair(&mut q, "resource", res);
        }
        for (n, v) in &r.extra {
            form::append_pair(&mut q, n, v);
        }
        Ok(r.endpoint.with_query(&q))
    }

    /// An error as the tests compare it: its code and its message.
    fn seen(r: Result<String, Error>) -> Result<String, (ErrorCode, String)> {
        r.map_err(|e| (e.code(), e.message().to_owned()))
    }

    /// One generated request's parts, in the order the browser's module reads them.
    struct Parts {
        endpoint: &'static str,
        client_id: &'static str,
        redirect_uri: Option<&'static str>,
        scope: Option<String>,
        state: &'static str,
        challenge: &'static str,
        resources: Vec<&'static str>,
        params: Vec<(&'static str, &'static str)>,
    }

    /// A pseudo-random number below `n`, from a linear congruential `seed`.
    fn below(seed: &mut u64, n: usize) -> usize {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(*seed >> 33).unwrap_or(0) % n
    }

    /// Deterministic pseudo-random parts, from small sets that meet every check and
    /// every collision often.
    fn parts(seed: &mut u64) -> Parts {
        let mut next = |n: usize| below(seed, n);
        const ENDPOINTS: [&str; 9] = [
            "https://as.example/authorize",
            "https://as.example/a?tenant=acme&x=a%20b",
            "https://as.example/a?client_id=evil",
            "https://as.example/a?%63lient_id=evil",
            "https://as.example/a?prompt=none&&p",
            "https://as.example/a?%FF=1",
            "http://as.example/a",
            "http://127.0.0.1:9000/a?x",
            "not a url",
        ];
        const URIS: [&str; 7] = [
            "http://127.0.0.1:53682/callback",
            "https://api.example/v1",
            "com.example.app:/oauth2redirect",
            "/relative",
            "https://api.example/#f",
            "https://a b",
            "",
        ];
        const TOKENS: [&str; 10] = [
            "openid", "a", "b", "", "profile", "a", "b", "a\"b", "é", "x\\y",
        ];
        const CHALLENGES: [&str; 4] = [
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",
            "",
        ];
        const NAMES: [&str; 9] = [
            "prompt", "p", "x", "", "state", "resource", "\u{fffd}", "tenant", "a b&",
        ];
        const VALUES: [&str; 4] = ["", "consent", "a&b=c\r\n", "é ü"];
        let endpoint = ENDPOINTS[next(ENDPOINTS.len())];
        // Mostly parts that pass, so that many requests get through every check.
        let uri = |next: &mut dyn FnMut(usize) -> usize| {
            URIS[next(URIS.len()).saturating_sub(next(2) * 4)]
        };
        let client_id = ["app", "my client", "app", ""][next(4)];
        let redirect_uri = (next(3) > 0).then(|| uri(&mut next));
        let scope = (next(3) > 0).then(|| {
            let mut scope = String::new();
            for _ in 0..next(5) {
                scope.push_str(TOKENS[next(TOKENS.len()).saturating_sub(next(2) * 3)]);
                scope.push_str(["", " ", "  "][next(3)]);
            }
            scope
        });
        let state = ["xyz", "s", "xyz", ""][next(4)];
        let challenge = CHALLENGES[next(CHALLENGES.len()).saturating_sub(next(2) * 3)];
        let resources = (0..next(4)).map(|_| uri(&mut next)).collect();
        let params = (0..next(4))
            .map(|_| (NAMES[next(NAMES.len())], VALUES[next(VALUES.len())]))
            .collect();
        Parts {
            endpoint,
            client_id,
            redirect_uri,
            scope,
            state,
            challenge,
            resources,
            params,
        }
    }

    /// The browser module's calls before [`AuthorizationUrl`]: the builder, its setters in
    /// the order the module called them, and [`build_before`].
    fn with_builder(p: &Parts) -> Result<String, Error> {
        let mut req = AuthorizationRequest::new(p.endpoint, p.client_id)?
            .state(p.state)?
            .code_challenge(&CodeChallenge::new(p.challenge)?);
        if let Some(uri) = p.redirect_uri {
            req = req.redirect_uri(uri)?;
        }
        if let Some(scope) = &p.scope {
            req = req.scope(scope)?;
        }
        for r in &p.resources {
            req = req.resource(r)?;
        }
        for (n, v) in &p.params {
            req = req.param(n, v)?;
        }
        let (now, before) = (req.build(), build_before(&req));
        assert_eq!(seen(now.clone()), seen(before));
        now
    }

    /// The browser module's calls now: one [`AuthorizationUrl`].
    fn in_one_pass(p: &Parts) -> Result<String, Error> {
        let endpoint = Endpoint::parse(p.endpoint)?;
        let mut url = AuthorizationUrl::new(
            &endpoint,
            p.client_id,
            p.state,
            p.challenge,
            p.redirect_uri,
            p.scope.as_deref(),
        )?;
        for r in &p.resources {
            url.resource(r)?;
        }
        for (n, v) in &p.params {
            url.param(n, v)?;
        }
        url.finish()
    }

    #[test]
    fn one_pass_gives_the_builder_s_url_and_errors() {
        let (mut seed, mut urls, mut codes) = (7u64, 0, alloc::collections::BTreeSet::new());
        for _ in 0..40_000 {
            let p = parts(&mut seed);
            let (builder, one_pass) = (seen(with_builder(&p)), seen(in_one_pass(&p)));
            assert_eq!(builder, one_pass, "{:?}", p.endpoint);
            match one_pass {
                Ok(_) => urls += 1,
                Err((code, message)) => {
                    codes.insert((code.as_str(), message));
                }
            }
        }
        // Both outcomes, and every kind of error, came up many times.
        assert!(urls > 1000, "{urls}");
        assert!(codes.len() > 30, "{}", codes.len());
    }
}
