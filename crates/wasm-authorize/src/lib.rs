//! The browser's `authorize` module: what a page needs to start a login (PKCE, state,
//! nonce, authorization URLs, endpoint checks, loopback redirect URIs, templates), from
//! oauth-callback-core built without `std`.
//!
//! A page that only sends the user to the authorization server downloads this module
//! instead of the client's (`crates/wasm`): no wasm-bindgen, no `std` panic machinery, a
//! scratch allocator instead of dlmalloc. The JavaScript side is
//! `npm/src/authorize-module.ts`.
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
pub mod ops;
#[cfg(target_arch = "wasm32")]
mod scratch;
