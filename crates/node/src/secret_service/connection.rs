//! A blocking connection to the D-Bus session bus (D-Bus Specification: "Server
//! Addresses", "Transports" / "UNIX Domain Sockets", "Authentication Protocol",
//! "Message Bus Specification" / `Hello`). Only what a client of one service needs:
//! method calls and their replies (signals and anything else arriving meanwhile are
//! skipped), and the messages one by one for a caller waiting for a signal (a Secret
//! Service prompt's `Completed`, or the bus's `NameOwnerChanged`).
//!
//! Every read and write runs against the connection's deadline, so a bus or service that
//! stops answering yields an error, never a hang; the caller sets it (one for a whole
//! operation) and may move it (a wait for a person at a prompt has its own). Writes use
//! `MSG_NOSIGNAL`: a closed socket is an error, not a SIGPIPE in the host process.

use std::ffi::OsStr;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use socket2::{Domain, SockAddr, Socket, Type};

use super::Error;
use super::wire::{ERROR, FIXED_HEADER, METHOD_RETURN, Message, Value, message_length, printable};

pub(crate) const BUS_NAME: &str = "org.freedesktop.DBus";
pub(crate) const BUS_PATH: &str = "/org/freedesktop/DBus";

/// A unix socket to connect to, from one address of a D-Bus address list.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// `unix:path=`
    Path(Vec<u8>),
    /// `unix:abstract=` (Linux's abstract socket namespace)
    Abstract(Vec<u8>),
}

/// Decodes an address value's `%xx` escapes (D-Bus Specification, "Server Addresses").
fn unescape(v: &str) -> Option<Vec<u8>> {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The `unix:` addresses with `path` or `abstract` in a `;`-separated address list, in
/// order; other transports, listen-only forms (`dir`, `tmpdir`) and malformed entries
/// are skipped. `guid` is not checked.
fn parse_addresses(list: &str) -> Vec<Target> {
    list.split(';')
        .filter_map(|address| {
            let ("unix", params) = address.split_once(':')? else {
                return None;
            };
            let mut target = None;
            for pair in params.split(',').filter(|p| !p.is_empty()) {
                let (key, value) = pair.split_once('=')?;
                match key {
                    "path" => target = Some(Target::Path(unescape(value)?)),
                    "abstract" => target = Some(Target::Abstract(unescape(value)?)),
                    _ => {}
                }
            }
            target
        })
        .collect()
}

/// Where the session bus is: `DBUS_SESSION_BUS_ADDRESS`, or else `$XDG_RUNTIME_DIR/bus`
/// when it is a socket of ours, as libdbus, GDBus and sd-bus look too.
fn session_targets() -> Result<Vec<Target>, Error> {
    if let Some(list) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").filter(|a| !a.is_empty()) {
        let targets = parse_addresses(&list.to_string_lossy());
        if targets.is_empty() {
            return Err(Error::Unavailable(
                "DBUS_SESSION_BUS_ADDRESS names no unix socket (unix:path= or unix:abstract=)"
                    .to_owned(),
            ));
        }
        return Ok(targets);
    }
    if let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        let path = PathBuf::from(dir).join("bus");
        if std::fs::metadata(&path)
            .is_ok_and(|m| m.file_type().is_socket() && m.uid() == crate::file_store::current_uid())
        {
            return Ok(vec![Target::Path(
                path.into_os_string().into_encoded_bytes(),
            )]);
        }
    }
    Err(Error::Unavailable(
        "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set".to_owned(),
    ))
}

fn timed_out() -> Error {
    Error::Unavailable("the session bus or the Secret Service did not answer in time".to_owned())
}

/// An interrupted call, or a socket timeout: tried again, so that only `left` decides
/// that the deadline has passed (the timeout error then always means it has).
fn retry(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn io_error(e: &io::Error) -> Error {
    Error::Unavailable(format!("D-Bus connection failed: {e}"))
}

/// A connection to the session bus, authenticated and registered (`Hello`).
pub(crate) struct Connection {
    socket: Socket,
    /// Bytes received and not yet consumed.
    input: Vec<u8>,
    serial: u32,
    deadline: Instant,
}

impl Connection {
    /// Connects to the session bus; everything on this connection must finish within
    /// `timeout`.
    pub(crate) fn session(timeout: Duration) -> Result<Self, Error> {
        let deadline = Instant::now() + timeout;
        let mut failure = String::new();
        for target in session_targets()? {
            let (bytes, shown) = match &target {
                Target::Path(p) => (
                    p.clone(),
                    format!("unix:path={}", String::from_utf8_lossy(p)),
                ),
                Target::Abstract(a) => (
                    [&[0][..], a].concat(),
                    format!("unix:abstract={}", String::from_utf8_lossy(a)),
                ),
            };
            match Self::connect(&bytes, deadline) {
                Ok(socket) => {
                    let mut c = Self {
                        socket,
                        input: Vec::new(),
                        serial: 0,
                        deadline,
                    };
                    c.authenticate()?;
                    c.call(BUS_NAME, BUS_PATH, BUS_NAME, "Hello", Vec::new())?;
                    return Ok(c);
                }
                Err(e) => failure = format!("{}: {e}", printable(&shown)),
            }
        }
        Err(Error::Unavailable(format!(
            "cannot connect to the D-Bus session bus ({failure})"
        )))
    }

    fn connect(address: &[u8], deadline: Instant) -> io::Result<Socket> {
        let address = SockAddr::unix(OsStr::from_bytes(address))?;
        // Close-on-exec is set by socket2 on Linux.
        let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
        // A unix connect waits on a full backlog as long as the send timeout allows.
        socket.set_write_timeout(Some(Self::left(deadline)?))?;
        socket.connect(&address)?;
        Ok(socket)
    }

    fn left(deadline: Instant) -> io::Result<Duration> {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            // A socket timeout under 1 µs would become {0, 0}, which means none at all.
            .map(|d| d.max(Duration::from_micros(1)))
            .ok_or_else(|| io::Error::from(io::ErrorKind::TimedOut))
    }

    fn send(&mut self, mut bytes: &[u8]) -> Result<(), Error> {
        while !bytes.is_empty() {
            let left = Self::left(self.deadline).map_err(|_| timed_out())?;
            let step = self
                .socket
                .set_write_timeout(Some(left))
                .and_then(|()| self.socket.send_with_flags(bytes, libc::MSG_NOSIGNAL));
            match step {
                Ok(0) => {
                    return Err(Error::Unavailable(
                        "the session bus closed the connection".to_owned(),
                    ));
                }
                Ok(n) => bytes = &bytes[n..],
                Err(e) if retry(&e) => {}
                Err(e) => return Err(io_error(&e)),
            }
        }
        Ok(())
    }

    /// Reads until at least `n` bytes are buffered.
    fn fill(&mut self, n: usize) -> Result<(), Error> {
        let mut chunk = [0u8; 8192];
        while self.input.len() < n {
            let left = Self::left(self.deadline).map_err(|_| timed_out())?;
            let step = self
                .socket
                .set_read_timeout(Some(left))
                .and_then(|()| (&self.socket).read(&mut chunk));
            match step {
                Ok(0) => {
                    return Err(Error::Unavailable(
                        "the session bus closed the connection".to_owned(),
                    ));
                }
                Ok(k) => self.input.extend_from_slice(&chunk[..k]),
                Err(e) if retry(&e) => {}
                Err(e) => return Err(io_error(&e)),
            }
        }
        Ok(())
    }

    /// SASL EXTERNAL with our uid (D-Bus Specification, "Authentication Protocol"),
    /// then BEGIN. Unix fd passing is not negotiated.
    fn authenticate(&mut self) -> Result<(), Error> {
        let uid = crate::file_store::current_uid().to_string();
        let hex: String = uid.bytes().map(|b| format!("{b:02x}")).collect();
        self.send(format!("\0AUTH EXTERNAL {hex}\r\n").as_bytes())?;
        let line = loop {
            if let Some(end) = self.input.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&self.input[..end]).into_owned();
                self.input.drain(..end + 2);
                break line;
            }
            if self.input.len() > 1024 {
                return Err(Error::Unavailable(
                    "the session bus sent an over-long authentication line".to_owned(),
                ));
            }
            let want = self.input.len() + 1;
            self.fill(want)?;
        };
        if !line.starts_with("OK ") {
            return Err(Error::Unavailable(format!(
                "the session bus refused authentication ({})",
                printable(&line)
            )));
        }
        self.send(b"BEGIN\r\n")
    }

    /// The next message from the bus, whatever it is.
    pub(crate) fn receive(&mut self) -> Result<Message, Error> {
        let protocol = |e: super::wire::WireError| {
            Error::Unavailable(format!(
                "the session bus sent a malformed message ({})",
                e.0
            ))
        };
        self.fill(FIXED_HEADER)?;
        let (len, _) = message_length(&self.input[..FIXED_HEADER]).map_err(protocol)?;
        self.fill(len)?;
        let message = Message::decode(&self.input[..len]).map_err(protocol)?;
        self.input.drain(..len);
        Ok(message)
    }

    /// The deadline every read and write on this connection runs against.
    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Moves the deadline (a wait for a person at a prompt has its own).
    pub(crate) fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = deadline;
    }

    /// Sends a method call and returns its serial, without waiting for the reply.
    pub(crate) fn send_call(
        &mut self,
        destination: &str,
        path: &str,
        interface: &str,
        member: &str,
        body: Vec<Value>,
    ) -> Result<u32, Error> {
        self.serial = self.serial.wrapping_add(1).max(1);
        let serial = self.serial;
        let bytes = Message::call(destination, path, interface, member, body)
            .encode(serial)
            .map_err(|e| Error::Failed(format!("cannot send {member}: {}", e.0)))?;
        self.send(&bytes)?;
        Ok(serial)
    }

    /// Calls a method and returns its reply's body; an error reply is `Error::Reply`.
    pub(crate) fn call(
        &mut self,
        destination: &str,
        path: &str,
        interface: &str,
        member: &str,
        body: Vec<Value>,
    ) -> Result<Vec<Value>, Error> {
        let serial = self.send_call(destination, path, interface, member, body)?;
        loop {
            let message = self.receive()?;
            if message.reply_serial != Some(serial) {
                continue; // a signal (NameAcquired, ...) or something not ours
            }
            if let Some(outcome) = outcome(message) {
                return outcome;
            }
        }
    }

    /// Calls a method of the bus itself (`org.freedesktop.DBus`).
    pub(crate) fn call_bus(&mut self, member: &str, body: Vec<Value>) -> Result<Vec<Value>, Error> {
        self.call(BUS_NAME, BUS_PATH, BUS_NAME, member, body)
    }
}

/// What a reply says: its body, or its error as `Error::Reply`; `None` for a message that
/// is neither a method return nor an error.
pub(crate) fn outcome(reply: Message) -> Option<Result<Vec<Value>, Error>> {
    match reply.kind {
        METHOD_RETURN => Some(Ok(reply.body)),
        ERROR => {
            let message = reply.body.first().and_then(Value::as_str).unwrap_or("");
            Some(Err(Error::Reply(
                printable(reply.error_name.as_deref().unwrap_or("(no error name)")),
                printable(message),
            )))
        }
        _ => None,
    }
}

/// A fake session bus for the unit tests here and in the modules above.
#[cfg(test)]
pub(crate) mod fake {
    use super::*;
    use std::io::Write;
    use std::os::unix::net::{UnixListener, UnixStream};

    /// A fake bus on a socket: `script` answers what the client sends.
    pub(crate) fn fake_bus<T: Send + 'static>(
        script: impl FnOnce(UnixStream) -> T + Send + 'static,
    ) -> (tempdir::Dir, std::thread::JoinHandle<T>) {
        let dir = tempdir::Dir::new();
        let listener = UnixListener::bind(dir.path.join("bus")).unwrap();
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            script(stream)
        });
        (dir, handle)
    }

    pub(crate) mod tempdir {
        pub struct Dir {
            pub path: std::path::PathBuf,
        }
        impl Dir {
            pub fn new() -> Self {
                let path = std::env::temp_dir().join(format!(
                    "ocrs-ss-test-{}-{:?}",
                    std::process::id(),
                    std::thread::current().id()
                ));
                let _ = std::fs::remove_dir_all(&path);
                std::fs::create_dir_all(&path).unwrap();
                Self { path }
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.path);
            }
        }
    }

    pub(crate) fn connect_to(dir: &tempdir::Dir, timeout: Duration) -> Result<Connection, Error> {
        let path = dir.path.join("bus");
        let socket =
            Connection::connect(path.as_os_str().as_bytes(), Instant::now() + timeout).unwrap();
        let mut c = Connection {
            socket,
            input: Vec::new(),
            serial: 0,
            deadline: Instant::now() + timeout,
        };
        c.authenticate()?;
        c.call(BUS_NAME, BUS_PATH, BUS_NAME, "Hello", Vec::new())?;
        Ok(c)
    }

    pub(crate) fn read_until(stream: &mut UnixStream, end: &[u8]) -> Vec<u8> {
        let mut got = Vec::new();
        let mut b = [0u8; 1];
        while !got.ends_with(end) {
            if stream.read(&mut b).unwrap() == 0 {
                break;
            }
            got.push(b[0]);
        }
        got
    }

    pub(crate) fn read_message(stream: &mut UnixStream) -> Message {
        let mut head = vec![0u8; FIXED_HEADER];
        stream.read_exact(&mut head).unwrap();
        let (len, _) = message_length(&head).unwrap();
        head.resize(len, 0);
        stream.read_exact(&mut head[FIXED_HEADER..]).unwrap();
        Message::decode(&head).unwrap()
    }

    /// The unique name the fake service's messages come from.
    pub(crate) const SERVICE_NAME: &str = ":1.7";

    /// A reply to `call` with `body`, from the service.
    pub(crate) fn reply(call: &Message, body: Vec<Value>) -> Message {
        Message {
            kind: METHOD_RETURN,
            reply_serial: Some(call.serial),
            sender: Some(SERVICE_NAME.to_owned()),
            body,
            ..Message::default()
        }
    }

    /// An error reply to `call`.
    pub(crate) fn error(call: &Message, name: &str, text: &str) -> Message {
        Message {
            kind: ERROR,
            reply_serial: Some(call.serial),
            error_name: Some(name.to_owned()),
            sender: Some(SERVICE_NAME.to_owned()),
            body: vec![Value::Str(text.to_owned())],
            ..Message::default()
        }
    }

    /// A signal from `sender`.
    pub(crate) fn signal(
        sender: &str,
        path: &str,
        interface: &str,
        member: &str,
        body: Vec<Value>,
    ) -> Message {
        Message {
            kind: super::super::wire::SIGNAL,
            path: Some(path.to_owned()),
            interface: Some(interface.to_owned()),
            member: Some(member.to_owned()),
            sender: Some(sender.to_owned()),
            body,
            ..Message::default()
        }
    }

    /// The bus's `NameOwnerChanged(name, old_owner, new_owner)`, as sent by `sender`
    /// (the bus itself is `org.freedesktop.DBus`).
    pub(crate) fn name_owner_changed(
        sender: &str,
        name: &str,
        old_owner: &str,
        new_owner: &str,
    ) -> Message {
        signal(
            sender,
            BUS_PATH,
            BUS_NAME,
            "NameOwnerChanged",
            vec![
                Value::Str(name.to_owned()),
                Value::Str(old_owner.to_owned()),
                Value::Str(new_owner.to_owned()),
            ],
        )
    }

    /// A prompt's `Completed(dismissed, result)` at `path`, as sent by `sender`.
    pub(crate) fn completed(sender: &str, path: &str, dismissed: bool, result: Value) -> Message {
        signal(
            sender,
            path,
            super::super::prompt::PROMPT,
            "Completed",
            vec![Value::Bool(dismissed), Value::Variant(Box::new(result))],
        )
    }

    /// A connection (deadline `timeout`) to a fake bus that authenticates it, answers its
    /// `Hello`, then hands every message it gets to `answer` and sends back what that
    /// returns, until the client hangs up. The thread returns the messages it got after
    /// `Hello`.
    pub(crate) fn serve(
        timeout: Duration,
        mut answer: impl FnMut(&Message) -> Vec<Message> + Send + 'static,
    ) -> (Connection, std::thread::JoinHandle<Vec<Message>>) {
        let (dir, server) = fake_bus(move |mut s: UnixStream| {
            read_until(&mut s, b"\r\n");
            s.write_all(b"OK 1\r\n").unwrap();
            read_until(&mut s, b"\r\n");
            let hello = read_message(&mut s);
            let mut serial = 1;
            s.write_all(
                &reply(&hello, vec![Value::Str(":1.1".into())])
                    .encode(serial)
                    .unwrap(),
            )
            .unwrap();
            let mut got = Vec::new();
            while let Some(m) = try_read_message(&mut s) {
                for out in answer(&m) {
                    serial += 1;
                    s.write_all(&out.encode(serial).unwrap()).unwrap();
                }
                got.push(m);
            }
            got
        });
        let conn = connect_to(&dir, timeout).unwrap();
        (conn, server)
    }

    /// The next message, or `None` once the client has hung up.
    fn try_read_message(stream: &mut UnixStream) -> Option<Message> {
        let mut head = vec![0u8; FIXED_HEADER];
        stream.read_exact(&mut head).ok()?;
        let (len, _) = message_length(&head).unwrap();
        head.resize(len, 0);
        stream.read_exact(&mut head[FIXED_HEADER..]).unwrap();
        Some(Message::decode(&head).unwrap())
    }
}

#[cfg(test)]
mod tests {
    use super::fake::{connect_to, fake_bus, read_message, read_until};
    use super::*;

    /// The message of a connection that failed as `Unavailable`.
    fn unavailable(result: Result<Connection, Error>) -> String {
        match result {
            Err(Error::Unavailable(m)) => m,
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("connected"),
        }
    }

    #[test]
    fn addresses_parse_like_libdbus() {
        assert_eq!(
            parse_addresses("unix:path=/run/user/1000/bus,guid=abc"),
            vec![Target::Path(b"/run/user/1000/bus".to_vec())]
        );
        assert_eq!(
            parse_addresses("tcp:host=x,port=1;unix:abstract=/tmp/dbus-X%2cY%20;unix:tmpdir=/tmp"),
            vec![Target::Abstract(b"/tmp/dbus-X,Y ".to_vec())]
        );
        assert_eq!(
            parse_addresses("unix:guid=1,path=/a;unix:path=/b"),
            vec![Target::Path(b"/a".to_vec()), Target::Path(b"/b".to_vec())]
        );
        for bad in [
            "",
            "unix:",
            "unix:path",
            "unix:path=%zz",
            "unix:path=%4",
            "unixpath=/a",
            "launchd:env=X",
        ] {
            assert!(parse_addresses(bad).is_empty(), "{bad}");
        }
    }

    #[test]
    fn authenticates_skips_signals_and_matches_replies() {
        use std::io::Write;
        let (dir, server) = fake_bus(|mut s| {
            let auth = read_until(&mut s, b"\r\n");
            let uid = crate::file_store::current_uid().to_string();
            let hex: String = uid.bytes().map(|b| format!("{b:02x}")).collect();
            assert_eq!(auth, format!("\0AUTH EXTERNAL {hex}\r\n").into_bytes());
            s.write_all(b"OK 1234deadbeef\r\n").unwrap();
            assert_eq!(read_until(&mut s, b"\r\n"), b"BEGIN\r\n");
            let hello = read_message(&mut s);
            assert_eq!(hello.member.as_deref(), Some("Hello"));
            assert_eq!(hello.destination.as_deref(), Some(BUS_NAME));
            let reply = |serial, body| Message {
                kind: METHOD_RETURN,
                reply_serial: Some(serial),
                body,
                ..Message::default()
            };
            let mut out = reply(hello.serial, vec![Value::Str(":1.42".into())])
                .encode(1)
                .unwrap();
            // A signal first, in the same write as the next reply.
            out.extend(
                Message {
                    kind: super::super::wire::SIGNAL,
                    path: Some("/x".into()),
                    interface: Some("a.b".into()),
                    member: Some("NameAcquired".into()),
                    body: vec![Value::Str(":1.42".into())],
                    ..Message::default()
                }
                .encode(2)
                .unwrap(),
            );
            s.write_all(&out).unwrap();
            let call = read_message(&mut s);
            assert_eq!(call.member.as_deref(), Some("Ping"));
            // A reply to another serial, then an error reply to ours, byte by byte.
            let mut out = reply(999, vec![]).encode(3).unwrap();
            out.extend(
                Message {
                    kind: ERROR,
                    reply_serial: Some(call.serial),
                    error_name: Some("org.example.Error.Nope".into()),
                    body: vec![Value::Str("no\nway".into())],
                    ..Message::default()
                }
                .encode(4)
                .unwrap(),
            );
            for b in out {
                s.write_all(&[b]).unwrap();
            }
            let call = read_message(&mut s);
            s.write_all(&reply(call.serial, vec![Value::U32(5)]).encode(5).unwrap())
                .unwrap();
        });
        let mut c = connect_to(&dir, Duration::from_secs(10)).unwrap();
        match c.call("org.example", "/", "org.example", "Ping", vec![]) {
            Err(Error::Reply(name, message)) => {
                assert_eq!(name, "org.example.Error.Nope");
                assert_eq!(message, "no\\u{a}way");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            c.call("org.example", "/", "org.example", "Ping", vec![])
                .unwrap(),
            vec![Value::U32(5)]
        );
        server.join().unwrap();
    }

    #[test]
    fn rejected_authentication_is_unavailable() {
        use std::io::Write;
        let (dir, server) = fake_bus(|mut s| {
            read_until(&mut s, b"\r\n");
            s.write_all(b"REJECTED EXTERNAL\r\n").unwrap();
        });
        let m = unavailable(connect_to(&dir, Duration::from_secs(10)));
        assert!(m.contains("refused authentication"), "{m}");
        server.join().unwrap();
    }

    #[test]
    fn a_silent_peer_times_out() {
        let (dir, server) = fake_bus(|mut s| {
            read_until(&mut s, b"\r\n");
            std::thread::sleep(Duration::from_secs(3));
        });
        // The peer answers nothing for 3 s, then hangs up: "in time" shows the 300 ms
        // deadline ended the wait, not the closed socket.
        let m = unavailable(connect_to(&dir, Duration::from_millis(300)));
        assert!(m.contains("in time"), "{m}");
        server.join().unwrap();
    }

    #[test]
    fn garbage_and_a_closed_socket_are_errors() {
        use std::io::Write;
        let (dir, server) = fake_bus(|mut s| {
            read_until(&mut s, b"\r\n");
            s.write_all(b"OK 1\r\n").unwrap();
            read_until(&mut s, b"\r\n");
            s.write_all(b"Xgarbage-garbage-garbage").unwrap();
            // Stay until the client hangs up, so its Hello is not met by a closed socket.
            let _ = s.read_to_end(&mut Vec::new());
        });
        let m = unavailable(connect_to(&dir, Duration::from_secs(10)));
        assert!(m.contains("malformed"), "{m}");
        server.join().unwrap();
        let (dir, server) = fake_bus(drop);
        let m = unavailable(connect_to(&dir, Duration::from_secs(10)));
        assert!(m.contains("closed") || m.contains("failed"), "{m}");
        server.join().unwrap();
    }
}
