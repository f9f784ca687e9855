//! Conda `environment.yml` files: each `dependencies` entry is a conda MatchSpec read as a PEP 440 requirement, and
//! each `- pip:` entry is handed to the requirements-file parser.
//!
//! One environment, `conda`, holds every requirement. A `python` dependency is not a requirement: it sets
//! [`Manifest::python`]. Conda names are mapped to PyPI names where the two differ (see [`names`]); the conda
//! spelling, channel, version and build stay in [`CondaSpec`]. A conda name that is not a valid Python package name
//! (`_libgcc_mutex` in an exported environment) gets no PyPI name.
//!
//! # YAML
//!
//! The file is read with `saphyr-parser`, the event layer of `saphyr` 0.3: it reports the start and end of every
//! event, tolerates anchors, tags and multiple documents, and parses without recursion. `marked-yaml` 0.8 was the
//! first choice, but its scalars carry only a start position, and it refuses any anchor. Aliases are kept as
//! unexpanded nodes, so an alias bomb is as cheap as its text; nesting deeper than [`yaml::MAX_DEPTH`] is refused.
//! Positions arrive in characters and become byte offsets (BOM and CRLF need nothing special: they are characters).
//!
//! # MatchSpec versions as PEP 440
//!
//! The string is split as conda's `MatchSpec._parse_spec_str` splits it (`conda/models/match_spec.py`): a `#`
//! comment and ` if ` condition are dropped, a `[key=value]` section overrides the positional parts, `channel::` and
//! `channel/subdir::` prefixes are kept as the channel, the name ends at a blank or an operator, and the rest is
//! version and build (`_parse_version_plus_build`: the build follows the first blank or `=` that neither follows an
//! operator nor precedes one). Then, at the MatchSpec level: `==V` without a build is `V`; `=V` without a build is
//! `V*`; `=V` with a build is `V`. The result is a conda `VersionSpec` (`conda/models/version.py`), read as:
//!
//! | conda                            | PEP 440         | note                                                   |
//! |----------------------------------|-----------------|--------------------------------------------------------|
//! | `*`, nothing                     | (any)           |                                                        |
//! | `1.19` (bare)                    | `==1.19`        | exact; `numpy 1.19` too, and `numpy=1.19=build`        |
//! | `1.19.*`, `1.19*`, `=1.19`       | `==1.19.*`      | conda's prefix match; `numpy=1.19` is this             |
//! | `==1.19`                         | `==1.19`        |                                                        |
//! | `>=V`, `>V`, `<=V`, `<V`, `!=V`  | same            |                                                        |
//! | `~=1.19.2`                       | `~=1.19.2`      | `~=1` is refused, as conda refuses it                  |
//! | `!=1.19.*`                       | `!=1.19.*`      |                                                        |
//! | `>=1.19.*`                       | `>=1.19`        | conda drops `.*` after `>=`, `<`, `==`, ... in a spec  |
//! | `A,B`                            | `A, B`          | and                                                    |
//! | `A\|B`                           | collapsed or not read | exact only when a branch is `*` or all branches are equal |
//! | `1.*.3`, `^1\.19.*$`, `V@x`      | not read        | globs, regular expressions, string matches             |
//! | `1.19.5_1`, `1.0-1`              | not read        | conda reads `_` and `-` as `.`; PEP 440 does not       |
//!
//! "Not read" is an [`Unread`](crate::IssueKind::Unread) warning at the version, and the requirement is kept with any version;
//! what conda itself refuses (`>=`, `~=1`, `>=1.20 <1.22`) is [`Invalid`](crate::IssueKind::Invalid) and yields no requirement.
//! Two ordering differences remain and are accepted: conda's `>=1.20` and `<2.0` admit pre-releases such as
//! `2.0.0rc1` and its `>1.19.5` admits `1.19.5.post1`, which PEP 440 specifiers exclude by default.
//!
//! The table is tested case by case against `rattler_conda_types` 0.58.1 (conda's Rust implementation, used by
//! pixi): for each case the test holds the sample versions rattler's `VersionSpec::matches` accepted, and checks
//! the converted specifiers accept exactly those. Where rattler and conda's Python source disagree (rattler reads
//! `numpy >=1.20 <1.22` as version `>=1.20` with build `<1.22`, and `~=1` as valid), conda's source wins.
//!
//! # Why not `rattler_conda_types`
//!
//! It parses MatchSpecs faithfully, but returns no source positions (neither for its parts nor in its errors), and
//! it is heavy for one function: 141 crates in its normal and build dependency graph (201 packages in
//! `cargo metadata`), and a clean build on the project's 2-core machine took 106 s (debug) and 140 s (release),
//! against 0.2 s for the same scratch crate without it. This module instead follows conda's own parsing rules,
//! and uses rattler only as the oracle for its test table.

mod matchspec;
mod names;

pub(crate) use names::pypi_name;
pub(crate) mod yaml;

use std::ops::Range;
use std::str::FromStr;
use std::sync::Arc;

use nplint_diagnostics::{Location, Severity, SourceFile, Span};
use pep440_rs::VersionSpecifiers;
use pep508_rs::{MarkerTree, PackageName};

use self::matchspec::Unconvertible;
use self::yaml::{Node, Scalar};
use crate::{
    CondaSpec, Environment, Issue, Loader, Manifest, Origin, PythonConstraint, Requirement,
    RequirementSource, Role, Section,
};

/// Parses one MatchSpec and converts its version as the environment.yml reader does, for the fuzz target
/// (`fuzz/`); ranges into `spec` must be in bounds and on character boundaries.
pub(crate) fn fuzz_matchspec(spec: &str) {
    match matchspec::parse(spec) {
        Ok(parsed) => {
            assert!(
                spec.get(parsed.range.clone()).is_some(),
                "{spec:?}: {:?}",
                parsed.range
            );
            if let Some((_, range)) = &parsed.version {
                assert!(spec.get(range.clone()).is_some(), "{spec:?}: {range:?}");
            }
            if let Some(version) = parsed.conda_version.as_deref() {
                let _ = matchspec::to_pep440(version);
            }
        }
        Err(error) => {
            assert!(
                spec.get(error.range.clone()).is_some(),
                "{spec:?}: {:?}",
                error.range
            );
        }
    }
}

/// `environment.yml`, `environment.yaml`, `environment-gpu.yml`, `environment_dev.yaml`, `ci.environment.yml`.
pub(crate) fn discover(file_name: &str) -> bool {
    let name = file_name.to_ascii_lowercase();
    let Some(stem) = name
        .strip_suffix(".yml")
        .or_else(|| name.strip_suffix(".yaml"))
    else {
        return false;
    };
    stem == "environment"
        || stem
            .strip_prefix("environment")
            .is_some_and(|rest| rest.starts_with(['-', '_', '.']))
        || stem.ends_with(".environment")
}

pub(crate) fn parse(mut manifest: Manifest, loader: &dyn Loader) -> Manifest {
    let source = manifest.sources[0].clone();
    let mut parser = Parser {
        manifest: &mut manifest,
        loader,
        source: &source,
    };
    parser.file();
    let requirements = (0..manifest.requirements.len()).collect();
    manifest.environments.push(Environment {
        name: "conda".to_owned(),
        requirements,
        platform: None,
    });
    manifest
}

struct Parser<'a> {
    manifest: &'a mut Manifest,
    loader: &'a dyn Loader,
    source: &'a Arc<SourceFile>,
}

impl Parser<'_> {
    fn location(&self, span: Span) -> Location {
        Location::new(self.source.clone(), span)
    }

    fn invalid(&mut self, message: impl Into<String>, span: Span) -> &mut Issue {
        let issue = Issue::invalid(message, self.location(span));
        self.manifest.issues.push(issue);
        self.manifest.issues.last_mut().expect("just pushed")
    }

    fn file(&mut self) {
        let text = self.source.text();
        let root = match yaml::parse(text) {
            Ok((root, extra_document)) => {
                if let Some(span) = extra_document {
                    self.invalid("environment file has more than one YAML document", span)
                        .label = Some("only the first document is read".to_owned());
                }
                root
            }
            Err(error) => {
                let issue = self.invalid(format!("invalid YAML: {}", error.message), error.span);
                if error.message.contains("tab") {
                    issue.help = Some(
                        "indent with spaces: YAML does not allow tabs in indentation".to_owned(),
                    );
                }
                return;
            }
        };
        match root {
            None => {}
            Some(Node::Scalar(scalar)) if scalar.non_string_kind() == Some("null") => {}
            Some(Node::Mapping(entries, _)) => self.top_level(&entries),
            Some(other) => {
                self.invalid(
                    format!(
                        "expected a mapping with `dependencies` at the top level, found a {}",
                        other.kind()
                    ),
                    other.span(),
                );
            }
        }
    }

    fn top_level(&mut self, entries: &[(Node, Node)]) {
        let mut seen: Vec<(&str, Span)> = Vec::new();
        for (key, value) in entries {
            let Node::Scalar(key) = key else { continue };
            let name = key.value.as_str();
            if !matches!(name, "name" | "channels" | "dependencies") {
                // `prefix`, `variables` and tool-specific keys do not affect requirements.
                continue;
            }
            if let Some(&(_, first)) = seen.iter().find(|(seen, _)| *seen == name) {
                let related = self.location(first);
                self.invalid(format!("duplicate key `{name}`"), key.inner)
                    .related
                    .push((related, "first defined here".to_owned()));
                continue;
            }
            seen.push((name, key.inner));
            match name {
                "name" => {
                    if !matches!(value, Node::Scalar(_)) {
                        self.invalid(
                            format!("`name` must be a string, found a {}", value.kind()),
                            value.span(),
                        );
                    }
                }
                "channels" => self.channels(value),
                _ => self.dependencies(value),
            }
        }
    }

    fn channels(&mut self, value: &Node) {
        match value {
            Node::Sequence(items, _) => {
                for item in items {
                    if !matches!(item, Node::Scalar(scalar) if scalar.non_string_kind().is_none()) {
                        self.invalid(
                            format!("a channel must be a string, found a {}", item.kind()),
                            item.span(),
                        );
                    }
                }
            }
            Node::Scalar(scalar) if scalar.non_string_kind() == Some("null") => {}
            other => {
                self.invalid(
                    format!("`channels` must be a list, found a {}", other.kind()),
                    other.span(),
                );
            }
        }
    }

    fn dependencies(&mut self, value: &Node) {
        let items = match value {
            Node::Sequence(items, _) => items,
            Node::Scalar(scalar) if scalar.non_string_kind() == Some("null") => return,
            other => {
                self.invalid(
                    format!("`dependencies` must be a list, found a {}", other.kind()),
                    other.span(),
                );
                return;
            }
        };
        for item in items {
            match item {
                Node::Scalar(scalar) => match scalar.non_string_kind() {
                    None => self.match_spec(scalar),
                    Some(kind) => {
                        self.invalid(
                            format!("a dependency must be a package spec, found a {kind}"),
                            item.span(),
                        )
                        .help = Some("quote the entry to make it a string".to_owned());
                    }
                },
                Node::Mapping(entries, _) => self.pip_mapping(entries),
                Node::Alias(span) => {
                    let issue = Issue::unread(
                        Severity::Warning,
                        "YAML alias in `dependencies` is not read",
                        self.location(*span),
                    )
                    .with_help("write the dependencies out: nplint does not expand aliases");
                    self.manifest.issues.push(issue);
                }
                Node::Sequence(..) => {
                    self.invalid(
                        "expected a package spec or a `pip:` list, found a list",
                        item.span(),
                    );
                }
            }
        }
    }

    fn pip_mapping(&mut self, entries: &[(Node, Node)]) {
        for (key, value) in entries {
            let is_pip = matches!(key, Node::Scalar(key) if key.value == "pip");
            if !is_pip {
                self.invalid(
                    "unexpected mapping in `dependencies`; only `pip:` lists are read",
                    key.span(),
                );
                continue;
            }
            match value {
                Node::Sequence(items, _) => {
                    for item in items {
                        match item {
                            Node::Scalar(scalar) if scalar.non_string_kind().is_none() => {
                                crate::requirements_txt::parse_pip_entry(
                                    self.manifest,
                                    self.loader,
                                    self.source,
                                    &scalar.value,
                                    scalar.inner,
                                    Section::CondaPip,
                                );
                            }
                            other => {
                                self.invalid(
                                    format!(
                                        "a `pip:` entry must be a string, found a {}",
                                        other.kind()
                                    ),
                                    other.span(),
                                );
                            }
                        }
                    }
                }
                Node::Scalar(scalar) if scalar.non_string_kind() == Some("null") => {}
                other => {
                    self.invalid(
                        format!("`pip:` must be a list, found a {}", other.kind()),
                        other.span(),
                    );
                }
            }
        }
    }

    /// The source span of `range` of the scalar's value: exact when the value is written verbatim, otherwise the
    /// whole value (an escape moved the offsets).
    fn value_span(&self, scalar: &Scalar, range: Range<usize>) -> Span {
        if scalar.is_verbatim(self.source.text()) {
            Span::from_range(
                scalar.inner.start as usize + range.start..scalar.inner.start as usize + range.end,
            )
        } else {
            let text = &self.source.text()[scalar.inner.range()];
            let start = scalar.inner.start as usize + (text.len() - text.trim_start().len());
            Span::from_range(start..start.max(scalar.inner.start as usize + text.trim_end().len()))
        }
    }

    fn match_spec(&mut self, scalar: &Scalar) {
        let spec = match matchspec::parse(&scalar.value) {
            Ok(spec) => spec,
            Err(error) => {
                let span = self.value_span(scalar, error.range);
                self.invalid(
                    format!("invalid conda package spec: {}", error.message),
                    span,
                );
                return;
            }
        };
        let location = self.location(self.value_span(scalar, spec.range.clone()));
        let version_location = spec
            .version
            .as_ref()
            .map(|(_, range)| self.location(self.value_span(scalar, range.clone())));
        let conda_name = spec.name.to_ascii_lowercase();

        let specifiers = match spec.conda_version.as_deref().map(matchspec::to_pep440) {
            None => VersionSpecifiers::empty(),
            Some(Ok(specifiers)) => specifiers,
            Some(Err(error)) => {
                let written = spec.version.as_ref().map_or("", |(text, _)| *text);
                let at = version_location.clone().unwrap_or_else(|| location.clone());
                match error {
                    Unconvertible::Invalid(message) => {
                        let mut issue = Issue::invalid(
                            format!("invalid version `{written}` for `{conda_name}`: {message}"),
                            at,
                        );
                        if written.trim().contains(' ') {
                            issue = issue.with_help(
                                "separate version constraints with `,` (and) or `|` (or)",
                            );
                        }
                        self.manifest.issues.push(issue);
                        return;
                    }
                    Unconvertible::Unread(message) => {
                        let issue = Issue::unread(
                            Severity::Warning,
                            format!("version `{written}` of `{conda_name}` is not read: {message}"),
                            at,
                        )
                        .with_label("checked as if any version were allowed");
                        self.manifest.issues.push(issue);
                        VersionSpecifiers::empty()
                    }
                }
            }
        };

        if conda_name == "python" {
            // The interpreter is not a package nplint resolves; its versions bound the targets.
            if spec.conda_version.is_some() && !specifiers.is_empty() {
                if let Some(python) = &mut self.manifest.python {
                    python.specifiers = python
                        .specifiers
                        .iter()
                        .chain(specifiers.iter())
                        .cloned()
                        .collect();
                } else {
                    self.manifest.python = Some(PythonConstraint {
                        specifiers,
                        location,
                    });
                }
            }
            return;
        }

        let pypi = names::pypi_name(&conda_name).unwrap_or(&conda_name);
        self.manifest.requirements.push(Requirement {
            name: PackageName::from_str(pypi).ok(),
            specifiers,
            source: RequirementSource::Registry,
            editable: false,
            extras: Vec::new(),
            marker: MarkerTree::TRUE,
            role: Role::Requirement,
            origin: Origin::new(Section::Conda),
            conda: Some(CondaSpec {
                name: spec.name.to_owned(),
                channel: spec.channel.map(str::to_owned),
                version: spec.version.map(|(text, _)| text.to_owned()),
                build: spec.build.map(str::to_owned),
            }),
            location,
            version_location,
        });
    }
}

#[cfg(test)]
mod tests;
