//! What std's prelude gives and a `no_std` + `alloc` build must import: the modules that
//! build without `std` (see the crate's `std` feature) glob-import this.

pub(crate) use alloc::borrow::ToOwned;
pub(crate) use alloc::boxed::Box;
// No `format!` or `to_string` outside tests: the browser's module carries no `core::fmt`
// (crate::text builds messages instead).
#[cfg(test)]
pub(crate) use alloc::format;
pub(crate) use alloc::string::String;
#[cfg(test)]
pub(crate) use alloc::string::ToString;
pub(crate) use alloc::vec;
pub(crate) use alloc::vec::Vec;
