//! IP address literals in host names: RFC 3986 §3.2.2 `IPv4address` (dotted decimal, no
//! leading zeros) and `IPv6address` (RFC 4291 §2.2 text forms, `::` compression, an
//! embedded IPv4 tail).
//!
//! The parser accepts exactly what `core::net`'s `FromStr` for `Ipv4Addr`, `Ipv6Addr` and
//! `IpAddr` accepts, with the same values (the tests compare both over every short string
//! of the characters that matter and a generated corpus), in far less code: the text is
//! split at `::`, `:` and `.` instead of read with backtracking, so the browser's
//! `authorize` module stays small.

use core::net::Ipv4Addr;
#[cfg(test)]
use core::net::{IpAddr, Ipv6Addr};

/// `text` as one to `max_digits` digits in `radix`; in decimal, more than one digit may
/// not start with `0` (RFC 6943 §3.1.1: no octal look-alikes).
fn number(text: &str, radix: u32, max_digits: usize) -> Option<u32> {
    let octal_like = radix == 10 && text.len() > 1 && text.starts_with("0");
    if text.is_empty() || text.len() > max_digits || octal_like {
        return None;
    }
    text.bytes()
        .try_fold(0, |n, b| Some(n * radix + crate::text::digit(b, radix)?))
}

/// RFC 3986 §3.2.2 `IPv4address`: four decimal octets separated by dots.
fn ipv4(text: &str) -> Option<[u8; 4]> {
    let mut octets = [0u8; 4];
    let mut parts = crate::text::split_byte(text, b'.');
    for slot in &mut octets {
        *slot = u8::try_from(number(parts.next()?, 10, 3)?).ok()?;
    }
    parts.next().is_none().then_some(octets)
}

/// Colon-separated 16-bit groups (`h16`, one to four hex digits) into `groups`, the last
/// possibly an IPv4 address (`ls32`) when `ipv4_last` allows: how many groups.
fn groups(text: &str, groups: &mut [u16; 8], ipv4_last: bool) -> Option<usize> {
    let mut count = 0;
    if text.is_empty() {
        return Some(0);
    }
    let mut ended = false;
    for part in crate::text::split_byte(text, b':') {
        if ended {
            return None;
        }
        let value = if crate::text::contains_any(part, b".") {
            // IPv4 only as the very last part, as two groups.
            ended = true;
            if !ipv4_last {
                return None;
            }
            let [a, b, c, d] = ipv4(part)?;
            *groups.get_mut(count)? = u16::from_be_bytes([a, b]);
            count += 1;
            u32::from(u16::from_be_bytes([c, d]))
        } else {
            number(part, 16, 4)?
        };
        // At most four hex digits.
        *groups.get_mut(count)? = value as u16;
        count += 1;
    }
    Some(count)
}

/// RFC 4291 §2.2 (RFC 3986 §3.2.2 `IPv6address`): eight groups, or at most seven
/// around one `::`, which stands for the missing groups (at least one) of zeros.
fn ipv6(text: &str) -> Option<[u16; 8]> {
    let mut head = [0u16; 8];
    let Some((before, after)) = crate::text::split_once(text, "::") else {
        return (groups(text, &mut head, true)? == 8).then_some(head);
    };
    let head_len = groups(before, &mut head, false)?;
    let mut tail = [0u16; 8];
    let tail_len = groups(after, &mut tail, true)?;
    if head_len + tail_len > 7 {
        return None;
    }
    for (i, &group) in tail.iter().enumerate().take(tail_len) {
        *head.get_mut(8 - tail_len + i)? = group;
    }
    Some(head)
}

/// Parses a whole IPv4 literal, as `Ipv4Addr::from_str` does.
pub(crate) fn parse_ipv4(text: &str) -> Option<Ipv4Addr> {
    ipv4(text).map(Ipv4Addr::from)
}

/// Parses a whole IPv6 literal (without brackets), as `Ipv6Addr::from_str` does.
#[cfg(test)]
pub(crate) fn parse_ipv6(text: &str) -> Option<Ipv6Addr> {
    ipv6(text).map(Ipv6Addr::from)
}

/// Is `text` an IPv6 literal (without brackets), as `Ipv6Addr::from_str` reads them.
pub(crate) fn is_ipv6(text: &str) -> bool {
    ipv6(text).is_some()
}

/// Is `text` a loopback IP literal: what `parse_ip(text)` gives, `is_loopback()`
/// (`127.0.0.0/8`, `::1`), without building the address.
pub(crate) fn is_loopback(text: &str) -> bool {
    match ipv4(text) {
        Some([first, ..]) => first == 127,
        None => ipv6(text) == Some([0, 0, 0, 0, 0, 0, 0, 1]),
    }
}

/// Parses a whole IPv4 or IPv6 literal, as `IpAddr::from_str` does.
#[cfg(test)]
pub(crate) fn parse_ip(text: &str) -> Option<IpAddr> {
    match ipv4(text) {
        Some(v4) => Some(IpAddr::from(v4)),
        None => parse_ipv6(text).map(IpAddr::from),
    }
}

/// Appends an IPv4 address in dotted decimal, as its `Display` prints it.
pub(crate) fn push_ipv4(out: &mut alloc::string::String, ip: Ipv4Addr) {
    for (i, octet) in ip.octets().into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        crate::text::push_decimal(out, u64::from(octet));
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec;
    use alloc::vec::Vec;
    use std::collections::HashSet;

    fn same_as_std(s: &str) {
        assert_eq!(is_ipv6(s), s.parse::<Ipv6Addr>().is_ok(), "is_ipv6 {s:?}");
        assert_eq!(
            is_loopback(s),
            s.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()),
            "is_loopback {s:?}"
        );
        assert_eq!(parse_ip(s), s.parse::<IpAddr>().ok(), "IpAddr {s:?}");
        assert_eq!(parse_ipv6(s), s.parse::<Ipv6Addr>().ok(), "Ipv6Addr {s:?}");
        assert_eq!(parse_ipv4(s), s.parse::<Ipv4Addr>().ok(), "Ipv4Addr {s:?}");
    }

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }
    }

    #[test]
    fn edge_cases_match_std() {
        for s in [
            "",
            "::",
            ":::",
            "::1",
            "1::",
            "0:0:0:0:0:0:0:1",
            "0:0:0:0:0:0:0:0:1",
            "::0001",
            "::00001",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7::8",
            "1::2::3",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3.4",
            "::ffff:127.0.0.1",
            "1.2.3.4::",
            "1.2.3.4",
            "127.0.0.1",
            "127.1",
            "127.0.0.01",
            "0.0.0.0",
            "255.255.255.255",
            "256.0.0.1",
            "1.2.3.4.5",
            "1.2.3.",
            ".1.2.3",
            "01.2.3.4",
            "0x7f.0.0.1",
            "١.٢.٣.٤",
            "1.2.3.4 ",
            " ::1",
            "::1%eth0",
            "[::1]",
            "FFFF::",
            "ffff::ffff:ffff:ffff:ffff:ffff:ffff",
            "1:2:3:4:5::1.2.3.4",
            "1:2:3:4:5:6::1.2.3.4",
            "::1.2.3.04",
            "::1.2.3",
            "a::b:1.2.3.4",
            "1:2:3:4:5:6:7:8:9",
            ":1::",
            "1:",
            ":1",
            "g::",
            "::g",
            "12345::",
            "0000::",
            "::-1",
            "1.2.3.4:5",
            "1:2:3:4:5:6:7:8.",
            "localhost",
            "::127.0.0.1",
            "0::0",
            "127.000.0.1",
            "1.2.3.256",
            "999.1.1.1",
        ] {
            same_as_std(s);
        }
    }

    #[test]
    fn every_short_string_over_a_small_alphabet_matches_std() {
        // All strings up to 7 bytes over the bytes that steer the parser.
        let alphabet = b"0:.1f";
        let mut current = vec![String::new()];
        for _ in 0..7 {
            let mut next = Vec::new();
            for s in &current {
                same_as_std(s);
                for &b in alphabet {
                    let mut t = s.clone();
                    t.push(char::from(b));
                    next.push(t);
                }
            }
            current = next;
        }
        for s in &current {
            same_as_std(s);
        }
    }

    #[test]
    fn generated_addresses_and_their_mutations_match_std() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let hex = [
            "0", "1", "a", "F", "00", "ff", "fff", "ffff", "0000", "00000", "12345", "g",
        ];
        let dec = [
            "0", "1", "9", "10", "99", "127", "255", "256", "01", "001", "1000", "",
        ];
        let mut accepted = HashSet::new();
        for _ in 0..300_000 {
            let mut s = String::new();
            let groups = rng.below(10);
            let gap = rng.below(groups + 2);
            for i in 0..groups {
                if i == gap {
                    s.push_str("::");
                } else if i > 0 {
                    s.push(':');
                }
                s.push_str(rng.pick(&hex));
            }
            if gap >= groups && rng.below(3) == 0 {
                s.push_str("::");
            }
            if rng.below(3) == 0 {
                if !s.is_empty() && !s.ends_with(':') {
                    s.push(':');
                }
                let parts = 3 + rng.below(3);
                for i in 0..parts {
                    if i > 0 {
                        s.push('.');
                    }
                    s.push_str(rng.pick(&dec));
                }
            }
            for _ in 0..rng.below(3) {
                let mut bytes = s.clone().into_bytes();
                let at = rng.below(bytes.len() + 1);
                match rng.below(3) {
                    0 if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    1 => bytes.insert(at, b":.0f "[rng.below(5)]),
                    _ => bytes.truncate(at),
                }
                s = String::from_utf8(bytes).unwrap_or_default();
            }
            same_as_std(&s);
            if parse_ip(&s).is_some() {
                accepted.insert(s);
            }
        }
        assert!(
            accepted.len() > 10_000,
            "the corpus reaches valid addresses"
        );
    }

    #[test]
    fn random_bytes_match_std() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let pool = b"0123456789abcdefABCDEF:.:.:: []%x\xc3\xa9";
        for _ in 0..200_000 {
            let len = rng.below(42);
            let bytes: Vec<u8> = (0..len).map(|_| pool[rng.below(pool.len())]).collect();
            if let Ok(s) = core::str::from_utf8(&bytes) {
                same_as_std(s);
            }
        }
    }

    #[test]
    fn ipv4_prints_as_display_does() {
        let mut rng = Rng(42);
        let mut samples = vec![
            [0, 0, 0, 0],
            [255, 255, 255, 255],
            [127, 0, 0, 1],
            [10, 9, 100, 99],
        ];
        for _ in 0..50_000 {
            samples.push(rng.next().to_be_bytes()[..4].try_into().unwrap_or_default());
        }
        for octets in samples {
            let ip = Ipv4Addr::from(octets);
            let mut out = String::new();
            push_ipv4(&mut out, ip);
            assert_eq!(out, format!("{ip}"));
            assert_eq!(parse_ipv4(&out), Some(ip), "round trip");
        }
    }
}
