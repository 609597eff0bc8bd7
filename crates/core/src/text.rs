//! Small text helpers for the modules a `no_std` build keeps: messages built from pieces
//! and decimal or hex digits instead of `format!`, and byte-level searches and splits
//! that cannot panic. The browser's `authorize` module then carries neither `core::fmt`
//! nor the panic paths of str slicing and pattern search (issue 11, its download budget).

#[allow(unused_imports)]
use crate::prelude::*;

/// The pieces, one after the other.
pub(crate) fn concat(pieces: &[&str]) -> String {
    let mut out = String::new();
    for piece in pieces {
        out.push_str(piece);
    }
    out
}

/// Appends `n` in decimal, as `{n}` would print it.
pub(crate) fn push_decimal(out: &mut String, n: u64) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    // `n % 10` is a single digit.
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Appends `n` in decimal, as `{n}` would print it, by long division of 32-bit limbs:
/// no `u128` division routine and no `core::fmt` integer printing in the module.
#[cfg(any(feature = "std", feature = "client"))]
pub(crate) fn push_u128(out: &mut String, n: u128) {
    #[allow(clippy::cast_possible_truncation)]
    let mut limbs = [
        (n >> 96) as u32,
        (n >> 64) as u32,
        (n >> 32) as u32,
        n as u32,
    ];
    let mut digits = Vec::new();
    loop {
        let mut rem = 0u64;
        for limb in &mut limbs {
            let cur = (rem << 32) | u64::from(*limb);
            // `cur / 10` < 2^32 since `rem` < 10.
            #[allow(clippy::cast_possible_truncation)]
            {
                *limb = (cur / 10) as u32;
                rem = cur % 10;
            }
        }
        #[allow(clippy::cast_possible_truncation)]
        digits.push(b'0' + rem as u8);
        if limbs == [0; 4] {
            break;
        }
    }
    for &d in digits.iter().rev() {
        out.push(char::from(d));
    }
}

/// `n` in decimal.
pub(crate) fn decimal(n: usize) -> String {
    let mut out = String::new();
    push_decimal(&mut out, n as u64);
    out
}

/// Appends `n` in lower-case hex without leading zeros, as `{n:x}` would print it.
pub(crate) fn push_hex_lower(out: &mut String, n: u32) {
    if n >= 16 {
        push_hex_lower(out, n >> 4);
    }
    out.push(char::from(b"0123456789abcdef"[(n & 0xf) as usize]));
}

/// The value of digit `b` in `radix` (at most 16), as `char::to_digit` gives it.
pub(crate) fn digit(b: u8, radix: u32) -> Option<u32> {
    let value = match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => return None,
    };
    Some(u32::from(value)).filter(|&v| v < radix)
}

/// Where `needle` first starts in `haystack`, by bytes.
pub(crate) fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    (0..=hay.len().checked_sub(needle.len())?)
        .find(|&i| hay.get(i..).is_some_and(|tail| tail.starts_with(needle)))
}

/// Where the first of the ASCII bytes in `set` is.
// A plain loop over the set: `<[u8]>::contains` would bring in `memchr`.
#[allow(clippy::manual_contains)]
pub(crate) fn position(s: &str, set: &[u8]) -> Option<usize> {
    s.bytes().position(|b| set.iter().any(|&x| x == b))
}

/// `s` cut at byte `at` with `skip` bytes left out between the halves: `None` when a
/// cut is not on a character boundary or past the end (callers cut at ASCII bytes they
/// found, so never in practice; the check replaces the panicking slice operators).
pub(crate) fn cut(s: &str, at: usize, skip: usize) -> Option<(&str, &str)> {
    Some((s.get(..at)?, s.get(at.checked_add(skip)?..)?))
}

/// `str::split_once` for a string pattern, by bytes.
pub(crate) fn split_once<'a>(s: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    cut(s, find(s, sep)?, sep.len())
}

/// `str::split_once` for an ASCII byte.
pub(crate) fn split_once_byte(s: &str, sep: u8) -> Option<(&str, &str)> {
    cut(s, position(s, &[sep])?, 1)
}

/// `str::rsplit_once` for an ASCII byte.
pub(crate) fn rsplit_once_byte(s: &str, sep: u8) -> Option<(&str, &str)> {
    cut(s, s.bytes().rposition(|b| b == sep)?, 1)
}

/// The text before the first of the ASCII bytes in `set`, or all of `s`.
pub(crate) fn before<'a>(s: &'a str, set: &[u8]) -> &'a str {
    position(s, set).and_then(|at| s.get(..at)).unwrap_or(s)
}

/// Where the first byte of `s` outside `class` is. Never inlined, and the class a plain
/// function: one loop serves every byte class instead of one copy per closure.
#[inline(never)]
pub(crate) fn first_outside(s: &str, class: fn(u8) -> bool) -> Option<usize> {
    s.bytes().position(|b| !class(b))
}

/// Is every byte of `s` in `class`.
pub(crate) fn all_in(s: &str, class: fn(u8) -> bool) -> bool {
    first_outside(s, class).is_none()
}

/// Does `s` contain any of the ASCII bytes in `set`.
pub(crate) fn contains_any(s: &str, set: &[u8]) -> bool {
    position(s, set).is_some()
}

/// Does `s` contain whitespace or a control character (Unicode `White_Space`, `Cc`):
/// what no URL, redirect URI or callback path here may hold.
pub(crate) fn has_space_or_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// The parts of `s` between ASCII bytes `sep`, as `str::split` gives them.
pub(crate) fn split_byte(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    core::iter::from_fn(move || {
        let text = rest?;
        match split_once_byte(text, sep) {
            Some((part, after)) => {
                rest = Some(after);
                Some(part)
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// `String::from_utf8_lossy`: each maximal invalid subpart becomes one U+FFFD, the
/// substitution `core::str::Utf8Error::error_len` describes (Unicode §3.9, U+FFFD).
pub(crate) fn lossy(mut bytes: &[u8]) -> String {
    let mut out = String::new();
    loop {
        match core::str::from_utf8(bytes) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let Some((valid, after)) = bytes.split_at_checked(e.valid_up_to()) else {
                    return out;
                };
                out.push_str(core::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{fffd}');
                match e.error_len().and_then(|len| after.get(len..)) {
                    Some(rest) => bytes = rest,
                    None => return out,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn decimal_and_hex_match_the_formatter() {
        let mut samples: Vec<usize> = (0..=1100).collect();
        samples.extend([
            9_999,
            10_000,
            65_535,
            65_536,
            99_999,
            1 << 31,
            usize::MAX - 1,
        ]);
        samples.push(usize::MAX);
        for n in samples {
            assert_eq!(decimal(n), format!("{n}"));
            let n32 = u32::try_from(n).unwrap_or(u32::MAX);
            let mut hex = String::new();
            push_hex_lower(&mut hex, n32);
            assert_eq!(hex, format!("{n32:x}"));
        }
        let mut hex = String::new();
        push_hex_lower(&mut hex, 0x10_ffff);
        assert_eq!(hex, "10ffff");
    }

    #[test]
    fn digits_match_to_digit() {
        for b in 0..=255u8 {
            for radix in [2, 8, 10, 16] {
                assert_eq!(
                    digit(b, radix),
                    char::from(b).to_digit(radix),
                    "{b} {radix}"
                );
            }
        }
    }

    #[test]
    fn searches_and_splits_match_str_s() {
        let texts = [
            "",
            "a",
            "://",
            "a://b://c",
            "é://ü",
            "ab",
            "http//x",
            "xx//",
            "//",
            "a&b&&c&",
            "&",
            "é&ü",
            ":",
            "a:b:c",
            "[::1]:80",
        ];
        for s in texts {
            for pat in ["://", "//", "{{", "}}", "a", "é", ""] {
                assert_eq!(find(s, pat), s.find(pat), "{s:?} {pat:?}");
                assert_eq!(split_once(s, pat), s.split_once(pat), "{s:?} {pat:?}");
            }
            for sep in [b'&', b':', b'/', b'a'] {
                let c = char::from(sep);
                assert_eq!(split_once_byte(s, sep), s.split_once(c), "{s:?}");
                assert_eq!(rsplit_once_byte(s, sep), s.rsplit_once(c), "{s:?}");
                assert_eq!(
                    split_byte(s, sep).collect::<Vec<_>>(),
                    s.split(c).collect::<Vec<_>>(),
                    "{s:?}"
                );
                assert_eq!(contains_any(s, &[sep]), s.contains(c));
            }
            assert_eq!(before(s, b"/?"), s.split(['/', '?']).next().unwrap_or(""));
        }
        assert_eq!(cut("é", 1, 0), None);
        assert_eq!(cut("ab", 1, 5), None);
        assert_eq!(concat(&["a", "", "bc"]), "abc");
    }

    #[test]
    fn lossy_matches_from_utf8_lossy() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let pool = [
            0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0,
            0xf4, 0xf5, 0xff, 0x9f, 0xa0, 0x8f, 0x90,
        ];
        for _ in 0..100_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 9) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|i| pool[((seed >> (8 + 5 * i)) as usize) % pool.len()])
                .collect();
            assert_eq!(lossy(&bytes), String::from_utf8_lossy(&bytes), "{bytes:x?}");
        }
        for bytes in [
            &b"a%\xff"[..],
            b"\xf0\x9f\x98",
            b"\xf0\x9f\x98\x80",
            b"\xed\xa0\x80x",
        ] {
            assert_eq!(lossy(bytes), String::from_utf8_lossy(bytes));
        }
    }
}
