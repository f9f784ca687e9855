//! A fast reader for the plain block YAML that tools write: conda-lock and pixi lockfiles, `conda env export`.
//!
//! `saphyr-parser` scans YAML one character at a time through a look-ahead buffer: about 200 instructions per byte
//! of a lockfile. Machine-written lockfiles use a small part of YAML, so this reader handles that part line by
//! line and builds the same tree, spans included, as [`super::parse`] builds from saphyr's events. On anything else
//! it gives up (`None`) and the full parser reads the file, so what it accepts is decided conservatively:
//!
//! - printable ASCII text and newlines (no tabs, carriage returns or byte order mark);
//! - block mappings and block sequences (indented or not under their key), one entry per line, at most
//!   [`MAX_DEPTH`] levels;
//! - single-line scalars: plain (not starting with an indicator, without `: ` inside a value), single-quoted, and
//!   double-quoted without escapes; empty values; the empty flow collections `[]` and `{}` at the end of their
//!   line;
//! - comments on their own lines and after values.
//!
//! Anchors, aliases, tags, block scalars, multi-line scalars, non-empty flow collections, explicit keys,
//! directives and document markers all make it give up. A differential test holds it to the full parser's tree on
//! every YAML fixture and on generated documents.

use nplint_diagnostics::Span;
use saphyr_parser::ScalarStyle;

use super::{MAX_DEPTH, Node, Scalar};

/// The tree of `source`, or `None` when the text leaves the subset this reader handles.
pub(crate) fn parse(source: &str) -> Option<Node> {
    let bytes = source.as_bytes();
    // saphyr refuses control characters; tabs and carriage returns have rules of their own.
    // Without an early exit, so that the compiler vectorizes the scan.
    let unprintable = bytes.iter().fold(0u8, |found, &b| {
        found | u8::from(b >= 0x7f || (b < 0x20 && b != b'\n'))
    });
    if unprintable != 0 {
        return None;
    }
    let mut reader = Reader {
        source,
        bytes,
        at: 0,
        line: None,
    };
    reader.advance();
    let first = reader.line?;
    if first.column != 0 || reader.is_sequence_entry(first) {
        return None;
    }
    let root = reader.mapping(first, 0)?;
    // Everything was consumed: a line left over is less indented than the root, which cannot be.
    reader.line.is_none().then_some(root)
}

/// One line's content: where it starts (after the indentation) and its column.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    column: usize,
}

struct Reader<'a> {
    source: &'a str,
    bytes: &'a [u8],
    /// Where the next line to read starts.
    at: usize,
    /// The current line with content (not blank, not only a comment); `None` at the end.
    line: Option<Line>,
}

impl Reader<'_> {
    /// Moves to the next line with content.
    fn advance(&mut self) {
        while self.at < self.bytes.len() {
            let start = self.at;
            let end = memchr::memchr(b'\n', &self.bytes[start..])
                .map_or(self.bytes.len(), |at| start + at);
            self.at = (end + 1).min(self.bytes.len());
            let indent = self.bytes[start..end]
                .iter()
                .take_while(|&&b| b == b' ')
                .count();
            let content = start + indent;
            if content == end || self.bytes[content] == b'#' {
                continue;
            }
            self.line = Some(Line {
                start: content,
                column: indent,
            });
            return;
        }
        self.line = None;
    }

    /// Where the current line ends (its newline, or the end of the text).
    fn line_end(&self, from: usize) -> usize {
        memchr::memchr(b'\n', &self.bytes[from..]).map_or(self.bytes.len(), |at| from + at)
    }

    /// Where the next token starts: the current line's content, or the end of the text. Collections end there.
    fn next_token(&self) -> usize {
        self.line.map_or(self.bytes.len(), |line| line.start)
    }

    fn is_sequence_entry(&self, line: Line) -> bool {
        self.bytes[line.start] == b'-'
            && self
                .bytes
                .get(line.start + 1)
                .is_none_or(|&b| b == b' ' || b == b'\n')
    }

    /// A block mapping whose first key starts at `first` (on the current line, or after a sequence entry's `- `).
    fn mapping(&mut self, first: Line, depth: usize) -> Option<Node> {
        // One level below the full parser's limit leaves room for an empty flow collection inside.
        if depth + 1 >= MAX_DEPTH {
            return None;
        }
        let mut entries = Vec::new();
        let mut line = first;
        loop {
            let (key, after_colon) = self.key(line)?;
            let value = self.value(line, after_colon, depth)?;
            entries.push((Node::Scalar(key), value));
            match self.line {
                Some(next) if next.column == line.column && !self.is_sequence_entry(next) => {
                    line = next;
                }
                Some(next) if next.column >= line.column => return None,
                _ => break,
            }
        }
        Some(Node::Mapping(
            entries,
            Span::from_range(first.start..self.next_token()),
        ))
    }

    /// A mapping key at `line.start`, and the offset just after its `:`.
    fn key(&self, line: Line) -> Option<(Scalar, usize)> {
        let end = self.line_end(line.start);
        let (scalar, after) = match self.bytes[line.start] {
            b'\'' | b'"' => self.quoted(line.start, end)?,
            _ => {
                let text = &self.source[line.start..end];
                let colon = mapping_colon(text)?;
                let key = text[..colon].trim_end_matches(' ');
                if !is_plain(key) || before_comment(key).len() != key.len() || key.len() > 1024 {
                    return None;
                }
                let scalar = plain(line.start, key);
                (scalar, line.start + colon)
            }
        };
        // The key's own `:` must follow (after spaces, for a quoted key).
        let colon = after
            + self.bytes[after..end]
                .iter()
                .take_while(|&&b| b == b' ')
                .count();
        (self.bytes.get(colon) == Some(&b':')
            && self
                .bytes
                .get(colon + 1)
                .is_none_or(|&b| b == b' ' || b == b'\n'))
        .then_some((scalar, colon + 1))
    }

    /// The value of the key on `line` whose `:` ends just before `after_colon`; moves past it.
    fn value(&mut self, line: Line, after_colon: usize, depth: usize) -> Option<Node> {
        let end = self.line_end(after_colon);
        let rest = &self.source[after_colon..end];
        let trimmed = rest.trim_start_matches(' ');
        if trimmed.is_empty() || trimmed.starts_with('#') {
            // The value is on the lines below, or empty.
            self.advance();
            return match self.line {
                Some(next) if next.column > line.column => {
                    if self.is_sequence_entry(next) {
                        self.sequence(next, false, depth + 1)
                    } else {
                        self.mapping(next, depth + 1)
                    }
                }
                Some(next) if next.column == line.column && self.is_sequence_entry(next) => {
                    self.sequence(next, true, depth + 1)
                }
                _ => Some(Node::Scalar(Scalar {
                    value: String::new(),
                    style: ScalarStyle::Plain,
                    inner: Span::empty(after_colon as u32 - 1),
                })),
            };
        }
        let start = end - trimmed.len();
        let node = self.inline(start, end)?;
        self.advance();
        // A more indented line would continue the scalar, or be an error.
        if self.line.is_some_and(|next| next.column > line.column) {
            return None;
        }
        Some(node)
    }

    /// A block sequence whose first `- ` is at `first`; `indentless` when it sits at its key's column.
    fn sequence(&mut self, first: Line, indentless: bool, depth: usize) -> Option<Node> {
        if depth + 1 >= MAX_DEPTH {
            return None;
        }
        let mut items = Vec::new();
        let mut node_start = None;
        let mut line = first;
        loop {
            let end = self.line_end(line.start);
            let content = line.start
                + 1
                + self.bytes[line.start + 1..end]
                    .iter()
                    .take_while(|&&b| b == b' ')
                    .count();
            if content == end || self.bytes[content] == b'#' {
                // An entry whose node is on the lines below, or empty.
                return None;
            }
            node_start.get_or_insert(content);
            let item = Line {
                start: content,
                column: content - line.start + line.column,
            };
            let node = if self.is_sequence_entry(item) {
                return None;
            } else if self.is_mapping_entry(item) {
                self.mapping(item, depth + 1)?
            } else {
                let node = self.inline(content, end)?;
                self.advance();
                if self.line.is_some_and(|next| next.column > line.column) {
                    return None;
                }
                node
            };
            items.push(node);
            match self.line {
                Some(next) if next.column == line.column && self.is_sequence_entry(next) => {
                    line = next;
                }
                // Under a key at the same column, a line that is not an entry is the next key.
                Some(next) if next.column == line.column && !indentless => return None,
                Some(next) if next.column > line.column => return None,
                _ => break,
            }
        }
        // saphyr starts an indented sequence at its first `-`, one at its key's column at its first node.
        let start = if indentless { node_start? } else { first.start };
        Some(Node::Sequence(
            items,
            Span::from_range(start..self.next_token()),
        ))
    }

    /// Whether the text at `line` is a mapping entry (`key: ...`) rather than a scalar.
    fn is_mapping_entry(&self, line: Line) -> bool {
        let end = self.line_end(line.start);
        let text = &self.source[line.start..end];
        let text = before_comment(text);
        match self.bytes[line.start] {
            b'\'' | b'"' => self.quoted(line.start, end).is_some_and(|(_, after)| {
                self.source[after..end]
                    .trim_start_matches(' ')
                    .starts_with(':')
            }),
            _ => mapping_colon(text).is_some(),
        }
    }

    /// A scalar or an empty flow collection from `start` to the end of its line (`end`), with an optional comment.
    fn inline(&self, start: usize, end: usize) -> Option<Node> {
        let text = &self.source[start..end];
        let (node, after) = match self.bytes[start] {
            b'\'' | b'"' => {
                let (scalar, after) = self.quoted(start, end)?;
                (Node::Scalar(scalar), after)
            }
            b'[' | b'{' => {
                let close = if self.bytes[start] == b'[' {
                    b']'
                } else {
                    b'}'
                };
                if self.bytes.get(start + 1) != Some(&close) {
                    return None;
                }
                // saphyr's span of a flow collection runs on over what follows it on the line.
                if start + 2 != end {
                    return None;
                }
                let span = Span::from_range(start..start + 2);
                let node = if close == b']' {
                    Node::Sequence(Vec::new(), span)
                } else {
                    Node::Mapping(Vec::new(), span)
                };
                (node, start + 2)
            }
            _ => {
                let value = before_comment(text).trim_end_matches(' ');
                // `: ` or a final `:` would make a mapping entry of it.
                if !is_plain(value) || mapping_colon(value).is_some() {
                    return None;
                }
                (Node::Scalar(plain(start, value)), start + value.len())
            }
        };
        // Only spaces, then a comment or the end of the line, may follow.
        let rest = self.source[after..end].trim_start_matches(' ');
        let spaced = rest.len() < end - after;
        (rest.is_empty() || (spaced && rest.starts_with('#'))).then_some(node)
    }

    /// A quoted scalar opening at `start`, closed on its line; and the offset after its closing quote.
    fn quoted(&self, start: usize, end: usize) -> Option<(Scalar, usize)> {
        let quote = self.bytes[start];
        let body = &self.source[start + 1..end];
        let (close, value, style) = if quote == b'\'' {
            let mut value = String::new();
            let mut rest = body;
            let mut offset = 0;
            loop {
                let at = rest.find('\'')?;
                value.push_str(&rest[..at]);
                if rest.as_bytes().get(at + 1) == Some(&b'\'') {
                    value.push('\'');
                    rest = &rest[at + 2..];
                    offset += at + 2;
                } else {
                    break (offset + at, value, ScalarStyle::SingleQuoted);
                }
            }
        } else {
            let at = body.find(['"', '\\'])?;
            if body.as_bytes()[at] == b'\\' {
                return None;
            }
            (at, body[..at].to_owned(), ScalarStyle::DoubleQuoted)
        };
        let inner = Span::from_range(start + 1..start + 1 + close);
        Some((
            Scalar {
                value,
                style,
                inner,
            },
            start + 1 + close + 1,
        ))
    }
}

/// The first `:` of `text` that ends a mapping key: followed by a space or the end of the text.
fn mapping_colon(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b':', bytes).find(|&at| bytes.get(at + 1).is_none_or(|&b| b == b' '))
}

/// `text` up to a comment: a `#` after a space.
fn before_comment(text: &str) -> &str {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'#', bytes)
        .find(|&at| at > 0 && bytes[at - 1] == b' ')
        .map_or(text, |at| &text[..at - 1])
}

/// Whether `text` is a plain scalar YAML reads as written: not empty, not starting with an indicator.
fn is_plain(text: &str) -> bool {
    let Some(&first) = text.as_bytes().first() else {
        return false;
    };
    !matches!(
        first,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b' '
    )
}

fn plain(start: usize, text: &str) -> Scalar {
    Scalar {
        value: text.to_owned(),
        style: ScalarStyle::Plain,
        inner: Span::from_range(start..start + text.len()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use proptest::prelude::*;

    use super::*;

    /// The fast reader either gives up or builds exactly the full parser's tree.
    fn agrees(source: &str) -> Result<bool, String> {
        let Some(fast) = parse(source) else {
            return Ok(false);
        };
        match super::super::parse_full(source) {
            Ok((Some(full), None)) if format!("{full:?}") == format!("{fast:?}") => Ok(true),
            Ok((full, extra)) => Err(format!(
                "the trees differ\nfast: {fast:?}\nfull: {full:?} (second document: {extra:?})"
            )),
            Err(error) => Err(format!("the full parser refuses it: {}", error.message)),
        }
    }

    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                files(&path, out);
            } else {
                out.push(path);
            }
        }
    }

    /// Every YAML file of the repository's fixtures, examples and fuzzing seeds (and, where fuzzing ran, its
    /// corpus).
    #[test]
    fn agrees_with_the_full_parser_on_every_yaml_file() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut paths = Vec::new();
        for dir in [
            "crates/nplint-manifest/tests/fixtures",
            "tests",
            "examples",
            "fuzz/corpus/conda_environment",
            "fuzz/corpus/conda_lock",
            "fuzz/corpus/pixi_lock",
        ] {
            files(&root.join(dir), &mut paths);
        }
        let yaml = |path: &Path| {
            path.extension()
                .is_some_and(|ext| ext == "yml" || ext == "yaml")
                || path.file_name().is_some_and(|name| name == "pixi.lock")
                || path.components().any(|part| part.as_os_str() == "corpus")
        };
        let mut read = 0;
        let mut refused = Vec::new();
        for path in paths.iter().filter(|path| yaml(path)) {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            read += 1;
            match agrees(&text) {
                Ok(true) => {}
                Ok(false) => refused.push(path.strip_prefix(&root).unwrap_or(path).to_owned()),
                Err(message) => panic!("{}: {message}", path.display()),
            }
        }
        assert!(read >= 40, "only {read} YAML files found");
        // What the tools wrote is what the fast reader is for.
        for written_by_tools in [
            "crates/nplint-manifest/tests/fixtures/conda-lock/conda-forge-four-platforms.yml",
            "crates/nplint-manifest/tests/fixtures/pixi-lock/cydr-linux-64.lock",
            "crates/nplint-manifest/tests/fixtures/pixi-lock/multi-platform.lock",
            "crates/nplint-manifest/tests/fixtures/pixi-lock/v5-kind.lock",
            "tests/cmd/inputs/lockfiles/pixi/pixi.lock",
            "examples/conda-tensorflow/environment.yml",
        ] {
            assert!(
                !refused
                    .iter()
                    .any(|path| path == Path::new(written_by_tools)),
                "the fast reader gave up on {written_by_tools}"
            );
        }
    }

    #[test]
    fn reads_a_lockfile_shape() {
        let text = "# generated\nversion: 1\nmetadata:\n  platforms:\n  - linux-64  # x\n  - osx-arm64\n  \
                    env: []\n  hash: {}\n\npackage:\n- name: numpy\n  version: '1.26.4'\n  url: \
                    https://conda.invalid/linux-64/numpy-1.26.4-py311_0.conda\n  hash:\n    md5: \"abc\"\n  \
                    optional:\n\n- name: 'it''s'\n  depends:\n    - python >=3.11,<3.12\nlast: x\n";
        assert_eq!(agrees(text), Ok(true));
    }

    #[test]
    fn gives_up_outside_its_subset() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n  text\n",
            "a: plain\n  continued\n",
            "a: [1, 2]\n",
            "a: \"esc\\n\"\n",
            "---\na: 1\n",
            "a: 1\n---\nb: 2\n",
            "? a\n: 1\n",
            "a:\tb\n",
            "a: 1\r\n",
            "- a\n- b\n",
            "a: b: c\n",
            "a: 'open\n  close'\n",
            "a: é\n",
        ] {
            assert_eq!(parse(text).map(|_| ()), None, "{text:?}");
        }
    }

    /// A block YAML document in the reader's subset, with the odd line that leaves it.
    fn document() -> impl Strategy<Value = String> {
        let scalar = prop_oneof![
            "[a-z][a-z0-9._/:=<>,-]{0,12}",
            "'[a-z :#'-]{0,8}'",
            "\"[a-z :#']{0,8}\"",
            Just("[]".to_owned()),
            Just("{}".to_owned()),
            Just(String::new()),
            "[a-z]{1,3}: [a-z]{1,3}",
            "[!&*|>%@?-][a-z]{0,3}",
        ];
        let line = (
            0usize..4,
            prop_oneof![Just("- "), Just(""), Just("-  ")],
            prop_oneof![Just(""), Just("k"), Just("name"), Just("'q'")],
            prop_oneof![Just(": "), Just(":"), Just(""), Just("  : ")],
            scalar,
            prop_oneof![Just(""), Just("  # c"), Just(" #c"), Just("#c"), Just("  ")],
            prop_oneof![
                Just("\n"),
                Just("\n\n"),
                Just("\n# note\n"),
                Just("\n   \n")
            ],
        )
            .prop_map(|(indent, dash, key, colon, value, comment, end)| {
                format!(
                    "{}{dash}{key}{colon}{value}{comment}{end}",
                    "  ".repeat(indent)
                )
            });
        proptest::collection::vec(line, 1..12).prop_map(|lines| lines.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn agrees_on_generated_documents(text in document()) {
            prop_assert_eq!(agrees(&text).map(|_| ()), Ok(()), "{:?}", text);
        }

        #[test]
        fn agrees_on_mutated_lockfile_text(cut in 0usize..400, insert in "[ a:#'\"\\n-]{0,3}") {
            let base = "version: 1\nmetadata:\n  platforms:\n  - linux-64\npackage:\n- name: numpy\n  version: '1.26.4'\n  hash:\n    md5: abc\n  optional: false\n- name: scipy\n  dependencies: {}\n  url: https://x.invalid/a.conda\n";
            let cut = cut.min(base.len());
            let text = format!("{}{insert}{}", &base[..cut], &base[cut..]);
            prop_assert_eq!(agrees(&text).map(|_| ()), Ok(()), "{:?}", text);
        }
    }
}
