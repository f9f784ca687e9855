//! `pixi.lock`, versions 4 to 6 (<https://pixi.sh/latest/workspace/lockfile/>).
//!
//! The file has two halves: `packages`, every locked package once, each known by its URL (`conda: <url>` or
//! `pypi: <url>` in version 6; `kind: conda|pypi` with `url:` in versions 4 and 5), and `environments`, which
//! name for each platform the URLs they install (`- conda: <url>`). Each package becomes one requirement, and
//! each environment and platform one environment (`default` on `linux-64`, `cuda` on `linux-64`, ...).
//!
//! Version 6 leaves `name` and `version` out of conda entries: they are read from the URL's file name,
//! `<name>-<version>-<build>.conda`, and the version's span is its text inside the URL. A PyPI package from a
//! local path (`pypi: ./`, the workspace itself) is the project, not something installed from an index, and is
//! left out, as `uv.lock` reading leaves out workspace members. A reference to a URL that no package entry has is
//! an error at the reference.

use std::collections::HashMap;

use nplint_diagnostics::Span;

use super::conda_lock::conda_file;
use super::yaml::{YamlLock, entry, field, first_key, node, outer_end, read_yaml_lock};
use super::{CondaLocked, LockBuilder, Locked};
use crate::conda::yaml::{Node, Scalar};
use crate::{Loader, Manifest};

/// The lock versions nplint reads. Version 4 and 5 differ from 6 only in how package entries name their kind.
const LOCK: YamlLock = YamlLock {
    file: "pixi.lock",
    versions: &["4", "5", "6"],
    supported: "versions 4 to 6",
};

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    read_yaml_lock(manifest, &LOCK, |builder, text, entries| {
        // Each package's URL and its requirement; `None` for a package left out or not read, so that references
        // to it are not errors too.
        let mut packages: HashMap<&str, Option<usize>> = HashMap::new();
        if let Ok(Some(Node::Sequence(items, _))) = node(builder, entries, "packages", "list") {
            for item in items {
                if let Some((url, index)) = read_package(builder, text, item) {
                    packages.entry(url).or_insert(index);
                }
            }
        }
        if let Ok(Some(Node::Mapping(environments, _))) =
            node(builder, entries, "environments", "mapping")
        {
            for (name, environment) in environments {
                read_environment(builder, &packages, name, environment);
            }
        }
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Conda,
    Pypi,
}

/// The entry's URL and its requirement, if it is one; `None` when the entry has no URL.
fn read_package<'n>(
    builder: &mut LockBuilder,
    text: &str,
    item: &'n Node,
) -> Option<(&'n str, Option<usize>)> {
    let Node::Mapping(entries, span) = item else {
        builder.invalid(
            format!(
                "a `packages` entry must be a mapping, found a {}",
                item.kind()
            ),
            item.span(),
        );
        return None;
    };
    let first = first_key(entries, *span);
    let (kind, url) = kind_and_url(builder, entries, first)?;
    let index = match kind {
        Kind::Conda => read_conda(builder, text, entries, first, url),
        Kind::Pypi => read_pypi(builder, entries, first, url),
    };
    Some((url.value.as_str(), index))
}

/// `conda: <url>` or `pypi: <url>` (version 6), or `kind:` and `url:` (versions 4 and 5).
fn kind_and_url<'n>(
    builder: &mut LockBuilder,
    entries: &'n [(Node, Node)],
    first: Span,
) -> Option<(Kind, &'n Scalar)> {
    for (key, kind) in [("conda", Kind::Conda), ("pypi", Kind::Pypi)] {
        if entry(entries, key).is_some() {
            let url = field(builder, entries, key).ok()?;
            let Some(url) = url else {
                builder.invalid(format!("`{key}` without a URL"), first);
                return None;
            };
            return Some((kind, url));
        }
    }
    let Some(kind) = field(builder, entries, "kind").ok()? else {
        builder.invalid(
            "a `packages` entry without `conda` or `pypi` (or `kind`)",
            first,
        );
        return None;
    };
    let kind = match kind.value.as_str() {
        "conda" => Kind::Conda,
        "pypi" => Kind::Pypi,
        other => {
            builder.invalid(
                format!("unknown package kind `{other}`, expected `conda` or `pypi`"),
                kind.inner,
            );
            return None;
        }
    };
    // A local PyPI package has a `path` instead of a `url`.
    let url = match field(builder, entries, "url").ok()? {
        Some(url) => url,
        None => field(builder, entries, "path").ok()??,
    };
    Some((kind, url))
}

fn read_conda(
    builder: &mut LockBuilder,
    text: &str,
    entries: &[(Node, Node)],
    first: Span,
    url: &Scalar,
) -> Option<usize> {
    let name = field(builder, entries, "name").ok()?;
    let version = field(builder, entries, "version").ok()?;
    let build = field(builder, entries, "build").ok()?;
    let file = conda_file(&url.value);
    let (name, name_end) = match (name, &file) {
        (Some(name), _) => (name.value.as_str(), outer_end(name)),
        (None, Some(file)) => (file.name, outer_end(url)),
        (None, None) => {
            builder.invalid(
                format!(
                    "cannot read a package name and version from `{}`: not a conda package file name",
                    url.value
                ),
                url.inner,
            );
            return None;
        }
    };
    let (version, version_span, version_end) = match (version, &file) {
        (Some(version), _) => (version.value.as_str(), version.inner, outer_end(version)),
        // The version inside the URL, when the URL is written as is.
        (None, Some(file)) if url.is_verbatim(text) => {
            let start = url.inner.start as usize + file.version_offset;
            let span = Span::from_range(start..start + file.version.len());
            (file.version, span, outer_end(url))
        }
        (None, Some(file)) => (file.version, url.inner, outer_end(url)),
        (None, None) => {
            super::unversioned(builder, name, url.inner);
            return None;
        }
    };
    // From the entry's first key to its name and version, wherever they are written.
    let end = name_end.max(version_end);
    let locked = Locked {
        name,
        version,
        version_span,
        entry: Span::from_range(first.start as usize..end as usize),
        marker: None,
        conda: Some(CondaLocked {
            channel: file.as_ref().and_then(|file| file.channel),
            build: build
                .map(|build| build.value.as_str())
                .or(file.as_ref().map(|file| file.build)),
        }),
    };
    builder.package(&locked)
}

fn read_pypi(
    builder: &mut LockBuilder,
    entries: &[(Node, Node)],
    first: Span,
    url: &Scalar,
) -> Option<usize> {
    // The workspace or another local project: `pypi: ./`, `path: .`, `file:///...`.
    if !url.value.contains("://") || url.value.starts_with("file:") {
        return None;
    }
    let Some(name) = field(builder, entries, "name").ok()? else {
        builder.invalid(
            format!("the PyPI package `{}` has no `name`", url.value),
            first,
        );
        return None;
    };
    let Some(version) = field(builder, entries, "version").ok()? else {
        super::unversioned(builder, &name.value, name.inner);
        return None;
    };
    let end = outer_end(name).max(outer_end(version));
    let locked = Locked {
        name: &name.value,
        version: &version.value,
        version_span: version.inner,
        entry: Span::from_range(first.start as usize..end as usize),
        marker: None,
        conda: None,
    };
    builder.package(&locked)
}

/// `<name>: {channels: ..., packages: {<platform>: [{conda: <url>}, {pypi: <url>}, ...]}}`.
fn read_environment(
    builder: &mut LockBuilder,
    packages: &HashMap<&str, Option<usize>>,
    name: &Node,
    environment: &Node,
) {
    let Node::Scalar(name) = name else {
        builder.invalid(
            format!(
                "an environment name must be a string, found a {}",
                name.kind()
            ),
            name.span(),
        );
        return;
    };
    let Node::Mapping(entries, _) = environment else {
        builder.invalid(
            format!(
                "environment `{}` must be a mapping, found a {}",
                name.value,
                environment.kind()
            ),
            environment.span(),
        );
        return;
    };
    let Ok(Some(Node::Mapping(platforms, _))) = node(builder, entries, "packages", "mapping")
    else {
        return;
    };
    for (platform, references) in platforms {
        let Node::Scalar(platform) = platform else {
            builder.invalid(
                format!("a platform must be a string, found a {}", platform.kind()),
                platform.span(),
            );
            continue;
        };
        builder.environment(&name.value, Some(&platform.value));
        let Node::Sequence(references, _) = references else {
            builder.invalid(
                format!(
                    "the packages of `{}` on `{}` must be a list, found a {}",
                    name.value,
                    platform.value,
                    references.kind()
                ),
                references.span(),
            );
            continue;
        };
        for reference in references {
            if let Some(index) = reference_index(builder, packages, reference) {
                builder.add_to(&name.value, Some(&platform.value), index);
            }
        }
    }
}

/// The requirement a `- conda: <url>` or `- pypi: <url>` reference names.
fn reference_index(
    builder: &mut LockBuilder,
    packages: &HashMap<&str, Option<usize>>,
    reference: &Node,
) -> Option<usize> {
    let Node::Mapping(entries, _) = reference else {
        builder.invalid(
            format!(
                "a package reference must be a mapping (`- conda: <url>`), found a {}",
                reference.kind()
            ),
            reference.span(),
        );
        return None;
    };
    let key = ["conda", "pypi"]
        .into_iter()
        .find(|key| entry(entries, key).is_some());
    let Some(key) = key else {
        builder.invalid(
            "a package reference without `conda` or `pypi`",
            reference.span(),
        );
        return None;
    };
    let url = field(builder, entries, key).ok()??;
    if let Some(index) = packages.get(url.value.as_str()) {
        return *index;
    }
    builder.invalid(
        format!("`{}` is not among the lock's `packages`", url.value),
        url.inner,
    );
    None
}
