//! Conda MatchSpec strings, split as conda's `_parse_spec_str` splits them, and their versions read as PEP 440.
//!
//! Offsets are byte ranges into the spec string; the caller shifts them into the file. The conversion table is in
//! the parent module's documentation.

use std::ops::Range;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifier, VersionSpecifiers};

/// A MatchSpec string taken apart.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct MatchSpec<'a> {
    /// The whole spec without a trailing `# comment` or ` if ...` condition, trimmed.
    pub range: Range<usize>,
    /// `conda-forge`, `conda-forge/linux-64`, `pkgs/main`: everything before `::`, or `[channel=...]`.
    pub channel: Option<&'a str>,
    pub name: &'a str,
    /// The version as written (`=1.19`, `>=1.20, <1.22`, `1.19.*`) and where; `[version=...]` wins over it.
    pub version: Option<(&'a str, Range<usize>)>,
    /// The build string (`py38h1234_0`, `py38*`); `[build=...]` wins over the positional one.
    pub build: Option<&'a str>,
    /// The version expression as conda's `VersionSpec` receives it: blanks removed and the MatchSpec-level `=`
    /// rules applied (`=1.19` -> `1.19*`, `==1.19` -> `1.19`, `=1.19` with a build -> `1.19`).
    pub conda_version: Option<String>,
}

/// Why a string is not a MatchSpec, with the offending range of the spec.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct SpecError {
    pub message: String,
    pub range: Range<usize>,
}

/// Characters that end a package name (conda's step 6 regex, plus `(`, which starts a grouped version).
const NAME_END: &[char] = &[' ', '=', '<', '>', '!', '~', '('];

/// Split `spec` (one `dependencies` entry) into its parts.
pub(super) fn parse(spec: &str) -> Result<MatchSpec<'_>, SpecError> {
    // Step 1: `#` starts a comment and ` if ` a condition; conda ignores both.
    let mut end = spec.find('#').unwrap_or(spec.len());
    if let Some(condition) = spec[..end].find(" if ") {
        end = condition;
    }
    let start = spec.len() - spec.trim_start().len();
    let end = start.max(spec[..end].trim_end().len());
    let range = start..end;
    if range.is_empty() {
        return Err(SpecError {
            message: "empty package spec".to_owned(),
            range: 0..spec.len(),
        });
    }

    // Step 3: a `[key=value, ...]` section.
    let mut main = range.clone();
    let mut fields = Fields::default();
    if let Some(open) = spec[range.clone()]
        .find('[')
        .map(|offset| range.start + offset)
    {
        let Some(close) = spec[open..range.end].rfind(']').map(|offset| open + offset) else {
            return Err(SpecError {
                message: "`[` without a closing `]`".to_owned(),
                range: open..range.end,
            });
        };
        if close + 1 != range.end {
            return Err(SpecError {
                message: "unexpected text after the `[...]` section".to_owned(),
                range: close + 1..range.end,
            });
        }
        fields = parse_fields(spec, open + 1..close)?;
        main = range.start..spec[..open].trim_end().len().max(range.start);
    }

    // Step 5: `channel::name`.
    let mut channel = None;
    if let Some(separator) = spec[main.clone()]
        .rfind("::")
        .map(|offset| main.start + offset)
    {
        let text = spec[main.start..separator].trim();
        channel = (!text.is_empty()).then_some(text);
        main.start = separator + 2;
    }
    if let Some((value, _)) = fields.channel {
        channel = Some(value);
    }

    // Step 6: the name.
    let name_start =
        main.start + (spec[main.clone()].len() - spec[main.clone()].trim_start().len());
    let name_end = spec[name_start..main.end]
        .find(NAME_END)
        .map_or(main.end, |offset| name_start + offset);
    let name = &spec[name_start..name_end];
    if name.is_empty() {
        return Err(SpecError {
            message: "no package name".to_owned(),
            range: main,
        });
    }
    if let Some(bad) =
        name.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        let bad = name_start + bad;
        return Err(SpecError {
            message: format!("invalid character in package name `{name}`"),
            range: bad..bad + spec[bad..].chars().next().map_or(0, char::len_utf8),
        });
    }

    // Step 7: version and build.
    let rest_start =
        name_end + (spec[name_end..main.end].len() - spec[name_end..main.end].trim_start().len());
    let rest = &spec[rest_start..main.end];
    let (mut version, mut build) = (None, None);
    if !rest.is_empty() {
        let (version_len, build_range) = split_build(rest);
        let version_range = rest_start..rest_start + rest[..version_len].trim_end().len();
        version = Some((&spec[version_range.clone()], version_range));
        build = build_range.map(|r| spec[rest_start + r.start..rest_start + r.end].trim());
    }
    if let Some((value, _)) = fields.build {
        build = Some(value);
    }
    let mut conda_version = version
        .as_ref()
        .map(|(text, _)| match_spec_version(text, build.is_some()));
    if let Some((value, range)) = fields.version {
        // Inside brackets the value goes to `VersionSpec` as is.
        version = Some((value, range));
        conda_version = Some(value.split_whitespace().collect());
    }
    Ok(MatchSpec {
        range,
        channel,
        name,
        version,
        build,
        conda_version,
    })
}

#[derive(Default)]
struct Fields<'a> {
    version: Option<(&'a str, Range<usize>)>,
    build: Option<(&'a str, Range<usize>)>,
    channel: Option<(&'a str, Range<usize>)>,
}

/// `key=value, key='value' key="value"` inside brackets. Keys other than `version`, `build` and `channel`
/// (`md5`, `build_number`, `subdir`, ...) do not change what nplint checks and are skipped.
fn parse_fields(spec: &str, inner: Range<usize>) -> Result<Fields<'_>, SpecError> {
    let mut fields = Fields::default();
    let mut i = inner.start;
    let bytes = spec.as_bytes();
    loop {
        while i < inner.end && matches!(bytes[i], b',' | b' ') {
            i += 1;
        }
        if i >= inner.end {
            return Ok(fields);
        }
        let key_start = i;
        while i < inner.end && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'-'))
        {
            i += 1;
        }
        let key = &spec[key_start..i];
        if key.is_empty() || bytes.get(i) != Some(&b'=') || i + 1 > inner.end {
            return Err(SpecError {
                message: "expected `key=value` in the `[...]` section".to_owned(),
                range: key_start..inner.end,
            });
        }
        i += 1;
        let value = if i < inner.end && matches!(bytes[i], b'\'' | b'"') {
            let quote = bytes[i];
            let Some(close) = spec[i + 1..inner.end].find(char::from(quote)) else {
                return Err(SpecError {
                    message: "unterminated quoted value in the `[...]` section".to_owned(),
                    range: i..inner.end,
                });
            };
            let value = i + 1..i + 1 + close;
            i = value.end + 1;
            value
        } else {
            let start = i;
            while i < inner.end && !matches!(bytes[i], b',' | b' ') {
                i += 1;
            }
            start..i
        };
        let text = spec[value.clone()].trim();
        if text.is_empty() {
            return Err(SpecError {
                message: format!("empty value for `{key}` in the `[...]` section"),
                range: key_start..i,
            });
        }
        let trimmed =
            value.start + (spec[value.clone()].len() - spec[value.clone()].trim_start().len());
        let entry = Some((text, trimmed..trimmed + text.len()));
        match key {
            "version" => fields.version = entry,
            "build" | "build_string" => fields.build = entry,
            "channel" => fields.channel = entry,
            _ => {}
        }
    }
}

/// Where the version ends and the build starts in `rest` (the text after the name), as conda's
/// `_parse_version_plus_build` decides: the build is the text after the first blank or `=` that does not follow an
/// operator character and after which no operator, `-`, `,` or `|` follows.
fn split_build(rest: &str) -> (usize, Option<Range<usize>>) {
    let mut previous = None;
    for (offset, c) in rest.char_indices() {
        if offset > 0
            && matches!(c, ' ' | '=')
            && previous.is_some_and(|p| !matches!(p, '=' | '!' | '|' | ',' | '<' | '>' | '~'))
        {
            let build = &rest[offset + 1..];
            if !build.trim().is_empty() && !build.contains(['-', '=', ',', '|', '<', '>', '~']) {
                return (offset, Some(offset + 1..rest.len()));
            }
        }
        previous = Some(c);
    }
    (rest.len(), None)
}

/// The MatchSpec-level version rules of conda's `_parse_spec_str`, applied to the version as written.
fn match_spec_version(written: &str, has_build: bool) -> String {
    let version: String = written.split_whitespace().collect();
    if let Some(exact) = version.strip_prefix("==")
        && !has_build
    {
        return exact.to_owned();
    }
    if let Some(fuzzy) = version.strip_prefix('=')
        && !fuzzy.contains(['=', ',', '|'])
    {
        return if has_build || fuzzy.ends_with('*') {
            fuzzy.to_owned()
        } else {
            format!("{fuzzy}*")
        };
    }
    version
}

/// A conda version expression that PEP 440 cannot express, or that conda itself refuses.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Unconvertible {
    /// conda refuses the expression.
    Invalid(String),
    /// conda accepts it, but no PEP 440 specifier set means the same.
    Unread(String),
}

/// Read a conda `VersionSpec` expression (as [`MatchSpec::conda_version`] holds it) as PEP 440 specifiers.
pub(super) fn to_pep440(expression: &str) -> Result<VersionSpecifiers, Unconvertible> {
    if expression.is_empty() {
        return Err(Unconvertible::Invalid("empty version".to_owned()));
    }
    let mut tokens = tokenize(expression).peekable();
    let expr = parse_or(&mut tokens, 0)?;
    if let Some(token) = tokens.next() {
        return Err(Unconvertible::Invalid(format!(
            "unexpected `{}` in version `{expression}`",
            token.text()
        )));
    }
    Ok(convert(&expr)?.into_iter().collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Open,
    Close,
    Or,
    And,
    Leaf(&'a str),
}

impl Token<'_> {
    fn text(&self) -> &str {
        match self {
            Self::Open => "(",
            Self::Close => ")",
            Self::Or => "|",
            Self::And => ",",
            Self::Leaf(text) => text,
        }
    }
}

fn tokenize(expression: &str) -> impl Iterator<Item = Token<'_>> {
    let mut rest = expression;
    std::iter::from_fn(move || {
        let token = match rest.chars().next()? {
            '(' => (Token::Open, 1),
            ')' => (Token::Close, 1),
            '|' => (Token::Or, 1),
            ',' => (Token::And, 1),
            _ => {
                let len = rest.find(['(', ')', '|', ',']).unwrap_or(rest.len());
                (Token::Leaf(&rest[..len]), len)
            }
        };
        rest = &rest[token.1..];
        Some(token.0)
    })
}

enum Expr<'a> {
    Leaf(&'a str),
    And(Vec<Expr<'a>>),
    Or(Vec<Expr<'a>>),
}

/// Parentheses deeper than this are refused rather than recursed into.
const MAX_GROUP_DEPTH: usize = 16;

type Tokens<'a, I> = std::iter::Peekable<I>;

fn parse_or<'a, I: Iterator<Item = Token<'a>>>(
    tokens: &mut Tokens<'a, I>,
    depth: usize,
) -> Result<Expr<'a>, Unconvertible> {
    let mut branches = vec![parse_and(tokens, depth)?];
    while tokens.next_if_eq(&Token::Or).is_some() {
        branches.push(parse_and(tokens, depth)?);
    }
    Ok(if branches.len() == 1 {
        branches.remove(0)
    } else {
        Expr::Or(branches)
    })
}

fn parse_and<'a, I: Iterator<Item = Token<'a>>>(
    tokens: &mut Tokens<'a, I>,
    depth: usize,
) -> Result<Expr<'a>, Unconvertible> {
    let mut parts = vec![parse_atom(tokens, depth)?];
    while tokens.next_if_eq(&Token::And).is_some() {
        parts.push(parse_atom(tokens, depth)?);
    }
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        Expr::And(parts)
    })
}

fn parse_atom<'a, I: Iterator<Item = Token<'a>>>(
    tokens: &mut Tokens<'a, I>,
    depth: usize,
) -> Result<Expr<'a>, Unconvertible> {
    match tokens.next() {
        Some(Token::Leaf(text)) => Ok(Expr::Leaf(text)),
        Some(Token::Open) if depth < MAX_GROUP_DEPTH => {
            let inner = parse_or(tokens, depth + 1)?;
            if tokens.next() == Some(Token::Close) {
                Ok(inner)
            } else {
                Err(Unconvertible::Invalid(
                    "`(` without a closing `)`".to_owned(),
                ))
            }
        }
        Some(Token::Open) => Err(Unconvertible::Invalid(
            "version groups nest too deeply".to_owned(),
        )),
        Some(token) => Err(Unconvertible::Invalid(format!(
            "expected a version before `{}`",
            token.text()
        ))),
        None => Err(Unconvertible::Invalid(
            "expected a version at the end".to_owned(),
        )),
    }
}

/// An empty list means any version.
fn convert(expr: &Expr<'_>) -> Result<Vec<VersionSpecifier>, Unconvertible> {
    match expr {
        Expr::Leaf(leaf) => convert_leaf(leaf),
        Expr::And(parts) => {
            let mut all = Vec::new();
            for part in parts {
                all.extend(convert(part)?);
            }
            Ok(all)
        }
        Expr::Or(branches) => {
            let mut converted = Vec::with_capacity(branches.len());
            for branch in branches {
                converted.push(convert(branch)?);
            }
            // A union collapses exactly only when a branch allows everything or all branches are the same set.
            if converted.iter().any(Vec::is_empty) {
                return Ok(Vec::new());
            }
            let canonical = |specifiers: &Vec<VersionSpecifier>| {
                let mut texts: Vec<String> = specifiers.iter().map(ToString::to_string).collect();
                texts.sort();
                texts.dedup();
                texts
            };
            let first = canonical(&converted[0]);
            if converted.iter().all(|branch| canonical(branch) == first) {
                return Ok(converted.swap_remove(0));
            }
            Err(Unconvertible::Unread(
                "`|` (or) joins ranges that PEP 440 specifiers cannot express together".to_owned(),
            ))
        }
    }
}

const OPERATORS: &[&str] = &["==", "!=", "<=", ">=", "~=", "<", ">", "="];

fn convert_leaf(leaf: &str) -> Result<Vec<VersionSpecifier>, Unconvertible> {
    if leaf.is_empty() {
        return Err(Unconvertible::Invalid(
            "empty version constraint".to_owned(),
        ));
    }
    if leaf == "*" {
        return Ok(Vec::new());
    }
    if leaf.starts_with('^') || leaf.ends_with('$') {
        return if leaf.starts_with('^') && leaf.ends_with('$') {
            Err(Unconvertible::Unread(format!(
                "version regular expression `{leaf}`"
            )))
        } else {
            Err(Unconvertible::Invalid(format!(
                "version regular expression `{leaf}` must start with `^` and end with `$`"
            )))
        };
    }
    if let Some(operator) = OPERATORS
        .iter()
        .find(|operator| leaf.starts_with(**operator))
    {
        let version = &leaf[operator.len()..];
        if version.is_empty() || version.starts_with(['=', '<', '>', '!', '~']) {
            return Err(Unconvertible::Invalid(format!(
                "invalid version operator in `{leaf}`"
            )));
        }
        let (operator, version) = match (*operator, version.strip_suffix(".*")) {
            ("=" | "!=", Some(prefix)) => (*operator, prefix),
            ("~=", Some(_)) => {
                return Err(Unconvertible::Invalid(format!(
                    "`~=` cannot be combined with `.*` in `{leaf}`"
                )));
            }
            // conda ignores `.*` after `>=`, `<`, `==`, ... (with a deprecation warning).
            (operator, Some(prefix)) => (operator, prefix),
            (operator, None) => (operator, version),
        };
        return match operator {
            // `=1.19` inside an expression is conda's prefix match.
            "=" => prefix(version),
            "!=" if leaf.ends_with(".*") => specifier("!=", version, ".*"),
            _ => specifier(operator, version, ""),
        };
    }
    if leaf.starts_with('~') || leaf.starts_with('!') {
        return Err(Unconvertible::Invalid(format!(
            "invalid version operator in `{leaf}`"
        )));
    }
    if leaf.trim_end_matches('*').contains('*') {
        return Err(Unconvertible::Unread(format!("version pattern `{leaf}`")));
    }
    if leaf.ends_with('*') {
        return prefix(leaf.trim_end_matches('*').trim_end_matches('.'));
    }
    if leaf.contains('@') {
        return Err(Unconvertible::Unread(format!(
            "version `{leaf}` compares as a string"
        )));
    }
    specifier("==", leaf, "")
}

/// conda's prefix match (`1.19.*`, `=1.19`): `==1.19.*`. A version with a pre-, post- or dev-release segment
/// (`=1.6.4.post1`) is matched exactly: PEP 440 has no prefix match for it, and conda's prefix match compares
/// whole components, so no other release starts with it (`1.6.4.post10` does not match `1.6.4.post1*`).
fn prefix(version: &str) -> Result<Vec<VersionSpecifier>, Unconvertible> {
    if version.is_empty() {
        return Ok(Vec::new());
    }
    let beyond_release = Version::from_str(version).is_ok_and(|parsed| {
        parsed.is_pre() || parsed.is_post() || parsed.is_dev() || parsed.is_local()
    });
    if beyond_release {
        specifier("==", version, "")
    } else {
        specifier("==", version, ".*")
    }
}

fn specifier(
    operator: &str,
    version: &str,
    suffix: &str,
) -> Result<Vec<VersionSpecifier>, Unconvertible> {
    check_version(version)?;
    VersionSpecifier::from_str(&format!("{operator}{version}{suffix}"))
        .map(|specifier| vec![specifier])
        .map_err(|error| {
            if operator == "~=" {
                // conda also fails on `~=1`: its compatible-release prefix would be empty.
                Unconvertible::Invalid(format!(
                    "`~={version}` needs at least two version components"
                ))
            } else {
                Unconvertible::Unread(format!(
                    "`{operator}{version}{suffix}` is not a PEP 440 specifier: {error}"
                ))
            }
        })
}

/// A version conda accepts (its `VersionOrder` rules) that PEP 440 reads the same way.
fn check_version(version: &str) -> Result<(), Unconvertible> {
    let lower = version.to_ascii_lowercase();
    // conda reads `-` as `_` when the version has no `_`.
    let conda = if lower.contains('-') && !lower.contains('_') {
        lower.replace('-', "_")
    } else {
        lower
    };
    if conda.is_empty()
        || !conda
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase() || "*.+!_".contains(c))
    {
        return Err(Unconvertible::Invalid(format!(
            "invalid character in version `{version}`"
        )));
    }
    // conda splits components at `_` (and `-`) as at `.`, where PEP 440 reads them as pre/post-release
    // separators or refuses them: `1.19.5_1` is `1.19.5.1` to conda.
    if version.contains(['_', '-']) || Version::from_str(version).is_err() {
        return Err(Unconvertible::Unread(format!(
            "conda version `{version}` is not a PEP 440 version"
        )));
    }
    Ok(())
}
