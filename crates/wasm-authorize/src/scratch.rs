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
    fn take(&self, layout: Layout) -> *mut u8 {
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
        self.take(layout)
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // The last allocation grows in place: a string being built is usually the last.
        if ptr as usize + layout.size() == self.next.get() {
            let Some(end) = (ptr as usize).checked_add(new_size) else {
                unreachable()
            };
            grow_to(end);
            self.next.set(end);
            return non_null(ptr as usize);
        }
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            unreachable()
        };
        let new = self.take(new_layout);
        // SAFETY: both ranges are live allocations of at least the copied length and
        // do not overlap (`new` was taken past `ptr`'s end).
        unsafe { core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
        new
    }
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
fn non_null(addr: usize) -> *mut u8 {
    if addr == 0 {
        unreachable()
    }
    addr as *mut u8
}

/// Empties scratch memory. Only between calls: no allocation may be alive.
pub fn reset() {
    SCRATCH.next.set(SCRATCH.start.get());
}
