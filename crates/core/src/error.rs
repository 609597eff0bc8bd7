//! Library errors: stable machine-readable codes plus a human message.
//!
//! Codes never change once released; users match on [`ErrorCode`], never on messages.
//! Messages never contain secrets (verifiers, codes, tokens): only the name of what was
//! wrong and, where helpful, a sanitized excerpt of non-secret input.

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

/// A stable identifier for each kind of library error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The operating system's random source failed.
    EntropyUnavailable,
    /// A PKCE code verifier is not 43-128 characters of the RFC 7636 §4.1 unreserved set.
    InvalidCodeVerifier,
    /// A PKCE method other than `S256` was asked for (`plain` is refused, OAuth 2.1 §4.1.1).
    UnsupportedChallengeMethod,
    /// An endpoint URL could not be parsed as an absolute `http(s)` URL.
    InvalidUrl,
    /// An endpoint uses plain `http` on a host that is not a loopback address.
    InsecureEndpoint,
    /// A required authorization request parameter is missing or empty.
    MissingParameter,
    /// A parameter was given twice, or an extra parameter tried to replace a reserved one.
    DuplicateParameter,
    /// A parameter value is not acceptable (for example a `resource` that is not absolute).
    InvalidParameter,
    /// A host name given for the loopback server is not a loopback name or address.
    NotLoopback,
    /// An encryption key or passphrase is unusable (wrong length, too short, bad name).
    InvalidKey,
    /// A store file is not in a format this version can parse (truncated, garbage).
    StoreCorrupt,
    /// An encrypted store did not decrypt: wrong key, or the file was changed.
    StoreDecryptFailed,
    /// A store was written by a newer format version.
    StoreVersionUnsupported,
    /// The authorization server answered with something that is not a valid response.
    InvalidResponse,
    /// Discovery metadata names another issuer than the one asked for (mix-up defense).
    IssuerMismatch,
    /// The authorization response's `state` or `iss` is not the expected one.
    ResponseMismatch,
    /// An OpenID Connect ID token failed validation: signature, issuer, audience,
    /// expiry or nonce (OIDC Core §3.1.3.7).
    IdTokenInvalid,
}

impl ErrorCode {
    /// The code as the stable string exposed to JavaScript (`err.code`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::EntropyUnavailable => "ENTROPY_UNAVAILABLE",
            Self::InvalidCodeVerifier => "INVALID_CODE_VERIFIER",
            Self::UnsupportedChallengeMethod => "UNSUPPORTED_CHALLENGE_METHOD",
            Self::InvalidUrl => "INVALID_URL",
            Self::InsecureEndpoint => "INSECURE_ENDPOINT",
            Self::MissingParameter => "MISSING_PARAMETER",
            Self::DuplicateParameter => "DUPLICATE_PARAMETER",
            Self::InvalidParameter => "INVALID_PARAMETER",
            Self::NotLoopback => "NOT_LOOPBACK",
            Self::InvalidKey => "INVALID_KEY",
            Self::StoreCorrupt => "STORE_CORRUPT",
            Self::StoreDecryptFailed => "STORE_DECRYPT_FAILED",
            Self::StoreVersionUnsupported => "STORE_VERSION_UNSUPPORTED",
            Self::InvalidResponse => "INVALID_RESPONSE",
            Self::IssuerMismatch => "ISSUER_MISMATCH",
            Self::ResponseMismatch => "RESPONSE_MISMATCH",
            Self::IdTokenInvalid => "ID_TOKEN_INVALID",
        }
    }
}

/// A library error: a stable [`ErrorCode`] and a message for people.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<Fields>);

/// Boxed: a `Result` carrying an error is then one pointer wider than its value at most,
/// and each `?` moves a pointer (less code in the browser's `authorize` module).
#[derive(Clone, PartialEq, Eq)]
struct Fields {
    code: ErrorCode,
    /// `code.as_str()`, worked out where the error is made: there the code is a constant,
    /// so a build carries the names of the codes it can give, not a table of all of them
    /// (the browser's `authorize` module gives 6 of the 17).
    name: &'static str,
    message: String,
}

impl Error {
    /// Creates an error with the given code and message.
    #[inline(always)]
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::named(code, code.as_str(), message.into())
    }

    #[inline(never)]
    fn named(code: ErrorCode, name: &'static str, message: String) -> Self {
        Self(Box::new(Fields {
            code,
            name,
            message,
        }))
    }

    /// The stable code's name, what [`ErrorCode::as_str`] gives for [`Self::code`].
    pub fn code_name(&self) -> &'static str {
        self.0.name
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// The human-readable message (never contains secrets).
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("code", &self.0.code)
            .field("message", &self.0.message)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code.as_str())?;
        f.write_str(": ")?;
        f.write_str(&self.0.message)
    }
}

impl core::error::Error for Error {}

/// Renders untrusted text for an error message: control characters and escape sequences
/// become visible `\u{..}` escapes, and long input is cut, so a hostile value can neither
/// drive a terminal nor flood a log.
pub fn excerpt(input: &str) -> String {
    visible(input, 80)
}

/// [`excerpt`] with room for `max_chars` characters: for a file path, which must be named
/// whole to be useful (PATH_MAX is 4096 bytes on Linux).
pub fn visible(input: &str, max_chars: usize) -> String {
    let mut out = String::new();
    push_visible(&mut out, input, max_chars);
    out
}

/// An error whose message names an untrusted `value`, quoted and made [`excerpt`]-safe:
/// `before "value" after`. One function builds every such message, so each place that
/// reports one is a single call (less code in the browser's `authorize` module).
/// (Inlined, so that the code is a constant for [`Error::new`]; the message is built by
/// one function.)
#[inline(always)]
pub(crate) fn quoting(code: ErrorCode, before: &[&str], value: &str, after: &[&str]) -> Error {
    quoted(code, code.as_str(), before, value, after)
}

/// [`quoting`], given the code's name.
#[inline(never)]
fn quoted(
    code: ErrorCode,
    name: &'static str,
    before: &[&str],
    value: &str,
    after: &[&str],
) -> Error {
    let mut message = String::new();
    for piece in before {
        message.push_str(piece);
    }
    message.push('"');
    push_visible(&mut message, value, 80);
    message.push('"');
    for piece in after {
        message.push_str(piece);
    }
    Error::named(code, name, message)
}

/// Appends [`visible`]`(input, max_chars)` to `out`.
fn push_visible(out: &mut String, input: &str, max_chars: usize) {
    let mut rest = input.as_bytes();
    let mut i = 0;
    while let Some((c, after)) = crate::text::next_char(rest) {
        if i == max_chars {
            out.push('…');
            break;
        }
        i += 1;
        rest = after;
        if c.is_control() || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}') {
            out.push_str("\\u{");
            crate::text::push_hex_lower(out, u32::from(c));
            out.push('}');
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_starts_with_stable_code() {
        let e = Error::new(ErrorCode::NotLoopback, "nope");
        assert_eq!(e.to_string(), "NOT_LOOPBACK: nope");
        assert_eq!(e.code(), ErrorCode::NotLoopback);
    }

    #[test]
    fn every_code_s_name_is_its_as_str_however_the_error_is_made() {
        use ErrorCode::*;
        for code in [
            EntropyUnavailable,
            InvalidCodeVerifier,
            UnsupportedChallengeMethod,
            InvalidUrl,
            InsecureEndpoint,
            MissingParameter,
            DuplicateParameter,
            InvalidParameter,
            NotLoopback,
            InvalidKey,
            StoreCorrupt,
            StoreDecryptFailed,
            StoreVersionUnsupported,
            InvalidResponse,
            IssuerMismatch,
            ResponseMismatch,
            IdTokenInvalid,
        ] {
            let made = Error::new(code, "m");
            let quoted = quoting(code, &["a "], "v\n", &[" b"]);
            assert_eq!(made.code_name(), code.as_str());
            assert_eq!(quoted.code_name(), code.as_str());
            assert_eq!(made.code(), code);
            assert_eq!(quoted.code(), code);
            assert_eq!(quoted.message(), "a \"v\\u{a}\" b");
        }
    }

    #[test]
    fn debug_shows_code_and_message() {
        let e = Error::new(ErrorCode::InvalidUrl, "bad");
        assert_eq!(
            format!("{e:?}"),
            "Error { code: InvalidUrl, message: \"bad\" }"
        );
        assert_eq!(e.clone(), e);
    }

    #[test]
    fn excerpt_neutralizes_terminal_escapes_and_newlines() {
        let s = excerpt("a\u{1b}[31mred\r\nnext\u{202e}");
        assert_eq!(s, "a\\u{1b}[31mred\\u{d}\\u{a}next\\u{202e}");
        assert!(!s.chars().any(char::is_control));
    }

    #[test]
    fn escapes_match_the_formatter_s() {
        for c in [
            '\0', '\u{1f}', '\u{7f}', '\u{9f}', '\u{200b}', '\u{2028}', '\u{202e}',
        ] {
            let text = alloc::format!("a{c}b");
            assert_eq!(
                excerpt(&text),
                alloc::format!("a\\u{{{:x}}}b", c as u32),
                "{c:?}"
            );
        }
        assert_eq!(excerpt("é\u{2029}"), "é\\u{2029}");
    }

    #[test]
    fn excerpt_cuts_long_input() {
        let s = excerpt(&"x".repeat(10_000));
        assert_eq!(s.chars().count(), 81);
        assert!(s.ends_with('…'));
    }
}
