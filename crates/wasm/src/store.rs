//! The encrypted token store envelope, for the Deno file store.

use oauth_callback_core::{self as core, SystemEntropy};
use wasm_bindgen::prelude::*;

use crate::Result;

/// The encrypted store envelope (AES-256-GCM, Argon2id for passphrases) around a store
/// document, with the derived key cached per salt. Used by the Deno file store; the same
/// format the napi addon writes.
#[wasm_bindgen]
pub struct StoreCipher {
    key: core::store_envelope::StoreKey,
}

#[wasm_bindgen]
impl StoreCipher {
    /// A cipher for a 32-byte `raw_key` or a `passphrase` (exactly one), named `key_name`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        raw_key: Option<Vec<u8>>,
        passphrase: Option<String>,
        key_name: &str,
    ) -> Result<StoreCipher> {
        use core::store_envelope::StoreKey;
        let key = match (raw_key, passphrase) {
            (Some(k), None) => StoreKey::raw(&k, key_name)?,
            (None, Some(p)) => StoreKey::passphrase(&p, key_name)?,
            _ => {
                return Err(core::Error::new(
                    core::ErrorCode::InvalidKey,
                    "give either encryptionKey or a passphrase, not both",
                )
                .into());
            }
        };
        Ok(Self { key })
    }

    /// Encrypts a document with a fresh nonce.
    pub fn seal(&mut self, document: &str) -> Result<String> {
        Ok(core::store_envelope::seal(
            document.as_bytes(),
            &mut self.key,
            &mut SystemEntropy,
        )?)
    }

    /// Decrypts an envelope to the document.
    pub fn open(&mut self, envelope: &str) -> Result<String> {
        let plain = core::store_envelope::open(envelope, &mut self.key)?;
        String::from_utf8(plain).map_err(|_| {
            core::Error::new(
                core::ErrorCode::StoreCorrupt,
                "the decrypted document is not UTF-8",
            )
            .into()
        })
    }
}

/// Whether file content is an encrypted store envelope (any version).
#[wasm_bindgen(js_name = isEncryptedStore)]
pub fn is_encrypted_store(content: &str) -> bool {
    core::store_envelope::is_encrypted(content.as_bytes())
}
