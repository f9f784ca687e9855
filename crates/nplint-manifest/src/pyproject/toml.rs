//! Typed access to toml_edit's parsed document: wrong types become issues, strings map back to source bytes.

use std::ops::Range;
use std::sync::Arc;

use nplint_diagnostics::{Location, SourceFile, Span};
use toml_edit::{Array, Document, Item, Key, TableLike, Value};

use super::Reader;
use crate::{Issue, Manifest};

/// `file`, the manifest's file, as a TOML document; `None`, with the syntax error as the manifest's issue, when it
/// is not TOML.
pub(crate) fn document<'t>(
    manifest: &mut Manifest,
    file: &'t Arc<SourceFile>,
) -> Option<Document<&'t str>> {
    match Document::parse(file.text()) {
        Ok(document) => Some(document),
        Err(error) => {
            let span = error.span().map_or(Span::empty(0), Span::from_range);
            manifest.issues.push(
                Issue::invalid(error.message(), Location::new(file.clone(), span))
                    .with_label("invalid TOML"),
            );
            None
        }
    }
}

/// A TOML string with the source span of its contents.
#[derive(Debug, Clone, Copy)]
pub(super) struct Str<'d> {
    /// The decoded value.
    pub value: &'d str,
    /// The bytes between the quotes (after the newline that opens a multi-line string).
    pub content: Span,
    /// Whether those bytes are the decoded value itself (no escapes, no line continuations), so that offsets
    /// into the value are offsets into the source.
    pub exact: bool,
}

impl Str<'_> {
    /// The span of the trimmed value: exact when possible, else the contents without surrounding whitespace.
    pub fn trimmed_span(&self, text: &str) -> Span {
        if self.exact {
            let start =
                self.content.start as usize + (self.value.len() - self.value.trim_start().len());
            return Span::from_range(start..start + self.value.trim().len());
        }
        let raw = &text[self.content.range()];
        let start = self.content.start as usize + (raw.len() - raw.trim_start().len());
        Span::from_range(start..start + raw.trim().len())
    }
}

/// Where a string's contents lie inside its source span, and whether they are the decoded value verbatim.
pub(crate) fn string_contents(text: &str, span: Range<usize>, decoded: &str) -> (Span, bool) {
    let raw = &text[span.clone()];
    let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else {
        1
    };
    if raw.len() < 2 * quote {
        return (Span::from_range(span), false);
    }
    let mut start = span.start + quote;
    let end = span.end - quote;
    if quote == 3 {
        // TOML trims a newline directly after the opening delimiter of a multi-line string.
        let inner = &text[start..end];
        start += if inner.starts_with("\r\n") {
            2
        } else {
            usize::from(inner.starts_with('\n'))
        };
    }
    (Span::from_range(start..end), &text[start..end] == decoded)
}

/// The article and name of a TOML type, for "found an integer".
pub(crate) fn describe(item: &Item) -> String {
    let name = item.type_name();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

impl Reader {
    pub(super) fn location(&self, span: Span) -> Location {
        Location::new(self.file.clone(), span)
    }

    fn span_or_start(span: Option<Range<usize>>) -> Span {
        span.map_or(Span::empty(0), Span::from_range)
    }

    pub(super) fn item_location(&self, item: &Item) -> Location {
        self.location(Self::span_or_start(item.span()))
    }

    pub(super) fn value_location(&self, value: &Value) -> Location {
        self.location(Self::span_or_start(value.span()))
    }

    pub(super) fn key_location(&self, key: &Key) -> Location {
        self.location(Self::span_or_start(key.span()))
    }

    /// Everything an item covers: a table's header and all its entries, a value's text.
    pub(super) fn extent(item: &Item) -> Option<Span> {
        match item.as_table_like() {
            Some(table) => Self::table_extent(item.span(), table),
            None => item.span().map(Span::from_range),
        }
    }

    /// A table's header (`span`, if any) and all its entries.
    pub(super) fn table_extent(span: Option<Range<usize>>, table: &dyn TableLike) -> Option<Span> {
        let mut extent = span.map(Span::from_range);
        for (name, child) in table.iter() {
            let key = table.key(name).and_then(Key::span).map(Span::from_range);
            for part in [key, Self::extent(child)].into_iter().flatten() {
                extent = Some(extent.map_or(part, |extent| extent.cover(part)));
            }
        }
        extent
    }

    /// Report that the item at `path` is not of the `expected` type.
    pub(super) fn expected(&mut self, expected: &str, path: &str, item: &Item) {
        let issue = Issue::invalid(
            format!("expected {expected} for `{path}`, found {}", describe(item)),
            self.item_location(item),
        );
        self.issues.push(issue);
    }

    pub(super) fn table<'d>(&mut self, item: &'d Item, path: &str) -> Option<&'d dyn TableLike> {
        let table = item.as_table_like();
        if table.is_none() {
            self.expected("a table", path, item);
        }
        table
    }

    pub(super) fn array<'d>(&mut self, item: &'d Item, path: &str) -> Option<&'d Array> {
        let array = item.as_array();
        if array.is_none() {
            self.expected("an array", path, item);
        }
        array
    }

    pub(super) fn string<'d>(&mut self, item: &'d Item, path: &str) -> Option<Str<'d>> {
        if let Some(value) = item.as_value() {
            self.string_value(value, path)
        } else {
            self.expected("a string", path, item);
            None
        }
    }

    pub(super) fn string_value<'d>(&mut self, value: &'d Value, path: &str) -> Option<Str<'d>> {
        let Some(decoded) = value.as_str() else {
            let issue = Issue::invalid(
                format!(
                    "expected a string for `{path}`, found {}",
                    describe(&Item::Value(value.clone()))
                ),
                self.value_location(value),
            );
            self.issues.push(issue);
            return None;
        };
        let (content, exact) = match value.span() {
            Some(span) => string_contents(self.file.text(), span, decoded),
            None => (Span::empty(0), false),
        };
        Some(Str {
            value: decoded,
            content,
            exact,
        })
    }

    pub(super) fn bool(&mut self, item: &Item, path: &str) -> Option<bool> {
        let value = item.as_bool();
        if value.is_none() {
            self.expected("a boolean", path, item);
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(toml: &str) -> (String, bool) {
        let document = toml_edit::Document::parse(toml).unwrap();
        let value = document.as_table()["a"].as_value().unwrap();
        let (span, exact) = string_contents(toml, value.span().unwrap(), value.as_str().unwrap());
        (toml[span.range()].to_owned(), exact)
    }

    #[test]
    fn string_contents_by_kind() {
        assert_eq!(contents(r#"a = "numpy>=1""#), ("numpy>=1".to_owned(), true));
        assert_eq!(contents("a = 'numpy>=1'"), ("numpy>=1".to_owned(), true));
        assert_eq!(
            contents(r#"a = "numpy\u003e=1""#),
            (r"numpy\u003e=1".to_owned(), false)
        );
        assert_eq!(contents("a = '''\nnumpy'''"), ("numpy".to_owned(), true));
        assert_eq!(
            contents("a = \"\"\"\r\nnumpy\"\"\""),
            ("numpy".to_owned(), true)
        );
        assert_eq!(
            contents("a = \"\"\"numpy \\\n  >=1\"\"\""),
            ("numpy \\\n  >=1".to_owned(), false)
        );
        assert_eq!(contents(r#"a = """#), (String::new(), true));
    }
}
