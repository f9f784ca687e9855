//! Upstream strings and what they parse to. Index data is real metadata, and some of it (old releases especially)
//! is not valid PEP 440 or PEP 508: such a string is kept with the parser's message instead of being dropped or
//! causing a panic, so that callers can name it.

use std::convert::Infallible;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};

/// A `Requires-Dist` entry as the index holds it.
pub type Requirement = pep508_rs::Requirement<RawUrl>;

/// A direct-reference URL exactly as written. The index never fetches or expands it, so unlike
/// `pep508_rs::VerbatimUrl` it reads no environment variables and touches no file system.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RawUrl(pub String);

impl fmt::Display for RawUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl pep508_rs::Pep508Url for RawUrl {
    type Err = Infallible;

    fn parse_url(url: &str, _working_dir: Option<&Path>) -> Result<Self, Self::Err> {
        Ok(Self(url.to_owned()))
    }
}

/// An upstream string and the result of parsing it.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    raw: &'static str,
    value: Result<T, Box<str>>,
}

impl<T> Parsed<T> {
    /// The string exactly as the metadata has it.
    pub fn raw(&self) -> &'static str {
        self.raw
    }

    /// The parsed value; `None` when the string is not valid.
    pub fn value(&self) -> Option<&T> {
        self.value.as_ref().ok()
    }

    /// The parser's message when the string is not valid.
    pub fn error(&self) -> Option<&str> {
        self.value.as_ref().err().map(AsRef::as_ref)
    }
}

impl<T> fmt::Display for Parsed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.raw)
    }
}

impl Parsed<Version> {
    pub(crate) fn version(raw: &'static str) -> Self {
        Self {
            raw,
            value: Version::from_str(raw).map_err(|error| first_line(&error.to_string())),
        }
    }
}

impl Parsed<VersionSpecifiers> {
    pub(crate) fn specifiers(raw: &'static str) -> Self {
        Self {
            raw,
            value: VersionSpecifiers::from_str(raw).map_err(|error| first_line(&error.to_string())),
        }
    }
}

impl Parsed<Requirement> {
    pub(crate) fn requirement(raw: &'static str) -> Self {
        let value = if let Some(message) = separator_before_more_text(raw) {
            Err(message.into())
        } else {
            let mut ignore_warnings = |_kind, _warning: String| {};
            Requirement::parse_reporter(raw, Path::new(""), &mut ignore_warnings)
                .map_err(|error| first_line(&error.message.to_string()))
        };
        Self { raw, value }
    }
}

/// The parsers' messages end in a drawing of the input with carets under the fault; the caller shows the input
/// itself, so only the first line is kept.
fn first_line(message: &str) -> Box<str> {
    let line = message.lines().next().unwrap_or_default();
    line.trim_end().trim_end_matches(':').into()
}

/// `pep508_rs` 0.9 panics on a name or extra that ends in `.`, `-` or `_` and is followed by more text
/// (`numpy_ >=1`, `numpy[dev-]`): its parser accepts the identifier, then the name type rejects it and it unwraps.
/// Such strings are refused here, before the parser sees them. (`nplint-manifest` guards its parser the same way,
/// with spans; this copy only needs the verdict.)
fn separator_before_more_text(input: &str) -> Option<String> {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    // The identifier starting at `at` (after whitespace), and where it ends.
    let identifier = |at: usize| {
        let start = input.len() - input[at..].trim_start().len();
        let end = input[start..]
            .find(|c| !is_name_char(c))
            .map_or(input.len(), |offset| start + offset);
        (&input[start..end], end)
    };
    let ends_badly = |identifier: &str| {
        identifier.starts_with(|c: char| c.is_ascii_alphanumeric())
            && identifier.ends_with(|c: char| !c.is_ascii_alphanumeric())
    };
    let (name, mut at) = identifier(0);
    if ends_badly(name) && at < input.len() {
        return Some(format!(
            "Package name `{name}` must end with an alphanumeric character"
        ));
    }
    at = input.len() - input[at..].trim_start().len();
    if !input[at..].starts_with('[') {
        return None;
    }
    at += 1;
    loop {
        let (extra, end) = identifier(at);
        if ends_badly(extra) {
            return Some(format!(
                "Extra name `{extra}` must end with an alphanumeric character"
            ));
        }
        at = input.len() - input[end..].trim_start().len();
        if !input[at..].starts_with(',') {
            return None;
        }
        at += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_strings_parse() {
        let requirement =
            Parsed::<Requirement>::requirement("numpy (>=1.19.2,<1.20) ; python_version < '3.9'");
        let value = requirement.value().unwrap();
        assert_eq!(value.name.as_ref(), "numpy");
        assert_eq!(requirement.error(), None);
        assert_eq!(
            requirement.raw(),
            "numpy (>=1.19.2,<1.20) ; python_version < '3.9'"
        );
        let specifiers = Parsed::specifiers(">=3.7, !=3.8.0");
        assert_eq!(specifiers.value().unwrap().to_string(), ">=3.7, !=3.8.0");
    }

    #[test]
    fn invalid_strings_are_kept_with_a_message() {
        for raw in ["numpy (>=1.0 <2)", "example-a[", "example-a>=one", ""] {
            let parsed = Parsed::<Requirement>::requirement(raw);
            assert!(parsed.value().is_none(), "{raw}");
            assert!(!parsed.error().unwrap().is_empty(), "{raw}");
            assert_eq!(parsed.to_string(), raw);
        }
        let specifiers = Parsed::specifiers(">=2.7, !=3.0.*, >= 3.4.*");
        assert!(specifiers.value().is_none());
        assert_eq!(
            specifiers.error(),
            Some(
                "Failed to parse version: Operator >= cannot be used with a wildcard version specifier"
            )
        );
    }

    #[test]
    fn names_that_make_pep508_rs_panic_are_refused() {
        for raw in [
            "numpy- ==1",
            "numpy_>=1",
            "numpy[dev-]",
            "numpy [a, b_ ,c]",
            "a-[x]",
            "numpy[a.",
        ] {
            let parsed = Parsed::<Requirement>::requirement(raw);
            assert!(parsed.error().is_some(), "{raw}");
        }
        assert!(
            Parsed::<Requirement>::requirement("numpy[a-b, c.d]")
                .value()
                .is_some()
        );
        assert!(Parsed::<Requirement>::requirement("a-").error().is_some());
    }
}
