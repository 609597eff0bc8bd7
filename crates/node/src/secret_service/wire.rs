//! The D-Bus wire format: values, signatures and messages, as the D-Bus Specification
//! defines them in "Type System" (signatures, containers, nesting limits), "Marshaling
//! (Wire Format)" (alignment, byte order) and "Message Format" (header and header fields).
//!
//! Messages go out little-endian; both byte orders are read. Anything malformed in a
//! received message (bad signature, padding, lengths, UTF-8, nesting) is an error, never
//! a panic, and never an allocation larger than the message itself.

use std::fmt::Write as _;

/// A message that breaks the wire format.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct WireError(pub &'static str);

type Result<T> = std::result::Result<T, WireError>;

/// Largest message accepted (spec, "Message Format": 2^27 bytes).
pub(crate) const MAX_MESSAGE: usize = 1 << 27;
/// Largest array (spec, "Valid Signatures" / marshaling of ARRAY: 2^26 bytes).
const MAX_ARRAY: usize = 1 << 26;
/// Containers (arrays, structs, dict entries, variants) nested deeper than this are
/// refused (spec: 32 arrays plus 32 structs, 64 in all).
const MAX_DEPTH: usize = 64;

/// Message types (spec, "Message Types").
pub(crate) const METHOD_CALL: u8 = 1;
/// A method's reply.
pub(crate) const METHOD_RETURN: u8 = 2;
/// A method's error reply.
pub(crate) const ERROR: u8 = 3;
/// A signal.
pub(crate) const SIGNAL: u8 = 4;

/// One D-Bus value (spec, "Type System"). `ay` gets its own variant so secrets stay one
/// buffer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// `y`
    Byte(u8),
    /// `b`
    Bool(bool),
    /// `u`
    U32(u32),
    /// Any other fixed-size type (`n q i x t d h`): its type code and its bits.
    Fixed(u8, u64),
    /// `s`
    Str(String),
    /// `o`
    Path(String),
    /// `g`
    Sig(String),
    /// `ay`
    Bytes(Vec<u8>),
    /// `a` of anything but `y`: the element signature and the elements.
    Array(String, Vec<Value>),
    /// `( ... )`
    Struct(Vec<Value>),
    /// `{ key value }`, only inside an array.
    Entry(Box<Value>, Box<Value>),
    /// `v`
    Variant(Box<Value>),
}

impl Value {
    /// `a{ss}` from pairs.
    pub(crate) fn string_dict(pairs: &[(&str, &str)]) -> Self {
        Self::Array(
            "{ss}".to_owned(),
            pairs
                .iter()
                .map(|(k, v)| {
                    Self::Entry(
                        Box::new(Self::Str((*k).to_owned())),
                        Box::new(Self::Str((*v).to_owned())),
                    )
                })
                .collect(),
        )
    }

    /// The value's signature.
    pub(crate) fn signature(&self, out: &mut String) {
        match self {
            Self::Byte(_) => out.push('y'),
            Self::Bool(_) => out.push('b'),
            Self::U32(_) => out.push('u'),
            Self::Fixed(code, _) => out.push(char::from(*code)),
            Self::Str(_) => out.push('s'),
            Self::Path(_) => out.push('o'),
            Self::Sig(_) => out.push('g'),
            Self::Bytes(_) => out.push_str("ay"),
            Self::Array(elem, _) => {
                out.push('a');
                out.push_str(elem);
            }
            Self::Struct(items) => {
                out.push('(');
                for item in items {
                    item.signature(out);
                }
                out.push(')');
            }
            Self::Entry(k, v) => {
                out.push('{');
                k.signature(out);
                v.signature(out);
                out.push('}');
            }
            Self::Variant(_) => out.push('v'),
        }
    }

    /// The string inside `s`, `o` or `g`.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) | Self::Path(s) | Self::Sig(s) => Some(s),
            _ => None,
        }
    }
}

/// Alignment of a type by its first signature character (spec, "Marshaling").
fn alignment(code: u8) -> usize {
    match code {
        b'n' | b'q' => 2,
        b'b' | b'i' | b'u' | b'h' | b's' | b'o' | b'a' => 4,
        b'x' | b't' | b'd' | b'(' | b'{' => 8,
        _ => 1,
    }
}

fn is_basic(code: u8) -> bool {
    matches!(
        code,
        b'y' | b'b' | b'n' | b'q' | b'i' | b'u' | b'x' | b't' | b'd' | b'h' | b's' | b'o' | b'g'
    )
}

/// Length of the single complete type at the start of `sig` (spec, "Valid Signatures").
fn complete_type_len(sig: &[u8], depth: usize) -> Result<usize> {
    if depth > MAX_DEPTH {
        return Err(WireError("signature nested too deeply"));
    }
    match sig.first() {
        Some(&c) if is_basic(c) || c == b'v' => Ok(1),
        Some(b'a') if sig.get(1) == Some(&b'{') => {
            // A dict entry: a basic key, one complete value type, `}`.
            if !sig.get(2).is_some_and(|&k| is_basic(k)) {
                return Err(WireError("dict entry key is not a basic type"));
            }
            let value = complete_type_len(sig.get(3..).unwrap_or_default(), depth + 1)?;
            if sig.get(3 + value) != Some(&b'}') {
                return Err(WireError("dict entry not closed"));
            }
            Ok(4 + value)
        }
        Some(b'a') => Ok(1 + complete_type_len(&sig[1..], depth + 1)?),
        Some(b'(') => {
            let mut i = 1;
            loop {
                match sig.get(i) {
                    Some(b')') if i > 1 => return Ok(i + 1),
                    Some(b')') => return Err(WireError("empty struct")),
                    Some(_) => i += complete_type_len(&sig[i..], depth + 1)?,
                    None => return Err(WireError("struct not closed")),
                }
            }
        }
        _ => Err(WireError("invalid signature")),
    }
}

/// Splits a signature into its complete types.
fn split_signature(sig: &[u8]) -> Result<Vec<&[u8]>> {
    if sig.len() > 255 {
        return Err(WireError("signature longer than 255 bytes"));
    }
    let mut out = Vec::new();
    let mut rest = sig;
    while !rest.is_empty() {
        let n = complete_type_len(rest, 0)?;
        out.push(&rest[..n]);
        rest = &rest[n..];
    }
    Ok(out)
}

/// An object path (spec, "Valid Object Paths").
fn valid_path(p: &str) -> bool {
    p == "/"
        || (p.starts_with('/')
            && p[1..].split('/').all(|e| {
                !e.is_empty() && e.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            }))
}

/// Marshals values, little-endian; alignment counts from the buffer's start, which must
/// be 8-aligned within its message (a message's start, or its body's).
#[derive(Default)]
pub(crate) struct Writer {
    /// The marshalled bytes.
    pub buf: Vec<u8>,
}

impl Writer {
    fn pad(&mut self, n: usize) {
        while !self.buf.len().is_multiple_of(n) {
            self.buf.push(0);
        }
    }

    fn u32(&mut self, v: u32) {
        self.pad(4);
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn length(&mut self, n: usize) -> Result<()> {
        self.u32(u32::try_from(n).map_err(|_| WireError("value too long"))?);
        Ok(())
    }

    fn string(&mut self, s: &str) -> Result<()> {
        if s.contains('\0') {
            return Err(WireError("a D-Bus string cannot contain NUL"));
        }
        self.length(s.len())?;
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(0);
        Ok(())
    }

    fn sig(&mut self, s: &str) -> Result<()> {
        split_signature(s.as_bytes())?;
        self.buf.push(s.len() as u8); // at most 255: checked above
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(0);
        Ok(())
    }

    /// Appends one value.
    pub(crate) fn write(&mut self, v: &Value) -> Result<()> {
        match v {
            Value::Byte(b) => self.buf.push(*b),
            Value::Bool(b) => self.u32(u32::from(*b)),
            Value::U32(u) => self.u32(*u),
            Value::Fixed(code, bits) => match code {
                b'n' | b'q' => {
                    self.pad(2);
                    self.buf.extend_from_slice(&(*bits as u16).to_le_bytes());
                }
                b'i' | b'h' => self.u32(*bits as u32),
                b'x' | b't' | b'd' => {
                    self.pad(8);
                    self.buf.extend_from_slice(&bits.to_le_bytes());
                }
                _ => return Err(WireError("not a fixed type")),
            },
            Value::Str(s) => self.string(s)?,
            Value::Path(p) => {
                if !valid_path(p) {
                    return Err(WireError("invalid object path"));
                }
                self.string(p)?;
            }
            Value::Sig(s) => self.sig(s)?,
            Value::Bytes(b) => {
                if b.len() > MAX_ARRAY {
                    return Err(WireError("array too long"));
                }
                self.length(b.len())?;
                self.buf.extend_from_slice(b);
            }
            Value::Array(elem, items) => {
                self.u32(0);
                let at = self.buf.len() - 4;
                self.pad(alignment(elem.bytes().next().unwrap_or(b'y')));
                let start = self.buf.len();
                for item in items {
                    self.write(item)?;
                }
                let n = self.buf.len() - start;
                if n > MAX_ARRAY {
                    return Err(WireError("array too long"));
                }
                self.buf[at..at + 4].copy_from_slice(&(n as u32).to_le_bytes());
            }
            Value::Struct(items) => {
                self.pad(8);
                for item in items {
                    self.write(item)?;
                }
            }
            Value::Entry(k, v) => {
                self.pad(8);
                self.write(k)?;
                self.write(v)?;
            }
            Value::Variant(inner) => {
                let mut sig = String::new();
                inner.signature(&mut sig);
                self.sig(&sig)?;
                self.write(inner)?;
            }
        }
        Ok(())
    }
}

/// Unmarshals values of either byte order from a buffer that starts 8-aligned within its
/// message.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    big_endian: bool,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub(crate) fn new(buf: &'a [u8], big_endian: bool) -> Self {
        Self {
            buf,
            pos: 0,
            big_endian,
            depth: 0,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or(WireError("value runs past the end of the message"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// Skips alignment padding, which must be zero bytes.
    fn align(&mut self, n: usize) -> Result<()> {
        let pad = (n - self.pos % n) % n;
        if self.take(pad)?.iter().any(|&b| b != 0) {
            return Err(WireError("non-zero alignment padding"));
        }
        Ok(())
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N]> {
        self.align(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        if self.big_endian {
            a.reverse();
        }
        Ok(a) // now little-endian
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.fixed::<4>()?))
    }

    fn text(&mut self, len: usize) -> Result<String> {
        let bytes = self.take(len)?;
        if self.take(1)? != [0] || bytes.contains(&0) {
            return Err(WireError("string not NUL-terminated or with NUL inside"));
        }
        String::from_utf8(bytes.to_vec()).map_err(|_| WireError("string is not UTF-8"))
    }

    fn signature(&mut self) -> Result<String> {
        let len = usize::from(self.take(1)?[0]);
        let s = self.text(len)?;
        split_signature(s.as_bytes())?;
        Ok(s)
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(WireError("values nested too deeply"));
        }
        Ok(())
    }

    /// Reads one value of the single complete type `sig` (already validated).
    fn read(&mut self, sig: &[u8]) -> Result<Value> {
        let code = *sig.first().ok_or(WireError("empty signature"))?;
        Ok(match code {
            b'y' => Value::Byte(self.take(1)?[0]),
            b'b' => match self.u32()? {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                _ => return Err(WireError("boolean neither 0 nor 1")),
            },
            b'u' => Value::U32(self.u32()?),
            b'n' | b'q' => Value::Fixed(code, u16::from_le_bytes(self.fixed()?).into()),
            b'i' | b'h' => Value::Fixed(code, self.u32()?.into()),
            b'x' | b't' | b'd' => Value::Fixed(code, u64::from_le_bytes(self.fixed()?)),
            b's' | b'o' => {
                let len = self.u32()? as usize;
                let s = self.text(len)?;
                if code == b'o' {
                    if !valid_path(&s) {
                        return Err(WireError("invalid object path"));
                    }
                    Value::Path(s)
                } else {
                    Value::Str(s)
                }
            }
            b'g' => Value::Sig(self.signature()?),
            b'v' => {
                let inner = self.signature()?;
                if split_signature(inner.as_bytes())?.len() != 1 {
                    return Err(WireError("variant signature is not one complete type"));
                }
                self.enter()?;
                let v = self.read(inner.as_bytes())?;
                self.depth -= 1;
                Value::Variant(Box::new(v))
            }
            b'a' => {
                let len = self.u32()? as usize;
                if len > MAX_ARRAY {
                    return Err(WireError("array longer than 2^26 bytes"));
                }
                let elem = sig.get(1..).unwrap_or_default();
                self.align(alignment(elem.first().copied().unwrap_or(b'y')))?;
                if elem == b"y" {
                    return Ok(Value::Bytes(self.take(len)?.to_vec()));
                }
                let end = self.pos + len;
                if end > self.buf.len() {
                    return Err(WireError("array runs past the end of the message"));
                }
                self.enter()?;
                let mut items = Vec::new();
                while self.pos < end {
                    items.push(self.read(elem)?); // every element is at least one byte
                }
                self.depth -= 1;
                if self.pos != end {
                    return Err(WireError("array length does not match its elements"));
                }
                let elem = String::from_utf8(elem.to_vec())
                    .map_err(|_| WireError("signature is not ASCII"))?;
                Value::Array(elem, items)
            }
            b'(' => {
                self.align(8)?;
                self.enter()?;
                let mut items = Vec::new();
                let mut i = 1;
                while i + 1 < sig.len() {
                    let n = complete_type_len(&sig[i..], 0)?;
                    items.push(self.read(&sig[i..i + n])?);
                    i += n;
                }
                self.depth -= 1;
                Value::Struct(items)
            }
            b'{' => {
                self.align(8)?;
                self.enter()?;
                let k = self.read(&sig[1..2])?;
                let v = self.read(&sig[2..sig.len() - 1])?;
                self.depth -= 1;
                Value::Entry(Box::new(k), Box::new(v))
            }
            _ => return Err(WireError("invalid type code")),
        })
    }

    /// Reads a sequence of values whose concatenated signature is `sig`.
    pub(crate) fn read_all(&mut self, sig: &str) -> Result<Vec<Value>> {
        split_signature(sig.as_bytes())?
            .into_iter()
            .map(|t| self.read(t))
            .collect()
    }
}

/// A message (spec, "Message Format"): the header fields this client uses, and the body.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Message {
    /// `METHOD_CALL`, `METHOD_RETURN`, `ERROR` or `SIGNAL`.
    pub kind: u8,
    /// The sender's serial number.
    pub serial: u32,
    /// Header field 1, PATH.
    pub path: Option<String>,
    /// Header field 2, INTERFACE.
    pub interface: Option<String>,
    /// Header field 3, MEMBER.
    pub member: Option<String>,
    /// Header field 4, ERROR_NAME.
    pub error_name: Option<String>,
    /// Header field 5, REPLY_SERIAL.
    pub reply_serial: Option<u32>,
    /// Header field 6, DESTINATION.
    pub destination: Option<String>,
    /// Header field 7, SENDER: the unique name of the sending connection, which the bus
    /// sets on every message it routes.
    pub sender: Option<String>,
    /// The body; its signature (header field 8) follows from the values.
    pub body: Vec<Value>,
}

/// Length of the fixed part of a header: byte order, type, flags, version, body length,
/// serial, and the length of the header field array.
pub(crate) const FIXED_HEADER: usize = 16;

/// The whole length of a message from its first 16 bytes (and its byte order).
pub(crate) fn message_length(fixed: &[u8]) -> Result<(usize, bool)> {
    let big = match fixed.first() {
        Some(b'l') => false,
        Some(b'B') => true,
        _ => return Err(WireError("unknown byte order")),
    };
    if fixed.len() < FIXED_HEADER {
        return Err(WireError("message shorter than its header"));
    }
    if fixed[3] != 1 {
        return Err(WireError("unsupported protocol version"));
    }
    let word = |at: usize| {
        let mut a = [0u8; 4];
        a.copy_from_slice(&fixed[at..at + 4]);
        (if big {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        }) as usize
    };
    let (body, fields) = (word(4), word(12));
    if fields > MAX_ARRAY || body > MAX_MESSAGE {
        return Err(WireError("message too long"));
    }
    let total = (FIXED_HEADER + fields).next_multiple_of(8) + body;
    if total > MAX_MESSAGE {
        return Err(WireError("message too long"));
    }
    Ok((total, big))
}

impl Message {
    /// A method call.
    pub(crate) fn call(
        destination: &str,
        path: &str,
        interface: &str,
        member: &str,
        body: Vec<Value>,
    ) -> Self {
        Self {
            kind: METHOD_CALL,
            path: Some(path.to_owned()),
            interface: Some(interface.to_owned()),
            member: Some(member.to_owned()),
            destination: Some(destination.to_owned()),
            body,
            ..Self::default()
        }
    }

    /// The message's bytes, little-endian, with `serial`.
    pub(crate) fn encode(&self, serial: u32) -> Result<Vec<u8>> {
        let mut body = Writer::default();
        let mut sig = String::new();
        for v in &self.body {
            v.signature(&mut sig);
            body.write(v)?;
        }
        let string = |code: u8, v: &Option<String>, wrap: fn(String) -> Value| {
            v.as_ref().map(|s| {
                Value::Struct(vec![
                    Value::Byte(code),
                    Value::Variant(Box::new(wrap(s.clone()))),
                ])
            })
        };
        let mut fields: Vec<Value> = [
            string(1, &self.path, Value::Path),
            string(2, &self.interface, Value::Str),
            string(3, &self.member, Value::Str),
            string(4, &self.error_name, Value::Str),
            self.reply_serial.map(|r| {
                Value::Struct(vec![
                    Value::Byte(5),
                    Value::Variant(Box::new(Value::U32(r))),
                ])
            }),
            string(6, &self.destination, Value::Str),
            string(7, &self.sender, Value::Str),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !sig.is_empty() {
            fields.push(Value::Struct(vec![
                Value::Byte(8),
                Value::Variant(Box::new(Value::Sig(sig))),
            ]));
        }
        let mut out = Writer::default();
        out.buf.extend_from_slice(&[b'l', self.kind, 0, 1]);
        out.u32(u32::try_from(body.buf.len()).map_err(|_| WireError("message too long"))?);
        out.u32(serial);
        out.write(&Value::Array("(yv)".to_owned(), fields))?;
        out.pad(8);
        out.buf.extend_from_slice(&body.buf);
        if out.buf.len() > MAX_MESSAGE {
            return Err(WireError("message too long"));
        }
        Ok(out.buf)
    }

    /// Parses one whole message (its length as `message_length` gave it).
    pub(crate) fn decode(buf: &[u8]) -> Result<Self> {
        let (total, big) = message_length(buf)?;
        if buf.len() != total {
            return Err(WireError("message length does not match its header"));
        }
        let mut r = Reader::new(buf, big);
        let head = r.read_all("yyyyuua(yv)")?;
        let (kind, body_len, serial, fields) = match head.as_slice() {
            [
                _,
                Value::Byte(k),
                _,
                _,
                Value::U32(b),
                Value::U32(s),
                Value::Array(_, f),
            ] => (*k, *b as usize, *s, f),
            _ => return Err(WireError("malformed header")),
        };
        let mut m = Self {
            kind,
            serial,
            ..Self::default()
        };
        let mut sig = String::new();
        for field in fields {
            let Value::Struct(pair) = field else {
                return Err(WireError("malformed header field"));
            };
            let [Value::Byte(code), Value::Variant(v)] = pair.as_slice() else {
                return Err(WireError("malformed header field"));
            };
            match (code, v.as_ref()) {
                (1, Value::Path(s)) => m.path = Some(s.clone()),
                (2, Value::Str(s)) => m.interface = Some(s.clone()),
                (3, Value::Str(s)) => m.member = Some(s.clone()),
                (4, Value::Str(s)) => m.error_name = Some(s.clone()),
                (5, Value::U32(n)) => m.reply_serial = Some(*n),
                (6, Value::Str(s)) => m.destination = Some(s.clone()),
                (7, Value::Str(s)) => m.sender = Some(s.clone()),
                (8, Value::Sig(s)) => sig.clone_from(s),
                // File descriptors were never negotiated (no NEGOTIATE_UNIX_FD), so
                // UNIX_FDS can only be 0.
                (9, Value::U32(0)) => {}
                (1..=9, _) => return Err(WireError("header field of the wrong type")),
                _ => {} // unknown fields are ignored (spec, "Header Fields")
            }
        }
        r.align(8)?;
        let start = r.pos;
        if start + body_len != buf.len() {
            return Err(WireError("body length does not match the message"));
        }
        let mut body = Reader::new(&buf[start..], big);
        m.body = body.read_all(&sig)?;
        if body.pos != body_len {
            return Err(WireError("body longer than its signature"));
        }
        Ok(m)
    }
}

/// A short, printable rendering of a peer's text for an error message.
pub(crate) fn printable(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().take(200) {
        if c.is_control() {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(values: Vec<Value>) {
        let m = Message {
            kind: METHOD_RETURN,
            serial: 7,
            reply_serial: Some(3),
            destination: Some(":1.5".into()),
            sender: Some("org.freedesktop.DBus".into()),
            body: values,
            ..Message::default()
        };
        let bytes = m.encode(7).unwrap();
        let back = Message::decode(&bytes).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn round_trips_every_shape_used() {
        round_trip(vec![]);
        round_trip(vec![
            Value::Str("hello".into()),
            Value::Path("/a/b_1".into()),
        ]);
        round_trip(vec![
            Value::Byte(9),
            Value::Fixed(b't', 1 << 40), // 8-aligned after one byte
            Value::Bool(true),
            Value::Fixed(b'n', 0xfffe),
            Value::U32(5),
        ]);
        round_trip(vec![
            Value::Variant(Box::new(Value::Bytes(vec![1, 2, 3]))),
            Value::Path("/".into()),
        ]);
        round_trip(vec![Value::string_dict(&[
            ("service", "s"),
            ("username", "ü\n\""),
        ])]);
        round_trip(vec![Value::string_dict(&[])]);
        round_trip(vec![
            Value::Array("o".into(), vec![]),
            Value::Array("o".into(), vec![Value::Path("/x".into())]),
        ]);
        round_trip(vec![Value::Array(
            "{sv}".into(),
            vec![Value::Entry(
                Box::new(Value::Str("org.freedesktop.Secret.Item.Attributes".into())),
                Box::new(Value::Variant(Box::new(Value::string_dict(&[("a", "b")])))),
            )],
        )]);
        round_trip(vec![Value::Struct(vec![
            Value::Path("/org/freedesktop/secrets/session/1".into()),
            Value::Bytes(vec![0; 16]),
            Value::Bytes(vec![]),
            Value::Str("text/plain".into()),
        ])]);
        round_trip(vec![Value::Array(
            "{o(oayays)}".into(),
            vec![Value::Entry(
                Box::new(Value::Path("/i".into())),
                Box::new(Value::Struct(vec![
                    Value::Path("/s".into()),
                    Value::Bytes(vec![1]),
                    Value::Bytes(vec![2, 3]),
                    Value::Str("text/plain".into()),
                ])),
            )],
        )]);
    }

    #[test]
    fn alignment_and_padding_are_per_spec() {
        let mut w = Writer::default();
        w.write(&Value::Byte(1)).unwrap();
        w.write(&Value::U32(2)).unwrap();
        w.write(&Value::Array("(yy)".into(), vec![])).unwrap();
        // y, 3 pad, u32, array length at 8, then padding to 16 even though empty
        assert_eq!(w.buf, [1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let mut w = Writer::default();
        w.write(&Value::Variant(Box::new(Value::Str("ab".into()))))
            .unwrap();
        assert_eq!(w.buf, [1, b's', 0, 0, 2, 0, 0, 0, b'a', b'b', 0]);
    }

    #[test]
    fn reads_big_endian_messages() {
        // A METHOD_RETURN with body "su" written big-endian by hand.
        let mut b = vec![b'B', METHOD_RETURN, 0, 1];
        let body: Vec<u8> = [&[0, 0, 0, 2][..], b"hi\0", &[0], &[0, 0, 1, 0]].concat();
        b.extend_from_slice(&(body.len() as u32).to_be_bytes());
        b.extend_from_slice(&9u32.to_be_bytes());
        // fields: (5, v u 3), (8, v g "su")
        let f: Vec<u8> = [
            &[5, 1, b'u', 0][..],
            &[0, 0, 0, 3],
            &[8, 1, b'g', 0, 2, b's', b'u', 0],
        ]
        .concat();
        b.extend_from_slice(&(f.len() as u32).to_be_bytes());
        b.extend_from_slice(&f);
        while b.len() % 8 != 0 {
            b.push(0);
        }
        b.extend_from_slice(&body);
        let m = Message::decode(&b).unwrap();
        assert_eq!(m.reply_serial, Some(3));
        assert_eq!(m.serial, 9);
        assert_eq!(m.body, vec![Value::Str("hi".into()), Value::U32(256)]);
    }

    #[test]
    fn malformed_messages_are_errors() {
        let good = Message {
            kind: METHOD_RETURN,
            reply_serial: Some(1),
            body: vec![Value::Str("abc".into()), Value::Bytes(vec![1, 2])],
            ..Message::default()
        }
        .encode(1)
        .unwrap();
        assert!(Message::decode(&good).is_ok());
        // Every truncation, and every single-byte change, is an error or a valid message,
        // never a panic.
        for n in 0..good.len() {
            assert!(Message::decode(&good[..n]).is_err());
        }
        for i in 0..good.len() {
            for x in [0u8, 1, 0x7f, 0xff, b'(', b'a', b'v'] {
                let mut b = good.clone();
                b[i] = x;
                let _ = Message::decode(&b);
            }
        }
        // Specific faults.
        let mut b = good.clone();
        b[0] = b'x';
        assert!(Message::decode(&b).is_err());
        let mut b = good.clone();
        b[3] = 2;
        assert!(Message::decode(&b).is_err());
        let mut b = good.clone();
        let n = b.len();
        b[n - 9] = 0; // the "b" of "abc": a NUL inside the string
        assert!(Message::decode(&b).is_err());
    }

    #[test]
    fn random_bytes_never_panic() {
        // A small xorshift generator: deterministic, no extra crate.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let len = (next() % 96) as usize;
            let mut b: Vec<u8> = (0..len).map(|_| (next() % 8) as u8).collect();
            for sig in [
                "a{sv}",
                "(oayays)",
                "a{o(oayays)}",
                "vv",
                "aao",
                "g",
                "sobu",
            ] {
                let _ = Reader::new(&b, next() % 2 == 0).read_all(sig);
            }
            // And as whole messages, behind a plausible fixed header.
            if b.len() >= FIXED_HEADER {
                b[0] = b'l';
                b[3] = 1;
                let _ = Message::decode(&b);
            }
        }
    }

    #[test]
    fn signatures_are_validated() {
        for bad in [
            "a", "(", "()", "a{vs}", "{ss}", "a{s}", "a{sss}", "z", "(s", "ss)",
        ] {
            assert!(split_signature(bad.as_bytes()).is_err(), "{bad}");
        }
        for good in [
            "",
            "s",
            "a{sv}",
            "(oayays)",
            "a{o(oayays)}",
            "aaai",
            "v",
            "(a(s))",
        ] {
            assert!(split_signature(good.as_bytes()).is_ok(), "{good}");
        }
        let deep = format!("{}y", "a".repeat(70));
        assert!(split_signature(deep.as_bytes()).is_err());
        let deep = format!("{}y{}", "(".repeat(70), ")".repeat(70));
        assert!(split_signature(deep.as_bytes()).is_err());
    }

    #[test]
    fn nested_variants_are_bounded() {
        // 100 variants each holding the next: refused by depth, not the stack.
        let mut b = Vec::new();
        for _ in 0..100 {
            b.extend_from_slice(&[1, b'v', 0]);
        }
        b.extend_from_slice(&[1, b'y', 0, 7]);
        let mut r = Reader::new(&b, false);
        assert!(r.read_all("v").is_err());
    }

    #[test]
    fn array_lengths_are_checked() {
        // Length says 8 bytes of u32 but only 4 follow.
        let b = [8, 0, 0, 0, 1, 0, 0, 0];
        assert!(Reader::new(&b, false).read_all("au").is_err());
        // Length not a multiple of the element size.
        let b = [6, 0, 0, 0, 1, 0, 0, 0, 2, 0];
        assert!(Reader::new(&b, false).read_all("au").is_err());
        // Huge length.
        let b = [0xff, 0xff, 0xff, 0x7f];
        assert!(Reader::new(&b, false).read_all("ay").is_err());
        // Non-zero padding.
        let b = [1, 9, 9, 9, 1, 0, 0, 0];
        assert!(Reader::new(&b, false).read_all("yu").is_err());
        // Booleans are 0 or 1.
        let b = [2, 0, 0, 0];
        assert!(Reader::new(&b, false).read_all("b").is_err());
    }

    #[test]
    fn object_paths_are_validated() {
        for p in ["/", "/a", "/a/b_c/D9"] {
            assert!(valid_path(p), "{p}");
        }
        for p in ["", "a", "//", "/a/", "/a-b", "/a//b"] {
            assert!(!valid_path(p), "{p}");
        }
        assert!(Writer::default().write(&Value::Path("/a/".into())).is_err());
        assert!(Writer::default().write(&Value::Str("a\0b".into())).is_err());
    }

    #[test]
    fn printable_escapes_control_characters() {
        assert_eq!(printable("a\nb\u{1b}"), "a\\u{a}b\\u{1b}");
        assert_eq!(printable(&"x".repeat(500)).len(), 200);
    }
}
