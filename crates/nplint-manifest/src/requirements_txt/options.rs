//! The options part of a requirements-file line, read as pip reads it: `shlex.split`, then `optparse` over the
//! options pip accepts in a requirements file.
//!
//! Offsets here are byte offsets into the options text, which the caller maps into the file.

use std::ops::Range;

/// What an accepted option does, as far as nplint cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OptionKind {
    /// `-r FILE`: include a requirements file.
    Requirement,
    /// `-c FILE`: include a constraints file.
    Constraint,
    /// `-e PATH/URL`: an editable requirement.
    Editable,
    /// `--hash ALGO:DIGEST`, scoped to the line's requirement.
    Hash,
    /// `-C KEY=VALUE`, scoped to the line's requirement.
    ConfigSettings,
    /// Another option scoped to the line's requirement (`--global-option`, `--install-option`).
    PerRequirement,
    /// An option that applies to the whole install (indexes, binaries, `--pre`): no effect on what is required.
    Global,
}

#[derive(Debug)]
pub(super) struct OptionSpec {
    /// Every spelling, as registered with `optparse`: one-letter ones first.
    pub names: &'static [&'static str],
    pub takes_value: bool,
    pub kind: OptionKind,
}

const fn option(names: &'static [&'static str], takes_value: bool, kind: OptionKind) -> OptionSpec {
    OptionSpec {
        names,
        takes_value,
        kind,
    }
}

/// The options pip accepts in a requirements file: `SUPPORTED_OPTIONS` and `SUPPORTED_OPTIONS_REQ` of pip's
/// `req_file.py` (pip 26.3), plus options that older pip versions accepted and files still carry (`--install-option` until
/// pip 23.1, `-Z/--always-unzip` in pip 1 to 7), so that a file valid for the pip it was written for is not
/// reported.
pub(super) const OPTIONS: &[OptionSpec] = &[
    option(
        &["-i", "--index-url", "--pypi-url"],
        true,
        OptionKind::Global,
    ),
    option(&["--extra-index-url"], true, OptionKind::Global),
    option(&["--no-index"], false, OptionKind::Global),
    option(&["-c", "--constraint"], true, OptionKind::Constraint),
    option(&["-r", "--requirement"], true, OptionKind::Requirement),
    option(&["-e", "--editable"], true, OptionKind::Editable),
    option(&["-f", "--find-links"], true, OptionKind::Global),
    option(&["--no-binary"], true, OptionKind::Global),
    option(&["--only-binary"], true, OptionKind::Global),
    option(&["--prefer-binary"], false, OptionKind::Global),
    option(&["--require-hashes"], false, OptionKind::Global),
    option(&["--pre"], false, OptionKind::Global),
    // pip 26.0: which packages may resolve to pre-releases, as a list of names, `:all:` or `:none:`.
    option(&["--all-releases"], true, OptionKind::Global),
    option(&["--only-final"], true, OptionKind::Global),
    // pip 26.2.
    option(&["--no-require-hashes"], false, OptionKind::Global),
    option(&["--trusted-host"], true, OptionKind::Global),
    option(&["--use-feature"], true, OptionKind::Global),
    option(&["-Z", "--always-unzip"], false, OptionKind::Global),
    option(&["--global-option"], true, OptionKind::PerRequirement),
    option(&["--install-option"], true, OptionKind::PerRequirement),
    option(&["--hash"], true, OptionKind::Hash),
    option(
        &["-C", "--config-settings"],
        true,
        OptionKind::ConfigSettings,
    ),
];

/// `pip install` options that requirements files do not accept, for a better message.
const INSTALL_ONLY_OPTIONS: &[&str] = &[
    "-U",
    "--upgrade",
    "--user",
    "--no-deps",
    "--force-reinstall",
    "-t",
    "--target",
    "--upgrade-strategy",
    "--ignore-installed",
    "--no-build-isolation",
    "--no-cache-dir",
    "--src",
    "--build-option",
];

/// The hash algorithms pip accepts (`STRONG_HASHES`).
const STRONG_HASHES: &[&str] = &["sha256", "sha384", "sha512"];

/// One word of the options text after shell-style splitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    /// The word with quotes and escapes resolved.
    pub value: String,
    /// Where the word stands in the options text, quotes included.
    pub raw: Range<usize>,
    /// Whether `value` is the raw text itself (no quotes or escapes), so offsets inside it are offsets in the text.
    pub verbatim: bool,
}

/// A problem with the options text; pip rejects the whole line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct OptionError {
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    pub span: Range<usize>,
}

impl OptionError {
    fn new(message: impl Into<String>, label: impl Into<String>, span: Range<usize>) -> Self {
        Self {
            message: message.into(),
            label: label.into(),
            help: None,
            span,
        }
    }

    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Split `text` into words as Python's `shlex.split` does (POSIX mode, no comments).
pub(super) fn shlex_split(text: &str) -> Result<Vec<Token>, OptionError> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Quote {
        None,
        Single,
        Double,
    }
    let mut tokens = Vec::new();
    let mut current: Option<(String, usize, bool)> = None;
    let mut quote = Quote::None;
    let mut quote_start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        match quote {
            Quote::Single => {
                if c == '\'' {
                    quote = Quote::None;
                } else if let Some((value, ..)) = &mut current {
                    value.push(c);
                }
            }
            Quote::Double => {
                let Some((value, ..)) = &mut current else {
                    continue;
                };
                if c == '"' {
                    quote = Quote::None;
                } else if c == '\\' {
                    match chars.next() {
                        // Inside double quotes a backslash escapes only `"` and itself.
                        Some((_, next @ ('"' | '\\'))) => value.push(next),
                        Some((_, next)) => {
                            value.push('\\');
                            value.push(next);
                        }
                        None => break,
                    }
                } else {
                    value.push(c);
                }
            }
            Quote::None => {
                if matches!(c, ' ' | '\t' | '\r' | '\n') {
                    if let Some((value, start, verbatim)) = current.take() {
                        tokens.push(Token {
                            value,
                            raw: start..offset,
                            verbatim,
                        });
                    }
                    continue;
                }
                let (value, _, verbatim) =
                    current.get_or_insert_with(|| (String::new(), offset, true));
                match c {
                    '\'' | '"' => {
                        quote = if c == '\'' {
                            Quote::Single
                        } else {
                            Quote::Double
                        };
                        quote_start = offset;
                        *verbatim = false;
                    }
                    '\\' => {
                        *verbatim = false;
                        match chars.next() {
                            Some((_, next)) => value.push(next),
                            None => {
                                return Err(OptionError::new(
                                    "options end with an escaping backslash",
                                    "nothing to escape",
                                    offset..text.len(),
                                ));
                            }
                        }
                    }
                    _ => value.push(c),
                }
            }
        }
    }
    if quote != Quote::None {
        return Err(OptionError::new(
            "options have an unclosed quotation mark",
            "never closed",
            {
                let end = quote_start + 1;
                quote_start..end
            },
        ));
    }
    if let Some((value, start, verbatim)) = current {
        tokens.push(Token {
            value,
            raw: start..text.len(),
            verbatim,
        });
    }
    Ok(tokens)
}

/// An option's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Value {
    pub text: String,
    /// Where the value stands in the options text (its whole token when it was quoted or escaped).
    pub span: Range<usize>,
}

/// An accepted option, as written.
#[derive(Debug, Clone)]
pub(super) struct ParsedOption {
    pub spec: &'static OptionSpec,
    /// From the option through its value.
    pub span: Range<usize>,
    pub value: Option<Value>,
}

/// The options part of a line.
#[derive(Debug, Default)]
pub(super) struct Options {
    pub accepted: Vec<ParsedOption>,
    /// Words that are not options or option values: pip ignores them.
    pub ignored: Vec<Token>,
    pub errors: Vec<OptionError>,
}

impl Options {
    pub fn of_kind(&self, kind: OptionKind) -> impl Iterator<Item = &ParsedOption> {
        self.accepted
            .iter()
            .filter(move |option| option.spec.kind == kind)
    }
}

/// Parse the options text of a line (everything from its first word starting with `-`).
pub(super) fn parse_options(text: &str) -> Options {
    let mut options = Options::default();
    let tokens = match shlex_split(text) {
        Ok(tokens) => tokens,
        Err(error) => {
            options.errors.push(error);
            return options;
        }
    };
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        if token.value == "--" {
            // optparse stops reading options at `--`.
            options.ignored.extend(tokens.by_ref());
            break;
        }
        if token.value.starts_with("--") {
            parse_long(&token, &mut tokens, &mut options);
        } else if token.value.starts_with('-') && token.value.len() > 1 {
            parse_short(&token, &mut tokens, &mut options);
        } else {
            options.ignored.push(token);
        }
    }
    options
}

type Tokens = std::iter::Peekable<std::vec::IntoIter<Token>>;

/// The next token as an option's value (`-r file`), with the offset where it ends.
fn next_value(tokens: &mut Tokens) -> Option<(Value, usize)> {
    tokens.next().map(|next| {
        let end = next.raw.end;
        (
            Value {
                text: next.value,
                span: next.raw,
            },
            end,
        )
    })
}

/// Resolve a long option as optparse does: an exact spelling, or else a prefix of exactly one spelling.
fn lookup_long(name: &str) -> Result<(&'static OptionSpec, &'static str), Vec<&'static str>> {
    let spellings = || {
        OPTIONS
            .iter()
            .flat_map(|spec| spec.names.iter().map(move |&n| (spec, n)))
    };
    if let Some(found) = spellings().find(|&(_, n)| n == name) {
        return Ok(found);
    }
    let candidates: Vec<_> = spellings()
        .filter(|&(_, n)| n.starts_with("--") && n.starts_with(name))
        .collect();
    match candidates.as_slice() {
        [only] => Ok(*only),
        _ => Err(candidates.into_iter().map(|(_, n)| n).collect()),
    }
}

fn parse_long(token: &Token, tokens: &mut Tokens, options: &mut Options) {
    let (name, inline_value) = match token.value.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (token.value.as_str(), None),
    };
    let name_span = if token.verbatim {
        token.raw.start..token.raw.start + name.len()
    } else {
        token.raw.clone()
    };
    let (spec, spelling) = match lookup_long(name) {
        Ok(found) => found,
        Err(candidates) if candidates.is_empty() => {
            options.errors.push(unknown_option(name, name_span));
            return;
        }
        Err(candidates) => {
            let list = candidates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            options.errors.push(
                OptionError::new(
                    format!("option `{name}` is ambiguous"),
                    "ambiguous abbreviation",
                    name_span,
                )
                .with_help(format!("it abbreviates {list}; write the option in full")),
            );
            return;
        }
    };
    if !spec.takes_value {
        if inline_value.is_some() {
            options.errors.push(OptionError::new(
                format!("option `{spelling}` does not take a value"),
                "unexpected value",
                token.raw.clone(),
            ));
        } else {
            options.accepted.push(ParsedOption {
                spec,
                span: token.raw.clone(),
                value: None,
            });
        }
        return;
    }
    let value = if let Some(value) = inline_value {
        let span = if token.verbatim {
            token.raw.start + name.len() + 1..token.raw.end
        } else {
            token.raw.clone()
        };
        Some((
            Value {
                text: value.to_owned(),
                span,
            },
            token.raw.end,
        ))
    } else {
        next_value(tokens)
    };
    push_with_value(options, spec, spelling, token.raw.start, value, name_span);
}

fn parse_short(token: &Token, tokens: &mut Tokens, options: &mut Options) {
    // A cluster: `-Z` flags may be followed by more letters, and a letter taking a value takes the rest.
    let mut rest = token.value.get(1..).unwrap_or_default();
    let mut first = true;
    while let Some(letter) = rest.chars().next() {
        let spelled = format!("-{letter}");
        // The first letter's span includes the `-`.
        let letter_span = if token.verbatim {
            let at = token.raw.end - rest.len();
            let start = if first { token.raw.start } else { at };
            start..at + letter.len_utf8()
        } else {
            token.raw.clone()
        };
        first = false;
        rest = &rest[letter.len_utf8()..];
        let Some((spec, spelling)) = OPTIONS.iter().find_map(|spec| {
            spec.names
                .iter()
                .find(|&&n| n == spelled)
                .map(|&n| (spec, n))
        }) else {
            options.errors.push(unknown_option(&spelled, letter_span));
            return;
        };
        if !spec.takes_value {
            options.accepted.push(ParsedOption {
                spec,
                span: letter_span,
                value: None,
            });
            continue;
        }
        let value = if rest.is_empty() {
            next_value(tokens)
        } else {
            let span = if token.verbatim {
                token.raw.end - rest.len()..token.raw.end
            } else {
                token.raw.clone()
            };
            Some((
                Value {
                    text: rest.to_owned(),
                    span,
                },
                token.raw.end,
            ))
        };
        push_with_value(
            options,
            spec,
            spelling,
            letter_span.start,
            value,
            letter_span,
        );
        return;
    }
}

fn push_with_value(
    options: &mut Options,
    spec: &'static OptionSpec,
    spelling: &'static str,
    start: usize,
    value: Option<(Value, usize)>,
    name_span: Range<usize>,
) {
    let Some((value, end)) = value else {
        options.errors.push(OptionError::new(
            format!("option `{spelling}` requires a value"),
            "value missing",
            name_span,
        ));
        return;
    };
    if let Some(error) = validate(spec.kind, spelling, &value) {
        options.errors.push(error);
    }
    options.accepted.push(ParsedOption {
        spec,
        span: start..end,
        value: Some(value),
    });
}

/// Check the values pip's option callbacks check.
fn validate(kind: OptionKind, spelling: &str, value: &Value) -> Option<OptionError> {
    match kind {
        OptionKind::Hash => match value.text.split_once(':') {
            None => Some(
                OptionError::new(
                    format!("`{spelling}` needs a hash name and a digest"),
                    "expected `algorithm:digest`",
                    value.span.clone(),
                )
                .with_help("write it like `--hash=sha256:<digest>`"),
            ),
            Some((algorithm, _)) if !STRONG_HASHES.contains(&algorithm) => Some(
                OptionError::new(
                    format!("pip does not accept hash algorithm `{algorithm}`"),
                    "not an allowed algorithm",
                    value.span.clone(),
                )
                .with_help("use `sha256`, `sha384` or `sha512`"),
            ),
            Some(_) => None,
        },
        OptionKind::ConfigSettings if !value.text.contains('=') => Some(OptionError::new(
            format!("`{spelling}` needs a setting of the form `KEY=VALUE`"),
            "no `=` in the setting",
            value.span.clone(),
        )),
        _ => None,
    }
}

fn unknown_option(name: &str, span: Range<usize>) -> OptionError {
    let error = OptionError::new(
        format!("unknown option `{name}`"),
        "pip does not accept this option in a requirements file",
        span,
    );
    if INSTALL_ONLY_OPTIONS.contains(&name) {
        error.with_help(format!(
            "`{name}` is a `pip install` option; pass it on the command line instead"
        ))
    } else {
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        shlex_split(text)
            .unwrap()
            .into_iter()
            .map(|t| t.value)
            .collect()
    }

    #[test]
    fn shlex_like_python() {
        assert_eq!(
            words("-r  a.txt\t--hash=sha256:x"),
            ["-r", "a.txt", "--hash=sha256:x"]
        );
        assert_eq!(
            words(r#"--global-option="--a b" 'c d'"#),
            ["--global-option=--a b", "c d"]
        );
        assert_eq!(words(r#""a\"b\x" c\ d"#), [r#"a"b\x"#, "c d"]);
        assert_eq!(words("-r ''"), ["-r", ""]);
        assert_eq!(words("a#b"), ["a#b"]);
        let error = shlex_split("-r 'a.txt").unwrap_err();
        assert_eq!(error.span, 3..4);
        assert!(shlex_split("-r a\\").is_err());
    }

    #[test]
    fn token_spans() {
        let tokens = shlex_split("-r  'a b'  c").unwrap();
        assert_eq!(tokens[0].raw, 0..2);
        assert_eq!(tokens[1].raw, 4..9);
        assert!(!tokens[1].verbatim);
        assert_eq!(tokens[2].raw, 11..12);
        assert!(tokens[2].verbatim);
    }

    fn parsed(text: &str) -> Vec<(&'static str, Option<String>, Range<usize>)> {
        let options = parse_options(text);
        assert!(options.errors.is_empty(), "{:?}", options.errors);
        options
            .accepted
            .into_iter()
            .map(|o| {
                (
                    o.spec.names[0],
                    o.value.map(|v| text[v.span].to_owned()),
                    o.span,
                )
            })
            .collect()
    }

    #[test]
    fn release_controls_take_a_value() {
        assert_eq!(
            parsed("--only-final :all: --all-releases=torch,torchvision --no-require-hashes"),
            [
                ("--only-final", Some(":all:".into()), 0..18),
                ("--all-releases", Some("torch,torchvision".into()), 19..51),
                ("--no-require-hashes", None, 52..71),
            ]
        );
        let options = parse_options("--only-final");
        assert!(
            options.errors[0].message.contains("requires"),
            "{:?}",
            options.errors
        );
        // `--only-` starts `--only-binary` too, as optparse finds.
        let options = parse_options("--only- :all:");
        assert!(
            options.errors[0].message.contains("ambiguous"),
            "{:?}",
            options.errors
        );
        assert_eq!(parsed("--all :all:")[0].0, "--all-releases");
    }

    #[test]
    fn option_forms() {
        assert_eq!(
            parsed("-r base.txt"),
            [("-r", Some("base.txt".into()), 0..11)]
        );
        assert_eq!(
            parsed("-rbase.txt"),
            [("-r", Some("base.txt".into()), 0..10)]
        );
        assert_eq!(
            parsed("--requirement=base.txt"),
            [("-r", Some("base.txt".into()), 0..22)]
        );
        assert_eq!(
            parsed("--requirement base.txt"),
            [("-r", Some("base.txt".into()), 0..22)]
        );
        assert_eq!(parsed("--pre"), [("--pre", None, 0..5)]);
        assert_eq!(
            parsed("-Zr a.txt"),
            [("-Z", None, 0..2), ("-r", Some("a.txt".into()), 2..9)]
        );
        assert_eq!(
            parsed("--hash=sha256:aa --hash sha512:bb"),
            [
                ("--hash", Some("sha256:aa".into()), 0..16),
                ("--hash", Some("sha512:bb".into()), 17..33)
            ]
        );
        assert_eq!(
            parsed("-C key=value"),
            [("-C", Some("key=value".into()), 0..12)]
        );
        assert_eq!(parsed("--config-settings key=value")[0].0, "-C");
    }

    #[test]
    fn long_options_may_be_abbreviated() {
        assert_eq!(parsed("--extra-index x")[0].0, "--extra-index-url");
        assert_eq!(
            parsed("--pre")[0].0,
            "--pre",
            "an exact spelling wins over longer ones"
        );
        assert_eq!(parsed("--prefer")[0].0, "--prefer-binary");
        let options = parse_options("--req x");
        assert!(
            options.errors[0].message.contains("ambiguous"),
            "{:?}",
            options.errors
        );
    }

    #[test]
    fn errors_are_located() {
        let options = parse_options("--upgrade -r");
        assert_eq!(options.errors.len(), 2);
        assert_eq!(options.errors[0].message, "unknown option `--upgrade`");
        assert!(options.errors[0].help.is_some());
        assert_eq!(options.errors[0].span, 0..9);
        assert_eq!(options.errors[1].message, "option `-r` requires a value");
        assert_eq!(options.errors[1].span, 10..12);

        let options = parse_options("--pre=yes --hash=md5:x --hash=nocolon -C novalue -x");
        let messages: Vec<_> = options.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "option `--pre` does not take a value",
                "pip does not accept hash algorithm `md5`",
                "`--hash` needs a hash name and a digest",
                "`-C` needs a setting of the form `KEY=VALUE`",
                "unknown option `-x`",
            ]
        );
        assert_eq!(options.errors[1].span, 17..22);
    }

    #[test]
    fn words_after_options_are_ignored() {
        let options = parse_options("-r a.txt b.txt -- -r c.txt");
        let ignored: Vec<_> = options.ignored.iter().map(|t| t.value.as_str()).collect();
        assert_eq!(ignored, ["b.txt", "-r", "c.txt"]);
        assert_eq!(options.accepted.len(), 1);
    }

    #[test]
    fn every_spelling_is_an_option() {
        for spec in OPTIONS {
            for name in spec.names {
                assert!(name.starts_with("--") || name.len() == 2, "{name}");
                assert_eq!(
                    lookup_long(name)
                        .ok()
                        .map(|(_, n)| n)
                        .filter(|_| name.starts_with("--")),
                    { name.starts_with("--").then_some(*name) }
                );
            }
        }
    }
}
