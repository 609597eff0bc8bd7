//! The client credentials grant (RFC 6749 §4.4, OAuth 2.1 §4.2): a confidential client
//! asks for a token for itself, with no user. The client must authenticate
//! (`client_secret_basic`, `client_secret_post` or `private_key_jwt`); the response is an
//! ordinary token response (read with [`crate::token::process_token_response`]), usually
//! without a refresh token (§4.4.3): a new token is asked for the same way.

use crate::error::{Error, ErrorCode};
use crate::http_message::HttpRequest;
use crate::token::{ClientAuth, authenticated_post};

/// How a machine client authenticates: which of its credentials, for which server.
///
/// `method` forces a `token_endpoint_auth_method`; without it an assertion means
/// `private_key_jwt`, and a secret means `client_secret_basic` unless the server lists
/// only `client_secret_post` (RFC 8414 §2, default `client_secret_basic`).
pub fn machine_client_auth(
    client_id: &str,
    client_secret: Option<&str>,
    assertion: Option<&str>,
    server_methods: &[String],
    method: Option<&str>,
) -> Result<ClientAuth, Error> {
    client_auth(
        client_id,
        client_secret,
        assertion,
        server_methods,
        method,
        false,
    )
}

/// [`machine_client_auth`], or a public client (`client_id` only, method `none`) when
/// `public_allowed` and no credential is given: how a client identifies itself at an
/// identity provider's token endpoint for a token exchange, where it may be public.
pub fn client_auth(
    client_id: &str,
    client_secret: Option<&str>,
    assertion: Option<&str>,
    server_methods: &[String],
    method: Option<&str>,
    public_allowed: bool,
) -> Result<ClientAuth, Error> {
    let missing = |what: &str| {
        Error::new(
            ErrorCode::MissingParameter,
            format!("{what} (a machine client authenticates itself, RFC 6749 §4.4)"),
        )
    };
    if client_id.is_empty() {
        return Err(missing("a client_id is needed"));
    }
    let secret = client_secret.filter(|s| !s.is_empty());
    let assertion = assertion.filter(|a| !a.is_empty());
    let id = client_id.to_owned();
    let with_secret = |post: bool| {
        let client_secret = secret
            .ok_or_else(|| {
                missing("client_secret_basic and client_secret_post need a client secret")
            })?
            .to_owned();
        Ok(if post {
            ClientAuth::Post {
                client_id: id.clone(),
                client_secret,
            }
        } else {
            ClientAuth::Basic {
                client_id: id.clone(),
                client_secret,
            }
        })
    };
    match method {
        Some("client_secret_basic") => with_secret(false),
        Some("client_secret_post") => with_secret(true),
        Some("none") if public_allowed => Ok(ClientAuth::None {
            client_id: id.clone(),
        }),
        Some("private_key_jwt") => Ok(ClientAuth::PrivateKeyJwt {
            client_id: id.clone(),
            assertion: assertion
                .ok_or_else(|| missing("private_key_jwt needs a private key"))?
                .to_owned(),
        }),
        Some(other) => Err(Error::new(
            ErrorCode::InvalidParameter,
            format!(
                "token endpoint auth method \"{}\" is not one a machine client can use (client_secret_basic, client_secret_post, private_key_jwt)",
                crate::error::excerpt(other)
            ),
        )),
        None => match (assertion, secret) {
            (Some(a), _) => Ok(ClientAuth::PrivateKeyJwt {
                client_id: id.clone(),
                assertion: a.to_owned(),
            }),
            (None, Some(_)) => {
                let post_only = server_methods.iter().any(|m| m == "client_secret_post")
                    && !server_methods.iter().any(|m| m == "client_secret_basic");
                with_secret(post_only)
            }
            (None, None) if public_allowed => Ok(ClientAuth::None {
                client_id: id.clone(),
            }),
            (None, None) => Err(missing("a client secret or a private key is needed")),
        },
    }
}

/// RFC 6749 §4.4.2: `grant_type=client_credentials`, the `scope` asked for and the
/// resource indicators (RFC 8707 §2), with the client's authentication. A public client
/// ([`ClientAuth::None`]) is refused: this grant is for confidential clients only.
pub fn client_credentials_request(
    token_endpoint: &str,
    client: &ClientAuth,
    scope: Option<&str>,
    resources: &[String],
) -> Result<HttpRequest, Error> {
    if matches!(client, ClientAuth::None { .. }) {
        return Err(Error::new(
            ErrorCode::MissingParameter,
            "the client credentials grant needs client authentication (a secret or a private key): RFC 6749 §4.4 is for confidential clients",
        ));
    }
    let mut pairs = vec![("grant_type", "client_credentials")];
    if let Some(s) = scope.filter(|s| !s.is_empty()) {
        pairs.push(("scope", s));
    }
    authenticated_post(token_endpoint, client, &pairs, resources)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form;

    fn pairs(body: &str) -> Vec<(String, String)> {
        form::parse_query(body).unwrap()
    }

    #[test]
    fn basic_post_and_assertion() {
        let basic = machine_client_auth("svc", Some("s3cret"), None, &[], None).unwrap();
        let r = client_credentials_request(
            "https://as.example/token",
            &basic,
            Some("mcp:read mcp:write"),
            &["https://mcp.example/mcp".to_owned()],
        )
        .unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.url, "https://as.example/token");
        assert!(
            r.headers
                .contains(&("authorization", "Basic c3ZjOnMzY3JldA==".to_owned()))
        );
        assert_eq!(
            pairs(r.body.as_deref().unwrap()),
            vec![
                ("grant_type".into(), "client_credentials".into()),
                ("scope".into(), "mcp:read mcp:write".into()),
                ("resource".into(), "https://mcp.example/mcp".into()),
            ]
        );

        let post = machine_client_auth(
            "svc",
            Some("s3cret"),
            None,
            &["client_secret_post".to_owned()],
            None,
        )
        .unwrap();
        let r = client_credentials_request("https://as.example/token", &post, None, &[]).unwrap();
        assert!(!r.headers.iter().any(|(n, _)| *n == "authorization"));
        assert_eq!(
            pairs(r.body.as_deref().unwrap()),
            vec![
                ("grant_type".into(), "client_credentials".into()),
                ("client_id".into(), "svc".into()),
                ("client_secret".into(), "s3cret".into()),
            ]
        );

        let jwt = machine_client_auth("svc", Some("ignored"), Some("a.b.c"), &[], None).unwrap();
        let r =
            client_credentials_request("https://as.example/token", &jwt, Some(""), &[]).unwrap();
        assert!(!r.headers.iter().any(|(n, _)| *n == "authorization"));
        assert_eq!(
            pairs(r.body.as_deref().unwrap()),
            vec![
                ("grant_type".into(), "client_credentials".into()),
                ("client_id".into(), "svc".into()),
                (
                    "client_assertion_type".into(),
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into()
                ),
                ("client_assertion".into(), "a.b.c".into()),
            ]
        );
    }

    #[test]
    fn a_forced_method_needs_its_credential() {
        let forced = machine_client_auth(
            "svc",
            Some("s"),
            Some("a.b.c"),
            &["private_key_jwt".to_owned()],
            Some("client_secret_post"),
        )
        .unwrap();
        assert!(matches!(forced, ClientAuth::Post { .. }));
        for (secret, assertion, method) in [
            (None, Some("a.b.c"), Some("client_secret_basic")),
            (Some("s"), None, Some("private_key_jwt")),
            (Some("s"), None, Some("none")),
            (Some("s"), None, Some("tls_client_auth")),
            (None, None, None),
            (Some(""), Some(""), None),
        ] {
            assert!(
                machine_client_auth("svc", secret, assertion, &[], method).is_err(),
                "{method:?}"
            );
        }
        assert!(machine_client_auth("", Some("s"), None, &[], None).is_err());
        // At an identity provider a client may be public.
        for method in [None, Some("none")] {
            assert_eq!(
                client_auth("idp-client", None, None, &[], method, true).unwrap(),
                ClientAuth::None {
                    client_id: "idp-client".into()
                }
            );
        }
        assert!(matches!(
            client_auth("idp-client", Some("s"), None, &[], None, true).unwrap(),
            ClientAuth::Basic { .. }
        ));
    }

    #[test]
    fn public_clients_and_bad_endpoints_are_refused() {
        let public = ClientAuth::None {
            client_id: "svc".into(),
        };
        let e =
            client_credentials_request("https://as.example/token", &public, None, &[]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::MissingParameter);
        let basic = machine_client_auth("svc", Some("s"), None, &[], None).unwrap();
        let e =
            client_credentials_request("http://as.example/token", &basic, None, &[]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InsecureEndpoint);
    }
}
