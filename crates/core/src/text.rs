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
    // Upper-case digits made lower-case: one table of digits in the module.
    out.push(char::from(crate::form::HEX[(n & 0xf) as usize] | 0x20));
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
    // Plain loops over indices in these searches: at `opt-level = "z"` the iterator
    // adapters (`position`, `any`) stay out of line and keep their state in memory.
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    let mut i = 0;
    while let Some(tail) = hay.get(i..) {
        if tail.starts_with(needle) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Where the first of the ASCII bytes in `set` is, or the length of `s`: a plain number,
/// which a wasm function returns in a register (an `Option` goes through memory).
// A plain loop over the set: `<[u8]>::contains` would bring in `memchr`.
#[inline(never)]
fn find_any(s: &str, set: &[u8]) -> usize {
    for (i, &b) in s.as_bytes().iter().enumerate() {
        for &x in set {
            if x == b {
                return i;
            }
        }
    }
    s.len()
}

/// `s` cut at byte `at` with `skip` bytes left out between the halves: `None` when a
/// cut is not on a character boundary or past the end (callers cut at ASCII bytes they
/// found, so never in practice; the check replaces the panicking slice operators).
pub(crate) fn cut(s: &str, at: usize, skip: usize) -> Option<(&str, &str)> {
    // `a..b` ranges only: one `str::get` in the module, not one per kind of range.
    Some((s.get(0..at)?, s.get(at.checked_add(skip)?..s.len())?))
}

/// `str::split_once` for a string pattern, by bytes.
pub(crate) fn split_once<'a>(s: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    cut(s, find(s, sep)?, sep.len())
}

/// `str::split_once` for an ASCII byte.
pub(crate) fn split_once_byte(s: &str, sep: u8) -> Option<(&str, &str)> {
    // Not found: `cut` at the end with a byte to skip is `None`.
    cut(s, find_any(s, &[sep]), 1)
}

/// `str::rsplit_once` for an ASCII byte.
pub(crate) fn rsplit_once_byte(s: &str, sep: u8) -> Option<(&str, &str)> {
    let mut i = s.len();
    while i > 0 {
        i -= 1;
        if s.as_bytes().get(i) == Some(&sep) {
            return cut(s, i, 1);
        }
    }
    None
}

/// The text before the first of the ASCII bytes in `set`, or all of `s`.
pub(crate) fn before<'a>(s: &'a str, set: &[u8]) -> &'a str {
    s.get(0..find_any(s, set)).unwrap_or(s)
}

/// Byte classes, one bit each, for [`in_class`], [`first_outside`] and [`all_in`]. Only
/// ASCII bytes are in any. RFC 3986 §2.3 `unreserved` (`crate::form::is_unreserved`).
pub(crate) const UNRESERVED: u8 = 1;
/// The bytes a host name may have here: letters, digits, `-`, `.` and `_` (a subset of
/// RFC 3986 §3.2.2 `reg-name`; no percent-encoding, no IDN).
pub(crate) const HOST: u8 = 2;
/// RFC 3986 §3.1: `ALPHA / DIGIT / "+" / "-" / "."` after a scheme's first letter.
pub(crate) const SCHEME: u8 = 4;
/// RFC 6749 §3.3 `NQCHAR` less space: `%x21 / %x23-5B / %x5D-7E`.
pub(crate) const SCOPE: u8 = 8;
/// `0-9`.
pub(crate) const DIGIT: u8 = 16;
/// The base64url alphabet (RFC 4648 §5): letters, digits, `-` and `_`.
pub(crate) const BASE64URL: u8 = 32;
/// Bytes kept as they are in an endpoint's path or query: printable ASCII and controls
/// but `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|` and `}` (RFC 3986 §2.1; the rest is
/// percent-encoded).
pub(crate) const PATH: u8 = 64;

/// The classes of an ASCII byte.
const fn classes_of(b: u8) -> u8 {
    let alnum = b.is_ascii_alphanumeric();
    let mut c = 0;
    if crate::form::is_unreserved(b) {
        c |= UNRESERVED;
    }
    if alnum || matches!(b, b'-' | b'.' | b'_') {
        c |= HOST;
    }
    if alnum || matches!(b, b'+' | b'-' | b'.') {
        c |= SCHEME;
    }
    if b == 0x21 || (b >= 0x23 && b <= 0x5b) || (b >= 0x5d && b <= 0x7e) {
        c |= SCOPE;
    }
    if b.is_ascii_digit() {
        c |= DIGIT;
    }
    if alnum || b == b'-' || b == b'_' {
        c |= BASE64URL;
    }
    if !matches!(
        b,
        b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
    ) {
        c |= PATH;
    }
    c
}

/// Every class of every ASCII byte, worked out at compile time: one table and one lookup
/// instead of a function per class (less code in the browser's module).
static CLASSES: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = classes_of(b as u8);
        b += 1;
    }
    table
};

/// Is byte `b` in any of `classes`.
pub(crate) fn in_class(b: u8, classes: u8) -> bool {
    CLASSES
        .get(usize::from(b))
        .is_some_and(|&c| c & classes != 0)
}

/// How many bytes at the start of `s` are in `class` (a number, as [`find_any`] gives).
#[inline(never)]
fn span_in(s: &str, class: u8) -> usize {
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if !in_class(b, class) {
            return i;
        }
    }
    s.len()
}

/// Where the first byte of `s` outside `class` is.
pub(crate) fn first_outside(s: &str, class: u8) -> Option<usize> {
    let at = span_in(s, class);
    (at < s.len()).then_some(at)
}

/// Is every byte of `s` in `class`.
pub(crate) fn all_in(s: &str, class: u8) -> bool {
    span_in(s, class) == s.len()
}

/// Does `s` contain any of the ASCII bytes in `set`.
pub(crate) fn contains_any(s: &str, set: &[u8]) -> bool {
    find_any(s, set) < s.len()
}

/// Does `s` contain whitespace or a control character (Unicode `White_Space`, `Cc`):
/// what no URL, redirect URI or callback path here may hold.
pub(crate) fn has_space_or_control(s: &str) -> bool {
    let mut rest = s.as_bytes();
    while let Some((c, after)) = next_char(rest) {
        if is_space_or_control(c) {
            return true;
        }
        rest = after;
    }
    false
}

/// `c.is_control() || c.is_whitespace()`, spelled out: `Cc` is U+0000-001F and
/// U+007F-009F; `White_Space` (Unicode PropList) adds U+0020, U+00A0, U+1680,
/// U+2000-200A, U+2028, U+2029, U+202F, U+205F and U+3000 (U+0009-000D and U+0085 are
/// `Cc` too). No lookup table in the browser's module; the tests compare every `char`.
fn is_space_or_control(c: char) -> bool {
    matches!(
        c,
        '\0'..=' '
            | '\u{7f}'..='\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
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

/// The UTF-8 sequence at the start of `bytes` (not empty): its character and length, or
/// `Err` with the length of its maximal invalid subpart (Unicode §3.9; what
/// `core::str::Utf8Error::error_len` gives, or every byte left for a sequence cut short
/// at the end). The ranges of Unicode Table 3-7: no overlong forms, no surrogates,
/// nothing past U+10FFFF. One small loop instead of `core::str::from_utf8` and `Chars`,
/// whose tables and unrolled paths the browser's module would carry.
#[inline(never)]
pub(crate) fn utf8_char(bytes: &[u8]) -> Result<(char, usize), usize> {
    let lead = bytes.first().copied().unwrap_or(0);
    if lead < 0x80 {
        return Ok((char::from(lead), 1));
    }
    // The length, and the range of the second byte after this lead byte.
    let (len, low, high) = match lead {
        0xc2..=0xdf => (2, 0x80, 0xbf),
        0xe0..=0xef => (
            3,
            if lead == 0xe0 { 0xa0 } else { 0x80 },
            if lead == 0xed { 0x9f } else { 0xbf },
        ),
        0xf0..=0xf4 => (
            4,
            if lead == 0xf0 { 0x90 } else { 0x80 },
            if lead == 0xf4 { 0x8f } else { 0xbf },
        ),
        _ => return Err(1),
    };
    let mut code = u32::from(lead) & (0x7f >> len);
    let (mut low, mut high) = (low, high);
    for i in 1..len {
        match bytes.get(i) {
            Some(&b) if low <= b && b <= high => code = (code << 6) | u32::from(b & 0x3f),
            _ => return Err(i),
        }
        (low, high) = (0x80, 0xbf);
    }
    char::from_u32(code).map(|c| (c, len)).ok_or(len)
}

/// Is `bytes` UTF-8: what `core::str::from_utf8(bytes).is_ok()` says.
pub fn is_utf8(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while !rest.is_empty() {
        match utf8_char(rest) {
            Ok((_, len)) => rest = rest.get(len..).unwrap_or_default(),
            Err(_) => return false,
        }
    }
    true
}

/// The first character of `s` (UTF-8, so never an error) and the text after it; `None`
/// for an empty `s`. With a `while let` loop, what `s.chars()` gives.
pub(crate) fn next_char(s: &[u8]) -> Option<(char, &[u8])> {
    if s.is_empty() {
        return None;
    }
    let (c, len) = utf8_char(s).unwrap_or(('\u{fffd}', 1));
    Some((c, s.get(len..).unwrap_or_default()))
}

/// `String::from_utf8_lossy`: each maximal invalid subpart becomes one U+FFFD, the
/// substitution `core::str::Utf8Error::error_len` describes (Unicode §3.9, U+FFFD).
pub(crate) fn lossy(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (c, len) = utf8_char(rest).unwrap_or_else(|len| ('\u{fffd}', len));
        out.push(c);
        rest = rest.get(len..).unwrap_or_default();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn space_or_control_is_core_s_for_every_char() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(
                is_space_or_control(c),
                c.is_control() || c.is_whitespace(),
                "{:x}",
                u32::from(c)
            );
        }
    }

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
    fn byte_classes_are_the_rules_they_name() {
        for b in 0..=255u8 {
            let alnum = b.is_ascii_alphanumeric();
            let expected = [
                (UNRESERVED, crate::form::is_unreserved(b)),
                (HOST, alnum || matches!(b, b'-' | b'.' | b'_')),
                (SCHEME, alnum || matches!(b, b'+' | b'-' | b'.')),
                (
                    SCOPE,
                    b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b),
                ),
                (DIGIT, b.is_ascii_digit()),
                (BASE64URL, alnum || b == b'-' || b == b'_'),
                (
                    PATH,
                    b.is_ascii()
                        && !matches!(
                            b,
                            b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
                        ),
                ),
            ];
            for (class, member) in expected {
                assert_eq!(in_class(b, class), member, "byte {b:#x}, class {class}");
            }
            let s = [b'a', b'0', b];
            if let Ok(s) = core::str::from_utf8(&s) {
                assert_eq!(all_in(s, HOST), alnum || matches!(b, b'-' | b'.' | b'_'));
                assert_eq!(first_outside(s, DIGIT), Some(0), "a letter is not a digit");
            }
        }
    }

    /// Bytes where UTF-8's rules change: ASCII, each continuation range's edges, every
    /// kind of lead byte and the bytes that are never UTF-8.
    const UTF8_EDGES: [u8; 27] = [
        0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1,
        0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8, 0xfe, 0xff,
    ];

    /// `is_utf8`, `lossy` and `next_char` against `core::str::from_utf8`,
    /// `String::from_utf8_lossy` and `str::chars` on `bytes`.
    fn same_utf8_as_core(bytes: &[u8]) {
        let core = core::str::from_utf8(bytes);
        assert_eq!(is_utf8(bytes), core.is_ok(), "{bytes:x?}");
        assert_eq!(lossy(bytes), String::from_utf8_lossy(bytes), "{bytes:x?}");
        if let Ok(s) = core {
            let mut rest = s.as_bytes();
            let mut ours = Vec::new();
            while let Some((c, after)) = next_char(rest) {
                ours.push(c);
                rest = after;
            }
            assert_eq!(ours, s.chars().collect::<Vec<_>>(), "{bytes:x?}");
        }
    }

    #[test]
    fn utf8_matches_core_on_every_short_byte_string() {
        same_utf8_as_core(&[]);
        for a in 0..=255u8 {
            same_utf8_as_core(&[a]);
            for b in 0..=255u8 {
                same_utf8_as_core(&[a, b]);
            }
        }
        // Three bytes: every lead and second byte, then each edge byte.
        for a in 0x80..=0xffu8 {
            for b in 0..=255u8 {
                for &c in &UTF8_EDGES {
                    same_utf8_as_core(&[a, b, c]);
                }
            }
        }
        // Up to five bytes over the edge bytes: 27^5 strings.
        for &a in &UTF8_EDGES {
            for &b in &UTF8_EDGES {
                for &c in &UTF8_EDGES {
                    same_utf8_as_core(&[a, b, c]);
                    for &d in &UTF8_EDGES {
                        same_utf8_as_core(&[a, b, c, d]);
                        for &e in &UTF8_EDGES {
                            same_utf8_as_core(&[a, b, c, d, e]);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn utf8_matches_core_on_every_scalar_value_and_surrogate() {
        for code in 0..=0x11_0000u32 {
            if let Some(c) = char::from_u32(code) {
                let mut buf = [0u8; 4];
                let len = c.encode_utf8(&mut buf).len();
                assert_eq!(utf8_char(&buf[..len]), Ok((c, len)));
                same_utf8_as_core(&[b'a', buf[0], buf[1], buf[2], buf[3]][..len + 1]);
            }
        }
        // Surrogates and values past U+10FFFF, encoded as if they were scalars.
        for code in (0xd800..=0xdfffu32).chain(0x11_0000..0x14_0000) {
            let bytes = if code < 0x1_0000 {
                vec![
                    0xe0 | (code >> 12) as u8,
                    0x80 | ((code >> 6) & 0x3f) as u8,
                    0x80 | (code & 0x3f) as u8,
                ]
            } else {
                vec![
                    0xf0 | (code >> 18) as u8,
                    0x80 | ((code >> 12) & 0x3f) as u8,
                    0x80 | ((code >> 6) & 0x3f) as u8,
                    0x80 | (code & 0x3f) as u8,
                ]
            };
            same_utf8_as_core(&bytes);
        }
    }

    #[test]
    fn utf8_matches_core_on_random_mixes() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let pieces: [&[u8]; 8] = [
            b"a",
            b"\xc3\xa9",
            b"\xe2\x82\xac",
            b"\xf0\x9f\x98\x80",
            b"\xed\x9f\xbf",
            b"\xee\x80\x80",
            b"\xf4\x8f\xbf\xbf",
            b"\x00",
        ];
        for _ in 0..200_000 {
            let mut bytes = Vec::new();
            for _ in 0..6 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                match seed % 4 {
                    0 => bytes.push(UTF8_EDGES[(seed >> 8) as usize % UTF8_EDGES.len()]),
                    1 => bytes.push((seed >> 16) as u8),
                    _ => bytes.extend_from_slice(pieces[(seed >> 24) as usize % pieces.len()]),
                }
            }
            same_utf8_as_core(&bytes);
        }
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
