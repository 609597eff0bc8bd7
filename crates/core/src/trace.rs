//! Redaction for the readable trace of every OAuth message: secrets appear as their
//! first three characters and an ellipsis, enough to tell two tokens apart, never enough
//! to use one.

use crate::form;
use crate::json::{self, Value};
use crate::prelude::*;

/// Parameter and member names whose values are secrets.
pub const SECRET_NAMES: [&str; 15] = [
    "code",
    "code_verifier",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "device_code",
    "token",
    "registration_access_token",
    "state",
    "nonce",
    // RFC 7523 client assertions and grants, RFC 8693 token exchange.
    "client_assertion",
    "assertion",
    "subject_token",
    "actor_token",
];

/// `abc…` for a secret (`…` alone when shorter than 8 characters).
pub fn redact(secret: &str) -> String {
    if secret.chars().nth(7).is_none() {
        return "…".to_owned();
    }
    // The prefix is shown in a terminal or a log: no control character or escape.
    let mut prefix = String::new();
    for c in crate::sanitize::strip_controls(secret).chars().take(3) {
        prefix.push(c);
    }
    prefix + "…"
}

/// Redacts the secrets in `v` where they are (no copy of the document).
fn redact_value(name: &str, v: &mut Value) {
    match v {
        Value::String(s) if SECRET_NAMES.contains(&name) => *s = redact(s),
        Value::Object(m) => {
            for (k, v) in m {
                redact_value(k, v);
            }
        }
        Value::Array(a) => {
            for v in a {
                redact_value(name, v);
            }
        }
        _ => {}
    }
}

/// A form or JSON body with every secret redacted; other text is replaced by a length,
/// since a body that cannot be parsed cannot be shown safely.
pub fn redact_body(body: &str) -> String {
    if body.is_empty() {
        return String::new();
    }
    if let Ok(mut v) = json::parse(body) {
        redact_value("", &mut v);
        return v.to_json();
    }
    if let Some(pairs) = form::parse_query(body)
        && crate::text::contains_any(body, b"=")
        && !crate::text::contains_any(body, b" \n<")
    {
        // For people, not for sending: decoded, with control characters removed.
        let clean = crate::sanitize::strip_controls;
        let mut shown = String::new();
        for (i, (n, v)) in pairs.iter().enumerate() {
            if i > 0 {
                shown.push('&');
            }
            shown.push_str(&clean(n));
            shown.push('=');
            shown.push_str(&if SECRET_NAMES.contains(&n.as_str()) {
                redact(v)
            } else {
                clean(v)
            });
        }
        return shown;
    }
    let mut shown = "[".to_owned();
    crate::text::push_decimal(&mut shown, body.len() as u64);
    shown + " bytes]"
}

/// A URL with secret query parameters redacted (authorization URLs carry `state`).
pub fn redact_url(url: &str) -> String {
    let Some((base, query)) = crate::text::split_once_byte(url, b'?') else {
        return url.to_owned();
    };
    crate::text::concat(&[base, "?", &redact_body(query)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_json_form_and_urls() {
        let j = redact_body(
            r#"{"access_token":"abcdefghijk","token_type":"Bearer","nested":{"refresh_token":"zyxwvutsrq"}}"#,
        );
        assert_eq!(
            j,
            r#"{"access_token":"abc…","token_type":"Bearer","nested":{"refresh_token":"zyx…"}}"#
        );
        let f = redact_body(
            "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&code_verifier=dBjftJeZ4CVP",
        );
        assert_eq!(
            f,
            "grant_type=authorization_code&code=Spl…&code_verifier=dBj…"
        );
        assert_eq!(redact_body("x=a%1B%5B2Jb&y=%0D%0A"), "x=ab&y=");
        assert_eq!(redact_body("<html>secret</html>"), "[19 bytes]");
        assert_eq!(
            redact_url("https://a/x?state=abcdefghij&client_id=c"),
            "https://a/x?state=abc…&client_id=c"
        );
        assert_eq!(redact("short"), "…");
    }

    #[test]
    fn redacted_prefixes_carry_no_control_characters() {
        // Found by the `query` fuzz target: a secret's first characters went to the
        // trace as they were, escape sequences included.
        assert_eq!(redact("\u{1b}[2Jabcdefgh"), "abc…");
        assert_eq!(redact_body("code=%1B%5B2Jabcdefgh&x=1"), "code=abc…&x=1");
    }
}
