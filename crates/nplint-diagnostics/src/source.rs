//! Source text with a line index, byte spans into it, and their conversion to line/column positions.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde::ser::SerializeStruct;

const BOM: char = '\u{feff}';

/// One file's text, as nplint read it, with the byte offset of every line start.
///
/// The path is kept as the user gave it (relative to the working directory when the file was found by
/// discovery), because that is how diagnostics must name it.
pub struct SourceFile {
    path: PathBuf,
    text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// Index `text`.
    ///
    /// # Panics
    /// If `text` is 4 GiB or longer. Callers cap inputs far below that before reading them.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<Self> {
        let text = text.into();
        assert!(
            u32::try_from(text.len()).is_ok(),
            "source files are capped far below 4 GiB"
        );
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        Arc::new(Self {
            path: path.into(),
            text,
            line_starts,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of lines; a trailing newline does not open a new line.
    pub fn line_count(&self) -> usize {
        if self.text.ends_with('\n') {
            self.line_starts.len() - 1
        } else {
            self.line_starts.len()
        }
    }

    /// The position of a byte offset. Offsets inside a multi-byte character are rounded down to its start;
    /// offsets past the end are clamped to the end.
    pub fn position(&self, offset: u32) -> Position {
        let mut offset = offset.min(self.text.len() as u32);
        while !self.text.is_char_boundary(offset as usize) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line] as usize;
        let mut prefix = &self.text[line_start..offset as usize];
        if line == 0 {
            // Editors do not count a byte order mark as a column.
            prefix = prefix.strip_prefix(BOM).unwrap_or(prefix);
        }
        Position {
            line: line as u32 + 1,
            column: prefix.chars().count() as u32 + 1,
            offset,
        }
    }
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("path", &self.path)
            .field("len", &self.text.len())
            .finish_non_exhaustive()
    }
}

/// A half-open byte range `start..end` in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        debug_assert!(start <= end);
        Self { start, end }
    }

    /// An empty span at `offset`.
    pub const fn empty(offset: u32) -> Self {
        Self::new(offset, offset)
    }

    /// Build a span from `usize` offsets of a source that fits in `u32` (see [`SourceFile::new`]).
    pub fn from_range(range: Range<usize>) -> Self {
        Self::new(range.start as u32, range.end as u32)
    }

    /// The span shifted right by `delta` bytes.
    #[must_use]
    pub const fn shift(self, delta: u32) -> Self {
        Self::new(self.start + delta, self.end + delta)
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn cover(self, other: Self) -> Self {
        Self::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub const fn len(self) -> u32 {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub const fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A line/column position: 1-based line, 1-based column in characters, and the byte offset it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
}

/// A span in a particular source file.
#[derive(Clone)]
pub struct Location {
    pub file: Arc<SourceFile>,
    pub span: Span,
}

impl Location {
    pub fn new(file: Arc<SourceFile>, span: Span) -> Self {
        Self { file, span }
    }

    /// The whole-file location used when a finding has no better place: an empty span at the start.
    pub fn file_start(file: Arc<SourceFile>) -> Self {
        Self::new(file, Span::empty(0))
    }

    pub fn start(&self) -> Position {
        self.file.position(self.span.start)
    }

    pub fn end(&self) -> Position {
        self.file.position(self.span.end)
    }

    /// The text the span covers.
    pub fn text(&self) -> &str {
        &self.file.text()[self.span.range()]
    }
}

impl PartialEq for Location {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.file, &other.file) && self.span == other.span
    }
}

impl Eq for Location {}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let start = self.start();
        write!(
            f,
            "{}:{}:{} ({}..{})",
            self.file.path().display(),
            start.line,
            start.column,
            self.span.start,
            self.span.end
        )
    }
}

/// Serialized as `{"path", "start": {line, column, offset}, "end": {...}, "text"}`: the shape of the JSON contract's
/// spans, plus the text covered so that a dump of a parsed file can be reviewed at a glance.
impl Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Location", 4)?;
        s.serialize_field("path", &portable_path(self.file.path()))?;
        s.serialize_field("start", &self.start())?;
        s.serialize_field("end", &self.end())?;
        s.serialize_field("text", self.text())?;
        s.end()
    }
}

/// A path as diagnostics print it: with `/` separators on every platform, so output is the same everywhere.
pub fn portable_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_with_character_columns() {
        let file = SourceFile::new("r.txt", "numpy\r\nnäive>=1\nx");
        assert_eq!(
            file.position(0),
            Position {
                line: 1,
                column: 1,
                offset: 0
            }
        );
        assert_eq!(file.position(5).column, 6, "the \\r belongs to line 1");
        let after_umlaut = "numpy\r\nnä".len() as u32;
        assert_eq!(
            file.position(after_umlaut),
            Position {
                line: 2,
                column: 3,
                offset: after_umlaut
            }
        );
        assert_eq!(file.position(u32::MAX).line, 3, "clamped to the end");
        assert_eq!(file.line_count(), 3);
    }

    #[test]
    fn offsets_inside_a_character_round_down() {
        let file = SourceFile::new("r.txt", "ä");
        assert_eq!(
            file.position(1),
            Position {
                line: 1,
                column: 1,
                offset: 0
            }
        );
    }

    #[test]
    fn bom_is_not_a_column() {
        let file = SourceFile::new("r.txt", "\u{feff}numpy");
        assert_eq!(file.position(3).column, 1);
        assert_eq!(file.position(4).column, 2);
    }

    proptest::proptest! {
        #[test]
        fn position_agrees_with_a_naive_count(text in "[a-zé\r\n]{0,40}", offset in 0u32..60) {
            let file = SourceFile::new("p", text.clone());
            let pos = file.position(offset);
            let prefix = &text[..pos.offset as usize];
            let line = prefix.matches('\n').count() as u32 + 1;
            let column = prefix.rsplit('\n').next().unwrap().chars().count() as u32 + 1;
            proptest::prop_assert_eq!((pos.line, pos.column), (line, column));
        }
    }
}
