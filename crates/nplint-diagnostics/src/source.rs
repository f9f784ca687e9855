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
///
/// A source file is either whole (what the readers parse) or an excerpt of one ([`SourceFile::excerpt`]): the
/// lines a finding shows and a few around them, at their original byte offsets, so that a finding does not keep a
/// large file alive until the report is printed. Positions, slices and windows work alike on both.
pub struct SourceFile {
    path: PathBuf,
    /// The encoding the file's bytes were decoded from.
    encoding: Encoding,
    /// The whole text, or for an excerpt its pieces one after another.
    text: String,
    /// For a whole file, the byte offset of every line start; empty for an excerpt.
    line_starts: Vec<u32>,
    /// For an excerpt, the kept pieces in order; empty for a whole file.
    pieces: Vec<Piece>,
    /// The length of the whole text.
    len: u32,
    /// The number of lines of the whole text (see [`SourceFile::line_count`]).
    lines: u32,
}

/// The character encoding a file was read in: what its bytes were decoded from, so that text written back to it can
/// be encoded the same way. A byte order mark is not part of it: the decoded text keeps the mark as `U+FEFF`.
/// Serialized by Python's name for the codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum Encoding {
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-16-le")]
    Utf16Le,
    #[serde(rename = "utf-16-be")]
    Utf16Be,
    #[serde(rename = "utf-32-le")]
    Utf32Le,
    #[serde(rename = "utf-32-be")]
    Utf32Be,
    /// ISO-8859-1: each byte is the code point of the same number.
    #[serde(rename = "latin-1")]
    Latin1,
    #[serde(rename = "ascii")]
    Ascii,
    /// Windows code page 1252 as Python defines it (five bytes undefined).
    #[serde(rename = "cp1252")]
    Cp1252,
}

impl Encoding {
    /// The name Python's codecs give it, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf16Le => "UTF-16-LE",
            Self::Utf16Be => "UTF-16-BE",
            Self::Utf32Le => "UTF-32-LE",
            Self::Utf32Be => "UTF-32-BE",
            Self::Latin1 => "latin-1",
            Self::Ascii => "ASCII",
            Self::Cp1252 => "cp1252",
        }
    }

    pub fn is_utf8(&self) -> bool {
        *self == Self::Utf8
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A run of whole lines kept by an excerpt.
#[derive(Debug, Clone, Copy)]
struct Piece {
    /// Where the piece starts in the whole text: a line start.
    offset: u32,
    /// Its first line, 0-based.
    line: u32,
    /// Where its bytes start in the excerpt's `text`.
    at: u32,
    len: u32,
}

impl Piece {
    /// Whether the piece holds `offset`; its end offset (the next line's start, or the end of the text) counts.
    fn holds(self, offset: u32) -> bool {
        self.offset <= offset && offset <= self.offset + self.len
    }
}

/// The kept text around a span: the whole text of a whole file, or the piece of an excerpt that holds the span.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    pub text: &'a str,
    /// Where `text` starts in the whole text (a line start).
    pub offset: u32,
    /// The 0-based line `text` starts on.
    pub line: u32,
}

impl SourceFile {
    /// Index `text`.
    ///
    /// # Panics
    /// If `text` is 4 GiB or longer. Callers cap inputs far below that before reading them.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<Self> {
        Self::decoded(path, text, Encoding::Utf8)
    }

    /// Index `text`, decoded from a file in `encoding`.
    ///
    /// # Panics
    /// If `text` is 4 GiB or longer, as [`SourceFile::new`].
    pub fn decoded(
        path: impl Into<PathBuf>,
        text: impl Into<String>,
        encoding: Encoding,
    ) -> Arc<Self> {
        let text = text.into();
        let len = u32::try_from(text.len()).expect("source files are capped far below 4 GiB");
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        let lines = if text.ends_with('\n') {
            line_starts.len() - 1
        } else {
            line_starts.len()
        } as u32;
        Arc::new(Self {
            path: path.into(),
            encoding,
            text,
            line_starts,
            pieces: Vec::new(),
            len,
            lines,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The encoding the file was decoded from.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The whole text, for the readers. An excerpt has no whole text: this is then its pieces one after another,
    /// at offsets that mean nothing; use [`SourceFile::slice`], [`SourceFile::window`] and
    /// [`SourceFile::position`], which work on both.
    pub fn text(&self) -> &str {
        debug_assert!(
            !self.is_excerpt(),
            "the whole text of an excerpt was asked for"
        );
        &self.text
    }

    /// The length of the whole text, in bytes.
    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn is_excerpt(&self) -> bool {
        !self.pieces.is_empty()
    }

    /// Number of lines; a trailing newline does not open a new line.
    pub fn line_count(&self) -> usize {
        self.lines as usize
    }

    /// The position of a byte offset. Offsets inside a multi-byte character are rounded down to its start;
    /// offsets past the end are clamped to the end (in an excerpt, offsets outside its pieces to the nearest
    /// piece).
    pub fn position(&self, offset: u32) -> Position {
        let window = self.window_at(offset);
        let mut offset = offset.clamp(window.offset, window.offset + window.text.len() as u32);
        let mut relative = (offset - window.offset) as usize;
        while !window.text.is_char_boundary(relative) {
            relative -= 1;
            offset -= 1;
        }
        let (line, line_start) = if self.is_excerpt() {
            let before = &window.text[..relative];
            let newlines = before.bytes().filter(|&b| b == b'\n').count() as u32;
            let start = before.rfind('\n').map_or(0, |at| at + 1);
            (window.line + newlines, start)
        } else {
            let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
            (line as u32, self.line_starts[line] as usize)
        };
        let mut prefix = &window.text[line_start..relative];
        if line == 0 {
            // Editors do not count a byte order mark as a column.
            prefix = prefix.strip_prefix(BOM).unwrap_or(prefix);
        }
        Position {
            line: line + 1,
            column: prefix.chars().count() as u32 + 1,
            offset,
        }
    }

    /// The kept text that holds `span`, `None` when an excerpt does not hold all of it.
    pub fn window(&self, span: Span) -> Option<Window<'_>> {
        if !self.is_excerpt() {
            return (span.end <= self.len).then(|| self.whole_window());
        }
        self.pieces
            .iter()
            .find(|piece| piece.holds(span.start) && piece.holds(span.end))
            .map(|&piece| self.piece_window(piece))
    }

    /// The text `span` covers; empty when it is not kept or does not fall on character boundaries.
    pub fn slice(&self, span: Span) -> &str {
        self.window(span)
            .and_then(|window| {
                let start = (span.start - window.offset) as usize;
                let end = (span.end - window.offset) as usize;
                window.text.get(start..end)
            })
            .unwrap_or_default()
    }

    /// An excerpt of this file that keeps the lines `spans` touch and `context` lines around each: whole lines,
    /// with runs that meet or nearly meet (so that what a renderer merges into one snippet lies in one piece)
    /// joined. The file itself when the excerpt would keep most of it, and when it is an excerpt already.
    pub fn excerpt(
        self: &Arc<Self>,
        spans: impl IntoIterator<Item = Span>,
        context: u32,
    ) -> Arc<Self> {
        if self.is_excerpt() || self.line_starts.len() <= 1 {
            return Arc::clone(self);
        }
        let last_line = self.line_starts.len() as u32 - 1;
        let line_of =
            |offset: u32| self.line_starts.partition_point(|&start| start <= offset) as u32 - 1;
        let mut runs: Vec<(u32, u32)> = spans
            .into_iter()
            .map(|span| {
                let start = span.start.min(self.len);
                let end = span.end.min(self.len).max(start);
                (
                    line_of(start).saturating_sub(context),
                    (line_of(end) + context).min(last_line),
                )
            })
            .collect();
        runs.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(runs.len());
        for (first, last) in runs {
            match merged.last_mut() {
                Some((_, previous_last)) if first <= *previous_last + 2 => {
                    *previous_last = (*previous_last).max(last);
                }
                _ => merged.push((first, last)),
            }
        }
        let line_end = |line: u32| {
            self.line_starts
                .get(line as usize + 1)
                .copied()
                .unwrap_or(self.len)
        };
        let kept: u32 = merged
            .iter()
            .map(|&(first, last)| line_end(last) - self.line_starts[first as usize])
            .sum();
        if merged.is_empty() || kept >= self.len / 2 {
            return Arc::clone(self);
        }
        let mut text = String::with_capacity(kept as usize);
        let mut pieces = Vec::with_capacity(merged.len());
        for (first, last) in merged {
            let offset = self.line_starts[first as usize];
            let end = line_end(last);
            pieces.push(Piece {
                offset,
                line: first,
                at: text.len() as u32,
                len: end - offset,
            });
            text.push_str(&self.text[offset as usize..end as usize]);
        }
        Arc::new(Self {
            path: self.path.clone(),
            encoding: self.encoding,
            text,
            line_starts: Vec::new(),
            pieces,
            len: self.len,
            lines: self.lines,
        })
    }

    fn whole_window(&self) -> Window<'_> {
        Window {
            text: &self.text,
            offset: 0,
            line: 0,
        }
    }

    fn piece_window(&self, piece: Piece) -> Window<'_> {
        Window {
            text: &self.text[piece.at as usize..(piece.at + piece.len) as usize],
            offset: piece.offset,
            line: piece.line,
        }
    }

    /// The window an offset falls in: the whole text, or the last piece starting at or before it (the first
    /// piece when none does).
    fn window_at(&self, offset: u32) -> Window<'_> {
        if !self.is_excerpt() {
            return self.whole_window();
        }
        let after = self.pieces.partition_point(|piece| piece.offset <= offset);
        self.piece_window(self.pieces[after.saturating_sub(1)])
    }
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("path", &self.path)
            .field("len", &self.len)
            .field("excerpt", &self.is_excerpt())
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
        self.file.slice(self.span)
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

    fn lines(count: usize) -> String {
        use std::fmt::Write;

        (1..=count).fold(String::new(), |mut text, n| {
            let _ = writeln!(text, "line {n}: numpy>={n}");
            text
        })
    }

    #[test]
    fn an_excerpt_keeps_the_lines_around_its_spans_at_their_offsets() {
        let text = lines(1000);
        let file = SourceFile::new("big.txt", text.clone());
        let near_start = Span::from_range(
            text.find("numpy>=3\n").unwrap()..text.find("numpy>=3\n").unwrap() + 8,
        );
        let far = text.find("line 900:").unwrap();
        let far = Span::from_range(far..far + 8);
        let excerpt = file.excerpt([near_start, far], 1);
        assert!(excerpt.is_excerpt());
        assert_eq!(excerpt.len(), file.len());
        assert_eq!(excerpt.line_count(), 1000);
        assert!(excerpt.text.len() < 200, "kept lines 2-4 and 899-901 only");
        for span in [near_start, far] {
            assert_eq!(excerpt.slice(span), file.slice(span));
            assert_eq!(excerpt.position(span.start), file.position(span.start));
            assert_eq!(excerpt.position(span.end), file.position(span.end));
        }
        let window = excerpt.window(far).unwrap();
        assert_eq!((window.line, window.text.lines().count()), (898, 3));
        assert!(window.text.starts_with("line 899:"));
        assert!(
            excerpt
                .window(Span::new(near_start.start, far.end))
                .is_none(),
            "two pieces"
        );
    }

    #[test]
    fn an_excerpt_joins_runs_that_nearly_meet_and_keeps_a_small_file_whole() {
        let text = lines(100);
        let file = SourceFile::new("r.txt", text.clone());
        let at = |line: usize| {
            let start = text.find(&format!("line {line}:")).unwrap();
            Span::from_range(start..start + 4)
        };
        // Lines 10 and 14 with one line of context: 9-11 and 13-15, one line apart, are one piece.
        let excerpt = file.excerpt([at(10), at(14)], 1);
        assert!(
            excerpt
                .window(Span::new(at(10).start, at(14).end))
                .is_some()
        );
        assert_eq!(excerpt.pieces.len(), 1);
        // Most of the file: kept whole, the same allocation.
        let whole = file.excerpt((1..=100).map(at), 1);
        assert!(Arc::ptr_eq(&whole, &file));
        assert!(
            Arc::ptr_eq(&excerpt.excerpt([at(10)], 1), &excerpt),
            "an excerpt is not cut again"
        );
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

        #[test]
        fn an_excerpt_answers_as_its_file_does(
            text in "[a-zé\r\n]{0,300}",
            spans in proptest::collection::vec((0u32..320, 0u32..12), 1..4),
            context in 0u32..3,
        ) {
            let file = SourceFile::new("p", text);
            let spans: Vec<Span> = spans
                .into_iter()
                .map(|(start, len)| {
                    let start = file.position(start.min(file.len())).offset;
                    let end = file.position((start + len).min(file.len())).offset;
                    Span::new(start, end)
                })
                .collect();
            let excerpt = file.excerpt(spans.iter().copied(), context);
            for span in spans {
                proptest::prop_assert!(excerpt.window(span).is_some());
                proptest::prop_assert_eq!(excerpt.slice(span), file.slice(span));
                proptest::prop_assert_eq!(excerpt.position(span.start), file.position(span.start));
                proptest::prop_assert_eq!(excerpt.position(span.end), file.position(span.end));
            }
        }
    }
}
