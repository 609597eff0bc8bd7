//! The browser's small wasm modules, from oauth-callback-core built without `std`; one
//! crate, three builds (scripts/lib.sh):
//! - `oauth_callback_authorize_min.wasm` (no feature): what a page needs to start a login
//!   (PKCE, state, nonce, authorization URLs, endpoint checks);
//! - `oauth_callback_authorize.wasm` (feature `full`): also templates, loopback redirect
//!   URIs and the challenge of an existing verifier;
//! - `oauth_callback_login.wasm` (feature `login`, [`login`]): the min build's operations
//!   and what `BrowserOAuthClient` needs (discovery, the authorization response, token,
//!   refresh, revocation, UserInfo).
//!
//! None has wasm-bindgen or `std`'s panic machinery; each has a scratch allocator instead
//! of dlmalloc. The JavaScript side is `npm/src/authorize-module.ts` and
//! `npm/src/login-module.ts`.
//!
//! The calling convention, in [`abi`]: JavaScript asks for an input buffer, writes the
//! framed arguments of one operation into it ([`frame`]), calls the operation and reads
//! one output: a status byte, then the value (UTF-8) or `CODE\nmessage` for an error.
//! Each operation is [`ops::run`], a plain function tested on the host.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

#[cfg(target_arch = "wasm32")]
mod abi;
pub mod frame;
#[cfg(feature = "login")]
pub mod login;
pub mod ops;
#[cfg(target_arch = "wasm32")]
mod scratch;
