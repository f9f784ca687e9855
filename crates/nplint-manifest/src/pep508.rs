//! PEP 508 requirement strings with source spans.
//!
//! `pep508_rs` reports no positions for a successful parse. This module parses one requirement string and returns
//! byte spans relative to that string: of the version part after a success, of the offending text after a failure.
//! Callers shift them into their file.

use std::convert::Infallible;
use std::fmt;
use std::path::Path;

use nplint_diagnostics::Span;
use pep440_rs::VersionSpecifiers;
use pep508_rs::{ExtraName, MarkerTree, PackageName, Pep508Url, VersionOrUrl};

/// A direct-reference URL exactly as written. nplint never fetches or expands it, so unlike
/// `pep508_rs::VerbatimUrl` it reads no environment variables and touches no file system.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RawUrl(pub String);

impl fmt::Display for RawUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Pep508Url for RawUrl {
    type Err = Infallible;

    fn parse_url(url: &str, _working_dir: Option<&Path>) -> Result<Self, Self::Err> {
        Ok(Self(url.to_owned()))
    }
}

/// A successfully parsed PEP 508 requirement.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub name: PackageName,
    pub extras: Vec<ExtraName>,
    pub specifiers: VersionSpecifiers,
    pub url: Option<String>,
    pub marker: MarkerTree,
    /// The version specifier part, relative to the input; `None` without one.
    pub version_span: Option<Span>,
}

/// Why a PEP 508 string could not be parsed, with the offending span relative to the input.
#[derive(Debug)]
pub(crate) struct Pep508Failure {
    pub message: String,
    pub span: Span,
}

/// Parse `input` (already stripped of comments and surrounding whitespace) as a PEP 508 requirement.
pub(crate) fn parse(input: &str) -> Result<Parsed, Pep508Failure> {
    if let Some(failure) = trailing_separator(input) {
        return Err(failure);
    }
    let marker_start = marker_start(input).unwrap_or(input.len());
    if let Some(failure) = non_ascii_in_marker(&input[marker_start..]) {
        return Err(Pep508Failure {
            message: failure.message,
            span: Span::new(
                failure.span.start + marker_start as u32,
                failure.span.end + marker_start as u32,
            ),
        });
    }
    // Marker warnings (valid syntax that evaluates surprisingly, such as comparing `python_version` with a
    // three-part version) are not reported yet: no rule owns them.
    let mut reporter = |_kind, _warning: String| {};
    match pep508_rs::Requirement::<RawUrl>::parse_reporter(input, Path::new(""), &mut reporter) {
        Ok(requirement) => {
            let (specifiers, url) = match requirement.version_or_url {
                None => (VersionSpecifiers::empty(), None),
                Some(VersionOrUrl::VersionSpecifier(specifiers)) => (specifiers, None),
                Some(VersionOrUrl::Url(url)) => (VersionSpecifiers::empty(), Some(url.0)),
            };
            let version_span = if url.is_none() && !specifiers.is_empty() {
                version_span(input)
            } else {
                None
            };
            Ok(Parsed {
                name: requirement.name,
                extras: requirement.extras,
                specifiers,
                url,
                marker: requirement.marker,
                version_span,
            })
        }
        Err(error) => {
            let span = error_span(input, error.start, error.len);
            Err(Pep508Failure {
                message: error.message.to_string(),
                span,
            })
        }
    }
}

/// Parse an environment marker, with the offending span relative to `text` on failure.
pub(crate) fn marker(text: &str) -> Result<MarkerTree, Pep508Failure> {
    if let Some(failure) = non_ascii_in_marker(text) {
        return Err(failure);
    }
    let mut reporter = |_kind, _warning: String| {};
    MarkerTree::parse_reporter(text, &mut reporter).map_err(|error| Pep508Failure {
        message: error.message.to_string(),
        span: error_span(text, error.start, error.len),
    })
}

/// Where the marker part of a requirement may start: after its first `;` (a URL with a `;` of its own puts more
/// text under the marker check, which only refuses non-ASCII characters there).
fn marker_start(input: &str) -> Option<usize> {
    input.find(';').map(|at| at + 1)
}

/// `pep508_rs` 0.9 slices a marker by character counts where it needs byte offsets, and panics on a non-ASCII
/// character after a complete expression (`python_version < "3.8"é`) or in a string it has not closed
/// (`'3.9''\u{feff}`): "byte index is not a char boundary". Markers are ASCII in practice (their values are
/// versions, platform names and extra names), so any non-ASCII character is reported here, before the parser sees
/// it.
fn non_ascii_in_marker(marker: &str) -> Option<Pep508Failure> {
    let (at, character) = marker
        .char_indices()
        .find(|(_, character)| !character.is_ascii())?;
    Some(Pep508Failure {
        message: format!(
            "unexpected character `{}` in an environment marker: nplint reads ASCII markers only",
            character.escape_debug()
        ),
        span: Span::from_range(at..at + character.len_utf8()),
    })
}

/// `pep508_rs` 0.9 panics on a name or extra that ends in `.`, `-` or `_` and is followed by more text
/// (`numpy_ >=1`, `numpy[dev-]`): its parser accepts the identifier, then `PackageName::new` or `ExtraName::new`
/// rejects it and it unwraps. Report those here, with the error it gives for the same name at the end of input.
fn trailing_separator(input: &str) -> Option<Pep508Failure> {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    let identifier_end = |start: usize| {
        start
            + input[start..]
                .find(|c| !is_name_char(c))
                .unwrap_or(input.len() - start)
    };
    // The offset and character of the separator ending the identifier at `start`, if it starts like a name.
    let bad_end = |start: usize| {
        let identifier = &input[start..identifier_end(start)];
        let last = identifier.chars().last()?;
        let starts_alphanumeric = identifier.starts_with(|c: char| c.is_ascii_alphanumeric());
        (starts_alphanumeric && !last.is_ascii_alphanumeric())
            .then_some((start + identifier.len() - 1, last))
    };
    let skip_whitespace = |at: usize| input.len() - input[at..].trim_start().len();
    let name_start = skip_whitespace(0);
    let name_end = identifier_end(name_start);
    if name_end < input.len()
        && let Some((at, c)) = bad_end(name_start)
    {
        return Some(Pep508Failure {
            message: format!("Package name must end with an alphanumeric character, not `{c}`"),
            span: Span::from_range(at..at + 1),
        });
    }
    let mut at = skip_whitespace(name_end);
    if !input[at..].starts_with('[') {
        return None;
    }
    at += 1;
    loop {
        at = skip_whitespace(at);
        if let Some((bad, c)) = bad_end(at) {
            return Some(Pep508Failure {
                message: format!("Extra name must end with an alphanumeric character, not `{c}`"),
                span: Span::from_range(bad..bad + 1),
            });
        }
        at = skip_whitespace(identifier_end(at));
        if !input[at..].starts_with(',') {
            return None;
        }
        at += 1;
    }
}

/// The byte span of a `pep508_rs` error in `input`.
///
/// Its documentation calls `start` and `len` character indices, but its cursor counts bytes (`Cursor::pos`, and
/// lengths from `char::len_utf8`): they are byte offsets, which the `nümpy` test below pins down. The parser may
/// point one past the end (an unexpected end of input); that is clamped to an empty span at the end, and any
/// offset is moved back to a character boundary so the span always slices `input`.
pub(crate) fn error_span(input: &str, start: usize, len: usize) -> Span {
    let boundary = |mut offset: usize| {
        offset = offset.min(input.len());
        while !input.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    };
    let start = boundary(start);
    let end = boundary(start.saturating_add(len)).max(start);
    Span::from_range(start..end)
}

/// The span of the version specifiers of a requirement that parsed successfully: after the name and extras, up
/// to the marker's `;` (parentheses included), with surrounding whitespace trimmed.
fn version_span(input: &str) -> Option<Span> {
    let bytes = input.as_bytes();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    while i < bytes.len()
        && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'-' | b'_'))
    {
        i += 1;
    }
    skip_ws(&mut i);
    if bytes.get(i) == Some(&b'[') {
        i += input[i..].find(']')? + 1;
        skip_ws(&mut i);
    }
    let start = i;
    let end = input[start..]
        .find(';')
        .map_or(input.len(), |offset| start + offset);
    let end = start + input[start..end].trim_end().len();
    (end > start).then(|| Span::from_range(start..end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version_text(input: &str) -> Option<&str> {
        parse(input)
            .unwrap()
            .version_span
            .map(|span| &input[span.range()])
    }

    #[test]
    fn non_ascii_outside_quotes_in_a_marker_is_an_error_not_a_panic() {
        // pep508_rs 0.9.2 panics on these (found by the requirements fuzz target).
        for (input, at) in [
            ("numpy; python_version < \"3.8\"\u{e9}", 29),
            (
                "numpy; python_version < \"3.8\" and\u{feff} extra == \"x\"",
                33,
            ),
            (
                "numpy @ https://x.com/x.whl ; python_version < \"3.8\"\u{e9}",
                52,
            ),
        ] {
            let failure = parse(input).unwrap_err();
            assert_eq!(failure.span.start as usize, at, "{input}");
            assert!(failure.message.contains("nplint reads ASCII markers only"));
        }
        let failure = marker("python_version < \"3.8\"\u{e9}").unwrap_err();
        assert_eq!(failure.span, Span::from_range(22..24));
        // An unclosed string holding one panicked too (found by the Pipfile.lock fuzz target).
        assert!(marker("python_version >= 'vers\u{2}on3.9''\u{feff}").is_err());
        assert!(marker("platform_release == \"\u{e9}t\u{e9}\"").is_err());
        // Before the marker, non-ASCII text is the parser's to judge.
        assert!(parse("numpy @ https://\u{e9}.com/x.whl").is_ok());
    }

    #[test]
    fn version_spans() {
        assert_eq!(version_text("numpy"), None);
        assert_eq!(version_text("numpy>=1.20,<2"), Some(">=1.20,<2"));
        assert_eq!(
            version_text("numpy [a,b] ( >=1.20 ) ; python_version < '3.9'"),
            Some("( >=1.20 )")
        );
        assert_eq!(
            version_text("numpy ~= 1.19.2;sys_platform=='linux'"),
            Some("~= 1.19.2")
        );
        assert_eq!(
            version_text("numpy @ https://example.invalid/numpy.whl"),
            None
        );
    }

    #[test]
    fn failures_are_byte_spans() {
        let input = "nümpy>=1";
        let failure = parse(input).unwrap_err();
        assert_eq!(&input[failure.span.range()], "ü", "{}", failure.message);
        let failure = parse("numpy>>1").unwrap_err();
        assert_eq!(
            &"numpy>>1"[failure.span.range()],
            ">>1",
            "{}",
            failure.message
        );
    }

    #[test]
    fn names_ending_in_a_separator_fail_without_panicking() {
        for (input, bad) in [
            ("numpy- ==1", 5),
            ("numpy_>=1", 5),
            ("e7. ", 2),
            ("numpy- @ x", 5),
            ("numpy[dev-]", 9),
            ("numpy [a, b_ ,c]", 11),
            ("a-[x]", 1),
            ("numpy[a.", 7),
        ] {
            let failure = parse(input).unwrap_err();
            assert_eq!(
                failure.span,
                Span::new(bad, bad + 1),
                "{input}: {}",
                failure.message
            );
        }
        assert!(parse("numpy[a-b, c.d]").is_ok());
        assert!(parse("a-").is_err());
    }

    #[test]
    fn urls_are_kept_verbatim() {
        let parsed = parse("pkg @ file:///${HOME}/pkg").unwrap();
        assert_eq!(parsed.url.as_deref(), Some("file:///${HOME}/pkg"));
    }
}
