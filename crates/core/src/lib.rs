//! # oauth-callback-core
//!
//! The protocol half of oauth-callback-rs: pure Rust, no I/O, no async runtime, no
//! JavaScript bindings. Drivers (the wasm module, the napi addon) move bytes and call in
//! here; every protocol decision lives in this crate so that every runtime behaves the same.
//!
//! Randomness comes in through the [`Entropy`] trait, so every branch is testable with a
//! fixed byte source.
//!
//! Without the `std` feature the crate is `no_std` + `alloc` and holds only what a page
//! needs to start a login: PKCE, state, nonce, authorization URLs, endpoints, loopback
//! redirect URIs and templates.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod prelude;

#[cfg(any(feature = "std", feature = "client"))]
pub mod authorization_response;
pub mod authorize;
pub mod base64url;
#[cfg(feature = "std")]
pub mod callback;
#[cfg(feature = "signing")]
pub mod client_assertion;
#[cfg(feature = "std")]
pub mod client_credentials;
#[cfg(feature = "std")]
pub mod client_id_metadata;
#[cfg(feature = "std")]
pub mod device;
#[cfg(any(feature = "std", feature = "client"))]
pub mod discovery;
pub mod endpoint;
pub mod entropy;
pub mod error;
pub mod form;
#[cfg(any(feature = "std", feature = "client"))]
pub mod http_message;
#[cfg(feature = "oidc")]
pub mod id_token;
mod ip_literal;
#[cfg(feature = "oidc")]
pub mod jose;
#[cfg(any(feature = "std", feature = "client"))]
pub mod json;
pub mod loopback;
#[cfg(feature = "std")]
pub mod mcp_discovery;
#[cfg(feature = "std")]
pub mod pages;
pub mod pkce;
#[cfg(feature = "std")]
pub mod registration;
#[cfg(feature = "std")]
pub mod request_head;
#[cfg(any(feature = "std", feature = "client"))]
pub mod revocation;
pub mod sanitize;
#[cfg(any(test, not(feature = "std"), target_arch = "wasm32"))]
mod sha256;
pub mod state;
#[cfg(feature = "std")]
pub mod store_envelope;
pub mod template;
mod text;
#[cfg(any(feature = "std", feature = "client"))]
pub mod token;
#[cfg(feature = "std")]
pub mod token_exchange;
#[cfg(any(feature = "std", feature = "client"))]
pub mod trace;
#[cfg(any(feature = "std", feature = "client"))]
pub mod userinfo;

pub use authorize::AuthorizationRequest;
pub use endpoint::Endpoint;
pub use entropy::Entropy;
#[cfg(feature = "getrandom")]
pub use entropy::SystemEntropy;
pub use error::{Error, ErrorCode};
pub use pkce::{CodeChallenge, CodeChallengeMethod, CodeVerifier, PkcePair};
pub use state::{Nonce, State, constant_time_eq};
/// Is a byte string UTF-8 (`core::str::from_utf8(bytes).is_ok()`), in less code: for
/// the browser's module, which checks every text JavaScript hands it.
#[doc(hidden)]
pub use text::is_utf8;
