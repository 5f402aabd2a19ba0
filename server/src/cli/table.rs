//! Aligned tables for the terminal (`clusterls jobs`): pure, rows in, text out. Cells
//! are made visible (no control characters) and padded by characters; a column's colour
//! is added after padding, so alignment holds with or without colour.

use anstyle::Style;

use super::render::visible;

/// One cell: its text and the style it is shown in.
pub struct Cell {
    pub text: String,
    pub style: Style,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell { text: visible(&text.into()).into_owned(), style: Style::new() }
    }

    pub fn styled(text: impl Into<String>, style: Style) -> Cell {
        Cell { style, ..Cell::plain(text) }
    }
}

/// `header` and `rows` with columns two spaces apart; the last column is not padded.
pub fn render(header: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.text.chars().count());
            }
        }
    }
    let bold = Style::new().bold();
    let mut out = String::new();
    let line = |cells: Vec<(&str, Style)>, out: &mut String| {
        let n = cells.len();
        for (i, (text, style)) in cells.into_iter().enumerate() {
            let pad = widths[i].saturating_sub(text.chars().count());
            out.push_str(&format!("{style}{text}{style:#}"));
            if i + 1 < n {
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push('\n');
    };
    line(header.iter().map(|h| (*h, bold)).collect(), &mut out);
    for row in rows {
        line(row.iter().map(|c| (c.text.as_str(), c.style)).collect(), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_control_characters_are_visible() {
        let rows = vec![
            vec![Cell::plain("359"), Cell::plain("RUNNING"), Cell::plain("train")],
            vec![Cell::plain("12"), Cell::plain("FAILED"), Cell::plain("a\u{1b}[2Jb")],
        ];
        let text =
            anstream::adapter::strip_str(&render(&["ID", "STATE", "NAME"], &rows)).to_string();
        expect_test::expect![[r#"
            ID   STATE    NAME
            359  RUNNING  train
            12   FAILED   a\u{1b}[2Jb
        "#]]
        .assert_eq(&text);
    }
}
