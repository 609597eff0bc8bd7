//! The framed arguments JavaScript writes for one operation: each item is a little-endian
//! `u32` followed by that many bytes of UTF-8 text; `u32::MAX` alone is an absent text;
//! counts and numbers are a bare `u32`.

use oauth_callback_core::{Error, ErrorCode};

/// Marks an absent optional text.
pub const ABSENT: u32 = u32::MAX;

/// Reads items from a frame, front to back.
pub struct Args<'a> {
    rest: &'a [u8],
}

fn malformed() -> Error {
    Error::new(
        ErrorCode::InvalidParameter,
        "malformed arguments from the JavaScript side",
    )
}

impl<'a> Args<'a> {
    /// A reader over `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// A bare `u32` (a count, a length, a port).
    pub fn number(&mut self) -> Result<u32, Error> {
        let (head, rest) = self.rest.split_first_chunk::<4>().ok_or_else(malformed)?;
        self.rest = rest;
        Ok(u32::from_le_bytes(*head))
    }

    /// An optional text: `None` when the frame marks it absent.
    pub fn optional_text(&mut self) -> Result<Option<&'a str>, Error> {
        let len = self.number()?;
        if len == ABSENT {
            return Ok(None);
        }
        let len = usize::try_from(len).map_err(|_| malformed())?;
        if len > self.rest.len() {
            return Err(malformed());
        }
        let (text, rest) = self.rest.split_at(len);
        self.rest = rest;
        // core's small UTF-8 check, not `core::str::from_utf8` and its tables (the tests
        // hold both to the same answer).
        if !oauth_callback_core::is_utf8(text) {
            return Err(malformed());
        }
        // SAFETY: `text` was just checked to be UTF-8.
        #[allow(unsafe_code)]
        Ok(Some(unsafe { core::str::from_utf8_unchecked(text) }))
    }

    /// A text that must be present.
    pub fn text(&mut self) -> Result<&'a str, Error> {
        self.optional_text()?.ok_or_else(malformed)
    }
}

/// The frame of `items` as the JavaScript loader writes it: each text as its length and
/// its bytes, `None` as [`ABSENT`]. For the operations' tests.
#[cfg(test)]
pub fn encode(items: &[Option<&str>]) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Some(t) => {
                out.extend_from_slice(&u32::try_from(t.len()).unwrap_or(0).to_le_bytes());
                out.extend_from_slice(t.as_bytes());
            }
            None => out.extend_from_slice(&ABSENT.to_le_bytes()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_texts_numbers_and_absent_items() {
        let mut bytes = encode(&[Some("héllo"), None]);
        bytes.extend_from_slice(&7u32.to_le_bytes());
        bytes.extend_from_slice(&encode(&[Some("")]));
        let mut args = Args::new(&bytes);
        assert_eq!(args.text().ok(), Some("héllo"));
        assert_eq!(args.optional_text().ok(), Some(None));
        assert_eq!(args.number().ok(), Some(7));
        assert_eq!(args.text().ok(), Some(""));
        assert!(args.number().is_err(), "nothing left");
    }

    /// A text of `bytes` read from a frame: what `core::str::from_utf8` says, every time.
    fn read_as_core_would(bytes: &[u8]) {
        let mut frame = u32::try_from(bytes.len())
            .unwrap_or(0)
            .to_le_bytes()
            .to_vec();
        frame.extend_from_slice(bytes);
        assert_eq!(
            Args::new(&frame).text().ok(),
            core::str::from_utf8(bytes).ok(),
            "{bytes:x?}"
        );
    }

    #[test]
    fn texts_are_utf8_exactly_as_core_says() {
        for a in 0..=255u8 {
            read_as_core_would(&[a]);
            for b in 0..=255u8 {
                read_as_core_would(&[a, b]);
                read_as_core_would(&[b'x', a, b]);
            }
        }
        for lead in 0xe0..=0xf4u8 {
            for b in [0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0] {
                for c in [0x7f, 0x80, 0xbf, 0xc0] {
                    read_as_core_would(&[lead, b, c]);
                    read_as_core_would(&[lead, b, c, 0x80]);
                    read_as_core_would(&[lead, b, c, 0xbf, b'x']);
                }
            }
        }
    }

    #[test]
    fn refuses_short_frames_bad_utf8_and_missing_texts() {
        let short = [5u8, 0, 0, 0, b'a'];
        assert!(Args::new(&short).text().is_err());
        let bad = [1u8, 0, 0, 0, 0xff];
        assert!(Args::new(&bad).text().is_err());
        assert!(Args::new(&ABSENT.to_le_bytes()).text().is_err());
        assert!(Args::new(&[1, 0]).number().is_err());
    }
}
