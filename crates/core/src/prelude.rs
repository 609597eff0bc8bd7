//! What std's prelude gives and a `no_std` + `alloc` build must import: the modules that
//! build without `std` (see the crate's `std` feature) glob-import this.

pub(crate) use alloc::borrow::ToOwned;
pub(crate) use alloc::format;
pub(crate) use alloc::string::{String, ToString};
pub(crate) use alloc::vec;
pub(crate) use alloc::vec::Vec;
