//! HTML page templates with `{{name}}` placeholders.
//!
//! Every substituted value is HTML-escaped and the template is scanned once (a value that
//! itself contains `{{x}}` stays literal text). [`render`] empties unknown placeholders;
//! [`render_known`] (the callback's error page) leaves them as written, as
//! `oauth-callback` does.

#[allow(unused_imports)]
use crate::prelude::*;

/// Escapes `& < > " '` so a value is inert inside element content and quoted attributes.
/// Numeric references (`&#60;`), the same bytes `oauth-callback` writes, so a custom page
/// renders identically with either library.
pub fn escape_html(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&#38;"),
            '<' => out.push_str("&#60;"),
            '>' => out.push_str("&#62;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The one scanner both renderers use: `placeholder` maps the text between `{{` and `}}`
/// to the name it stands for, or `None` when it is not a placeholder (then one brace is
/// kept and the scan goes on from the next, so `{{{a}}}` renders as `{` + value + `}`).
/// Each placeholder becomes the escaped `lookup(name)`, or nothing. One pass: values are
/// never rescanned.
fn scan<'a, 't>(
    template: &'t str,
    placeholder: impl Fn(&'t str) -> Option<&'t str>,
    lookup: impl Fn(&str) -> Option<&'a str>,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let found = after
            .find("}}")
            .and_then(|close| placeholder(&after[..close]).map(|name| (name, close)));
        match found {
            Some((name, close)) => {
                if let Some(v) = lookup(name) {
                    escape_html(v, &mut out);
                }
                rest = &after[close + 2..];
            }
            None => {
                out.push('{');
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Renders `template`, replacing each exact `{{name}}` whose name is in `names` with the
/// escaped `lookup(name)` (empty when it gives none); every other `{{...}}`, spaced
/// variants included, is copied as written.
pub fn render_known<'a>(
    template: &str,
    names: &[&str],
    lookup: impl Fn(&str) -> Option<&'a str>,
) -> String {
    scan(
        template,
        |inner| names.contains(&inner).then_some(inner),
        lookup,
    )
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Renders `template`, replacing each `{{name}}` (spaces inside the braces allowed) with
/// the escaped value `lookup(name)` gives, or nothing when it gives none. Text that is not
/// a well-formed placeholder is copied unchanged.
pub fn render<'a>(template: &str, lookup: impl Fn(&str) -> Option<&'a str>) -> String {
    scan(
        template,
        |inner| Some(inner.trim()).filter(|name| is_name(name)),
        lookup,
    )
}

/// [`render`] with the values as name/value pairs; the first pair with a name wins.
pub fn render_pairs(template: &str, values: &[(String, String)]) -> String {
    render(template, |name| {
        values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn substitutes_and_escapes() {
        let html = render_pairs(
            "<p title=\"{{error}}\">{{ error_description }}</p>",
            &pairs(&[
                ("error", "\"x' onload='y"),
                ("error_description", "<script>alert(1)</script>&"),
            ]),
        );
        assert_eq!(
            html,
            "<p title=\"&#34;x&#39; onload=&#39;y\">&#60;script&#62;alert(1)&#60;/script&#62;&#38;</p>"
        );
    }

    #[test]
    fn render_known_leaves_other_placeholders_as_written() {
        let names = ["error", "error_description"];
        let html = render_known(
            "{{error}}|{{ error }}|{{other}}|{{error_description}}|{{{error}}}|{{error",
            &names,
            |n| (n == "error").then_some("<x>"),
        );
        assert_eq!(
            html,
            "&#60;x&#62;|{{ error }}|{{other}}||{&#60;x&#62;}|{{error"
        );
        let nested = render_known("{{error}}", &names, |_| Some("{{error}}"));
        assert_eq!(nested, "{{error}}", "values are not rescanned");
    }

    #[test]
    fn unknown_placeholders_render_empty() {
        assert_eq!(render_pairs("a{{missing}}b", &[]), "ab");
    }

    #[test]
    fn values_are_not_rescanned() {
        let html = render_pairs("{{a}}", &pairs(&[("a", "{{b}}"), ("b", "<i>")]));
        assert_eq!(html, "{{b}}");
    }

    #[test]
    fn malformed_placeholders_are_literal() {
        assert_eq!(render_pairs("{{", &[]), "{{");
        assert_eq!(render_pairs("{{a", &pairs(&[("a", "x")])), "{{a");
        assert_eq!(render_pairs("{{a b}}", &pairs(&[("a", "x")])), "{{a b}}");
        assert_eq!(render_pairs("{{}}", &[]), "{{}}");
        assert_eq!(render_pairs("{{{a}}}", &pairs(&[("a", "x")])), "{x}");
        assert_eq!(render_pairs("é{{a}}ü", &pairs(&[("a", "ß")])), "éßü");
    }

    #[test]
    fn no_markup_survives_any_value() {
        for v in [
            "<",
            ">",
            "\"",
            "'",
            "&",
            "<img src=x onerror=alert(1)>",
            "</title><script>",
        ] {
            let html = render_pairs("<b>{{v}}</b>", &pairs(&[("v", v)]));
            let inner = &html[3..html.len() - 4];
            assert!(!inner.contains(['<', '>', '"', '\'']), "{inner}");
        }
    }
}
