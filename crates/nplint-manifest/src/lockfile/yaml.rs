//! What the YAML lockfiles (`conda-lock.yml`, `pixi.lock`) share: the top-level mapping with its `version`
//! checked, and typed reading of the YAML tree, each wrong type an issue at the value.

use nplint_diagnostics::{Severity, Span};
use saphyr_parser::ScalarStyle;

use super::LockBuilder;
use crate::conda::yaml::{self, Node, Scalar};
use crate::{Issue, Manifest};

/// A YAML lockfile format: its file name and the `version`s nplint reads.
pub(super) struct YamlLock {
    /// The file, as a warning names it (`pixi.lock`).
    pub file: &'static str,
    /// The values of `version` that nplint reads.
    pub versions: &'static [&'static str],
    /// Those versions, as a warning names them (`versions 4 to 6`).
    pub supported: &'static str,
}

/// Reads a YAML lockfile: its top-level mapping (`None`, with an issue unless the file is empty, when there is
/// none) and its `version` (a warning when nplint does not know it, and the file is still read), then hands the
/// mapping's entries to `read`, with the file's text.
pub(super) fn read_yaml_lock(
    manifest: Manifest,
    lock: &YamlLock,
    read: impl FnOnce(&mut LockBuilder, &str, &[(Node, Node)]),
) -> Manifest {
    let mut builder = LockBuilder::new(manifest);
    let file = builder.file();
    let text = file.text();
    let Some(Node::Mapping(entries, _)) = root(&mut builder, text) else {
        return builder.finish();
    };
    if let Ok(Some(version)) = field(&mut builder, &entries, "version")
        && !lock.versions.contains(&version.value.as_str())
    {
        unsupported_version(&mut builder, version, lock);
    }
    read(&mut builder, text, &entries);
    builder.finish()
}

/// Why a field could not be read; the issue is already reported.
#[derive(Debug)]
pub(super) struct Reported;

/// Parses `text` into its top-level mapping; `None`, with an issue unless the file is empty, when there is none.
fn root(builder: &mut LockBuilder, text: &str) -> Option<Node> {
    let root = match yaml::parse(text) {
        Ok((root, _extra_document)) => root?,
        Err(error) => {
            builder.invalid(format!("invalid YAML: {}", error.message), error.span);
            return None;
        }
    };
    match root {
        Node::Mapping(..) => Some(root),
        Node::Scalar(scalar) if scalar.non_string_kind() == Some("null") => None,
        other => {
            builder.invalid(
                format!(
                    "expected a mapping at the top level, found a {}",
                    other.kind()
                ),
                other.span(),
            );
            None
        }
    }
}

/// The value of `key` in a mapping, `Ok(None)` when missing or null, `Err` (reported) when it is not a `kind`
/// (`mapping` or `list`).
pub(super) fn node<'n>(
    builder: &mut LockBuilder,
    entries: &'n [(Node, Node)],
    key: &str,
    kind: &str,
) -> Result<Option<&'n Node>, Reported> {
    let Some((key_node, value)) = entry(entries, key) else {
        return Ok(None);
    };
    if let Node::Scalar(scalar) = value
        && scalar.non_string_kind() == Some("null")
    {
        return Ok(None);
    }
    if value.kind() == kind {
        return Ok(Some(value));
    }
    let at = if matches!(value, Node::Scalar(_)) {
        value.span()
    } else {
        key_node.span()
    };
    builder.invalid(
        format!("`{key}` must be a {kind}, found a {}", value.kind()),
        at,
    );
    Err(Reported)
}

/// The scalar value of `key` in a mapping: `Ok(None)` when missing or null, `Err` (reported) when it is a list,
/// a mapping or an alias. Numbers are kept as written (`version: 2.40` is `2.40`).
pub(super) fn field<'n>(
    builder: &mut LockBuilder,
    entries: &'n [(Node, Node)],
    key: &str,
) -> Result<Option<&'n Scalar>, Reported> {
    match entry(entries, key).map(|(_, value)| value) {
        None => Ok(None),
        Some(Node::Scalar(scalar)) if scalar.non_string_kind() == Some("null") => Ok(None),
        Some(Node::Scalar(scalar)) => Ok(Some(scalar)),
        Some(other) => {
            builder.invalid(
                format!("`{key}` must be a string, found a {}", other.kind()),
                other.span(),
            );
            Err(Reported)
        }
    }
}

/// The first entry of `key` (a duplicate key is YAML's problem, and lock writers do not produce them).
pub(super) fn entry<'n>(entries: &'n [(Node, Node)], key: &str) -> Option<(&'n Node, &'n Node)> {
    entries
        .iter()
        .find_map(|(candidate, value)| match candidate {
            Node::Scalar(scalar) if scalar.value == key => Some((candidate, value)),
            _ => None,
        })
}

/// The first key of a list item mapping, where its entry starts (the mapping's own span may start at the `-`), or
/// the mapping when it is empty.
pub(super) fn first_key(entries: &[(Node, Node)], span: Span) -> Span {
    entries.first().map_or(span, |(key, _)| key.span())
}

/// Where a scalar ends in the source, its closing quote included.
pub(super) fn outer_end(scalar: &Scalar) -> u32 {
    match scalar.style {
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => scalar.inner.end + 1,
        _ => scalar.inner.end,
    }
}

/// A warning that the lock's `version` is not one nplint knows; the file is still read as the latest known one.
fn unsupported_version(builder: &mut LockBuilder, version: &Scalar, lock: &YamlLock) {
    let issue = Issue::unread(
        Severity::Warning,
        format!(
            "`{}` version `{}` is not supported (nplint reads {}); packages may be missed",
            lock.file, version.value, lock.supported
        ),
        builder.location(version.inner),
    );
    builder.issue(issue);
}
