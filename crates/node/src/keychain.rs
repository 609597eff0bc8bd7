//! The OS keychain as token storage (`keyring`): macOS Keychain, Windows Credential
//! Manager, Linux Secret Service. The whole store document is one secret per
//! service/account; changes run under a lock file so processes never overwrite each other.

use std::path::PathBuf;
use std::time::Duration;

use napi::Result;
use napi::bindgen_prelude::spawn_blocking;
use napi_derive::napi;

use crate::file_store::{HeldLock, join, lock_file};
use crate::listener::lib_error;

/// How long to wait for another process's keychain transaction.
const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// A stable, non-cryptographic name for the lock file of one service/account (FNV-1a);
/// it only has to keep different entries apart, not hide them.
fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn keychain_error(e: &keyring::Error) -> napi::Error {
    match e {
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => lib_error(
            "KEYCHAIN_UNAVAILABLE",
            format!(
                "no usable OS keychain here ({e}); on Linux a Secret Service (gnome-keyring, KWallet) must be running and unlocked"
            ),
        ),
        other => lib_error(
            "KEYCHAIN_ERROR",
            format!("the OS keychain refused the request: {other}"),
        ),
    }
}

/// One keychain entry holding a store document.
#[napi]
pub struct NativeKeychain {
    service: String,
    account: String,
    lock_path: PathBuf,
}

impl NativeKeychain {
    fn entry(&self) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, &self.account).map_err(|e| keychain_error(&e))
    }

    fn read_now(&self) -> Result<Option<String>> {
        match self.entry()?.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(&e)),
        }
    }

    fn write_now(&self, document: &str) -> Result<()> {
        self.entry()?
            .set_password(document)
            .map_err(|e| keychain_error(&e))
    }
}

#[napi]
impl NativeKeychain {
    /// The entry for `service` and `account` (both non-empty).
    #[napi(constructor)]
    pub fn new(service: String, account: String) -> Result<Self> {
        if service.is_empty() || account.is_empty() {
            return Err(lib_error(
                "INVALID_PARAMETER",
                "keychainStore needs a non-empty service and account".to_owned(),
            ));
        }
        let dir =
            std::env::var_os("XDG_RUNTIME_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
        let lock_path = dir.join(format!(
            "oauth-callback-rs-keychain-{}.lock",
            fingerprint(&[&service, &account])
        ));
        Ok(Self {
            service,
            account,
            lock_path,
        })
    }

    /// The stored document, or `null`.
    #[napi]
    pub async fn read(&self) -> Result<Option<String>> {
        let me = self.clone_for_task();
        join(spawn_blocking(move || me.read_now()).await)
    }

    /// Runs under the lock: returns the current document; `commit` writes the next one.
    #[napi]
    pub async fn lock(&self) -> Result<KeychainLock> {
        let me = self.clone_for_task();
        let path = self.lock_path.clone();
        let file = join(spawn_blocking(move || lock_file(&path, LOCK_TIMEOUT)).await)?;
        Ok(KeychainLock {
            keychain: me,
            lock: HeldLock::new(file),
        })
    }

    /// Removes the entry (no error when there is none).
    #[napi]
    pub async fn remove(&self) -> Result<()> {
        let me = self.clone_for_task();
        join(
            spawn_blocking(move || match me.entry()?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(keychain_error(&e)),
            })
            .await,
        )
    }
}

impl NativeKeychain {
    fn clone_for_task(&self) -> Self {
        Self {
            service: self.service.clone(),
            account: self.account.clone(),
            lock_path: self.lock_path.clone(),
        }
    }
}

/// A held keychain lock.
#[napi]
pub struct KeychainLock {
    keychain: NativeKeychain,
    lock: HeldLock,
}

#[napi]
impl KeychainLock {
    /// The document under the lock.
    #[napi]
    pub async fn read(&self) -> Result<Option<String>> {
        self.lock.held()?;
        let k = self.keychain.clone_for_task();
        join(spawn_blocking(move || k.read_now()).await)
    }

    /// Stores the next document.
    #[napi]
    pub async fn write(&self, document: String) -> Result<()> {
        self.lock.held()?;
        let k = self.keychain.clone_for_task();
        join(spawn_blocking(move || k.write_now(&document)).await)
    }

    /// Deletes the item (the store is empty): no empty secret is left behind.
    #[napi]
    pub async fn remove(&self) -> Result<()> {
        self.lock.held()?;
        let k = self.keychain.clone_for_task();
        join(
            spawn_blocking(move || match k.entry()?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(keychain_error(&e)),
            })
            .await,
        )
    }

    /// Releases the lock; again does nothing.
    #[napi]
    pub fn release(&self) {
        self.lock.release();
    }
}
