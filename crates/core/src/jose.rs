//! JSON Web Signatures in compact form (RFC 7515 §7.1) checked with the public keys of a
//! JSON Web Key Set (RFC 7517 §5), for OpenID Connect ID tokens.
//!
//! Only the asymmetric algorithms OpenID providers sign with: RS256/384/512 (RFC 7518
//! §3.3), PS256/384/512 (§3.5) and ES256 (§3.4). `none` and the HMAC algorithms are
//! refused: a token must be signed by the issuer's private key, never by a secret the
//! client holds too. A key is used only for its own family (an RSA key never checks an
//! ECDSA signature), only when its `use`, `alg` and `key_ops` allow it, and RSA keys
//! below 2048 bits are refused (RFC 7518 §3.3).

use p256::ecdsa::signature::Verifier;
use rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::base64url;
use crate::error::{Error, ErrorCode, excerpt};
use crate::http_message::{StepError, json_object};
use crate::json::{self, Value};

/// Smallest RSA modulus accepted, in bits (RFC 7518 §3.3).
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits (bounds the work one signature check costs).
pub const MAX_RSA_BITS: usize = 8192;

/// A JWS algorithm this module verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// RSASSA-PSS with SHA-256 (salt as long as the hash).
    Ps256,
    /// RSASSA-PSS with SHA-384.
    Ps384,
    /// RSASSA-PSS with SHA-512.
    Ps512,
    /// ECDSA on P-256 with SHA-256.
    Es256,
}

impl Alg {
    /// Every supported algorithm, for messages.
    pub const ALL: [Self; 7] = [
        Self::Rs256,
        Self::Rs384,
        Self::Rs512,
        Self::Ps256,
        Self::Ps384,
        Self::Ps512,
        Self::Es256,
    ];

    /// The `alg` header value.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Rs512 => "RS512",
            Self::Ps256 => "PS256",
            Self::Ps384 => "PS384",
            Self::Ps512 => "PS512",
            Self::Es256 => "ES256",
        }
    }

    /// The algorithm named `name`, if supported.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    const fn is_rsa(self) -> bool {
        !matches!(self, Self::Es256)
    }
}

/// The public part of a key from a JWK Set, as far as this module can use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKey {
    /// `kty: RSA`: modulus and exponent, big-endian.
    Rsa {
        /// `n`.
        n: Vec<u8>,
        /// `e`.
        e: Vec<u8>,
    },
    /// `kty: EC`, `crv: P-256`: the uncompressed point `04 || x || y`.
    P256(Vec<u8>),
    /// Any other key (another curve, a symmetric key, an encryption-only key type):
    /// kept so a set with such keys still reads, never used.
    Unsupported,
}

/// One key of a JWK Set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jwk {
    /// `kid`.
    pub kid: Option<String>,
    /// `use` (`sig` or `enc`).
    pub use_: Option<String>,
    /// `alg`, when the key is bound to one algorithm.
    pub alg: Option<String>,
    /// `key_ops`.
    pub key_ops: Option<Vec<String>>,
    /// The key material.
    pub key: PublicKey,
}

impl Jwk {
    /// Whether this key may check a signature made with `alg` and key id `kid`.
    pub fn fits(&self, alg: Alg, kid: Option<&str>) -> bool {
        let family = match &self.key {
            PublicKey::Rsa { .. } => alg.is_rsa(),
            PublicKey::P256(_) => alg == Alg::Es256,
            PublicKey::Unsupported => false,
        };
        family
            && self.use_.as_deref().is_none_or(|u| u == "sig")
            && self.alg.as_deref().is_none_or(|a| a == alg.name())
            && self
                .key_ops
                .as_ref()
                .is_none_or(|ops| ops.iter().any(|o| o == "verify"))
            && kid.is_none_or(|k| self.kid.as_deref() == Some(k))
    }

    /// Checks `signature` over `input` with this key.
    fn verifies(&self, alg: Alg, input: &[u8], signature: &[u8]) -> bool {
        match &self.key {
            PublicKey::Rsa { n, e } => verify_rsa(n, e, alg, input, signature),
            PublicKey::P256(point) => verify_p256(point, input, signature),
            PublicKey::Unsupported => false,
        }
    }
}

fn verify_rsa(n: &[u8], e: &[u8], alg: Alg, input: &[u8], signature: &[u8]) -> bool {
    let n = BigUint::from_bytes_be(n);
    if n.bits() < MIN_RSA_BITS {
        return false;
    }
    let Ok(key) = RsaPublicKey::new_with_max_size(n, BigUint::from_bytes_be(e), MAX_RSA_BITS)
    else {
        return false;
    };
    let checked = match alg {
        Alg::Rs256 => key.verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(input),
            signature,
        ),
        Alg::Rs384 => key.verify(
            Pkcs1v15Sign::new::<Sha384>(),
            &Sha384::digest(input),
            signature,
        ),
        Alg::Rs512 => key.verify(
            Pkcs1v15Sign::new::<Sha512>(),
            &Sha512::digest(input),
            signature,
        ),
        Alg::Ps256 => key.verify(Pss::new::<Sha256>(), &Sha256::digest(input), signature),
        Alg::Ps384 => key.verify(Pss::new::<Sha384>(), &Sha384::digest(input), signature),
        Alg::Ps512 => key.verify(Pss::new::<Sha512>(), &Sha512::digest(input), signature),
        Alg::Es256 => return false,
    };
    checked.is_ok()
}

fn verify_p256(point: &[u8], input: &[u8], signature: &[u8]) -> bool {
    // RFC 7518 §3.4: the JWS signature is R || S, 32 octets each (not DER).
    let Ok(key) = p256::ecdsa::VerifyingKey::from_sec1_bytes(point) else {
        return false;
    };
    let Ok(sig) = p256::ecdsa::Signature::from_slice(signature) else {
        return false;
    };
    key.verify(input, &sig).is_ok()
}

fn bad_key_set(why: impl Into<String>) -> Error {
    Error::new(
        ErrorCode::InvalidResponse,
        format!("the issuer's JWK Set (jwks_uri) {}", why.into()),
    )
}

fn b64_member(v: &Value, name: &str) -> Option<Vec<u8>> {
    base64url::decode(v.get(name)?.as_str()?)
}

fn one_key(v: &Value) -> Option<Jwk> {
    let text = |name: &str| v.get(name).and_then(Value::as_str).map(str::to_owned);
    let key = match v.get("kty")?.as_str()? {
        "RSA" => {
            let n = b64_member(v, "n")?;
            let e = b64_member(v, "e")?;
            // Leading zero octets are not part of the value (RFC 7518 §6.3.1.1).
            let n = n.iter().skip_while(|b| **b == 0).copied().collect();
            PublicKey::Rsa { n, e }
        }
        "EC" if v.get("crv").and_then(Value::as_str) == Some("P-256") => {
            let x = b64_member(v, "x")?;
            let y = b64_member(v, "y")?;
            // RFC 7518 §6.2.1.2: exactly the field size, 32 octets each.
            if x.len() != 32 || y.len() != 32 {
                return None;
            }
            let mut point = Vec::with_capacity(65);
            point.push(4);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            PublicKey::P256(point)
        }
        _ => PublicKey::Unsupported,
    };
    let key_ops = v.get("key_ops").and_then(Value::as_array).map(|ops| {
        ops.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    });
    Some(Jwk {
        kid: text("kid"),
        use_: text("use"),
        alg: text("alg"),
        key_ops,
        key,
    })
}

/// Reads a JWK Set document (RFC 7517 §5): an object with a `keys` array. Keys of kinds
/// this module does not use are kept as [`PublicKey::Unsupported`]; a key of a supported
/// kind with malformed members is left out, so one bad key cannot hide the good ones.
pub fn parse_key_set(text: &str) -> Result<Vec<Jwk>, Error> {
    let v = json::parse(text).map_err(|e| bad_key_set(format!("is not JSON: {}", e.message())))?;
    let keys = v
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| bad_key_set("has no \"keys\" array (RFC 7517 §5)"))?;
    Ok(keys.iter().filter_map(one_key).collect())
}

/// The request for the issuer's JWK Set at `jwks_uri` (https, or http on loopback).
pub fn key_set_request(jwks_uri: &str) -> Result<crate::http_message::HttpRequest, Error> {
    let url = crate::endpoint::Endpoint::parse(jwks_uri)?.to_string();
    let mut request = crate::http_message::HttpRequest::get_json(url);
    request.headers = vec![(
        "accept",
        "application/jwk-set+json, application/json".to_owned(),
    )];
    Ok(request)
}

/// Reads the response to a `jwks_uri` request; the document is returned as it came, to
/// be kept and handed to [`parse_key_set`] when a token is checked.
pub fn process_key_set_response(status: u16, body: &str) -> Result<String, StepError> {
    json_object(status, body, "JWK Set endpoint")?;
    parse_key_set(body)?;
    Ok(body.to_owned())
}

fn invalid(why: impl Into<String>) -> Error {
    Error::new(ErrorCode::IdTokenInvalid, why.into())
}

/// A compact JWS, split and decoded; the signature not yet checked.
#[derive(Clone, Debug)]
pub struct CompactJws<'a> {
    /// The protected header.
    pub header: Value,
    /// `alg`.
    pub alg: Alg,
    /// `kid`, if the header names one.
    pub kid: Option<String>,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`: what was signed.
    signing_input: &'a str,
    /// The decoded payload.
    pub payload: Vec<u8>,
    signature: Vec<u8>,
}

impl<'a> CompactJws<'a> {
    /// Splits and decodes `token` (what = "ID token", for messages) and checks the
    /// header: a supported `alg`, no `crit` (RFC 7515 §4.1.11: an extension this
    /// module does not understand must be refused).
    pub fn parse(token: &'a str, what: &str) -> Result<Self, Error> {
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() == 5 {
            return Err(invalid(format!(
                "the {what} is encrypted (a JWE); encrypted ID tokens are not supported: register the client without id_token_encrypted_response_alg"
            )));
        }
        let [header, payload, signature] = parts[..] else {
            return Err(invalid(format!(
                "the {what} is not a compact JWS (three base64url parts separated by dots)"
            )));
        };
        let decode = |part: &str, name: &str| {
            base64url::decode(part)
                .ok_or_else(|| invalid(format!("the {what}'s {name} is not base64url")))
        };
        let header_bytes = decode(header, "header")?;
        let header_value = std::str::from_utf8(&header_bytes)
            .ok()
            .and_then(|t| json::parse(t).ok())
            .filter(|v| matches!(v, Value::Object(_)))
            .ok_or_else(|| invalid(format!("the {what}'s header is not a JSON object")))?;
        let alg_name = header_value
            .get("alg")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(format!("the {what}'s header has no \"alg\"")))?;
        let alg = Alg::parse(alg_name).ok_or_else(|| {
            let why = if alg_name == "none" {
                "an unsigned token (alg \"none\") is never accepted".to_owned()
            } else if alg_name.starts_with("HS") {
                format!(
                    "\"{}\" is an HMAC algorithm; only the issuer's public-key signatures are accepted",
                    excerpt(alg_name)
                )
            } else {
                format!("\"{}\" is not supported", excerpt(alg_name))
            };
            invalid(format!(
                "the {what} is signed with alg {why} (supported: {})",
                Alg::ALL.map(Alg::name).join(", ")
            ))
        })?;
        if header_value.get("crit").is_some() {
            return Err(invalid(format!(
                "the {what}'s header has \"crit\" extensions, which this client does not understand (RFC 7515 §4.1.11)"
            )));
        }
        let kid = match header_value.get("kid") {
            None => None,
            Some(Value::String(k)) => Some(k.clone()),
            Some(_) => return Err(invalid(format!("the {what}'s \"kid\" is not a string"))),
        };
        let payload = decode(payload, "payload")?;
        let signature = decode(signature, "signature")?;
        Ok(Self {
            header: header_value,
            alg,
            kid,
            signing_input: &token[..header.len() + 1 + parts[1].len()],
            payload,
            signature,
        })
    }

    /// Whether `keys` has a key that may check this signature (same `kid`, a fitting
    /// type and algorithm). When it has none, the issuer may have rotated its keys: a
    /// driver fetches the set again.
    pub fn has_candidate(&self, keys: &[Jwk]) -> bool {
        keys.iter().any(|k| k.fits(self.alg, self.kid.as_deref()))
    }

    /// Checks the signature with the fitting keys of `keys`.
    pub fn verify(&self, keys: &[Jwk], what: &str) -> Result<(), Error> {
        let candidates: Vec<&Jwk> = keys
            .iter()
            .filter(|k| k.fits(self.alg, self.kid.as_deref()))
            .collect();
        if candidates.is_empty() {
            let kid = self.kid.as_deref().map_or_else(
                || "no kid".to_owned(),
                |k| format!("kid \"{}\"", excerpt(k)),
            );
            return Err(invalid(format!(
                "no key in the issuer's JWK Set fits the {what} ({kid}, alg {})",
                self.alg.name()
            )));
        }
        let input = self.signing_input.as_bytes();
        if candidates
            .iter()
            .any(|k| k.verifies(self.alg, input, &self.signature))
        {
            Ok(())
        } else {
            Err(invalid(format!(
                "the {what}'s signature ({}) does not verify with the issuer's key",
                self.alg.name()
            )))
        }
    }
}

#[cfg(test)]
#[path = "jose_fixtures.rs"]
pub(crate) mod fixtures;

#[cfg(test)]
pub(crate) mod tests {
    use super::fixtures::*;
    use super::*;
    use p256::ecdsa::signature::Signer;
    use rsa::RsaPrivateKey;

    fn b(s: &str) -> Vec<u8> {
        base64url::decode(s).unwrap()
    }

    pub(crate) fn rsa_jwk(kid: &str) -> String {
        format!(r#"{{"kty":"RSA","kid":"{kid}","use":"sig","n":"{RSA_N}","e":"{RSA_E}"}}"#)
    }

    pub(crate) fn ec_jwk(kid: &str) -> String {
        format!(r#"{{"kty":"EC","crv":"P-256","kid":"{kid}","x":"{EC_X}","y":"{EC_Y}"}}"#)
    }

    pub(crate) fn key_set(keys: &[String]) -> String {
        format!(r#"{{"keys":[{}]}}"#, keys.join(","))
    }

    fn set(keys: &[String]) -> Vec<Jwk> {
        parse_key_set(&key_set(keys)).unwrap()
    }

    /// A compact JWS over `header` and `payload`, signed with the fixture keys.
    pub(crate) fn sign(header: &str, payload: &str) -> String {
        let input = format!(
            "{}.{}",
            base64url::encode(header.as_bytes()),
            base64url::encode(payload.as_bytes())
        );
        let alg = json::parse(header).unwrap();
        let signature = match alg.get("alg").and_then(Value::as_str) {
            Some("ES256") => {
                let key = p256::ecdsa::SigningKey::from_slice(&b(EC_D)).unwrap();
                let sig: p256::ecdsa::Signature = key.sign(input.as_bytes());
                sig.to_bytes().to_vec()
            }
            Some("RS256") => {
                let big = |s: &str| BigUint::from_bytes_be(&b(s));
                let key = RsaPrivateKey::from_components(
                    big(RSA_N),
                    big(RSA_E),
                    big(RSA_D),
                    vec![big(RSA_P), big(RSA_Q)],
                )
                .unwrap();
                key.sign(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(input.as_bytes()),
                )
                .unwrap()
            }
            other => panic!("no test signer for {other:?}"),
        };
        format!("{input}.{}", base64url::encode(&signature))
    }

    #[test]
    fn signatures_made_by_node_crypto_verify() {
        let keys = set(&[rsa_jwk("rsa-1"), ec_jwk("ec-1")]);
        for (token, alg) in [
            (NODE_RS256, Alg::Rs256),
            (NODE_RS512, Alg::Rs512),
            (NODE_PS256, Alg::Ps256),
            (NODE_PS384, Alg::Ps384),
            (NODE_ES256, Alg::Es256),
        ] {
            let jws = CompactJws::parse(token, "token").unwrap();
            assert_eq!(jws.alg, alg);
            jws.verify(&keys, "token").unwrap();
            assert_eq!(jws.payload, PAYLOAD_JSON.as_bytes());
        }
    }

    #[test]
    fn our_test_signer_agrees() {
        let keys = set(&[rsa_jwk("k"), ec_jwk("k")]);
        for h in [
            r#"{"alg":"RS256","kid":"k"}"#,
            r#"{"alg":"ES256","kid":"k"}"#,
        ] {
            let t = sign(h, "{}");
            CompactJws::parse(&t, "token")
                .unwrap()
                .verify(&keys, "token")
                .unwrap();
        }
    }

    #[test]
    fn a_changed_byte_fails() {
        let keys = set(&[rsa_jwk("rsa-1"), ec_jwk("ec-1")]);
        for token in [NODE_RS256, NODE_PS256, NODE_ES256] {
            // Another payload under the same signature.
            let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
            parts[1] = base64url::encode(PAYLOAD_JSON.replace("alice", "mallory").as_bytes());
            let forged = parts.join(".");
            let e = CompactJws::parse(&forged, "token")
                .unwrap()
                .verify(&keys, "token")
                .unwrap_err();
            assert_eq!(e.code(), ErrorCode::IdTokenInvalid);
            assert!(e.message().contains("does not verify"), "{}", e.message());
        }
        // A signature moved to another algorithm of the same key family.
        let mut parts: Vec<&str> = NODE_RS256.split('.').collect();
        let ps_header = base64url::encode(br#"{"alg":"PS256","kid":"rsa-1","typ":"JWT"}"#);
        parts[0] = &ps_header;
        let e = CompactJws::parse(&parts.join("."), "token")
            .unwrap()
            .verify(&keys, "token")
            .unwrap_err();
        assert!(e.message().contains("does not verify"), "{}", e.message());
    }

    #[test]
    fn keys_are_chosen_by_kid_family_use_and_alg() {
        let jws = CompactJws::parse(NODE_RS256, "token").unwrap();
        assert_eq!(jws.kid.as_deref(), Some("rsa-1"));
        assert!(!jws.has_candidate(&set(&[rsa_jwk("rsa-0")])));
        assert!(jws.has_candidate(&set(&[rsa_jwk("rsa-0"), rsa_jwk("rsa-1")])));
        let e = jws
            .verify(&set(&[rsa_jwk("rsa-0")]), "ID token")
            .unwrap_err();
        assert!(e.message().contains("kid \"rsa-1\""), "{}", e.message());
        // Two keys under the kid: the one that verifies is found.
        let other_n: String = RSA_N
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i == 10 {
                    if c == 'A' { 'B' } else { 'A' }
                } else {
                    c
                }
            })
            .collect();
        let wrong = format!(r#"{{"kty":"RSA","kid":"rsa-1","n":"{other_n}","e":"AQAB"}}"#);
        jws.verify(&set(&[wrong, rsa_jwk("rsa-1")]), "token")
            .unwrap();
        // An EC key never checks an RSA signature, nor an encryption key any signature.
        assert!(!jws.has_candidate(&set(&[ec_jwk("rsa-1")])));
        let es = CompactJws::parse(NODE_ES256, "token").unwrap();
        assert!(!es.has_candidate(&set(&[rsa_jwk("ec-1")])));
        for changed in [
            rsa_jwk("rsa-1").replace(r#""use":"sig""#, r#""use":"enc""#),
            rsa_jwk("rsa-1").replace(r#""use":"sig""#, r#""alg":"PS256""#),
            rsa_jwk("rsa-1").replace(r#""use":"sig""#, r#""key_ops":["encrypt"]"#),
        ] {
            assert!(
                !jws.has_candidate(&set(std::slice::from_ref(&changed))),
                "{changed}"
            );
        }
        let ok =
            rsa_jwk("rsa-1").replace(r#""use":"sig""#, r#""alg":"RS256","key_ops":["verify"]"#);
        assert!(jws.has_candidate(&set(&[ok])));
    }

    #[test]
    fn refuses_none_hmac_crit_jwe_and_junk() {
        let header = |h: &str| format!("{}.e30.", base64url::encode(h.as_bytes()));
        for (token, needle) in [
            (header(r#"{"alg":"none"}"#), "never accepted"),
            (header(r#"{"alg":"HS256"}"#), "HMAC"),
            (header(r#"{"alg":"ES512"}"#), "not supported"),
            (header(r#"{"alg":"RS256","crit":["b64"]}"#), "crit"),
            (header(r#"{"alg":"RS256","kid":7}"#), "kid"),
            ("a.b.c.d.e".to_owned(), "encrypted"),
            ("abc".to_owned(), "compact JWS"),
            (
                format!("{}!!", header(r#"{"alg":"RS256"}"#)),
                "not base64url",
            ),
            (header(r#"{"typ":"JWT"}"#), "no \"alg\""),
            (header("[]"), "not a JSON object"),
        ] {
            let e = CompactJws::parse(&token, "ID token").unwrap_err();
            assert_eq!(e.code(), ErrorCode::IdTokenInvalid, "{token}");
            assert!(e.message().contains(needle), "{token}: {}", e.message());
        }
    }

    #[test]
    fn rsa_keys_below_2048_bits_are_refused() {
        // The signature is valid: only the key's size refuses it.
        let small =
            format!(r#"{{"kty":"RSA","kid":"small-1","n":"{SMALL_RSA_N}","e":"{SMALL_RSA_E}"}}"#);
        let jws = CompactJws::parse(NODE_SMALL256, "token").unwrap();
        assert!(jws.has_candidate(&set(std::slice::from_ref(&small))));
        assert!(jws.verify(&set(&[small]), "token").is_err());
    }

    #[test]
    fn key_sets_read_leniently_but_need_keys() {
        let keys = set(&[
            r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#
                .to_owned(),
            r#"{"kty":"RSA","n":"not base64!","e":"AQAB"}"#.to_owned(),
            r#"{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}"#.to_owned(),
            rsa_jwk("r"),
        ]);
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].key, PublicKey::Unsupported);
        for bad in ["{}", "[]", r#"{"keys":{}}"#, "nope"] {
            let e = parse_key_set(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidResponse, "{bad}");
        }
        assert!(process_key_set_response(200, r#"{"keys":[]}"#).is_ok());
        assert!(process_key_set_response(404, "Not found").is_err());
    }
}
