//! The loopback callback server's event loop (RFC 8252 §7.3), on a thread of its own: it
//! accepts every connection waiting on the listening sockets, has [`Connection`] serve
//! each as far as it goes without waiting (a head that has already arrived is answered on
//! the spot), keeps the rest until they are ready or out of time, and says how the flow
//! ended. One thread and one poller, nothing shared: under a burst of junk connections the
//! redirect waits only for the connections ahead of it, not for a scheduler.

use std::io::ErrorKind;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};

use oauth_callback_core::request_head;

use crate::connection::{Connection, Flow, State};

/// Connections waiting at once (for the rest of their head, or to write); while this many
/// wait, a new one is closed on accept, unread, so a flood cannot grow memory.
const MAX_CONNECTIONS: usize = 256;
/// After a failed accept (EMFILE: no descriptor left), how long accepting pauses unless a
/// connection ends first; without a pause the accept would fail again at once, in a loop.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// Events taken from the poller at once.
const EVENTS: usize = 256;
/// The waker's token; listener `i` has `LISTENERS - i`, connections their slot.
const WAKER: Token = Token(usize::MAX);
const LISTENERS: usize = usize::MAX - 1;

/// How the flow ended, in the order they are checked after each round of events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The connection that completed the flow is over (its page written, the socket closed).
    Done,
    /// The flow's deadline passed before the redirect.
    Timeout,
    /// Stopped from JavaScript, or the poller failed.
    Closed,
}

/// Stops the loop from another thread.
pub(crate) struct Stopper {
    stopped: AtomicBool,
    waker: Waker,
}

impl Stopper {
    /// Asks the loop to end (kind `"closed"` unless the flow has ended already).
    pub(crate) fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        // A wake that fails leaves the flag, seen at the loop's next round at the latest.
        let _ = self.waker.wake();
    }

    fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }
}

/// The listening sockets, the poller and the connections that are waiting.
pub(crate) struct EventLoop {
    poll: Poll,
    listeners: Vec<TcpListener>,
    slots: Vec<Option<(TcpStream, Connection)>>,
    /// The empty slots, for the next connection that must wait.
    free: Vec<usize>,
    paused_until: Option<Instant>,
    /// Where every read lands first ([`request_head::MAX_HEAD_BYTES`]).
    scratch: Vec<u8>,
    /// The connection that completed the flow is over.
    finished: bool,
    /// The redirect has been answered; the flow ends when its connection is over.
    completing: bool,
}

impl EventLoop {
    /// Takes over bound listening sockets.
    pub(crate) fn new(
        listeners: Vec<std::net::TcpListener>,
    ) -> std::io::Result<(Self, std::sync::Arc<Stopper>)> {
        let poll = Poll::new()?;
        let waker = Waker::new(poll.registry(), WAKER)?;
        let mut taken = Vec::with_capacity(listeners.len());
        for (i, l) in listeners.into_iter().enumerate() {
            l.set_nonblocking(true)?;
            let mut l = TcpListener::from_std(l);
            poll.registry()
                .register(&mut l, Token(LISTENERS - i), Interest::READABLE)?;
            taken.push(l);
        }
        let stopper = std::sync::Arc::new(Stopper {
            stopped: AtomicBool::new(false),
            waker,
        });
        Ok((
            Self {
                poll,
                listeners: taken,
                slots: Vec::new(),
                free: Vec::new(),
                paused_until: None,
                scratch: vec![0; request_head::MAX_HEAD_BYTES],
                finished: false,
                completing: false,
            },
            stopper,
        ))
    }

    /// Serves until the flow ends: the redirect answered and its connection over, the
    /// `deadline` (if any) passed first, or `stopper` used.
    pub(crate) fn run(
        &mut self,
        flow: &mut impl Flow,
        deadline: Option<Instant>,
        stopper: &Stopper,
    ) -> Ending {
        let mut events = Events::with_capacity(EVENTS);
        loop {
            let now = Instant::now();
            let wake_at = self
                .slots
                .iter()
                .flatten()
                .map(|(_, conn)| conn.deadline())
                .chain(deadline.filter(|_| !self.completing))
                .chain(self.paused_until)
                .min();
            let timeout = wake_at.map(|t| t.saturating_duration_since(now));
            if let Err(e) = self.poll.poll(&mut events, timeout)
                && e.kind() != ErrorKind::Interrupted
            {
                return Ending::Closed;
            }
            for event in &events {
                // The flow is over: the other events are of no use to the caller.
                if self.finished {
                    break;
                }
                match event.token() {
                    WAKER => {}
                    Token(t) if t > LISTENERS - self.listeners.len() && t <= LISTENERS => {
                        self.accept(LISTENERS - t, flow);
                    }
                    Token(slot) => self.progress(slot, flow),
                }
            }
            let now = Instant::now();
            self.expire(now);
            if self.paused_until.is_some_and(|t| t <= now) {
                self.resume_accepting(flow);
            }
            if self.finished {
                return Ending::Done;
            }
            if !self.completing && deadline.is_some_and(|d| now >= d) {
                return Ending::Timeout;
            }
            if stopper.stopped() {
                return Ending::Closed;
            }
        }
    }

    /// Closes the listening sockets (the port is free when this returns); the connections
    /// still open are closed when the loop is dropped.
    pub(crate) fn close_listeners(&mut self) {
        self.listeners.clear();
    }

    /// After the end: waits, serving nothing, until `stopper` is used or `bound` has passed.
    pub(crate) fn wait_for_release(&mut self, stopper: &Stopper, bound: Duration) {
        let end = Instant::now() + bound;
        let mut events = Events::with_capacity(EVENTS);
        while !stopper.stopped() {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            if let Err(e) = self.poll.poll(&mut events, Some(left))
                && e.kind() != ErrorKind::Interrupted
            {
                return;
            }
        }
    }

    /// The connections waiting: every slot holds one, but for the free ones.
    fn waiting(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Accepts every connection waiting on listener `i`, unless accepting is paused.
    fn accept(&mut self, i: usize, flow: &mut impl Flow) {
        if self.paused_until.is_some() {
            return;
        }
        while !self.finished {
            let Some(listener) = self.listeners.get(i) else {
                return;
            };
            match listener.accept() {
                Ok((stream, _)) => self.serve_new(stream, flow),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::Interrupted | ErrorKind::ConnectionAborted
                    ) => {}
                Err(_) => {
                    self.paused_until = Some(Instant::now() + ACCEPT_BACKOFF);
                    return;
                }
            }
        }
    }

    /// Accepts again on every listener (edge-triggered: connections that arrived during
    /// the pause raise no new event).
    fn resume_accepting(&mut self, flow: &mut impl Flow) {
        self.paused_until = None;
        for i in 0..self.listeners.len() {
            self.accept(i, flow);
        }
    }

    /// Serves a new connection as far as it goes now; keeps it if it has to wait. Over the
    /// cap, it is closed (dropped) unread and the server keeps going.
    fn serve_new(&mut self, mut stream: TcpStream, flow: &mut impl Flow) {
        if self.waiting() >= MAX_CONNECTIONS {
            return;
        }
        let mut conn = Connection::new(Instant::now());
        let state = conn.progress(&stream, &mut self.scratch, flow);
        self.completing |= conn.completed();
        let interest = match state {
            State::Done => {
                self.finished |= conn.completed();
                return;
            }
            State::Reading => Interest::READABLE,
            State::Writing => Interest::WRITABLE,
        };
        // A connection the poller refuses is closed; if it was the redirect's, its page is
        // cut short and the flow ends as if it had been written.
        let slot = self.free.pop().unwrap_or(self.slots.len());
        if self
            .poll
            .registry()
            .register(&mut stream, Token(slot), interest)
            .is_err()
        {
            if slot < self.slots.len() {
                self.free.push(slot);
            }
            self.finished |= conn.completed();
            return;
        }
        if slot == self.slots.len() {
            self.slots.push(Some((stream, conn)));
        } else if let Some(entry) = self.slots.get_mut(slot) {
            *entry = Some((stream, conn));
        }
    }

    /// A waiting connection is ready: serve it further.
    fn progress(&mut self, slot: usize, flow: &mut impl Flow) {
        let Some(Some((stream, conn))) = self.slots.get_mut(slot) else {
            return;
        };
        let was_reading = !conn.answered();
        let state = conn.progress(stream, &mut self.scratch, flow);
        self.completing |= conn.completed();
        let over = match state {
            State::Done => true,
            // Registered for reading until now: from here on it waits to write.
            State::Writing if was_reading => self
                .poll
                .registry()
                .reregister(stream, Token(slot), Interest::WRITABLE)
                .is_err(),
            State::Reading | State::Writing => false,
        };
        if over {
            self.end(slot);
        }
    }

    /// Closes the waiting connections whose time is up.
    fn expire(&mut self, now: Instant) {
        for slot in 0..self.slots.len() {
            let late = self
                .slots
                .get(slot)
                .and_then(Option::as_ref)
                .is_some_and(|(_, conn)| conn.deadline() <= now);
            if late {
                self.end(slot);
            }
        }
    }

    /// Closes the connection in `slot`; a descriptor is free again, so accepting resumes.
    fn end(&mut self, slot: usize) {
        let Some(entry) = self.slots.get_mut(slot) else {
            return;
        };
        if let Some((mut stream, conn)) = entry.take() {
            // On Linux, closing the socket takes it out of the epoll set (nothing else
            // holds its descriptor): no system call to deregister it first.
            if !cfg!(any(target_os = "linux", target_os = "android")) {
                let _ = self.poll.registry().deregister(&mut stream);
            }
            drop(stream);
            self.finished |= conn.completed();
            self.free.push(slot);
            if self.paused_until.is_some() {
                self.paused_until = Some(Instant::now());
            }
        }
    }
}
