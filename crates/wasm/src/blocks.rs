//! The browser module's allocator: blocks of power-of-two sizes (16 bytes and up), each
//! size with its own free list, carved from memory past everything the module was loaded
//! with. A freed block waits on its list for the next allocation of the same size; blocks
//! are never split or merged. About 0.3 KB of code instead of dlmalloc's 9 KB (issue 11,
//! the page's download budget); a page's allocations are small and short-lived, so the
//! rounding up costs little memory. The module for Node, Bun and Deno keeps dlmalloc.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32::{memory_grow, memory_size};
use core::cell::Cell;

const PAGE: usize = 65_536;
/// The smallest block: room for the free list's link, and the alignment of every block.
const MIN_SHIFT: u32 = 4;

struct Blocks {
    /// The first free block of each size `1 << k` (0: none); a free block's first word
    /// links to the next.
    free: [Cell<usize>; 32],
    /// The next byte never handed out (0 until the first allocation).
    next: Cell<usize>,
}

// SAFETY: wasm32-unknown-unknown without threads: one thread ever touches the allocator.
#[allow(unsafe_code)]
unsafe impl Sync for Blocks {}

#[global_allocator]
static BLOCKS: Blocks = Blocks {
    free: [const { Cell::new(0) }; 32],
    next: Cell::new(0),
};

/// The size class of a layout: `k` such that a block of `1 << k` bytes holds it, or `None`
/// past 2 GiB.
fn class(layout: Layout) -> Option<u32> {
    let size = layout.size().max(layout.align()).max(1 << MIN_SHIFT);
    let k = usize::BITS - (size - 1).leading_zeros();
    (k < 32).then_some(k)
}

#[allow(unsafe_code)]
impl Blocks {
    fn take(&self, layout: Layout) -> *mut u8 {
        let Some(k) = class(layout) else {
            return core::ptr::null_mut();
        };
        let Some(head) = self.free.get(k as usize) else {
            return core::ptr::null_mut();
        };
        // Listed blocks are 16-byte aligned; a stricter alignment takes fresh memory.
        let block = head.get();
        if block != 0 && layout.align() <= 1 << MIN_SHIFT {
            // SAFETY: `block` is a free block of this allocator; its first word, written
            // by `give`, links to the next free block of the same size.
            head.set(unsafe { *(block as *const usize) });
            return block as *mut u8;
        }
        if self.next.get() == 0 {
            self.next.set(memory_size(0) * PAGE);
        }
        let align = layout.align().max(1 << MIN_SHIFT);
        let Some(begin) = self
            .next
            .get()
            .checked_add(align - 1)
            .map(|n| n & !(align - 1))
        else {
            return core::ptr::null_mut();
        };
        let Some(end) = begin.checked_add(1 << k) else {
            return core::ptr::null_mut();
        };
        let have = memory_size(0) * PAGE;
        if end > have && memory_grow(0, (end - have).div_ceil(PAGE)) == usize::MAX {
            return core::ptr::null_mut();
        }
        self.next.set(end);
        begin as *mut u8
    }

    fn give(&self, ptr: *mut u8, layout: Layout) {
        if let Some(head) = class(layout).and_then(|k| self.free.get(k as usize)) {
            // SAFETY: `ptr` is a block of `1 << k` (at least 16) bytes that its owner gave
            // back; it is free to hold the link to the next free block.
            unsafe { *(ptr as *mut usize) = head.get() };
            head.set(ptr as usize);
        }
    }
}

// SAFETY: `take` hands out blocks that do not overlap: fresh ones from memory past every
// earlier block (grown on demand, never shrunk), listed ones only after their owner gave
// them back. Each block holds `1 << class(layout)` bytes at the layout's alignment.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Blocks {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.take(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.give(ptr, layout);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return core::ptr::null_mut();
        };
        // The block already holds the new size.
        if class(new_layout) == class(layout) {
            return ptr;
        }
        let new = self.take(new_layout);
        if !new.is_null() {
            // SAFETY: both are live blocks of at least the copied length, and distinct
            // (`ptr` is not free, so `take` did not hand it out again).
            unsafe { core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
            self.give(ptr, layout);
        }
        new
    }
}
