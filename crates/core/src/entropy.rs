//! The one source of randomness core uses, behind a trait so tests can be deterministic.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::Error;

/// A cryptographically secure source of random bytes.
pub trait Entropy {
    /// Fills `buf` entirely with random bytes, or fails without partial use.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error>;
}

/// The operating system's CSPRNG (`getrandom`; `crypto.getRandomValues` on wasm).
#[cfg(feature = "getrandom")]
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemEntropy;

#[cfg(feature = "getrandom")]
impl Entropy for SystemEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        getrandom::fill(buf).map_err(|e| {
            Error::new(
                crate::error::ErrorCode::EntropyUnavailable,
                format!("the system random source failed: {e}"),
            )
        })
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::error::ErrorCode;

    /// Replays fixed bytes, cycling; for deterministic tests only.
    pub struct FixedEntropy(pub Vec<u8>, pub usize);

    impl Entropy for FixedEntropy {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
            for b in buf.iter_mut() {
                *b = self.0[self.1 % self.0.len()];
                self.1 += 1;
            }
            Ok(())
        }
    }

    /// Always fails, to test error paths.
    pub struct BrokenEntropy;

    impl Entropy for BrokenEntropy {
        fn fill(&mut self, _buf: &mut [u8]) -> Result<(), Error> {
            Err(Error::new(
                ErrorCode::EntropyUnavailable,
                "broken on purpose",
            ))
        }
    }

    #[cfg(feature = "getrandom")]
    #[test]
    fn system_entropy_fills_differently_each_time() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        SystemEntropy.fill(&mut a).unwrap();
        SystemEntropy.fill(&mut b).unwrap();
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 32]);
    }
}
