//! `state` (RFC 6749 §10.12, CSRF) and OpenID Connect `nonce` values, and the
//! constant-time comparison used to check them.

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

use crate::base64url;
use crate::entropy::Entropy;
use crate::error::Error;

/// Random octets behind each `state` or `nonce`: 256 bits, far past guessing.
const RANDOM_OCTETS: usize = 32;

fn random_token(entropy: &mut impl Entropy) -> Result<String, Error> {
    let mut bytes = [0u8; RANDOM_OCTETS];
    entropy.fill(&mut bytes)?;
    Ok(base64url::encode(&bytes))
}

macro_rules! opaque_token {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// A fresh unguessable value: 32 random octets, base64url (43 characters).
            pub fn generate(entropy: &mut impl Entropy) -> Result<Self, Error> {
                random_token(entropy).map(Self)
            }

            /// Wraps a value the caller already has (for example one restored from storage).
            pub fn from_string(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The value to send.
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// Compares with a received value in time independent of where they differ.
            pub fn matches(&self, received: &str) -> bool {
                constant_time_eq(self.0.as_bytes(), received.as_bytes())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

opaque_token!(
    /// The `state` parameter that binds a callback to the request that started it
    /// (RFC 6749 §4.1.1, §10.12). `Debug` does not print it.
    State
);
opaque_token!(
    /// An OpenID Connect `nonce` (OIDC Core §3.1.2.1). `Debug` does not print it.
    Nonce
);

/// Compares two byte strings in time that depends only on their lengths, so a caller
/// probing a `state` check learns nothing from timing about which byte was wrong.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::testing::{BrokenEntropy, FixedEntropy};

    #[test]
    fn state_is_43_url_safe_characters() {
        let s = State::generate(&mut FixedEntropy(vec![0xff, 0x00, 0x7f], 0)).unwrap();
        assert_eq!(s.secret().len(), 43);
        assert!(s.secret().bytes().all(crate::form::is_unreserved));
    }

    #[test]
    fn state_and_nonce_differ_between_draws() {
        let mut e = FixedEntropy((0..=255).collect(), 0);
        let a = State::generate(&mut e).unwrap();
        let b = State::generate(&mut e).unwrap();
        assert_ne!(a, b);
        let n = Nonce::generate(&mut e).unwrap();
        assert_ne!(n.secret(), a.secret());
    }

    #[test]
    fn entropy_failure_is_an_error() {
        assert!(State::generate(&mut BrokenEntropy).is_err());
        assert!(Nonce::generate(&mut BrokenEntropy).is_err());
    }

    #[test]
    fn constant_time_eq_cases() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"xbc", b"abc"));
    }

    #[test]
    fn matches_and_debug() {
        let s = State::from_string("s3cret-state");
        assert!(s.matches("s3cret-state"));
        assert!(!s.matches("s3cret-statE"));
        assert!(!format!("{s:?}").contains("s3cret"));
        assert!(!format!("{:?}", Nonce::from_string("n0nce")).contains("n0nce"));
    }
}
