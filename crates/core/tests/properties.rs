//! Property tests: invariants checked over many generated inputs.
//!
//! The inputs come from a small seeded generator (splitmix64) rather than a property-test
//! crate: no dependency to build, the same cases on every run and every machine, and a
//! failure names its case number to replay. `PROPERTY_CASES=N` runs N cases per property
//! instead of the default.

use oauth_callback_core::callback::{
    CallbackConfig, CallbackHandler, CallbackOutcome, CallbackRequest, RequestKind,
};
use oauth_callback_core::error::{Error, ErrorCode};
use oauth_callback_core::store_envelope::{self, StoreKey};
use oauth_callback_core::{
    AuthorizationRequest, CodeChallenge, CodeVerifier, Entropy, PkcePair, base64url, form, pages,
    pkce, template,
};
use sha2::{Digest, Sha256};

/// splitmix64: tiny, fast, and good enough to spread cases over the input space.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }

    /// Text built from pieces an attacker would try: markup, quotes, entities, braces,
    /// percent escapes, controls, terminal escapes, bidi overrides, non-ASCII.
    fn hostile(&mut self, max_pieces: usize) -> String {
        const PIECES: &[&str] = &[
            "<",
            ">",
            "\"",
            "'",
            "&",
            "{",
            "}",
            "{{",
            "}}",
            "{{error}}",
            "{{ a }}",
            "%",
            "%3C",
            "%22",
            "%FF",
            "%2",
            "+",
            "=",
            "&",
            "#",
            "?",
            "/",
            " ",
            "\n",
            "\r",
            "\t",
            "\0",
            "\u{1b}[31m",
            "\u{1b}]0;t\u{7}",
            "\u{9b}2J",
            "\u{85}",
            "\u{202e}",
            "\u{2028}",
            "é",
            "日本",
            "😀",
            "<script>alert(1)</script>",
            "<img src=x onerror=y>",
            "javascript:",
            "https://",
            "&#60;",
            "&lt;",
            "a",
            "b",
            "z",
            "0",
            "9",
            "-",
            "_",
            ".",
            "~",
            "code",
            "state",
            "error",
        ];
        let n = self.below(max_pieces + 1);
        (0..n).map(|_| *self.pick(PIECES)).collect()
    }
}

/// Deterministic entropy for PKCE and the store envelope.
struct SeededEntropy(Rng);

impl Entropy for SeededEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        for b in buf.iter_mut() {
            *b = self.0.next() as u8;
        }
        Ok(())
    }
}

fn cases(default: usize) -> usize {
    std::env::var("PROPERTY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `check` for each case with its own generator; a failure names the case.
fn for_all(name: &str, default_cases: usize, check: impl Fn(&mut Rng)) {
    for case in 0..cases(default_cases) {
        let mut rng = Rng::new(case as u64);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&mut rng)));
        assert!(result.is_ok(), "property {name} fails on case {case}");
    }
}

const MARKUP: [char; 4] = ['<', '>', '"', '\''];

fn markup_counts(s: &str) -> [usize; 4] {
    MARKUP.map(|m| s.matches(m).count())
}

// ---------------------------------------------------------------------------------------

fn hostile_template(rng: &mut Rng) -> String {
    const PARTS: &[&str] = &[
        "<p title=\"",
        "\">",
        "</p>",
        "<a href='",
        "'>",
        "{{error}}",
        "{{ error }}",
        "{{error_description}}",
        "{{error_uri}}",
        "{{a}}",
        "{{ b }}",
        "{{other}}",
        "{{",
        "}}",
        "{{{a}}}",
        "{{a b}}",
        "{{}}",
        "text ",
        "é",
        "<script>x</script>",
    ];
    let n = rng.below(12);
    (0..n).map(|_| *rng.pick(PARTS)).collect()
}

#[test]
fn no_value_adds_markup_to_a_rendered_template() {
    for_all("template", 2000, |rng| {
        let tpl = hostile_template(rng);
        let values = [rng.hostile(8), rng.hostile(8), rng.hostile(8)];
        let lookup = |name: &str| match name {
            "error" | "a" => Some(values[0].as_str()),
            "error_description" | "b" => Some(values[1].as_str()),
            "error_uri" => Some(values[2].as_str()),
            _ => None,
        };
        let empty = markup_counts(&template::render(&tpl, |_| Some("")));
        assert_eq!(
            markup_counts(&template::render(&tpl, lookup)),
            empty,
            "{tpl:?}"
        );
        let names = ["error", "error_description", "error_uri"];
        let known_empty = markup_counts(&template::render_known(&tpl, &names, |_| Some("")));
        assert_eq!(
            markup_counts(&template::render_known(&tpl, &names, lookup)),
            known_empty,
            "{tpl:?}"
        );
        let mut escaped = String::new();
        template::escape_html(&values[0], &mut escaped);
        assert!(!escaped.contains(MARKUP));
    });
}

fn query_of(pairs: &[(&str, &str)]) -> String {
    let mut q = String::new();
    for (n, v) in pairs {
        form::append_pair(&mut q, n, v);
    }
    q
}

#[test]
fn hostile_query_values_never_reach_a_callback_page_as_markup() {
    let custom = "<main><h1 title=\"{{error}}\">{{error}}</h1><p>{{error_description}}</p><a href='{{error_uri}}'>more</a> {{ error }} {{other}}</main>";
    for_all("callback pages", 1000, |rng| {
        let state = "xyz";
        let custom_page = rng.below(2) == 0;
        let mut config = CallbackConfig::new("/callback", 3000)
            .and_then(|c| c.expected_state(state))
            .expect("config");
        let error_page = if custom_page {
            config = config.error_html(custom);
            custom.to_owned()
        } else {
            pages::default_error()
        };
        let empty_page = template::render_known(
            &error_page,
            &["error", "error_description", "error_uri"],
            |_| Some(""),
        );
        let mut h = CallbackHandler::new(config);
        let request = |h: &mut CallbackHandler, target: &str| {
            h.handle(CallbackRequest {
                method: "GET",
                target,
                host: Some("localhost:3000"),
            })
        };

        // A wrong state, a repeated parameter: notices, whatever the values.
        let notice = markup_counts(&pages::notice("t", "x"));
        let wrong = query_of(&[("code", &rng.hostile(6)), ("state", &rng.hostile(6))]);
        let (r, _) = request(&mut h, &format!("/callback?{wrong}"));
        assert_eq!(markup_counts(&r.body), notice, "{}", r.body);
        let v = rng.hostile(6);
        let repeated = query_of(&[("state", state), ("x", &v), ("x", &v)]);
        let (r, k) = request(&mut h, &format!("/callback?{repeated}"));
        assert_eq!(k, RequestKind::BadRequest);
        assert_eq!(markup_counts(&r.body), notice);

        let error = rng.hostile(10);
        let description = rng.hostile(10);
        let uri = format!("https://as.example/{}", rng.hostile(6));
        let q = query_of(&[
            ("error", &error),
            ("error_description", &description),
            ("error_uri", &uri),
            ("state", state),
        ]);
        let (r, k) = request(&mut h, &format!("/callback?{q}"));
        assert_eq!((r.status, k), (200, RequestKind::Completed));
        assert_eq!(
            markup_counts(&r.body),
            markup_counts(&empty_page),
            "{}",
            r.body
        );
        let Some(CallbackOutcome::Error { message, .. }) = h.outcome() else {
            panic!("no error outcome")
        };
        assert!(!message.chars().any(char::is_control));

        // A success with hostile extra parameters gets the success page, byte for byte.
        let mut h = CallbackHandler::new(CallbackConfig::new("/callback", 3000).expect("config"));
        let q = query_of(&[("code", "c"), ("extra", &rng.hostile(10))]);
        let (r, k) = request(&mut h, &format!("/callback?{q}"));
        assert_eq!(k, RequestKind::Completed);
        assert_eq!(r.body, pages::default_success());
    });
}

// ---------------------------------------------------------------------------------------

/// A scope token RFC 6749 §3.3 allows: `%x21 / %x23-5B / %x5D-7E`.
fn scope_token(rng: &mut Rng) -> String {
    let len = 1 + rng.below(8);
    (0..len)
        .map(|_| {
            loop {
                let b = 0x21 + rng.below(0x7e - 0x21 + 1) as u8;
                if b != b'"' && b != b'\\' {
                    break char::from(b);
                }
            }
        })
        .collect()
}

/// An absolute URI without whitespace, controls or a fragment.
fn absolute_uri(rng: &mut Rng) -> String {
    let scheme = rng.pick(&["https", "http", "urn", "com.example.app"]);
    let rest: String = rng
        .hostile(6)
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace() && *c != '#')
        .collect();
    format!("{scheme}:{}/{rest}", if rest.is_empty() { "x" } else { "" })
}

#[test]
fn authorization_urls_parse_back_to_exactly_the_parameters_given() {
    for_all("authorization url", 1000, |rng| {
        let (endpoint, own): (&str, &[(&str, &str)]) = *rng.pick(&[
            ("https://as.example/authorize", &[][..]),
            (
                "https://as.example/authorize?tenant=acme&x=a%20b",
                &[("tenant", "acme"), ("x", "a b")][..],
            ),
            ("http://127.0.0.1:9000/a?", &[][..]),
        ]);
        let client_id = format!("c{}", rng.hostile(6));
        let state = format!("s{}", rng.hostile(6));
        let verifier =
            CodeVerifier::generate(&mut SeededEntropy(Rng::new(rng.next()))).expect("verifier");
        let challenge = verifier.challenge();
        let mut req = AuthorizationRequest::new(endpoint, &client_id)
            .and_then(|r| r.state(&state))
            .expect("request")
            .code_challenge(&challenge);
        let mut want: Vec<(String, String)> = own
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        let mut add = |n: &str, v: &str| want.push((n.to_owned(), v.to_owned()));
        add("response_type", "code");
        add("client_id", &client_id);
        let redirect = (rng.below(2) == 0).then(|| absolute_uri(rng));
        if let Some(uri) = &redirect {
            req = req.redirect_uri(uri).expect("redirect_uri");
            add("redirect_uri", uri);
        }
        let mut scopes: Vec<String> = Vec::new();
        for _ in 0..rng.below(4) {
            let t = scope_token(rng);
            req = req.scope(&t).expect("scope");
            if !scopes.contains(&t) {
                scopes.push(t);
            }
        }
        if !scopes.is_empty() {
            add("scope", &scopes.join(" "));
        }
        add("state", &state);
        add("code_challenge", challenge.as_str());
        add("code_challenge_method", "S256");
        let mut resources: Vec<String> = Vec::new();
        for _ in 0..rng.below(3) {
            let r = absolute_uri(rng);
            req = req.resource(&r).expect("resource");
            if !resources.contains(&r) {
                resources.push(r);
            }
        }
        for r in &resources {
            add("resource", r);
        }
        for i in 0..rng.below(3) {
            let name = format!("x{i}{}", rng.hostile(3));
            let value = rng.hostile(8);
            req = req.param(&name, &value).expect("param");
            add(&name, &value);
        }

        let url = req.build().expect("build");
        assert!(!url.contains(|c: char| c.is_whitespace() || c.is_control()));
        let (base, query) = url.split_once('?').expect("a query");
        assert_eq!(base, endpoint.split('?').next().unwrap_or(endpoint));
        let parsed = form::parse_query(query).expect("UTF-8");
        assert_eq!(parsed, want, "{url}");
    });
}

// ---------------------------------------------------------------------------------------

fn is_base64url(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[test]
fn every_generated_pkce_verifier_is_valid_and_its_challenge_is_s256() {
    for_all("pkce", 2000, |rng| {
        let mut entropy = SeededEntropy(Rng::new(rng.next()));
        let pair = PkcePair::generate(&mut entropy).expect("pair");
        let len =
            pkce::MIN_VERIFIER_LEN + rng.below(pkce::MAX_VERIFIER_LEN - pkce::MIN_VERIFIER_LEN + 1);
        let sized = CodeVerifier::generate_with_len(&mut entropy, len).expect("verifier");
        assert_eq!(sized.secret().len(), len);
        for verifier in [&pair.verifier, &sized] {
            let secret = verifier.secret();
            assert!(CodeVerifier::new(secret).is_ok(), "{secret}");
            assert!(secret.bytes().all(form::is_unreserved));
            let challenge = verifier.challenge();
            assert_eq!(challenge.as_str().len(), 43);
            assert!(is_base64url(challenge.as_str()));
            assert_eq!(
                challenge.as_str(),
                base64url::encode(&Sha256::digest(secret.as_bytes()))
            );
            assert_eq!(
                CodeChallenge::new(challenge.as_str()).as_ref(),
                Ok(&challenge)
            );
        }
        assert_eq!(pair.verifier.secret().len(), 43);
        assert_eq!(pair.challenge, pair.verifier.challenge());
    });
}

// ---------------------------------------------------------------------------------------

fn key_name(rng: &mut Rng) -> String {
    const CHARS: &[u8] = b"abcXYZ019-_.";
    let len = 1 + rng.below(12);
    (0..len).map(|_| char::from(*rng.pick(CHARS))).collect()
}

#[test]
fn store_envelope_round_trips_and_refuses_any_change_or_truncation() {
    // Every byte and every cut for the first cases; a sample for the rest (AES-GCM in a
    // debug build is not fast).
    for_all("store envelope", 300, |rng| {
        let case_is_exhaustive = rng.below(20) == 0;
        let key_bytes = rng.bytes(32);
        let name = key_name(rng);
        let mut key = StoreKey::raw(&key_bytes, &name).expect("key");
        let plain_len = rng.below(200);
        let plain = rng.bytes(plain_len);
        let mut entropy = SeededEntropy(Rng::new(rng.next()));
        let sealed = store_envelope::seal(&plain, &mut key, &mut entropy).expect("seal");
        assert!(store_envelope::is_encrypted(sealed.as_bytes()));
        assert_eq!(
            store_envelope::open(&sealed, &mut key).expect("open"),
            plain
        );

        let refused = |text: &str, key: &mut StoreKey| match store_envelope::open(text, key) {
            Ok(_) => false,
            Err(e) => matches!(
                e.code(),
                ErrorCode::StoreCorrupt
                    | ErrorCode::StoreDecryptFailed
                    | ErrorCode::StoreVersionUnsupported
            ),
        };
        let bytes = sealed.as_bytes();
        let positions: Vec<usize> = if case_is_exhaustive {
            (0..bytes.len()).collect()
        } else {
            (0..24).map(|_| rng.below(bytes.len())).collect()
        };
        for &i in &positions {
            let mut changed = bytes.to_vec();
            changed[i] ^= 1 + rng.below(255) as u8;
            if let Ok(text) = std::str::from_utf8(&changed) {
                assert!(refused(text, &mut key), "a change at byte {i} opened");
            }
        }
        let cuts: Vec<usize> = if case_is_exhaustive {
            (0..bytes.len()).collect()
        } else {
            let mut c: Vec<usize> = (0..8).map(|_| rng.below(bytes.len())).collect();
            c.push(bytes.len() - 1);
            c
        };
        for cut in cuts {
            assert!(refused(&sealed[..cut], &mut key), "a cut at {cut} opened");
        }

        let mut other_bytes = key_bytes.clone();
        other_bytes[rng.below(32)] ^= 1;
        let mut other = StoreKey::raw(&other_bytes, &name).expect("key");
        assert_eq!(
            store_envelope::open(&sealed, &mut other).map_err(|e| e.code()),
            Err(ErrorCode::StoreDecryptFailed)
        );
    });
}
