//! Absolute `http(s)` endpoint URLs of an authorization server.
//!
//! RFC 6749 §3.1 and §3.2 require TLS for the authorization and token endpoints and forbid
//! a fragment; RFC 8252 §8.3 allows plain `http` only for loopback. This is a deliberately
//! small parser for exactly those URLs, so the wasm module carries no general URL library.

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;
use core::net::{IpAddr, Ipv6Addr};

use crate::error::{Error, ErrorCode, excerpt};

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
    Error::new(
        ErrorCode::InvalidUrl,
        format!("\"{}\" is not a usable endpoint URL: {why}", excerpt(input)),
    )
}

/// What to say about an input without `scheme://`: the rule (http only on loopback, RFC
/// 8252 §8.3) and, for a bare `host:port`, the URL that was probably meant.
fn missing_scheme(input: &str) -> String {
    let rule =
        "it needs a scheme: https://, or http:// on a loopback host (localhost, 127.0.0.1, [::1])";
    let host = input.split(['/', '?']).next().unwrap_or("");
    let bare_host = !host.is_empty()
        && !input.contains("//")
        && split_host_port(host).is_some_and(|(h, _)| !h.is_empty());
    if !bare_host {
        return rule.to_owned();
    }
    let loopback =
        Endpoint::parse_any_scheme(&format!("http://{input}")).is_ok_and(|e| e.is_loopback());
    let scheme = if loopback { "http" } else { "https" };
    format!("{rule}; did you mean \"{scheme}://{}\"?", excerpt(input))
}

/// Bytes allowed as they are in a path or query; the rest of printable ASCII is encoded.
fn push_path_or_query(out: &mut String, part: &str) {
    for c in part.chars() {
        if c.is_ascii() && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}') {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
}

impl Endpoint {
    /// Parses `input` and applies the transport rule: `https` anywhere, `http` only on a
    /// loopback host (`localhost`, `127.0.0.0/8`, `[::1]`).
    pub fn parse(input: &str) -> Result<Self, Error> {
        let ep = Self::parse_any_scheme(input)?;
        if !ep.secure && !ep.is_loopback() {
            return Err(Error::new(
                ErrorCode::InsecureEndpoint,
                format!(
                    "\"{}\" uses plain http on a host that is not loopback; OAuth endpoints must use https (RFC 6749 §3.1, RFC 8252 §8.3)",
                    excerpt(input)
                ),
            ));
        }
        Ok(ep)
    }

    fn parse_any_scheme(input: &str) -> Result<Self, Error> {
        if input.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(invalid(
                input,
                "it contains whitespace or control characters",
            ));
        }
        let (scheme, rest) = input
            .split_once("://")
            .ok_or_else(|| invalid(input, &missing_scheme(input)))?;
        let secure = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            false
        } else {
            return Err(invalid(input, "only http and https are supported"));
        };
        if rest.contains('#') {
            return Err(invalid(
                input,
                "an endpoint must not have a fragment (RFC 6749 §3.1)",
            ));
        }
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        if authority.contains('@') {
            return Err(invalid(input, "user information in the URL is not allowed"));
        }
        let (host, port) = split_host_port(authority)
            .ok_or_else(|| invalid(input, "the host or port is malformed"))?;
        let (path, query) = match tail.split_once('?') {
            Some((p, q)) => (p, q),
            None => (tail, ""),
        };
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
        let bare = self.host.trim_start_matches('[').trim_end_matches(']');
        bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
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

    /// The URL with `query` in place of the endpoint's own query.
    pub fn with_query(&self, query: &str) -> String {
        let mut s = format!(
            "{}://{}",
            if self.secure { "https" } else { "http" },
            self.host
        );
        if let Some(p) = self.port {
            s.push_str(&format!(":{p}"));
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
        f.write_str(&self.with_query(&self.query))
    }
}

fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        v6.parse::<Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (format!("[{}]", v6.to_ascii_lowercase()), port)
    } else {
        let (h, p) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let ok = !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
        if !ok {
            return None;
        }
        (h.to_ascii_lowercase(), p)
    };
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().ok()?)
        }
        Some(_) => return None,
    };
    Some((host, port))
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
