//! The module's allocator: a bump allocator over memory past everything the module was
//! loaded with, emptied at the start of each call from JavaScript ([`reset`]). Nothing an
//! operation allocates outlives the next call, so nothing needs freeing one by one, and
//! the module stays as large as its largest call needed.
//!
//! Running out of memory traps (`unreachable`) instead of returning null: the same end as
//! a panic here, and the allocator then provably never fails, so `alloc`'s
//! `handle_alloc_error` path, which formats the failed size, drops out of the module.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32::{memory_grow, memory_size, unreachable};
use core::cell::Cell;
use core::ptr::NonNull;

const PAGE: usize = 65_536;

struct Scratch {
    /// Where scratch memory starts (0 until the first allocation).
    start: Cell<usize>,
    /// The next free byte.
    next: Cell<usize>,
}

// SAFETY: wasm32-unknown-unknown without threads: one thread ever touches the allocator.
#[allow(unsafe_code)]
unsafe impl Sync for Scratch {}

#[global_allocator]
static SCRATCH: Scratch = Scratch {
    start: Cell::new(0),
    next: Cell::new(0),
};

impl Scratch {
    fn take(&self, layout: Layout) -> NonNull<u8> {
        if self.start.get() == 0 {
            let top = memory_size(0) * PAGE;
            self.start.set(top);
            self.next.set(top);
        }
        let align = layout.align();
        let Some(begin) = self
            .next
            .get()
            .checked_add(align - 1)
            .map(|n| n & !(align - 1))
        else {
            unreachable()
        };
        let Some(end) = begin.checked_add(layout.size()) else {
            unreachable()
        };
        grow_to(end);
        self.next.set(end);
        non_null(begin)
    }
}

// SAFETY: `take` hands out non-overlapping, suitably aligned ranges of linear memory that
// the module owns (grown on demand, never shrunk) until `reset`, which runs only between
// calls from JavaScript, when no allocation is alive any more (see abi.rs).
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Scratch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.take(layout).as_ptr()
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}

    // `realloc` is `GlobalAlloc`'s own: a new range and a copy. Growing the last range in
    // place would save the copy and the old range (reclaimed at `reset` anyway) at the
    // cost of more code in the module; its strings are short.
}

/// Grows linear memory to hold `end` bytes, or traps.
fn grow_to(end: usize) {
    let have = memory_size(0) * PAGE;
    if end > have && memory_grow(0, (end - have).div_ceil(PAGE)) == usize::MAX {
        unreachable()
    }
}

/// `addr` as a pointer the compiler knows is not null (scratch memory starts past the
/// module's own data, never at 0).
fn non_null(addr: usize) -> NonNull<u8> {
    match NonNull::new(addr as *mut u8) {
        Some(p) => p,
        None => unreachable(),
    }
}

/// Empties scratch memory. Only between calls: no allocation may be alive.
pub fn reset() {
    SCRATCH.next.set(SCRATCH.start.get());
}
