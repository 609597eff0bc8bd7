//! Loopback redirect URIs for native apps (RFC 8252 §7.3, §8.3).
//!
//! Which addresses the callback server may bind is a protocol decision, so it is made here
//! and every driver (the addon in Node and Bun, `Deno.listen` in Deno) binds exactly these.

#[allow(unused_imports)]
use crate::prelude::*;

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::{Error, ErrorCode, quoting};
use crate::ip_literal;
use crate::text::concat;

/// A loopback host as the user named it: the name `localhost`, or one literal address:
/// an IPv4 address in 127.0.0.0/8, or `::1`, the one IPv6 loopback address (RFC 4291
/// §2.5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LoopbackHost {
    Localhost,
    V4(Ipv4Addr),
    V6,
}

fn parse_host(hostname: &str) -> Result<LoopbackHost, Error> {
    if hostname.eq_ignore_ascii_case("localhost") {
        return Ok(LoopbackHost::Localhost);
    }
    // (A slice pattern, not `strip_prefix`: less code in the browser's module.)
    let bare = match hostname.as_bytes() {
        [b'[', .., b']'] => hostname.get(1..hostname.len() - 1).unwrap_or(hostname),
        _ => hostname,
    };
    // What `IpAddr::from_str` reads: an IPv4 address first, else an IPv6 one.
    match ip_literal::parse_ipv4(bare) {
        Some(v4) if v4.is_loopback() => Ok(LoopbackHost::V4(v4)),
        None if ip_literal::is_loopback(bare) => Ok(LoopbackHost::V6),
        _ => Err(quoting(
            ErrorCode::NotLoopback,
            &[],
            hostname,
            &[
                " is not a loopback host; the callback server binds only localhost, 127.0.0.0/8 or ::1 (RFC 8252 §8.3)",
            ],
        )),
    }
}

/// The addresses to bind for a loopback host name.
///
/// `localhost` means 127.0.0.1 and, where the machine has it, ::1 on the same port;
/// a literal loopback address means just that address. Anything else (a LAN address,
/// `0.0.0.0`, a DNS name) is refused: the callback must never be reachable from outside.
pub fn bind_addresses(hostname: &str) -> Result<Vec<IpAddr>, Error> {
    Ok(match parse_host(hostname)? {
        LoopbackHost::Localhost => vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ],
        LoopbackHost::V4(v4) => vec![IpAddr::V4(v4)],
        LoopbackHost::V6 => vec![IpAddr::V6(Ipv6Addr::LOCALHOST)],
    })
}

/// Checks a callback path: absolute, no query or fragment, no control characters.
pub fn validate_callback_path(path: &str) -> Result<(), Error> {
    let ok = path.starts_with("/")
        && !crate::text::contains_any(path, b"?#")
        && !crate::text::has_space_or_control(path);
    if ok {
        Ok(())
    } else {
        Err(quoting(
            ErrorCode::InvalidParameter,
            &["callbackPath "],
            path,
            &[" must start with / and contain no query, fragment, spaces or control characters"],
        ))
    }
}

/// The callback path as served: `auth/cb` becomes `/auth/cb` (as `oauth-callback` serves
/// it), then checked by [`validate_callback_path`]. An empty path is refused.
pub fn normalize_callback_path(path: &str) -> Result<String, Error> {
    if path.is_empty() {
        return Err(Error::new(
            ErrorCode::InvalidParameter,
            "callbackPath must not be empty",
        ));
    }
    let path = if path.starts_with("/") {
        path.to_owned()
    } else {
        concat(&["/", path])
    };
    validate_callback_path(&path)?;
    Ok(path)
}

/// The redirect URI the authorization server must send the browser back to,
/// e.g. `http://localhost:3000/callback` or `http://[::1]:53682/cb`.
pub fn redirect_uri(hostname: &str, port: u16, callback_path: &str) -> Result<String, Error> {
    let mut uri = String::from("http://");
    match parse_host(hostname)? {
        LoopbackHost::Localhost => uri.push_str("localhost"),
        // RFC 5952 §4's text for ::1, in brackets (RFC 3986 §3.2.2).
        LoopbackHost::V6 => uri.push_str("[::1]"),
        LoopbackHost::V4(v4) => ip_literal::push_ipv4(&mut uri, v4),
    }
    let callback_path = normalize_callback_path(callback_path)?;
    uri.push(':');
    crate::text::push_decimal(&mut uri, u64::from(port));
    uri.push_str(&callback_path);
    Ok(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_path_gets_its_leading_slash() {
        assert_eq!(normalize_callback_path("auth/cb").unwrap(), "/auth/cb");
        assert_eq!(normalize_callback_path("/cb").unwrap(), "/cb");
        assert_eq!(
            redirect_uri("localhost", 3000, "auth/cb").unwrap(),
            "http://localhost:3000/auth/cb"
        );
        for bad in ["", "a b", "/x?y", "x#y"] {
            assert!(normalize_callback_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn localhost_binds_both_families() {
        let ips = bind_addresses("LocalHost").unwrap();
        assert_eq!(
            ips,
            vec![
                IpAddr::from([127, 0, 0, 1]),
                IpAddr::V6(Ipv6Addr::LOCALHOST)
            ]
        );
    }

    #[test]
    fn literals_bind_just_themselves() {
        assert_eq!(
            bind_addresses("127.0.0.1").unwrap(),
            vec![IpAddr::from([127, 0, 0, 1])]
        );
        assert_eq!(
            bind_addresses("127.1.2.3").unwrap(),
            vec![IpAddr::from([127, 1, 2, 3])]
        );
        assert_eq!(
            bind_addresses("::1").unwrap(),
            vec![IpAddr::V6(Ipv6Addr::LOCALHOST)]
        );
        assert_eq!(
            bind_addresses("[::1]").unwrap(),
            vec![IpAddr::V6(Ipv6Addr::LOCALHOST)]
        );
    }

    #[test]
    fn non_loopback_is_refused() {
        for bad in [
            "0.0.0.0",
            "::",
            "192.168.1.2",
            "example.com",
            "localhost.",
            "",
            "10.0.0.1",
            "[::2]",
            "127.0.0.1\n",
        ] {
            assert_eq!(
                bind_addresses(bad).unwrap_err().code(),
                ErrorCode::NotLoopback,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn every_ipv6_spelling_of_loopback_prints_canonically() {
        for host in [
            "::1",
            "[::1]",
            "0:0:0:0:0:0:0:1",
            "[0::0001]",
            "::0:1",
            "0:0::0:1",
        ] {
            assert_eq!(
                redirect_uri(host, 80, "/").unwrap(),
                alloc::format!("http://[{}]:80/", Ipv6Addr::LOCALHOST),
                "{host}"
            );
        }
        for host in ["127.0.0.1", "127.255.0.9", "127.10.200.3"] {
            let ip: Ipv4Addr = host.parse().unwrap();
            assert_eq!(
                redirect_uri(host, 65535, "cb").unwrap(),
                alloc::format!("http://{ip}:65535/cb")
            );
        }
        for bad in [
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "127.0.0.01",
            "127.1",
            "[127.0.0.1]x",
        ] {
            assert_eq!(
                redirect_uri(bad, 80, "/").unwrap_err().code(),
                ErrorCode::NotLoopback,
                "{bad}"
            );
        }
    }

    #[test]
    fn redirect_uri_defaults_match_oauth_callback() {
        assert_eq!(
            redirect_uri("localhost", 3000, "/callback").unwrap(),
            "http://localhost:3000/callback"
        );
        assert_eq!(
            redirect_uri("::1", 8080, "/cb").unwrap(),
            "http://[::1]:8080/cb"
        );
        assert_eq!(
            redirect_uri("127.0.0.1", 1, "/").unwrap(),
            "http://127.0.0.1:1/"
        );
    }

    #[test]
    fn callback_path_rules() {
        for bad in ["/cb?x=1", "/cb#f", "/c b", "/cb\r\n", "", "cb?x"] {
            assert_eq!(
                redirect_uri("localhost", 3000, bad).unwrap_err().code(),
                ErrorCode::InvalidParameter,
                "{bad:?}"
            );
        }
    }
}
