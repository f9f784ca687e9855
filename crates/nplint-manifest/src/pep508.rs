//! PEP 508 requirement strings with source spans, read as `packaging` (what pip uses) reads them.
//!
//! `pep508_rs` reports no positions for a successful parse. This module parses one requirement string and returns
//! byte spans relative to that string: of the version part after a success, of the offending text after a failure.
//! Callers shift them into their file.
//!
//! Where `pep508_rs` 0.9 and `packaging` 24 disagree, the text is rewritten before `pep508_rs` reads it, with a
//! map from the rewritten text back to the original so that error spans point into what the user wrote:
//!
//! - `and`/`or` directly followed by `(` or a quote (`"3.6"and(os_name=="a")`): `packaging` reads the keyword
//!   between word boundaries, `pep508_rs` as the run of non-whitespace; a space is inserted after it.
//! - `name()` and `name ( )`: an empty specifier in parentheses is no specifier; the parentheses become spaces.
//! - `===arbitrary`: arbitrary equality with a string that is not a PEP 440 version; `packaging` compares
//!   strings, nplint cannot place such a string among versions. The requirement is checked with a placeholder
//!   version in its place, and a valid one is reported as [`FailureKind::ArbitraryEquality`] so the caller
//!   reports it unread instead of checking it.
//! - Quoted strings in markers: `packaging` reads them with `ast.literal_eval`, so a Python escape is decoded
//!   (`"\x41"` is `A`) and a broken one (`"\x"`, a string ending in a backslash that escapes its closing
//!   quote) is an error; `pep508_rs` takes the text between the quotes as it is. Escapes are decoded here and
//!   broken ones reported (see [`string_value`]).

use std::convert::Infallible;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

use nplint_diagnostics::Span;
use pep440_rs::{Version, VersionSpecifiers};
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
    pub kind: FailureKind,
}

/// What kind of failure a [`Pep508Failure`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureKind {
    /// Not a requirement `packaging` reads.
    Invalid,
    /// A valid requirement whose `===` compares with a string that is not a PEP 440 version (the span is the
    /// clause): `packaging` reads it, nplint cannot check it.
    ArbitraryEquality,
}

impl Pep508Failure {
    fn invalid(message: impl Into<String>, span: Span) -> Self {
        Self {
            message: message.into(),
            span,
            kind: FailureKind::Invalid,
        }
    }
}

/// Parse `input` (already stripped of comments and surrounding whitespace) as a PEP 508 requirement.
pub(crate) fn parse(input: &str) -> Result<Parsed, Pep508Failure> {
    if let Some(failure) = trailing_separator(input) {
        return Err(failure);
    }
    let marker_start = marker_start(input).unwrap_or(input.len());
    if let Some(failure) = non_ascii_in_marker(&input[marker_start..]) {
        return Err(Pep508Failure::invalid(
            failure.message,
            failure.span.shift(marker_start as u32),
        ));
    }
    let rewritten = Rewritten::requirement(input)?;
    // Marker warnings (valid syntax that evaluates surprisingly, such as comparing `python_version` with a
    // three-part version) are not reported yet: no rule owns them.
    let mut reporter = |_kind, _warning: String| {};
    let requirement = pep508_rs::Requirement::<RawUrl>::parse_reporter(
        rewritten.text(input),
        Path::new(""),
        &mut reporter,
    )
    .map_err(|error| {
        let span = error_span(rewritten.text(input), error.start, error.len);
        Pep508Failure::invalid(error.message.to_string(), rewritten.original(span))
    })?;
    if let Some((clause, value)) = rewritten.arbitrary {
        return Err(Pep508Failure {
            message: if value.is_empty() {
                "`===` compares with an empty string, which is not a PEP 440 version".to_owned()
            } else {
                format!("`===` compares with `{value}`, which is not a PEP 440 version")
            },
            span: clause,
            kind: FailureKind::ArbitraryEquality,
        });
    }
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

/// Parse an environment marker, with the offending span relative to `text` on failure.
pub(crate) fn marker(text: &str) -> Result<MarkerTree, Pep508Failure> {
    if let Some(failure) = non_ascii_in_marker(text) {
        return Err(failure);
    }
    let mut rewritten = Rewritten::default();
    rewritten.marker(text, 0)?;
    let mut reporter = |_kind, _warning: String| {};
    MarkerTree::parse_reporter(rewritten.text(text), &mut reporter).map_err(|error| {
        let span = error_span(rewritten.text(text), error.start, error.len);
        Pep508Failure::invalid(error.message.to_string(), rewritten.original(span))
    })
}

/// What PEP 751's membership markers test, which only lockfiles write: the extras and the dependency groups an
/// install asks for (`'dev' in dependency_groups`, `'gpu' not in extras`). Names as the file writes them; they are
/// compared normalized.
#[derive(Debug, Default, Clone)]
pub(crate) struct Requested {
    pub extras: Vec<String>,
    pub groups: Vec<String>,
}

/// The extra that stands for "holds" while a lock marker is parsed: `extra == SENTINEL` for a membership that
/// holds, `extra != SENTINEL` for one that does not, then every `extra == SENTINEL` is made true.
const SENTINEL: &str = "nplint-membership";

/// A lockfile's marker: as [`marker`] reads one, with PEP 751's membership tests (`'dev' in dependency_groups`,
/// `'cpu' not in extras`), which `pep508_rs` does not read, decided by what `requested` asks for. Each test
/// becomes a marker that always or never holds, so that the marker says only where the entry installs.
pub(crate) fn lock_marker(text: &str, requested: &Requested) -> Result<MarkerTree, Pep508Failure> {
    let Some((decided, anchors)) = decide_memberships(text, requested) else {
        return marker(text);
    };
    let sentinel = ExtraName::from_str(SENTINEL).expect("the sentinel is a valid extra name");
    marker(&decided)
        .map(|marker| marker.simplify_extras_with(|extra| *extra == sentinel))
        .map_err(|mut failure| {
            let original = |offset: u32| {
                let at = anchors.partition_point(|&(from, _)| from <= offset);
                match at.checked_sub(1).map(|at| anchors[at]) {
                    Some((from, to)) => to + offset.saturating_sub(from),
                    None => offset,
                }
            };
            let start = original(failure.span.start);
            failure.span = Span::new(start, original(failure.span.end).max(start));
            failure
        })
}

/// `text` with each membership test (`'<name>' [not] in extras|dependency_groups`) replaced by
/// `extra == 'nplint-membership'` when it holds for `requested` and `extra != ...` when it does not, with anchors
/// from the new text back to `text` (as [`Rewritten`]'s); `None` when there is none.
fn decide_memberships(text: &str, requested: &Requested) -> Option<(String, Vec<(u32, u32)>)> {
    // Extras (PEP 685) and dependency groups (PEP 735) compare by the same normalized form; a name that is neither
    // matches nothing requested.
    let normalize = |name: &str| ExtraName::from_str(name).ok();
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut anchors: Vec<(u32, u32)> = Vec::new();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let quote = bytes[at];
        if quote != b'"' && quote != b'\'' {
            at += 1;
            continue;
        }
        let Some(len) = text[at + 1..].find(char::from(quote)) else {
            break;
        };
        let name = &text[at + 1..at + 1 + len];
        let after = at + len + 2;
        let rest = &text[after..];
        let words: Vec<(usize, &str)> = rest
            .split_ascii_whitespace()
            .take(3)
            .map(|word| (word.as_ptr() as usize - text.as_ptr() as usize, word))
            .collect();
        let (negated, set) = match words.as_slice() {
            [(_, "not"), (_, "in"), (at_set, set), ..] => (true, (*at_set, *set)),
            [(_, "in"), (at_set, set), ..] => (false, (*at_set, *set)),
            _ => {
                at = after;
                continue;
            }
        };
        // The set's name ends where an identifier does (`dependency_groups)`).
        let (set_at, word) = set;
        let identifier = &word[..word
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(word.len())];
        let members = match identifier {
            "extras" => &requested.extras,
            "dependency_groups" => &requested.groups,
            _ => {
                at = after;
                continue;
            }
        };
        let wanted = normalize(name);
        let holds = members
            .iter()
            .any(|member| wanted.is_some() && normalize(member) == wanted)
            != negated;
        let end = set_at + identifier.len();
        out.push_str(&text[copied..at]);
        out.push_str(if holds { "extra == '" } else { "extra != '" });
        out.push_str(SENTINEL);
        out.push('\'');
        copied = end;
        let (Ok(from), Ok(to)) = (u32::try_from(out.len()), u32::try_from(end)) else {
            return None;
        };
        anchors.push((from, to));
        at = end;
    }
    if anchors.is_empty() {
        return None;
    }
    out.push_str(&text[copied..]);
    Some((out, anchors))
}

/// A requirement or marker rewritten into what `pep508_rs` reads as `packaging` reads the original (see the
/// module's documentation), or nothing when the original needs no rewriting, which is nearly always.
#[derive(Debug, Default)]
struct Rewritten {
    /// The rewritten text; `None` while it equals the original.
    text: Option<String>,
    /// Offsets where the rewritten text shifts against the original: from `.0` of the rewritten text on,
    /// offset `.0 + k` stands for offset `.1 + k` of the original.
    anchors: Vec<(u32, u32)>,
    /// The first `===` clause with an arbitrary string, and the string.
    arbitrary: Option<(Span, String)>,
}

impl Rewritten {
    fn text<'a>(&'a self, original: &'a str) -> &'a str {
        self.text.as_deref().unwrap_or(original)
    }

    /// The span of the original that `span` of the rewritten text stands for.
    fn original(&self, span: Span) -> Span {
        let map = |offset: u32| {
            let at = self.anchors.partition_point(|&(from, _)| from <= offset);
            match at.checked_sub(1).map(|at| self.anchors[at]) {
                Some((from, to)) => to + (offset - from),
                None => offset,
            }
        };
        let start = map(span.start);
        Span::new(start, map(span.end).max(start))
    }

    /// Rewrite a whole requirement: its version part, then its marker.
    fn requirement(input: &str) -> Result<Self, Pep508Failure> {
        let mut rewritten = Self::default();
        let marker_at = precise_marker_start(input);
        let head = &input[..marker_at.map_or(input.len(), |at| at - 1)];
        // Nearly every requirement has neither; lockfiles parse thousands.
        if head.contains('(') || head.contains("===") {
            rewritten.version_part(input, head);
        }
        if let Some(at) = marker_at {
            rewritten.marker(input, at)?;
        }
        Ok(rewritten)
    }

    /// The text being built, created from `original` on the first change.
    fn text_mut(&mut self, original: &str) -> &mut String {
        self.text.get_or_insert_with(|| original.to_owned())
    }

    /// `name()` and `===arbitrary` in the part of `input` before its marker: both rewritten in place, at the
    /// same length.
    fn version_part(&mut self, input: &str, head: &str) {
        let bytes = head.as_bytes();
        let mut at = head.len() - head.trim_start().len();
        while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || b"._-".contains(&bytes[at]))
        {
            at += 1;
        }
        let skip_ws = |mut at: usize| {
            while at < bytes.len() && bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            at
        };
        at = skip_ws(at);
        if bytes.get(at) == Some(&b'[') {
            let Some(close) = head[at..].find(']') else {
                return;
            };
            at = skip_ws(at + close + 1);
        }
        if head[at..].starts_with('@') {
            return;
        }
        let mut specifiers = at..head.len();
        if bytes.get(at) == Some(&b'(') {
            let Some(close) = head[at..].find(')').map(|close| at + close) else {
                return;
            };
            if head[at + 1..close].trim().is_empty() {
                // `packaging`: `name ( )` has no specifier.
                let text = self.text_mut(input);
                text.replace_range(at..=close, &" ".repeat(close + 1 - at));
                return;
            }
            specifiers = at + 1..close;
        }
        let mut start = specifiers.start;
        for clause in head[specifiers.clone()].split(',') {
            let end = start + clause.len();
            let operator = start + (clause.len() - clause.trim_start().len());
            let value = head[operator..end]
                .strip_prefix("===")
                .map(str::trim)
                .filter(|value| !value.contains(|c: char| c.is_whitespace() || c == ')'));
            if let Some(value) = value
                && Version::from_str(value).is_err()
                && self.arbitrary.is_none()
            {
                self.arbitrary = Some((
                    Span::from_range(operator..operator + head[operator..end].trim_end().len()),
                    value.to_owned(),
                ));
                // A placeholder of the same length for the rest to be checked: `===x` -> `===0`, `===` -> `==0`.
                let text = self.text_mut(input);
                if value.is_empty() {
                    text.replace_range(operator..operator + 3, "==0");
                } else {
                    let value_at = operator + head[operator..].find(value).unwrap_or(3);
                    let placeholder = format!("0{}", " ".repeat(value.len() - 1));
                    text.replace_range(value_at..value_at + value.len(), &placeholder);
                }
            }
            start = end + 1;
        }
    }

    /// Rewrite the marker `input[from..]` (ASCII: the caller checked): a space after `and`/`or` keywords that
    /// touch what follows, and decoded escapes in quoted strings.
    fn marker(&mut self, input: &str, from: usize) -> Result<(), Pep508Failure> {
        if !may_need_rewriting(&input[from..]) {
            return Ok(());
        }
        let bytes = input.as_bytes();
        // Changes as (start, end, replacement) over `input`, in order.
        let mut changes: Vec<(usize, usize, String)> = Vec::new();
        let mut at = from;
        while at < bytes.len() {
            match bytes[at] {
                quote @ (b'"' | b'\'') => {
                    // `packaging`'s `QUOTED_STRING`: up to the next quote of the same kind, no escapes.
                    let Some(len) = input[at + 1..].find(char::from(quote)) else {
                        // Unterminated: `pep508_rs` reports it.
                        break;
                    };
                    let content = at + 1..at + 1 + len;
                    if let Some(value) = string_value(&input[content.clone()], content.start)? {
                        let other = if quote == b'"' { b'\'' } else { b'"' };
                        let delimiter = if value.contains(char::from(quote)) {
                            (!value.contains(char::from(other))).then_some(other)
                        } else {
                            Some(quote)
                        };
                        // A value holding both kinds of quote cannot be written for `pep508_rs`; it stays as
                        // written (no platform or version holds a quote, so it compares unequal either way).
                        if let Some(delimiter) = delimiter {
                            let delimiter = char::from(delimiter);
                            changes.push((
                                at,
                                content.end + 1,
                                format!("{delimiter}{value}{delimiter}"),
                            ));
                        }
                    }
                    at = content.end + 1;
                }
                b if b.is_ascii_alphanumeric() || b == b'_' => {
                    let start = at;
                    while at < bytes.len()
                        && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_')
                    {
                        at += 1;
                    }
                    let word = &input[start..at];
                    if matches!(word, "and" | "or")
                        && bytes.get(at).is_some_and(|b| !b.is_ascii_whitespace())
                    {
                        changes.push((at, at, " ".to_owned()));
                    }
                }
                _ => at += 1,
            }
        }
        self.apply(input, changes);
        Ok(())
    }

    /// Splice `changes` into the text, recording anchors.
    fn apply(&mut self, input: &str, changes: Vec<(usize, usize, String)>) {
        if changes.is_empty() {
            return;
        }
        // Changes come after anything `version_part` rewrote, which kept every length: offsets still agree.
        let base = self.text.take().unwrap_or_else(|| input.to_owned());
        let mut out = String::with_capacity(base.len() + changes.len());
        let mut copied = 0;
        for (start, end, replacement) in changes {
            out.push_str(&base[copied..start]);
            let written_at = out.len() as u32;
            out.push_str(&replacement);
            // Each replacement stands for its original's start; the text after it for the text after that.
            self.anchors.push((written_at, start as u32));
            self.anchors.push((out.len() as u32, end as u32));
            copied = end;
        }
        out.push_str(&base[copied..]);
        self.text = Some(out);
    }
}

/// Whether a marker may hold what [`Rewritten::marker`] rewrites or refuses: a backslash, a line break or NUL,
/// or `and`/`or` followed by neither whitespace nor a word character. A quick pass that lets the markers of
/// lockfiles, thousands of them and none of these, skip the scan.
fn may_need_rewriting(marker: &str) -> bool {
    let bytes = marker.as_bytes();
    // One pass: a keyword is recognised at its last letter.
    bytes.iter().enumerate().any(|(at, &b)| match b {
        b'\\' | b'\n' | b'\r' | 0 => true,
        b'd' | b'r' => {
            let keyword = if b == b'd' { &b"an"[..] } else { &b"o"[..] };
            at >= keyword.len()
                && &bytes[at - keyword.len()..at] == keyword
                && bytes.get(at + 1).is_some_and(|&next| {
                    !(next.is_ascii_whitespace() || next.is_ascii_alphanumeric() || next == b'_')
                })
        }
        _ => false,
    })
}

/// The value of a marker's quoted string as Python's `ast.literal_eval` reads it, when escapes make it differ
/// from the text; `content` (the text between the quotes) stands at `offset`.
///
/// Errors where Python's are (each checked with `packaging` 24.2 on CPython 3.11, listed in the tests): a broken
/// `\x`, `\u`, `\U` or `\N{...}` escape, a code point past U+10FFFF, a backslash that escapes the closing quote,
/// a line break or NUL in the string. An unknown escape (`\q`) stays as written, as Python keeps it (with a
/// warning). nplint does not carry Unicode's character names, so a well-formed `\N{...}` is reported as not
/// read; a value that decodes to a non-ASCII character is refused as non-ASCII text is.
fn string_value(content: &str, offset: usize) -> Result<Option<String>, Pep508Failure> {
    let error = |message: &str, range: Range<usize>| {
        Pep508Failure::invalid(
            message,
            Span::from_range(offset + range.start..offset + range.end),
        )
    };
    let line_break = "a quoted string cannot hold a line break";
    if let Some(at) = content.find('\0') {
        return Err(error(
            "a quoted string cannot hold a NUL character",
            at..at + 1,
        ));
    }
    if !content.contains('\\') {
        return match content.find(['\n', '\r']) {
            Some(at) => Err(error(line_break, at..at + 1)),
            None => Ok(None),
        };
    }
    let bytes = content.as_bytes();
    let mut value = String::with_capacity(content.len());
    let mut at = 0;
    while at < bytes.len() {
        if matches!(bytes[at], b'\n' | b'\r') {
            return Err(error(line_break, at..at + 1));
        }
        if bytes[at] != b'\\' {
            value.push(char::from(bytes[at]));
            at += 1;
            continue;
        }
        let escape_at = at;
        let (decoded, end) =
            escape(content, at).map_err(|(message, range)| error(&message, range))?;
        at = end;
        if let Some(text) = decoded {
            if let Some(c) = text.chars().find(|c| !c.is_ascii()) {
                return Err(error(
                    &format!(
                        "unexpected character `{}` in an environment marker: nplint reads ASCII markers only",
                        c.escape_debug()
                    ),
                    escape_at..at,
                ));
            }
            value.push_str(&text);
        }
    }
    Ok((value != content).then_some(value))
}

/// What the escape at `content[escape]` (a backslash) stands for, as a Python string literal reads it: its text
/// (`None` for a backslash before a line break, which joins the lines) and where it ends; an error message and
/// span otherwise.
fn escape(content: &str, escape: usize) -> Result<(Option<String>, usize), (String, Range<usize>)> {
    let bytes = content.as_bytes();
    let Some(&kind) = bytes.get(escape + 1) else {
        return Err((
            "a quoted string cannot end with a backslash: it escapes the closing quote".to_owned(),
            escape..escape + 1,
        ));
    };
    let mut at = escape + 2;
    let c = match kind {
        b'\\' | b'\'' | b'"' => char::from(kind),
        b'a' => '\u{7}',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'v' => '\u{b}',
        b'\n' => return Ok((None, at)),
        b'\r' => {
            let end = if bytes.get(at) == Some(&b'\n') {
                at + 1
            } else {
                at
            };
            return Ok((None, end));
        }
        b'0'..=b'7' => {
            let digits = bytes[at - 1..]
                .iter()
                .take(3)
                .take_while(|b| (b'0'..=b'7').contains(b))
                .count();
            // Up to 0o777: past 0o377 Python warns, and still decodes.
            let code = u32::from_str_radix(&content[at - 1..at - 1 + digits], 8).unwrap_or(0);
            at += digits - 1;
            char::from_u32(code).unwrap_or('\u{fffd}')
        }
        b'x' | b'u' | b'U' => {
            let (len, name) = match kind {
                b'x' => (2, "\\xXX"),
                b'u' => (4, "\\uXXXX"),
                _ => (8, "\\UXXXXXXXX"),
            };
            let code = content
                .get(at..at + len)
                .filter(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|digits| u32::from_str_radix(digits, 16).ok());
            let Some(code) = code else {
                return Err((
                    format!("truncated `{name}` escape in a quoted string"),
                    escape..(at + len).min(content.len()),
                ));
            };
            at += len;
            // A lone surrogate is a valid Python string, and not ASCII: it stands as a replacement character.
            match char::from_u32(code) {
                Some(c) => c,
                None if code < 0x11_0000 => '\u{fffd}',
                None => {
                    return Err((
                        "illegal Unicode character in a quoted string".to_owned(),
                        escape..at,
                    ));
                }
            }
        }
        b'N' => {
            let name_end = content[at..].find('}').map(|end| at + end);
            return Err(match name_end {
                Some(end) if bytes.get(at) == Some(&b'{') && end > at + 1 => (
                    "nplint does not read `\\N{...}` escapes in quoted strings".to_owned(),
                    escape..end + 1,
                ),
                _ => (
                    "malformed `\\N` escape in a quoted string".to_owned(),
                    escape..at,
                ),
            });
        }
        // Python keeps an unknown escape as it is (with a warning).
        _ => return Ok((Some(format!("\\{}", char::from(kind))), at)),
    };
    Ok((Some(c.to_string()), at))
}

/// Where the marker part of a requirement may start: after its first `;` (a URL with a `;` of its own puts more
/// text under the marker check, which only refuses non-ASCII characters there).
fn marker_start(input: &str) -> Option<usize> {
    input.find(';').map(|at| at + 1)
}

/// Where the marker part of a requirement starts, for rewriting: after its first `;`, or for a URL requirement
/// (`name @ url`), after the first `;` past the URL, which runs to whitespace.
fn precise_marker_start(input: &str) -> Option<usize> {
    let semicolon = input.find(';')?;
    let Some(at) = input[..semicolon].find('@') else {
        return Some(semicolon + 1);
    };
    let url = at + 1 + (input[at + 1..].len() - input[at + 1..].trim_start().len());
    let url_end = url + input[url..].find(char::is_whitespace)?;
    input[url_end..].find(';').map(|found| url_end + found + 1)
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
    Some(Pep508Failure::invalid(
        format!(
            "unexpected character `{}` in an environment marker: nplint reads ASCII markers only",
            character.escape_debug()
        ),
        Span::from_range(at..at + character.len_utf8()),
    ))
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
        return Some(Pep508Failure::invalid(
            format!("Package name must end with an alphanumeric character, not `{c}`"),
            Span::from_range(at..at + 1),
        ));
    }
    let mut at = skip_whitespace(name_end);
    if !input[at..].starts_with('[') {
        return None;
    }
    at += 1;
    loop {
        at = skip_whitespace(at);
        if let Some((bad, c)) = bad_end(at) {
            return Some(Pep508Failure::invalid(
                format!("Extra name must end with an alphanumeric character, not `{c}`"),
                Span::from_range(bad..bad + 1),
            ));
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

    /// A lock marker read with `groups` requested, as its text (`true`, `false`, or what remains).
    fn lock(text: &str, groups: &[&str]) -> String {
        let requested = Requested {
            extras: Vec::new(),
            groups: groups.iter().map(|&group| group.to_owned()).collect(),
        };
        let marker = lock_marker(text, &requested).unwrap();
        if marker.is_true() {
            "true".to_owned()
        } else if marker.is_false() {
            "false".to_owned()
        } else {
            marker.try_to_string().unwrap()
        }
    }

    #[test]
    fn pep_751_membership_markers_are_decided_by_what_is_requested() {
        assert_eq!(lock("'dev' in dependency_groups", &["dev"]), "true");
        assert_eq!(lock("'dev' in dependency_groups", &[]), "false");
        assert_eq!(lock("\"dev\" not in dependency_groups", &[]), "true");
        assert_eq!(
            lock(
                "('dev' in dependency_groups) and (python_version >= '3.10')",
                &["dev"]
            ),
            "python_full_version >= '3.10'"
        );
        assert_eq!(
            lock(
                "('dev' in dependency_groups) and (sys_platform == 'win32')",
                &[]
            ),
            "false"
        );
        // Names compare normalized; no extra is ever requested.
        assert_eq!(
            lock("'Dev_Tools' in dependency_groups", &["dev-tools"]),
            "true"
        );
        assert_eq!(
            lock("'gpu' in extras or os_name == 'nt'", &[]),
            "os_name == 'nt'"
        );
        // `in` on another variable is PEP 508's own, left as it is.
        assert_eq!(
            lock("'linux' in sys_platform", &[]),
            "'linux' in sys_platform"
        );
        // Nothing else changes: an error still points into the text as written.
        let error = lock_marker(
            "'dev' in dependency_groups and python_version >>= '3'",
            &Requested::default(),
        )
        .unwrap_err();
        assert_eq!(
            &"'dev' in dependency_groups and python_version >>= '3'"[error.span.range()],
            ">>="
        );
        // Outside a lockfile such a marker is no marker.
        assert!(marker("'dev' in dependency_groups").is_err());
        // Broken input is an error, never a panic.
        for broken in [
            "'dev' in",
            "'dev' not in",
            "'dev' in dependency_groups'",
            "'' in extras and",
            "'é' in dependency_groups or 'ü",
            "\"dev\" in dependency_groupsx",
            "'a'in'b'in extras",
        ] {
            let _ = lock_marker(broken, &Requested::default());
        }
    }

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

    /// Each case checked with `packaging.requirements.Requirement` of packaging 24.2 on CPython 3.11.7
    /// (accepted, or `InvalidRequirement`/`SyntaxError`).
    #[test]
    fn keywords_touching_what_follows() {
        for (marker_text, spaced) in [
            (
                r#"python_version>"3.6"and(os_name=="a")"#,
                r#"python_version > "3.6" and (os_name == "a")"#,
            ),
            (
                r#"os_name=="a"or(os_name=="b")"#,
                r#"os_name == "a" or (os_name == "b")"#,
            ),
            (
                r#"os_name=="a"and"b"==os_name"#,
                r#"os_name == "a" and "b" == os_name"#,
            ),
            (
                "os_name=='a'and'b'==os_name",
                r#"os_name == "a" and "b" == os_name"#,
            ),
            (
                r#"(os_name=="a")and(os_name=="b")"#,
                r#"os_name == "a" and os_name == "b""#,
            ),
            (
                r#"os_name=="a"and os_name=="b"or(os_name=="c")"#,
                r#"os_name == "a" and os_name == "b" or os_name == "c""#,
            ),
        ] {
            assert_eq!(
                marker(marker_text).unwrap(),
                marker(spaced).unwrap(),
                "{marker_text}"
            );
            let requirement = format!("numpy>=1;{marker_text}");
            assert_eq!(
                parse(&requirement).unwrap().marker,
                marker(spaced).unwrap(),
                "{requirement}"
            );
        }
        // No word boundary: not a keyword, for packaging either.
        assert!(marker(r#"os_name=="a"andos_name=="b""#).is_err());
        // An error after an inserted space points into the text as written.
        let text = r#"os_name=="a"and(os_name>>"b")"#;
        let failure = marker(text).unwrap_err();
        assert!(
            text[failure.span.range()].starts_with(">>"),
            "{:?} {}",
            failure.span,
            failure.message
        );
        let text = r#"numpy; os_name=="a"or(os_name=="b""#;
        let failure = parse(text).unwrap_err();
        assert!(failure.span.end as usize <= text.len(), "{failure:?}");
        // A URL's own `and` is no keyword.
        let parsed =
            parse(r#"pkg @ https://example.invalid/and/or/pkg.whl ; os_name=="a"or(os_name=="b")"#)
                .unwrap();
        assert_eq!(
            parsed.url.as_deref(),
            Some("https://example.invalid/and/or/pkg.whl")
        );
    }

    #[test]
    fn empty_parentheses_are_no_specifier() {
        for input in [
            "name()",
            "name ( )",
            "name[x]()",
            r#"name ()  ; os_name=="a""#,
        ] {
            let parsed = parse(input).unwrap_or_else(|failure| panic!("{input}: {failure:?}"));
            assert!(parsed.specifiers.is_empty(), "{input}");
            assert_eq!(parsed.version_span, None, "{input}");
        }
        assert_eq!(parse("name[x]()").unwrap().extras.len(), 1);
        assert!(
            !parse(r#"name ()  ; os_name=="a""#)
                .unwrap()
                .marker
                .is_true()
        );
    }

    #[test]
    fn arbitrary_equality() {
        for (input, clause) in [
            ("installer===arbitrarystring", "===arbitrarystring"),
            ("a===foo,>=1", "===foo"),
            ("a>=1,===foo", "===foo"),
            ("a (===foo)", "===foo"),
            ("a ( === foo )", "=== foo"),
            (r#"a===foo ; os_name=="a""#, "===foo"),
            (r#"a===foo;os_name=="a""#, "===foo"),
            ("a===", "==="),
        ] {
            let failure = parse(input).unwrap_err();
            assert_eq!(
                failure.kind,
                FailureKind::ArbitraryEquality,
                "{input}: {failure:?}"
            );
            assert_eq!(&input[failure.span.range()], clause, "{input}");
        }
        assert!(
            parse("installer===arbitrarystring")
                .unwrap_err()
                .message
                .contains("`arbitrarystring`")
        );
        // Invalid for packaging too: whitespace inside the string, a `)` with no `(`; and the rest of an
        // arbitrary requirement is still checked.
        for input in ["a=== foo bar", "a===foo)", r#"a===foo; os_name=="a"and"#] {
            let failure = parse(input).unwrap_err();
            assert_eq!(failure.kind, FailureKind::Invalid, "{input}: {failure:?}");
        }
        // A valid version: pep440_rs reads `===` itself.
        let parsed = parse("numpy===1.26.4").unwrap();
        assert_eq!(parsed.specifiers.to_string(), "===1.26.4");
        assert_eq!(version_text("numpy===1.26.4"), Some("===1.26.4"));
    }

    #[test]
    fn quoted_strings_read_as_python_literals() {
        // Errors in packaging (`SyntaxError` from `ast.literal_eval`), each with the part nplint points at.
        for (text, at) in [
            (r#"os_name == "\x""#, r"\x"),
            (r#"os_name == "\x4""#, r"\x4"),
            (r#"os_name == "\xZZ""#, r"\xZZ"),
            (r#"os_name == "\u00""#, r"\u00"),
            (r#"os_name == "\u12G4""#, r"\u12G4"),
            (r#"os_name == "\U00110000""#, r"\U00110000"),
            (r#"os_name == "a\""#, r"\"),
            (r"os_name == '\''", r"\"),
            // packaging's string ends at the next quote of its kind: the backslash escapes it.
            (r"os_name == 'it\'s'", r"\"),
            (r#"os_name == "\N""#, r"\N"),
            (r#"os_name == "\N{""#, r"\N"),
            (r#"os_name == "\N{NOPE}""#, r"\N{NOPE}"),
            ("os_name == \"a\nb\"", "\n"),
            ("os_name == \"a\0b\"", "\0"),
        ] {
            let failure = marker(text).unwrap_err();
            assert_eq!(
                &text[failure.span.range()],
                at,
                "{text}: {}",
                failure.message
            );
            let requirement = format!("numpy; {text}");
            let failure = parse(&requirement).unwrap_err();
            assert_eq!(&requirement[failure.span.range()], at, "{requirement}");
        }
        // Accepted, with the value Python gives (written for `pep508_rs` itself, which reads no escapes).
        let raw = |text: &str| MarkerTree::from_str(text).unwrap();
        for (text, value) in [
            (r#"os_name == "\x41""#, r#"os_name == "A""#),
            (r#"os_name == "\u0041""#, r#"os_name == "A""#),
            (r#"os_name == "\101""#, r#"os_name == "A""#),
            (r#"os_name == "\\""#, r"os_name == '\'"),
            ("os_name == \"a\\\nb\"", r#"os_name == "ab""#),
            // An unknown escape stays as written (Python warns).
            (r#"os_name == "\q""#, r"os_name == '\q'"),
            (r#"os_name == "\8""#, r"os_name == '\8'"),
        ] {
            assert_eq!(marker(text).unwrap(), raw(value), "{text}");
        }
        // A value Python decodes to non-ASCII (packaging accepts `"\u00e9"` as `é`) is refused as non-ASCII
        // text is: nplint reads ASCII markers only.
        let failure = marker(r#"os_name == "\u00e9""#).unwrap_err();
        assert!(failure.message.contains("ASCII"), "{}", failure.message);
        // Strings without escapes are not rewritten.
        let mut rewritten = Rewritten::default();
        rewritten
            .marker(r#"python_version < "3.9" and os_name == 'nt'"#, 0)
            .unwrap();
        assert!(rewritten.text.is_none());
    }
}
