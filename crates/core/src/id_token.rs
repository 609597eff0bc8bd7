//! OpenID Connect ID tokens (OIDC Core §2, §3.1.3.7): the JWS signature checked with the
//! issuer's JWK Set ([`crate::jose`]), then `iss`, `aud` and `azp`, `exp` and `iat` with
//! a small clock skew, `nonce` and `sub`. Only a token that passes every check yields its
//! claims.

use crate::error::{Error, ErrorCode, excerpt};
use crate::jose::{CompactJws, parse_key_set};
use crate::json::{self, Value};
use crate::state::constant_time_eq;

/// How far the client's clock may be from the issuer's, in seconds.
pub const CLOCK_SKEW_SECONDS: f64 = 60.0;

/// What an ID token must say to be accepted.
#[derive(Clone, Copy, Debug)]
pub struct Expectations<'a> {
    /// The issuer the authorization request went to (`iss`, exact match).
    pub issuer: &'a str,
    /// This client's `client_id` (in `aud`; `azp` when there are several audiences).
    pub client_id: &'a str,
    /// The `nonce` sent in the authorization request, if one was.
    pub nonce: Option<&'a str>,
    /// Now, in milliseconds since the epoch.
    pub now_ms: f64,
    /// Check `exp`, `iat` and `nbf` against `now_ms`: true for a token that just arrived.
    /// False for one read back from the store, checked when it arrived: its `exp` bounds
    /// when it may be accepted, not how long its claims describe the sign-in.
    pub check_time: bool,
    /// The `sub` an earlier ID token of this sign-in named (OIDC Core §12.2: a refreshed
    /// ID token must name the same user).
    pub subject: Option<&'a str>,
}

fn invalid(why: impl Into<String>) -> Error {
    Error::new(ErrorCode::IdTokenInvalid, why.into())
}

/// Whether `key_set` (a JWK Set document, or none yet) lacks a key that fits `token`:
/// then the driver fetches the issuer's set (again: keys rotate) before [`validate`].
pub fn needs_keys(token: &str, key_set: Option<&str>) -> Result<bool, Error> {
    let jws = CompactJws::parse(token, "ID token")?;
    Ok(match key_set {
        None => true,
        Some(set) => !jws.has_candidate(&parse_key_set(set)?),
    })
}

/// Whole seconds for a message, without float formatting (about 20 KB of wasm).
#[allow(clippy::cast_possible_truncation)]
fn seconds(s: f64) -> i64 {
    s.floor() as i64
}

fn numeric_date(claims: &Value, name: &str, required: bool) -> Result<Option<f64>, Error> {
    match claims.get(name) {
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::Number(n)) if n.value().is_finite() => Ok(Some(n.value())),
        None | Some(Value::Null) => Err(invalid(format!(
            "the ID token has no \"{name}\" (OIDC Core §2)"
        ))),
        Some(_) => Err(invalid(format!(
            "the ID token's \"{name}\" is not a number of seconds"
        ))),
    }
}

/// Checks `token` with the keys of `key_set` and the claims against `expected`; returns
/// the claims (the payload object, every member as the issuer wrote it).
pub fn validate(token: &str, key_set: &str, expected: &Expectations<'_>) -> Result<Value, Error> {
    let jws = CompactJws::parse(token, "ID token")?;
    jws.verify(&parse_key_set(key_set)?, "ID token")?;
    let claims = std::str::from_utf8(&jws.payload)
        .ok()
        .and_then(|t| json::parse(t).ok())
        .filter(|v| matches!(v, Value::Object(_)))
        .ok_or_else(|| invalid("the ID token's payload is not a JSON object"))?;

    let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("");
    if iss != expected.issuer {
        return Err(invalid(format!(
            "the ID token was issued by \"{}\", not \"{}\" (OIDC Core §3.1.3.7)",
            excerpt(iss),
            excerpt(expected.issuer)
        )));
    }

    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if audiences.is_empty() {
        return Err(invalid("the ID token has no \"aud\" (OIDC Core §2)"));
    }
    if !audiences.contains(&expected.client_id) {
        return Err(invalid(format!(
            "the ID token is meant for {}, not for this client \"{}\"",
            audiences
                .iter()
                .map(|a| format!("\"{}\"", excerpt(a)))
                .collect::<Vec<_>>()
                .join(", "),
            excerpt(expected.client_id)
        )));
    }
    let azp = claims.get("azp").and_then(Value::as_str);
    if audiences.len() > 1 && azp.is_none() {
        return Err(invalid(
            "the ID token has several audiences and no \"azp\" naming this client (OIDC Core §3.1.3.7)",
        ));
    }
    if let Some(azp) = azp
        && azp != expected.client_id
    {
        return Err(invalid(format!(
            "the ID token was issued to \"{}\" (azp), not to this client",
            excerpt(azp)
        )));
    }

    let exp = numeric_date(&claims, "exp", true)?.unwrap_or(0.0);
    let iat = numeric_date(&claims, "iat", true)?.unwrap_or(0.0);
    let nbf = numeric_date(&claims, "nbf", false)?;
    if expected.check_time {
        let now = expected.now_ms / 1000.0;
        if now >= exp + CLOCK_SKEW_SECONDS {
            return Err(invalid(format!(
                "the ID token expired {} s ago (exp {}; {} s of clock skew allowed)",
                seconds(now - exp),
                seconds(exp),
                seconds(CLOCK_SKEW_SECONDS)
            )));
        }
        if iat > now + CLOCK_SKEW_SECONDS {
            return Err(invalid(format!(
                "the ID token was issued {} s in the future (iat {}): check this computer's clock",
                seconds(iat - now),
                seconds(iat)
            )));
        }
        if let Some(nbf) = nbf
            && nbf > now + CLOCK_SKEW_SECONDS
        {
            return Err(invalid(format!(
                "the ID token is not valid before {} (nbf), {} s from now",
                seconds(nbf),
                seconds(nbf - now)
            )));
        }
    }

    if let Some(sent) = expected.nonce {
        match claims.get("nonce").and_then(Value::as_str) {
            None => {
                return Err(invalid(
                    "the ID token has no \"nonce\", but the authorization request sent one (OIDC Core §3.1.3.7)",
                ));
            }
            Some(got) if !constant_time_eq(got.as_bytes(), sent.as_bytes()) => {
                return Err(invalid(
                    "the ID token's \"nonce\" is not the one this sign-in sent: it belongs to another authorization request",
                ));
            }
            Some(_) => {}
        }
    }

    let sub = match claims.get("sub") {
        Some(Value::String(s)) if !s.is_empty() => s.as_str(),
        _ => return Err(invalid("the ID token has no \"sub\" (OIDC Core §2)")),
    };
    if let Some(before) = expected.subject
        && before != sub
    {
        return Err(invalid(
            "the ID token names another user (\"sub\") than the one who signed in (OIDC Core §12.2)",
        ));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::tests::{ec_jwk, key_set, rsa_jwk, sign};

    const NOW_MS: f64 = 1_700_000_100_000.0;

    fn expect() -> Expectations<'static> {
        Expectations {
            issuer: "https://as.example",
            client_id: "client-1",
            nonce: Some("n-1"),
            now_ms: NOW_MS,
            check_time: true,
            subject: None,
        }
    }

    fn keys() -> String {
        key_set(&[rsa_jwk("r1"), ec_jwk("e1")])
    }

    /// A token signed with the RSA key, `extra` merged over good claims.
    fn token(alg_kid: (&str, &str), claims: &[(&str, &str)]) -> String {
        let mut members: Vec<(String, String)> = [
            ("iss", r#""https://as.example""#),
            ("sub", r#""alice""#),
            ("aud", r#""client-1""#),
            ("exp", "1700000400"),
            ("iat", "1700000000"),
            ("nonce", r#""n-1""#),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        for (k, v) in claims {
            members.retain(|(name, _)| name != k);
            if !v.is_empty() {
                members.push(((*k).to_owned(), (*v).to_owned()));
            }
        }
        let body = members
            .iter()
            .map(|(k, v)| format!(r#""{k}":{v}"#))
            .collect::<Vec<_>>()
            .join(",");
        let (alg, kid) = alg_kid;
        sign(
            &format!(r#"{{"alg":"{alg}","kid":"{kid}"}}"#),
            &format!("{{{body}}}"),
        )
    }

    const RS: (&str, &str) = ("RS256", "r1");
    const ES: (&str, &str) = ("ES256", "e1");

    fn refused(t: &str, e: &Expectations<'_>, needle: &str) {
        let err = validate(t, &keys(), e).unwrap_err();
        assert_eq!(err.code(), ErrorCode::IdTokenInvalid, "{needle}");
        assert!(
            err.message().contains(needle),
            "{needle}: {}",
            err.message()
        );
    }

    #[test]
    fn a_good_token_gives_its_claims() {
        for alg in [RS, ES] {
            let claims =
                validate(&token(alg, &[("name", r#""Alice""#)]), &keys(), &expect()).unwrap();
            assert_eq!(claims.get("sub").and_then(Value::as_str), Some("alice"));
            assert_eq!(claims.get("name").and_then(Value::as_str), Some("Alice"));
        }
    }

    #[test]
    fn issuer_and_audience() {
        refused(
            &token(RS, &[("iss", r#""https://evil.example""#)]),
            &expect(),
            "issued by \"https://evil.example\"",
        );
        refused(&token(RS, &[("iss", "")]), &expect(), "issued by \"\"");
        refused(
            &token(RS, &[("aud", r#""other""#)]),
            &expect(),
            "meant for \"other\"",
        );
        refused(&token(RS, &[("aud", "")]), &expect(), "no \"aud\"");
        refused(
            &token(RS, &[("aud", r#"["client-1","api"]"#)]),
            &expect(),
            "no \"azp\"",
        );
        refused(
            &token(RS, &[("aud", r#"["client-1","api"]"#), ("azp", r#""api""#)]),
            &expect(),
            "issued to \"api\"",
        );
        refused(
            &token(RS, &[("azp", r#""api""#)]),
            &expect(),
            "issued to \"api\"",
        );
        validate(
            &token(
                RS,
                &[("aud", r#"["api","client-1"]"#), ("azp", r#""client-1""#)],
            ),
            &keys(),
            &expect(),
        )
        .unwrap();
        validate(
            &token(RS, &[("aud", r#"["client-1"]"#)]),
            &keys(),
            &expect(),
        )
        .unwrap();
    }

    #[test]
    fn time_with_skew() {
        // exp 1700000400 against now 1700000100: fine; 59 s past exp still within skew.
        let at = |s: f64| Expectations {
            now_ms: s * 1000.0,
            ..expect()
        };
        validate(&token(RS, &[]), &keys(), &at(1_700_000_459.0)).unwrap();
        refused(&token(RS, &[]), &at(1_700_000_460.0), "expired 60 s ago");
        refused(
            &token(RS, &[("iat", "1700000300")]),
            &expect(),
            "in the future",
        );
        validate(&token(RS, &[("iat", "1700000160")]), &keys(), &expect()).unwrap();
        refused(
            &token(RS, &[("nbf", "1700000200")]),
            &expect(),
            "not valid before",
        );
        refused(&token(RS, &[("exp", "")]), &expect(), "no \"exp\"");
        refused(
            &token(RS, &[("exp", r#""soon""#)]),
            &expect(),
            "not a number",
        );
        refused(&token(RS, &[("iat", "")]), &expect(), "no \"iat\"");
        // A stored token: its time is not checked again.
        let stored = Expectations {
            check_time: false,
            nonce: None,
            ..at(1_800_000_000.0)
        };
        validate(&token(RS, &[]), &keys(), &stored).unwrap();
    }

    #[test]
    fn nonce_and_subject() {
        refused(
            &token(RS, &[("nonce", r#""n-2""#)]),
            &expect(),
            "another authorization request",
        );
        refused(&token(RS, &[("nonce", "")]), &expect(), "no \"nonce\"");
        // None sent: whatever the token carries is not checked.
        let none = Expectations {
            nonce: None,
            ..expect()
        };
        validate(&token(RS, &[("nonce", "")]), &keys(), &none).unwrap();
        refused(&token(RS, &[("sub", "")]), &expect(), "no \"sub\"");
        refused(&token(RS, &[("sub", r#""""#)]), &expect(), "no \"sub\"");
        let same = Expectations {
            subject: Some("alice"),
            ..expect()
        };
        validate(&token(RS, &[]), &keys(), &same).unwrap();
        let other = Expectations {
            subject: Some("bob"),
            ..expect()
        };
        refused(&token(RS, &[]), &other, "another user");
    }

    #[test]
    fn signature_first_then_claims() {
        // A forged payload with good claims: the signature refuses it.
        let good = token(RS, &[]);
        let mut parts: Vec<&str> = good.split('.').collect();
        let other = token(RS, &[("sub", r#""mallory""#)]);
        parts[1] = other.split('.').nth(1).unwrap_or_default();
        refused(&parts.join("."), &expect(), "does not verify");
        // Unknown kid: the driver is told to fetch the keys (again).
        let unknown = token(("RS256", "r2"), &[]);
        assert!(needs_keys(&unknown, Some(&keys())).unwrap());
        assert!(!needs_keys(&good, Some(&keys())).unwrap());
        assert!(needs_keys(&good, None).unwrap());
        refused(&unknown, &expect(), "kid \"r2\"");
        assert!(needs_keys("junk", None).is_err());
    }
}
