//! Absolute `http(s)` endpoint URLs of an authorization server.
//!
//! RFC 6749 §3.1 and §3.2 require TLS for the authorization and token endpoints and forbid
//! a fragment; RFC 8252 §8.3 allows plain `http` only for loopback. This is a deliberately
//! small parser for exactly those URLs, so the wasm module carries no general URL library.

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

use crate::error::{Error, ErrorCode, excerpt, quoting};
use crate::ip_literal;
use crate::text::{
    concat, contains_any, cut, position, rsplit_once_byte, split_once, split_once_byte,
};

/// A parsed `http`/`https` endpoint URL with no fragment and no user information.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    secure: bool,
    host: String,
    port: Option<u16>,
    path: String,
    query: String,
}

fn invalid(input: &str, why: &str) -> Error {
    quoting(
        ErrorCode::InvalidUrl,
        &[],
        input,
        &[" is not a usable endpoint URL: ", why],
    )
}

/// What to say about an input without `scheme://`: the rule (http only on loopback, RFC
/// 8252 §8.3) and, for a bare `host:port`, the URL that was probably meant.
fn missing_scheme(input: &str) -> String {
    let rule =
        "it needs a scheme: https://, or http:// on a loopback host (localhost, 127.0.0.1, [::1])";
    let host = crate::text::before(input, b"/?");
    let bare_host = !host.is_empty()
        && crate::text::find(input, "//").is_none()
        && split_host_port(host).is_some_and(|(h, _)| !h.is_empty());
    if !bare_host {
        return rule.to_owned();
    }
    let loopback =
        Endpoint::parse_any_scheme(&concat(&["http://", input])).is_ok_and(|e| e.is_loopback());
    let scheme = if loopback { "http" } else { "https" };
    concat(&[
        rule,
        "; did you mean \"",
        scheme,
        "://",
        &excerpt(input),
        "\"?",
    ])
}

/// Bytes allowed as they are in a path or query; the rest of printable ASCII, and every
/// byte of a non-ASCII character's UTF-8 form, is percent-encoded (RFC 3986 §2.1).
fn push_path_or_query(out: &mut String, part: &str) {
    for b in part.bytes() {
        if b.is_ascii()
            && !matches!(
                b,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
            )
        {
            out.push(char::from(b));
        } else {
            crate::form::push_percent_encoded(out, b);
        }
    }
}

impl Endpoint {
    /// Parses `input` and applies the transport rule: `https` anywhere, `http` only on a
    /// loopback host (`localhost`, `127.0.0.0/8`, `[::1]`).
    pub fn parse(input: &str) -> Result<Self, Error> {
        let ep = Self::parse_any_scheme(input)?;
        if !ep.secure && !ep.is_loopback() {
            return Err(quoting(
                ErrorCode::InsecureEndpoint,
                &[],
                input,
                &[
                    " uses plain http on a host that is not loopback; OAuth endpoints must use https (RFC 6749 §3.1, RFC 8252 §8.3)",
                ],
            ));
        }
        Ok(ep)
    }

    fn parse_any_scheme(input: &str) -> Result<Self, Error> {
        if crate::text::has_space_or_control(input) {
            return Err(invalid(
                input,
                "it contains whitespace or control characters",
            ));
        }
        let (scheme, rest) =
            split_once(input, "://").ok_or_else(|| invalid(input, &missing_scheme(input)))?;
        let secure = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            false
        } else {
            return Err(invalid(input, "only http and https are supported"));
        };
        if contains_any(rest, b"#") {
            return Err(invalid(
                input,
                "an endpoint must not have a fragment (RFC 6749 §3.1)",
            ));
        }
        let authority_end = position(rest, b"/?").unwrap_or(rest.len());
        let (authority, tail) = cut(rest, authority_end, 0).unwrap_or((rest, ""));
        if contains_any(authority, b"@") {
            return Err(invalid(input, "user information in the URL is not allowed"));
        }
        let (host, port) = split_host_port(authority)
            .ok_or_else(|| invalid(input, "the host or port is malformed"))?;
        let (path, query) = split_once_byte(tail, b'?').unwrap_or((tail, ""));
        let mut enc_path = String::new();
        push_path_or_query(&mut enc_path, if path.is_empty() { "/" } else { path });
        let mut enc_query = String::new();
        push_path_or_query(&mut enc_query, query);
        Ok(Self {
            secure,
            host,
            port,
            path: enc_path,
            query: enc_query,
        })
    }

    /// True for `localhost`, any `127.0.0.0/8` address and `::1`.
    pub fn is_loopback(&self) -> bool {
        if self.host == "localhost" {
            return true;
        }
        // A host is `[` IPv6 `]` or a name without brackets (see `split_host_port`).
        // (Patterns here are `&str`, not `char`: no UTF-8 encoding in the browser's module.)
        let bare = self
            .host
            .strip_prefix("[")
            .and_then(|h| h.strip_suffix("]"))
            .unwrap_or(&self.host);
        ip_literal::parse_ip(bare).is_some_and(|ip| ip.is_loopback())
    }

    /// True for `https`.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// The lower-cased host; IPv6 literals keep their brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The explicit port, if the URL has one.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The path, at least `/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query the endpoint already carries (without `?`), kept by every request built on it.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The endpoint as a URL, normalized: what `Display` prints, without `core::fmt`.
    pub fn url(&self) -> String {
        self.with_query(&self.query)
    }

    /// The URL with `query` in place of the endpoint's own query.
    pub fn with_query(&self, query: &str) -> String {
        let mut s = concat(&[if self.secure { "https://" } else { "http://" }, &self.host]);
        if let Some(p) = self.port {
            s.push(':');
            crate::text::push_decimal(&mut s, u64::from(p));
        }
        s.push_str(&self.path);
        if !query.is_empty() {
            s.push('?');
            s.push_str(query);
        }
        s
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url())
    }
}

/// The bytes a host name may have here: letters, digits, `-`, `.` and `_` (a subset of
/// RFC 3986 §3.2.2 `reg-name`; no percent-encoding, no IDN).
fn is_host_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')
}

fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    // The host as written (an IPv6 literal with its brackets), and the port text.
    let (host, port) = match authority.strip_prefix("[") {
        Some(rest) => {
            let (v6, after) = split_once_byte(rest, b']')?;
            ip_literal::parse_ipv6(v6)?;
            let host = authority.get(..v6.len() + 2)?;
            match after {
                "" => (host, None),
                p => (host, Some(p.strip_prefix(":")?)),
            }
        }
        None => {
            let (h, p) = match rsplit_once_byte(authority, b':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            };
            if h.is_empty() || !crate::text::all_in(h, is_host_char) {
                return None;
            }
            (h, p)
        }
    };
    let port = match port {
        None => None,
        Some(p)
            if !p.is_empty() && p.len() <= 5 && crate::text::all_in(p, |b| b.is_ascii_digit()) =>
        {
            // At most five digits: no overflow in `u32` (leading zeros are read, as
            // `u16::from_str` reads them).
            let n = p.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
            Some(u16::try_from(n).ok()?)
        }
        Some(_) => return None,
    };
    Some((host.to_ascii_lowercase(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_https_with_port_path_and_query() {
        let e =
            Endpoint::parse("HTTPS://Auth.Example.com:8443/oauth/authorize?tenant=a%20b").unwrap();
        assert!(e.is_secure());
        assert_eq!(e.host(), "auth.example.com");
        assert_eq!(e.port(), Some(8443));
        assert_eq!(e.path(), "/oauth/authorize");
        assert_eq!(e.query(), "tenant=a%20b");
        assert_eq!(
            e.to_string(),
            "https://auth.example.com:8443/oauth/authorize?tenant=a%20b"
        );
    }

    #[test]
    fn empty_path_becomes_slash() {
        assert_eq!(
            Endpoint::parse("https://a.example").unwrap().to_string(),
            "https://a.example/"
        );
        assert_eq!(
            Endpoint::parse("https://a.example?x=1")
                .unwrap()
                .to_string(),
            "https://a.example/?x=1"
        );
    }

    #[test]
    fn http_only_on_loopback() {
        for ok in [
            "http://localhost:3000/auth",
            "http://127.0.0.1/auth",
            "http://127.9.9.9:1/auth",
            "http://[::1]:8080/auth",
        ] {
            let e = Endpoint::parse(ok).unwrap();
            assert!(e.is_loopback(), "{ok}");
        }
        for bad in [
            "http://example.com/auth",
            "http://10.0.0.1/auth",
            "http://localhost.evil.com/auth",
            "http://[::2]/auth",
            "http://0.0.0.0/auth",
        ] {
            assert_eq!(
                Endpoint::parse(bad).unwrap_err().code(),
                ErrorCode::InsecureEndpoint,
                "{bad}"
            );
        }
    }

    #[test]
    fn a_missing_scheme_names_the_rule_and_the_likely_url() {
        for (input, meant) in [
            ("127.0.0.1:4499", Some("http://127.0.0.1:4499")),
            ("localhost:3000/auth", Some("http://localhost:3000/auth")),
            ("auth.example.com", Some("https://auth.example.com")),
            ("http//127.0.0.1:4000", None),
            ("", None),
        ] {
            let e = Endpoint::parse(input).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidUrl, "{input}");
            assert!(
                e.message().contains("or http:// on a loopback host"),
                "{input}: {}",
                e.message()
            );
            match meant {
                Some(url) => assert!(
                    e.message().contains(&format!("did you mean \"{url}\"")),
                    "{input}: {}",
                    e.message()
                ),
                None => assert!(!e.message().contains("did you mean"), "{}", e.message()),
            }
        }
    }

    #[test]
    fn malformed_urls_are_invalid() {
        for bad in [
            "",
            "example.com/auth",
            "ftp://example.com/",
            "https://",
            "https://:443/",
            "https://a.example:99999/",
            "https://a.example:/",
            "https://a.example:8a/",
            "https://user:pw@a.example/",
            "https://a.example/auth#frag",
            "https://a.example/a b",
            "https://a.example/\r\nX: y",
            "https://[::1/",
            "https://[zz::1]/",
            "https://exa mple.com/",
            "https://éxample.com/",
        ] {
            assert_eq!(
                Endpoint::parse(bad).unwrap_err().code(),
                ErrorCode::InvalidUrl,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn error_message_neutralizes_escape_sequences() {
        let err = Endpoint::parse("https://a.example/\u{1b}[2J").unwrap_err();
        assert!(!err.message().contains('\u{1b}'));
    }

    #[test]
    fn unsafe_path_characters_are_encoded() {
        let e = Endpoint::parse("https://a.example/p\"<é>?q=|").unwrap();
        assert_eq!(e.to_string(), "https://a.example/p%22%3C%C3%A9%3E?q=%7C");
    }
}
