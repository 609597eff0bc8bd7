//! SHA-256 (FIPS 180-4 §6.2) for PKCE's S256 challenge (RFC 7636 §4.2) in a build without
//! `std`: rolled-up rounds and no indexing that can fail, so the browser's `authorize`
//! module carries neither the `sha2` crate's block buffers nor their panic paths. Builds
//! with `std` use `sha2` (hardware SHA where the CPU has it); the tests hold both equal.

use core::sync::atomic::{AtomicU32, Ordering::Acquire, Ordering::Release};

/// FIPS 180-4 §4.2.2: the round constants, the first 32 bits of the fractional parts of
/// the cube roots of the first 64 primes: worked out on first use (a few dozen bytes of
/// code instead of 256 bytes of data in the browser's module) and kept here. The tests
/// hold them equal to the standard's table.
static K: [AtomicU32; 64] = [const { AtomicU32::new(0) }; 64];

/// [`K`], worked out first if it is not yet.
fn round_constants() -> &'static [AtomicU32; 64] {
    // The last constant is not 0: a 0 there means not worked out yet.
    if K[63].load(Acquire) == 0 {
        let (mut p, mut root) = (1u32, 1.0f64);
        for slot in &K {
            p += 1;
            while (2..p).take_while(|d| d * d <= p).any(|d| p % d == 0) {
                p += 1;
            }
            // Newton's method from the last prime's cube root: six steps reach the
            // nearest f64, which holds the 35 bits needed.
            let x = f64::from(p);
            for _ in 0..6 {
                root -= (root * root * root - x) / (3.0 * root * root);
            }
            let fraction = (root - f64::from(root as u32)) * 4_294_967_296.0;
            slot.store(fraction as u32, Release);
        }
    }
    &K
}

/// FIPS 180-4 §5.3.3: the initial hash value.
const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// FIPS 180-4 §6.2.2: one 512-bit block into the hash state. Called in two places by
/// [`digest`], and kept one copy.
#[inline(never)]
fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    // The message schedule, kept as a sliding window of 16 words.
    let mut w = [0u32; 16];
    for (word, bytes) in w.iter_mut().zip(block.as_chunks::<4>().0) {
        *word = u32::from_be_bytes(*bytes);
    }
    let mut v = *state;
    for (t, k) in round_constants()
        .iter()
        .map(|k| k.load(Acquire))
        .enumerate()
    {
        let wt = if t < 16 {
            w[t % 16]
        } else {
            let (w15, w2) = (w[(t + 1) % 16], w[(t + 14) % 16]);
            let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
            let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
            let next = w[t % 16]
                .wrapping_add(s0)
                .wrapping_add(w[(t + 9) % 16])
                .wrapping_add(s1);
            w[t % 16] = next;
            next
        };
        let [a, b, c, d, e, f, g, h] = v;
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = h
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(k)
            .wrapping_add(wt);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
    }
    for (s, x) in state.iter_mut().zip(v) {
        *s = s.wrapping_add(x);
    }
}

/// SHA-256 of `data` (FIPS 180-4 §6.2), padded as §5.1.1 says: the message, a 1 bit,
/// zeros, and its length in bits as 64 bits, to a multiple of 512 bits. One byte at a
/// time through one loop up to the length, which the last block ends with: the smallest
/// code, and a verifier is one block.
pub(crate) fn digest(data: &[u8]) -> [u8; 32] {
    let mut state = H0;
    let len = data.len();
    let mut block = [0u8; 64];
    let mut i = 0;
    // The message, a 1 bit, then zeros up to 8 bytes short of a block's end.
    while i <= len || i % 64 != 56 {
        block[i % 64] = match data.get(i) {
            Some(&b) => b,
            None if i == len => 0x80,
            None => 0,
        };
        i += 1;
        if i % 64 == 0 {
            compress(&mut state, &block);
        }
    }
    // The length in bits, big-endian.
    block[56..].copy_from_slice(&(len as u64).wrapping_mul(8).to_be_bytes());
    compress(&mut state, &block);
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = (state[i / 4] >> (24 - 8 * (i % 4))) as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use sha2::Digest;

    fn hex(bytes: &[u8]) -> alloc::string::String {
        bytes.iter().map(|b| alloc::format!("{b:02x}")).collect()
    }

    /// FIPS 180-4 §4.2.2, as printed.
    const TABLE: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    #[test]
    fn round_constants_are_the_standard_s() {
        let k = || round_constants().each_ref().map(|k| k.load(Acquire));
        assert_eq!(k(), TABLE);
        assert_eq!(k(), TABLE, "and the second time, from the cache");
    }

    #[test]
    fn fips_180_examples() {
        // FIPS 180-4 examples (NIST CSRC "SHA256.pdf"), and the empty message.
        assert_eq!(
            hex(&digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&digest(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex(&digest(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let million = alloc::vec![b'a'; 1_000_000];
        assert_eq!(
            hex(&digest(&million)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn equals_the_sha2_crate_at_every_length_around_the_block_edges() {
        let data: Vec<u8> = (0..400u32).map(|i| (i * 131 + 7) as u8).collect();
        for len in 0..=data.len() {
            let input = &data[..len];
            assert_eq!(
                digest(input)[..],
                sha2::Sha256::digest(input)[..],
                "length {len}"
            );
        }
    }
}
