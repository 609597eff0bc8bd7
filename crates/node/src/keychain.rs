//! The OS keychain as token storage: macOS Keychain and Windows Credential Manager through
//! `keyring`, the Linux Secret Service through our own D-Bus client (`secret_service`).
//! The whole store document is one secret per service/account; changes run under a lock
//! file so processes never overwrite each other. A locked Linux keychain is unlocked
//! (the system's prompt, if it needs the user) before that lock is taken, so no lock is
//! held while a person types a password.

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

fn unavailable(detail: &str) -> napi::Error {
    lib_error(
        "KEYCHAIN_UNAVAILABLE",
        format!(
            "no usable OS keychain here ({detail}); on Linux a Secret Service (gnome-keyring, KWallet) must be running and unlocked"
        ),
    )
}

fn refused(detail: &str) -> napi::Error {
    lib_error(
        "KEYCHAIN_ERROR",
        format!("the OS keychain refused the request: {detail}"),
    )
}

/// The Secret Service client (Linux).
#[cfg(target_os = "linux")]
mod os {
    use napi::Result;

    use crate::secret_service::{self, Error};

    fn error(e: Error) -> napi::Error {
        match e {
            Error::Unavailable(m) => super::unavailable(&m),
            Error::Reply(name, m) => super::unavailable(&format!("D-Bus error {name}: {m}")),
            Error::Failed(m) => super::refused(&m),
        }
    }

    pub(super) fn read(service: &str, account: &str) -> Result<Option<String>> {
        secret_service::read(service, account).map_err(error)
    }

    pub(super) fn write(service: &str, account: &str, document: &str) -> Result<()> {
        secret_service::write(service, account, document).map_err(error)
    }

    pub(super) fn remove(service: &str, account: &str) -> Result<()> {
        secret_service::delete(service, account).map_err(error)
    }

    /// Unlocks what the entry's operations use, showing the system's prompt if needed.
    pub(super) fn unlock(service: &str, account: &str) -> Result<()> {
        secret_service::unlock(service, account).map_err(error)
    }
}

/// `keyring` (macOS, Windows).
#[cfg(not(target_os = "linux"))]
mod os {
    use napi::Result;

    fn error(e: &keyring::Error) -> napi::Error {
        match e {
            keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
                super::unavailable(&e.to_string())
            }
            other => super::refused(&other.to_string()),
        }
    }

    fn entry(service: &str, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(service, account).map_err(|e| error(&e))
    }

    pub(super) fn read(service: &str, account: &str) -> Result<Option<String>> {
        match entry(service, account)?.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(error(&e)),
        }
    }

    pub(super) fn write(service: &str, account: &str, document: &str) -> Result<()> {
        entry(service, account)?
            .set_password(document)
            .map_err(|e| error(&e))
    }

    pub(super) fn remove(service: &str, account: &str) -> Result<()> {
        match entry(service, account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(error(&e)),
        }
    }

    /// Nothing to do: these keychains ask the user within each call.
    #[allow(clippy::unnecessary_wraps)]
    pub(super) fn unlock(_service: &str, _account: &str) -> Result<()> {
        Ok(())
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
    fn read_now(&self) -> Result<Option<String>> {
        os::read(&self.service, &self.account)
    }

    fn write_now(&self, document: &str) -> Result<()> {
        os::write(&self.service, &self.account, document)
    }

    fn remove_now(&self) -> Result<()> {
        os::remove(&self.service, &self.account)
    }

    fn unlock_now(&self) -> Result<()> {
        os::unlock(&self.service, &self.account)
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

    /// Takes the lock, having first unlocked the keychain (a prompt is answered while no
    /// lock is held).
    #[napi]
    pub async fn lock(&self) -> Result<KeychainLock> {
        let me = self.clone_for_task();
        let task = self.clone_for_task();
        let file = join(
            spawn_blocking(move || {
                task.unlock_now()?;
                lock_file(&task.lock_path, LOCK_TIMEOUT)
            })
            .await,
        )?;
        Ok(KeychainLock {
            keychain: me,
            lock: HeldLock::new(file),
        })
    }

    /// Removes the entry (no error when there is none).
    #[napi]
    pub async fn remove(&self) -> Result<()> {
        let me = self.clone_for_task();
        join(spawn_blocking(move || me.remove_now()).await)
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
        join(spawn_blocking(move || k.remove_now()).await)
    }

    /// Releases the lock; again does nothing.
    #[napi]
    pub fn release(&self) {
        self.lock.release();
    }
}
