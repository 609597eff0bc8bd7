//! Token revocation (RFC 7009).

use crate::error::Error;
use crate::http_message::{HttpRequest, StepError, json_object};
use crate::prelude::*;
use crate::token::ClientAuth;

/// RFC 7009 §2.1: revoke `token`, with `token_type_hint` (`refresh_token` / `access_token`).
pub fn revocation_request(
    endpoint: &str,
    client: &ClientAuth,
    token: &str,
    hint: Option<&str>,
) -> Result<HttpRequest, Error> {
    let mut pairs = vec![("token", token)];
    if let Some(h) = hint {
        pairs.push(("token_type_hint", h));
    }
    // The same client authentication as at the token endpoint (RFC 7009 §2.1).
    crate::token::authenticated_post(endpoint, client, &pairs, &[])
}

/// RFC 7009 §2.2: 200 means revoked (or already invalid); an error body is an OAuth error.
pub fn process_revocation(status: u16, body: &str) -> Result<(), StepError> {
    if status == 200 {
        return Ok(());
    }
    json_object(status, body, "revocation endpoint").map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_reads() {
        let c = ClientAuth::None {
            client_id: "cid".into(),
        };
        let r = revocation_request(
            "https://as.example/revoke",
            &c,
            "tok&en",
            Some("refresh_token"),
        )
        .unwrap();
        assert_eq!(
            r.body.as_deref(),
            Some("token=tok%26en&token_type_hint=refresh_token&client_id=cid")
        );
        let b = ClientAuth::Basic {
            client_id: "a".into(),
            client_secret: "b".into(),
        };
        let r = revocation_request("https://as.example/revoke", &b, "t", None).unwrap();
        assert_eq!(r.body.as_deref(), Some("token=t"));
        assert!(r.headers.iter().any(|(n, _)| *n == "authorization"));
        assert!(process_revocation(200, "").is_ok());
        assert!(process_revocation(400, r#"{"error":"unsupported_token_type"}"#).is_err());
    }
}
