//! The file token store's operating-system half: `~` expansion, a 0700 directory, 0600
//! files checked on read, atomic replace (temporary file, fsync, rename, fsync of the
//! directory) and a cross-process lock (`flock` / `LockFileEx` on `<file>.lock`, released
//! by the OS if the holder dies, so a crashed process never leaves a stale lock).
//! Encryption is core's envelope; the document inside is the facade's JSON.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use napi::Result;
use napi::bindgen_prelude::{Buffer, spawn_blocking};
use napi_derive::napi;
use oauth_callback_core::SystemEntropy;
use oauth_callback_core::entropy::Entropy;
use oauth_callback_core::store_envelope::{self, StoreKey};

use crate::listener::lib_error;

/// How often a waiting process retries the lock.
const LOCK_POLL: Duration = Duration::from_millis(5);

/// Options of [`NativeFileStore`].
#[napi(object)]
pub struct FileStoreOptions {
    /// A 32-byte AES-256 key.
    pub encryption_key: Option<Buffer>,
    /// Or a passphrase, stretched with Argon2id.
    pub passphrase: Option<String>,
    /// The key's name, authenticated in the file (default `default`).
    pub key_name: Option<String>,
    /// Read files that other users can read or write (off by default).
    pub allow_insecure_permissions: Option<bool>,
    /// How long to wait for another process's lock, in milliseconds (default 10000).
    pub lock_timeout_ms: Option<f64>,
}

struct Inner {
    path: PathBuf,
    lock_path: PathBuf,
    key: Option<Mutex<StoreKey>>,
    allow_insecure: bool,
    lock_timeout: Duration,
}

/// The path for an error message: whole (a cut path names no file), control characters
/// made visible.
fn shown(path: &Path) -> String {
    oauth_callback_core::error::visible(&path.display().to_string(), 4096)
}

fn io_err(path: &Path, what: &str, e: &std::io::Error) -> napi::Error {
    let code = match e.kind() {
        ErrorKind::PermissionDenied => "STORE_PERMISSIONS",
        ErrorKind::IsADirectory => "STORE_IS_DIRECTORY",
        _ => "STORE_IO",
    };
    lib_error(code, format!("cannot {what} {}: {e}", shown(path)))
}

fn core_err(path: &Path, e: &oauth_callback_core::Error) -> napi::Error {
    lib_error(
        e.code().as_str(),
        format!("{}: {}", shown(path), e.message()),
    )
}

/// `~` and `~/...` become the home directory.
fn expand_home(path: &str) -> Result<PathBuf> {
    let rest = match path.strip_prefix('~') {
        None => return Ok(PathBuf::from(path)),
        Some(r) if r.is_empty() || r.starts_with('/') || r.starts_with('\\') => {
            r.trim_start_matches(['/', '\\'])
        }
        Some(_) => return Ok(PathBuf::from(path)),
    };
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .ok_or_else(|| lib_error("STORE_IO", "cannot expand ~: HOME is not set".to_owned()))?;
    Ok(PathBuf::from(home).join(rest))
}

fn ensure_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
        .map_err(|e| io_err(dir, "create the directory", &e))
}

/// Largest token store file read: far above any real store (10,000 entries are about
/// 0.6 MB), small enough that a planted huge file cannot exhaust memory.
pub(crate) const MAX_STORE_BYTES: u64 = 16 * 1024 * 1024;

/// Opens a file this store owns (0600), never through a symbolic link, never blocking on
/// a FIFO, and checks what was opened is a regular file (a device, FIFO or socket at the
/// path is refused at once instead of hanging a read or holding the lock).
fn open_private(path: &Path, create_new: bool) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true);
    if create_new {
        o.create_new(true);
    } else {
        o.create(true).truncate(false).read(true);
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        std::os::unix::fs::OpenOptionsExt::custom_flags(
            &mut o,
            libc::O_NOFOLLOW | libc::O_NONBLOCK,
        );
    }
    let f = o.open(path)?;
    regular(&f)?;
    Ok(f)
}

/// Errors unless `f` is a regular file.
fn regular(f: &File) -> std::io::Result<()> {
    if f.metadata()?.is_file() {
        Ok(())
    } else {
        Err(std::io::Error::other("not a regular file"))
    }
}

/// An error for a path that exists but is not a regular file (FIFO, device, socket, link).
fn not_a_file(path: &Path, what: &str) -> napi::Error {
    lib_error(
        "STORE_NOT_A_FILE",
        format!(
            "{} is not a regular file ({what}); remove it or choose another path",
            shown(path)
        ),
    )
}

/// The kind of a non-regular file, for messages.
fn kind_of(meta: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
        if t.is_symlink() {
            return "a symbolic link";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// The effective user id of this process.
#[cfg(unix)]
#[allow(unsafe_code)] // one libc call; std has no safe equivalent
pub(crate) fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions, touches no memory and cannot fail.
    unsafe { libc::geteuid() }
}

/// The directory must not let other users plant or replace files (group or others
/// writable), unless the caller opted out.
fn check_dir(dir: &Path, allow_insecure: bool) -> Result<()> {
    #[cfg(unix)]
    if !allow_insecure {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let Ok(meta) = fs::metadata(dir) else {
            return Ok(());
        };
        let mode = meta.permissions().mode() & 0o777;
        let owner = meta.uid();
        if mode & 0o022 != 0 || (owner != current_uid() && owner != 0) {
            return Err(lib_error(
                "STORE_PERMISSIONS",
                format!(
                    "the directory {} can be written by other users (mode {mode:o}); use a private directory (chmod 700), or pass allowInsecurePermissions",
                    shown(dir)
                ),
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (dir, allow_insecure);
    Ok(())
}

impl Inner {
    fn read(&self) -> Result<Option<String>> {
        let dir = self.path.parent().unwrap_or_else(|| Path::new("."));
        // Opened without blocking (a FIFO would hang the read), then checked by what was
        // opened, not by a name that can change in between.
        let mut read_only = OpenOptions::new();
        read_only.read(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut read_only, libc::O_NONBLOCK);
        let mut file = match read_only.open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&self.path, "read", &e)),
        };
        check_dir(dir, self.allow_insecure)?;
        let meta = file
            .metadata()
            .map_err(|e| io_err(&self.path, "read", &e))?;
        if !meta.is_file() && !meta.is_dir() {
            return Err(not_a_file(&self.path, kind_of(&meta)));
        }
        if meta.is_dir() {
            return Err(lib_error(
                "STORE_IS_DIRECTORY",
                format!(
                    "{} is a directory, not a token store file",
                    shown(&self.path)
                ),
            ));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 && !self.allow_insecure {
                return Err(lib_error(
                    "STORE_PERMISSIONS",
                    format!(
                        "{} is accessible to other users (mode {mode:o}); run `chmod 600` on it, or pass allowInsecurePermissions",
                        shown(&self.path)
                    ),
                ));
            }
            if meta.uid() != current_uid() && !self.allow_insecure {
                return Err(lib_error(
                    "STORE_PERMISSIONS",
                    format!(
                        "{} belongs to another user (uid {}); refusing to trust it, or pass allowInsecurePermissions",
                        shown(&self.path),
                        meta.uid()
                    ),
                ));
            }
        }
        // Refused before it is read: a planted huge file cannot exhaust memory.
        if meta.len() > MAX_STORE_BYTES {
            return Err(lib_error(
                "STORE_TOO_LARGE",
                format!(
                    "{} is {} bytes, more than a token store can be ({MAX_STORE_BYTES}); it was left as it is",
                    shown(&self.path),
                    meta.len()
                ),
            ));
        }
        let mut bytes = Vec::new();
        (&mut file)
            .take(MAX_STORE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io_err(&self.path, "read", &e))?;
        if store_envelope::is_encrypted(&bytes) {
            let Some(key) = &self.key else {
                return Err(lib_error(
                    "STORE_KEY_REQUIRED",
                    format!("{} is encrypted; pass its encryptionKey", shown(&self.path)),
                ));
            };
            let text = std::str::from_utf8(&bytes).map_err(|_| {
                lib_error(
                    "STORE_CORRUPT",
                    format!(
                        "{}: the encrypted store is damaged: not UTF-8",
                        shown(&self.path)
                    ),
                )
            })?;
            let mut key = key
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let plain =
                store_envelope::open(text, &mut key).map_err(|e| core_err(&self.path, &e))?;
            return String::from_utf8(plain).map(Some).map_err(|_| {
                lib_error(
                    "STORE_CORRUPT",
                    format!("{}: the decrypted document is not UTF-8", shown(&self.path)),
                )
            });
        }
        if self.key.is_some() {
            return Err(lib_error(
                "STORE_NOT_ENCRYPTED",
                format!(
                    "{} is not encrypted but an encryption key was given; refusing to trust it",
                    shown(&self.path)
                ),
            ));
        }
        String::from_utf8(bytes).map(Some).map_err(|_| {
            lib_error(
                "STORE_CORRUPT",
                format!("{} is not a token store (not UTF-8)", shown(&self.path)),
            )
        })
    }

    fn write(&self, document: &str) -> Result<()> {
        let dir = self.path.parent().unwrap_or_else(|| Path::new("."));
        ensure_dir(dir)?;
        check_dir(dir, self.allow_insecure)?;
        if let Ok(meta) = fs::metadata(&self.path) {
            if meta.is_dir() {
                return Err(lib_error(
                    "STORE_IS_DIRECTORY",
                    format!(
                        "{} is a directory, not a token store file",
                        shown(&self.path)
                    ),
                ));
            }
            if !meta.is_file() {
                return Err(not_a_file(&self.path, kind_of(&meta)));
            }
        }
        if document.len() as u64 > MAX_STORE_BYTES {
            return Err(lib_error(
                "STORE_TOO_LARGE",
                format!(
                    "the document for {} would be {} bytes, more than a token store can be ({MAX_STORE_BYTES})",
                    shown(&self.path),
                    document.len()
                ),
            ));
        }
        let content = match &self.key {
            None => document.to_owned(),
            Some(key) => {
                let mut key = key
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                store_envelope::seal(document.as_bytes(), &mut key, &mut SystemEntropy)
                    .map_err(|e| core_err(&self.path, &e))?
            }
        };
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Unpredictable, so another local user cannot plant the name ahead of a write
        // (created exclusively, without following links, in any case); the pid lets the
        // next write tell an abandoned temporary file from a live one.
        let mut nonce = [0u8; 8];
        SystemEntropy
            .fill(&mut nonce)
            .map_err(|e| core_err(&self.path, &e))?;
        let nonce: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
        let tmp = dir.join(format!(".{name}.{}.{nonce}.tmp", std::process::id()));
        let result = (|| -> std::io::Result<()> {
            let mut f = open_private(&tmp, true)?;
            f.write_all(content.as_bytes())?;
            f.sync_all()?;
            drop(f);
            fs::rename(&tmp, &self.path)?;
            // The rename is durable only once the directory entry is on disk.
            #[cfg(unix)]
            File::open(dir)?.sync_all()?;
            Ok(())
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(io_err(&self.path, "write", &e));
        }
        remove_abandoned_temporaries(dir, &name);
        Ok(())
    }
}

/// A writer killed between creating its temporary file and the rename leaves the file
/// behind (the store itself is intact). Writes happen under the store lock, so any
/// temporary file of this store that belongs to another process that no longer runs, or
/// that is older than any write can take, is garbage: remove it. Best effort.
fn remove_abandoned_temporaries(dir: &Path, name: &str) {
    const STALE: Duration = Duration::from_secs(600);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    let own = std::process::id().to_string();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        let Some(rest) = n.strip_prefix(&prefix).and_then(|r| r.strip_suffix(".tmp")) else {
            continue;
        };
        let pid = rest.split('.').next().unwrap_or("");
        if pid == own {
            continue;
        }
        let dead = cfg!(target_os = "linux") && !Path::new("/proc").join(pid).exists();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE);
        if dead || old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

impl Inner {
    fn lock(&self) -> Result<File> {
        lock_file(&self.lock_path, self.lock_timeout)
    }
}

/// Takes the exclusive cross-process lock on `path` (created 0600, its directory 0700),
/// waiting up to `timeout`. The OS releases it when the file closes or the process dies.
pub(crate) fn lock_file(path: &Path, timeout: Duration) -> Result<File> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    ensure_dir(dir)?;
    // A symbolic link (followed, a dangling one would create its target) or a FIFO,
    // device or socket is refused by name first, then by what was opened.
    if let Ok(meta) = fs::symlink_metadata(path)
        && !meta.is_file()
    {
        return Err(not_a_file(path, kind_of(&meta)));
    }
    let file = open_private(path, false).map_err(|e| io_err(path, "open the lock", &e))?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(io_err(path, "lock", &e)),
        }
        if start.elapsed() >= timeout {
            return Err(lib_error(
                "STORE_LOCK_TIMEOUT",
                format!(
                    "another process holds {} for more than {timeout:?}",
                    shown(path)
                ),
            ));
        }
        std::thread::sleep(LOCK_POLL);
    }
}

/// A token store file. `read()` needs no lock (writes are atomic renames); changes go
/// through `lock()`, which holds the cross-process lock until `release()`.
#[napi]
pub struct NativeFileStore {
    inner: Arc<Inner>,
}

#[napi]
impl NativeFileStore {
    /// Opens (does not yet touch) the store at `path`; `~` is the home directory.
    #[napi(constructor)]
    pub fn new(path: String, options: Option<FileStoreOptions>) -> Result<Self> {
        let o = options.unwrap_or(FileStoreOptions {
            encryption_key: None,
            passphrase: None,
            key_name: None,
            allow_insecure_permissions: None,
            lock_timeout_ms: None,
        });
        if path.is_empty() || path.contains('\0') {
            return Err(lib_error(
                "INVALID_PARAMETER",
                "the store path must be a non-empty path".to_owned(),
            ));
        }
        let path = expand_home(&path)?;
        let name = o.key_name.as_deref().unwrap_or("default");
        let key = match (&o.encryption_key, &o.passphrase) {
            (Some(_), Some(_)) => {
                return Err(lib_error(
                    "INVALID_KEY",
                    "give either encryptionKey or a passphrase, not both".to_owned(),
                ));
            }
            (Some(k), None) => Some(StoreKey::raw(k, name)),
            (None, Some(p)) => Some(StoreKey::passphrase(p, name)),
            (None, None) => None,
        }
        .transpose()
        .map_err(|e| lib_error(e.code().as_str(), e.message().to_owned()))?;
        let lock_timeout = Duration::try_from_secs_f64(
            o.lock_timeout_ms.unwrap_or(10_000.0) / 1000.0,
        )
        .map_err(|_| {
            lib_error(
                "INVALID_PARAMETER",
                "lockTimeoutMs must be a non-negative number".to_owned(),
            )
        })?;
        let mut lock_name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        lock_name.push(".lock");
        Ok(Self {
            inner: Arc::new(Inner {
                lock_path: path.with_file_name(lock_name),
                path,
                key: key.map(Mutex::new),
                allow_insecure: o.allow_insecure_permissions.unwrap_or(false),
                lock_timeout,
            }),
        })
    }

    /// The expanded path.
    #[napi(getter)]
    pub fn path(&self) -> String {
        self.inner.path.display().to_string()
    }

    /// The document, decrypted, or `null` when the file does not exist.
    #[napi]
    pub async fn read(&self) -> Result<Option<String>> {
        let inner = self.inner.clone();
        join(spawn_blocking(move || inner.read()).await)
    }

    /// Waits for the cross-process lock (up to the lock timeout).
    #[napi]
    pub async fn lock(&self) -> Result<FileStoreLock> {
        let inner = self.inner.clone();
        let file = join(
            spawn_blocking({
                let inner = inner.clone();
                move || inner.lock()
            })
            .await,
        )?;
        Ok(FileStoreLock {
            inner,
            lock: HeldLock::new(file),
        })
    }
}

pub(crate) fn join<T>(
    r: std::result::Result<Result<T>, napi::tokio::task::JoinError>,
) -> Result<T> {
    r.map_err(|e| lib_error("STORE_IO", format!("store task failed: {e}")))?
}

/// An exclusive lock file while it is held; closing the file releases the lock.
pub(crate) struct HeldLock(Mutex<Option<File>>);

impl HeldLock {
    pub(crate) fn new(file: File) -> Self {
        Self(Mutex::new(Some(file)))
    }

    /// Ok while held; an error once released, so nothing is read or written unlocked.
    pub(crate) fn held(&self) -> Result<()> {
        if self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some()
        {
            Ok(())
        } else {
            Err(lib_error(
                "STORE_IO",
                "the store lock was already released".to_owned(),
            ))
        }
    }

    /// Releases the lock; again does nothing.
    pub(crate) fn release(&self) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
    }
}

/// A held store lock: read and write under it, then `release()`.
#[napi]
pub struct FileStoreLock {
    inner: Arc<Inner>,
    lock: HeldLock,
}

#[napi]
impl FileStoreLock {
    /// The document under the lock.
    #[napi]
    pub async fn read(&self) -> Result<Option<String>> {
        self.lock.held()?;
        let inner = self.inner.clone();
        join(spawn_blocking(move || inner.read()).await)
    }

    /// Replaces the document atomically.
    #[napi]
    pub async fn write(&self, document: String) -> Result<()> {
        self.lock.held()?;
        let inner = self.inner.clone();
        join(spawn_blocking(move || inner.write(&document)).await)
    }

    /// Releases the lock (closing the file releases it); calling it again does nothing.
    #[napi]
    pub fn release(&self) {
        self.lock.release();
    }
}
