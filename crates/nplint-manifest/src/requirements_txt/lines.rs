//! From a file's text to the logical lines pip interprets, with every byte still traceable to the file.
//!
//! pip's `preprocess` splits the text with `str.splitlines`, joins lines ending in `\` with the next one, drops
//! comments and strips whitespace (it then expands `${VAR}`, which nplint does not). This module does the same and
//! keeps, for each logical line, a map from its bytes back to byte offsets in the file.

use std::ops::Range;

use nplint_diagnostics::Span;

/// One line as pip sees it after joining continuations.
#[derive(Debug)]
pub(super) struct LogicalLine {
    /// The physical lines joined as pip joins them, comment included.
    pub text: String,
    /// The part pip interprets: `text` without its comment, with surrounding whitespace stripped. Never empty.
    pub content: Range<usize>,
    pub map: OffsetMap,
}

impl LogicalLine {
    /// The text pip interprets.
    pub fn content(&self) -> &str {
        &self.text[self.content.clone()]
    }

    /// The file span of `range`, a byte range of `text`.
    pub fn span(&self, range: Range<usize>) -> Span {
        self.map.span(range)
    }
}

/// How offsets in a logical line's text map to offsets in the file.
#[derive(Debug, Clone)]
pub(super) enum OffsetMap {
    /// Byte-exact: the text is a concatenation of pieces of the file (and of synthetic bytes, which map to an empty
    /// range of the file).
    Pieces(Vec<Piece>),
    /// The text was unescaped from the file (a quoted YAML string): every range maps to the whole of this span.
    Whole(Span),
}

/// A run of a logical line's text copied from the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Piece {
    /// Where the run starts in the logical line's text. It ends where the next piece starts.
    pub text_start: usize,
    pub file_start: usize,
    /// Bytes of the file the run covers: its length, or 0 for a synthetic run.
    pub file_len: usize,
}

impl OffsetMap {
    /// The file span of a byte range of the line's text. A non-empty range maps from its first byte's offset to
    /// just past its last byte's offset, so a range spanning a continuation covers the `\` and line break.
    pub fn span(&self, range: Range<usize>) -> Span {
        match self {
            Self::Whole(span) => *span,
            Self::Pieces(pieces) => {
                let start = Self::offset(pieces, range.start, false);
                let end = if range.end > range.start {
                    Self::offset(pieces, range.end, true).max(start)
                } else {
                    start
                };
                Span::from_range(start..end)
            }
        }
    }

    /// The file offset of text offset `at`. With `end`, `at` is an exclusive end, so it is looked up in the piece
    /// that holds the byte before it.
    fn offset(pieces: &[Piece], at: usize, end: bool) -> usize {
        let lookup = if end { at.saturating_sub(1) } else { at };
        let index = pieces
            .partition_point(|piece| piece.text_start <= lookup)
            .saturating_sub(1);
        pieces.get(index).map_or(0, |piece| {
            piece.file_start + at.saturating_sub(piece.text_start).min(piece.file_len)
        })
    }
}

/// Whether `c` is whitespace to Python's `str.strip()` and to `\s` in `re` (which, unlike Rust, include the ASCII
/// information separators U+001C..U+001F).
pub(super) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Whether `c` ends a line for Python's `str.splitlines()`.
fn is_line_boundary(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{0b}'
            | '\u{0c}'
            | '\u{1c}'
            | '\u{1d}'
            | '\u{1e}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// The lines of `text` as `str.splitlines()` returns them, each with its offset in `text`.
pub(super) fn physical_lines(text: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        if !is_line_boundary(c) {
            continue;
        }
        lines.push((start, &text[start..offset]));
        start = offset + c.len_utf8();
        if c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n') {
            chars.next();
            start += 1;
        }
    }
    if start < text.len() {
        lines.push((start, &text[start..]));
    }
    lines
}

/// Whether a physical line is a comment line to pip's `COMMENT_RE.match`: `#` after nothing but whitespace.
fn is_comment_line(line: &str) -> bool {
    line.trim_start_matches(is_py_space).starts_with('#')
}

/// Where a line's comment starts, as pip's `COMMENT_RE` (`(^|\s+)#.*$`) finds it: at the first `#` that starts
/// the line or follows whitespace.
pub(super) fn comment_start(line: &str) -> Option<usize> {
    let mut previous = None;
    for (offset, c) in line.char_indices() {
        if c == '#' && previous.is_none_or(is_py_space) {
            return Some(offset);
        }
        previous = Some(c);
    }
    None
}

/// Split `text`, which starts at byte `base` of its file, into the logical lines pip interprets. Lines that are
/// empty once comments and whitespace are gone are dropped.
pub(super) fn logical_lines(text: &str, base: usize) -> Vec<LogicalLine> {
    let mut lines = Vec::new();
    let mut pending: Option<(String, Vec<Piece>)> = None;
    for (start, line) in physical_lines(text) {
        let comment = is_comment_line(line);
        if line.ends_with('\\') && !comment {
            // pip's `line.strip("\\")` removes backslashes at both ends of a continued line.
            let stripped = line.trim_matches('\\');
            let leading = line.len() - line.trim_start_matches('\\').len();
            let (joined, pieces) = pending.get_or_insert_with(Default::default);
            push_piece(joined, pieces, stripped, base + start + leading);
            continue;
        }
        let (mut joined, mut pieces) = pending.take().unwrap_or_default();
        if comment && !joined.is_empty() {
            // pip prefixes a comment line with a space so that its `#` still starts a comment once joined.
            pieces.push(Piece {
                text_start: joined.len(),
                file_start: base + start,
                file_len: 0,
            });
            joined.push(' ');
        }
        push_piece(&mut joined, &mut pieces, line, base + start);
        lines.extend(finish(joined, pieces));
    }
    if let Some((joined, pieces)) = pending {
        lines.extend(finish(joined, pieces));
    }
    lines
}

fn push_piece(joined: &mut String, pieces: &mut Vec<Piece>, text: &str, file_start: usize) {
    if text.is_empty() {
        return;
    }
    pieces.push(Piece {
        text_start: joined.len(),
        file_start,
        file_len: text.len(),
    });
    joined.push_str(text);
}

/// Strip the comment and surrounding whitespace; `None` when nothing is left.
fn finish(text: String, pieces: Vec<Piece>) -> Option<LogicalLine> {
    let end = comment_start(&text).unwrap_or(text.len());
    let kept = &text[..end];
    let trimmed_start = kept.len() - kept.trim_start_matches(is_py_space).len();
    let trimmed_end = kept.trim_end_matches(is_py_space).len();
    (trimmed_end > trimmed_start).then_some(LogicalLine {
        content: trimmed_start..trimmed_end,
        map: OffsetMap::Pieces(pieces),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(text: &str) -> Vec<String> {
        logical_lines(text, 0)
            .iter()
            .map(|line| line.content().to_owned())
            .collect()
    }

    /// The file text each logical line's content covers.
    fn covered(text: &str) -> Vec<&str> {
        logical_lines(text, 0)
            .iter()
            .map(|line| &text[line.span(line.content.clone()).range()])
            .collect()
    }

    #[test]
    fn splitlines_like_python() {
        let lines: Vec<_> = physical_lines("a\r\nb\rc\nd\u{2028}e\u{0c}f\n")
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        assert_eq!(lines, ["a", "b", "c", "d", "e", "f"]);
        assert_eq!(physical_lines("a\n\nb").len(), 3);
        assert!(physical_lines("").is_empty());
        assert_eq!(physical_lines("\n"), [(0, "")]);
    }

    #[test]
    fn comments_need_whitespace_before_the_hash() {
        assert_eq!(comment_start("# all"), Some(0));
        assert_eq!(comment_start("numpy # pinned"), Some(6));
        assert_eq!(comment_start("numpy\t#pinned"), Some(6));
        assert_eq!(
            comment_start("pkg @ https://example.invalid/x.whl#sha256=abc"),
            None
        );
        assert_eq!(comment_start("a#b #c"), Some(4));
        assert_eq!(
            comment_start("numpy\u{a0}# nbsp is whitespace to Python"),
            Some(7)
        );
        assert_eq!(
            contents("numpy==1.26  # pinned\n  # indented comment\n\n\t\nscipy#not-a-comment\n"),
            ["numpy==1.26", "scipy#not-a-comment"]
        );
    }

    #[test]
    fn continuations_join_and_map_back() {
        let text = "numpy \\\n  >=1.20 \\\n  ,<2\nscipy\n";
        assert_eq!(contents(text), ["numpy   >=1.20   ,<2", "scipy"]);
        assert_eq!(covered(text), ["numpy \\\n  >=1.20 \\\n  ,<2", "scipy"]);
        let lines = logical_lines(text, 0);
        let line = &lines[0];
        let at = line.text.find(">=1.20").unwrap();
        assert_eq!(&text[line.span(at..at + 6).range()], ">=1.20");
        assert_eq!(
            line.span(at..at),
            Span::empty(text.find(">=").unwrap() as u32)
        );
    }

    #[test]
    fn continuation_then_comment_line_ends_the_requirement() {
        // pip joins a comment line to a continued line, prefixing a space so that the comment is dropped.
        assert_eq!(contents("numpy\\\n# comment\nscipy"), ["numpy", "scipy"]);
        assert_eq!(covered("numpy\\\n# comment\nscipy"), ["numpy", "scipy"]);
        // A comment line ending in `\` does not continue.
        assert_eq!(contents("# note \\\nnumpy"), ["numpy"]);
        // An inline comment before a `\` swallows the next line, as in pip.
        assert_eq!(
            contents("numpy # pinned \\\nscipy\npandas"),
            ["numpy", "pandas"]
        );
    }

    #[test]
    fn continuation_at_end_of_file_and_crlf() {
        assert_eq!(contents("numpy==1.0 \\"), ["numpy==1.0"]);
        let text = "numpy\\\r\n==1.0\r\nscipy\r\n";
        assert_eq!(contents(text), ["numpy==1.0", "scipy"]);
        assert_eq!(covered(text), ["numpy\\\r\n==1.0", "scipy"]);
    }

    #[test]
    fn backslashes_are_stripped_at_both_ends_of_a_continued_line() {
        let text = "numpy\\\\\n\\\\==1.0\\\n";
        assert_eq!(contents(text), ["numpy==1.0"]);
        assert_eq!(covered(text), ["numpy\\\\\n\\\\==1.0"]);
    }

    #[test]
    fn trailing_space_after_a_backslash_does_not_continue() {
        assert_eq!(contents("numpy \\ \nscipy"), ["numpy \\", "scipy"]);
    }

    #[test]
    fn base_offset_shifts_spans() {
        let lines = logical_lines("numpy", 3);
        assert_eq!(lines[0].span(lines[0].content.clone()), Span::new(3, 8));
    }

    #[test]
    fn whole_maps_everything_to_one_span() {
        let map = OffsetMap::Whole(Span::new(10, 20));
        assert_eq!(map.span(0..3), Span::new(10, 20));
    }
}
