//! The loopback listener of RFC 8252 §7.3: which addresses to bind comes from core; this
//! module binds them, all on one port, and releases them on `close()`.

use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, TcpListener};

use napi::{Error, Result, Status};
use napi_derive::napi;
use oauth_callback_core::loopback;

/// Times to retry an ephemeral port whose twin on the other address family is taken.
const EPHEMERAL_ATTEMPTS: usize = 16;

/// A napi error whose reason is `CODE: message`, turned into `OAuthCallbackError` by the facade.
pub(crate) fn lib_error(code: &str, message: String) -> Error {
    Error::new(Status::GenericFailure, format!("{code}: {message}"))
}

/// Sockets bound on every loopback address of a host name, sharing one port.
#[napi]
pub struct LoopbackListener {
    hostname: String,
    port: u16,
    addresses: Vec<String>,
    sockets: Vec<TcpListener>,
}

#[napi]
impl LoopbackListener {
    /// The bound port (the chosen one when 0 was asked for).
    #[napi(getter)]
    pub fn port(&self) -> u32 {
        u32::from(self.port)
    }

    /// The host name it was bound for (`localhost`, `127.0.0.1`, `::1`, ...).
    #[napi(getter)]
    pub fn hostname(&self) -> String {
        self.hostname.clone()
    }

    /// The addresses bound, e.g. `["127.0.0.1", "::1"]`.
    #[napi(getter)]
    pub fn addresses(&self) -> Vec<String> {
        self.addresses.clone()
    }

    /// Whether the sockets are still open.
    #[napi(getter)]
    pub fn listening(&self) -> bool {
        !self.sockets.is_empty()
    }

    /// Closes every socket; the port is free when this returns. Closing twice is harmless.
    #[napi]
    pub fn close(&mut self) {
        self.sockets.clear();
    }
}

impl LoopbackListener {
    /// A listener made of sockets bound elsewhere (handed over from another listener).
    #[cfg_attr(test, allow(dead_code))] // used only by `start_callback_server_on`
    pub(crate) fn from_parts(
        hostname: String,
        port: u16,
        addresses: Vec<String>,
        sockets: Vec<TcpListener>,
    ) -> Self {
        Self {
            hostname,
            port,
            addresses,
            sockets,
        }
    }

    /// The bound port, for Rust callers.
    pub(crate) fn bound_port(&self) -> u16 {
        self.port
    }

    /// The bound addresses, for Rust callers.
    pub(crate) fn bound_addresses(&self) -> Vec<String> {
        self.addresses.clone()
    }

    /// Hands the bound sockets over (to the callback server), leaving this one closed.
    pub(crate) fn take_sockets(&mut self) -> Vec<TcpListener> {
        std::mem::take(&mut self.sockets)
    }
}

/// Binds `hostname` (a loopback name or address, checked by core) on `port`, or on a free
/// port when `port` is 0. For `localhost` both 127.0.0.1 and ::1 are bound on the same
/// port; ::1 is skipped only when the machine has no IPv6 loopback.
#[napi]
pub fn bind_loopback(hostname: String, port: u32) -> Result<LoopbackListener> {
    bind_sockets(&hostname, port)
}

/// Binds every loopback address of `hostname` on one port (see [`bind_loopback`]).
pub(crate) fn bind_sockets(hostname: &str, port: u32) -> Result<LoopbackListener> {
    let port = u16::try_from(port).map_err(|_| {
        lib_error(
            "INVALID_PARAMETER",
            format!("port {port} is out of range 0-65535"),
        )
    })?;
    let ips = loopback::bind_addresses(hostname)
        .map_err(|e| lib_error(e.code().as_str(), e.message().to_owned()))?;
    let attempts = if port == 0 { EPHEMERAL_ATTEMPTS } else { 1 };
    let mut last = None;
    for _ in 0..attempts {
        match bind_all(&ips, port) {
            Ok(mut listener) => {
                hostname.clone_into(&mut listener.hostname);
                return Ok(listener);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| lib_error("BIND_FAILED", "no address to bind".to_owned())))
}

fn bind_all(ips: &[IpAddr], port: u16) -> Result<LoopbackListener> {
    let mut sockets = Vec::with_capacity(ips.len());
    let mut addresses = Vec::with_capacity(ips.len());
    let mut chosen = port;
    for (i, ip) in ips.iter().enumerate() {
        match TcpListener::bind(SocketAddr::new(*ip, chosen)) {
            Ok(sock) => {
                widen_backlog(&sock);
                chosen = sock
                    .local_addr()
                    .map_err(|e| io_error(*ip, chosen, &e))?
                    .port();
                addresses.push(ip.to_string());
                sockets.push(sock);
            }
            // `localhost` on a machine without IPv6: the first family is enough.
            Err(e) if i > 0 && e.kind() == ErrorKind::AddrNotAvailable => {}
            Err(e) => return Err(io_error(*ip, chosen, &e)),
        }
    }
    Ok(LoopbackListener {
        hostname: String::new(),
        port: chosen,
        addresses,
        sockets,
    })
}

/// Connections the kernel queues before `accept`, as Node's `net` asks for. std listens
/// with 128: a burst of junk connections overflows that queue, and a real redirect caught
/// in the overflow waits for its SYN to be sent again, a second later.
#[cfg(unix)]
pub(crate) const BACKLOG: i32 = 511;

/// Raises the accept queue of a listening socket to [`BACKLOG`]. Calling `listen` again
/// on a listening socket only changes its backlog (POSIX; Linux and the BSDs do so).
#[cfg(unix)]
#[allow(unsafe_code)] // one libc call on a descriptor this function borrows
fn widen_backlog(sock: &TcpListener) {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor is a listening TCP socket owned by `sock`, alive for the
    // whole call; `listen` reads no memory of ours. A failure leaves std's 128 in place.
    let _ = unsafe { libc::listen(sock.as_raw_fd(), BACKLOG) };
}

/// Windows keeps std's backlog (its own default is already large: SOMAXCONN).
#[cfg(not(unix))]
fn widen_backlog(_sock: &TcpListener) {}

fn io_error(ip: IpAddr, port: u16, e: &std::io::Error) -> Error {
    let addr = SocketAddr::new(ip, port);
    match e.kind() {
        ErrorKind::AddrInUse => lib_error(
            "EADDRINUSE",
            format!(
                "port {port} is already in use on {addr}; pick another port or use 0 for a free one"
            ),
        ),
        ErrorKind::PermissionDenied => {
            lib_error("BIND_FAILED", format!("no permission to listen on {addr}"))
        }
        _ => lib_error("BIND_FAILED", format!("cannot listen on {addr}: {e}")),
    }
}
