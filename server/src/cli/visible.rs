//! Text from files and the cluster made safe to print: control characters, DEL and
//! bidirectional overrides written as escapes, so a terminal shows them and obeys none.

use std::borrow::Cow;

/// Whether `c` could change what a terminal shows beyond printing a glyph: C0 and C1
/// controls, DEL, and the bidirectional overrides and isolates ("Trojan Source").
pub(super) fn hidden(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character but the tab (newlines included) written as a Rust
/// escape: `\u{1b}`.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if hidden(c) { c.escape_unicode().to_string() } else { c.to_string() })
            .collect(),
    )
}

/// [`visible`] line by line: a message of several lines keeps its line breaks.
pub fn visible_lines_of(s: &str) -> String {
    s.split('\n').map(visible).collect::<Vec<_>>().join("\n")
}
