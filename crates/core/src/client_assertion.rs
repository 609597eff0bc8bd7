//! Client authentication with a signed JWT, `private_key_jwt`: RFC 7523 §2.2 and §3,
//! RFC 7521 §4.2 and §5.2, OpenID Connect Core §9. Instead of a shared secret the client
//! sends a short-lived JWT signed with its private key; the authorization server checks it
//! with the public key registered for the client (`jwks` or `jwks_uri`).
//!
//! Keys are read from a JWK (RFC 7517; RFC 7518 §6.2.2 and §6.3.2) or from PEM (PKCS#8
//! `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`). The algorithms are
//! those [`crate::jose`] verifies: RS256/384/512, PS256/384/512 (RSA, at least 2048 bits,
//! RFC 7518 §3.3) and ES256 (P-256). Signing uses the `rsa` and `p256` crates; RSA
//! signatures are blinded with randomness from [`Entropy`], ECDSA nonces are deterministic
//! (RFC 6979), so no signature depends on a weak random source.

use p256::ecdsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPrivateKey};
use sha2::{Sha256, Sha384, Sha512};

use crate::base64url;
use crate::entropy::Entropy;
use crate::error::{Error, ErrorCode, excerpt};
use crate::jose::{Alg, MAX_RSA_BITS, MIN_RSA_BITS};
use crate::json::{self, Value};

/// `client_assertion_type` for a JWT (RFC 7523 §2.2).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Lifetime of an assertion when none is asked for, in seconds: one request's worth.
pub const DEFAULT_LIFETIME_SECS: u32 = 60;
/// Longest lifetime accepted, in seconds (RFC 7523 §3: servers may refuse long-lived ones).
pub const MAX_LIFETIME_SECS: u32 = 3600;

fn bad_key(why: impl Into<String>) -> Error {
    Error::new(
        ErrorCode::InvalidKey,
        format!("the client's private key {}", why.into()),
    )
}

enum Material {
    Rsa(Box<RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
}

/// A private key the client signs its assertions with, bound to one algorithm.
/// `Debug` shows the algorithm and `kid`, never key material.
pub struct SigningKey {
    alg: Alg,
    kid: Option<String>,
    material: Material,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn jwk_bytes(v: &Value, name: &str) -> Result<Vec<u8>, Error> {
    let text = v
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| bad_key(format!("(JWK) lacks \"{name}\"")))?;
    base64url::decode(text).ok_or_else(|| bad_key(format!("(JWK) has a malformed \"{name}\"")))
}

fn rsa_checked(key: RsaPrivateKey) -> Result<Material, Error> {
    let bits = key.n().bits();
    if bits < MIN_RSA_BITS {
        return Err(bad_key(format!(
            "is an RSA key of {bits} bits; at least {MIN_RSA_BITS} are required (RFC 7518 §3.3)"
        )));
    }
    if bits > MAX_RSA_BITS {
        return Err(bad_key(format!(
            "is an RSA key of {bits} bits; at most {MAX_RSA_BITS} are accepted"
        )));
    }
    key.validate()
        .map_err(|_| bad_key("is not a consistent RSA private key"))?;
    Ok(Material::Rsa(Box::new(key)))
}

/// The JWK members that restrict a key's use (RFC 7517 §4.2-4.4) and its `kid`.
struct JwkUse {
    kid: Option<String>,
    alg: Option<String>,
}

fn jwk_use(v: &Value) -> Result<JwkUse, Error> {
    if let Some(u) = v.get("use").and_then(Value::as_str)
        && u != "sig"
    {
        return Err(bad_key(format!(
            "(JWK) is for \"use\": \"{}\", not for signatures",
            excerpt(u)
        )));
    }
    if let Some(ops) = v.get("key_ops").and_then(Value::as_array)
        && !ops.iter().any(|o| o.as_str() == Some("sign"))
    {
        return Err(bad_key("(JWK) has \"key_ops\" without \"sign\""));
    }
    let text = |name: &str| v.get(name).and_then(Value::as_str).map(str::to_owned);
    Ok(JwkUse {
        kid: text("kid"),
        alg: text("alg"),
    })
}

fn from_jwk(v: &Value) -> Result<(Material, JwkUse), Error> {
    let usage = jwk_use(v)?;
    let material = match v.get("kty").and_then(Value::as_str) {
        Some("RSA") => {
            let big = |name: &str| jwk_bytes(v, name).map(|b| BigUint::from_bytes_be(&b));
            if v.get("d").is_none() {
                return Err(bad_key(
                    "(JWK) is a public key (no \"d\"); the client signs with its private key",
                ));
            }
            let key = RsaPrivateKey::from_components(
                big("n")?,
                big("e")?,
                big("d")?,
                vec![big("p")?, big("q")?],
            )
            .map_err(|_| bad_key("(JWK) is not a consistent RSA private key"))?;
            rsa_checked(key)?
        }
        Some("EC") => {
            let crv = v.get("crv").and_then(Value::as_str).unwrap_or("");
            if crv != "P-256" {
                return Err(bad_key(format!(
                    "(JWK) is on curve \"{}\"; only P-256 (ES256) is supported",
                    excerpt(crv)
                )));
            }
            if v.get("d").is_none() {
                return Err(bad_key(
                    "(JWK) is a public key (no \"d\"); the client signs with its private key",
                ));
            }
            let d = jwk_bytes(v, "d")?;
            let key = p256::ecdsa::SigningKey::from_slice(&d)
                .map_err(|_| bad_key("(JWK) has a \"d\" that is not a P-256 private key"))?;
            // The public half given must be the one "d" makes (RFC 7518 §6.2.2).
            let point = key.verifying_key().to_encoded_point(false);
            let (x, y) = (jwk_bytes(v, "x")?, jwk_bytes(v, "y")?);
            if point.x().map(|p| p.as_slice()) != Some(x.as_slice())
                || point.y().map(|p| p.as_slice()) != Some(y.as_slice())
            {
                return Err(bad_key(
                    "(JWK) has \"x\" and \"y\" that do not belong to its \"d\"",
                ));
            }
            Material::P256(key)
        }
        Some("oct") => {
            return Err(bad_key(
                "(JWK) is a symmetric key; private_key_jwt needs an RSA or P-256 private key",
            ));
        }
        Some(other) => {
            return Err(bad_key(format!(
                "(JWK) has \"kty\": \"{}\"; RSA and EC (P-256) are supported",
                excerpt(other)
            )));
        }
        None => return Err(bad_key("(JWK) has no \"kty\"")),
    };
    Ok((material, usage))
}

fn from_pem(text: &str) -> Result<Material, Error> {
    let label = text
        .lines()
        .map(str::trim)
        .find_map(|l| {
            l.strip_prefix("-----BEGIN ")
                .and_then(|r| r.strip_suffix("-----"))
        })
        .unwrap_or("");
    match label {
        "PRIVATE KEY" => {
            if let Ok(key) = RsaPrivateKey::from_pkcs8_pem(text) {
                return rsa_checked(key);
            }
            p256::SecretKey::from_pkcs8_pem(text)
                .map(|k| Material::P256(k.into()))
                .map_err(|_| {
                    bad_key("(PKCS#8 PEM) is neither an RSA nor a P-256 key, or is malformed")
                })
        }
        "RSA PRIVATE KEY" => RsaPrivateKey::from_pkcs1_pem(text)
            .map_err(|_| bad_key("(PKCS#1 PEM) is malformed"))
            .and_then(rsa_checked),
        "EC PRIVATE KEY" => p256::SecretKey::from_sec1_pem(text)
            .map(|k| Material::P256(k.into()))
            .map_err(|_| bad_key("(SEC1 PEM) is not a P-256 key, or is malformed")),
        "ENCRYPTED PRIVATE KEY" => Err(bad_key(
            "is encrypted (PKCS#8 with a passphrase); decrypt it first, e.g. `openssl pkcs8 -in key.pem -out plain.pem`",
        )),
        "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" => Err(bad_key(format!(
            "is a {}; the client signs with its private key",
            label.to_ascii_lowercase()
        ))),
        "" => Err(bad_key(
            "is neither a JWK (a JSON object) nor PEM (-----BEGIN PRIVATE KEY-----)",
        )),
        other => Err(bad_key(format!(
            "is PEM of type \"{}\"; PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY is needed",
            excerpt(other)
        ))),
    }
}

impl SigningKey {
    /// Reads a private key from `text`, a JWK (JSON object) or PEM, for `alg` (`RS256`,
    /// `PS256`, `ES256`...). Without `alg`: the JWK's own `alg`, else RS256 for an RSA
    /// key and ES256 for a P-256 key. `kid` overrides the JWK's `kid` (PEM has none).
    pub fn parse(text: &str, alg: Option<&str>, kid: Option<&str>) -> Result<Self, Error> {
        let trimmed = text.trim_start();
        let (material, usage) = if trimmed.starts_with('{') {
            let v = json::parse(trimmed).map_err(|_| bad_key("(JWK) is not valid JSON"))?;
            from_jwk(&v)?
        } else {
            (
                from_pem(text)?,
                JwkUse {
                    kid: None,
                    alg: None,
                },
            )
        };
        let asked = alg.or(usage.alg.as_deref());
        let alg = match (asked, &material) {
            (Some(name), _) => Alg::parse(name).ok_or_else(|| {
                bad_key(format!(
                    "cannot sign with alg \"{}\" (supported: {})",
                    excerpt(name),
                    Alg::ALL.map(Alg::name).join(", ")
                ))
            })?,
            (None, Material::Rsa(_)) => Alg::Rs256,
            (None, Material::P256(_)) => Alg::Es256,
        };
        if let (Some(bound), Some(_)) = (&usage.alg, alg_given(alg, asked))
            && bound != alg.name()
        {
            return Err(bad_key(format!(
                "(JWK) is bound to alg \"{}\", not {}",
                excerpt(bound),
                alg.name()
            )));
        }
        let fits = match material {
            Material::Rsa(_) => alg != Alg::Es256,
            Material::P256(_) => alg == Alg::Es256,
        };
        if !fits {
            let kind = match material {
                Material::Rsa(_) => "an RSA key (RS256/384/512, PS256/384/512)",
                Material::P256(_) => "a P-256 key (ES256)",
            };
            return Err(bad_key(format!("is {kind}; it cannot sign {}", alg.name())));
        }
        Ok(Self {
            alg,
            kid: kid.map(str::to_owned).or(usage.kid),
            material,
        })
    }

    /// The algorithm this key signs with.
    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// The `kid` put in the JWS header, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The public half as a JWK (RFC 7517 §4), for the server's `jwks`: `kty`, the public
    /// members, `use: sig`, `alg` and `kid`.
    pub fn public_jwk(&self) -> Value {
        let s = |v: &str| Value::String(v.to_owned());
        let mut m: Vec<(String, Value)> = match &self.material {
            Material::Rsa(k) => vec![
                ("kty".into(), s("RSA")),
                ("n".into(), s(&base64url::encode(&k.n().to_bytes_be()))),
                ("e".into(), s(&base64url::encode(&k.e().to_bytes_be()))),
            ],
            Material::P256(k) => {
                let p = k.verifying_key().to_encoded_point(false);
                let coord = |c: Option<&p256::FieldBytes>| {
                    s(&base64url::encode(c.map(|c| c.as_slice()).unwrap_or(&[])))
                };
                vec![
                    ("kty".into(), s("EC")),
                    ("crv".into(), s("P-256")),
                    ("x".into(), coord(p.x())),
                    ("y".into(), coord(p.y())),
                ]
            }
        };
        m.push(("use".into(), s("sig")));
        m.push(("alg".into(), s(self.alg.name())));
        if let Some(kid) = &self.kid {
            m.push(("kid".into(), s(kid)));
        }
        Value::Object(m)
    }

    /// The JWS signature over `input` (RFC 7518 §3.3-3.5: PKCS#1 v1.5 or PSS bytes, or
    /// ECDSA `R || S`).
    pub fn sign(&self, input: &[u8], entropy: &mut dyn Entropy) -> Result<Vec<u8>, Error> {
        let mut rng = EntropyRng {
            source: entropy,
            failed: None,
        };
        let signed = match &self.material {
            Material::P256(key) => {
                let sig: p256::ecdsa::Signature = key.sign(input);
                Ok(sig.to_bytes().to_vec())
            }
            Material::Rsa(key) => {
                let key = key.as_ref().clone();
                match self.alg {
                    Alg::Rs256 => rsa::pkcs1v15::SigningKey::<Sha256>::new(key)
                        .try_sign_with_rng(&mut rng, input)
                        .map(|s| s.to_vec()),
                    Alg::Rs384 => rsa::pkcs1v15::SigningKey::<Sha384>::new(key)
                        .try_sign_with_rng(&mut rng, input)
                        .map(|s| s.to_vec()),
                    Alg::Rs512 => rsa::pkcs1v15::SigningKey::<Sha512>::new(key)
                        .try_sign_with_rng(&mut rng, input)
                        .map(|s| s.to_vec()),
                    Alg::Ps256 => rsa::pss::BlindedSigningKey::<Sha256>::new(key)
                        .try_sign_with_rng(&mut rng, input)
                        .map(|s| s.to_vec()),
                    Alg::Ps384 => rsa::pss::BlindedSigningKey::<Sha384>::new(key)
                        .try_sign_with_rng(&mut rng, input)
                        .map(|s| s.to_vec()),
                    Alg::Ps512 => rsa::pss::BlindedSigningKey::<Sha512>::new(key)
                        .try_sign_with_rng(&mut rng, input)
                        .map(|s| s.to_vec()),
                    Alg::Es256 => return Err(bad_key("is an RSA key; it cannot sign ES256")),
                }
            }
        };
        // A signature made while the random source failed is never used.
        if let Some(e) = rng.failed {
            return Err(e);
        }
        signed.map_err(|_| bad_key(format!("could not sign with {}", self.alg.name())))
    }

    /// A compact JWS (RFC 7515 §7.1) of `claims` with header `{alg, typ, kid}`.
    pub fn sign_jwt(
        &self,
        typ: &str,
        claims: &Value,
        entropy: &mut dyn Entropy,
    ) -> Result<String, Error> {
        let s = |v: &str| Value::String(v.to_owned());
        let mut header = vec![("alg".into(), s(self.alg.name())), ("typ".into(), s(typ))];
        if let Some(kid) = &self.kid {
            header.push(("kid".into(), s(kid)));
        }
        let input = format!(
            "{}.{}",
            base64url::encode(Value::Object(header).to_json().as_bytes()),
            base64url::encode(claims.to_json().as_bytes())
        );
        let signature = self.sign(input.as_bytes(), entropy)?;
        Ok(format!("{input}.{}", base64url::encode(&signature)))
    }
}

/// `Some` when `alg` was asked for explicitly (not taken from the JWK itself).
fn alg_given(alg: Alg, asked: Option<&str>) -> Option<Alg> {
    asked.map(|_| alg)
}

/// `rand_core`'s RNG interface over core's [`Entropy`]. `RngCore::fill_bytes` cannot fail,
/// so a failure is recorded and [`SigningKey::sign`] discards the signature.
struct EntropyRng<'a> {
    source: &'a mut dyn Entropy,
    failed: Option<Error>,
}

impl rand_core::RngCore for EntropyRng<'_> {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }

    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if let Err(e) = self.source.fill(dest) {
            dest.fill(0);
            self.failed.get_or_insert(e);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for EntropyRng<'_> {}

/// The claims of a client assertion (RFC 7523 §3).
#[derive(Clone, Copy, Debug)]
pub struct AssertionClaims<'a> {
    /// The client's `client_id`: both `iss` and `sub`.
    pub client_id: &'a str,
    /// `aud`: the authorization server's issuer identifier (RFC 7523 §3 item 3; the
    /// token endpoint URL is what some older servers expect instead).
    pub audience: &'a str,
    /// Now, in milliseconds since the epoch: `iat`, and `exp` counts from it.
    pub now_ms: f64,
    /// Seconds until `exp`, 1 to [`MAX_LIFETIME_SECS`].
    pub lifetime_secs: u32,
}

/// A signed client assertion: `iss` and `sub` the client ID, `aud`, `iat`, `exp` and a
/// random `jti` (RFC 7523 §3; the server may refuse a `jti` it has seen).
pub fn client_assertion(
    key: &SigningKey,
    claims: &AssertionClaims<'_>,
    entropy: &mut dyn Entropy,
) -> Result<String, Error> {
    for (name, v) in [
        ("client_id", claims.client_id),
        ("audience", claims.audience),
    ] {
        if v.is_empty() {
            return Err(Error::new(
                ErrorCode::MissingParameter,
                format!("a client assertion needs a non-empty {name}"),
            ));
        }
    }
    if claims.lifetime_secs == 0 || claims.lifetime_secs > MAX_LIFETIME_SECS {
        return Err(Error::new(
            ErrorCode::InvalidParameter,
            format!(
                "a client assertion lives 1 to {MAX_LIFETIME_SECS} seconds, not {}",
                claims.lifetime_secs
            ),
        ));
    }
    if !claims.now_ms.is_finite() || claims.now_ms < 0.0 {
        return Err(Error::new(
            ErrorCode::InvalidParameter,
            "the time for a client assertion must be milliseconds since the epoch",
        ));
    }
    let mut jti = [0u8; 16];
    entropy.fill(&mut jti)?;
    let iat = (claims.now_ms / 1000.0).floor();
    let s = |v: &str| Value::String(v.to_owned());
    let body = Value::Object(vec![
        ("iss".into(), s(claims.client_id)),
        ("sub".into(), s(claims.client_id)),
        ("aud".into(), s(claims.audience)),
        ("iat".into(), Value::Number(iat.into())),
        (
            "exp".into(),
            Value::Number((iat + f64::from(claims.lifetime_secs)).into()),
        ),
        ("jti".into(), s(&base64url::encode(&jti))),
    ]);
    key.sign_jwt("JWT", &body, entropy)
}

#[cfg(test)]
#[path = "client_assertion_fixtures.rs"]
mod pem_fixtures;

#[cfg(test)]
mod tests {
    use super::pem_fixtures::*;
    use super::*;
    use crate::entropy::testing::{BrokenEntropy, FixedEntropy};
    use crate::jose::fixtures::*;
    use crate::jose::{CompactJws, parse_key_set};

    fn entropy() -> FixedEntropy {
        FixedEntropy((1..=255).collect(), 0)
    }

    fn rsa_private_jwk(extra: &str) -> String {
        format!(
            r#"{{"kty":"RSA","n":"{RSA_N}","e":"{RSA_E}","d":"{RSA_D}","p":"{RSA_P}","q":"{RSA_Q}"{extra}}}"#
        )
    }

    fn ec_private_jwk(extra: &str) -> String {
        format!(r#"{{"kty":"EC","crv":"P-256","x":"{EC_X}","y":"{EC_Y}","d":"{EC_D}"{extra}}}"#)
    }

    /// Verified by jose.rs, the crate's independent verifier, with the published public half.
    fn verify(token: &str, key: &SigningKey) -> Value {
        let set = format!(r#"{{"keys":[{}]}}"#, key.public_jwk().to_json());
        let keys = parse_key_set(&set).unwrap();
        let jws = CompactJws::parse(token, "assertion").unwrap();
        jws.verify(&keys, "assertion").unwrap();
        json::parse(std::str::from_utf8(&jws.payload).unwrap()).unwrap()
    }

    fn claims<'a>() -> AssertionClaims<'a> {
        AssertionClaims {
            client_id: "svc-1",
            audience: "https://as.example",
            now_ms: 1_700_000_000_123.0,
            lifetime_secs: 60,
        }
    }

    #[test]
    fn every_algorithm_signs_what_the_verifier_accepts() {
        for (jwk, alg) in [
            (rsa_private_jwk(""), "RS256"),
            (rsa_private_jwk(""), "RS384"),
            (rsa_private_jwk(""), "RS512"),
            (rsa_private_jwk(""), "PS256"),
            (rsa_private_jwk(""), "PS384"),
            (rsa_private_jwk(""), "PS512"),
            (ec_private_jwk(""), "ES256"),
        ] {
            let key = SigningKey::parse(&jwk, Some(alg), Some("k1")).unwrap();
            let token = client_assertion(&key, &claims(), &mut entropy()).unwrap();
            let payload = verify(&token, &key);
            let header = CompactJws::parse(&token, "assertion").unwrap().header;
            assert_eq!(header.get("alg").and_then(Value::as_str), Some(alg));
            assert_eq!(header.get("typ").and_then(Value::as_str), Some("JWT"));
            assert_eq!(header.get("kid").and_then(Value::as_str), Some("k1"));
            assert_eq!(payload.get("iss").and_then(Value::as_str), Some("svc-1"));
            assert_eq!(payload.get("sub").and_then(Value::as_str), Some("svc-1"));
            assert_eq!(
                payload.get("aud").and_then(Value::as_str),
                Some("https://as.example")
            );
            assert_eq!(
                payload.get("iat").and_then(Value::as_f64),
                Some(1_700_000_000.0)
            );
            assert_eq!(
                payload.get("exp").and_then(Value::as_f64),
                Some(1_700_000_060.0)
            );
            assert_eq!(
                payload.get("jti").and_then(Value::as_str).map(str::len),
                Some(22)
            );
        }
    }

    #[test]
    fn a_changed_claim_no_longer_verifies() {
        let key = SigningKey::parse(&ec_private_jwk(""), None, None).unwrap();
        let token = client_assertion(&key, &claims(), &mut entropy()).unwrap();
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let other = AssertionClaims {
            client_id: "svc-2",
            ..claims()
        };
        let forged = client_assertion(&key, &other, &mut entropy()).unwrap();
        parts[1] = forged.split('.').nth(1).unwrap().to_owned();
        let set = format!(r#"{{"keys":[{}]}}"#, key.public_jwk().to_json());
        let jws_text = parts.join(".");
        let jws = CompactJws::parse(&jws_text, "assertion").unwrap();
        assert!(jws.verify(&parse_key_set(&set).unwrap(), "x").is_err());
    }

    #[test]
    fn default_algorithms_and_jwk_bindings() {
        assert_eq!(
            SigningKey::parse(&rsa_private_jwk(""), None, None)
                .unwrap()
                .alg(),
            Alg::Rs256
        );
        assert_eq!(
            SigningKey::parse(&ec_private_jwk(r#","kid":"e1""#), None, None)
                .unwrap()
                .kid(),
            Some("e1")
        );
        let bound = SigningKey::parse(&rsa_private_jwk(r#","alg":"PS384""#), None, None).unwrap();
        assert_eq!(bound.alg(), Alg::Ps384);
        for (jwk, alg, says) in [
            (
                rsa_private_jwk(r#","alg":"PS384""#),
                Some("RS256"),
                "bound to",
            ),
            (rsa_private_jwk(""), Some("ES256"), "cannot sign ES256"),
            (ec_private_jwk(""), Some("RS256"), "cannot sign RS256"),
            (ec_private_jwk(""), Some("HS256"), "cannot sign with alg"),
            (
                ec_private_jwk(r#","use":"enc""#),
                None,
                "not for signatures",
            ),
            (ec_private_jwk(r#","key_ops":["verify"]"#), None, "key_ops"),
        ] {
            let e = SigningKey::parse(&jwk, alg, None).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidKey);
            assert!(e.message().contains(says), "{says}: {}", e.message());
        }
    }

    #[test]
    fn refuses_public_symmetric_small_and_inconsistent_keys() {
        let public_ec = format!(r#"{{"kty":"EC","crv":"P-256","x":"{EC_X}","y":"{EC_Y}"}}"#);
        let public_rsa = format!(r#"{{"kty":"RSA","n":"{RSA_N}","e":"{RSA_E}"}}"#);
        let wrong_point = ec_private_jwk("").replace(EC_X, EC_Y);
        let wrong_d = rsa_private_jwk("").replace(RSA_D, RSA_P);
        let small = format!(
            r#"{{"kty":"RSA","n":"{SMALL_RSA_N}","e":"{SMALL_RSA_E}","d":"AQ","p":"Aw","q":"BQ"}}"#
        );
        for (text, says) in [
            (public_ec.as_str(), "public key"),
            (public_rsa.as_str(), "public key"),
            (r#"{"kty":"oct","k":"c2VjcmV0"}"#, "symmetric"),
            (r#"{"kty":"OKP","crv":"Ed25519"}"#, "kty"),
            (r#"{"kty":"EC","crv":"P-384","d":"AA"}"#, "P-384"),
            (wrong_point.as_str(), "do not belong"),
            (wrong_d.as_str(), "consistent"),
            (small.as_str(), "consistent"),
            ("{not json", "not valid JSON"),
            ("hello", "neither a JWK"),
            (
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                "public key",
            ),
            (
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
                "encrypted",
            ),
            (
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                "PKCS#8",
            ),
        ] {
            let e = SigningKey::parse(text, None, None).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidKey, "{text}");
            assert!(e.message().contains(says), "{says}: {}", e.message());
            // No key material in the message.
            assert!(!e.message().contains(EC_D) && !e.message().contains(RSA_D));
        }
    }

    #[test]
    fn reads_pem_made_by_openssl_and_node() {
        // The fixture keys, exported by node:crypto as PKCS#8, PKCS#1 and SEC1.
        for (pem, alg) in [
            (EC_PKCS8_PEM, Alg::Es256),
            (EC_SEC1_PEM, Alg::Es256),
            (RSA_PKCS8_PEM, Alg::Rs256),
            (RSA_PKCS1_PEM, Alg::Rs256),
        ] {
            let key = SigningKey::parse(pem, None, None).unwrap();
            assert_eq!(key.alg(), alg);
            // Same key as the JWK fixtures: the public halves agree.
            let jwk = key.public_jwk();
            match alg {
                Alg::Es256 => assert_eq!(jwk.get("x").and_then(Value::as_str), Some(EC_X)),
                _ => assert_eq!(jwk.get("n").and_then(Value::as_str), Some(RSA_N)),
            }
            let token = client_assertion(&key, &claims(), &mut entropy()).unwrap();
            verify(&token, &key);
        }
    }

    #[test]
    fn bad_claims_and_a_failed_random_source_give_no_assertion() {
        let key = SigningKey::parse(&rsa_private_jwk(""), None, None).unwrap();
        for bad in [
            AssertionClaims {
                client_id: "",
                ..claims()
            },
            AssertionClaims {
                audience: "",
                ..claims()
            },
            AssertionClaims {
                lifetime_secs: 0,
                ..claims()
            },
            AssertionClaims {
                lifetime_secs: 3601,
                ..claims()
            },
            AssertionClaims {
                now_ms: f64::NAN,
                ..claims()
            },
        ] {
            assert!(client_assertion(&key, &bad, &mut entropy()).is_err());
        }
        let e = client_assertion(&key, &claims(), &mut BrokenEntropy).unwrap_err();
        assert_eq!(e.code(), ErrorCode::EntropyUnavailable);
        // RSA blinding draws randomness too: a source that fails mid-signature is caught.
        struct FailsLater(usize);
        impl Entropy for FailsLater {
            fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
                if self.0 == 0 {
                    return BrokenEntropy.fill(buf);
                }
                self.0 -= 1;
                buf.fill(7);
                Ok(())
            }
        }
        let e = key.sign(b"input", &mut FailsLater(0)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::EntropyUnavailable);
        let e = client_assertion(&key, &claims(), &mut FailsLater(1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::EntropyUnavailable);
    }

    #[test]
    fn debug_shows_no_key_material() {
        let key = SigningKey::parse(&ec_private_jwk(r#","kid":"k""#), None, None).unwrap();
        let shown = format!("{key:?}");
        assert!(
            shown.contains("Es256") && shown.contains("\"k\""),
            "{shown}"
        );
        assert!(!shown.contains(EC_D));
    }
}
