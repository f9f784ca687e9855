//! A shallow, fast reading of TOML lockfiles.
//!
//! Lockfiles are large (a 5,000-package `uv.lock` is megabytes, most of it `sdist` and `wheels` arrays) and nplint
//! reads a few keys of each entry. Building a `toml_edit` document of the whole file costs about 60 ms for such a
//! lock; this module reads the event stream of `toml_parser` (the parser under `toml_edit` and `toml`) instead:
//! only the values a reader asks for are decoded and kept. A reader names the key paths it does not need
//! (`package.wheels`); their values are kept as [`Value::Skipped`] with their span and never decoded, so an
//! invalid escape or date inside a skipped value goes unnoticed (nplint does not read those values). Before
//! lexing, the arrays and inline tables at those paths are blanked when a line scan can follow the file
//! ([`blank_skipped`]): the lexer then passes over spaces instead of tokenizing every URL and hash, and a syntax
//! error inside them goes unnoticed too; the rest of the file is lexed and checked. A file with a syntax error
//! yields no tree: the first error is reported, as a TOML document parser would.
//!
//! Tables are what TOML defines: `[a.b]` headers, `[[a]]` arrays of tables, dotted keys and inline tables all
//! become [`Table`]s with their entries in source order. A key defined twice in a table, or a table header
//! repeated, is an error (TOML forbids both).

use std::borrow::Cow;

use nplint_diagnostics::Span;
use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::parser::{EventReceiver, RecursionGuard, parse_document};
use toml_parser::{ErrorSink, ParseError, Raw, Source};

/// A table: a `[header]` table, an entry of an array of tables, an inline table or one implied by a dotted key.
#[derive(Debug, Default)]
pub(crate) struct Table<'i> {
    /// The header (`[[package]]`), the braces of an inline table, or the first key of an implied table.
    pub span: Span,
    entries: Vec<(Cow<'i, str>, Span, Value<'i>)>,
    /// Defined by a `[header]` of its own (a second one is an error), rather than implied.
    defined: bool,
}

/// A value as far as it was read.
#[derive(Debug)]
pub(crate) enum Value<'i> {
    Scalar {
        kind: ScalarKind,
        /// The decoded value (for strings, their contents; for other scalars, their text).
        text: Cow<'i, str>,
        span: Span,
    },
    Array(Vec<Value<'i>>, Span),
    Table(Table<'i>),
    ArrayOfTables(Vec<Table<'i>>, Span),
    /// A value the reader did not ask for.
    Skipped(Span),
}

impl<'i> Table<'i> {
    pub fn get(&self, key: &str) -> Option<&Value<'i>> {
        self.entries
            .iter()
            .find(|(name, _, _)| name == key)
            .map(|(_, _, value)| value)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Adds the table that a dotted key or a header implies for `key` (spanning the key), unless `key` is there.
    fn imply(&mut self, (key, span): &(Cow<'i, str>, Span)) {
        if self.get(key).is_none() {
            self.entries.push((
                key.clone(),
                *span,
                Value::Table(Table {
                    span: *span,
                    ..Table::default()
                }),
            ));
        }
    }

    /// The entries, in source order: key, key span, value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Span, &Value<'i>)> {
        self.entries
            .iter()
            .map(|(name, span, value)| (name.as_ref(), *span, value))
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Value<'i>> {
        self.entries
            .iter_mut()
            .find(|(name, _, _)| name == key)
            .map(|(_, _, value)| value)
    }
}

impl<'i> Value<'i> {
    pub fn span(&self) -> Span {
        match self {
            Self::Scalar { span, .. }
            | Self::Array(_, span)
            | Self::ArrayOfTables(_, span)
            | Self::Skipped(span) => *span,
            Self::Table(table) => table.span,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Scalar {
                kind: ScalarKind::String,
                text,
                ..
            } => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Scalar {
                kind: ScalarKind::Boolean(value),
                ..
            } => Some(*value),
            _ => None,
        }
    }

    pub fn as_table(&self) -> Option<&Table<'i>> {
        match self {
            Self::Table(table) => Some(table),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value<'i>]> {
        match self {
            Self::Array(items, _) => Some(items),
            _ => None,
        }
    }

    pub fn as_array_of_tables(&self) -> Option<&[Table<'i>]> {
        match self {
            Self::ArrayOfTables(tables, _) => Some(tables),
            _ => None,
        }
    }

    /// "a string", "an array", for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Self::Scalar { kind, .. } => match kind {
                ScalarKind::String => "a string",
                ScalarKind::Boolean(_) => "a boolean",
                ScalarKind::DateTime => "a date-time",
                ScalarKind::Float => "a float",
                ScalarKind::Integer(_) => "an integer",
            },
            Self::Array(..) => "an array",
            Self::Table(_) => "a table",
            Self::ArrayOfTables(..) => "an array of tables",
            Self::Skipped(_) => "a value",
        }
    }
}

/// An error in the document: a syntax error or a key or table defined twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TomlError {
    pub message: String,
    pub span: Span,
}

impl TomlError {
    /// The parser's description, with what it expected, at the unexpected text (or the context).
    fn from_parser(error: &ParseError) -> Self {
        let span = error
            .unexpected()
            .or_else(|| error.context())
            .map_or(Span::empty(0), span_of);
        let mut message = error.description().to_owned();
        let expected: Vec<String> = error
            .expected()
            .unwrap_or_default()
            .iter()
            .map(|expected| match expected {
                toml_parser::Expected::Literal(literal) => format!("`{literal}`"),
                toml_parser::Expected::Description(description) => (*description).to_owned(),
                _ => "something else".to_owned(),
            })
            .collect();
        if !expected.is_empty() {
            message.push_str(", expected ");
            message.push_str(&expected.join(" or "));
        }
        Self { message, span }
    }
}

/// The document `text`, keeping every value except those at the dotted key paths in `skip` (`package.wheels`;
/// paths through arrays of tables name the array: `package.wheels` is the `wheels` of every `[[package]]`).
pub(crate) fn parse<'i>(text: &'i str, skip: &[&str]) -> Result<Table<'i>, TomlError> {
    let blanked = blank_skipped(text, skip);
    parse_lexing(text, blanked.as_deref().unwrap_or(text), skip)
}

/// [`parse`] of `text`, lexing `lexed`: `text` itself, or its copy from [`blank_skipped`] (same length, same
/// offsets).
fn parse_lexing<'i>(text: &'i str, lexed: &str, skip: &[&str]) -> Result<Table<'i>, TomlError> {
    let tokens_source = Source::new(lexed);
    let source = Source::new(text);
    // About one token per 10 bytes in lockfiles: reserve once rather than grow a megabyte vector repeatedly.
    let mut tokens = Vec::with_capacity(text.len() / 10);
    tokens.extend(tokens_source.lex());
    let mut reader = Reader {
        source,
        skip: skip.iter().map(|path| path.split('.').collect()).collect(),
        root: Table {
            defined: true,
            ..Table::default()
        },
        table: Vec::new(),
        keys: Vec::new(),
        header: None,
        open: Vec::new(),
        skipping: None,
        error: None,
    };
    let mut syntax: Option<ParseError> = None;
    // Values nested deeper than this are refused (and skipped by the parser), and so are longer dotted keys:
    // nothing is built that would take a deep recursion to drop.
    parse_document(
        &tokens,
        &mut RecursionGuard::new(&mut reader, MAX_DEPTH),
        &mut syntax,
    );
    if let Some(error) = syntax {
        return Err(TomlError::from_parser(&error));
    }
    match reader.error {
        Some(error) => Err(error),
        None => Ok(reader.root),
    }
}

/// The deepest nesting of arrays and inline tables, and the longest dotted key, that a lockfile may have (as
/// `toml_edit` allows). Real lockfiles nest four or five levels.
const MAX_DEPTH: u32 = 80;

/// One step of the path to the current table.
#[derive(Debug, Clone)]
struct Step<'i> {
    key: Cow<'i, str>,
    /// Into the last table of an array of tables.
    last_of_array: bool,
}

/// A value being built: an array or an inline table, with the keys of its current entry.
#[derive(Debug)]
enum Open<'i> {
    Array(Vec<Value<'i>>, usize),
    Inline {
        table: Table<'i>,
        keys: Vec<(Cow<'i, str>, Span)>,
        start: usize,
    },
}

struct Reader<'i, 's> {
    source: Source<'i>,
    /// The key paths not to read, split into keys.
    skip: Vec<Vec<&'s str>>,
    root: Table<'i>,
    /// Where key-values go: the path of the last header.
    table: Vec<Step<'i>>,
    /// The keys read since the last header or value (the dotted key of a key-value or header).
    keys: Vec<(Cow<'i, str>, Span)>,
    /// An open header: whether it is `[[...]]`, and where it starts.
    header: Option<(bool, usize)>,
    /// The arrays and inline tables being built, innermost last.
    open: Vec<Open<'i>>,
    /// A value being skipped: its start, and how deep inside it the parser is.
    skipping: Option<(usize, usize)>,
    error: Option<TomlError>,
}

impl<'i> Reader<'i, '_> {
    fn fail(&mut self, message: String, span: Span) {
        if self.error.is_none() {
            self.error = Some(TomlError { message, span });
        }
    }

    fn key(&mut self, span: toml_parser::Span, encoding: Option<Encoding>) -> Cow<'i, str> {
        let raw = Raw::new_unchecked(
            &self.source.input()[span.start()..span.end()],
            encoding,
            span,
        );
        let mut key = Cow::Borrowed("");
        raw.decode_key(&mut key, &mut ());
        key
    }

    /// The keys from the root to the value about to start, without array positions.
    fn value_path(&self) -> impl Iterator<Item = &str> {
        let inline = self.open.iter().flat_map(|open| match open {
            Open::Inline { keys, .. } => keys.as_slice(),
            Open::Array(..) => &[],
        });
        self.table
            .iter()
            .map(|step| step.key.as_ref())
            .chain(inline.map(|(key, _)| key.as_ref()))
            .chain(self.keys.iter().map(|(key, _)| key.as_ref()))
    }

    /// The current table, following the header path.
    fn current(&mut self) -> Option<&mut Table<'i>> {
        let mut table = &mut self.root;
        for step in &self.table {
            table = match table.get_mut(&step.key)? {
                Value::Table(next) => next,
                Value::ArrayOfTables(tables, _) if step.last_of_array => tables.last_mut()?,
                _ => return None,
            };
        }
        Some(table)
    }

    /// Stores a finished value at the pending keys: in the innermost open container, else in the current table.
    fn store(&mut self, value: Value<'i>) {
        match self.open.last_mut() {
            Some(Open::Array(items, _)) => items.push(value),
            Some(Open::Inline { table, keys, .. }) => {
                let keys = std::mem::take(keys);
                if let Err((message, span)) = insert(table, &keys, value) {
                    self.fail(message, span);
                }
            }
            None => {
                let keys = std::mem::take(&mut self.keys);
                let result = match self.current() {
                    Some(table) => insert(table, &keys, value),
                    None => Ok(()),
                };
                if let Err((message, span)) = result {
                    self.fail(message, span);
                }
            }
        }
    }

    fn close_header(&mut self, array: bool, end: usize) {
        let keys = std::mem::take(&mut self.keys);
        if keys.len() > MAX_DEPTH as usize {
            let span = keys.last().map_or(Span::empty(0), |(_, span)| *span);
            self.fail(
                format!("a table header of more than {MAX_DEPTH} keys"),
                span,
            );
            return;
        }
        let Some(((last, last_span), parents)) = keys.split_last() else {
            return;
        };
        let start = self
            .header
            .take()
            .map_or(last_span.start as usize, |(_, start)| start);
        let span = Span::from_range(start..end);
        let mut steps = Vec::with_capacity(keys.len());
        let mut table = &mut self.root;
        for entry @ (key, key_span) in parents {
            table.imply(entry);
            let last_of_array = matches!(table.get(key), Some(Value::ArrayOfTables(..)));
            table = match table.get_mut(key) {
                Some(Value::Table(next)) => next,
                Some(Value::ArrayOfTables(tables, _)) if !tables.is_empty() => {
                    let index = tables.len() - 1;
                    &mut tables[index]
                }
                _ => {
                    let message = format!("`{key}` is not a table");
                    self.fail(message, *key_span);
                    return;
                }
            };
            steps.push(Step {
                key: key.clone(),
                last_of_array,
            });
        }
        let new = Table {
            span,
            entries: Vec::new(),
            defined: true,
        };
        let failure = if array {
            match table.get_mut(last) {
                None => {
                    table.entries.push((
                        last.clone(),
                        *last_span,
                        Value::ArrayOfTables(vec![new], span),
                    ));
                    None
                }
                Some(Value::ArrayOfTables(tables, _)) => {
                    tables.push(new);
                    None
                }
                Some(_) => Some(format!(
                    "`{last}` is already defined, and not as an array of tables"
                )),
            }
        } else {
            match table.get_mut(last) {
                None => {
                    table
                        .entries
                        .push((last.clone(), *last_span, Value::Table(new)));
                    None
                }
                Some(Value::Table(existing)) if !existing.defined => {
                    existing.defined = true;
                    existing.span = span;
                    None
                }
                Some(_) => Some(format!("`{last}` is defined twice")),
            }
        };
        if let Some(message) = failure {
            self.fail(message, span);
            return;
        }
        steps.push(Step {
            key: last.clone(),
            last_of_array: array,
        });
        self.table = steps;
    }

    /// Whether the value about to start is one the reader asked to skip.
    /// Inside a skipped value, a closing bracket or brace: one level less, and at the value's end it is stored
    /// as [`Value::Skipped`]. `false` when no value is being skipped.
    fn close_skipped(&mut self, span: toml_parser::Span) -> bool {
        let Some((start, depth)) = &mut self.skipping else {
            return false;
        };
        *depth -= 1;
        if *depth == 0 {
            let skipped = Span::from_range(*start..span.end());
            self.skipping = None;
            self.store(Value::Skipped(skipped));
        }
        true
    }

    fn starts_skipped(&self) -> bool {
        let inline = self
            .open
            .iter()
            .map(|open| match open {
                Open::Inline { keys, .. } => keys.len(),
                Open::Array(..) => 0,
            })
            .sum::<usize>();
        let depth = self.table.len() + inline + self.keys.len();
        self.skip.iter().any(|skip| {
            skip.len() == depth && self.value_path().zip(skip).all(|(key, skip)| key == *skip)
        })
    }
}

/// Puts `value` at the dotted `keys` of `table`, creating the tables a dotted key implies.
fn insert<'i>(
    table: &mut Table<'i>,
    keys: &[(Cow<'i, str>, Span)],
    value: Value<'i>,
) -> Result<(), (String, Span)> {
    let Some(((last, last_span), parents)) = keys.split_last() else {
        return Ok(());
    };
    if keys.len() > MAX_DEPTH as usize {
        return Err((
            format!("a dotted key of more than {MAX_DEPTH} keys"),
            *last_span,
        ));
    }
    let mut table = table;
    for entry @ (key, key_span) in parents {
        table.imply(entry);
        table = match table.get_mut(key) {
            Some(Value::Table(next)) => next,
            _ => return Err((format!("`{key}` is not a table"), *key_span)),
        };
    }
    if table.contains_key(last) {
        return Err((format!("`{last}` is defined twice"), *last_span));
    }
    table.entries.push((last.clone(), *last_span, value));
    Ok(())
}

fn span_of(span: toml_parser::Span) -> Span {
    Span::from_range(span.start()..span.end())
}

impl EventReceiver for Reader<'_, '_> {
    fn std_table_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.keys.clear();
        self.header = Some((false, span.start()));
    }

    fn std_table_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.close_header(false, span.end());
    }

    fn array_table_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.keys.clear();
        self.header = Some((true, span.start()));
    }

    fn array_table_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.close_header(true, span.end());
    }

    fn simple_key(
        &mut self,
        span: toml_parser::Span,
        encoding: Option<Encoding>,
        _error: &mut dyn ErrorSink,
    ) {
        if self.skipping.is_some() {
            return;
        }
        let key = self.key(span, encoding);
        match self.open.last_mut() {
            Some(Open::Inline { keys, .. }) => keys.push((key, span_of(span))),
            _ => self.keys.push((key, span_of(span))),
        }
    }

    fn key_val_sep(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        if self.skipping.is_none() && self.starts_skipped() {
            // The value's own events set its start; until then, the end of `=`.
            self.skipping = Some((span.end(), 0));
        }
    }

    fn scalar(
        &mut self,
        span: toml_parser::Span,
        encoding: Option<Encoding>,
        _error: &mut dyn ErrorSink,
    ) {
        if span.is_empty() {
            // `key =` with nothing after it: the parser reads an empty scalar.
            self.fail("a value is missing".to_owned(), span_of(span));
            return;
        }
        if let Some((start, depth)) = self.skipping {
            // Skipped strings are not decoded, but an unterminated one is still an error (a truncated file).
            let text = &self.source.input()[span.start()..span.end()];
            let quote = match encoding {
                Some(Encoding::BasicString) => Some('"'),
                Some(Encoding::LiteralString) => Some('\''),
                _ => None,
            };
            if let Some(quote) = quote
                && (text.len() < 2 || !text.ends_with(quote))
            {
                self.fail(
                    format!("invalid string, expected `{quote}`"),
                    span_of(span.after()),
                );
                return;
            }
            if depth == 0 {
                self.skipping = None;
                self.store(Value::Skipped(Span::from_range(
                    start.min(span.start())..span.end(),
                )));
            }
            return;
        }
        let text = &self.source.input()[span.start()..span.end()];
        let raw = Raw::new_unchecked(text, encoding, span);
        let mut decoded = Cow::Borrowed("");
        let mut invalid: Option<ParseError> = None;
        let kind = raw.decode_scalar(&mut decoded, &mut invalid);
        if let Some(error) = invalid {
            let TomlError { message, span } = TomlError::from_parser(&error);
            self.fail(message, span);
        }
        self.store(Value::Scalar {
            kind,
            text: decoded,
            span: span_of(span),
        });
    }

    fn array_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) -> bool {
        if let Some((start, depth)) = &mut self.skipping {
            if *depth == 0 {
                *start = span.start();
            }
            *depth += 1;
            return true;
        }
        self.open.push(Open::Array(Vec::new(), span.start()));
        true
    }

    fn array_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        if self.close_skipped(span) {
            return;
        }
        if let Some(Open::Array(items, start)) = self.open.pop() {
            self.store(Value::Array(items, Span::from_range(start..span.end())));
        }
    }

    fn inline_table_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) -> bool {
        if let Some((start, depth)) = &mut self.skipping {
            if *depth == 0 {
                *start = span.start();
            }
            *depth += 1;
            return true;
        }
        self.open.push(Open::Inline {
            table: Table::default(),
            keys: Vec::new(),
            start: span.start(),
        });
        true
    }

    fn inline_table_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        if self.close_skipped(span) {
            return;
        }
        if let Some(Open::Inline {
            mut table, start, ..
        }) = self.open.pop()
        {
            table.span = Span::from_range(start..span.end());
            table.defined = true;
            self.store(Value::Table(table));
        }
    }
}

/// A copy of `text` in which the contents of the arrays and inline tables that `skip` names (`package.wheels =
/// [...]` under a `[[package]]` header) are spaces, newlines included: every offset stays the same, and the
/// lexer reads one run of spaces instead of tokenizing thousands of URLs and hashes (most of a `uv.lock`). The
/// brackets stay, so the parser still sees an array (or inline table) with the same span.
///
/// The scan follows the lockfile's lines: table headers, `key = value` lines, strings (so that brackets inside
/// them do not count), comments and nested brackets. It gives up (`None`: the text is lexed whole) at whatever
/// it does not follow: quoted or dotted keys, multi-line strings, a string or bracket left open (so a truncated
/// file is lexed whole and its error reported). What is blanked has balanced brackets and closed strings, but is
/// otherwise not checked: a syntax error inside a lock's `wheels` array goes unnoticed, as an invalid escape in
/// any [`Value::Skipped`] value does. nplint reads none of those values.
fn blank_skipped(text: &str, skip: &[&str]) -> Option<String> {
    let bytes = text.as_bytes();
    let mut blank: Vec<std::ops::Range<usize>> = Vec::new();
    let mut table = String::new();
    let mut at = 0;
    while at < bytes.len() {
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |end| at + end);
        let start = at
            + bytes[at..line_end]
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
        at = line_end + 1;
        match bytes.get(start) {
            None | Some(b'\n' | b'\r' | b'#') => continue,
            Some(b'[') => {
                // `[a.b]` or `[[a]]`, bare keys only.
                let header = text[start..line_end].trim_end_matches(['\r', ' ']);
                let header = header.split(" #").next().unwrap_or(header).trim_end();
                let name = header
                    .strip_prefix("[[")
                    .and_then(|rest| rest.strip_suffix("]]"))
                    .or_else(|| {
                        header
                            .strip_prefix('[')
                            .and_then(|rest| rest.strip_suffix(']'))
                    })?;
                if !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                {
                    return None;
                }
                name.clone_into(&mut table);
                continue;
            }
            Some(_) => {}
        }
        let key_end = start
            + bytes[start..line_end]
                .iter()
                .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                .count();
        let key = &text[start..key_end];
        let mut value = key_end;
        while matches!(bytes.get(value), Some(b' ' | b'\t')) {
            value += 1;
        }
        if key.is_empty() || bytes.get(value) != Some(&b'=') {
            return None;
        }
        value += 1;
        while matches!(bytes.get(value), Some(b' ' | b'\t')) {
            value += 1;
        }
        match bytes.get(value) {
            Some(b'[' | b'{') => {
                let close = closing_bracket(bytes, value)?;
                // The reader skips a key's value by its path, `table.key` (not whole `[header]` tables).
                let skipped = skip.iter().any(|path| {
                    path.strip_prefix(table.as_str())
                        .and_then(|rest| rest.strip_prefix('.'))
                        == Some(key)
                });
                if skipped && close > value + 1 {
                    blank.push(value + 1..close);
                }
                // The value may span lines: carry on after it.
                at = memchr::memchr(b'\n', &bytes[close..])
                    .map_or(bytes.len(), |end| close + end + 1);
            }
            // A multi-line string would hide lines from this scan.
            Some(b'"' | b'\'')
                if text[value..].starts_with("\"\"\"") || text[value..].starts_with("'''") =>
            {
                return None;
            }
            _ => {}
        }
    }
    if blank.is_empty() {
        return None;
    }
    let mut out = bytes.to_vec();
    for range in blank {
        // Newlines too: inside brackets they are whitespace, and one run of spaces is one token.
        out[range].fill(b' ');
    }
    // Only ASCII delimiters bound the blanked ranges, and every byte inside became a space.
    String::from_utf8(out).ok()
}

/// The offset of the bracket that closes the one at `open` (`[` or `{`), past strings and comments; `None` when it
/// is not closed, or a multi-line string opens inside.
fn closing_bracket(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = open;
    while at < bytes.len() {
        match bytes[at] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(at);
                }
            }
            quote @ (b'"' | b'\'') => {
                if bytes.get(at + 1) == Some(&quote) && bytes.get(at + 2) == Some(&quote) {
                    return None;
                }
                // Strings are most of what is skipped: jump to their end.
                at += 1;
                loop {
                    let rest = bytes.get(at..)?;
                    at += if quote == b'"' {
                        memchr::memchr3(b'"', b'\\', b'\n', rest)?
                    } else {
                        memchr::memchr2(b'\'', b'\n', rest)?
                    };
                    match bytes[at] {
                        b'\n' => return None,
                        // An escape: the next character cannot close the string.
                        b'\\' => at += 2,
                        _ => break,
                    }
                }
            }
            b'#' => {
                at = memchr::memchr(b'\n', &bytes[at..]).map(|end| at + end)?;
            }
            _ => {}
        }
        at += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn reads_tables_arrays_of_tables_and_inline_values() {
        let text = r#"version = 1
requires-python = ">=3.9"

[[package]]
name = "numpy"
version = "2.0.2"
source = { registry = "https://index.invalid/simple" }
resolution-markers = [
    "python_full_version < '3.10'",
]
wheels = [{ url = "https://index.invalid/a.whl", hash = "sha256:00" }]

[package.metadata]
requires-dist = [{ name = "x" }]

[[package]]
name = 'pandas'
version = "2.2.3"
editable = true
tool.uv.dotted = "yes"
"#;
        let root = parse(text, &["package.wheels"]).unwrap();
        assert_eq!(root.get("requires-python").unwrap().as_str(), Some(">=3.9"));
        let packages = root.get("package").unwrap().as_array_of_tables().unwrap();
        assert_eq!(packages.len(), 2);
        let numpy = &packages[0];
        assert_eq!(text_of(text, numpy.span), "[[package]]");
        let version = numpy.get("version").unwrap();
        assert_eq!(version.as_str(), Some("2.0.2"));
        assert_eq!(text_of(text, version.span()), "\"2.0.2\"");
        let source = numpy.get("source").unwrap().as_table().unwrap();
        assert!(source.contains_key("registry"));
        let markers = numpy.get("resolution-markers").unwrap().as_array().unwrap();
        assert_eq!(markers[0].as_str(), Some("python_full_version < '3.10'"));
        let wheels = numpy.get("wheels").unwrap();
        assert!(matches!(wheels, Value::Skipped(_)));
        assert!(text_of(text, wheels.span()).starts_with("[{ url"));
        assert!(text_of(text, wheels.span()).ends_with("}]"));
        assert!(
            numpy
                .get("metadata")
                .unwrap()
                .as_table()
                .unwrap()
                .contains_key("requires-dist")
        );
        let pandas = &packages[1];
        assert_eq!(pandas.get("name").unwrap().as_str(), Some("pandas"));
        assert_eq!(pandas.get("editable").unwrap().as_bool(), Some(true));
        let tool = pandas.get("tool").unwrap().as_table().unwrap();
        let uv = tool.get("uv").unwrap().as_table().unwrap();
        assert_eq!(uv.get("dotted").unwrap().as_str(), Some("yes"));
    }

    #[test]
    fn escapes_are_decoded() {
        let root = parse(r#"a = "x\ty\u00e9""#, &[]).unwrap();
        assert_eq!(root.get("a").unwrap().as_str(), Some("x\ty\u{e9}"));
    }

    #[test]
    fn errors_are_located() {
        let text = "[[package]]\nname = \"numpy\"\nversion = \n";
        let error = parse(text, &[]).unwrap_err();
        assert_eq!(error.message, "a value is missing");
        assert_eq!(error.span.start as usize, text.len() - 1);
        let error = parse("a = [1,\n", &[]).unwrap_err();
        assert!(error.message.contains("expected"), "{error:?}");

        let error = parse("a = 1\na = 2\n", &[]).unwrap_err();
        assert_eq!(error.message, "`a` is defined twice");
        assert_eq!(error.span, Span::from_range(6..7));

        let error = parse("[a]\n[a]\n", &[]).unwrap_err();
        assert_eq!(error.message, "`a` is defined twice");

        let error = parse("a = 1\n[[a]]\n", &[]).unwrap_err();
        assert!(error.message.contains("not as an array of tables"));

        assert!(parse("[package\n", &[]).is_err());
        let error = parse("a = \"unterminated\n", &[]).unwrap_err();
        assert_eq!(error.message, "invalid basic string, expected `\"`");
        assert_eq!(error.span, Span::empty(17));
        let error = parse("a = [\"unterminated\n]\n", &["a"]).unwrap_err();
        assert_eq!(error.message, "invalid string, expected `\"`");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let depth = 100_000;
        let arrays = format!("x = {}{}\n", "[".repeat(depth), "]".repeat(depth));
        let error = parse(&arrays, &[]).unwrap_err();
        assert_eq!(
            error.message,
            "cannot recurse further; max recursion depth met"
        );
        let skipped = parse(&arrays, &["x"]).unwrap_err();
        assert_eq!(skipped.message, error.message);
        let tables = format!("x = {}1{}\n", "{a = ".repeat(depth), "}".repeat(depth));
        assert!(parse(&tables, &[]).is_err());
        let dotted = format!("{} = 1\n", vec!["a"; 1_000].join("."));
        assert_eq!(
            parse(&dotted, &[]).unwrap_err().message,
            "a dotted key of more than 80 keys"
        );
        let header = format!("[{}]\n", vec!["a"; 1_000].join("."));
        assert!(parse(&header, &[]).is_err());
        // Real nesting is shallow and reads.
        assert!(parse("x = [[[{a = [1]}]]]\n", &[]).is_ok());
    }

    #[test]
    fn every_prefix_of_a_lock_reads_without_panicking() {
        let text = "version = 1\n[[package]]\nname = \"numpy\"\nversion = \"2.0.2\"\n\
                    source = { registry = \"https://index.invalid/simple\" }\n\
                    wheels = [\n  { url = \"u\", size = 1 },\n]\n[package.metadata]\nx = [1, [2, {a = 3}]]\n";
        for end in 0..=text.len() {
            let _ = parse(&text[..end], &["package.wheels"]);
            let _ = parse(&text[..end], &[]);
        }
    }
}

#[cfg(test)]
mod blanking {
    use std::path::Path;

    use super::*;
    use crate::Format;
    use crate::lockfile::TomlLock;
    use crate::lockfile::pdm::PdmLock;
    use crate::lockfile::poetry::PoetryLock;
    use crate::lockfile::pylock::Pylock;
    use crate::lockfile::uv::UvLock;

    /// Every TOML lockfile fixture reads the same with its skipped values blanked as lexed whole, and the ones
    /// the tools wrote are blanked.
    #[test]
    fn blanking_changes_nothing_but_the_lexing() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let formats: [(Format, &[&str]); 4] = [
            (Format::UvLock, UvLock::SKIP),
            (Format::PoetryLock, PoetryLock::SKIP),
            (Format::PdmLock, PdmLock::SKIP),
            (Format::Pylock, Pylock::SKIP),
        ];
        let mut blanked = Vec::new();
        for (format, skip) in formats {
            for entry in std::fs::read_dir(fixtures.join(format.fixture_dir())).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                let whole = format!("{:?}", parse_lexing(&text, &text, skip));
                let fast = format!("{:?}", parse(&text, skip));
                assert_eq!(whole, fast, "{}", path.display());
                if blank_skipped(&text, skip).is_some() {
                    blanked.push(path.file_name().unwrap().to_string_lossy().into_owned());
                }
            }
        }
        for written_by_tools in ["uv.lock", "poetry.lock", "pdm.lock", "pylock.toml"] {
            assert!(
                blanked.iter().any(|name| name == written_by_tools),
                "{blanked:?}"
            );
        }
    }

    /// The fuzzing seeds (and, where fuzzing ran, its corpus): the same tree whenever the whole text parses, and
    /// otherwise the same error, unless the error lies inside a blanked value (which is not checked: see
    /// [`blank_skipped`]).
    #[test]
    fn blanking_agrees_on_the_fuzzing_corpus() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
        let formats: [(&str, &[&str]); 4] = [
            ("uv_lock", UvLock::SKIP),
            ("poetry_lock", PoetryLock::SKIP),
            ("pdm_lock", PdmLock::SKIP),
            ("pylock", Pylock::SKIP),
        ];
        let mut read = 0;
        for (dir, skip) in formats {
            let Ok(entries) = std::fs::read_dir(corpus.join(dir)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                read += 1;
                let whole = parse_lexing(&text, &text, skip);
                let fast = parse(&text, skip);
                let blanked = blank_skipped(&text, skip).map(|blanked| {
                    let mut ranges = Vec::new();
                    let mut start = None;
                    for (at, (a, b)) in text.bytes().zip(blanked.bytes()).enumerate() {
                        match (a != b, start) {
                            (true, None) => start = Some(at),
                            (false, Some(from)) if b != b'\n' && b != b' ' => {
                                ranges.push(from..at);
                                start = None;
                            }
                            _ => {}
                        }
                    }
                    ranges
                });
                match (&whole, &fast) {
                    (Err(error), Ok(_)) => {
                        let inside = blanked.iter().flatten().any(|range| {
                            range.start <= error.span.start as usize
                                && error.span.start as usize <= range.end + 1
                        });
                        assert!(
                            inside,
                            "{}: {error:?} outside what was blanked",
                            path.display()
                        );
                    }
                    _ => assert_eq!(
                        format!("{whole:?}"),
                        format!("{fast:?}"),
                        "{}",
                        path.display()
                    ),
                }
            }
        }
        assert!(read >= 4, "only {read} corpus files");
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = "[[package]]\nname = \"a\"\nwheels = [\n  { url = \"x]y\", hash = 'z[' }, # ] [\n]\nversion = \"1\"\n";
        let blanked = blank_skipped(text, &["package.wheels"]).unwrap();
        let entry = "\n  { url = \"x]y\", hash = 'z[' }, # ] [\n";
        assert_eq!(blanked, text.replacen(entry, &" ".repeat(entry.len()), 1));
    }

    #[test]
    fn gives_up_on_what_it_does_not_follow() {
        for text in [
            "[[package]]\nwheels = [\n  \"open\n]\n",
            "[[package]]\nwheels = [\n",
            "[[package]]\nwheels = [\"\"\"x\"\"\"]\n",
            "[[package]]\n\"quoted\" = [1]\nwheels = [1]\n",
            "[[package]]\ntool.uv = 1\nwheels = [1]\n",
        ] {
            assert_eq!(blank_skipped(text, &["package.wheels"]), None, "{text:?}");
        }
    }
}
