//! The requirement of a line, read as pip's `parse_req_from_line` and `parse_editable` read it: a PEP 508 string, a
//! URL, or a local path or archive, with the name recovered from `#egg=` or a wheel or sdist file name.
//!
//! pip decides between a path and a PEP 508 string partly by looking at the file system. nplint does not, so a
//! string that looks like a path (`./pkg`, `libs/pkg`) and is not a valid PEP 508 requirement is taken as the local
//! directory pip would install.

use std::ops::Range;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{ExtraName, MarkerTree, PackageName};

use crate::RequirementSource;
use crate::pep508::{self, FailureKind};

/// A requirement read from a line, with ranges relative to the text it was read from.
#[derive(Debug)]
pub(super) struct Parts {
    pub name: Option<PackageName>,
    pub specifiers: VersionSpecifiers,
    pub source: RequirementSource,
    pub extras: Vec<ExtraName>,
    pub marker: MarkerTree,
    pub version: Option<Range<usize>>,
}

/// Why (part of) a requirement could not be read, with the offending range.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Problem {
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    pub span: Range<usize>,
}

/// What reading a requirement gave: the requirement, unless it was unreadable, and any problems.
#[derive(Debug, Default)]
pub(super) struct Reading {
    pub parts: Option<Parts>,
    pub problems: Vec<Problem>,
    /// Why a valid requirement was left unread (`parts` is then `None`).
    pub unread: Option<Problem>,
}

/// The version-control schemes pip knows (`vcs.all_schemes`).
const VCS_SCHEMES: &[&str] = &[
    "git",
    "git+http",
    "git+https",
    "git+ssh",
    "git+git",
    "git+file",
    "hg+file",
    "hg+http",
    "hg+https",
    "hg+ssh",
    "hg+static-http",
    "svn",
    "svn+ssh",
    "svn+http",
    "svn+https",
    "svn+svn",
    "svn+file",
    "bzr+http",
    "bzr+https",
    "bzr+ssh",
    "bzr+sftp",
    "bzr+ftp",
    "bzr+lp",
    "bzr+file",
];

/// pip's `ARCHIVE_EXTENSIONS`.
const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".zip",
    ".whl",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
    ".tar.gz",
    ".tgz",
    ".tar",
];

/// The scheme of `text` as pip's `get_url_scheme` reads it: everything before the first `:`, lowercased.
fn scheme(text: &str) -> Option<String> {
    text.split_once(':')
        .map(|(scheme, _)| scheme.to_ascii_lowercase())
}

/// pip's `is_url`: a scheme pip can install from.
fn is_url(text: &str) -> bool {
    scheme(text).is_some_and(|scheme| {
        matches!(scheme.as_str(), "http" | "https" | "file" | "ftp")
            || VCS_SCHEMES.contains(&scheme.as_str())
    })
}

/// pip's `_looks_like_path`, for both separators (a file may be written on one platform and read on another).
fn looks_like_path(text: &str) -> bool {
    text.contains('/') || text.contains('\\') || text.starts_with('.')
}

/// The archive extension `path` ends with, if any.
fn archive_extension(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    ARCHIVE_EXTENSIONS
        .iter()
        .copied()
        .find(|ext| lower.ends_with(ext))
}

/// pip's `_strip_extras`: a trailing `[...]` (without `]` inside) after a non-empty path, and its range.
fn strip_extras(text: &str) -> (&str, Option<Range<usize>>) {
    if text.ends_with(']')
        && let Some(open) = text.rfind('[')
        && open > 0
        && !text[open + 1..text.len() - 1].contains(']')
        && text.len() - open > 2
    {
        return (&text[..open], Some(open..text.len()));
    }
    (text, None)
}

/// The file name of a URL or path: its last segment, without query or fragment, percent-decoded as pip's
/// `Link.filename` is (`torch-2.1.0%2Bcu118-...whl`).
fn file_name(location: &str) -> String {
    let location = location.split(['#', '?']).next().unwrap_or(location);
    let name = location.rsplit(['/', '\\']).next().unwrap_or(location);
    percent_decode(name)
}

/// Decode `%XX` escapes; text whose decoding is not UTF-8 is kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let escaped = (byte == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        if let Some(value) = escaped {
            decoded.push(value);
            i += 3;
        } else {
            decoded.push(byte);
            i += 1;
        }
    }
    String::from_utf8(decoded).unwrap_or_else(|_| text.to_owned())
}

/// The `#egg=` (or `&egg=`) value of a URL, as pip's `Link.egg_fragment` finds it.
fn egg_fragment(url: &str) -> Option<&str> {
    let (_, fragment) = url.split_once('#')?;
    fragment
        .split('&')
        .find_map(|part| part.strip_prefix("egg="))
}

/// What a distribution file's name says: its project name, for a wheel or an sdist.
enum FileName {
    /// Not a distribution file name.
    None,
    Name(PackageName),
    /// A `.whl` whose name does not follow the wheel naming convention (pip rejects it).
    InvalidWheel,
}

fn name_from_file(file: &str) -> FileName {
    let Some(extension) = archive_extension(file) else {
        return FileName::None;
    };
    let stem = &file[..file.len() - extension.len()];
    if extension == ".whl" {
        // `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`
        let parts: Vec<&str> = stem.split('-').collect();
        let name = (matches!(parts.len(), 5 | 6) && Version::from_str(parts[1]).is_ok())
            .then(|| PackageName::from_str(parts[0]).ok())
            .flatten();
        return name.map_or(FileName::InvalidWheel, FileName::Name);
    }
    // `{name}-{version}.tar.gz`: the version follows the last `-`.
    stem.rsplit_once('-')
        .filter(|(_, version)| Version::from_str(version).is_ok())
        .and_then(|(name, _)| PackageName::from_str(name).ok())
        .map_or(FileName::None, FileName::Name)
}

/// The name of the project a URL or path names, from `#egg=` or the file name. A broken wheel name is a problem.
fn name_of(
    location: &str,
    span: Range<usize>,
    problems: &mut Vec<Problem>,
) -> (Option<PackageName>, Vec<ExtraName>) {
    if let Some(egg) = egg_fragment(location) {
        // pip reads `#egg=name[extra]` as a requirement string.
        if let Ok(parsed) = pep508::parse(egg)
            && parsed.specifiers.is_empty()
            && parsed.url.is_none()
        {
            return (Some(parsed.name), parsed.extras);
        }
        problems.push(Problem {
            message: format!("`#egg={egg}` is not a project name"),
            label: "invalid `#egg=` fragment".to_owned(),
            help: Some("write the project's name, like `#egg=numpy`".to_owned()),
            span,
        });
        return (None, Vec::new());
    }
    let file = file_name(location);
    match name_from_file(&file) {
        FileName::Name(name) => (Some(name), Vec::new()),
        FileName::None => (None, Vec::new()),
        FileName::InvalidWheel => {
            problems.push(Problem {
                message: format!("`{file}` is not a valid wheel file name"),
                label: "expected `{name}-{version}-{python}-{abi}-{platform}.whl`".to_owned(),
                help: None,
                span,
            });
            (None, Vec::new())
        }
    }
}

/// Parse the `[a,b]` extras of a path, as pip does by parsing `placeholder[a,b]`.
fn parse_extras(text: &str, range: Range<usize>, problems: &mut Vec<Problem>) -> Vec<ExtraName> {
    let brackets = &text[range.clone()];
    match pep508::parse(&format!("placeholder{}", brackets.to_ascii_lowercase())) {
        Ok(parsed) => parsed.extras,
        Err(failure) => {
            problems.push(Problem {
                message: format!("`{brackets}` are not valid extras"),
                label: failure.message,
                help: None,
                span: range,
            });
            Vec::new()
        }
    }
}

/// Parse a marker that stands at `offset` of the requirement text.
fn parse_marker(text: &str, offset: usize, problems: &mut Vec<Problem>) -> MarkerTree {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        // pip: `name;` has no marker.
        return MarkerTree::TRUE;
    }
    let start = offset + (text.len() - text.trim_start().len());
    match pep508::marker(trimmed) {
        Ok(marker) => marker,
        Err(error) => {
            let span = error.span;
            problems.push(Problem {
                message: format!("`{trimmed}` is not a valid environment marker"),
                label: error.message,
                help: None,
                span: start + span.start as usize..start + span.end as usize,
            });
            MarkerTree::TRUE
        }
    }
}

/// The operators pip's hint checks for (`Specifier._operators`).
const OPERATORS: &[&str] = &["~=", "==", "!=", "<=", ">=", "<", ">", "==="];

/// Read the requirement of a line: `text` is the line's requirement part with surrounding whitespace stripped.
pub(super) fn read_line_requirement(text: &str) -> Reading {
    let mut reading = Reading::default();
    let url = is_url(text);
    // pip splits off markers at `; ` after a URL (which may contain `;`) and at `;` otherwise.
    let separator = if url { "; " } else { ";" };
    let (requirement, marker) = match text.find(separator) {
        Some(at) => (
            &text[..at],
            Some((&text[at + separator.len()..], at + separator.len())),
        ),
        None => (text, None),
    };
    let requirement = requirement.trim_end();
    let marker = marker.map_or(MarkerTree::TRUE, |(marker, offset)| {
        parse_marker(marker, offset, &mut reading.problems)
    });
    let whole = 0..requirement.len();

    if url {
        let (name, extras) = name_of(requirement, whole, &mut reading.problems);
        reading.parts = Some(Parts {
            name,
            specifiers: VersionSpecifiers::empty(),
            source: url_source(requirement),
            extras,
            marker,
            version: None,
        });
        return reading;
    }

    let (path, extras_range) = strip_extras(requirement);
    let archive = archive_extension(path).is_some()
        && requirement
            .split_once('@')
            .is_none_or(|(before, _)| looks_like_path(before));
    if !archive {
        match pep508::parse(requirement) {
            Ok(parsed) => {
                let source = parsed
                    .url
                    .map_or(RequirementSource::Registry, |url| url_source(&url));
                reading.parts = Some(Parts {
                    name: Some(parsed.name),
                    specifiers: parsed.specifiers,
                    source,
                    extras: parsed.extras,
                    marker,
                    version: parsed.version_span.map(nplint_diagnostics::Span::range),
                });
                return reading;
            }
            Err(failure) if failure.kind == FailureKind::ArbitraryEquality => {
                reading.unread = Some(Problem {
                    message: format!(
                        "requirement `{requirement}` was not read: {}",
                        failure.message
                    ),
                    label: "arbitrary equality".to_owned(),
                    help: Some(
                        "nplint checks versions; pin a PEP 440 version with `==` to have it checked"
                            .to_owned(),
                    ),
                    span: failure.span.range(),
                });
                return reading;
            }
            Err(failure) if !looks_like_path(requirement) => {
                let help = if requirement.contains("=>") {
                    Some("`=>` is not a version operator; did you mean `>=`?".to_owned())
                } else if requirement.contains("=<") {
                    Some("`=<` is not a version operator; did you mean `<=`?".to_owned())
                } else {
                    // pip's hint: a `=` and no valid operator.
                    (requirement.contains('=')
                        && !OPERATORS.iter().any(|op| requirement.contains(op)))
                    .then(|| "`=` is not a version operator; did you mean `==`?".to_owned())
                };
                reading.problems.push(Problem {
                    message: format!("`{requirement}` is not a valid requirement"),
                    label: failure.message,
                    help,
                    span: failure.span.range(),
                });
                return reading;
            }
            Err(_) => {}
        }
    }
    // A local archive or project directory.
    let mut extras = Vec::new();
    if let Some(range) = extras_range {
        extras = parse_extras(requirement, range, &mut reading.problems);
    }
    let (name, _) = name_of(path, 0..path.len(), &mut reading.problems);
    reading.parts = Some(Parts {
        name,
        specifiers: VersionSpecifiers::empty(),
        source: RequirementSource::Path(path.to_owned()),
        extras,
        marker,
        version: None,
    });
    reading
}

/// Read the value of `-e`: a local project path or a VCS URL, each with optional extras (pip's `parse_editable`).
pub(super) fn read_editable(text: &str) -> Reading {
    let mut reading = Reading::default();
    let (location, extras_range) = strip_extras(text);
    let whole = 0..text.len();
    let is_file_url = location.to_ascii_lowercase().starts_with("file:");
    if is_file_url || !is_url(text) && !has_bare_vcs_scheme(text) {
        let mut extras = Vec::new();
        if let Some(range) = extras_range {
            extras = parse_extras(text, range, &mut reading.problems);
        }
        let name = egg_fragment(location).and_then(|egg| PackageName::from_str(egg).ok());
        reading.parts = Some(Parts {
            name,
            specifiers: VersionSpecifiers::empty(),
            source: RequirementSource::Path(location.to_owned()),
            extras,
            marker: MarkerTree::TRUE,
            version: None,
        });
        return reading;
    }
    // pip reads `git:...` as `git+git:...`; the URL is kept as written.
    let is_vcs = has_bare_vcs_scheme(text)
        || scheme(text).is_some_and(|s| VCS_SCHEMES.contains(&s.as_str()));
    if !is_vcs {
        reading.problems.push(Problem {
            message: format!("`{text}` is not a valid editable requirement"),
            label: "neither a local project nor a VCS URL".to_owned(),
            help: Some(
                "an editable is a path to a local project or a VCS URL like `git+https://...`"
                    .to_owned(),
            ),
            span: whole,
        });
        return reading;
    }
    let (name, extras) = name_of(text, whole.clone(), &mut reading.problems);
    if name.is_none() && egg_fragment(text).is_none() {
        reading.problems.push(Problem {
            message: format!("pip cannot tell the project name of editable `{text}`"),
            label: "no `#egg=` fragment".to_owned(),
            help: Some("add `#egg=<name>` to the URL".to_owned()),
            span: whole,
        });
    }
    reading.parts = Some(Parts {
        name,
        specifiers: VersionSpecifiers::empty(),
        source: RequirementSource::Url(text.to_owned()),
        extras,
        marker: MarkerTree::TRUE,
        version: None,
    });
    reading
}

/// `git:`, `hg:`, `svn:` or `bzr:` at the start, which pip's `parse_editable` prefixes with the VCS name.
fn has_bare_vcs_scheme(text: &str) -> bool {
    scheme(text).is_some_and(|s| matches!(s.as_str(), "git" | "hg" | "svn" | "bzr"))
}

fn url_source(url: &str) -> RequirementSource {
    if scheme(url).is_some_and(|s| s == "file") || !url.contains("://") && !is_url(url) {
        RequirementSource::Path(url.to_owned())
    } else {
        RequirementSource::Url(url.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Parts {
        let reading = read_line_requirement(text);
        assert!(
            reading.problems.is_empty(),
            "{text}: {:?}",
            reading.problems
        );
        reading.parts.expect("a requirement")
    }

    fn name(parts: &Parts) -> Option<String> {
        parts.name.as_ref().map(ToString::to_string)
    }

    #[test]
    fn pep508_requirements() {
        let parts = read("NumPy[dev]>=1.20,<2; python_version < '3.12'");
        assert_eq!(name(&parts).as_deref(), Some("numpy"));
        assert_eq!(parts.specifiers.to_string(), ">=1.20, <2");
        assert_eq!(parts.version, Some(10..19));
        assert_eq!(parts.extras.len(), 1);
        assert!(!parts.marker.is_true());
        assert_eq!(parts.source, RequirementSource::Registry);
    }

    #[test]
    fn markers_split_at_the_first_semicolon() {
        // pip takes an empty marker as none.
        assert!(read("numpy;").marker.is_true());
        let reading = read_line_requirement("numpy ; python_version >> '3'");
        assert_eq!(reading.problems.len(), 1);
        assert!(
            reading.problems[0].span.start >= 8,
            "{:?}",
            reading.problems
        );
    }

    #[test]
    fn direct_references() {
        let parts = read("numpy @ https://files.example.com/numpy-1.26.4.tar.gz");
        assert_eq!(name(&parts).as_deref(), Some("numpy"));
        assert_eq!(
            parts.source,
            RequirementSource::Url("https://files.example.com/numpy-1.26.4.tar.gz".into())
        );
        assert!(matches!(
            read("pkg @ file:///src/pkg").source,
            RequirementSource::Path(_)
        ));
    }

    #[test]
    fn urls_take_their_name_from_egg_or_file_name() {
        let parts =
            read("https://files.example.com/numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl");
        assert_eq!(name(&parts).as_deref(), Some("numpy"));
        assert!(parts.specifiers.is_empty());
        let parts = read("git+https://example.invalid/org/repo.git@v1#egg=my_pkg[gpu]");
        assert_eq!(name(&parts).as_deref(), Some("my-pkg"));
        assert_eq!(parts.extras.len(), 1);
        assert_eq!(
            name(&read("https://files.example.com/scikit_learn-1.3.0.tar.gz")).as_deref(),
            Some("scikit-learn")
        );
        assert_eq!(
            name(&read("https://files.example.com/archive/main.zip")),
            None
        );
        let parts =
            read("https://files.example.com/x-1.0-py3-none-any.whl ; python_version < '3.9'");
        assert!(!parts.marker.is_true());
    }

    #[test]
    fn invalid_wheel_names_are_problems() {
        let reading = read_line_requirement("./dist/numpy.whl");
        assert_eq!(
            reading.problems[0].message,
            "`numpy.whl` is not a valid wheel file name"
        );
        assert!(reading.parts.is_some());
    }

    #[test]
    fn paths() {
        let parts = read("./pkg[gpu,test] ; sys_platform == 'linux'");
        assert_eq!(parts.source, RequirementSource::Path("./pkg".into()));
        assert_eq!(parts.extras.len(), 2);
        assert!(!parts.marker.is_true());
        assert_eq!(
            name(&read("../wheels/numpy-1.21.6-cp39-cp39-win_amd64.whl")).as_deref(),
            Some("numpy")
        );
        assert_eq!(
            read("libs/tool").source,
            RequirementSource::Path("libs/tool".into())
        );
        assert_eq!(read(".").source, RequirementSource::Path(".".into()));
        // An archive name with `@` whose first part is not a path is a PEP 508 requirement.
        assert_eq!(
            name(&read("pkg@https://files.example.com/pkg-1.0.zip")).as_deref(),
            Some("pkg")
        );
    }

    #[test]
    fn invalid_requirements_are_located() {
        let reading = read_line_requirement("numpy>>1");
        assert!(reading.parts.is_none());
        assert_eq!(reading.problems[0].span, 5..8);
        let reading = read_line_requirement("numpy=1.19");
        assert!(
            reading.problems[0]
                .help
                .as_deref()
                .unwrap()
                .contains("`==`")
        );
    }

    #[test]
    fn editables() {
        let reading = read_editable(".[dev]");
        let parts = reading.parts.unwrap();
        assert_eq!(parts.source, RequirementSource::Path(".".into()));
        assert_eq!(parts.extras.len(), 1);
        let parts = read_editable("git+https://example.invalid/org/tool.git#egg=tool")
            .parts
            .unwrap();
        assert_eq!(parts.name.unwrap().to_string(), "tool");
        let reading = read_editable("git+https://example.invalid/org/tool.git");
        assert_eq!(reading.problems.len(), 1);
        assert!(reading.parts.is_some());
        let reading = read_editable("https://files.example.com/pkg.zip");
        assert!(reading.parts.is_none());
    }

    #[test]
    fn file_names_are_percent_decoded() {
        assert_eq!(
            file_name(
                "https://x.invalid/torch-2.1.0%2Bcu118-cp311-cp311-linux_x86_64.whl#sha256=1"
            ),
            "torch-2.1.0+cu118-cp311-cp311-linux_x86_64.whl"
        );
        assert_eq!(percent_decode("a%zz%2"), "a%zz%2");
        assert_eq!(percent_decode("%ff"), "%ff", "not UTF-8 once decoded");
        assert_eq!(
            name(&read(
                "https://x.invalid/torch-2.1.0%2Bcu118-cp311-cp311-linux_x86_64.whl"
            ))
            .as_deref(),
            Some("torch")
        );
    }

    #[test]
    fn operator_hints() {
        let help = |text: &str| read_line_requirement(text).problems.remove(0).help;
        assert_eq!(
            help("pandas=>1.3").as_deref(),
            Some("`=>` is not a version operator; did you mean `>=`?")
        );
        assert_eq!(
            help("pandas=<1.3").as_deref(),
            Some("`=<` is not a version operator; did you mean `<=`?")
        );
        assert_eq!(
            help("pandas=1.3").as_deref(),
            Some("`=` is not a version operator; did you mean `==`?")
        );
        assert_eq!(help("pandas>>1.3"), None);
    }

    #[test]
    fn strip_extras_like_pip() {
        assert_eq!(strip_extras("./pkg[a,b]"), ("./pkg", Some(5..10)));
        assert_eq!(strip_extras("[a]"), ("[a]", None));
        assert_eq!(strip_extras("./pkg[]"), ("./pkg[]", None));
        assert_eq!(strip_extras("./pkg"), ("./pkg", None));
    }
}
