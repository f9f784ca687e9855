//! `Pipfile.lock`: Pipenv's lockfile, JSON (`"pipfile-spec": 6`).
//!
//! `default` and `develop` map package names to entries (`{"version": "==1.26.4", "markers": "...", ...}`) and
//! are two environments: `default` is what `pipenv install` installs, and `develop` what `pipenv install --dev`
//! installs, which is both sections. In `develop` an entry of `develop` replaces the `default` entry of the same
//! package. Local entries (`path`, `editable`) are the project or path dependencies and are left out; other
//! entries without a version (`git`, `file` URLs) cannot be checked and say so. `_meta.requires` names the Python
//! (`python_full_version = "3.9.7"`, or `python_version = "3.9"` for any 3.9). Recent Pipenv writes PEP 751's
//! `'dev' in dependency_groups` into the markers of `develop`'s entries: it holds for them, and for nothing in
//! `default`.
//!
//! The file is parsed as strict JSON with byte ranges on every node, so that findings point at the entry: from
//! its key to its version.

use std::str::FromStr;

use jsonc_parser::ast::{Object, ObjectProp, ObjectPropName, Value};
use jsonc_parser::common::{Range, Ranged};
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};
use nplint_diagnostics::Span;
use pep508_rs::PackageName;

use super::{LockBuilder, Locked};
use crate::{Loader, Manifest};

/// The packages `pipenv install` installs, and their environment.
const DEFAULT: &str = "default";
/// The packages `pipenv install --dev` adds, and the environment of both sections.
const DEVELOP: &str = "develop";
/// The dependency group of `develop`'s entries, as their markers name it.
const DEV_GROUP: &str = "dev";

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    let mut builder = LockBuilder::new(manifest);
    let file = builder.file();
    // pipenv reads the lock as `utf-8-sig`: a byte order mark is no JSON. Three spaces stand in for it, so that
    // offsets stay those of the file.
    let text = match file.text().strip_prefix('\u{feff}') {
        Some(rest) => std::borrow::Cow::Owned(format!("{:1$}{rest}", "", '\u{feff}'.len_utf8())),
        None => std::borrow::Cow::Borrowed(file.text()),
    };
    let parsed = match parse_to_ast(&text, &CollectOptions::default(), &strict_json()) {
        Ok(parsed) => parsed,
        Err(error) => {
            builder.invalid(
                format!(
                    "invalid JSON: {}",
                    lowercase_first(&error.kind().to_string())
                ),
                span(error.range()),
            );
            return builder.finish();
        }
    };
    let Some(root) = parsed.value else {
        builder.invalid("invalid JSON: the file is empty", Span::empty(0));
        return builder.finish();
    };
    let Value::Object(root) = root else {
        builder.invalid("`Pipfile.lock` must be a JSON object", span(root.range()));
        return builder.finish();
    };
    read_python(&mut builder, &root);
    builder.environment(DEFAULT, None);
    builder.environment(DEVELOP, None);
    let default = read_section(&mut builder, &root, DEFAULT);
    // Pipenv marks the entries of `develop` with `'dev' in dependency_groups` (PEP 751's marker): they install
    // there. Pipenv itself drops the condition when it installs a section (`Lockfile._pip_marker` in
    // `pipenv/utils/locking.py`, pypa/pipenv), having picked the section's packages already.
    builder.request_groups(vec![DEV_GROUP.to_owned()]);
    let develop = read_section(&mut builder, &root, DEVELOP);
    for (_, index) in &default {
        builder.add_to(DEFAULT, None, *index);
    }
    for (name, index) in &default {
        if !develop.iter().any(|(develop_name, _)| develop_name == name) {
            builder.add_to(DEVELOP, None, *index);
        }
    }
    for (_, index) in &develop {
        builder.add_to(DEVELOP, None, *index);
    }
    builder.finish()
}

/// Pipenv writes plain JSON: none of the JSONC and JSON5 extensions the parser allows by default.
fn strict_json() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// `_meta.requires`: the Python the lock was made for. Pipenv writes `_meta`, so anything unexpected in it is
/// ignored rather than reported.
fn read_python(builder: &mut LockBuilder, root: &Object<'_>) {
    let Some(requires) = root
        .get_object("_meta")
        .and_then(|meta| meta.get_object("requires"))
    else {
        return;
    };
    if let Some(full) = requires.get_string("python_full_version") {
        builder.python(
            &format!("=={}", full.value),
            super::unquoted(span(full.range)),
        );
    } else if let Some(minor) = requires.get_string("python_version") {
        builder.python(
            &format!("=={}.*", minor.value),
            super::unquoted(span(minor.range)),
        );
    }
}

/// The requirements of a section, each with its normalized name (the key itself when it is not a valid name).
fn read_section(
    builder: &mut LockBuilder,
    root: &Object<'_>,
    section: &str,
) -> Vec<(String, usize)> {
    let Some(property) = root.get(section) else {
        return Vec::new();
    };
    let Value::Object(packages) = &property.value else {
        builder.invalid(
            format!("`{section}` must be a JSON object of packages"),
            span(property.value.range()),
        );
        return Vec::new();
    };
    let mut requirements = Vec::new();
    for entry in &packages.properties {
        if let Some(index) = read_package(builder, entry) {
            let name = property_name(entry);
            let name = PackageName::from_str(name)
                .map_or_else(|_| name.to_owned(), |name| name.to_string());
            requirements.push((name, index));
        }
    }
    requirements
}

fn read_package(builder: &mut LockBuilder, entry: &ObjectProp<'_>) -> Option<usize> {
    let name = property_name(entry);
    let key = span(entry.name.range());
    let name_span = super::unquoted(key);
    let Value::Object(fields) = &entry.value else {
        builder.invalid(
            format!("the entry of `{name}` must be a JSON object"),
            span(entry.value.range()),
        );
        return None;
    };
    let Some(version) = fields.get("version") else {
        let local = fields.get("path").is_some()
            || fields
                .get_boolean("editable")
                .is_some_and(|editable| editable.value);
        if !local {
            super::unversioned(builder, name, name_span);
        }
        return None;
    };
    let Value::StringLit(version) = &version.value else {
        builder.invalid("`version` must be a string", span(version.value.range()));
        return None;
    };
    let mut version_span = super::unquoted(span(version.range));
    let Some(pinned) = version.value.strip_prefix("==") else {
        builder.invalid(
            format!(
                "`{name}` is locked to `{}`, not to one version (`==...`)",
                version.value
            ),
            version_span,
        );
        return None;
    };
    // Point past the `==` when the literal is written as is (not with escapes).
    if builder
        .text()
        .get(version_span.range())
        .is_some_and(|raw| raw.starts_with("=="))
    {
        version_span.start += 2;
    }
    let marker = match fields.get("markers").map(|markers| &markers.value) {
        None => None,
        Some(Value::StringLit(markers)) => {
            Some((markers.value.as_ref(), super::unquoted(span(markers.range))))
        }
        Some(other) => {
            builder.invalid("`markers` must be a string", span(other.range()));
            return None;
        }
    };
    let locked = Locked {
        name,
        version: pinned,
        version_span,
        entry: Span::new(key.start, version_span.end.max(key.end)),
        marker,
        conda: None,
    };
    builder.package(&locked)
}

fn property_name<'a>(entry: &'a ObjectProp<'_>) -> &'a str {
    match &entry.name {
        ObjectPropName::String(name) => name.value.as_ref(),
        ObjectPropName::Word(name) => name.value,
    }
}

/// The parser's messages are sentences (`Comments are not allowed`); nplint's continue an `invalid JSON: `
/// prefix.
fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

fn span(range: Range) -> Span {
    Span::from_range(range.start..range.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;
    use crate::test_support::{self, environment, messages};

    fn read(text: &str) -> Manifest {
        test_support::read(parse, Format::PipfileLock, "Pipfile.lock", text)
    }

    #[test]
    fn develop_includes_default() {
        let manifest = read(
            r#"{
  "default": {"numpy": {"version": "==1.26.4"}, "six": {"version": "==1.16.0"}},
  "develop": {"pytest": {"version": "==8.0.0"}, "Six": {"version": "==1.17.0"}}
}"#,
        );
        assert_eq!(messages(&manifest), Vec::<&str>::new());
        assert_eq!(
            environment(&manifest, "default"),
            [
                r#""numpy": {"version": "==1.26.4"#,
                r#""six": {"version": "==1.16.0"#
            ]
        );
        // `Six` of `develop` is `six`: it replaces the default entry there.
        assert_eq!(
            environment(&manifest, "develop"),
            [
                r#""numpy": {"version": "==1.26.4"#,
                r#""pytest": {"version": "==8.0.0"#,
                r#""Six": {"version": "==1.17.0"#,
            ]
        );
    }

    #[test]
    fn version_span_skips_the_operator() {
        let manifest = read(
            r#"{"default": {"numpy": {"markers": "python_version >= '3.9'", "version": "==2.0.1"}}}"#,
        );
        let requirement = &manifest.requirements[0];
        assert_eq!(
            requirement.version_location.as_ref().unwrap().text(),
            "2.0.1"
        );
        assert_eq!(requirement.specifiers.to_string(), "==2.0.1");
        assert_eq!(
            requirement.marker.try_to_string().as_deref(),
            Some("python_full_version >= '3.9'")
        );
    }

    #[test]
    fn python_version_is_a_minor_series() {
        let manifest = read(r#"{"_meta": {"requires": {"python_version": "3.9"}}, "default": {}}"#);
        let python = manifest.python.as_ref().unwrap();
        assert_eq!(python.specifiers.to_string(), "==3.9.*");
        assert_eq!(python.location.text(), "3.9");
    }

    #[test]
    fn local_and_url_entries() {
        let manifest = read(
            r#"{"default": {
  "project": {"editable": true, "path": "."},
  "tool": {"git": "https://example.invalid/tool.git", "ref": "abc"}
}}"#,
        );
        assert!(manifest.requirements.is_empty());
        assert_eq!(
            messages(&manifest),
            ["`tool` is locked from a path or URL without a version; nplint does not check it"]
        );
    }

    #[test]
    fn every_prefix_reads_without_panicking() {
        let text = r#"{"_meta": {"requires": {"python_version": "3.9"}}, "default": {"numpy": {"markers": "os_name == 'nt'", "version": "==1.26.4"}, "é": {"version": "==1"}}, "develop": {"x": {"path": "."}}}"#;
        for end in (0..=text.len()).filter(|&end| text.is_char_boundary(end)) {
            let manifest = read(&text[..end]);
            assert!(
                end == text.len() || !manifest.issues.is_empty(),
                "{}",
                &text[..end]
            );
        }
    }

    #[test]
    fn unreadable_input_is_an_issue() {
        for text in [
            "",
            "{",
            "[]",
            r#"{"default": []}"#,
            r#"{"default": {"numpy": 1}}"#,
            r#"{"default": {"numpy": {"version": 1}}}"#,
            r#"{"default": {"numpy": {"version": ">=1"}}}"#,
            r#"{"default": {"numpy": {"version": "==1", "markers": []}}}"#,
            r#"{"default": {"numpy": {"version": "==1",}}}"#,
        ] {
            let manifest = read(text);
            assert!(manifest.requirements.is_empty(), "{text}");
            assert_eq!(
                manifest.issues.len(),
                1,
                "{text}: {:?}",
                messages(&manifest)
            );
        }
    }
}
