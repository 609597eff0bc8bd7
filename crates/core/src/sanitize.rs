//! Making untrusted text safe for a terminal or a log line.

#[allow(unused_imports)]
use crate::prelude::*;

/// Removes control characters (C0, DEL, C1), Unicode bidirectional overrides and whole
/// terminal escape sequences (CSI `ESC [ ... final`, OSC `ESC ] ... BEL|ESC \`, and
/// two-byte `ESC x`), so a value from a redirect cannot move a cursor, recolour a
/// terminal, set a window title or forge a log line. Printable text is kept as it is.
pub fn strip_controls(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                // CSI: parameters and intermediates, then one final byte 0x40-0x7e.
                Some('[') => {
                    for n in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&n) {
                            break;
                        }
                    }
                }
                // OSC, DCS, SOS, PM, APC: up to BEL or ST (ESC \).
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    while let Some(n) = chars.next() {
                        if n == '\u{7}' {
                            break;
                        }
                        if n == '\u{1b}' {
                            if chars.peek() == Some(&'\\') {
                                chars.next();
                            }
                            break;
                        }
                    }
                }
                _ => {}
            },
            // C1 CSI: the same sequence in one code point.
            '\u{9b}' => {
                for n in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&n) {
                        break;
                    }
                }
            }
            c if c.is_control() => {}
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_sequences_and_controls() {
        assert_eq!(strip_controls("a\u{1b}[31;1mred\u{1b}[0m"), "ared");
        assert_eq!(strip_controls("x\u{1b}]0;evil title\u{7}y"), "xy");
        assert_eq!(strip_controls("x\u{1b}]8;;http://e\u{1b}\\link"), "xlink");
        assert_eq!(
            strip_controls("line1\r\nline2\u{0}\u{7f}\u{85}"),
            "line1line2"
        );
        assert_eq!(strip_controls("a\u{9b}2Jb"), "ab");
        assert_eq!(strip_controls("abc\u{202e}cba"), "abccba");
        assert_eq!(strip_controls("trailing\u{1b}"), "trailing");
        assert_eq!(strip_controls("\u{1b}[12;"), "");
        assert_eq!(strip_controls("\u{1b}[1mbold"), "bold");
    }

    #[test]
    fn keeps_printable_text() {
        assert_eq!(
            strip_controls("Access denied: élève 日本 <b>"),
            "Access denied: élève 日本 <b>"
        );
    }
}
