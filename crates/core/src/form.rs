//! Percent-encoding of query components (RFC 3986 §2.1, §3.4).
//!
//! Everything but the unreserved set (RFC 3986 §2.3) is encoded, so the output is valid
//! both as a generic URI query and as `application/x-www-form-urlencoded`.

/// Is `b` in RFC 3986's unreserved set: `ALPHA / DIGIT / "-" / "." / "_" / "~"`.
pub const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Appends `value`, percent-encoded as a query component, to `out`.
pub fn encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
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
    fn append_pair_joins_with_ampersand() {
        let mut q = String::new();
        append_pair(&mut q, "a", "1");
        append_pair(&mut q, "b c", "2&3");
        assert_eq!(q, "a=1&b%20c=2%263");
    }
}
