//! A small YAML tree with byte spans, built from `saphyr-parser` events, or for the plain block YAML that tools
//! write, by a faster line reader that builds the same tree ([`fast`]).
//!
//! Aliases are kept as [`Node::Alias`] and never expanded, so an alias bomb ("billion laughs") costs no more than
//! its own text. Nesting is capped at [`MAX_DEPTH`] so that neither building nor dropping the tree can exhaust the
//! stack. Only the first document of a stream is read.

mod fast;

use std::borrow::Cow;

use nplint_diagnostics::Span;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

/// Deeper nesting is refused. An environment file needs four levels (`dependencies` > list > `pip` > list).
pub(crate) const MAX_DEPTH: usize = 64;

#[derive(Debug)]
pub(crate) enum Node {
    Scalar(Scalar),
    Sequence(Vec<Node>, Span),
    Mapping(Vec<(Node, Node)>, Span),
    /// `*anchor`: deliberately not expanded.
    Alias(Span),
}

#[derive(Debug)]
pub(crate) struct Scalar {
    /// The value after YAML unquoting and unescaping.
    pub value: String,
    pub style: ScalarStyle,
    /// The value's text in the source: inside the quotes of a quoted scalar.
    pub inner: Span,
}

impl Scalar {
    /// Whether `source[inner]` is exactly `value`, so that offsets into the value are offsets into the source.
    pub fn is_verbatim(&self, source: &str) -> bool {
        source.get(self.inner.range()) == Some(self.value.as_str())
    }

    /// A plain scalar that YAML reads as null, a boolean or a number rather than a string.
    pub fn non_string_kind(&self) -> Option<&'static str> {
        if self.style != ScalarStyle::Plain {
            return None;
        }
        let value = self.value.as_str();
        match value {
            "" | "~" | "null" | "Null" | "NULL" => Some("null"),
            "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => Some("boolean"),
            _ if value.parse::<f64>().is_ok()
                && !value.ends_with('.')
                && !value.starts_with('.') =>
            {
                Some("number")
            }
            _ => None,
        }
    }
}

impl Node {
    pub fn span(&self) -> Span {
        match self {
            Self::Scalar(scalar) => scalar.inner,
            Self::Sequence(_, span) | Self::Mapping(_, span) | Self::Alias(span) => *span,
        }
    }

    /// What the node is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Scalar(scalar) => scalar.non_string_kind().unwrap_or("string"),
            Self::Sequence(..) => "list",
            Self::Mapping(..) => "mapping",
            Self::Alias(_) => "alias",
        }
    }
}

/// Why the text is not a YAML document nplint can read.
#[derive(Debug)]
pub(crate) struct YamlError {
    pub message: String,
    pub span: Span,
}

/// Parse the first document of `source`; `Ok(None)` for a stream without documents (an empty file).
///
/// A second document is reported through `extra_document`, the start of the second document, since conda refuses
/// such files while the first document is still worth checking.
pub(crate) fn parse(source: &str) -> Result<(Option<Node>, Option<Span>), YamlError> {
    if let Some(root) = fast::parse(source) {
        return Ok((Some(root), None));
    }
    parse_full(source)
}

/// [`parse`] with `saphyr-parser` alone, for any YAML.
fn parse_full(source: &str) -> Result<(Option<Node>, Option<Span>), YamlError> {
    let offsets = CharOffsets::new(source);
    let mut parser = Parser::new_from_str(source);
    let mut builder = Builder {
        stack: Vec::new(),
        root: None,
        source,
    };
    let mut documents = 0;
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|error| scan_error(&error, source, &offsets))?;
        let span = offsets.span(span);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Ok((builder.root, Some(span)));
                }
            }
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            event => builder.push(event, span)?,
        }
    }
    Ok((builder.root, None))
}

struct Builder<'a> {
    /// Open collections: the collection, its start, and for a mapping a key waiting for its value.
    stack: Vec<Open>,
    root: Option<Node>,
    source: &'a str,
}

enum Open {
    Sequence(Vec<Node>, Span),
    Mapping(Vec<(Node, Node)>, Span, Option<Node>),
}

impl Builder<'_> {
    fn push(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        message: format!("YAML nesting is deeper than {MAX_DEPTH} levels"),
                        span,
                    });
                }
                self.stack
                    .push(if matches!(event, Event::SequenceStart(..)) {
                        Open::Sequence(Vec::new(), span)
                    } else {
                        Open::Mapping(Vec::new(), span, None)
                    });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Open::Sequence(items, start)) => Node::Sequence(items, start.cover(span)),
                    Some(Open::Mapping(entries, start, _)) => {
                        Node::Mapping(entries, start.cover(span))
                    }
                    // The parser balances its events; an unbalanced end would be its bug, not the user's.
                    None => return Ok(()),
                };
                self.add(node);
                Ok(())
            }
            Event::Scalar(value, style, _, _) => {
                let scalar = self.scalar(value, style, span);
                self.add(Node::Scalar(scalar));
                Ok(())
            }
            Event::Alias(_) => {
                self.add(Node::Alias(span));
                Ok(())
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => Ok(()),
        }
    }

    fn add(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Sequence(items, _)) => items.push(node),
            Some(Open::Mapping(entries, _, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }

    /// The scalar with the span of its value. `saphyr-parser` reports the span of a quoted scalar up to the next
    /// token (trailing blanks and comments included) and of a tagged or anchored scalar from its properties, so the
    /// span is narrowed from the source text.
    fn scalar(&self, value: Cow<'_, str>, style: ScalarStyle, span: Span) -> Scalar {
        let text = &self.source[span.range()];
        let inner = match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let quote = if style == ScalarStyle::SingleQuoted {
                    '\''
                } else {
                    '"'
                };
                text.find(quote)
                    .and_then(|open| {
                        let body = &text[open + 1..];
                        closing_quote(body, quote).map(|close| {
                            let start = span.start as usize + open + 1;
                            Span::from_range(start..start + close)
                        })
                    })
                    .unwrap_or(span)
            }
            ScalarStyle::Plain if text.ends_with(value.as_ref()) && !value.is_empty() => {
                Span::from_range(span.end as usize - value.len()..span.end as usize)
            }
            _ => span,
        };
        Scalar {
            value: value.into_owned(),
            style,
            inner,
        }
    }
}

/// The offset of the quote that closes a quoted scalar whose body starts `body`.
fn closing_quote(body: &str, quote: char) -> Option<usize> {
    let mut chars = body.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        if quote == '"' && c == '\\' {
            chars.next();
        } else if c == quote {
            // `''` is an escaped quote inside a single-quoted scalar.
            if quote == '\'' && chars.peek().is_some_and(|&(_, next)| next == '\'') {
                chars.next();
            } else {
                return Some(offset);
            }
        }
    }
    None
}

fn scan_error(error: &ScanError, source: &str, offsets: &CharOffsets) -> YamlError {
    let mut start = offsets.byte(error.marker().index());
    // The scanner reports a tab error after the tabs; point at them.
    while error.info().contains("tab") && start > 0 && source.as_bytes()[start - 1] == b'\t' {
        start -= 1;
    }
    // Point at the offending character, unless the error is at a line end or the end of the file.
    let end = source[start..]
        .chars()
        .next()
        .filter(|c| !matches!(c, '\n' | '\r'))
        .map_or(start, |c| start + c.len_utf8());
    YamlError {
        message: error.info().to_owned(),
        span: Span::from_range(start..end),
    }
}

/// `saphyr-parser` counts positions in characters; nplint's spans are byte offsets.
struct CharOffsets {
    /// For every character that is not ASCII, in order: its character index and the byte offset just after it.
    /// ASCII-only text (the common case) needs no table.
    wide: Vec<(usize, usize)>,
    len: usize,
}

impl CharOffsets {
    fn new(source: &str) -> Self {
        if source.is_ascii() {
            return Self {
                wide: Vec::new(),
                len: source.len(),
            };
        }
        let wide = source
            .char_indices()
            .enumerate()
            .filter(|(_, (_, c))| !c.is_ascii())
            .map(|(index, (byte, c))| (index, byte + c.len_utf8()))
            .collect();
        Self {
            wide,
            len: source.len(),
        }
    }

    /// The byte offset of the character at `index`, clamped to the end of the text.
    fn byte(&self, index: usize) -> usize {
        let before = self
            .wide
            .partition_point(|&(char_index, _)| char_index < index);
        let byte = match before.checked_sub(1) {
            None => index,
            // Everything between the last wide character before `index` and `index` is ASCII.
            Some(last) => {
                let (char_index, byte_after) = self.wide[last];
                byte_after + (index - char_index - 1)
            }
        };
        byte.min(self.len)
    }

    fn span(&self, span: saphyr_parser::Span) -> Span {
        Span::from_range(self.byte(span.start.index())..self.byte(span.end.index()))
    }
}
