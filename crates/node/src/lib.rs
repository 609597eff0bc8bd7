//! The napi-rs addon: only what needs the operating system. Protocol decisions come from
//! oauth-callback-core; errors reach JavaScript as `"CODE: message"` reasons, which the
//! facade turns into `OAuthCallbackError` with a `code`.

mod connection;
mod event_loop;
mod file_store;
#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
mod keychain;
mod listener;
mod result_slot;
#[cfg(target_os = "linux")]
mod secret_service;
mod server;

pub use file_store::{FileStoreLock, FileStoreOptions, NativeFileStore};
#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
pub use keychain::{KeychainLock, NativeKeychain};
pub use listener::{LoopbackListener, bind_loopback};
pub use server::{
    CallbackServer, CallbackServerOptions, CallbackServerResult, start_callback_server,
};
