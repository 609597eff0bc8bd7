//! The encrypted token store envelope: AES-256-GCM (NIST SP 800-38D) over the store
//! document, with the key given as 32 raw bytes or derived from a passphrase with
//! Argon2id (RFC 9106). A text header names the format version, the KDF and its salt,
//! and the key name; the whole header is authenticated (GCM additional data), so none
//! of it can be changed without the open failing.
//!
//! ```text
//! oauth-callback-rs encrypted store v1
//! kdf: argon2id m=19456 t=2 p=1 salt=<16 bytes, base64url>     (or: kdf: raw)
//! key-name: <name>
//! nonce: <12 bytes, base64url>
//!
//! <ciphertext and tag, base64url>
//! ```

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

use crate::base64url;
use crate::entropy::Entropy;
use crate::error::{Error, ErrorCode, excerpt};

/// First line of every encrypted store file.
pub const MAGIC: &str = "oauth-callback-rs encrypted store v1";
const MAGIC_PREFIX: &str = "oauth-callback-rs encrypted store v";
/// Argon2id memory cost in KiB (OWASP's 2023 minimum for Argon2id: 19 MiB, t=2, p=1).
pub const ARGON2_M_KIB: u32 = 19_456;
/// Argon2id passes.
pub const ARGON2_T: u32 = 2;
/// Argon2id lanes.
pub const ARGON2_P: u32 = 1;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 12;
/// Longest accepted key name.
pub const MAX_KEY_NAME: usize = 64;

/// Does this file content look like an encrypted store (any version)?
pub fn is_encrypted(content: &[u8]) -> bool {
    content.starts_with(MAGIC_PREFIX.as_bytes())
}

/// The secret a store is encrypted with. `Debug` does not print it.
#[derive(Clone)]
pub enum StoreSecret {
    /// A 256-bit key, used as is.
    Raw([u8; 32]),
    /// A passphrase, stretched with Argon2id and a random salt stored in the header.
    Passphrase(String),
}

impl fmt::Debug for StoreSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Raw(_) => "StoreSecret::Raw([redacted])",
            Self::Passphrase(_) => "StoreSecret::Passphrase([redacted])",
        })
    }
}

fn err(code: ErrorCode, msg: impl Into<String>) -> Error {
    Error::new(code, msg)
}

/// A store key: the secret, its name, and the derived key cached per salt so a passphrase
/// is stretched once per process and file, not once per write.
#[derive(Clone)]
pub struct StoreKey {
    secret: StoreSecret,
    name: String,
    cached: Option<([u8; SALT_LEN], [u8; 32])>,
}

impl fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreKey")
            .field("secret", &self.secret)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl StoreKey {
    /// A key from 32 raw bytes.
    pub fn raw(bytes: &[u8], name: &str) -> Result<Self, Error> {
        let key: [u8; 32] = bytes.try_into().map_err(|_| {
            err(
                ErrorCode::InvalidKey,
                format!(
                    "an encryption key must be exactly 32 bytes, got {}",
                    bytes.len()
                ),
            )
        })?;
        Self::new(StoreSecret::Raw(key), name)
    }

    /// A key from a passphrase (at least 8 characters).
    pub fn passphrase(passphrase: &str, name: &str) -> Result<Self, Error> {
        if passphrase.chars().count() < 8 {
            return Err(err(
                ErrorCode::InvalidKey,
                "an encryption passphrase must have at least 8 characters",
            ));
        }
        Self::new(StoreSecret::Passphrase(passphrase.to_owned()), name)
    }

    fn new(secret: StoreSecret, name: &str) -> Result<Self, Error> {
        let ok = !name.is_empty()
            && name.len() <= MAX_KEY_NAME
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !ok {
            return Err(err(
                ErrorCode::InvalidKey,
                format!(
                    "key name \"{}\" must be 1-{MAX_KEY_NAME} characters of A-Z a-z 0-9 - _ .",
                    excerpt(name)
                ),
            ));
        }
        Ok(Self {
            secret,
            name: name.to_owned(),
            cached: None,
        })
    }

    fn derive(&mut self, salt: Option<[u8; SALT_LEN]>) -> Result<[u8; 32], Error> {
        match (&self.secret, salt) {
            (StoreSecret::Raw(k), _) => Ok(*k),
            (StoreSecret::Passphrase(_), None) => Err(err(
                ErrorCode::StoreCorrupt,
                "a passphrase-encrypted store needs a salt",
            )),
            (StoreSecret::Passphrase(p), Some(salt)) => {
                if let Some((s, k)) = self.cached
                    && s == salt
                {
                    return Ok(k);
                }
                let params = argon2::Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, Some(32))
                    .map_err(|e| err(ErrorCode::InvalidKey, format!("argon2 parameters: {e}")))?;
                let a2 = argon2::Argon2::new(
                    argon2::Algorithm::Argon2id,
                    argon2::Version::V0x13,
                    params,
                );
                let mut out = [0u8; 32];
                a2.hash_password_into(p.as_bytes(), &salt, &mut out)
                    .map_err(|e| err(ErrorCode::InvalidKey, format!("argon2: {e}")))?;
                self.cached = Some((salt, out));
                Ok(out)
            }
        }
    }
}

struct Header {
    salt: Option<[u8; SALT_LEN]>,
    name: String,
    nonce: [u8; NONCE_LEN],
}

fn kdf_line(salt: Option<&[u8; SALT_LEN]>) -> String {
    match salt {
        None => "kdf: raw".to_owned(),
        Some(s) => format!(
            "kdf: argon2id m={ARGON2_M_KIB} t={ARGON2_T} p={ARGON2_P} salt={}",
            base64url::encode(s)
        ),
    }
}

fn header_text(h: &Header) -> String {
    format!(
        "{MAGIC}\n{}\nkey-name: {}\nnonce: {}\n\n",
        kdf_line(h.salt.as_ref()),
        h.name,
        base64url::encode(&h.nonce)
    )
}

/// Encrypts `plaintext` with a fresh nonce. A passphrase key keeps the salt it last
/// derived with (read from the file, or from the previous write), so it is stretched once;
/// a key that has derived nothing yet gets a fresh random salt.
pub fn seal(
    plaintext: &[u8],
    key: &mut StoreKey,
    entropy: &mut impl Entropy,
) -> Result<String, Error> {
    let salt = match key.secret {
        StoreSecret::Raw(_) => None,
        StoreSecret::Passphrase(_) => Some(match key.cached {
            Some((s, _)) => s,
            None => {
                let mut s = [0u8; SALT_LEN];
                entropy.fill(&mut s)?;
                s
            }
        }),
    };
    let mut nonce = [0u8; NONCE_LEN];
    entropy.fill(&mut nonce)?;
    let header = Header {
        salt,
        name: key.name.clone(),
        nonce,
    };
    let aad = header_text(&header);
    let k = key.derive(salt)?;
    let cipher =
        Aes256Gcm::new_from_slice(&k).map_err(|_| err(ErrorCode::InvalidKey, "bad key length"))?;
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| err(ErrorCode::InvalidKey, "encryption failed"))?;
    Ok(format!("{aad}{}\n", base64url::encode(&ct)))
}

fn corrupt(why: &str) -> Error {
    err(
        ErrorCode::StoreCorrupt,
        format!("the encrypted store is damaged: {why}"),
    )
}

fn parse_header(text: &str) -> Result<(Header, &str), Error> {
    let (head, body) = text
        .split_once("\n\n")
        .ok_or_else(|| corrupt("no end of header"))?;
    let mut lines = head.split('\n');
    match lines.next() {
        Some(MAGIC) => {}
        Some(l) if l.starts_with(MAGIC_PREFIX) => {
            return Err(err(
                ErrorCode::StoreVersionUnsupported,
                format!(
                    "the store was written by a newer version (\"{}\"); upgrade oauth-callback-rs to read it",
                    excerpt(l)
                ),
            ));
        }
        _ => return Err(corrupt("not an encrypted store")),
    }
    let kdf = lines
        .next()
        .and_then(|l| l.strip_prefix("kdf: "))
        .ok_or_else(|| corrupt("no kdf line"))?;
    let salt = if kdf == "raw" {
        None
    } else {
        let want = format!("argon2id m={ARGON2_M_KIB} t={ARGON2_T} p={ARGON2_P} salt=");
        let s = kdf
            .strip_prefix(want.as_str())
            .ok_or_else(|| corrupt("unknown kdf"))?;
        let bytes = base64url::decode(s).ok_or_else(|| corrupt("bad salt"))?;
        Some(<[u8; SALT_LEN]>::try_from(bytes.as_slice()).map_err(|_| corrupt("bad salt length"))?)
    };
    let name = lines
        .next()
        .and_then(|l| l.strip_prefix("key-name: "))
        .ok_or_else(|| corrupt("no key-name line"))?;
    let nonce_b64 = lines
        .next()
        .and_then(|l| l.strip_prefix("nonce: "))
        .ok_or_else(|| corrupt("no nonce line"))?;
    let nonce = base64url::decode(nonce_b64).ok_or_else(|| corrupt("bad nonce"))?;
    let nonce =
        <[u8; NONCE_LEN]>::try_from(nonce.as_slice()).map_err(|_| corrupt("bad nonce length"))?;
    if lines.next().is_some() {
        return Err(corrupt("unexpected header line"));
    }
    Ok((
        Header {
            salt,
            name: name.to_owned(),
            nonce,
        },
        body,
    ))
}

/// Decrypts an envelope. A wrong key and any change to header or ciphertext give
/// `STORE_DECRYPT_FAILED`; a file that is not an envelope gives `STORE_CORRUPT`.
pub fn open(text: &str, key: &mut StoreKey) -> Result<Vec<u8>, Error> {
    let (header, body) = parse_header(text)?;
    // The envelope ends with a newline: a file without it was cut short.
    let body = body
        .strip_suffix('\n')
        .ok_or_else(|| corrupt("the final newline is missing (truncated?)"))?;
    let ct = base64url::decode(body)
        .ok_or_else(|| corrupt("the ciphertext is not base64url (truncated?)"))?;
    match (&key.secret, header.salt) {
        (StoreSecret::Raw(_), Some(_)) | (StoreSecret::Passphrase(_), None) => {
            return Err(err(
                ErrorCode::StoreDecryptFailed,
                "the store was encrypted with a different kind of key (raw key vs passphrase)",
            ));
        }
        _ => {}
    }
    if header.name != key.name {
        return Err(err(
            ErrorCode::StoreDecryptFailed,
            format!(
                "the store was encrypted with key \"{}\", not \"{}\"",
                excerpt(&header.name),
                key.name
            ),
        ));
    }
    let aad = header_text(&header);
    let k = key.derive(header.salt)?;
    let cipher =
        Aes256Gcm::new_from_slice(&k).map_err(|_| err(ErrorCode::InvalidKey, "bad key length"))?;
    cipher
        .decrypt(
            Nonce::from_slice(&header.nonce),
            Payload {
                msg: &ct,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| {
            err(
                ErrorCode::StoreDecryptFailed,
                "the store cannot be decrypted: wrong key, or the file was changed",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::testing::FixedEntropy;

    fn rng() -> FixedEntropy {
        FixedEntropy((0..=255).collect(), 7)
    }

    #[test]
    fn raw_key_round_trip_and_fresh_nonce() {
        let mut k = StoreKey::raw(&[7u8; 32], "default").unwrap();
        let mut e = rng();
        let a = seal(b"{\"x\":1}", &mut k, &mut e).unwrap();
        let b = seal(b"{\"x\":1}", &mut k, &mut e).unwrap();
        assert!(a.starts_with(MAGIC) && is_encrypted(a.as_bytes()));
        assert_ne!(a, b, "a fresh nonce per write");
        assert_eq!(open(&a, &mut k).unwrap(), b"{\"x\":1}");
        assert_eq!(open(&b, &mut k).unwrap(), b"{\"x\":1}");
        assert!(!a.contains("\"x\""));
    }

    #[test]
    fn passphrase_round_trip_keeps_salt() {
        let mut k = StoreKey::passphrase("correct horse battery", "cli").unwrap();
        let mut e = rng();
        let a = seal(b"hello", &mut k, &mut e).unwrap();
        let b = seal(b"world", &mut k, &mut e).unwrap();
        let salt = |t: &str| t.lines().nth(1).unwrap().to_owned();
        assert_eq!(salt(&a), salt(&b));
        let mut fresh = StoreKey::passphrase("correct horse battery", "cli").unwrap();
        assert_eq!(open(&b, &mut fresh).unwrap(), b"world");
        let mut wrong = StoreKey::passphrase("wrong horse battery", "cli").unwrap();
        assert_eq!(
            open(&b, &mut wrong).unwrap_err().code(),
            ErrorCode::StoreDecryptFailed
        );
    }

    #[test]
    fn wrong_key_name_or_kind_fails() {
        let mut k = StoreKey::raw(&[1u8; 32], "a").unwrap();
        let t = seal(b"x", &mut k, &mut rng()).unwrap();
        let mut other = StoreKey::raw(&[1u8; 32], "b").unwrap();
        assert_eq!(
            open(&t, &mut other).unwrap_err().code(),
            ErrorCode::StoreDecryptFailed
        );
        let mut pass = StoreKey::passphrase("12345678", "a").unwrap();
        assert_eq!(
            open(&t, &mut pass).unwrap_err().code(),
            ErrorCode::StoreDecryptFailed
        );
        let mut wrong = StoreKey::raw(&[2u8; 32], "a").unwrap();
        assert_eq!(
            open(&t, &mut wrong).unwrap_err().code(),
            ErrorCode::StoreDecryptFailed
        );
    }

    #[test]
    fn any_tampering_is_detected() {
        let mut k = StoreKey::raw(&[9u8; 32], "default").unwrap();
        let t = seal(b"secret tokens", &mut k, &mut rng()).unwrap();
        // Flip every byte of the body and some header bytes, one at a time.
        let body_start = t.find("\n\n").unwrap() + 2;
        for i in (body_start..t.len() - 1).chain([MAGIC.len() + 6]) {
            let mut bytes = t.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let Ok(s) = String::from_utf8(bytes) else {
                continue;
            };
            if s == t {
                continue;
            }
            let code = open(&s, &mut k).unwrap_err().code();
            assert!(
                matches!(
                    code,
                    ErrorCode::StoreDecryptFailed | ErrorCode::StoreCorrupt
                ),
                "byte {i}: {code:?}"
            );
        }
        let renamed = t.replacen("key-name: default", "key-name: defaulT", 1);
        assert_eq!(
            open(&renamed, &mut k).unwrap_err().code(),
            ErrorCode::StoreDecryptFailed
        );
    }

    #[test]
    fn truncation_and_garbage_are_typed() {
        let mut k = StoreKey::raw(&[3u8; 32], "default").unwrap();
        let t = seal(b"some document", &mut k, &mut rng()).unwrap();
        for cut in [
            0,
            5,
            MAGIC.len(),
            t.find("\n\n").unwrap(),
            t.len() - 10,
            t.len() - 1,
        ] {
            let code = open(&t[..cut], &mut k).unwrap_err().code();
            assert!(
                matches!(
                    code,
                    ErrorCode::StoreCorrupt | ErrorCode::StoreDecryptFailed
                ),
                "cut {cut}: {code:?}"
            );
        }
        assert_eq!(
            open("{\"json\":true}", &mut k).unwrap_err().code(),
            ErrorCode::StoreCorrupt
        );
        let future = t.replacen(MAGIC, "oauth-callback-rs encrypted store v2", 1);
        assert_eq!(
            open(&future, &mut k).unwrap_err().code(),
            ErrorCode::StoreVersionUnsupported
        );
    }

    #[test]
    fn bad_keys_are_refused_and_redacted() {
        assert_eq!(
            StoreKey::raw(&[0u8; 31], "d").unwrap_err().code(),
            ErrorCode::InvalidKey
        );
        assert_eq!(
            StoreKey::passphrase("short", "d").unwrap_err().code(),
            ErrorCode::InvalidKey
        );
        assert_eq!(
            StoreKey::raw(&[0u8; 32], "bad name\n").unwrap_err().code(),
            ErrorCode::InvalidKey
        );
        assert_eq!(
            StoreKey::raw(&[0u8; 32], "").unwrap_err().code(),
            ErrorCode::InvalidKey
        );
        let k = StoreKey::passphrase("hunter2-hunter2", "d").unwrap();
        assert!(!format!("{k:?}").contains("hunter2"));
    }
}
