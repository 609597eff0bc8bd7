//! HTTP/1.x request heads and responses as bytes, for the loopback drivers, which own
//! their sockets (the addon's server in Rust, `Deno.listen` through wasm). This module
//! follows hyper 1.x with `httparse` and `http::Uri` as the addon configured them while it
//! served on hyper (HTTP/1 only, keep-alive off, 16 KiB buffer, 64 headers), so one
//! request gets hyper's answer whichever driver runs. hyper's answers were measured by
//! sending the raw bytes of the unit tests below to that server; `tests/hyper-oracle`
//! keeps it as the reference the drivers are compared with.
//!
//! A driver reads into a buffer of at most [`MAX_HEAD_BYTES`], calls [`answer`] after every
//! read with everything received so far, and does what it says: read more, write the
//! bytes and close, or close at once. Nothing beyond the first head is ever read: one
//! request per connection, pipelined requests are not answered.
//!
//! Where the drivers can still differ from hyper, by design: hyper's first read takes at
//! most 8 KiB and the drivers' up to 16 KiB, so a head that arrives at once, is well
//! formed for its first 8 KiB, turns malformed after them and never ends (no blank line)
//! is 400 at once from the drivers, and from hyper 431 at 16 KiB or a close at the header
//! timeout. hyper never answers 505: an unknown version is 400 in both.

use std::borrow::Cow;

use crate::callback::SECURITY_HEADERS;
use crate::callback::{
    CallbackHandler, CallbackRequest, CallbackResponse, FetchMetadata, RequestKind,
};

/// The largest request head read (request line and headers, hyper's `max_buf_size`);
/// a head still incomplete at this size is refused with 431.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;

/// The most header lines a head may have (hyper's `max_headers`); more is 431.
pub const MAX_HEADERS: usize = 64;

/// RFC 9113 §3.4: what an HTTP/2 client with prior knowledge sends first. An HTTP/1-only
/// server (hyper here) closes such a connection without an answer.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The protocol version of a request line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpVersion {
    /// `HTTP/1.0`: answered as HTTP/1.0.
    Http10,
    /// `HTTP/1.1`.
    Http11,
}

impl HttpVersion {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Http10 => "HTTP/1.0",
            Self::Http11 => "HTTP/1.1",
        }
    }
}

/// A request head, borrowed from the bytes it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestHead<'a> {
    /// The method token, as sent (case-sensitive: `get` is not `GET`).
    pub method: &'a str,
    /// The request target as the callback handler sees it: origin-form as sent without
    /// its fragment (no normalization: `/x/../callback` stays so); absolute-form and
    /// authority-form as `http::Uri` prints them, so they match no path.
    pub target: Cow<'a, str>,
    /// The version of the request line.
    pub version: HttpVersion,
    /// Header lines in order (names as sent, values without surrounding whitespace),
    /// minus the `Content-Length` lines hyper drops (those next to `Transfer-Encoding`
    /// and repeats of the same length).
    pub headers: Vec<(&'a str, &'a [u8])>,
    /// Bytes the head took, its blank line included.
    pub len: usize,
}

impl RequestHead<'_> {
    /// A header sent exactly once, as text; `Some("")` when repeated or not visible ASCII
    /// (so it is never mistaken for a valid value); `None` when absent.
    pub fn header_once(&self, name: &str) -> Option<&str> {
        let mut found = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name));
        match (found.next(), found.next()) {
            (None, _) => None,
            (Some((_, v)), None) if v.iter().all(|&b| (0x20..0x7f).contains(&b)) => {
                Some(std::str::from_utf8(v).unwrap_or(""))
            }
            _ => Some(""),
        }
    }

    /// The `Host` header when there is exactly one and it is visible ASCII (what hyper's
    /// `HeaderValue::to_str` accepts); `None` otherwise, which the handler refuses.
    pub fn host(&self) -> Option<&str> {
        let mut hosts = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("host"));
        match (hosts.next(), hosts.next()) {
            (Some((_, v)), None) if v.iter().all(|&b| b == b'\t' || (0x20..0x7f).contains(&b)) => {
                std::str::from_utf8(v).ok()
            }
            _ => None,
        }
    }
}

/// Why a head is refused before the callback handler sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed: request line, header syntax, target, framing headers (400).
    BadRequest,
    /// Over [`MAX_HEAD_BYTES`] or [`MAX_HEADERS`], or a `Content-Length` hyper cannot
    /// represent (431).
    TooLarge,
    /// The HTTP/2 prior-knowledge preface: closed without an answer.
    Http2Preface,
}

impl Refusal {
    /// The status answered, or `None` when the connection is closed without one.
    pub const fn status(self) -> Option<u16> {
        match self {
            Self::BadRequest => Some(400),
            Self::TooLarge => Some(431),
            Self::Http2Preface => None,
        }
    }
}

/// What the bytes received so far on a connection are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeadStatus<'a> {
    /// Not a whole head yet: read more (unless the buffer holds [`MAX_HEAD_BYTES`], which
    /// is [`Refusal::TooLarge`] instead).
    Partial,
    /// A whole head.
    Complete(RequestHead<'a>),
    /// Refused.
    Refused(Refusal),
}

/// Reads a request head from `buf`, everything received on the connection so far.
/// `prev_len` is the buffer's length at the previous call that returned
/// [`HeadStatus::Partial`] (`None` on the first call): as in hyper, a later call parses
/// again only once a blank line may have arrived, so a head whose first part is well
/// formed is judged whole, not line by line.
pub fn read_head(buf: &[u8], prev_len: Option<usize>) -> HeadStatus<'_> {
    if buf.is_empty() {
        return HeadStatus::Partial;
    }
    let status = match prev_len {
        Some(prev) if !may_be_complete(buf, prev) => HeadStatus::Partial,
        _ => match parse_request(buf) {
            Ok(Some(head)) => HeadStatus::Complete(head),
            Ok(None) => HeadStatus::Partial,
            Err(refusal) => HeadStatus::Refused(refusal),
        },
    };
    match status {
        HeadStatus::Partial if buf.len() >= MAX_HEAD_BYTES => {
            HeadStatus::Refused(Refusal::TooLarge)
        }
        HeadStatus::Refused(_) if buf.starts_with(H2_PREFACE) => {
            HeadStatus::Refused(Refusal::Http2Preface)
        }
        other => other,
    }
}

/// hyper's `is_complete_fast`: is there an end of head (`\r\n\r\n`, `\n\n`, `\n\r\n`)
/// in the bytes that arrived since `prev_len` (and the three before)?
fn may_be_complete(buf: &[u8], prev_len: usize) -> bool {
    let bytes = buf.get(prev_len.saturating_sub(3)..).unwrap_or_default();
    bytes.iter().enumerate().any(|(i, &b)| {
        let rest = bytes.get(i + 1..).unwrap_or_default();
        (b == b'\r' && rest.starts_with(b"\n\r\n"))
            || (b == b'\n' && (rest.starts_with(b"\n") || rest.starts_with(b"\r\n")))
    })
}

/// A syntax error as `httparse` reports it; hyper answers 400 to all but too many headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Syntax {
    Invalid,
    TooManyHeaders,
}

type Step<T> = Result<Option<T>, Syntax>;

/// A cursor over the head, as `httparse`'s: `None` from [`Cursor::next`] means "partial".
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn skip_while(&mut self, f: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&f) {
            self.pos += 1;
        }
    }

    fn slice(&self, start: usize, end: usize) -> &'a [u8] {
        self.buf.get(start..end).unwrap_or_default()
    }
}

/// RFC 9110 §5.6.2 `tchar`: methods and header names.
const fn is_token(b: u8) -> bool {
    matches!(b, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'!' | b'#' | b'$' | b'%' | b'&'
        | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~')
}

/// `httparse`'s request-target bytes: visible ASCII and anything non-ASCII.
const fn is_uri_byte(b: u8) -> bool {
    matches!(b, 0x21..=0x7e | 0x80..=0xff)
}

/// `httparse`'s header value bytes: tab, visible ASCII, space, anything non-ASCII.
const fn is_value_byte(b: u8) -> bool {
    matches!(b, b'\t' | 0x20..=0x7e | 0x80..=0xff)
}

/// `\r\n` or `\n`, as `httparse` accepts line ends.
fn newline(c: &mut Cursor<'_>) -> Step<()> {
    match c.next() {
        None => Ok(None),
        Some(b'\n') => Ok(Some(())),
        Some(b'\r') => match c.next() {
            None => Ok(None),
            Some(b'\n') => Ok(Some(())),
            Some(_) => Err(Syntax::Invalid),
        },
        Some(_) => Err(Syntax::Invalid),
    }
}

/// A head as `httparse` reads it, before `http::Uri` and the framing rules.
struct Syntactic<'a> {
    method: &'a str,
    target: &'a str,
    version: HttpVersion,
    headers: Vec<(&'a str, &'a [u8])>,
}

/// `httparse::Request::parse` with hyper's settings; `Ok(None)`: partial.
fn parse_syntax<'a>(c: &mut Cursor<'a>) -> Step<Syntactic<'a>> {
    macro_rules! step {
        ($e:expr) => {
            match $e? {
                Some(v) => v,
                None => return Ok(None),
            }
        };
    }
    // Empty lines before the request line are skipped (RFC 9112 §2.2).
    loop {
        match c.peek() {
            None => return Ok(None),
            Some(b'\r' | b'\n') => step!(newline(c)),
            Some(_) => break,
        }
    }
    // Method: a token, one space.
    let start = c.pos;
    if !is_token(step!(Ok(c.next()))) {
        return Err(Syntax::Invalid);
    }
    c.skip_while(is_token);
    if step!(Ok(c.next())) != b' ' {
        return Err(Syntax::Invalid);
    }
    let method = std::str::from_utf8(c.slice(start, c.pos - 1)).map_err(|_| Syntax::Invalid)?;
    // Target: at least one byte, UTF-8, one space.
    let start = c.pos;
    c.skip_while(is_uri_byte);
    let end = c.pos;
    if step!(Ok(c.next())) != b' ' || end == start {
        return Err(Syntax::Invalid);
    }
    let target = std::str::from_utf8(c.slice(start, end)).map_err(|_| Syntax::Invalid)?;
    // Version: exactly HTTP/1.0 or HTTP/1.1; a wrong byte is an error as soon as it arrives.
    let rest = c.slice(c.pos, c.buf.len());
    let version = match rest.get(..8) {
        Some(b"HTTP/1.0") => HttpVersion::Http10,
        Some(b"HTTP/1.1") => HttpVersion::Http11,
        Some(_) => return Err(Syntax::Invalid),
        None if b"HTTP/1.".starts_with(rest.get(..7).unwrap_or(rest)) => return Ok(None),
        None => return Err(Syntax::Invalid),
    };
    c.pos += 8;
    step!(newline(c));
    // Header lines: `name:` then optional spaces or tabs, then the value to the line end.
    let mut headers = Vec::new();
    loop {
        let b = step!(Ok(c.next()));
        if b == b'\r' {
            if step!(Ok(c.next())) != b'\n' {
                return Err(Syntax::Invalid);
            }
            break;
        }
        if b == b'\n' {
            break;
        }
        let name_start = c.pos - 1;
        if !is_token(b) {
            return Err(Syntax::Invalid);
        }
        c.skip_while(is_token);
        let name_end = c.pos;
        if step!(Ok(c.next())) != b':' {
            return Err(Syntax::Invalid);
        }
        c.skip_while(|b| b == b' ' || b == b'\t');
        let value_start = c.pos;
        c.skip_while(is_value_byte);
        let value_end = c.pos;
        match step!(Ok(c.next())) {
            b'\n' => {}
            b'\r' => {
                if step!(Ok(c.next())) != b'\n' {
                    return Err(Syntax::Invalid);
                }
            }
            _ => return Err(Syntax::Invalid),
        }
        if headers.len() == MAX_HEADERS {
            return Err(Syntax::TooManyHeaders);
        }
        let name =
            std::str::from_utf8(c.slice(name_start, name_end)).map_err(|_| Syntax::Invalid)?;
        let mut value = c.slice(value_start, value_end);
        while let [rest @ .., b' ' | b'\t'] = value {
            value = rest;
        }
        headers.push((name, value));
    }
    Ok(Some(Syntactic {
        method,
        target,
        version,
        headers,
    }))
}

fn parse_request(buf: &[u8]) -> Result<Option<RequestHead<'_>>, Refusal> {
    let mut c = Cursor { buf, pos: 0 };
    let Syntactic {
        method,
        target,
        version,
        headers,
    } = match parse_syntax(&mut c) {
        Ok(Some(parts)) => parts,
        Ok(None) => return Ok(None),
        Err(Syntax::Invalid) => return Err(Refusal::BadRequest),
        Err(Syntax::TooManyHeaders) => return Err(Refusal::TooLarge),
    };
    let target = handler_target(target).ok_or(Refusal::BadRequest)?;
    let headers = check_framing(version, headers)?;
    Ok(Some(RequestHead {
        method,
        target,
        version,
        headers,
        len: c.pos,
    }))
}

/// hyper's message-length rules for a request (RFC 9112 §6.3): `Transfer-Encoding` only in
/// HTTP/1.1 and ending in `chunked`; `Content-Length` digits only, repeats equal. Returns
/// the headers hyper keeps.
fn check_framing<'a>(
    version: HttpVersion,
    headers: Vec<(&'a str, &'a [u8])>,
) -> Result<Vec<(&'a str, &'a [u8])>, Refusal> {
    let is_length = |n: &str| n.eq_ignore_ascii_case("content-length");
    let mut kept: Vec<(&str, &[u8])> = Vec::with_capacity(headers.len());
    let (mut is_te, mut is_te_chunked, mut is_cl) = (false, false, false);
    let mut length: Option<u64> = None;
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("transfer-encoding") {
            if version == HttpVersion::Http10 {
                return Err(Refusal::BadRequest);
            }
            is_te = true;
            if is_cl && length.take().is_some() {
                kept.retain(|(n, _)| !is_length(n));
            }
            is_te_chunked = std::str::from_utf8(value).is_ok_and(|v| {
                v.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
                    && v.rsplit(',')
                        .next()
                        .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"))
            });
        } else if is_length(name) {
            is_cl = true;
            if is_te {
                continue;
            }
            let n = digits(value).ok_or(Refusal::BadRequest)?;
            match length {
                Some(prev) if prev != n => return Err(Refusal::BadRequest),
                Some(_) => continue,
                // hyper's largest body length is u64::MAX - 2.
                None if n > u64::MAX - 2 => return Err(Refusal::TooLarge),
                None => length = Some(n),
            }
        }
        kept.push((name, value));
    }
    if is_te && !is_te_chunked {
        return Err(Refusal::BadRequest);
    }
    Ok(kept)
}

fn digits(value: &[u8]) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    value.iter().try_fold(0u64, |n, &b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// The target the callback handler gets, as the hyper driver derives it from
/// `http::Uri`: origin-form without its fragment; absolute-form printed back
/// (`http://host/path?query`), authority-form as is. `None`: `http::Uri` refuses it (400).
fn handler_target(s: &str) -> Option<Cow<'_, str>> {
    let bytes = s.as_bytes();
    match bytes {
        [] => None,
        [b'/'] | [b'*'] => Some(Cow::Borrowed(s)),
        [_] => (authority_end(bytes)? == 1).then_some(Cow::Borrowed(s)),
        [b'/', ..] => path_and_query(s).map(|(data, _)| Cow::Borrowed(data)),
        _ => absolute(s),
    }
}

/// `http::Uri`'s `parse_full`: `scheme://authority[path-and-query]` or a bare authority.
fn absolute(s: &str) -> Option<Cow<'_, str>> {
    let bytes = s.as_bytes();
    let starts = |prefix: &[u8]| {
        bytes
            .get(..prefix.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(prefix))
    };
    let (scheme, rest) = if starts(b"http://") {
        (Some("http"), s.get(7..)?)
    } else if starts(b"https://") {
        (Some("https"), s.get(8..)?)
    } else {
        match other_scheme(bytes)? {
            Some(n) => (Some(s.get(..n)?), s.get(n + 3..)?),
            None => (None, s),
        }
    };
    let end = authority_end(rest.as_bytes())?;
    let Some(scheme) = scheme else {
        return (end == rest.len()).then_some(Cow::Borrowed(s));
    };
    if end == 0 {
        return None;
    }
    let (authority, tail) = rest.split_at(end);
    let (data, query) = if tail.is_empty() {
        ("", None)
    } else {
        path_and_query(tail)?
    };
    let (path, query) = match query {
        Some(q) => (data.get(..q)?, data.get(q..)),
        None => (data, None),
    };
    let mut out = String::with_capacity(s.len() + 1);
    for part in [
        scheme,
        "://",
        authority,
        if path.is_empty() { "/" } else { path },
        query.unwrap_or_default(),
    ] {
        out.push_str(part);
    }
    Some(Cow::Owned(out))
}

/// `http::Uri`'s scheme scan for schemes other than http(s): `Ok(Some(n))` when
/// `bytes[..n]` is followed by `://`; `None` (the error) for a scheme over 64 bytes.
fn other_scheme(bytes: &[u8]) -> Option<Option<usize>> {
    if bytes.len() <= 3 {
        return Some(None);
    }
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b':' => {
                if bytes.get(i + 1..i + 3) != Some(b"//") {
                    break;
                }
                return if i > 64 { None } else { Some(Some(i)) };
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'+' | b'-' | b'.' | b'~' => {}
            _ => break,
        }
    }
    Some(None)
}

/// `http::Uri`'s authority scan: where the authority ends (the first `/`, `?` or `#`),
/// or `None` when it is invalid (bad bytes, brackets, colons, `%` outside userinfo).
fn authority_end(s: &[u8]) -> Option<usize> {
    if s.is_empty() {
        return None;
    }
    let (mut colons, mut open, mut close, mut percent) = (0u32, false, false, false);
    let (mut end, mut at) = (s.len(), s.len());
    for (i, &b) in s.iter().enumerate() {
        match b {
            b'/' | b'?' | b'#' => {
                end = i;
                break;
            }
            b'%' => percent = true,
            b':' => {
                if colons >= 8 {
                    return None;
                }
                colons += 1;
            }
            b'[' => {
                if percent || open {
                    return None;
                }
                open = true;
            }
            b']' => {
                if !open || close {
                    return None;
                }
                close = true;
                colons = 0;
                percent = false;
            }
            b'@' => {
                at = i;
                colons = 0;
                percent = false;
            }
            b'!'
            | b'$'
            | b'&'..=b'.'
            | b'0'..=b'9'
            | b';'
            | b'='
            | b'A'..=b'Z'
            | b'_'
            | b'a'..=b'z'
            | b'~' => {}
            _ => return None,
        }
    }
    let bad = open != close || colons > 1 || (end > 0 && at == end - 1) || percent;
    (!bad).then_some(end)
}

/// `http::Uri`'s path-and-query scan (it starts with `/`, `?` or `#`): the data kept (up
/// to a fragment) and where its query starts; `None` for a byte it refuses.
fn path_and_query(s: &str) -> Option<(&str, Option<usize>)> {
    let bytes = s.as_bytes();
    if !matches!(bytes.first(), Some(b'/' | b'?' | b'#')) {
        return None;
    }
    let mut query = None;
    for (i, &b) in bytes.iter().enumerate() {
        let fragment = b == b'#';
        let valid = if query.is_none() {
            if b == b'?' {
                query = Some(i);
                continue;
            }
            matches!(b, 0x21 | 0x24..=0x3b | 0x3d | 0x40..=0x5f | 0x61..=0x7a | 0x7c | 0x7e
                | b'"' | b'{' | b'}' | 0x80..=0xff)
        } else {
            matches!(b, 0x21 | 0x24..=0x3b | 0x3d | 0x3f..=0x7e | 0x80..=0xff)
        };
        if fragment {
            return Some((s.get(..i)?, query));
        }
        if !valid {
            return None;
        }
    }
    Some((s, query))
}

/// The reason phrase hyper writes for a status.
const fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "<none>",
    }
}

/// RFC 9110 §5.6.7 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) of a Unix time.
pub fn http_date(unix_secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix_secs / 86_400;
    let secs = unix_secs % 86_400;
    // Howard Hinnant's civil_from_days, for days since 1970-01-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    let weekday = DAYS.get((days % 7) as usize).copied().unwrap_or("Thu");
    let month_name = MONTHS.get((month - 1) as usize).copied().unwrap_or("Jan");
    format!(
        "{weekday}, {day:02} {month_name} {year} {:02}:{:02}:{:02} GMT",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// A response as hyper writes it: status line, headers (lower-case names, in order),
/// `content-length`, `date`, a blank line, and the body unless the request was `HEAD`.
fn write(
    version: HttpVersion,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
    date: &str,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        256 + headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 4)
            .sum::<usize>()
            + body.len(),
    );
    let line = format!("{} {status} {}\r\n", version.as_str(), reason(status));
    out.extend_from_slice(line.as_bytes());
    for (name, value) in headers {
        out.extend_from_slice(name.to_ascii_lowercase().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        format!("content-length: {}\r\ndate: {date}\r\n\r\n", body.len()).as_bytes(),
    );
    if !head_only {
        out.extend_from_slice(body);
    }
    out
}

/// The bytes of the callback handler's `response` to a request of `version`: the
/// [`SECURITY_HEADERS`] (with `connection: close`, once), the response's own headers,
/// `content-length` and `date`; no body for `HEAD`. A header value hyper would refuse
/// (a control character) turns it into hyper's bare 500, as in the addon.
pub fn write_response(
    version: HttpVersion,
    method: &str,
    response: &CallbackResponse,
    date: &str,
) -> Vec<u8> {
    let mut headers: Vec<(&str, &str)> = SECURITY_HEADERS.to_vec();
    headers.extend(response.headers.iter().map(|(n, v)| (*n, v.as_str())));
    let representable = headers
        .iter()
        .all(|(_, v)| v.bytes().all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f)));
    if !representable {
        let close: &[(&str, &str)] = match version {
            HttpVersion::Http11 => &[("connection", "close")],
            HttpVersion::Http10 => &[],
        };
        return write(
            version,
            500,
            close,
            b"Internal error.\n",
            method == "HEAD",
            date,
        );
    }
    write(
        version,
        response.status,
        &headers,
        response.body.as_bytes(),
        method == "HEAD",
        date,
    )
}

/// hyper's automatic answer to a refused head: HTTP/1.1, no body, no other header.
pub fn write_refusal(status: u16, date: &str) -> Vec<u8> {
    write(
        HttpVersion::Http11,
        status,
        &[("connection", "close")],
        b"",
        false,
        date,
    )
}

/// What a driver does after a read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer<'a> {
    /// Read more (the head is not whole yet).
    ReadMore,
    /// Close the connection without writing anything (HTTP/2 preface).
    Close,
    /// Write these bytes, then close the connection. `request` is the head the callback
    /// handler answered (`None` when the head was refused before it), with what it was.
    Respond {
        /// The whole response.
        bytes: Vec<u8>,
        /// The head, when it was read whole.
        request: Option<(RequestHead<'a>, RequestKind)>,
    },
}

/// Reads the head in `buf` (see [`read_head`]) and, once it is whole, has `handler` answer
/// it. `unix_secs` is the time for the `date` header.
pub fn answer<'a>(
    handler: &mut CallbackHandler,
    buf: &'a [u8],
    prev_len: Option<usize>,
    unix_secs: u64,
) -> Answer<'a> {
    match read_head(buf, prev_len) {
        HeadStatus::Partial => Answer::ReadMore,
        HeadStatus::Refused(refusal) => match refusal.status() {
            Some(status) => Answer::Respond {
                bytes: write_refusal(status, &http_date(unix_secs)),
                request: None,
            },
            None => Answer::Close,
        },
        HeadStatus::Complete(head) => {
            let fetch = FetchMetadata {
                site: head.header_once("sec-fetch-site"),
                mode: head.header_once("sec-fetch-mode"),
                dest: head.header_once("sec-fetch-dest"),
            };
            let (response, kind) = handler.handle_with_fetch(
                CallbackRequest {
                    method: head.method,
                    target: &head.target,
                    host: head.host(),
                },
                fetch,
            );
            let bytes = write_response(head.version, head.method, &response, &http_date(unix_secs));
            Answer::Respond {
                bytes,
                request: Some((head, kind)),
            }
        }
    }
}

/// The absolute URL a driver shows `onRequest` for a head, as the addon builds it:
/// `http://` + the Host header (or `127.0.0.1:port` without one) + an origin-form target;
/// any other target as it is.
pub fn request_url(head: &RequestHead<'_>, port: u16) -> String {
    if head.target.starts_with('/') {
        match head.host() {
            Some(host) => format!("http://{host}{}", head.target),
            None => format!("http://127.0.0.1:{port}{}", head.target),
        }
    } else {
        head.target.clone().into_owned()
    }
}

/// A request as a driver shows it to `onRequest`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    /// The method token, as sent.
    pub method: String,
    /// The absolute URL of [`request_url`].
    pub url: String,
    /// The header lines in order: names lower-cased, values as UTF-8 (invalid bytes
    /// replaced).
    pub headers: Vec<(String, String)>,
}

/// The record both drivers show `onRequest` for `head`, received on `port`.
pub fn request_record(head: &RequestHead<'_>, port: u16) -> RequestRecord {
    RequestRecord {
        method: head.method.to_owned(),
        url: request_url(head, port),
        headers: head
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.to_ascii_lowercase(),
                    String::from_utf8_lossy(value).into_owned(),
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::CallbackConfig;

    const PORT: u16 = 53682;
    const DATE: u64 = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT

    fn status_of(bytes: &[u8]) -> Option<u16> {
        let mut h = CallbackHandler::new(CallbackConfig::new("/callback", PORT).unwrap());
        match answer(&mut h, bytes, None, DATE) {
            Answer::Respond { bytes, .. } => std::str::from_utf8(bytes.get(9..12).unwrap())
                .ok()
                .and_then(|s| s.parse().ok()),
            Answer::Close => None,
            Answer::ReadMore => Some(0),
        }
    }

    fn req(line: &str, extra: &str) -> Vec<u8> {
        format!("{line}\r\nHost: 127.0.0.1:{PORT}\r\n{extra}\r\n").into_bytes()
    }

    fn head(bytes: &[u8]) -> RequestHead<'_> {
        match read_head(bytes, None) {
            HeadStatus::Complete(h) => h,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn http_date_is_imf_fixdate() {
        assert_eq!(http_date(DATE), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(http_date(4_102_444_799), "Thu, 31 Dec 2099 23:59:59 GMT");
    }

    #[test]
    fn a_head_is_read_with_its_parts() {
        let bytes = b"\r\nGET /callback?code=a#frag HTTP/1.0\r\nHost:  127.0.0.1:53682 \t\r\nX-Empty:\r\nx-b: \xc3\xa9\n\nbody";
        let h = head(bytes);
        assert_eq!(h.method, "GET");
        assert_eq!(
            h.target, "/callback?code=a",
            "fragment dropped as http::Uri does"
        );
        assert_eq!(h.version, HttpVersion::Http10);
        assert_eq!(h.host(), Some("127.0.0.1:53682"));
        assert_eq!(
            h.headers,
            vec![
                ("Host", &b"127.0.0.1:53682"[..]),
                ("X-Empty", b""),
                ("x-b", "é".as_bytes())
            ]
        );
        assert_eq!(&bytes[h.len..], b"body");
    }

    #[test]
    fn partial_heads_wait_and_full_buffers_are_431() {
        for part in [
            "",
            "G",
            "GET /x",
            "GET /x HTTP/1",
            "GET /x HTTP/1.",
            "GET /x HTTP/1.1\r",
            "GET /x HTTP/1.1\r\nHost: a",
            "GET /x HTTP/1.1\r\nHost: a\r\n\r",
        ] {
            assert_eq!(
                read_head(part.as_bytes(), None),
                HeadStatus::Partial,
                "{part:?}"
            );
        }
        let mut big = b"GET /x HTTP/1.1\r\nX: ".to_vec();
        big.resize(MAX_HEAD_BYTES, b'a');
        assert_eq!(
            read_head(&big, None),
            HeadStatus::Refused(Refusal::TooLarge)
        );
        big.truncate(MAX_HEAD_BYTES - 1);
        assert_eq!(read_head(&big, None), HeadStatus::Partial);
        let mut exact = b"GET /x HTTP/1.1\r\nX: ".to_vec();
        exact.resize(MAX_HEAD_BYTES - 4, b'a');
        exact.extend_from_slice(b"\r\n\r\n");
        assert!(
            matches!(read_head(&exact, None), HeadStatus::Complete(_)),
            "a head of exactly the limit is read"
        );
    }

    #[test]
    fn after_a_partial_read_only_an_end_of_head_triggers_a_parse() {
        let first = b"GET /x HTTP/1.1\r\n";
        assert_eq!(read_head(first, None), HeadStatus::Partial);
        let bad = b"GET /x HTTP/1.1\r\nHo st: a\r\n";
        assert_eq!(
            read_head(bad, Some(first.len())),
            HeadStatus::Partial,
            "hyper waits for the blank line"
        );
        assert_eq!(
            read_head(bad, None),
            HeadStatus::Refused(Refusal::BadRequest)
        );
        let done = b"GET /x HTTP/1.1\r\nHo st: a\r\n\r\n";
        assert_eq!(
            read_head(done, Some(bad.len())),
            HeadStatus::Refused(Refusal::BadRequest)
        );
        for end in ["\n\n", "\n\r\n", "\r\n\r\n"] {
            let b = format!("GET /x HTTP/1.1\r\nHost: a{end}");
            assert!(
                matches!(
                    read_head(b.as_bytes(), Some(first.len())),
                    HeadStatus::Complete(_)
                ),
                "{end:?}"
            );
        }
    }

    #[test]
    fn hyper_answers_are_matched() {
        // Each input was sent to the addon's hyper server; the status is what it answered
        // (None: closed without an answer).
        let long_query = format!("GET /x?{} HTTP/1.1", "a".repeat(12 * 1024));
        let many = |n: usize| (0..n).map(|i| format!("X{i}: a\r\n")).collect::<String>();
        let cases: Vec<(Vec<u8>, Option<u16>)> = vec![
            (req("GET /x HTTP/1.1", ""), Some(404)),
            (b"GET /callback?code=e HTTP/1.0\r\n\r\n".to_vec(), Some(421)),
            (
                format!("GET /x HTTP/1.1\nHost: 127.0.0.1:{PORT}\n\n").into_bytes(),
                Some(404),
            ),
            (req("GET /x http/1.1", ""), Some(400)),
            (req("GET /x HTTP/1.2", ""), Some(400)),
            (req("GET /x HTTP/2.0", ""), Some(400)),
            (b"GET /x\r\n\r\n".to_vec(), Some(400)),
            (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(), None),
            (
                b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0".to_vec(),
                None,
            ),
            (b"PRI * HTTP/2.0\r\n".to_vec(), Some(400)),
            (req("GET  /x HTTP/1.1", ""), Some(400)),
            (req("GET\t/x HTTP/1.1", ""), Some(400)),
            (req("GET /x HTTP/1.1 ", ""), Some(400)),
            (req(" GET /x HTTP/1.1", ""), Some(400)),
            (req("G(T /x HTTP/1.1", ""), Some(400)),
            (req("get /x HTTP/1.1", ""), Some(404)),
            (
                format!("GET /x HTTP/1.1\r\nHost : 127.0.0.1:{PORT}\r\n\r\n").into_bytes(),
                Some(400),
            ),
            (
                format!("GET /x HTTP/1.1\r\n Host: 127.0.0.1:{PORT}\r\n\r\n").into_bytes(),
                Some(400),
            ),
            (
                format!("GET /x HTTP/1.1\r\nHost 127.0.0.1:{PORT}\r\n\r\n").into_bytes(),
                Some(400),
            ),
            (
                format!("GET /x HTTP/1.1\rHost: 127.0.0.1:{PORT}\r\n\r\n").into_bytes(),
                Some(400),
            ),
            (
                req(
                    &format!("GET http://127.0.0.1:{PORT}/callback?code=e HTTP/1.1"),
                    "",
                ),
                Some(404),
            ),
            (req("GET http://a:b:c/callback HTTP/1.1", ""), Some(400)),
            (req("GET http:///callback HTTP/1.1", ""), Some(400)),
            (req("GET 127.0.0.1:80 HTTP/1.1", ""), Some(404)),
            (req("CONNECT 127.0.0.1:80 HTTP/1.1", ""), Some(404)),
            (req("GET /x/../callback?code=e HTTP/1.1", ""), Some(404)),
            (req("OPTIONS * HTTP/1.1", ""), Some(404)),
            (req("GET /x#frag HTTP/1.1", ""), Some(404)),
            (req("GET /x\"y HTTP/1.1", ""), Some(404)),
            (req("GET /x{y HTTP/1.1", ""), Some(404)),
            (req("GET /x\x7fy HTTP/1.1", ""), Some(400)),
            (b"GET /x\x80y HTTP/1.1\r\n\r\n".to_vec(), Some(400)),
            (req("GET /\u{e9} HTTP/1.1", ""), Some(404)),
            (req("GET /x?a=< HTTP/1.1", ""), Some(400)),
            (req("GET /x` HTTP/1.1", ""), Some(400)),
            (req("GET ?x HTTP/1.1", ""), Some(400)),
            (req("GET #x HTTP/1.1", ""), Some(400)),
            (req("GET x HTTP/1.1", ""), Some(404)),
            (
                format!("GET /x HTTP/1.1\r\nHost: ::1:{PORT}\r\n\r\n").into_bytes(),
                Some(421),
            ),
            (
                format!("GET /x HTTP/1.1\r\nHost: localhost:+{PORT}\r\n\r\n").into_bytes(),
                Some(421),
            ),
            (
                req("GET /x HTTP/1.1", &format!("Host: 127.0.0.1:{PORT}\r\n")),
                Some(421),
            ),
            (
                b"GET /x HTTP/1.1\r\nHost: 127.0.0.1:53682\x85\r\n\r\n".to_vec(),
                Some(421),
            ),
            (
                format!("GET /x HTTP/1.1\r\nHost: 127.0.0.1:\t{PORT}\r\n\r\n").into_bytes(),
                Some(421),
            ),
            (
                format!("GET /x HTTP/1.1\r\nHost:   127.0.0.1:{PORT}  \t\r\n\r\n").into_bytes(),
                Some(404),
            ),
            (req("GET /x HTTP/1.1", "X: a\x01b\r\n"), Some(400)),
            (req("GET /x HTTP/1.1", "X: a\0\r\n"), Some(400)),
            (
                b"GET /x HTTP/1.1\r\nX: a\x85b\r\nHost: 127.0.0.1:53682\r\n\r\n".to_vec(),
                Some(404),
            ),
            (req("GET /x HTTP/1.1", "X: a\r\n b\r\n"), Some(400)),
            (req("GET /x HTTP/1.1", "X:\r\n"), Some(404)),
            (
                req("POST /x HTTP/1.0", "Transfer-Encoding: chunked\r\n"),
                Some(400),
            ),
            (
                req("POST /x HTTP/1.1", "Transfer-Encoding: gzip\r\n"),
                Some(400),
            ),
            (
                req("POST /x HTTP/1.1", "Transfer-Encoding: gzip, chunked\r\n"),
                Some(404),
            ),
            (
                req(
                    "POST /x HTTP/1.1",
                    "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n",
                ),
                Some(400),
            ),
            (
                req(
                    "POST /x HTTP/1.1",
                    "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n",
                ),
                Some(404),
            ),
            (
                req("POST /x HTTP/1.1", "Content-Length: abc\r\n"),
                Some(400),
            ),
            (
                req("POST /x HTTP/1.1", "Content-Length: 1, 1\r\n"),
                Some(400),
            ),
            (
                req(
                    "POST /x HTTP/1.1",
                    "Content-Length: 1\r\nContent-Length: 2\r\n",
                ),
                Some(400),
            ),
            (
                req(
                    "POST /x HTTP/1.1",
                    "Content-Length: 1\r\nContent-Length: 1\r\n",
                ),
                Some(404),
            ),
            (
                req(
                    "POST /x HTTP/1.1",
                    "Content-Length: 18446744073709551615\r\n",
                ),
                Some(431),
            ),
            (
                req(
                    "POST /x HTTP/1.1",
                    "Content-Length: 18446744073709551616\r\n",
                ),
                Some(400),
            ),
            (
                req("POST /callback HTTP/1.1", "Content-Length: 3\r\n"),
                Some(405),
            ),
            (
                req(
                    "GET /x HTTP/1.1",
                    "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n",
                ),
                Some(404),
            ),
            (
                req(
                    "GET /x HTTP/1.1",
                    "Expect: 100-continue\r\nContent-Length: 5\r\n",
                ),
                Some(404),
            ),
            (
                format!("\r\n\r\nGET /x HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n\r\n").into_bytes(),
                Some(404),
            ),
            (
                format!("\n\r\nGET /x HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n\r\n").into_bytes(),
                Some(404),
            ),
            (
                format!("\rxGET /x HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n\r\n").into_bytes(),
                Some(400),
            ),
            (req("GET /x HTTP/1.1", &many(63)), Some(404)),
            (req("GET /x HTTP/1.1", &many(64)), Some(431)),
            (req(&long_query, ""), Some(414)),
            (
                b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03".to_vec(),
                Some(400),
            ),
        ];
        for (bytes, expected) in cases {
            let shown = String::from_utf8_lossy(bytes.get(..200).unwrap_or(&bytes)).into_owned();
            assert_eq!(status_of(&bytes), expected, "{shown:?}");
        }
    }

    #[test]
    fn responses_are_written_as_hyper_writes_them() {
        let mut h = CallbackHandler::new(CallbackConfig::new("/callback", PORT).unwrap());
        let sent = req("GET /x HTTP/1.1", "");
        let Answer::Respond { bytes, request } = answer(&mut h, &sent, None, DATE) else {
            panic!()
        };
        let text = String::from_utf8(bytes).unwrap();
        let mut expected = String::from("HTTP/1.1 404 Not Found\r\n");
        for (n, v) in SECURITY_HEADERS {
            expected.push_str(&format!("{n}: {v}\r\n"));
        }
        expected.push_str("content-type: text/plain; charset=utf-8\r\ncontent-length: 11\r\ndate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\nNot found.\n");
        assert_eq!(text, expected);
        assert_eq!(text.matches("connection: close").count(), 1);
        assert_eq!(request.map(|(_, k)| k), Some(RequestKind::NotFound));

        let Answer::Respond { bytes, .. } =
            answer(&mut h, &req("HEAD /x HTTP/1.0", ""), None, DATE)
        else {
            panic!()
        };
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("HTTP/1.0 404 Not Found\r\n"), "{text}");
        assert!(
            text.ends_with("content-length: 11\r\ndate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"),
            "HEAD: length kept, no body: {text}"
        );

        let Answer::Respond { bytes, .. } =
            answer(&mut h, &req("POST /callback HTTP/1.1", ""), None, DATE)
        else {
            panic!()
        };
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.contains(
                "content-type: text/plain; charset=utf-8\r\nallow: GET\r\ncontent-length: 20\r\n"
            ),
            "{text}"
        );

        assert_eq!(
            String::from_utf8(write_refusal(400, "D")).unwrap(),
            "HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\ndate: D\r\n\r\n"
        );
        let bad = CallbackResponse {
            status: 200,
            headers: vec![("x", "a\nb".to_owned())],
            body: "x".to_owned(),
        };
        assert_eq!(
            String::from_utf8(write_response(HttpVersion::Http11, "GET", &bad, "D")).unwrap(),
            "HTTP/1.1 500 Internal Server Error\r\nconnection: close\r\ncontent-length: 16\r\ndate: D\r\n\r\nInternal error.\n"
        );
    }

    #[test]
    fn the_redirect_completes_once_and_pipelined_bytes_are_ignored() {
        let mut h = CallbackHandler::new(CallbackConfig::new("/callback", PORT).unwrap());
        let mut bytes = req("GET /callback?code=first HTTP/1.1", "");
        bytes.extend_from_slice(&req("GET /callback?code=second HTTP/1.1", ""));
        let Answer::Respond {
            bytes: out,
            request,
        } = answer(&mut h, &bytes, None, DATE)
        else {
            panic!()
        };
        let (head, kind) = request.unwrap();
        assert_eq!(kind, RequestKind::Completed);
        assert!(head.len < bytes.len(), "the second request is left unread");
        assert!(
            String::from_utf8(out)
                .unwrap()
                .starts_with("HTTP/1.1 200 OK\r\n")
        );
        assert!(
            matches!(h.outcome(), Some(crate::callback::CallbackOutcome::Code(p)) if p[0].1 == "first")
        );
    }

    #[test]
    fn targets_reach_the_handler_as_hyper_passes_them() {
        for (sent, seen) in [
            ("/x/../callback?code=e", Some("/x/../callback?code=e")),
            ("/callback?code=a#b", Some("/callback?code=a")),
            ("/#x", Some("/")),
            ("*", Some("*")),
            ("/", Some("/")),
            ("a", Some("a")),
            ("?", None),
            (
                "HTTP://Evil.example/callback?code=x",
                Some("http://Evil.example/callback?code=x"),
            ),
            ("https://a", Some("https://a/")),
            ("http://a?q", Some("http://a/?q")),
            ("http://a#f", Some("http://a/")),
            ("ws://a/b", Some("ws://a/b")),
            ("http://u@[::1]:80/p", Some("http://u@[::1]:80/p")),
            ("http://a%20b/", None),
            ("http://u%20@a/", Some("http://u%20@a/")),
            ("http://[::1/", None),
            ("http://@/", None),
            ("127.0.0.1:80", Some("127.0.0.1:80")),
            ("a:1:2", None),
            ("/a<b", None),
            ("/a?<", None),
            ("/a?\"", None),
            ("/a\"b{}|", Some("/a\"b{}|")),
        ] {
            assert_eq!(handler_target(sent).as_deref(), seen, "{sent}");
        }
    }

    #[test]
    fn framing_headers_kept_as_hyper_keeps_them() {
        let bytes = req(
            "POST /x HTTP/1.1",
            "Content-Length: 1\r\nContent-Length: 1\r\nX: y\r\n",
        );
        let h = head(&bytes);
        let names: Vec<_> = h.headers.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["Host", "Content-Length", "X"]);
        let bytes = req(
            "POST /x HTTP/1.1",
            "Content-Length: 1\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n",
        );
        let names: Vec<_> = head(&bytes).headers.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["Host", "Transfer-Encoding"]);
    }

    #[test]
    fn onrequest_urls_as_the_addon_builds_them() {
        let b = req("GET /cb?x=1 HTTP/1.1", "");
        assert_eq!(
            request_url(&head(&b), PORT),
            format!("http://127.0.0.1:{PORT}/cb?x=1")
        );
        let b = b"GET /cb HTTP/1.0\r\n\r\n";
        assert_eq!(request_url(&head(b), 9), "http://127.0.0.1:9/cb");
        let b = req("GET http://evil.example/cb HTTP/1.1", "");
        assert_eq!(request_url(&head(&b), PORT), "http://evil.example/cb");
    }

    #[test]
    fn onrequest_records_lower_case_names_and_replace_invalid_utf8() {
        let b = b"PUT /cb HTTP/1.1\r\nHost: 127.0.0.1:9\r\nX-Probe: a\xffb\r\nX-Probe: c\r\n\r\n";
        let record = request_record(&head(b), PORT);
        assert_eq!(record.method, "PUT");
        assert_eq!(record.url, "http://127.0.0.1:9/cb");
        let pairs = [
            ("host", "127.0.0.1:9"),
            ("x-probe", "a\u{fffd}b"),
            ("x-probe", "c"),
        ];
        let want: Vec<_> = pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(record.headers, want);
    }

    #[test]
    fn never_panics_on_prefixes_of_hostile_bytes() {
        let inputs: [&[u8]; 4] = [
            b"GET http://u@[::1]:80/p?q#f HTTP/1.1\r\nHost: [::1]:53682\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n",
            b"\r\n\n\r\nPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            b"GET /\xff\xfe HTTP/1.1\r\nX: \xff\r\n\n",
            b"CONNECT a:1 HTTP/1.0\nhost:\t\n\n",
        ];
        let mut h = CallbackHandler::new(CallbackConfig::new("/callback", PORT).unwrap());
        for input in inputs {
            for end in 0..=input.len() {
                let part = &input[..end];
                let _ = answer(&mut h, part, None, DATE);
                let _ = answer(&mut h, part, Some(end / 2), DATE);
            }
        }
    }
}
