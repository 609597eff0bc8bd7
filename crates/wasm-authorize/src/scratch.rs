//! The module's allocator: a bump allocator over memory past everything the module was
//! loaded with, emptied at the start of each call from JavaScript ([`reset`]). Nothing an
//! operation allocates outlives the next call, so nothing needs freeing one by one, and
//! the module stays as large as its largest call needed.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32::{memory_grow, memory_size};
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
            return core::ptr::null_mut();
        };
        let Some(end) = begin.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        let have = memory_size(0) * PAGE;
        if end > have {
            let pages = (end - have).div_ceil(PAGE);
            if memory_grow(0, pages) == usize::MAX {
                return core::ptr::null_mut();
            }
        }
        self.next.set(end);
        begin as *mut u8
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
                return core::ptr::null_mut();
            };
            let have = memory_size(0) * PAGE;
            if end > have && memory_grow(0, (end - have).div_ceil(PAGE)) == usize::MAX {
                return core::ptr::null_mut();
            }
            if end >= ptr as usize {
                self.next.set(end.max(ptr as usize));
                return ptr;
            }
        }
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return core::ptr::null_mut();
        };
        let new = self.take(new_layout);
        if !new.is_null() {
            // SAFETY: both ranges are live allocations of at least the copied length and
            // do not overlap (`new` was taken past `ptr`'s end).
            unsafe { core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
        }
        new
    }
}

/// Empties scratch memory. Only between calls: no allocation may be alive.
pub fn reset() {
    SCRATCH.next.set(SCRATCH.start.get());
}
