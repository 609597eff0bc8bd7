//! HTML page templates with `{{name}}` placeholders.
//!
//! Every substituted value is HTML-escaped and the template is scanned once (a value that
//! itself contains `{{x}}` stays literal text). [`render`] empties unknown placeholders;
//! [`render_known`] (the callback's error page) leaves them as written, as
//! `oauth-callback` does.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::text::split_once;

/// Escapes `& < > " '` so a value is inert inside element content and quoted attributes.
/// Numeric references (`&#60;`), the same bytes `oauth-callback` writes, so a custom page
/// renders identically with either library.
pub fn escape_html(value: &str, out: &mut String) {
    // The text between escaped bytes is copied in runs; every cut is next to an ASCII
    // byte, so on a character boundary.
    let mut run = 0;
    for (i, b) in value.bytes().enumerate() {
        let reference = match b {
            b'&' => "&#38;",
            b'<' => "&#60;",
            b'>' => "&#62;",
            b'"' => "&#34;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(value.get(run..i).unwrap_or_default());
        out.push_str(reference);
        run = i + 1;
    }
    out.push_str(value.get(run..).unwrap_or_default());
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
    // Every cut is next to an ASCII brace, so on a character boundary.
    while let Some((before, after)) = split_once(rest, "{{") {
        out.push_str(before);
        let found = split_once(after, "}}")
            .and_then(|(inner, tail)| placeholder(inner).map(|name| (name, tail)));
        match found {
            Some((name, tail)) => {
                if let Some(v) = lookup(name) {
                    escape_html(v, &mut out);
                }
                rest = tail;
            }
            None => {
                out.push('{');
                // Go on from the second brace.
                rest = rest.get(before.len() + 1..).unwrap_or_default();
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

/// The name in `inner`, the text between `{{` and `}}`: letters, digits and `_`, with
/// whitespace (Unicode `White_Space`, as `str::trim` strips) around it allowed.
fn trimmed_name(inner: &str) -> Option<&str> {
    let mut name: Option<(usize, usize)> = None;
    let mut after = false;
    for (i, c) in inner.char_indices() {
        if c.is_ascii_alphanumeric() || c == '_' {
            if after {
                return None;
            }
            name = Some((name.map_or(i, |(start, _)| start), i + 1));
        } else if c.is_whitespace() {
            after = name.is_some();
        } else {
            return None;
        }
    }
    let (start, end) = name?;
    inner.get(start..end)
}

/// Renders `template`, replacing each `{{name}}` (spaces inside the braces allowed) with
/// the escaped value `lookup(name)` gives, or nothing when it gives none. Text that is not
/// a well-formed placeholder is copied unchanged.
pub fn render<'a>(template: &str, lookup: impl Fn(&str) -> Option<&'a str>) -> String {
    scan(template, trimmed_name, lookup)
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
    fn trimmed_name_is_trim_then_name() {
        fn reference(inner: &str) -> Option<&str> {
            let name = inner.trim();
            let ok =
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            ok.then_some(name)
        }
        let parts = [
            "", " ", "\t", "\u{3000}", "\u{85}", "\u{a0}", "\u{200b}", "a", "_", "Z9", "a b", "é",
            "-", "{", "}", "\n", "ab_1",
        ];
        for a in parts {
            for b in parts {
                for c in parts {
                    let inner = alloc::format!("{a}{b}{c}");
                    assert_eq!(trimmed_name(&inner), reference(&inner), "{inner:?}");
                }
            }
        }
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
