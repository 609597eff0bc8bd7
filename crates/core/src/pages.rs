//! The built-in pages the browser shows after the redirect: self-contained (no external
//! asset), responsive, dark-mode aware, readable by screen readers. Their one script takes
//! the code off the address bar and the history entry; the CSP allows it by its hash
//! ([`SCRIPT_CSP_SOURCE`]) and nothing else.

/// The only script the built-in pages run: the redirect is answered with the page itself
/// (one round trip), so the page replaces its URL, which holds the code, by the bare
/// callback path.
pub const CLEAN_URL_SCRIPT: &str = "history.replaceState(null,\"\",location.pathname)";

/// `'sha256-…'` of [`CLEAN_URL_SCRIPT`] for `script-src` (CSP Level 2 hash source); a unit
/// test recomputes it.
pub const SCRIPT_CSP_SOURCE: &str = "'sha256-8A+3er73YJf04rRHGhbZwZQACPiiipi9EPduIeAAIDk='";

const STYLE: &str = "<style>\
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--fg:#1f2328;--muted:#59636e;--ok:#1a7f37;--err:#cf222e;--border:#d1d9e0}\
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#151b23;--fg:#e6edf3;--muted:#9198a1;--ok:#3fb950;--err:#f85149;--border:#3d444d}}\
*{box-sizing:border-box}\
body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;padding:1.5rem}\
main{max-width:32rem;width:100%;background:var(--card);border:1px solid var(--border);border-radius:12px;padding:2rem;text-align:center}\
.icon{width:3rem;height:3rem;border-radius:50%;display:inline-grid;place-items:center;font-size:1.6rem;font-weight:700;color:#fff}\
.ok{background:var(--ok)}.err{background:var(--err)}\
h1{font-size:1.35rem;margin:1rem 0 .5rem}\
p{margin:.5rem 0;color:var(--muted);overflow-wrap:anywhere}\
code{font:.9em ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--fg)}\
a{color:inherit}\
</style>";

/// Shown after a successful redirect. No placeholders are needed.
pub fn default_success() -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>Signed in</title>{STYLE}<script>{CLEAN_URL_SCRIPT}</script></head><body><main role=\"status\">\
<div class=\"icon ok\" aria-hidden=\"true\">&#10003;</div>\
<h1>You are signed in</h1>\
<p>You can close this tab and return to the application.</p>\
</main></body></html>"
    )
}

/// Shown when the redirect carries an OAuth error. Placeholders: `{{error}}`,
/// `{{error_description}}`, `{{error_uri}}` (each HTML-escaped when rendered).
pub fn default_error() -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>Sign-in failed</title>{STYLE}<script>{CLEAN_URL_SCRIPT}</script></head><body><main role=\"alert\">\
<div class=\"icon err\" aria-hidden=\"true\">!</div>\
<h1>Sign-in did not complete</h1>\
<p><code>{{{{error}}}}</code></p>\
<p>{{{{error_description}}}}</p>\
<p>You can close this tab and try again from the application.</p>\
</main></body></html>"
    )
}

/// A short plain page for requests that are not the redirect (already handled, bad request).
/// It runs no script: its URL may hold a code, but it completes nothing.
pub fn notice(title: &str, text: &str) -> String {
    let mut t = String::new();
    crate::template::escape_html(title, &mut t);
    let mut x = String::new();
    crate::template::escape_html(text, &mut x);
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{t}</title>{STYLE}</head><body><main><h1>{t}</h1><p>{x}</p></main></body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_hash_matches_the_script() {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(CLEAN_URL_SCRIPT.as_bytes());
        let expected = format!(
            "'sha256-{}'",
            crate::base64url::encode_standard(digest.as_slice())
        );
        assert_eq!(SCRIPT_CSP_SOURCE, expected);
    }

    #[test]
    fn pages_run_only_the_clean_url_script() {
        for page in [default_success(), default_error()] {
            assert_eq!(page.matches("<script").count(), 1);
            assert!(page.contains(&format!("<script>{CLEAN_URL_SCRIPT}</script>")));
        }
        assert!(!notice("a", "b").contains("<script"));
    }

    #[test]
    fn pages_are_self_contained() {
        for page in [default_success(), default_error(), notice("a", "b")] {
            assert!(page.starts_with("<!doctype html>"));
            assert!(!page.contains("src="));
            assert!(!page.contains("http://") && !page.contains("https://"));
            assert!(page.contains("prefers-color-scheme:dark"));
        }
        assert!(default_error().contains("{{error_description}}"));
    }

    #[test]
    fn notice_escapes() {
        assert!(notice("<x>", "\"&").contains("&#60;x&#62;"));
    }
}
