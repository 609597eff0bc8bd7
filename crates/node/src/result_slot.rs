//! Where the flow's result meets the promise of `wait()`: whichever of the two comes
//! second settles it. The server's thread settles the promise itself, through a Node-API
//! deferred (one threadsafe call to the JavaScript thread), instead of waking an async
//! runtime's thread first: under a burst of junk on a busy machine, every thread that
//! must be scheduled before the promise settles costs a wake-up.

use std::sync::{Mutex, PoisonError};

use napi::{Env, JsDeferred, Result};

/// Settles the promise, on the JavaScript thread, with the value it carries.
type Resolver<T> = Box<dyn FnOnce(Env) -> Result<T>>;

/// A pending `wait()` promise.
pub(crate) type Waiter<T> = JsDeferred<T, Resolver<T>>;

enum State<T: napi::bindgen_prelude::ToNapiValue + 'static> {
    /// Neither the result nor `wait()` yet.
    Empty,
    /// `wait()` was called; the result has not come.
    Waiting(Waiter<T>),
    /// The result came first; nobody waits yet.
    Ready(Result<T>),
    /// The result went to `wait()`'s promise.
    Taken,
}

/// One result, handed to one `wait()`.
pub(crate) struct ResultSlot<T: napi::bindgen_prelude::ToNapiValue + 'static> {
    state: Mutex<State<T>>,
}

impl<T: napi::bindgen_prelude::ToNapiValue + Send + 'static> ResultSlot<T> {
    pub(crate) fn new() -> Self {
        Self {
            state: Mutex::new(State::Empty),
        }
    }

    /// Hands `result` to the waiting promise, or keeps it for the `wait()` to come. Only
    /// the first result counts.
    pub(crate) fn deliver(&self, result: Result<T>) {
        let waiter = {
            let mut state = self.lock();
            match std::mem::replace(&mut *state, State::Taken) {
                State::Empty => {
                    *state = State::Ready(result);
                    return;
                }
                State::Waiting(waiter) => waiter,
                kept @ (State::Ready(_) | State::Taken) => {
                    *state = kept;
                    return;
                }
            }
        };
        // Settled with the lock released: settling queues a call to the JavaScript thread.
        settle(waiter, result);
    }

    /// Takes the promise of `wait()`: settled at once if the result is here, when it comes
    /// otherwise. Given back if `wait()` was called before (the result is someone else's).
    pub(crate) fn wait(&self, waiter: Waiter<T>) -> std::result::Result<(), Waiter<T>> {
        let result = {
            let mut state = self.lock();
            match std::mem::replace(&mut *state, State::Taken) {
                State::Empty => {
                    *state = State::Waiting(waiter);
                    return Ok(());
                }
                State::Ready(result) => result,
                taken @ (State::Waiting(_) | State::Taken) => {
                    *state = taken;
                    return Err(waiter);
                }
            }
        };
        settle(waiter, result);
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn settle<T: napi::bindgen_prelude::ToNapiValue + Send + 'static>(
    waiter: Waiter<T>,
    result: Result<T>,
) {
    match result {
        Ok(value) => waiter.resolve(Box::new(move |_| Ok(value))),
        Err(err) => waiter.reject(err),
    }
}
