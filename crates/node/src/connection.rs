//! One connection to the loopback callback server (RFC 8252 §7.3): its request head read
//! into at most [`request_head::MAX_HEAD_BYTES`], answered by core's
//! [`request_head::answer`] (HTTP/1.x read and written as hyper 1.x reads and writes it
//! with the addon's former settings: one request per connection, `connection: close`),
//! the answer written, the socket shut down and closed. This module moves bytes on a
//! non-blocking socket and keeps the connection's deadlines; what a request is and what it
//! gets is core's decision.

use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mio::net::TcpStream;
use oauth_callback_core::callback::{CallbackHandler, RequestKind};
use oauth_callback_core::request_head::{self, Answer, RequestHead};

/// Time a connection has to send its request head (slowloris and idle connections).
pub(crate) const HEADER_TIMEOUT: Duration = Duration::from_secs(3);
/// Time a connection may live in all.
pub(crate) const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// What the connections of one flow answer to.
pub(crate) trait Flow {
    /// The flow's handler.
    fn handler(&mut self) -> &mut CallbackHandler;
    /// Told of every request the handler answered, before its answer is written.
    fn answered(&mut self, head: &RequestHead<'_>, kind: RequestKind);
}

/// Where a connection stands after [`Connection::progress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Waiting for the rest of the head.
    Reading,
    /// Waiting for room to write the rest of the answer.
    Writing,
    /// Over: answered and shut down, refused, or gone. Dropping the stream closes it.
    Done,
}

/// A connection's request head as received so far, and its answer once there is one.
pub(crate) struct Connection {
    /// What arrived before the last read, when the head was not whole yet (empty for a
    /// head that arrives in one read: it is read from the loop's scratch buffer, and the
    /// connection allocates nothing).
    buf: Vec<u8>,
    /// The length at the last read that left the head incomplete (core's `prev_len`).
    prev: Option<usize>,
    /// The answer and how much of it is written.
    answer: Option<(Vec<u8>, usize)>,
    accepted: Instant,
    /// Whether this connection's request completed the flow.
    completed: bool,
}

impl Connection {
    /// A connection accepted at `accepted`.
    pub(crate) fn new(accepted: Instant) -> Self {
        Self {
            buf: Vec::new(),
            prev: None,
            answer: None,
            accepted,
            completed: false,
        }
    }

    /// Whether this connection's request completed the flow (its answer is the result page).
    pub(crate) fn completed(&self) -> bool {
        self.completed
    }

    /// Whether the head has been answered (what is left is writing the answer).
    pub(crate) fn answered(&self) -> bool {
        self.answer.is_some()
    }

    /// When the connection is closed if it is not over: [`HEADER_TIMEOUT`] after the
    /// accept while its head is awaited, [`CONNECTION_TIMEOUT`] after it in all.
    pub(crate) fn deadline(&self) -> Instant {
        self.accepted
            + if self.answered() {
                CONNECTION_TIMEOUT
            } else {
                HEADER_TIMEOUT
            }
    }

    /// Reads and writes on `stream` as far as it goes without waiting; `scratch` (at least
    /// [`request_head::MAX_HEAD_BYTES`]) is where reads land.
    pub(crate) fn progress(
        &mut self,
        stream: &TcpStream,
        scratch: &mut [u8],
        flow: &mut impl Flow,
    ) -> State {
        if !self.answered() {
            match self.read(stream, scratch, flow) {
                State::Writing => {}
                other => return other,
            }
        }
        self.write(stream)
    }

    fn read(&mut self, mut stream: &TcpStream, scratch: &mut [u8], flow: &mut impl Flow) -> State {
        loop {
            // Room for at most MAX_HEAD_BYTES in all; none left only once core has
            // answered 431, which ends the reading.
            let room = request_head::MAX_HEAD_BYTES.saturating_sub(self.buf.len());
            let Some(into) = scratch.get_mut(..room).filter(|s| !s.is_empty()) else {
                return State::Done;
            };
            match stream.read(into) {
                Ok(0) => return State::Done,
                Ok(n) => {
                    let state = if self.buf.is_empty() {
                        let received = into.get(..n).unwrap_or_default();
                        self.answer_head(received, flow)
                    } else {
                        self.buf
                            .extend_from_slice(into.get(..n).unwrap_or_default());
                        let received = std::mem::take(&mut self.buf);
                        let state = self.answer_head(&received, flow);
                        self.buf = received;
                        state
                    };
                    match state {
                        State::Reading => {
                            // Kept for the next read, unless it is already in `buf`.
                            if self.buf.is_empty() {
                                self.buf
                                    .extend_from_slice(into.get(..n).unwrap_or_default());
                            }
                        }
                        other => return other,
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return State::Reading,
                Err(_) => return State::Done,
            }
        }
    }

    /// Has core read `received` (everything that arrived so far); once the head is whole,
    /// the handler answers it.
    fn answer_head(&mut self, received: &[u8], flow: &mut impl Flow) -> State {
        let unix_secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        match request_head::answer(flow.handler(), received, self.prev, unix_secs) {
            Answer::ReadMore => {
                self.prev = Some(received.len());
                State::Reading
            }
            Answer::Close => State::Done,
            Answer::Respond { bytes, request } => {
                if let Some((head, kind)) = request {
                    self.completed |= kind == RequestKind::Completed;
                    flow.answered(&head, kind);
                }
                self.answer = Some((bytes, 0));
                State::Writing
            }
        }
    }

    fn write(&mut self, mut stream: &TcpStream) -> State {
        let Some((bytes, written)) = &mut self.answer else {
            return State::Done;
        };
        while let Some(rest) = bytes.get(*written..).filter(|r| !r.is_empty()) {
            match stream.write(rest) {
                Ok(0) => return State::Done,
                Ok(n) => *written += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return State::Writing,
                Err(_) => return State::Done,
            }
        }
        let _ = stream.shutdown(Shutdown::Write);
        State::Done
    }
}
