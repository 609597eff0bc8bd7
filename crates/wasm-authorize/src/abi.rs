//! The module's exports and imports, and what the Rust side must promise JavaScript: a
//! call is `input(len)` (returns where to write `len` bytes of framed arguments), then
//! `call(op)` (returns where the output starts), then `output_len()`. The output stays
//! valid until the next `input`. Randomness comes from the page's
//! `crypto.getRandomValues`, imported as `env.fill_random`.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

use oauth_callback_core::{Entropy, Error};

use crate::{ops, scratch};

/// The current call's input, and the length of its output. `Cell`s, moved in and out
/// whole: no borrow can be left behind by an exception thrown in JavaScript, and no borrow
/// check can panic. The output itself is left in scratch memory, which keeps it until the
/// next `input` (buffers there are never freed one by one): only its length is kept.
struct Slots {
    input: Cell<Vec<u8>>,
    output_len: Cell<usize>,
}

// SAFETY: wasm32-unknown-unknown without threads: one thread ever touches the slots.
#[allow(unsafe_code)]
unsafe impl Sync for Slots {}

static SLOTS: Slots = Slots {
    input: Cell::new(Vec::new()),
    output_len: Cell::new(0),
};

#[allow(unsafe_code)]
#[link(wasm_import_module = "env")]
unsafe extern "C" {
    /// `crypto.getRandomValues` over `len` bytes of linear memory at `ptr`.
    fn fill_random(ptr: *mut u8, len: usize);
}

/// The page's CSPRNG. If `crypto` is missing, the import throws in JavaScript and the
/// call ends there; the glue reports `ENTROPY_UNAVAILABLE`.
struct PageEntropy;

impl Entropy for PageEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        // SAFETY: `buf` is a live, writable range of linear memory for the whole call.
        #[allow(unsafe_code)]
        unsafe {
            fill_random(buf.as_mut_ptr(), buf.len());
        }
        Ok(())
    }
}

/// Starts a call: forgets the last one's buffers, empties scratch memory and returns
/// where JavaScript writes `len` bytes of framed arguments.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn input(len: usize) -> *mut u8 {
    // The old buffers live in scratch memory, which `reset` reclaims whole.
    core::mem::forget(SLOTS.input.take());
    SLOTS.output_len.set(0);
    scratch::reset();
    let mut buf = alloc::vec![0u8; len];
    let ptr = buf.as_mut_ptr();
    core::mem::forget(SLOTS.input.replace(buf));
    ptr
}

/// Runs operation `op` on the input; returns where the output starts.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn call(op: u32) -> *const u8 {
    let input = SLOTS.input.take();
    // The status byte, then the value, or `CODE\nmessage`.
    let mut out = String::from("\0");
    if let Err(e) = ops::run_into(op, &input, &mut PageEntropy, &mut out) {
        out.clear();
        out.push('\u{1}');
        out.push_str(e.code_name());
        out.push('\n');
        out.push_str(e.message());
    }
    // Neither buffer is freed: both stay in scratch memory until the next `input`.
    core::mem::forget(input);
    let out = out.into_bytes();
    let ptr = out.as_ptr();
    SLOTS.output_len.set(out.len());
    core::mem::forget(out);
    ptr
}

/// The length of the last call's output.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn output_len() -> usize {
    SLOTS.output_len.get()
}

/// Present only in the build with feature `full` (every operation): the loader checks for
/// it before it asks for one the smaller build leaves out.
#[cfg(feature = "full")]
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn full() {}

/// Present only in the build with feature `login`: the login loader checks for it, so the
/// `authorize` module handed over as the login one is refused at load, not at its first
/// login operation.
#[cfg(feature = "login")]
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn login() {}

/// Ends the module on a panic without formatting anything: the page's call then fails
/// with a wasm trap (`RuntimeError: unreachable`), which the glue reports.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
