//! Proof Key for Code Exchange (RFC 7636), S256 only as OAuth 2.1 §4.1.1 asks.

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

use crate::base64url;
use crate::entropy::Entropy;
use crate::error::{Error, ErrorCode};
use crate::text::{concat, decimal};

/// Shortest verifier RFC 7636 §4.1 allows.
pub const MIN_VERIFIER_LEN: usize = 43;
/// Longest verifier RFC 7636 §4.1 allows.
pub const MAX_VERIFIER_LEN: usize = 128;

/// The start of both length errors (RFC 7636 §4.1).
const LENGTH_RULE: &str = "a code verifier must be 43 to 128 characters long, ";

/// Fewest octets whose base64url form has at least `len` characters: 32 for 43, as in
/// RFC 7636 Appendix B. `n` octets give `ceil(4n / 3)` characters, so the fewest is
/// `floor((3 len + 1) / 4)` (the tests hold it to the search by `encoded_len`).
const fn octets_for(len: usize) -> usize {
    (len * 3 + 1) / 4
}

/// A PKCE `code_verifier` (RFC 7636 §4.1). A secret: `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct CodeVerifier(String);

impl CodeVerifier {
    /// A fresh 43-character verifier from 32 random octets, as RFC 7636 §4.1 recommends.
    pub fn generate(entropy: &mut impl Entropy) -> Result<Self, Error> {
        Self::generate_with_len(entropy, MIN_VERIFIER_LEN)
    }

    /// A fresh verifier of `len` characters (43..=128), each carrying 6 random bits.
    pub fn generate_with_len(entropy: &mut impl Entropy, len: usize) -> Result<Self, Error> {
        if !(MIN_VERIFIER_LEN..=MAX_VERIFIER_LEN).contains(&len) {
            return Err(Error::new(
                ErrorCode::InvalidCodeVerifier,
                concat(&[LENGTH_RULE, &decimal(len), " was asked for"]),
            ));
        }
        let octets = octets_for(len);
        let mut buf = [0u8; octets_for(MAX_VERIFIER_LEN)];
        let bytes = buf.get_mut(..octets).unwrap_or_default();
        entropy.fill(bytes)?;
        let s = base64url::encode(bytes);
        // At most one character past `len` (ASCII): cut it off. (A copy, not `pop`:
        // `pop` decodes UTF-8 backwards, more code in the browser's module.)
        Ok(Self(s.get(0..len).unwrap_or(&s).to_owned()))
    }

    /// Accepts a caller-supplied verifier after checking RFC 7636 §4.1:
    /// `43*128unreserved` where unreserved is `ALPHA / DIGIT / "-" / "." / "_" / "~"`.
    pub fn new(verifier: impl Into<String>) -> Result<Self, Error> {
        let verifier = verifier.into();
        let len = verifier.len();
        if !(MIN_VERIFIER_LEN..=MAX_VERIFIER_LEN).contains(&len) {
            return Err(Error::new(
                ErrorCode::InvalidCodeVerifier,
                concat(&[LENGTH_RULE, "this one has ", &decimal(len), " bytes"]),
            ));
        }
        if let Some(pos) = crate::text::first_outside(&verifier, crate::text::UNRESERVED) {
            return Err(Error::new(
                ErrorCode::InvalidCodeVerifier,
                concat(&[
                    "a code verifier may only use A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1); byte ",
                    &decimal(pos),
                    " is not one of them",
                ]),
            ));
        }
        Ok(Self(verifier))
    }

    /// The verifier itself, for the token request.
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// The S256 challenge: `BASE64URL(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2).
    pub fn challenge(&self) -> CodeChallenge {
        // wasm has no SHA instructions for `sha2` to use: core's own rolled-up SHA-256 is
        // the smaller code there, with or without `std`.
        #[cfg(all(feature = "std", not(target_arch = "wasm32")))]
        let digest = <sha2::Sha256 as sha2::Digest>::digest(self.0.as_bytes());
        #[cfg(any(not(feature = "std"), target_arch = "wasm32"))]
        let digest = crate::sha256::digest(self.0.as_bytes());
        CodeChallenge(base64url::encode(&digest))
    }
}

impl fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeVerifier([redacted])")
    }
}

/// A PKCE `code_challenge` (RFC 7636 §4.2). Public: it travels in the authorization URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    /// Accepts a challenge computed elsewhere: an S256 challenge is exactly 43 base64url
    /// characters (RFC 7636 §4.2: 32 octets of SHA-256, unpadded).
    pub fn new(challenge: impl Into<String>) -> Result<Self, Error> {
        let challenge = challenge.into();
        check_challenge(&challenge)?;
        Ok(Self(challenge))
    }

    /// The challenge string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// [`CodeChallenge::new`]'s check, without a copy of `challenge`.
pub(crate) fn check_challenge(challenge: &str) -> Result<(), Error> {
    if challenge.len() == 43 && crate::text::all_in(challenge, crate::text::BASE64URL) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidParameter,
            "code_challenge must be 43 base64url characters, the S256 form (RFC 7636 §4.2)",
        ))
    }
}

/// The `code_challenge_method` (RFC 7636 §4.3). Only `S256` exists here: OAuth 2.1
/// §4.1.1 and RFC 9700 §2.1.1 say clients must use it, so `plain` cannot be chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CodeChallengeMethod {
    /// SHA-256, base64url-encoded.
    #[default]
    S256,
}

impl CodeChallengeMethod {
    /// Parses a method name; `plain` and anything else is refused with a typed error.
    pub fn parse(name: &str) -> Result<Self, Error> {
        match name {
            "S256" => Ok(Self::S256),
            "plain" => Err(Error::new(
                ErrorCode::UnsupportedChallengeMethod,
                "the PKCE method \"plain\" is refused: it gives no protection if the authorization request leaks (OAuth 2.1 §4.1.1); use S256",
            )),
            other => Err(crate::error::quoting(
                ErrorCode::UnsupportedChallengeMethod,
                &["unknown PKCE method "],
                other,
                &["; only S256 is supported"],
            )),
        }
    }

    /// The parameter value, `"S256"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
        }
    }
}

/// A verifier with its S256 challenge.
#[derive(Clone, Debug)]
pub struct PkcePair {
    /// Kept by the client until the token request.
    pub verifier: CodeVerifier,
    /// Sent in the authorization request.
    pub challenge: CodeChallenge,
}

impl PkcePair {
    /// Generates a fresh verifier and derives its challenge.
    pub fn generate(entropy: &mut impl Entropy) -> Result<Self, Error> {
        Ok(Self::from_verifier(CodeVerifier::generate(entropy)?))
    }

    /// Derives the pair from an existing verifier.
    pub fn from_verifier(verifier: CodeVerifier) -> Self {
        let challenge = verifier.challenge();
        Self {
            verifier,
            challenge,
        }
    }

    /// The method, always `S256`.
    pub const fn method(&self) -> CodeChallengeMethod {
        CodeChallengeMethod::S256
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::testing::{BrokenEntropy, FixedEntropy};

    // RFC 7636 Appendix B.
    const APPENDIX_B_OCTETS: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    const APPENDIX_B_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const APPENDIX_B_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc7636_appendix_b_challenge() {
        let v = CodeVerifier::new(APPENDIX_B_VERIFIER).unwrap();
        assert_eq!(v.challenge().as_str(), APPENDIX_B_CHALLENGE);
    }

    #[test]
    fn rfc7636_appendix_b_verifier_from_octets() {
        let mut e = FixedEntropy(APPENDIX_B_OCTETS.to_vec(), 0);
        let pair = PkcePair::generate(&mut e).unwrap();
        assert_eq!(pair.verifier.secret(), APPENDIX_B_VERIFIER);
        assert_eq!(pair.challenge.as_str(), APPENDIX_B_CHALLENGE);
        assert_eq!(pair.method().as_str(), "S256");
    }

    #[test]
    fn generated_verifiers_are_valid_at_every_length() {
        let mut e = FixedEntropy((0..=255).collect(), 0);
        for len in MIN_VERIFIER_LEN..=MAX_VERIFIER_LEN {
            let v = CodeVerifier::generate_with_len(&mut e, len).unwrap();
            assert_eq!(v.secret().len(), len);
            CodeVerifier::new(v.secret()).unwrap();
        }
    }

    #[test]
    fn generated_verifiers_are_what_they_were_before_the_stack_buffer() {
        // The octets in a `Vec` of their own, as `generate_with_len` had them.
        fn before(entropy: &mut impl Entropy, len: usize) -> String {
            let mut bytes = vec![0u8; octets_for(len)];
            entropy.fill(&mut bytes).unwrap();
            let s = base64url::encode(&bytes);
            s.get(0..len).unwrap_or(&s).to_owned()
        }
        let octets: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let (mut now, mut then) = (FixedEntropy(octets.clone(), 0), FixedEntropy(octets, 0));
        for len in (MIN_VERIFIER_LEN..=MAX_VERIFIER_LEN).chain(MIN_VERIFIER_LEN..=MAX_VERIFIER_LEN)
        {
            let v = CodeVerifier::generate_with_len(&mut now, len).unwrap();
            assert_eq!(v.secret(), before(&mut then, len), "{len}");
        }
        for len in [0, 42, 129, usize::MAX] {
            assert!(CodeVerifier::generate_with_len(&mut now, len).is_err());
        }
    }

    #[test]
    fn octets_are_the_fewest_that_give_the_length() {
        for len in 0..=1000 {
            let fewest = (0..).find(|&n| base64url::encoded_len(n) >= len);
            assert_eq!(Some(octets_for(len)), fewest, "{len}");
        }
        assert_eq!(octets_for(43), 32);
    }

    #[test]
    fn generation_refuses_out_of_range_lengths() {
        let mut e = FixedEntropy(vec![1], 0);
        for len in [0, 42, 129, usize::MAX / 2] {
            let err = CodeVerifier::generate_with_len(&mut e, len).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidCodeVerifier);
        }
    }

    #[test]
    fn generation_reports_entropy_failure() {
        let err = CodeVerifier::generate(&mut BrokenEntropy).unwrap_err();
        assert_eq!(err.code(), ErrorCode::EntropyUnavailable);
    }

    #[test]
    fn validation_bounds_and_alphabet() {
        assert!(CodeVerifier::new("a".repeat(43)).is_ok());
        assert!(CodeVerifier::new("~._-".repeat(32)).is_ok());
        for bad in [
            "a".repeat(42),
            "a".repeat(129),
            format!("{}+", "a".repeat(42)),
            format!("{} ", "a".repeat(42)),
            format!("{}\n", "a".repeat(42)),
            format!("{}é", "a".repeat(41)),
            String::new(),
        ] {
            let err = CodeVerifier::new(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidCodeVerifier);
        }
    }

    #[test]
    fn messages_name_the_rule_and_the_numbers() {
        assert_eq!(
            LENGTH_RULE,
            format!(
                "a code verifier must be {MIN_VERIFIER_LEN} to {MAX_VERIFIER_LEN} characters long, "
            )
        );
        let mut e = FixedEntropy(vec![1], 0);
        assert_eq!(
            CodeVerifier::generate_with_len(&mut e, 129)
                .unwrap_err()
                .message(),
            "a code verifier must be 43 to 128 characters long, 129 was asked for"
        );
        assert_eq!(
            CodeVerifier::new("a".repeat(42)).unwrap_err().message(),
            "a code verifier must be 43 to 128 characters long, this one has 42 bytes"
        );
        assert_eq!(
            CodeVerifier::new(format!("{}+", "a".repeat(100)))
                .unwrap_err()
                .message(),
            "a code verifier may only use A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1); byte 100 is not one of them"
        );
        assert_eq!(
            CodeChallengeMethod::parse("S1\n").unwrap_err().message(),
            "unknown PKCE method \"S1\\u{a}\"; only S256 is supported"
        );
    }

    #[test]
    fn validation_error_does_not_echo_the_secret() {
        let secret = format!("{}!", "s3cr3t".repeat(8));
        let err = CodeVerifier::new(secret.clone()).unwrap_err();
        assert!(!err.message().contains("s3cr3t"));
    }

    #[test]
    fn debug_redacts_verifier() {
        let v = CodeVerifier::new(APPENDIX_B_VERIFIER).unwrap();
        assert!(!format!("{v:?}").contains("dBjf"));
        let pair = PkcePair::from_verifier(v);
        assert!(!format!("{pair:?}").contains("dBjf"));
    }

    #[test]
    fn challenge_new_accepts_only_s256_shape() {
        assert!(CodeChallenge::new(APPENDIX_B_CHALLENGE).is_ok());
        for bad in [
            "",
            "short",
            &"a".repeat(44),
            &format!("{}=", &APPENDIX_B_CHALLENGE[..42]),
            &format!("{}+", &APPENDIX_B_CHALLENGE[..42]),
        ] {
            assert_eq!(
                CodeChallenge::new(bad).unwrap_err().code(),
                ErrorCode::InvalidParameter,
                "{bad}"
            );
        }
    }

    #[test]
    fn plain_is_refused() {
        assert_eq!(
            CodeChallengeMethod::parse("plain").unwrap_err().code(),
            ErrorCode::UnsupportedChallengeMethod
        );
        assert_eq!(
            CodeChallengeMethod::parse("s256").unwrap_err().code(),
            ErrorCode::UnsupportedChallengeMethod
        );
        assert_eq!(
            CodeChallengeMethod::parse("S256").unwrap(),
            CodeChallengeMethod::S256
        );
    }
}
