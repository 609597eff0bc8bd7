//! The Secret Service's transport encryption `dh-ietf1024-sha256-aes128-cbc-pkcs7`
//! (Secret Service API, "Transfer of Secrets"): Diffie-Hellman in the 1024-bit MODP
//! group of RFC 2409 §6.2 (the Second Oakley Group, generator 2), the shared secret
//! (big-endian, padded to 128 bytes) through HKDF-SHA256 (RFC 5869, no salt, no info)
//! into an AES-128 key, and each secret in AES-128-CBC (NIST SP 800-38A) with PKCS #7
//! padding (RFC 5652 §6.3) under a fresh random IV.
//!
//! Written here because the pieces are small: Montgomery multiplication on 16 limbs,
//! HMAC-SHA256 (RFC 2104) over `sha2`, CBC over the `aes` block cipher, both crates
//! already in the addon through oauth-callback-core. The private exponent comes from the
//! OS (getrandom), the exponentiation runs the same steps whatever its bits, and the
//! peer's public value must lie in [2, p - 2].

use aes::Aes128;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use sha2::{Digest, Sha256};

/// The algorithm name for `OpenSession`.
pub(crate) const ALGORITHM: &str = "dh-ietf1024-sha256-aes128-cbc-pkcs7";

const N: usize = 16;
type Limbs = [u64; N];

/// RFC 2409 §6.2, most significant limb first as the RFC prints it.
const PRIME_BE: Limbs = [
    0xFFFFFFFF_FFFFFFFF,
    0xC90FDAA2_2168C234,
    0xC4C6628B_80DC1CD1,
    0x29024E08_8A67CC74,
    0x020BBEA6_3B139B22,
    0x514A0879_8E3404DD,
    0xEF9519B3_CD3A431B,
    0x302B0A6D_F25F1437,
    0x4FE1356D_6D51C245,
    0xE485B576_625E7EC6,
    0xF44C42E9_A637ED6B,
    0x0BFF5CB6_F406B7ED,
    0xEE386BFB_5A899FA5,
    0xAE9F2411_7C4B1FE6,
    0x49286651_ECE65381,
    0xFFFFFFFF_FFFFFFFF,
];

/// The prime, least significant limb first.
fn prime() -> Limbs {
    let mut p = PRIME_BE;
    p.reverse();
    p
}

/// A big-endian number of at most 128 significant bytes.
fn from_be(bytes: &[u8]) -> Option<Limbs> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let bytes = &bytes[start..];
    if bytes.len() > 8 * N {
        return None;
    }
    let mut out = [0u64; N];
    for (i, &b) in bytes.iter().rev().enumerate() {
        out[i / 8] |= u64::from(b) << (8 * (i % 8));
    }
    Some(out)
}

fn to_be(x: &Limbs) -> [u8; 8 * N] {
    let mut out = [0u8; 8 * N];
    for (i, limb) in x.iter().enumerate() {
        out[8 * (N - 1 - i)..8 * (N - i)].copy_from_slice(&limb.to_be_bytes());
    }
    out
}

/// `a < b`
fn less(a: &Limbs, b: &Limbs) -> bool {
    for i in (0..N).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// `a - b` and the borrow out.
fn sub(a: &Limbs, b: &Limbs) -> (Limbs, u64) {
    let mut out = [0u64; N];
    let mut borrow = 0u64;
    for i in 0..N {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(borrow);
        out[i] = d;
        borrow = u64::from(b1 | b2);
    }
    (out, borrow)
}

/// `mask` all ones: `a`; all zeros: `b`.
fn select(mask: u64, a: &Limbs, b: &Limbs) -> Limbs {
    let mut out = [0u64; N];
    for i in 0..N {
        out[i] = (a[i] & mask) | (b[i] & !mask);
    }
    out
}

/// Montgomery arithmetic modulo an odd `m` with its top limb non-zero.
struct Mont {
    m: Limbs,
    /// `-m^-1 mod 2^64`
    inv: u64,
    /// `R^2 mod m`, R = 2^1024
    r2: Limbs,
}

impl Mont {
    fn new(m: Limbs) -> Self {
        // Newton's iteration doubles the correct low bits of m0^-1 each step.
        let mut inv: u64 = 1;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(m[0].wrapping_mul(inv)));
        }
        // R^2 mod m by 2048 doublings of 1 (public data: no need for constant time).
        let mut r2 = [0u64; N];
        r2[0] = 1;
        for _ in 0..2 * 64 * N {
            let top = r2[N - 1] >> 63;
            for i in (1..N).rev() {
                r2[i] = (r2[i] << 1) | (r2[i - 1] >> 63);
            }
            r2[0] <<= 1;
            if top == 1 || !less(&r2, &m) {
                r2 = sub(&r2, &m).0;
            }
        }
        Self {
            m,
            inv: inv.wrapping_neg(),
            r2,
        }
    }

    /// `a * b / R mod m` (CIOS), for `a, b < m`.
    fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let m = &self.m;
        let mut t = [0u64; N + 2];
        for &bi in b {
            let mut c = 0u64;
            for j in 0..N {
                let s = u128::from(t[j]) + u128::from(a[j]) * u128::from(bi) + u128::from(c);
                t[j] = s as u64;
                c = (s >> 64) as u64;
            }
            let s = u128::from(t[N]) + u128::from(c);
            t[N] = s as u64;
            t[N + 1] = (s >> 64) as u64;
            let q = t[0].wrapping_mul(self.inv);
            let s = u128::from(t[0]) + u128::from(q) * u128::from(m[0]);
            let mut c = (s >> 64) as u64;
            for j in 1..N {
                let s = u128::from(t[j]) + u128::from(q) * u128::from(m[j]) + u128::from(c);
                t[j - 1] = s as u64;
                c = (s >> 64) as u64;
            }
            let s = u128::from(t[N]) + u128::from(c);
            t[N - 1] = s as u64;
            t[N] = t[N + 1] + (s >> 64) as u64;
        }
        let mut low = [0u64; N];
        low.copy_from_slice(&t[..N]);
        // The result is below 2m: subtract m once if it is at least m, without a branch.
        let (d, borrow) = sub(&low, m);
        let use_d = t[N] | (borrow ^ 1);
        select(use_d.wrapping_neg(), &d, &low)
    }

    /// `base^exp mod m`, for `base < m`: a square and a multiply for every exponent bit,
    /// the product kept or dropped by a mask.
    fn pow(&self, base: &Limbs, exp: &Limbs) -> Limbs {
        let mut one = [0u64; N];
        one[0] = 1;
        let base = self.mul(base, &self.r2);
        let mut acc = self.mul(&one, &self.r2);
        for bit in (0..64 * N).rev() {
            acc = self.mul(&acc, &acc);
            let product = self.mul(&acc, &base);
            let mask = ((exp[bit / 64] >> (bit % 64)) & 1).wrapping_neg();
            acc = select(mask, &product, &acc);
        }
        self.mul(&acc, &one)
    }
}

/// Our half of the key exchange.
pub(crate) struct KeyPair {
    private: Limbs,
    /// Our public value `2^x mod p`, big-endian, for `OpenSession`.
    pub public: Vec<u8>,
}

impl Drop for KeyPair {
    fn drop(&mut self) {
        self.private = [0; N];
        std::hint::black_box(&self.private);
    }
}

/// Fills `buf` from the operating system's random source.
pub(crate) fn random(buf: &mut [u8]) -> Result<(), String> {
    getrandom::fill(buf).map_err(|e| format!("no random numbers from the OS: {e}"))
}

impl KeyPair {
    /// A fresh key pair with a 1024-bit private exponent from the OS.
    pub(crate) fn generate() -> Result<Self, String> {
        let mut bytes = [0u8; 8 * N];
        random(&mut bytes)?;
        let private = from_be(&bytes).unwrap_or([0; N]);
        bytes = [0; 8 * N];
        std::hint::black_box(&bytes);
        Ok(Self::from_private(private))
    }

    fn from_private(private: Limbs) -> Self {
        let mont = Mont::new(prime());
        let mut two = [0u64; N];
        two[0] = 2;
        let public = to_be(&mont.pow(&two, &private)).to_vec();
        Self { private, public }
    }

    /// The session's AES key from the service's public value, refused unless that value
    /// lies in [2, p - 2] (0, 1 and p - 1 would make the shared secret predictable).
    pub(crate) fn shared_key(&self, peer: &[u8]) -> Option<[u8; 16]> {
        let p = prime();
        let y = from_be(peer)?;
        let mut two = [0u64; N];
        two[0] = 2;
        let p_minus_1 = sub(&p, &{
            let mut one = [0u64; N];
            one[0] = 1;
            one
        })
        .0;
        if less(&y, &two) || !less(&y, &p_minus_1) {
            return None;
        }
        let mut secret = to_be(&Mont::new(p).pow(&y, &self.private));
        let key = hkdf_sha256_16(&secret);
        secret = [0; 8 * N];
        std::hint::black_box(&secret);
        Some(key)
    }
}

/// HMAC-SHA256 (RFC 2104) with a key of at most 64 bytes.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut k = [0u8; 64];
    k[..key.len()].copy_from_slice(key);
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// HKDF-SHA256 (RFC 5869) with an empty salt and empty info, 16 bytes of output.
fn hkdf_sha256_16(ikm: &[u8]) -> [u8; 16] {
    let prk = hmac_sha256(&[], &[ikm]);
    let t1 = hmac_sha256(&prk, &[&[1]]);
    let mut out = [0u8; 16];
    out.copy_from_slice(&t1[..16]);
    out
}

/// AES-128-CBC with PKCS #7 padding under a fresh random IV: `(iv, ciphertext)`.
pub(crate) fn encrypt(key: &[u8; 16], plain: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let mut iv = [0u8; 16];
    random(&mut iv)?;
    Ok((iv.to_vec(), encrypt_with_iv(key, &iv, plain)))
}

fn encrypt_with_iv(key: &[u8; 16], iv: &[u8; 16], plain: &[u8]) -> Vec<u8> {
    let cipher = Aes128::new(key.into());
    let pad = 16 - plain.len() % 16;
    let mut data = plain.to_vec();
    data.resize(plain.len() + pad, pad as u8);
    let mut prev = *iv;
    for chunk in data.chunks_exact_mut(16) {
        for (c, p) in chunk.iter_mut().zip(prev) {
            *c ^= p;
        }
        cipher.encrypt_block(chunk.into());
        prev.copy_from_slice(chunk);
    }
    data
}

/// The plaintext of AES-128-CBC with PKCS #7 padding, or `None` when the IV, the length
/// or the padding is wrong.
pub(crate) fn decrypt(key: &[u8; 16], iv: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    let mut prev: [u8; 16] = iv.try_into().ok()?;
    if data.is_empty() || !data.len().is_multiple_of(16) {
        return None;
    }
    let cipher = Aes128::new(key.into());
    let mut out = data.to_vec();
    for chunk in out.chunks_exact_mut(16) {
        let mut this = [0u8; 16];
        this.copy_from_slice(chunk);
        cipher.decrypt_block(chunk.into());
        for (c, p) in chunk.iter_mut().zip(prev) {
            *c ^= p;
        }
        prev = this;
    }
    let pad = usize::from(*out.last()?);
    if pad == 0
        || pad > 16
        || out[out.len() - pad..]
            .iter()
            .any(|&b| usize::from(b) != pad)
    {
        return None;
    }
    out.truncate(out.len() - pad);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn group_facts_hold() {
        let p = prime();
        let mont = Mont::new(p);
        let mut two = [0u64; N];
        two[0] = 2;
        // p is a safe prime with 2 a quadratic residue: 2^((p-1)/2) = 1 and 2^(p-1) = 1.
        let mut q = sub(&p, &{
            let mut one = [0u64; N];
            one[0] = 1;
            one
        })
        .0;
        let mut one = [0u64; N];
        one[0] = 1;
        assert_eq!(mont.pow(&two, &q), one);
        for i in 0..N {
            q[i] = (q[i] >> 1) | q.get(i + 1).map_or(0, |n| n << 63);
        }
        assert_eq!(mont.pow(&two, &q), one);
        let mut five = [0u64; N];
        five[0] = 5;
        let mut expected = [0u64; N];
        expected[0] = 32;
        assert_eq!(mont.pow(&two, &five), expected);
    }

    #[test]
    fn known_answer() {
        // Computed with Python's pow(2, x, p) and hmac/hashlib.
        let x = from_be(&(1..=128).collect::<Vec<u8>>()).unwrap();
        let pair = KeyPair::from_private(x);
        assert_eq!(
            pair.public,
            hex(
                "52893c96a07492593d36d00328ba21101c0ab104717cf1928b3890e1ecbd76e827e7ba7d589a03ef64f8f5648cea2b077409319013d832c41a04a3793eb4b73ca2a36306241de180ec36f5cfbef207ba2e04a39f1384dce12b8ebe27b54dbf049be0abc80ebd4849976974b2be955c2c87ba11712576887f5b96427a1d8fb2fd"
            )
        );
        // The peer's value 3^5 = 243, sent without leading zeros.
        assert_eq!(
            pair.shared_key(&[243]).unwrap().to_vec(),
            hex("e6b940a2125d5712a873449fd002150e")
        );
    }

    #[test]
    fn both_sides_agree() {
        let a = KeyPair::generate().unwrap();
        let b = KeyPair::generate().unwrap();
        assert_eq!(a.public.len(), 128);
        assert_eq!(a.shared_key(&b.public), b.shared_key(&a.public));
        assert_ne!(a.public, b.public);
    }

    #[test]
    fn weak_peer_values_are_refused() {
        let a = KeyPair::generate().unwrap();
        let p = to_be(&prime());
        let mut p_minus_1 = p;
        p_minus_1[127] -= 1;
        let mut p_minus_2 = p;
        p_minus_2[127] -= 2;
        let bad: [&[u8]; 8] = [
            &[],
            &[0],
            &[1],
            &[0, 1],
            &p_minus_1,
            &p,
            &[0xff; 128],
            &[1; 129],
        ];
        for bad in bad {
            assert!(a.shared_key(bad).is_none(), "{bad:?}");
        }
        assert!(a.shared_key(&[2]).is_some());
        assert!(a.shared_key(&p_minus_2).is_some());
        // Leading zeros are fine.
        assert!(a.shared_key(&[0, 0, 2]).is_some());
    }

    #[test]
    fn hkdf_rfc5869_case_3_prefix() {
        // RFC 5869 A.3: SHA-256, IKM 22 x 0x0b, no salt, no info.
        assert_eq!(
            hkdf_sha256_16(&[0x0b; 22]).to_vec(),
            hex("8da4e775a563c18f715f802a063c5a31")
        );
    }

    #[test]
    fn cbc_sp800_38a_f21_and_padding() {
        let key: [u8; 16] = hex("2b7e151628aed2a6abf7158809cf4f3c").try_into().unwrap();
        let iv: [u8; 16] = hex("000102030405060708090a0b0c0d0e0f").try_into().unwrap();
        let plain = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
        let ct = encrypt_with_iv(&key, &iv, &plain);
        assert_eq!(
            ct[..32].to_vec(),
            hex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2")
        );
        assert_eq!(ct.len(), 48, "a whole block of padding after whole blocks");
        assert_eq!(decrypt(&key, &iv, &ct).unwrap(), plain);
        for len in 0..40 {
            let msg: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let (iv, ct) = encrypt(&key, &msg).unwrap();
            assert_eq!(ct.len() % 16, 0);
            assert_eq!(decrypt(&key, &iv, &ct).unwrap(), msg);
        }
        // Wrong padding, length or IV: refused.
        let mut bad = ct.clone();
        bad[47] ^= 1;
        assert!(decrypt(&key, &iv, &bad).is_none());
        assert!(decrypt(&key, &iv, &ct[..47]).is_none());
        assert!(decrypt(&key, &iv, &[]).is_none());
        assert!(decrypt(&key, &iv[..8], &ct).is_none());
    }
}
