//! The loopback server's reference for the tests: core's `CallbackHandler` for `/callback`
//! on 127.0.0.1 (a free port), served by hyper 1.x with the settings the addon had while
//! it served on hyper (HTTP/1 only, keep-alive off, a 16 KiB buffer, 64 headers, 3 s for
//! the head, 10 s per connection). The addon and the `Deno.listen` driver now read heads
//! with core's `request_head`, which follows hyper; `tests/auth-code/node.test.mjs` sends
//! every hostile request to all three and compares the answers byte for byte.
//!
//! Prints `{"port":N}` once listening, then `{"code":"..."}` when a redirect completed the
//! flow (after its response is written), and exits; one JSON line each.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use oauth_callback_core::callback::{
    CallbackConfig, CallbackHandler, CallbackOutcome, CallbackRequest, FetchMetadata,
    SECURITY_HEADERS,
};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// A header sent exactly once, as text; `Some("")` when repeated or not text.
fn header_once<'r>(req: &'r Request<Incoming>, name: &str) -> Option<&'r str> {
    let mut values = req.headers().get_all(name).iter();
    match (values.next(), values.next()) {
        (None, _) => None,
        (Some(v), None) => Some(v.to_str().unwrap_or("")),
        _ => Some(""),
    }
}

fn respond(handler: &Mutex<CallbackHandler>, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let mut hosts = req.headers().get_all(hyper::header::HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (Some(h), None) => h.to_str().ok(),
        _ => None,
    };
    let uri = req.uri();
    let target = if uri.authority().is_some() {
        uri.to_string()
    } else {
        uri.path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned())
    };
    let fetch = FetchMetadata {
        site: header_once(req, "sec-fetch-site"),
        mode: header_once(req, "sec-fetch-mode"),
        dest: header_once(req, "sec-fetch-dest"),
    };
    let (response, _) = handler
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .handle_with_fetch(
            CallbackRequest {
                method: req.method().as_str(),
                target: &target,
                host,
            },
            fetch,
        );
    let mut builder = Response::builder().status(response.status);
    for (name, value) in SECURITY_HEADERS {
        builder = builder.header(name, value);
    }
    for (name, value) in &response.headers {
        builder = builder.header(*name, value.as_str());
    }
    builder
        .body(Full::new(Bytes::from(response.body)))
        .unwrap_or_else(|_| {
            let mut fallback = Response::new(Full::new(Bytes::from_static(b"Internal error.\n")));
            *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            fallback
        })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let config = CallbackConfig::new("/callback", port)
        .map_err(|e| std::io::Error::other(e.message().to_owned()))?;
    let handler = Arc::new(Mutex::new(CallbackHandler::new(config)));
    let done = Arc::new(Notify::new());
    println!("{{\"port\":{port}}}");
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => accepted?.0,
            () = done.notified() => break,
        };
        let (handler, done) = (handler.clone(), done.clone());
        tokio::spawn(async move {
            let served = handler.clone();
            let service = service_fn(move |req| {
                let response = respond(&served, &req);
                async move { Ok::<_, Infallible>(response) }
            });
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(3))
                .max_buf_size(16 * 1024)
                .max_headers(64)
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(Duration::from_secs(10), conn).await;
            let completed = handler
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .outcome()
                .is_some();
            if completed {
                done.notify_one();
            }
        });
    }
    let code = match handler
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .outcome()
    {
        Some(CallbackOutcome::Code(params)) => params
            .iter()
            .find(|(n, _)| n == "code")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        _ => String::new(),
    };
    // The code is the test's own ASCII text: no JSON escaping needed beyond quotes.
    println!("{{\"code\":\"{}\"}}", code.replace(['"', '\\'], ""));
    Ok(())
}
