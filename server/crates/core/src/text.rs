//! Byte offsets to lines. Positions in the core are byte offsets into the document's
//! text; the LSP layer (which owns UTF-16) and the CLI (1-based character columns)
//! convert from here.

/// Start offsets of every line of a text. `\n` ends a line; a `\r` before it belongs to
/// the line's terminator, not its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts, len: text.len() }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 0-based line holding `offset` and the byte offset within it. Offsets past the
    /// end clamp to the end.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        (line, offset - self.starts[line])
    }

    /// Byte offset where 0-based `line` starts (the text's end for lines past it).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// Byte range of `line`'s content, without its `\n` or `\r\n`.
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self.line_start(line);
        let mut end = self.starts.get(line + 1).map_or(self.len, |&s| s - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }
}

/// 1-based line and 1-based column counted in Unicode scalar values, as compilers and
/// SARIF viewers show them.
pub fn human_position(text: &str, index: &LineIndex, offset: usize) -> (usize, usize) {
    let (line, byte_col) = index.line_col(offset);
    let start = index.line_start(line);
    let mut end = (start + byte_col).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (line + 1, text[start..end].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "a𐐀b\r\nc\n\nd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col(0), (0, 0));
        assert_eq!(idx.line_col(5), (0, 5)); // 'b' after a 4-byte char
        assert_eq!(idx.line_col(8), (1, 0)); // 'c'
        assert_eq!(idx.line_col(10), (2, 0));
        assert_eq!(idx.line_col(999), (3, 1));
        assert_eq!(idx.line_range(text, 0), 0..6);
        assert_eq!(&text[idx.line_range(text, 1)], "c");
        assert_eq!(&text[idx.line_range(text, 2)], "");
        assert_eq!(human_position(text, &idx, 5), (1, 3));
        assert_eq!(human_position(text, &idx, 8), (2, 1));
    }
}
