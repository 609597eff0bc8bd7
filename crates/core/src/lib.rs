//! # oauth-callback-core
//!
//! The protocol half of oauth-callback-rs: pure Rust, no I/O, no async runtime, no
//! JavaScript bindings. Drivers (the wasm module, the napi addon) move bytes and call in
//! here; every protocol decision lives in this crate so that every runtime behaves the same.
//!
//! Randomness comes in through the [`Entropy`] trait, so every branch is testable with a
//! fixed byte source.

pub mod authorization_response;
pub mod authorize;
pub mod base64url;
pub mod callback;
#[cfg(feature = "signing")]
pub mod client_assertion;
pub mod client_credentials;
pub mod client_id_metadata;
pub mod device;
pub mod discovery;
pub mod endpoint;
pub mod entropy;
pub mod error;
pub mod form;
pub mod http_message;
#[cfg(feature = "oidc")]
pub mod id_token;
#[cfg(feature = "oidc")]
pub mod jose;
pub mod json;
pub mod loopback;
pub mod mcp_discovery;
pub mod pages;
pub mod pkce;
pub mod registration;
pub mod request_head;
pub mod revocation;
pub mod sanitize;
pub mod state;
pub mod store_envelope;
pub mod template;
pub mod token;
pub mod token_exchange;
pub mod trace;
pub mod userinfo;

pub use authorize::AuthorizationRequest;
pub use endpoint::Endpoint;
pub use entropy::Entropy;
#[cfg(feature = "getrandom")]
pub use entropy::SystemEntropy;
pub use error::{Error, ErrorCode};
pub use pkce::{CodeChallenge, CodeChallengeMethod, CodeVerifier, PkcePair};
pub use state::{Nonce, State, constant_time_eq};
