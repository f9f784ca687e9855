//! pip requirements files (`requirements.txt`, constraints files, pip-tools `.in` files), read as pip reads them.
//!
//! The reading follows pip's `req_file.py` step by step:
//!
//! 1. [`lines`]: split the text like `str.splitlines`, join `\` continuations, drop comments (`#` at the start of
//!    a line or after whitespace) and blank lines. Each logical line keeps a map back to file offsets.
//! 2. This module: split a line at its first word starting with `-` into a requirement part and an options part
//!    (pip's `break_args_options`), and decide what the line is, as pip's `ParsedLine` does: a requirement, else
//!    an editable (`-e`), else an include (`-r`, then `-c`), else options only.
//! 3. [`options`]: the options part, split like `shlex.split` and read like `optparse` over the options pip accepts.
//! 4. [`requirement`]: the requirement part: a PEP 508 string, a URL, or a local path or archive.
//!
//! Spans: a requirement's location runs from the first to the last byte of its requirement text, without comment
//! or options. When that text spans a continuation, the span covers the `\` and line break between its parts, so
//! the located text with every `\` + line break removed is the text pip reads.
//!
//! Includes are followed through the [`Loader`] with an explicit stack, so nesting depth costs heap, not native
//! stack. nplint does not expand `${VAR}` (it reads no environment): text with a variable is checked as written,
//! with a warning.

mod lines;
mod options;
mod requirement;

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use nplint_diagnostics::{Location, Severity, SourceFile, Span, portable_path};

use crate::decode::{Decoding, decode};
use crate::{Environment, Issue, Loader, Manifest, Origin, Requirement, Role, Section};
use lines::{LogicalLine, OffsetMap};
use options::{OptionKind, ParsedOption};
use requirement::Reading;

/// How deep includes may nest before nplint stops following them. pip itself fails far earlier (each level costs
/// Python stack frames); the cap only bounds the work a hostile or broken tree of files can cause.
const MAX_INCLUDE_DEPTH: usize = 10_000;

/// Byte length of the UTF-8 byte order mark, which pip's decoding drops.
const BOM_LEN: usize = '\u{feff}'.len_utf8();

/// File stems of `.in` files that are not pip-tools requirements (autotools and similar templates).
const NOT_REQUIREMENTS_IN: &[&str] = &[
    "manifest",
    "makefile",
    "gnumakefile",
    "configure",
    "doxyfile",
];

/// Whether a file of this name is a requirements file: a `.txt` file whose name says so (`requirements.txt`,
/// `requirements_test.txt`, `dev-requirements.txt`, `requirement.txt`) or says it holds constraints
/// (`constraints.txt`, home-assistant's `package_constraints.txt`), `requirements*.in`, or a pip-tools `*.in` file
/// (not `MANIFEST.in` or a template such as `Makefile.in` or `config.h.in`).
pub(crate) fn discover(file_name: &str) -> bool {
    let name = file_name.to_ascii_lowercase();
    if let Some(stem) = name.strip_suffix(".txt") {
        return stem.contains("requirement") || stem.contains("constraint");
    }
    if let Some(stem) = name.strip_suffix(".in") {
        return !stem.is_empty() && !stem.contains('.') && !NOT_REQUIREMENTS_IN.contains(&stem);
    }
    false
}

/// File stems of `.txt` files that a requirements folder holds beside requirements files and that are not any
/// (`requirements/README.txt` is prose in dozens of public repositories).
const NOT_REQUIREMENTS_TXT: &[&str] = &[
    "readme",
    "license",
    "licence",
    "copying",
    "notice",
    "authors",
    "changelog",
    "changes",
    "history",
    "contributing",
    "todo",
    "cmakelists",
];

/// Whether a folder of this name holds requirements files: `requirements/` (Lightning-AI/pytorch-lightning's
/// `requirements/pytorch/test.txt`), `requirements-dev/`, `requirements_dev/`, `reqs/`. `req/` is left out: in
/// public repositories it as often holds HTTP requests.
pub(crate) fn is_requirements_dir(dir_name: &str) -> bool {
    let name = dir_name.to_ascii_lowercase();
    name == "reqs"
        || name == "requirement"
        || name
            .strip_prefix("requirements")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', '_', '.']))
}

/// Whether a file found in a requirements folder, at any depth, is a requirements file: any `.txt` or `.in` file
/// but a README, a license and the like.
pub(crate) fn discover_in_requirements_dir(file_name: &str) -> bool {
    let name = file_name.to_ascii_lowercase();
    match name.rsplit_once('.') {
        Some((stem, "txt")) => !stem.is_empty() && !NOT_REQUIREMENTS_TXT.contains(&stem),
        Some((stem, "in")) => !stem.is_empty(),
        _ => false,
    }
}

/// Parse a requirements file and everything it includes; the manifest has one environment, `requirements`, with
/// every requirement and constraint.
pub(crate) fn parse(mut manifest: Manifest, loader: &dyn Loader) -> Manifest {
    let Some(root) = manifest.sources.first().cloned() else {
        return manifest;
    };
    let identity = loader.identity(root.path());
    let lines = file_lines(&root);
    Walker::new(&mut manifest, loader, Section::Requirements).walk(Frame {
        source: root,
        lines: lines.into_iter(),
        constraint: false,
        identity,
        included_at: None,
    });
    manifest.environments.push(Environment {
        name: "requirements".to_owned(),
        platform: None,
        requirements: (0..manifest.requirements.len()).collect(),
    });
    manifest
}

/// Parse one pip entry that is not a line of a requirements file: an item of environment.yml's `pip:` list.
///
/// `text` is the entry's value; `span` is where it stands in `source`. When the value was written with escapes
/// (so `source[span] != text`), spans inside the entry fall back to the whole of `span`. The entry may be a
/// requirement, an include (`-r file.txt`, `-c file.txt`, relative to `source`'s directory), an editable
/// (`-e ./pkg`) or a pip option; results and issues are appended to `manifest` with `section` as their origin.
///
/// The entry is read as a line of a requirements file (conda hands the entries to pip as one), so a ` #` starts a
/// comment. Requirements of files it includes with `-r` get `section` too; those of `-c` files are constraints.
pub(crate) fn parse_pip_entry(
    manifest: &mut Manifest,
    loader: &dyn Loader,
    source: &Arc<SourceFile>,
    text: &str,
    span: Span,
    section: Section,
) {
    let verbatim = source.text().get(span.range()) == Some(text);
    let mut lines = lines::logical_lines(text, if verbatim { span.start as usize } else { 0 });
    if !verbatim {
        for line in &mut lines {
            line.map = OffsetMap::Whole(span);
        }
    }
    Walker::new(manifest, loader, section).walk(Frame {
        source: source.clone(),
        lines: lines.into_iter(),
        constraint: false,
        identity: loader.identity(source.path()),
        included_at: None,
    });
}

/// The logical lines of a whole file, after its byte order mark.
fn file_lines(source: &SourceFile) -> Vec<LogicalLine> {
    let text = source.text();
    let (text, base) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, BOM_LEN),
        None => (text, 0),
    };
    lines::logical_lines(text, base)
}

/// A file being read.
struct Frame {
    source: Arc<SourceFile>,
    lines: std::vec::IntoIter<LogicalLine>,
    /// Whether the file was included with `-c` (pip's `nested_constraint`).
    constraint: bool,
    identity: PathBuf,
    /// The include line that opened this file; `None` for the root.
    included_at: Option<Location>,
}

/// An include line to follow.
struct Include {
    /// The file as written.
    target: String,
    /// The include: option and value.
    location: Location,
    constraint: bool,
}

struct Walker<'a> {
    manifest: &'a mut Manifest,
    loader: &'a dyn Loader,
    /// The section of requirements not from a constraints file.
    section: Section,
    /// Included files already read, by identity, so that a file included twice is read once (`None`: not decoded).
    read: HashMap<PathBuf, Option<Arc<SourceFile>>>,
}

impl<'a> Walker<'a> {
    fn new(manifest: &'a mut Manifest, loader: &'a dyn Loader, section: Section) -> Self {
        Self {
            manifest,
            loader,
            section,
            read: HashMap::new(),
        }
    }

    /// Read `root` and, depth first, every file it includes.
    fn walk(&mut self, root: Frame) {
        // The identities of the files on the stack, with their index, to detect cycles.
        let mut open: HashMap<PathBuf, usize> = HashMap::from([(root.identity.clone(), 0)]);
        let mut stack = vec![root];
        while let Some(frame) = stack.last_mut() {
            let Some(line) = frame.lines.next() else {
                if let Some(done) = stack.pop() {
                    open.remove(&done.identity);
                }
                continue;
            };
            if let Some(include) = self.line(&stack, &line) {
                self.enter(include, &mut stack, &mut open);
            }
        }
    }

    /// Interpret one logical line of the file on top of `stack`; an include is returned to be followed.
    fn line(&mut self, stack: &[Frame], line: &LogicalLine) -> Option<Include> {
        let frame = stack.last()?;
        let content = line.content();
        let base = line.content.start;
        // pip's `break_args_options`: the options start at the first space-separated word starting with `-`.
        let options_at = options_start(content);
        let args = trim_range(content, 0..options_at.unwrap_or(content.len()));
        let options_base = base + options_at.unwrap_or(content.len());
        let options = options_at
            .map(|at| options::parse_options(&content[at..]))
            .unwrap_or_default();
        let options_text = &content[options_at.unwrap_or(content.len())..];
        let locate = |range: &Range<usize>| {
            Location::new(
                frame.source.clone(),
                line.span(options_base + range.start..options_base + range.end),
            )
        };

        for error in &options.errors {
            let mut issue =
                Issue::invalid(&error.message, locate(&error.span)).with_label(&error.label);
            if let Some(help) = &error.help {
                issue = issue.with_help(help);
            }
            self.manifest.issues.push(issue);
        }
        if options.errors.is_empty() {
            for word in &options.ignored {
                self.manifest.issues.push(
                    Issue::unread(
                        Severity::Warning,
                        format!("pip ignores `{}` after the options of a line", word.value),
                        locate(&word.raw),
                    )
                    .with_label("not read by pip")
                    .with_help("put each requirement on its own line"),
                );
            }
        }

        // The indexes the file installs from, kept for `--online` (a line may name several: pip reads each).
        for option in options.of_kind(OptionKind::Global) {
            if option
                .spec
                .names
                .iter()
                .any(|name| matches!(*name, "--index-url" | "--extra-index-url"))
                && let Some(value) = &option.value
            {
                self.manifest.indexes.push(value.text.clone());
            }
        }
        let editables: Vec<_> = options.of_kind(OptionKind::Editable).collect();
        let requirements: Vec<_> = options.of_kind(OptionKind::Requirement).collect();
        let constraints: Vec<_> = options.of_kind(OptionKind::Constraint).collect();
        // What pip takes from the line, in pip's order of precedence; the rest of `-e`, `-r` and `-c` it ignores.
        let (taken, include) = if !args.is_empty() {
            self.requirement_line(stack, line, base + args.start..base + args.end);
            (None, None)
        } else if let Some(&editable) = editables.first() {
            self.editable_line(stack, line, editable, options_base, options_text);
            (Some(editable), None)
        } else if let Some(&include) = requirements.first().or(constraints.first()) {
            let target = include
                .value
                .as_ref()
                .map(|value| value.text.clone())
                .unwrap_or_default();
            let include_location = Include {
                target,
                location: locate(&include.span),
                constraint: include.spec.kind == OptionKind::Constraint,
            };
            (Some(include), Some(include_location))
        } else {
            (None, None)
        };
        for ignored in editables.iter().chain(&requirements).chain(&constraints) {
            if taken.is_some_and(|taken| std::ptr::eq(taken, *ignored)) {
                continue;
            }
            self.manifest.issues.push(
                Issue::unread(
                    Severity::Warning,
                    format!(
                        "pip ignores `{}` on this line",
                        &options_text[ignored.span.clone()]
                    ),
                    locate(&ignored.span),
                )
                .with_label("not read by pip")
                .with_help(
                    "a line holds one requirement, editable or include; put each on its own line",
                ),
            );
        }
        include
    }

    /// A line whose requirement part (`range` of the line's text) is not empty.
    fn requirement_line(&mut self, stack: &[Frame], line: &LogicalLine, range: Range<usize>) {
        let text = &line.text[range.clone()];
        let reading = requirement::read_line_requirement(text);
        self.add(stack, line, range, text, true, reading, false);
    }

    /// An editable line: `-e` with its value.
    fn editable_line(
        &mut self,
        stack: &[Frame],
        line: &LogicalLine,
        editable: &ParsedOption,
        options_base: usize,
        options_text: &str,
    ) {
        let Some(value) = &editable.value else { return };
        let range = options_base + value.span.start..options_base + value.span.end;
        // Offsets inside the value are offsets in the file only when it was written without quotes or escapes.
        let verbatim = options_text.get(value.span.clone()) == Some(value.text.as_str());
        let reading = requirement::read_editable(&value.text);
        self.add(stack, line, range, &value.text, verbatim, reading, true);
    }

    /// Record a read requirement (text at `range` of the line) and its problems.
    #[allow(
        clippy::too_many_arguments,
        reason = "one call per kind of requirement line"
    )]
    fn add(
        &mut self,
        stack: &[Frame],
        line: &LogicalLine,
        range: Range<usize>,
        text: &str,
        verbatim: bool,
        reading: Reading,
        editable: bool,
    ) {
        let Some(frame) = stack.last() else { return };
        let location = Location::new(frame.source.clone(), line.span(range.clone()));
        let locate = |inner: &Range<usize>| {
            if verbatim {
                Location::new(
                    frame.source.clone(),
                    line.span(range.start + inner.start..range.start + inner.end),
                )
            } else {
                location.clone()
            }
        };
        let variables = env_variables(text);
        if reading.parts.is_none() && !variables.is_empty() {
            let names = variables
                .iter()
                .map(|v| format!("`{}`", &text[v.clone()]))
                .collect::<Vec<_>>();
            self.manifest.issues.push(
                Issue::unread(
                    Severity::Warning,
                    format!(
                        "requirement `{text}` was not read because nplint does not expand {}",
                        names.join(", ")
                    ),
                    location,
                )
                .with_label("pip expands environment variables here")
                .with_help("write the value in the file to have it checked"),
            );
            return;
        }
        let unread = reading.unread.into_iter().map(|problem| (problem, true));
        let problems = reading.problems.into_iter().map(|problem| (problem, false));
        self.manifest.issues.extend(
            unread
                .chain(problems)
                .map(|(problem, unread)| problem_issue(problem, unread, locate)),
        );
        for variable in &variables {
            let written = &text[variable.clone()];
            self.manifest.issues.push(
                Issue::unread(
                    Severity::Warning,
                    format!("pip expands `{written}` from the environment; nplint checks the text as written"),
                    locate(variable),
                )
                .with_label("not expanded"),
            );
        }
        let Some(parts) = reading.parts else { return };
        if frame.constraint {
            let problem = if editable {
                Some("editable requirements are not allowed as constraints")
            } else if parts.name.is_none() {
                Some("unnamed requirements are not allowed as constraints")
            } else if !parts.extras.is_empty() {
                Some("constraints cannot have extras")
            } else {
                None
            };
            if let Some(message) = problem {
                self.manifest.issues.push(
                    Issue::invalid(message, location.clone()).with_label("in a constraints file"),
                );
            }
        }
        let version_location = parts
            .version
            .filter(|_| verbatim)
            .map(|version| locate(&version));
        self.manifest.requirements.push(Requirement {
            name: parts.name,
            specifiers: parts.specifiers,
            source: parts.source,
            editable,
            extras: parts.extras,
            marker: parts.marker,
            role: if frame.constraint {
                Role::Constraint
            } else {
                Role::Requirement
            },
            origin: Origin {
                section: if frame.constraint {
                    Section::Constraints
                } else {
                    self.section.clone()
                },
                include_chain: stack
                    .iter()
                    .filter_map(|frame| frame.included_at.clone())
                    .collect(),
            },
            conda: None,
            location,
            version_location,
        });
    }

    /// Follow an include: read the file and push it on the stack, or report why not.
    fn enter(
        &mut self,
        include: Include,
        stack: &mut Vec<Frame>,
        open: &mut HashMap<PathBuf, usize>,
    ) {
        let Some(frame) = stack.last() else { return };
        let target = include.target.as_str();
        let variables = env_variables(target);
        if !variables.is_empty() {
            let names = variables
                .iter()
                .map(|v| format!("`{}`", &target[v.clone()]))
                .collect::<Vec<_>>();
            self.manifest.issues.push(
                Issue::unread(
                    Severity::Warning,
                    format!(
                        "`{target}` was not read because nplint does not expand {}",
                        names.join(", ")
                    ),
                    include.location,
                )
                .with_label("pip expands environment variables here")
                .with_help("include the file by a literal path to have it checked"),
            );
            return;
        }
        let lower = target.to_ascii_lowercase();
        if lower.starts_with("http:") || lower.starts_with("https:") {
            self.manifest.issues.push(
                Issue::unread(
                    Severity::Warning,
                    format!("remote file `{target}` was not read"),
                    include.location,
                )
                .with_label("nplint does not fetch URLs")
                .with_help("include a local copy to have its requirements checked"),
            );
            return;
        }
        let path = match file_url_path(target) {
            // pip does not join `file:` URLs to the including file's directory.
            Some(path) => PathBuf::from(path),
            None => frame
                .source
                .path()
                .parent()
                .unwrap_or(Path::new(""))
                .join(target),
        };
        // The path names the file in every report: `-r ./requirements/base.txt` in `project/requirements.txt`
        // is `project/requirements/base.txt`, not `project/./requirements/base.txt`.
        let path = crate::loader::without_current_dir(&path);
        let identity = self.loader.identity(&path);
        if let Some(&index) = open.get(&identity) {
            // The cycle, named by the paths the files were first read by.
            let files: Vec<_> = stack[index..]
                .iter()
                .map(|frame| format!("`{}`", portable_path(frame.source.path())))
                .collect();
            let again = files.first().cloned().unwrap_or_default();
            let mut issue = Issue::invalid(
                format!("include cycle: {} -> {again}", files.join(" -> ")),
                include.location,
            )
            .with_label(format!("{again} is already being read"));
            if let Some(start) = stack
                .get(index + 1)
                .and_then(|frame| frame.included_at.clone())
            {
                issue = issue.with_related(start, "the cycle starts here");
            }
            self.manifest.issues.push(issue);
            return;
        }
        if stack.len() > MAX_INCLUDE_DEPTH {
            self.manifest.issues.push(
                Issue::unread(
                    Severity::Warning,
                    format!("includes nest more than {MAX_INCLUDE_DEPTH} files deep"),
                    include.location,
                )
                .with_label("not followed"),
            );
            return;
        }
        let Some(source) = self.read(&path, &identity, &include.location) else {
            return;
        };
        let constraint = include.constraint;
        let lines = file_lines(&source);
        open.insert(identity.clone(), stack.len());
        stack.push(Frame {
            source,
            lines: lines.into_iter(),
            // pip: a file's `-r` includes are requirements and its `-c` includes constraints, whatever the file is.
            constraint,
            identity,
            included_at: Some(include.location),
        });
    }

    /// The included file at `path`, read once; `None` (with an issue) when it cannot be read or decoded.
    fn read(
        &mut self,
        path: &Path,
        identity: &Path,
        include: &Location,
    ) -> Option<Arc<SourceFile>> {
        if let Some(known) = self.read.get(identity) {
            return known.clone();
        }
        let bytes = match self.loader.load(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                self.manifest.issues.push(
                    Issue::invalid(
                        format!(
                            "cannot read included file `{}`: {error}",
                            portable_path(path)
                        ),
                        include.clone(),
                    )
                    .with_label("included here"),
                );
                // Not cached: another include of the same file is reported too.
                return None;
            }
        };
        // pip decodes an included file as it decodes the file given to it.
        let (source, invalid) = decode(path, bytes, Decoding::Pip);
        self.manifest.sources.push(source.clone());
        let result = match invalid {
            Some(error) => {
                self.manifest.issues.push(
                    error
                        .issue(&source)
                        .with_related(include.clone(), "included here"),
                );
                None
            }
            None => Some(source),
        };
        self.read.insert(identity.to_path_buf(), result.clone());
        result
    }
}

/// The issue for a problem of a requirement; `unread` when the requirement is valid and was left unread.
fn problem_issue(
    problem: requirement::Problem,
    unread: bool,
    locate: impl Fn(&Range<usize>) -> Location,
) -> Issue {
    let location = locate(&problem.span);
    let issue = if unread {
        Issue::unread(Severity::Warning, problem.message, location)
    } else {
        Issue::invalid(problem.message, location)
    };
    let issue = issue.with_label(problem.label);
    match problem.help {
        Some(help) => issue.with_help(help),
        None => issue,
    }
}

/// Where the options of a line start, as pip's `break_args_options` splits it: at the first word (split at single
/// spaces) that starts with `-`.
fn options_start(content: &str) -> Option<usize> {
    let mut offset = 0;
    for word in content.split(' ') {
        if word.starts_with('-') {
            return Some(offset);
        }
        offset += word.len() + 1;
    }
    None
}

/// `range` of `text` without surrounding whitespace.
fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let part = &text[range.clone()];
    let start = range.start + (part.len() - part.trim_start_matches(lines::is_py_space).len());
    let end = range.start + part.trim_end_matches(lines::is_py_space).len();
    start..end.max(start)
}

/// The `${NAME}` references pip expands (`ENV_VAR_RE`: uppercase letters, digits and `_`).
fn env_variables(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|rest| rest.find("${")) {
        let start = from + at;
        let name_start = start + 2;
        let name_len = text[name_start..]
            .bytes()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
            .count();
        let close = name_start + name_len;
        if name_len > 0 && text.as_bytes().get(close) == Some(&b'}') {
            found.push(start..close + 1);
            from = close + 1;
        } else {
            from = name_start;
        }
    }
    found
}

/// The path of a `file:` URL (`file:///abs/path`, `file://localhost/abs/path`, `file:/abs/path`).
fn file_url_path(target: &str) -> Option<&str> {
    let rest = target
        .get(..5)
        .filter(|scheme| scheme.eq_ignore_ascii_case("file:"))
        .map(|_| &target[5..])?;
    let rest = rest
        .strip_prefix("//localhost")
        .or_else(|| rest.strip_prefix("//"))
        .unwrap_or(rest);
    Some(rest)
}

#[cfg(test)]
mod tests;
