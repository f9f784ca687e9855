//! PEP 508 requirement strings with source spans.
//!
//! `pep508_rs` reports no positions for a successful parse and gives error positions in characters. This module
//! parses one requirement string and returns byte spans relative to that string: of the version part after a
//! success, of the offending text after a failure. Callers shift them into their file.

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
    /// Warnings about markers that are valid syntax but evaluate surprisingly.
    pub marker_warnings: Vec<String>,
}

/// Why a PEP 508 string could not be parsed, with the offending span relative to the input.
#[derive(Debug)]
pub(crate) struct Pep508Failure {
    pub message: String,
    pub span: Span,
}

/// Parse `input` (already stripped of comments and surrounding whitespace) as a PEP 508 requirement.
pub(crate) fn parse(input: &str) -> Result<Parsed, Pep508Failure> {
    let mut marker_warnings = Vec::new();
    let mut reporter = |_kind, warning: String| marker_warnings.push(warning);
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
                marker_warnings,
            })
        }
        Err(error) => {
            let span = char_span_to_bytes(input, error.start, error.len);
            Err(Pep508Failure {
                message: error.message.to_string(),
                span,
            })
        }
    }
}

/// Convert `pep508_rs`'s character-based error position into a byte span of `input`. The parser may point one
/// past the end (an unexpected end of input); that becomes an empty span at the end.
pub(crate) fn char_span_to_bytes(input: &str, start: usize, len: usize) -> Span {
    let byte_at = |chars: usize| {
        input
            .char_indices()
            .nth(chars)
            .map_or(input.len(), |(offset, _)| offset)
    };
    let start_byte = byte_at(start);
    let end_byte = byte_at(start + len).max(start_byte);
    Span::from_range(start_byte..end_byte)
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
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'-' | b'_')) {
        i += 1;
    }
    skip_ws(&mut i);
    if bytes.get(i) == Some(&b'[') {
        i += input[i..].find(']')? + 1;
        skip_ws(&mut i);
    }
    let start = i;
    let end = input[start..].find(';').map_or(input.len(), |offset| start + offset);
    let end = start + input[start..end].trim_end().len();
    (end > start).then(|| Span::from_range(start..end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version_text(input: &str) -> Option<&str> {
        parse(input).unwrap().version_span.map(|span| &input[span.range()])
    }

    #[test]
    fn version_spans() {
        assert_eq!(version_text("numpy"), None);
        assert_eq!(version_text("numpy>=1.20,<2"), Some(">=1.20,<2"));
        assert_eq!(version_text("numpy [a,b] ( >=1.20 ) ; python_version < '3.9'"), Some("( >=1.20 )"));
        assert_eq!(version_text("numpy ~= 1.19.2;sys_platform=='linux'"), Some("~= 1.19.2"));
        assert_eq!(version_text("numpy @ https://example.invalid/numpy.whl"), None);
    }

    #[test]
    fn failures_are_byte_spans() {
        let input = "nümpy>>1";
        let failure = parse(input).unwrap_err();
        assert!(failure.span.end as usize <= input.len());
        let failure = parse("numpy>>1").unwrap_err();
        assert_eq!(&"numpy>>1"[failure.span.range()], ">>1", "{}", failure.message);
    }

    #[test]
    fn urls_are_kept_verbatim() {
        let parsed = parse("pkg @ file:///${HOME}/pkg").unwrap();
        assert_eq!(parsed.url.as_deref(), Some("file:///${HOME}/pkg"));
    }
}
