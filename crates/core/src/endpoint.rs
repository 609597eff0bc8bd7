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
use crate::text::{concat, contains_any, rsplit_once_byte, split_once, split_once_byte};

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
    // (`split_host_port` never gives an empty host.)
    let bare_host = match split_host_port(host) {
        Some((host, _)) if crate::text::find(input, "//").is_none() => host,
        _ => return rule.to_owned(),
    };
    // What parsing `http://` + `input` would say: that URL has a usable host, so only a
    // fragment makes it fail (no spaces or controls, no `://` in `input`, no `@` in a
    // host `split_host_port` takes), then its host is loopback or not.
    let loopback = !contains_any(input, b"#") && is_loopback_host(&bare_host);
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

/// [`Endpoint::is_loopback`] for a host as `split_host_port` gives it.
fn is_loopback_host(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    // A host is `[` IPv6 `]` or a name without brackets (see `split_host_port`).
    // (A slice pattern, not `strip_prefix`: less code in the browser's module.)
    let bare = match host.as_bytes() {
        [b'[', .., b']'] => host.get(1..host.len() - 1).unwrap_or(host),
        _ => host,
    };
    ip_literal::is_loopback(bare)
}

/// Bytes allowed as they are in a path or query; the rest of printable ASCII, and every
/// byte of a non-ASCII character's UTF-8 form, is percent-encoded (RFC 3986 §2.1).
fn push_path_or_query(out: &mut String, part: &str) {
    for b in part.bytes() {
        if crate::text::in_class(b, crate::text::PATH) {
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
        // Lower-cased as the host is: one helper instead of two.
        let scheme = scheme.to_ascii_lowercase();
        let secure = if scheme == "https" {
            true
        } else if scheme == "http" {
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
        let authority = crate::text::before(rest, b"/?");
        let tail = rest.get(authority.len()..rest.len()).unwrap_or_default();
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
        is_loopback_host(&self.host)
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

fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    // The host as written (an IPv6 literal with its brackets), and the port text: after
    // the last `:`, unless a `]` follows it (an IPv6 literal always has a colon).
    let (host, port) = match rsplit_once_byte(authority, b':') {
        Some((h, p)) if !contains_any(p, b"]") => (h, Some(p)),
        _ => (authority, None),
    };
    let valid = match host.as_bytes() {
        [b'[', .., b']'] => host.get(1..host.len() - 1).is_some_and(ip_literal::is_ipv6),
        _ => !host.is_empty() && crate::text::all_in(host, crate::text::HOST),
    };
    if !valid {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.len() <= 5 && crate::text::all_in(p, crate::text::DIGIT) => {
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

    /// `missing_scheme` as it was first written: `http://` + the input parsed again.
    fn missing_scheme_by_parsing_again(input: &str) -> String {
        let rule = "it needs a scheme: https://, or http:// on a loopback host (localhost, 127.0.0.1, [::1])";
        let host = crate::text::before(input, b"/?");
        let bare_host = !host.is_empty()
            && crate::text::find(input, "//").is_none()
            && split_host_port(host).is_some_and(|(h, _)| !h.is_empty());
        if !bare_host {
            return rule.to_owned();
        }
        let loopback =
            Endpoint::parse_any_scheme(&format!("http://{input}")).is_ok_and(|e| e.is_loopback());
        let scheme = if loopback { "http" } else { "https" };
        format!("{rule}; did you mean \"{scheme}://{}\"?", excerpt(input))
    }

    #[test]
    fn missing_scheme_says_what_parsing_again_would() {
        // Every string up to 6 bytes over the bytes that steer it, and generated ones;
        // as `parse_any_scheme` calls it: no `://`, no spaces or controls.
        let alphabet = b"l1:/.#[]?@";
        let mut current = vec![String::new()];
        let check = |s: &str| {
            if !s.contains("://") && !crate::text::has_space_or_control(s) {
                assert_eq!(
                    missing_scheme(s),
                    missing_scheme_by_parsing_again(s),
                    "{s:?}"
                );
            }
        };
        for _ in 0..6 {
            let mut next = Vec::new();
            for s in &current {
                check(s);
                for &b in alphabet {
                    next.push(format!("{s}{}", char::from(b)));
                }
            }
            current = next;
        }
        for host in [
            "localhost",
            "LOCALHOST",
            "localhost.evil",
            "127.0.0.1",
            "127.9.9.9",
            "10.0.0.1",
            "[::1]",
            "[::2]",
            "[0:0:0:0:0:0:0:1]",
            "[::ffff:127.0.0.1]",
            "a.example",
            "a@b",
            "[::1",
            "é.example",
            "",
        ] {
            for port in ["", ":80", ":", ":99999", ":8a"] {
                for tail in ["", "/", "/a?b", "?x", "#f", "/a#f", "//x", "/p//q", "/é"] {
                    check(&format!("{host}{port}{tail}"));
                }
            }
        }
    }

    /// `split_host_port` as it was first written: the bracketed host first, then the port.
    fn split_host_port_by_brackets(authority: &str) -> Option<(String, Option<u16>)> {
        let (host, port) = match authority.strip_prefix('[') {
            Some(rest) => {
                let (v6, after) = rest.split_once(']')?;
                ip_literal::parse_ipv6(v6)?;
                let host = authority.get(..v6.len() + 2)?;
                match after {
                    "" => (host, None),
                    p => (host, Some(p.strip_prefix(':')?)),
                }
            }
            None => {
                let (h, p) = match authority.rsplit_once(':') {
                    Some((h, p)) => (h, Some(p)),
                    None => (authority, None),
                };
                if h.is_empty()
                    || !h
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
                {
                    return None;
                }
                (h, p)
            }
        };
        let port = match port {
            None => None,
            Some(p) => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|_| p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))?,
            ),
        };
        Some((host.to_ascii_lowercase(), port))
    }

    #[test]
    fn split_host_port_matches_the_bracket_first_reading() {
        // Every string up to 7 bytes over the bytes that steer it, and generated ones.
        let alphabet = b"[]:1aA.";
        let mut current = vec![String::new()];
        for _ in 0..7 {
            let mut next = Vec::new();
            for s in &current {
                assert_eq!(split_host_port(s), split_host_port_by_brackets(s), "{s:?}");
                for &b in alphabet {
                    next.push(format!("{s}{}", char::from(b)));
                }
            }
            current = next;
        }
        let hosts = [
            "",
            "a",
            "A.b-c_d",
            "[::1]",
            "[::FFFF:127.0.0.1]",
            "[1:2:3:4:5:6:7:8]",
            "[::1",
            "::1]",
            "[]",
            "[[::1]]",
            "[::1]]",
            "[::g]",
            "127.0.0.1",
            "é",
            "a b",
            "[v1.x]",
        ];
        let ports = [
            "", ":", ":0", ":80", ":00080", ":65535", ":65536", ":99999", ":123456", ":8a", ":+1",
            "::80", ":80]", "]:80", "x", ":-1", ":٣",
        ];
        for host in hosts {
            for port in ports {
                for extra in ["", "]", ":1", "[", "x"] {
                    let s = format!("{host}{port}{extra}");
                    assert_eq!(
                        split_host_port(&s),
                        split_host_port_by_brackets(&s),
                        "{s:?}"
                    );
                }
            }
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
