//! A small, strict JSON (RFC 8259) reader and writer for the authorization server's
//! responses and our registration requests, so the wasm module carries no serde.
//! Limits: 1 MiB of input and 32 levels of nesting; duplicate object names are refused
//! (RFC 8259 §4 leaves them undefined, and an attacker could use them to confuse).

use crate::error::{Error, ErrorCode};
use crate::prelude::*;

/// Largest document accepted.
pub const MAX_LEN: usize = 1 << 20;
const MAX_DEPTH: usize = 32;

/// A parsed JSON value. Objects keep their members in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number: its value and its text (see [`Number`]).
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Vec<(String, Value)>),
}

/// A JSON number (RFC 8259 §6): its value as an f64, which is all JavaScript has, and
/// the text it is written as. A number read from a document keeps the text it came with,
/// so the writer gives back what the server sent and JavaScript's `JSON.parse` then sees
/// exactly the value it would have read from the original: the reader here is only
/// within a few ulps past 2^53, and the writer of computed numbers rounds to nine
/// decimals. Two numbers are equal when their values are.
#[derive(Clone, Debug)]
pub struct Number {
    value: f64,
    text: String,
}

impl Number {
    /// The value.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The text the writer writes.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// A time in milliseconds (`expiresAt`), written as a whole number of milliseconds,
    /// rounded half away from zero; `null` when it is not finite or from 2^64 ms (about
    /// 585 million years) up.
    pub fn millis(value: f64) -> Self {
        let mut text = String::new();
        write_millis(value, &mut text);
        Self { value, text }
    }
}

impl From<f64> for Number {
    /// A computed number: integers exactly, others with up to nine decimals, `null` when
    /// not finite.
    fn from(value: f64) -> Self {
        let mut text = String::new();
        write_number(value, &mut text);
        Self { value, text }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl Value {
    /// An array of the strings. A plain loop in one place, not an iterator chain per
    /// caller (less code in the browser's module, issue 11).
    pub fn strings(items: &[String]) -> Value {
        let mut out = Vec::new();
        for item in items {
            out.push(Value::String(item.clone()));
        }
        Value::Array(out)
    }

    /// The member `name` of an object.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Self::Object(m) => m.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(n.value),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Writes compact JSON.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Number(n) => out.push_str(&n.text),
            Self::String(s) => write_string(s, out),
            Self::Array(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Self::Object(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Writes one JSON object member by member: the text `Value::Object(members).to_json()`
/// writes, without building the members first (less code in the browser's module, where
/// the results go straight out as JSON text; issue 11).
pub struct ObjectWriter {
    out: String,
}

impl Default for ObjectWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl ObjectWriter {
    /// An empty object.
    pub fn new() -> Self {
        Self {
            out: String::from("{"),
        }
    }

    fn name(&mut self, name: &str) -> &mut String {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        write_string(name, &mut self.out);
        self.out.push(':');
        &mut self.out
    }

    /// The member `name`: `value`.
    pub fn value(&mut self, name: &str, value: &Value) {
        value.write(self.name(name));
    }

    /// The member `name`: the string `value`, or `null` when it is `None`.
    pub fn text(&mut self, name: &str, value: Option<&str>) {
        let out = self.name(name);
        match value {
            Some(v) => write_string(v, out),
            None => out.push_str("null"),
        }
    }

    /// The member `name`: an array of the strings `values` (as [`Value::strings`]).
    pub fn texts(&mut self, name: &str, values: &[String]) {
        let out = self.name(name);
        out.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_string(v, out);
        }
        out.push(']');
    }

    /// The member `name`: the computed number `value` (as `Number::from` writes it).
    pub fn number(&mut self, name: &str, value: f64) {
        write_number(value, self.name(name));
    }

    /// The member `name`: the time `value` in milliseconds (as [`Number::millis`]).
    pub fn millis(&mut self, name: &str, value: f64) {
        write_millis(value, self.name(name));
    }

    /// The object's JSON text.
    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// Writes `s` as a JSON string (RFC 8259 §7), as [`Value::to_json`] writes strings.
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    crate::text::push_hex_lower(out, (c as u32 >> shift) & 0xf);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `10^e` by squaring; infinite past the range of f64.
fn pow10(e: u32) -> f64 {
    if e > 400 {
        return f64::INFINITY;
    }
    let (mut result, mut base, mut e) = (1.0f64, 10.0f64, e);
    while e > 0 {
        if e & 1 == 1 {
            result *= base;
        }
        base *= base;
        e >>= 1;
    }
    result
}

/// The value of a JSON number (RFC 8259 §6 syntax), or `None` for anything else or a
/// value outside f64. Integers up to 2^53 are exact; other values are within a few ulps,
/// plenty for OAuth's lifetimes and timestamps, and the module carries no general
/// decimal-to-float conversion (it is large in wasm).
pub fn number_value(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let negative = i == 1;
    let (mut mantissa, mut exp10, mut digits) = (0u64, 0i64, 0usize);
    let mut push = |d: u8, fractional: bool, exp10: &mut i64| {
        if mantissa < 1_000_000_000_000_000_000 {
            mantissa = mantissa * 10 + u64::from(d - b'0');
            if fractional {
                *exp10 -= 1;
            }
        } else if !fractional {
            *exp10 += 1;
        }
    };
    while let Some(&d @ b'0'..=b'9') = b.get(i) {
        push(d, false, &mut exp10);
        digits += 1;
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while let Some(&d @ b'0'..=b'9') = b.get(i) {
            push(d, true, &mut exp10);
            digits += 1;
            i += 1;
        }
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        let sign = match b.get(i) {
            Some(b'-') => {
                i += 1;
                -1
            }
            Some(b'+') => {
                i += 1;
                1
            }
            _ => 1,
        };
        let start = i;
        let mut e = 0i64;
        while let Some(&d @ b'0'..=b'9') = b.get(i) {
            e = (e * 10 + i64::from(d - b'0')).min(100_000);
            i += 1;
        }
        if i == start {
            return None;
        }
        exp10 += sign * e;
    }
    if digits == 0 || i != b.len() {
        return None;
    }
    // u64 to f64 rounds to nearest; one scaling step keeps the error small.
    #[allow(clippy::cast_precision_loss)]
    let m = mantissa as f64;
    let scale = pow10(u32::try_from(exp10.unsigned_abs()).unwrap_or(u32::MAX));
    let v = if exp10 >= 0 { m * scale } else { m / scale };
    let v = if negative { -v } else { v };
    v.is_finite().then_some(v)
}

/// `x.trunc()` without `std` (no libm in the browser's module): exact for every f64.
fn trunc(x: f64) -> f64 {
    // From 2^52 up every f64 is an integer; below, `as i64` drops the fraction exactly.
    if x.is_finite() && x.abs() < 4_503_599_627_370_496.0 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let t = x as i64 as f64;
        t
    } else {
        x
    }
}

/// `x.round()` (halves away from zero) without `std`: the fraction `x - trunc(x)` is exact.
fn round(x: f64) -> f64 {
    let t = trunc(x);
    if (x - t).abs() < 0.5 {
        t
    } else if x < 0.0 {
        t - 1.0
    } else {
        t + 1.0
    }
}

/// Writes a computed number ([`Number::from`]): integers as integers, others with up to
/// nine decimals. Numbers read from a document are written as their text instead.
fn write_number(n: f64, out: &mut String) {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if !n.is_finite() {
        out.push_str("null");
        return;
    }
    if n.abs() < EXACT && n == trunc(n) {
        #[allow(clippy::cast_possible_truncation)]
        let i = n as i64;
        if i < 0 {
            out.push('-');
        }
        crate::text::push_u128(out, u128::from(i.unsigned_abs()));
        return;
    }
    if n < 0.0 {
        out.push('-');
    }
    let a = n.abs();
    if a >= EXACT {
        // Every f64 this large is an integer; u128 holds all of them below 3.4e38.
        if a < 1e38 {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            crate::text::push_u128(out, a as u128);
            return;
        }
        // Past u128 (`as` would saturate to 2^128 - 1): 18 significant digits and an
        // exponent, within a few ulps like the reader.
        let mut exp = 0u32;
        let mut m = a;
        while m >= 1e18 {
            m /= 10.0;
            exp += 1;
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let digits = round(a / pow10(exp)) as u64;
        crate::text::push_u128(out, u128::from(digits));
        out.push('e');
        crate::text::push_decimal(out, u64::from(exp));
        return;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (mut int, mut frac) = (trunc(a) as u64, round((a - trunc(a)) * 1e9) as u64);
    if frac >= 1_000_000_000 {
        int += 1;
        frac = 0;
    }
    crate::text::push_u128(out, u128::from(int));
    if frac > 0 {
        // Nine digits with leading zeros: those of 10^9 + frac after its `1`.
        let mut digits = String::new();
        crate::text::push_u128(&mut digits, u128::from(frac + 1_000_000_000));
        while digits.ends_with('0') {
            digits.pop();
        }
        out.push('.');
        out.push_str(digits.get(1..).unwrap_or_default());
    }
}

/// Writes a time in milliseconds as a whole number (see [`Number::millis`]).
fn write_millis(ms: f64, out: &mut String) {
    // From 2^52 up every f64 is a whole number; below, adding one half is exact.
    const WHOLE: f64 = 4_503_599_627_370_496.0;
    // 2^64: from there `as u64` would saturate.
    const PAST_U64: f64 = 18_446_744_073_709_551_616.0;
    let a = ms.abs();
    if a.is_nan() || a >= PAST_U64 {
        out.push_str("null");
        return;
    }
    if ms < 0.0 && a >= 0.5 {
        out.push('-');
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let whole = if a >= WHOLE {
        a as u64
    } else {
        (a + 0.5) as u64
    };
    crate::text::push_decimal(out, whole);
}

fn bad(why: &str) -> Error {
    Error::new(
        ErrorCode::InvalidResponse,
        crate::text::concat(&["the response is not valid JSON: ", why]),
    )
}

/// Parses one JSON document (whitespace around it allowed, nothing else).
pub fn parse(text: &str) -> Result<Value, Error> {
    if text.len() > MAX_LEN {
        return Err(bad("larger than 1 MiB"));
    }
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(bad("trailing characters"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    /// The bytes from `start` to the cursor (`start` is an earlier cursor position).
    fn span(&self, start: usize) -> &[u8] {
        self.s.get(start..self.i).unwrap_or_default()
    }

    fn eat(&mut self, lit: &str) -> Result<(), Error> {
        if self
            .s
            .get(self.i..)
            .is_some_and(|rest| rest.starts_with(lit.as_bytes()))
        {
            self.i += lit.len();
            Ok(())
        } else {
            Err(bad("unexpected characters"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        if depth > MAX_DEPTH {
            return Err(bad("nested too deeply"));
        }
        self.ws();
        match self.s.get(self.i) {
            Some(b'n') => self.eat("null").map(|()| Value::Null),
            Some(b't') => self.eat("true").map(|()| Value::Bool(true)),
            Some(b'f') => self.eat("false").map(|()| Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::Array(items));
                        }
                        _ => return Err(bad("expected , or ]")),
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut members: Vec<(String, Value)> = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Value::Object(members));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return Err(bad("expected a member name"));
                    }
                    let k = self.string()?;
                    if members.iter().any(|(m, _)| *m == k) {
                        return Err(bad("a member name appears twice"));
                    }
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return Err(bad("expected :"));
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    members.push((k, v));
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::Object(members));
                        }
                        _ => return Err(bad("expected , or }")),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(bad("expected a value")),
        }
    }

    fn number(&mut self) -> Result<Value, Error> {
        let start = self.i;
        if self.s.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        match self.s.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = self.s.get(self.i) {
                    self.i += 1;
                }
            }
            _ => return Err(bad("malformed number")),
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            let digits = self.i;
            while let Some(b'0'..=b'9') = self.s.get(self.i) {
                self.i += 1;
            }
            if self.i == digits {
                return Err(bad("malformed number"));
            }
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            let digits = self.i;
            while let Some(b'0'..=b'9') = self.s.get(self.i) {
                self.i += 1;
            }
            if self.i == digits {
                return Err(bad("malformed number"));
            }
        }
        let text = core::str::from_utf8(self.span(start)).map_err(|_| bad("malformed number"))?;
        let value = number_value(text).ok_or_else(|| bad("number out of range"))?;
        Ok(Value::Number(Number {
            value,
            text: text.to_owned(),
        }))
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .ok_or_else(|| bad("short \\u escape"))?;
        // As `u32::from_str_radix(_, 16)` reads them: four hex digits, or `+` and three.
        // A slice pattern, not `strip_prefix` (whose `split_at` can panic, issue 11).
        let digits = match h {
            [b'+', rest @ ..] => rest,
            _ => h,
        };
        let mut v = 0;
        for &b in digits {
            v = v * 16 + crate::text::digit(b, 16).ok_or_else(|| bad("bad \\u escape"))?;
        }
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, Error> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(core::str::from_utf8(self.span(start)).map_err(|_| bad("not UTF-8"))?);
            match self.s.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let e = *self
                        .s
                        .get(self.i)
                        .ok_or_else(|| bad("unterminated string"))?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xd800..0xdc00).contains(&hi) {
                                if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return Err(bad("lone surrogate"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err(bad("lone surrogate"));
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(c).ok_or_else(|| bad("lone surrogate"))?);
                        }
                        _ => return Err(bad("bad escape")),
                    }
                }
                Some(_) => return Err(bad("control character in a string")),
                None => return Err(bad("unterminated string")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_escapes_read_as_from_str_radix_does() {
        for hex in [
            "0041", "+041", "++41", "-041", "00g1", "ABCD", "abcd", " 041", "+ 41", "+fFf", "0+41",
            "00é", "dbff", "+d83",
        ] {
            let reference = u32::from_str_radix(hex, 16)
                .ok()
                .filter(|c| !(0xd800..0xe000).contains(c))
                .and_then(char::from_u32);
            let parsed = parse(&format!("\"\\u{hex}\"")).ok();
            assert_eq!(
                parsed.as_ref().and_then(Value::as_str),
                reference.map(String::from).as_deref(),
                "{hex}"
            );
        }
    }

    #[test]
    fn parses_a_token_response() {
        let v = parse(r#" {"access_token":"a\u00e9\n","expires_in":3600,"ok":true,"x":null,"s":["a",1.5e2,-0]} "#).unwrap();
        assert_eq!(v.get("access_token").and_then(Value::as_str), Some("aé\n"));
        assert_eq!(v.get("expires_in").and_then(Value::as_f64), Some(3600.0));
        assert_eq!(v.get("ok").and_then(Value::as_bool), Some(true));
        assert_eq!(
            v.get("s").and_then(Value::as_array).map(<[Value]>::len),
            Some(3)
        );
        assert_eq!(
            parse(r#""\ud83d\ude00""#).unwrap(),
            Value::String("😀".into())
        );
    }

    #[test]
    fn refuses_malformed_and_hostile_input() {
        for bad in [
            "",
            "{",
            "}",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "01",
            "1.",
            "-",
            "1e",
            "tru",
            "nul",
            "\"\\ud800\"",
            "\"\\x\"",
            "\"a\nb\"",
            "{\"a\":1}{",
            "{\"a\":1,\"a\":2}",
            "'a'",
            "NaN",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse(&"[".repeat(100)).is_err());
        assert!(parse(&format!("\"{}\"", "a".repeat(MAX_LEN))).is_err());
        assert_eq!(parse("{}").unwrap().get("x"), None);
    }

    #[test]
    fn numbers_without_a_float_library() {
        for (text, want) in [
            ("0", 0.0),
            ("-0", 0.0),
            ("3600", 3600.0),
            ("1795638077", 1_795_638_077.0),
            ("9007199254740991", 9_007_199_254_740_991.0),
            ("1.5", 1.5),
            ("-2.25e2", -225.0),
            ("1E3", 1000.0),
            ("5e-1", 0.5),
            ("123456789012345678901234", 1.234_567_890_123_456_8e23),
            ("1e-400", 0.0),
        ] {
            let got = number_value(text).unwrap();
            assert!(
                (got - want).abs() <= want.abs() * 1e-15,
                "{text}: {got} vs {want}"
            );
        }
        for bad in ["", "-", "1e", "1e+", "1.2.3", "1x", "1e400", "-1e999"] {
            assert_eq!(number_value(bad), None, "{bad:?}");
        }
        let mut out = String::new();
        for (n, want) in [
            (0.0, "0"),
            (3600.0, "3600"),
            (-7.0, "-7"),
            (1.5, "1.5"),
            (0.125, "0.125"),
            (-0.5, "-0.5"),
            (1_795_638_077_123.0, "1795638077123"),
            (2.5e20, "250000000000000000000"),
            (1e-12, "0"),
            (f64::NAN, "null"),
        ] {
            out.clear();
            write_number(n, &mut out);
            assert_eq!(out, want, "{n}");
        }
    }

    #[test]
    fn numbers_past_u128_keep_their_value() {
        // Found writing the `json` fuzz target's round trip: `as u128` saturated, so 1e300
        // was written as 340282366920938463463374607431768211455.
        for n in [1e38, 3.5e38, 1e39, -2.5e100, 1e300, 1.7e308] {
            let text = Value::Number(n.into()).to_json();
            let back = parse(&text).unwrap().as_f64().unwrap();
            assert!((back - n).abs() <= n.abs() * 1e-14, "{n}: {text} -> {back}");
        }
    }

    #[test]
    fn writes_what_it_reads() {
        let v = Value::Object(vec![
            ("a".into(), Value::String("q\"\\\n\u{1}\u{2028}".into())),
            (
                "b".into(),
                Value::Array(vec![
                    Value::Number(1.5.into()),
                    Value::Bool(false),
                    Value::Null,
                ]),
            ),
        ]);
        let text = v.to_json();
        assert_eq!(text, r#"{"a":"q\"\\\n\u0001\u2028","b":[1.5,false,null]}"#);
        assert_eq!(parse(&text).unwrap(), v);
    }

    #[test]
    fn numbers_read_are_written_back_as_they_came() {
        // The writer of computed numbers rounds to nine decimals, and the reader is only
        // within a few ulps past 2^53: a number read from a server must not go through
        // either on its way to JavaScript (UserInfo claims, metadata, tokens).
        for text in [
            "0.1234567891234",
            "0.30000000000000004",
            "1e-12",
            "-0",
            "1.50",
            "1E2",
            "1e308",
            "123456789012345678901234567890",
            "-2.5e-7",
            "9007199254740993",
        ] {
            let doc = ["{\"n\":", text, ",\"a\":[", text, "]}"].concat();
            let v = parse(&doc).unwrap();
            assert_eq!(v.to_json(), doc, "{text}");
        }
        let v = parse("[1.50]").unwrap();
        assert_eq!(v.as_array().unwrap()[0].as_f64(), Some(1.5));
        assert_eq!(
            v,
            Value::Array(vec![Value::Number(1.5.into())]),
            "equal by value"
        );
    }

    #[test]
    fn millis_are_whole_milliseconds() {
        for (ms, want) in [
            (1_700_000_003_823.0, "1700000003823"),
            (1_700_000_003_823.5, "1700000003824"),
            (1_700_000_003_823.49, "1700000003823"),
            (0.0, "0"),
            (-0.3, "0"),
            (-0.5, "-1"),
            (-5.0, "-5"),
            (4_503_599_627_370_497.0, "4503599627370497"),
            (18_446_744_073_709_549_568.0, "18446744073709549568"),
            (18_446_744_073_709_551_616.0, "null"),
            (1e23, "null"),
            (f64::INFINITY, "null"),
            (f64::NAN, "null"),
        ] {
            assert_eq!(Number::millis(ms).text(), want, "{ms}");
            let mut w = ObjectWriter::new();
            w.millis("t", ms);
            assert_eq!(w.finish(), ["{\"t\":", want, "}"].concat(), "{ms}");
        }
    }
}
