//! A small client of the freedesktop.org Secret Service API (the Linux keychain:
//! gnome-keyring, KWallet, KeePassXC), speaking the D-Bus wire protocol itself over the
//! session bus's unix socket. It replaces the `keyring` crate on Linux, whose libdbus
//! made up 0.71 MB of the addon; macOS and Windows keep `keyring`.
//!
//! - [`wire`]: D-Bus Specification, "Type System", "Marshaling", "Message Format".
//! - [`connection`]: D-Bus Specification, "Server Addresses", "Authentication Protocol"
//!   (SASL EXTERNAL), `org.freedesktop.DBus.Hello`, method calls and their replies.
//! - [`crypto`]: Secret Service API, "Transfer of Secrets": the
//!   `dh-ietf1024-sha256-aes128-cbc-pkcs7` session.
//! - [`service`]: Secret Service API, `org.freedesktop.Secret.Service`, `.Collection`,
//!   `.Item`: the entries keyring 3.6 reads and writes, found and kept the same way.
//! - [`prompt`]: Secret Service API, "Prompts": the system's unlock dialog for a locked
//!   keychain, shown and awaited as keyring did (and given up at once if the service
//!   stops meanwhile).
//!
//! Nothing here waits without a bound. Each operation ([`read`], [`write`], [`delete`],
//! [`unlock`]) has its own connection and two budgets:
//!
//! - its requests (connect, authenticate, every call and reply) share one deadline,
//!   `service::TIMEOUT` (25 s) from the start;
//! - a person at its prompts has `prompt::PROMPT_TIMEOUT` (120 s) in all, however many
//!   prompts it shows; past that the prompt is dismissed and the operation fails. The
//!   request deadline stands still while a prompt waits for the person. If the service
//!   exits or loses its bus name meanwhile (the bus's `NameOwnerChanged`), the wait ends
//!   at once and the operation fails, without `Dismiss`.
//!
//! So an operation ends within 145 s whatever the service does, and within 25 s when no
//! prompt is shown. Where no prompt can be shown (no display), gnome-keyring reports the
//! prompt dismissed at once.
//!
//! The keychain store (`crate::keychain`) holds its lock file around a read and a write:
//! it calls [`unlock`] before taking the lock, so the person types the password while no
//! lock is held; an operation under the lock prompts only if the keychain was locked
//! again in between (bounded as above; other processes give up waiting for the lock
//! after its own 10 s).

mod connection;
mod crypto;
mod prompt;
mod service;
mod wire;

pub(crate) use service::{delete, read, unlock, write};

/// Why a keychain operation failed. No message ever holds a secret.
#[derive(Debug)]
pub(crate) enum Error {
    /// No usable Secret Service: no session bus, no service on it, a locked keychain
    /// whose prompt was dismissed or not answered, no answer in time, or a peer breaking
    /// the protocol.
    Unavailable(String),
    /// The service works, but this entry cannot be used as asked (several items match,
    /// the secret is not UTF-8 text, a name D-Bus cannot carry).
    Failed(String),
    /// An error reply (D-Bus Specification, "Message Types": ERROR): its error name and
    /// its message, made printable.
    Reply(String, String),
}
