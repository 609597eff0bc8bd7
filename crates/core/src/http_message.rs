//! HTTP requests as data and responses as inputs: core builds what to send and reads what
//! came back, and a driver (the TypeScript facade with `fetch`) moves the bytes between.

use crate::error::{Error, ErrorCode, excerpt};
use crate::json::{self, Value};
use crate::prelude::*;
use crate::text::concat;

/// A request for the driver to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Absolute URL.
    pub url: String,
    /// Headers to set.
    pub headers: Vec<(&'static str, String)>,
    /// Body, for `POST`.
    pub body: Option<String>,
}

impl HttpRequest {
    /// A `GET` accepting JSON.
    pub fn get_json(url: String) -> Self {
        Self {
            method: "GET",
            url,
            headers: vec![("accept", "application/json".to_owned())],
            body: None,
        }
    }

    /// A form `POST` (RFC 6749 §3.2: token endpoint requests are form-encoded).
    pub fn post_form(url: String, body: String) -> Self {
        Self {
            method: "POST",
            url,
            headers: vec![
                (
                    "content-type",
                    "application/x-www-form-urlencoded".to_owned(),
                ),
                ("accept", "application/json".to_owned()),
            ],
            body: Some(body),
        }
    }

    /// The request as the drivers hand it to JavaScript's `fetch`: the JSON text
    /// `{"method", "url", "headers": [[name, value], ...], "body"}` (`body` `null` for a
    /// `GET`), written directly, without building a [`Value`] first.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    /// [`Self::to_json`], appended to `out`.
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"method\":");
        json::write_string(self.method, out);
        out.push_str(",\"url\":");
        json::write_string(&self.url, out);
        out.push_str(",\"headers\":[");
        for (i, (name, value)) in self.headers.iter().enumerate() {
            out.push_str(if i == 0 { "[" } else { ",[" });
            json::write_string(name, out);
            out.push(',');
            json::write_string(value, out);
            out.push(']');
        }
        out.push_str("],\"body\":");
        match &self.body {
            Some(body) => json::write_string(body, out),
            None => out.push_str("null"),
        }
        out.push('}');
    }

    /// A JSON `POST` (RFC 7591 §3.1: registration requests are JSON).
    pub fn post_json(url: String, body: &Value) -> Self {
        Self {
            method: "POST",
            url,
            headers: vec![
                ("content-type", "application/json".to_owned()),
                ("accept", "application/json".to_owned()),
            ],
            body: Some(body.to_json()),
        }
    }
}

/// An OAuth error response (RFC 6749 §5.2), with text fields stripped of control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthErrorResponse {
    /// `error`, e.g. `invalid_grant`.
    pub error: String,
    /// `error_description`.
    pub description: Option<String>,
    /// `error_uri`.
    pub uri: Option<String>,
}

impl OAuthErrorResponse {
    /// The error from its received parts: control characters stripped, and `error_uri`
    /// kept only when it is an http(s) URL. One place for every kind of response that
    /// carries one (token and other JSON answers, the authorization response, the
    /// `WWW-Authenticate` challenge).
    pub fn received(error: &str, description: Option<&str>, uri: Option<&str>) -> Self {
        let clean = crate::sanitize::strip_controls;
        Self {
            error: clean(error),
            description: description.map(clean),
            uri: uri
                .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                .map(clean),
        }
    }
}

/// Why a protocol step failed: the server said no, or the exchange itself was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepError {
    /// The server answered with an OAuth error.
    OAuth(OAuthErrorResponse),
    /// Anything else: bad input, a malformed response, a mismatch.
    Library(Error),
}

impl From<Error> for StepError {
    fn from(e: Error) -> Self {
        Self::Library(e)
    }
}

/// Reads a JSON object body; non-2xx statuses become an OAuth error when the body is
/// one (RFC 6749 §5.2), otherwise an `INVALID_RESPONSE` naming the status.
pub fn json_object(status: u16, body: &str, what: &str) -> Result<Value, StepError> {
    let parsed = json::parse(body);
    if !(200..300).contains(&status) {
        if let Ok(v) = &parsed
            && let Some(e) = oauth_error(v)
        {
            return Err(StepError::OAuth(e));
        }
        let mut message = concat(&["the ", what, " answered HTTP "]);
        crate::text::push_decimal(&mut message, u64::from(status));
        message.push_str(" without an OAuth error: \"");
        // Redacted first: an error page may echo the request's secrets.
        message.push_str(&excerpt(&crate::trace::redact_body(body)));
        message.push('"');
        return Err(Error::new(ErrorCode::InvalidResponse, message).into());
    }
    match parsed {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(Error::new(
            ErrorCode::InvalidResponse,
            concat(&["the ", what, " response is not a JSON object"]),
        )
        .into()),
        Err(e) => Err(Error::new(
            ErrorCode::InvalidResponse,
            concat(&["the ", what, " response: ", e.message()]),
        )
        .into()),
    }
}

/// The OAuth error in a response object, if it carries one.
pub fn oauth_error(v: &Value) -> Option<OAuthErrorResponse> {
    let text = |name: &str| v.get(name).and_then(Value::as_str);
    Some(OAuthErrorResponse::received(
        text("error")?,
        text("error_description"),
        text("error_uri"),
    ))
}

fn malformed(name: &str, what: &str) -> String {
    concat(&["the ", what, " response has a malformed \"", name, "\""])
}

/// A required non-empty string member.
pub fn required_str<'a>(v: &'a Value, name: &str, what: &str) -> Result<&'a str, Error> {
    match v.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(_) => Err(Error::new(
            ErrorCode::InvalidResponse,
            malformed(name, what),
        )),
        None => Err(Error::new(
            ErrorCode::InvalidResponse,
            concat(&["the ", what, " response lacks \"", name, "\""]),
        )),
    }
}

/// An optional string member; present but not a string is an error.
pub fn optional_str<'a>(v: &'a Value, name: &str, what: &str) -> Result<Option<&'a str>, Error> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::new(
            ErrorCode::InvalidResponse,
            malformed(name, what),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_as_json_parse_back_to_their_parts() {
        let get = HttpRequest::get_json("https://as.example/a?b=\"c\"\u{2028}".to_owned());
        assert_eq!(
            get.to_json(),
            "{\"method\":\"GET\",\"url\":\"https://as.example/a?b=\\\"c\\\"\\u2028\",\"headers\":[[\"accept\",\"application/json\"]],\"body\":null}"
        );
        let post = HttpRequest::post_form("https://as.example/t".to_owned(), "a=1&b=\n".to_owned());
        let v = json::parse(&post.to_json()).unwrap();
        assert_eq!(v.get("method").and_then(Value::as_str), Some("POST"));
        assert_eq!(v.get("body").and_then(Value::as_str), Some("a=1&b=\n"));
        let headers = v.get("headers").and_then(Value::as_array).unwrap();
        assert_eq!(headers.len(), post.headers.len());
        for (h, (name, value)) in headers.iter().zip(&post.headers) {
            let pair = h.as_array().unwrap();
            assert_eq!(pair[0].as_str(), Some(*name));
            assert_eq!(pair[1].as_str(), Some(value.as_str()));
        }
    }

    #[test]
    fn error_statuses_become_oauth_errors() {
        let e = json_object(400, r#"{"error":"invalid_grant","error_description":"bad\u001b[31m code","error_uri":"javascript:x"}"#, "token endpoint").unwrap_err();
        let StepError::OAuth(e) = e else { panic!() };
        assert_eq!(e.error, "invalid_grant");
        assert_eq!(e.description.as_deref(), Some("bad code"));
        assert_eq!(e.uri, None);
        let e = json_object(502, "<html>Bad gateway</html>", "token endpoint").unwrap_err();
        let StepError::Library(e) = e else { panic!() };
        assert_eq!(e.code(), ErrorCode::InvalidResponse);
        assert!(e.message().contains("502"));
        assert!(e.message().contains("[24 bytes]"), "{}", e.message());
        let e =
            json_object(401, r#"{"access_token":"abcdefghijkl"}"#, "token endpoint").unwrap_err();
        let StepError::Library(e) = e else { panic!() };
        assert!(!e.message().contains("abcdefghijkl"), "{}", e.message());
    }

    #[test]
    fn success_needs_an_object() {
        assert!(json_object(200, "[]", "x").is_err());
        assert!(json_object(200, "not json", "x").is_err());
        assert!(json_object(200, "{}", "x").is_ok());
    }
}
