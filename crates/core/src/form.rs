//! Percent-encoding of query components (RFC 3986 §2.1, §3.4).
//!
//! Everything but the unreserved set (RFC 3986 §2.3) is encoded, so the output is valid
//! both as a generic URI query and as `application/x-www-form-urlencoded`.

#[allow(unused_imports)]
use crate::prelude::*;

/// Is `b` in RFC 3986's unreserved set: `ALPHA / DIGIT / "-" / "." / "_" / "~"`.
pub const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// The hex digits, upper-case (RFC 3986 §2.1); `| 0x20` makes each lower-case.
pub(crate) const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `%XX`, the percent-encoded form of one byte (RFC 3986 §2.1, upper-case hex).
pub(crate) fn push_percent_encoded(out: &mut String, b: u8) {
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 0xf)]));
}

/// Appends `value`, percent-encoded as a query component, to `out`.
pub fn encode_into(out: &mut String, value: &str) {
    for &b in value.as_bytes() {
        if crate::text::in_class(b, crate::text::UNRESERVED) {
            out.push(char::from(b));
        } else {
            push_percent_encoded(out, b);
        }
    }
}

/// Appends `name=value` to a query string under construction, with `&` when needed.
pub fn append_pair(query: &mut String, name: &str, value: &str) {
    if !query.is_empty() {
        query.push('&');
    }
    encode_into(query, name);
    query.push('=');
    encode_into(query, value);
}

/// Decodes one `application/x-www-form-urlencoded` component: `+` is a space and `%XX`
/// a byte; a `%` not followed by two hex digits stays as it is (browsers send such).
pub fn decode_bytes(raw: &str) -> Vec<u8> {
    // Decoding never lengthens: the output overwrites a copy of the input, front to back,
    // and no byte is pushed (no growth code in the browser's module).
    let mut out = raw.as_bytes().to_vec();
    let mut len = 0;
    let mut rest = raw.as_bytes();
    let hex = |b: Option<&u8>| b.and_then(|&b| crate::text::digit(b, 16));
    while let Some((&b, after)) = rest.split_first() {
        rest = after;
        let byte = match b {
            b'%' => match (hex(rest.first()), hex(rest.get(1))) {
                (Some(h), Some(l)) => {
                    rest = rest.get(2..).unwrap_or_default();
                    // Two hex digits: at most 0xff.
                    (h * 16 + l) as u8
                }
                _ => b'%',
            },
            b'+' => b' ',
            b => b,
        };
        if let Some(slot) = out.get_mut(len) {
            *slot = byte;
            len += 1;
        }
    }
    out.truncate(len);
    out
}

/// Parses a query string into ordered name/value pairs (WHATWG URL §5.1 semantics).
/// `None` when a name or value is not UTF-8 after decoding.
pub fn parse_query(query: &str) -> Option<Vec<(String, String)>> {
    // A plain loop: an iterator chain collected into `Option<Vec<_>>` costs the browser
    // module several generic helpers (issue 11).
    let mut pairs = Vec::new();
    for pair in crate::text::split_byte(query, b'&') {
        if pair.is_empty() {
            continue;
        }
        let (n, v) = crate::text::split_once_byte(pair, b'=').unwrap_or((pair, ""));
        pairs.push((
            String::from_utf8(decode_bytes(n)).ok()?,
            String::from_utf8(decode_bytes(v)).ok()?,
        ));
    }
    Some(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str) -> String {
        let mut out = String::new();
        encode_into(&mut out, s);
        out
    }

    #[test]
    fn keeps_unreserved_and_encodes_the_rest() {
        assert_eq!(enc("aZ09-._~"), "aZ09-._~");
        assert_eq!(enc("a b+c&d=e/f?g#h"), "a%20b%2Bc%26d%3De%2Ff%3Fg%23h");
        assert_eq!(enc("%"), "%25");
    }

    #[test]
    fn encodes_utf8_bytes_and_controls() {
        assert_eq!(enc("é"), "%C3%A9");
        assert_eq!(enc("\r\n\0"), "%0D%0A%00");
    }

    #[test]
    fn decodes_components_leniently() {
        assert_eq!(decode_bytes("a%"), b"a%");
        assert_eq!(decode_bytes("a%4"), b"a%4");
        assert_eq!(decode_bytes("%41+b"), b"A b");
        assert_eq!(decode_bytes("%zz%e9"), b"%zz\xe9");
    }

    #[test]
    fn parses_queries_in_order() {
        let q = parse_query("code=a%2Bb&state=x+y&&empty=&flag").unwrap();
        let want = [
            ("code", "a+b"),
            ("state", "x y"),
            ("empty", ""),
            ("flag", ""),
        ];
        assert_eq!(q.len(), want.len());
        for ((n, v), (wn, wv)) in q.iter().zip(want) {
            assert_eq!((n.as_str(), v.as_str()), (wn, wv));
        }
        assert!(parse_query("code=%FF").is_none());
        assert_eq!(parse_query("").unwrap().len(), 0);
    }

    #[test]
    fn append_pair_joins_with_ampersand() {
        let mut q = String::new();
        append_pair(&mut q, "a", "1");
        append_pair(&mut q, "b c", "2&3");
        assert_eq!(q, "a=1&b%20c=2%263");
    }
}
