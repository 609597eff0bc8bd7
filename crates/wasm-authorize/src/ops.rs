//! The operations of the `authorize` module, each a call into oauth-callback-core with
//! arguments read from a frame. The wasm bindings of `crates/wasm` (`protocol.rs`) make
//! the same calls; `tests/facade` checks that both modules answer alike.

use alloc::string::String;
use alloc::vec::Vec;

use oauth_callback_core::authorize::AuthorizationUrl;
use oauth_callback_core::{
    CodeVerifier, Endpoint, Entropy, Error, ErrorCode, State, loopback, template,
};

use crate::frame::Args;

/// RFC 7636 §4.1-4.2: `[length]` → `"verifier challenge"`.
pub const PKCE_PAIR: u32 = 0;
/// RFC 7636 §4.2: `[verifier]` → the S256 challenge (feature `full` only).
pub const CHALLENGE: u32 = 1;
/// RFC 6749 §10.12: `[]` → a fresh `state`.
pub const STATE: u32 = 2;
/// OpenID Connect Core §3.1.2.1: `[]` → a fresh `nonce`.
pub const NONCE: u32 = 3;
/// RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 8707: `[endpoint, client_id, redirect_uri?,
/// scope?, state, code_challenge, n, resource × n, m, (name, value) × m]` → the URL.
pub const AUTHORIZATION_URL: u32 = 4;
/// `[template, n, (name, value) × n]` → the rendered HTML (feature `full` only).
pub const TEMPLATE: u32 = 5;
/// RFC 8252 §7.3: `[hostname, port, callback_path]` → the loopback redirect URI (feature
/// `full` only).
pub const LOOPBACK_REDIRECT_URI: u32 = 6;
/// RFC 6749 §3.1: `[url]` → the endpoint checked and normalized.
pub const CHECKED_ENDPOINT: u32 = 7;

fn unknown_operation() -> Error {
    Error::new(ErrorCode::InvalidParameter, "unknown operation")
}

fn pairs<'a>(args: &mut Args<'a>) -> Result<Vec<(&'a str, &'a str)>, Error> {
    let n = args.number()?;
    let mut out = Vec::new();
    for _ in 0..n {
        out.push((args.text()?, args.text()?));
    }
    Ok(out)
}

fn authorization_url(args: &mut Args<'_>) -> Result<String, Error> {
    let endpoint = args.text()?;
    let client_id = args.text()?;
    let redirect_uri = args.optional_text()?;
    let scope = args.optional_text()?;
    let state = args.text()?;
    let challenge = args.text()?;
    // `AuthorizationRequest`'s checks in its order, each part written once, straight from
    // the frame: no builder, no copies of the parts (less code in the module).
    let endpoint = Endpoint::parse(endpoint)?;
    let mut url =
        AuthorizationUrl::new(&endpoint, client_id, state, challenge, redirect_uri, scope)?;
    for _ in 0..args.number()? {
        url.resource(args.text()?)?;
    }
    for _ in 0..args.number()? {
        url.param(args.text()?, args.text()?)?;
    }
    url.finish()
}

/// Runs operation `op` on the framed `input`, drawing randomness from `entropy`.
pub fn run(op: u32, input: &[u8], entropy: &mut impl Entropy) -> Result<String, Error> {
    let mut out = String::new();
    run_into(op, input, entropy, &mut out)?;
    Ok(out)
}

/// [`run`], appending the value to `out` (the module's output, after its status byte)
/// instead of returning a string of its own.
pub fn run_into(
    op: u32,
    input: &[u8],
    entropy: &mut impl Entropy,
    out: &mut String,
) -> Result<(), Error> {
    let mut args = Args::new(input);
    match op {
        PKCE_PAIR => {
            let len = usize::try_from(args.number()?).unwrap_or(usize::MAX);
            let verifier = CodeVerifier::generate_with_len(entropy, len)?;
            out.push_str(verifier.secret());
            out.push(' ');
            out.push_str(verifier.challenge().as_str());
        }
        // Challenges, templates and loopback redirect URIs only with feature `full`:
        // `cfg!` rather than `#[cfg]`, so both builds type-check (and lint) these arms;
        // without the feature they are dead code, and the module carries none of it.
        CHALLENGE if cfg!(feature = "full") => {
            out.push_str(CodeVerifier::new(args.text()?)?.challenge().as_str());
        }
        // A nonce is drawn as a state is (core's state.rs: 32 random octets, base64url):
        // one arm, one copy of the code.
        STATE | NONCE => out.push_str(State::generate(entropy)?.secret()),
        AUTHORIZATION_URL => out.push_str(&authorization_url(&mut args)?),
        TEMPLATE if cfg!(feature = "full") => {
            let text = args.text()?;
            let values = pairs(&mut args)?;
            // `render_pairs` over borrowed texts: the first pair with a name wins.
            out.push_str(&template::render(text, |name| {
                values.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
            }));
        }
        LOOPBACK_REDIRECT_URI if cfg!(feature = "full") => {
            let hostname = args.text()?;
            let port = u16::try_from(args.number()?)
                .map_err(|_| Error::new(ErrorCode::InvalidParameter, "port must be 0 to 65535"))?;
            out.push_str(&loopback::redirect_uri(hostname, port, args.text()?)?);
        }
        CHECKED_ENDPOINT => out.push_str(&Endpoint::parse(args.text()?)?.url()),
        #[cfg(feature = "login")]
        op if op >= crate::login::FIRST => return crate::login::run_into(op, input, out),
        _ => return Err(unknown_operation()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::encode as frame;
    use oauth_callback_core::{AuthorizationRequest, CodeChallenge};

    struct Counting(u8);

    impl Entropy for Counting {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
            for b in buf {
                *b = self.0;
                self.0 = self.0.wrapping_add(1);
            }
            Ok(())
        }
    }

    #[test]
    fn challenge_matches_rfc_7636_appendix_b() {
        let input = frame(&[Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")]);
        let bad = frame(&[Some("short")]);
        let (good, bad) = (
            run(CHALLENGE, &input, &mut Counting(0)),
            run(CHALLENGE, &bad, &mut Counting(0)),
        );
        if cfg!(feature = "full") {
            assert_eq!(
                good.ok().as_deref(),
                Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
            );
            assert_eq!(
                bad.err().map(|e| e.code()),
                Some(ErrorCode::InvalidCodeVerifier)
            );
        } else {
            assert_eq!(unknown(good), Some("unknown operation".into()));
        }
    }

    #[test]
    fn state_and_nonce_are_core_s_from_the_same_entropy() {
        for start in [0u8, 1, 77, 255] {
            let state = State::generate(&mut Counting(start)).map(|s| s.secret().to_owned());
            let nonce = oauth_callback_core::Nonce::generate(&mut Counting(start))
                .map(|n| n.secret().to_owned());
            assert_eq!(run(STATE, &[], &mut Counting(start)), state);
            assert_eq!(run(NONCE, &[], &mut Counting(start)), nonce);
        }
    }

    #[test]
    fn pkce_pair_is_verifier_then_its_challenge() {
        let out = run(PKCE_PAIR, &43u32.to_le_bytes(), &mut Counting(1)).unwrap_or_default();
        let (verifier, challenge) = out.split_once(' ').unwrap_or_default();
        assert_eq!(verifier.len(), 43);
        let again = CodeVerifier::new(verifier).map(|v| v.challenge());
        assert_eq!(again.as_ref().map(|c| c.as_str()).ok(), Some(challenge));
        assert!(run(PKCE_PAIR, &42u32.to_le_bytes(), &mut Counting(1)).is_err());
    }

    #[test]
    fn authorization_url_is_core_s() {
        let mut input = frame(&[
            Some("https://as.example/authorize"),
            Some("app"),
            Some("http://127.0.0.1:3000/callback"),
            None,
            Some("xyz"),
            Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
        ]);
        input.extend_from_slice(&0u32.to_le_bytes());
        input.extend_from_slice(&1u32.to_le_bytes());
        input.extend_from_slice(&frame(&[Some("prompt"), Some("consent")]));
        let url = run(AUTHORIZATION_URL, &input, &mut Counting(0)).unwrap_or_default();
        let expected = AuthorizationRequest::new("https://as.example/authorize", "app")
            .and_then(|r| r.state("xyz"))
            .and_then(|r| {
                Ok(r.code_challenge(&CodeChallenge::new(
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                )?))
            })
            .and_then(|r| r.redirect_uri("http://127.0.0.1:3000/callback"))
            .and_then(|r| r.param("prompt", "consent"))
            .and_then(|r| r.build());
        assert_eq!(Ok(url), expected);
    }

    #[test]
    fn templates_and_loopback_redirect_uris_only_with_feature_full() {
        let mut input = frame(&[Some("<p>{{code}}</p>")]);
        input.extend_from_slice(&1u32.to_le_bytes());
        input.extend_from_slice(&frame(&[Some("code"), Some("<&>")]));
        let page = run(TEMPLATE, &input, &mut Counting(0));
        let mut input = frame(&[Some("localhost")]);
        input.extend_from_slice(&3000u32.to_le_bytes());
        input.extend_from_slice(&frame(&[Some("/callback")]));
        let uri = run(LOOPBACK_REDIRECT_URI, &input, &mut Counting(0));
        if cfg!(feature = "full") {
            assert_eq!(page.ok().as_deref(), Some("<p>&#60;&#38;&#62;</p>"));
            assert_eq!(uri, loopback::redirect_uri("localhost", 3000, "/callback"));
        } else {
            assert_eq!(unknown(page), Some("unknown operation".into()));
            assert_eq!(unknown(uri), Some("unknown operation".into()));
        }
    }

    /// The message of an `INVALID_PARAMETER` error (what an operation this build lacks gives).
    fn unknown(out: Result<String, Error>) -> Option<String> {
        out.err()
            .filter(|e| e.code() == ErrorCode::InvalidParameter)
            .map(|e| e.message().into())
    }

    #[test]
    fn unknown_operations_and_short_frames_are_typed_errors() {
        assert_eq!(
            run(99, &[], &mut Counting(0)).err().map(|e| e.code()),
            Some(ErrorCode::InvalidParameter)
        );
        assert_eq!(
            run(
                AUTHORIZATION_URL,
                &frame(&[Some("https://a.example")]),
                &mut Counting(0)
            )
            .err()
            .map(|e| e.code()),
            Some(ErrorCode::InvalidParameter)
        );
    }
}
