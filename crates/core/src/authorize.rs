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
            if !crate::text::all_in(token, crate::text::SCOPE) {
                return Err(quoting(
                    ErrorCode::InvalidParameter,
                    &["scope "],
                    token,
                    &[" has a character RFC 6749 §3.3 does not allow"],
                ));
            }
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
        if self.0.extra.iter().any(|(n, _)| n == name) {
            return Err(duplicate(name));
        }
        self.0.extra.push((name.to_owned(), value.to_owned()));
        Ok(self)
    }

    /// The authorization URL: the endpoint's own query first, then `response_type=code`,
    /// `client_id`, `redirect_uri`, `scope`, `state`, `code_challenge`,
    /// `code_challenge_method=S256`, each `resource`, then the extra parameters.
    pub fn build(&self) -> Result<String, Error> {
        let state = self.0.state.as_deref().ok_or_else(|| missing("state"))?;
        let challenge = self
            .0
            .code_challenge
            .as_deref()
            .ok_or_else(|| missing("code_challenge"))?;
        let existing = self.0.endpoint.query();
        for name in existing_names(existing) {
            if RESERVED.contains(&name.as_str()) || self.0.extra.iter().any(|(n, _)| *n == name) {
                return Err(duplicate(&name));
            }
        }
        let mut q = existing.to_owned();
        form::append_pair(&mut q, "response_type", "code");
        form::append_pair(&mut q, "client_id", &self.0.client_id);
        if let Some(uri) = &self.0.redirect_uri {
            form::append_pair(&mut q, "redirect_uri", uri);
        }
        if let Some((first, more)) = self.0.scopes.split_first() {
            // The tokens joined by spaces, encoded: a space is `%20`.
            form::append_pair(&mut q, "scope", first);
            for token in more {
                q.push_str("%20");
                form::encode_into(&mut q, token);
            }
        }
        form::append_pair(&mut q, "state", state);
        form::append_pair(&mut q, "code_challenge", challenge);
        form::append_pair(
            &mut q,
            "code_challenge_method",
            CodeChallengeMethod::S256.as_str(),
        );
        for r in &self.0.resources {
            form::append_pair(&mut q, "resource", r);
        }
        for (n, v) in &self.0.extra {
            form::append_pair(&mut q, n, v);
        }
        Ok(self.0.endpoint.with_query(&q))
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
}
