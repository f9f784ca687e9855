//! The documents an editor has open: their text as the editor holds it, changed incrementally, and the conversion
//! between byte offsets (what nplint's spans are) and the protocol's line/character positions.

use std::path::PathBuf;
use std::sync::Arc;

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Url};
use nplint_manifest::Format;

/// How the protocol counts characters within a line: UTF-16 code units unless the client offers UTF-8 (which
/// nplint prefers, its spans being byte offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    fn width(self, c: char) -> u32 {
        match self {
            Self::Utf8 => c.len_utf8() as u32,
            Self::Utf16 => c.len_utf16() as u32,
        }
    }
}

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    pub uri: Url,
    /// The file the URI names.
    pub path: PathBuf,
    /// The format its name says, `None` for a file nplint does not read (no diagnostics).
    pub format: Option<Format>,
    pub version: i32,
    pub text: Arc<str>,
}

impl Document {
    /// Applies the editor's changes in order: a change with a range replaces it, one without replaces the text.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, encoding: Encoding) {
        let mut text = self.text.to_string();
        for change in changes {
            match change.range {
                Some(range) => {
                    let start = offset(&text, range.start, encoding);
                    let end = offset(&text, range.end, encoding).max(start);
                    text.replace_range(start..end, &change.text);
                }
                None => text = change.text,
            }
        }
        self.text = text.into();
    }
}

/// The byte offset of `position` in `text`. A line past the end is the end of the text; a character past the
/// end of its line is the line's end (as the protocol asks).
pub fn offset(text: &str, position: Position, encoding: Encoding) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(newline) => line_start += newline + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |newline| line_start + newline);
    let mut column = 0;
    for (at, c) in text[line_start..line_end].char_indices() {
        if column >= position.character || c == '\r' {
            return line_start + at;
        }
        column += encoding.width(c);
    }
    line_end
}

/// The position of the byte `offset` in `text` (clamped to the text, and back to a character boundary).
pub fn position(text: &str, offset: usize, encoding: Encoding) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let character = before[line_start..]
        .chars()
        .map(|c| encoding.width(c))
        .sum();
    Position { line, character }
}

/// The range of the bytes `start..end` of `text`.
pub fn range(text: &str, start: usize, end: usize, encoding: Encoding) -> Range {
    Range {
        start: position(text, start, encoding),
        end: position(text, end, encoding),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn positions_count_utf16_units_or_bytes() {
        // `é` is 2 bytes and 1 UTF-16 unit; `𝓍` is 4 bytes and 2 units.
        let text = "numpy\r\n# é𝓍 x\nscipy";
        let x = text.rfind('x').unwrap();
        assert_eq!(position(text, x, Encoding::Utf16), pos(1, 6));
        assert_eq!(position(text, x, Encoding::Utf8), pos(1, 9));
        assert_eq!(offset(text, pos(1, 6), Encoding::Utf16), x);
        assert_eq!(offset(text, pos(1, 9), Encoding::Utf8), x);
        // Past the end of a line: its end, before the `\r`.
        assert_eq!(offset(text, pos(0, 40), Encoding::Utf16), 5);
        // Past the last line: the end of the text.
        assert_eq!(offset(text, pos(9, 0), Encoding::Utf16), text.len());
        assert_eq!(position(text, text.len(), Encoding::Utf16), pos(2, 5));
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let mut document = Document {
            uri: Url::parse("file:///p/requirements.txt").unwrap(),
            path: "/p/requirements.txt".into(),
            format: Some(Format::RequirementsTxt),
            version: 1,
            text: "numpy>=1.21\ntensorflow==2.5.0\n".into(),
        };
        let change = |start: Position, end: Position, text: &str| TextDocumentContentChangeEvent {
            range: Some(Range { start, end }),
            range_length: None,
            text: text.to_owned(),
        };
        document.apply(
            vec![
                change(pos(0, 5), pos(0, 11), "==1.19.5"),
                change(pos(1, 0), pos(1, 0), "# pinned\n"),
            ],
            Encoding::Utf16,
        );
        assert_eq!(
            &*document.text,
            "numpy==1.19.5\n# pinned\ntensorflow==2.5.0\n"
        );
        document.apply(
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "scipy\n".to_owned(),
            }],
            Encoding::Utf16,
        );
        assert_eq!(&*document.text, "scipy\n");
    }
}
