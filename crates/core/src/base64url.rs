//! Base64url without padding (RFC 4648 §5), as PKCE (RFC 7636 Appendix A) requires.

#[allow(unused_imports)]
use crate::prelude::*;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Characters in the unpadded encoding of `octets` bytes.
pub const fn encoded_len(octets: usize) -> usize {
    let rem = octets % 3;
    octets / 3 * 4 + if rem == 0 { 0 } else { rem + 1 }
}

/// The [`ALPHABET`] character for the low 6 bits of `v`, worked out rather than looked up
/// (no table in the browser's module, whose encoder is its only user).
fn digit(v: u32) -> char {
    let v = (v & 0x3f) as u8;
    char::from(match v {
        0..=25 => b'A' + v,
        26..=51 => b'a' + (v - 26),
        52..=61 => b'0' + (v - 52),
        62 => b'-',
        _ => b'_',
    })
}

/// Encodes bytes as unpadded base64url.
pub fn encode(input: &[u8]) -> String {
    let mut out = String::new();
    // One character per 6 bits, the bits not yet written kept in the low end of `bits`
    // (the higher ones shift out); a last partial character is padded with zero bits.
    let (mut bits, mut pending) = (0u32, 0);
    for &b in input {
        bits = (bits << 8) | u32::from(b);
        pending += 8;
        while pending >= 6 {
            pending -= 6;
            out.push(digit(bits >> pending));
        }
    }
    if pending > 0 {
        out.push(digit(bits << (6 - pending)));
    }
    out
}

/// Standard base64 with padding (RFC 4648 §4), as HTTP Basic authentication uses.
pub fn encode_standard(input: &[u8]) -> String {
    let mut s: String = encode(input)
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

/// Decodes unpadded base64url; `None` on any character outside the alphabet, on padding,
/// or on a length no encoding produces.
pub fn decode(input: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        ALPHABET
            .iter()
            .position(|&a| a == c)
            .and_then(|p| u32::try_from(p).ok())
    }
    if input.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    for chunk in input.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    // Canonical form only: the unused low bits of the last character must be zero.
    (encode(&out) == input).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors_without_padding() {
        // RFC 4648 §10, with '=' removed.
        let cases = [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, want) in cases {
            assert_eq!(encode(input.as_bytes()), want);
            assert_eq!(encoded_len(input.len()), want.len());
        }
    }

    #[test]
    fn decode_round_trips_and_refuses_junk() {
        for len in 0..40 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(decode(&encode(&data)).as_deref(), Some(data.as_slice()));
        }
        for bad in ["a", "Zg=", "Z+8", "Z/8", "Zh", "ab cd", "é"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn standard_alphabet_with_padding() {
        assert_eq!(encode_standard(b"f"), "Zg==");
        assert_eq!(encode_standard(&[0xfb, 0xff]), "+/8=");
        assert_eq!(encode_standard(b"foobar"), "Zm9vYmFy");
    }

    /// The encoder as it was first written, three bytes at a time.
    fn encode_by_chunks(input: &[u8]) -> String {
        let mut out = String::new();
        for chunk in input.chunks(3) {
            let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
            let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
            for shift in [18, 12, 6, 0].into_iter().take(chunk.len() + 1) {
                out.push(char::from(ALPHABET[((n >> shift) & 0x3f) as usize]));
            }
        }
        out
    }

    #[test]
    fn encodes_as_by_chunks_of_three() {
        let mut seed = 0x0123_4567_89ab_cdefu64;
        for len in 0..200 {
            for _ in 0..50 {
                let data: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        seed as u8
                    })
                    .collect();
                assert_eq!(encode(&data), encode_by_chunks(&data), "{data:x?}");
            }
        }
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                assert_eq!(encode(&[a, b]), encode_by_chunks(&[a, b]));
                assert_eq!(encode(&[a, b, a ^ b]), encode_by_chunks(&[a, b, a ^ b]));
            }
        }
    }

    #[test]
    fn digits_are_the_alphabet() {
        for (v, &c) in ALPHABET.iter().enumerate() {
            assert_eq!(digit(v as u32), char::from(c));
            assert_eq!(digit(v as u32 + 64), char::from(c));
        }
    }

    #[test]
    fn uses_url_safe_alphabet() {
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
    }
}
