//! Inline suppression: a `# nplint: ignore[rule, ...]` comment on a line silences the findings of those rules whose
//! primary span covers that line, in requirements files, environment.yml and TOML arrays alike (all three use `#`
//! comments). Rules are named by name or code (`abi-mismatch`, `NPL020`). A suppression that silences nothing, or
//! that names no rule, is itself reported (`unused-suppression`), for the file the check started from.
//!
//! A comment starts at a `#` at the start of a line or after whitespace (pip's and YAML's rule) that is not inside a
//! double-quoted string on that line (enough for TOML arrays of PEP 508 strings, where a `#` can only appear in a
//! URL).

use nplint_diagnostics::{Diagnostic, Location, Severity, SourceFile, Span};
use nplint_manifest::Manifest;

use crate::registry::find_rule;
use crate::rules::unused_suppression;
use crate::settings::RuleSelection;

const MARKER: &str = "nplint:";

/// One `# nplint: ignore[...]` comment.
#[derive(Debug)]
struct Suppression {
    /// The comment's line, 1-based.
    line: u32,
    /// The whole comment from `#`.
    location: Location,
    /// The names as written, with the rule each resolves to (`None`: no such rule).
    rules: Vec<(String, Option<&'static str>)>,
    used: Vec<bool>,
}

/// Removes the findings that a suppression comment silences, and adds an `unused-suppression` finding for each
/// suppression in the manifest's root file that silenced nothing.
pub(crate) fn apply(manifest: &Manifest, rules: &RuleSelection, diagnostics: &mut Vec<Diagnostic>) {
    let mut suppressions: Vec<Suppression> = manifest.sources.iter().flat_map(parse).collect();
    if suppressions.is_empty() {
        return;
    }
    diagnostics.retain(|diagnostic| {
        let start = diagnostic.location.start().line;
        let end = diagnostic.location.end().line.max(start);
        let mut silenced = false;
        for suppression in &mut suppressions {
            if !std::sync::Arc::ptr_eq(&suppression.location.file, &diagnostic.location.file)
                || !(start..=end).contains(&suppression.line)
            {
                continue;
            }
            for (index, (_, rule)) in suppression.rules.iter().enumerate() {
                if *rule == Some(diagnostic.rule.name) {
                    suppression.used[index] = true;
                    silenced = true;
                }
            }
        }
        !silenced
    });
    let root = &manifest.sources[0];
    for suppression in suppressions
        .iter()
        .filter(|suppression| std::sync::Arc::ptr_eq(&suppression.location.file, root))
    {
        for ((written, rule), used) in suppression.rules.iter().zip(&suppression.used) {
            let (message, help) = match rule {
                None => (
                    format!("`{written}` in `# nplint: ignore[...]` is not a rule"),
                    "name a rule by its name or code; `nplint rule` lists them",
                ),
                Some(_) if *used => continue,
                Some(name) if !rules.is_enabled(rule_id(name)) => (
                    format!(
                        "this suppression of `{name}` silences no finding: the configuration disables `{name}`"
                    ),
                    "remove it; the rule does not run",
                ),
                Some(name) => (
                    format!("this suppression of `{name}` silences no finding"),
                    "remove it, or move it to the line of the finding it is meant for",
                ),
            };
            diagnostics.push(
                Diagnostic::new(
                    unused_suppression::RULE.id,
                    Severity::Warning,
                    message,
                    suppression.location.clone(),
                )
                .with_help(help),
            );
        }
    }
}

fn rule_id(name: &str) -> nplint_diagnostics::RuleId {
    // Invariant: `name` came from `find_rule`.
    find_rule(name).expect("a registered rule").id
}

/// The edit that silences `diagnostic` with a suppression comment on the first line of its primary span: the rule
/// added to the line's `# nplint: ignore[...]`, else the directive put before the line's comment, else a comment at
/// the line's end. `None` where a comment cannot go: a file whose format has no comments (`Pipfile.lock` is JSON),
/// a line continued on the next (`\`), or a finding located in no text.
pub fn ignore_edit(diagnostic: &Diagnostic) -> Option<nplint_diagnostics::Edit> {
    let file = &diagnostic.location.file;
    if file.is_excerpt()
        || file
            .path()
            .file_name()
            .is_some_and(|name| name == "Pipfile.lock")
    {
        return None;
    }
    let text = file.text();
    let at = (diagnostic.location.span.start as usize).min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
    let line_end = text[at..]
        .find('\n')
        .map_or(text.len(), |newline| at + newline);
    let line = text[line_start..line_end].trim_end_matches('\r');
    if line.trim_end().ends_with('\\') {
        return None;
    }
    let name = diagnostic.rule.name;
    let insert = |offset: usize, replacement: String| nplint_diagnostics::Edit {
        location: Location::new(file.clone(), Span::from_range(offset..offset)),
        replacement,
    };
    let Some(comment) = comment_start(line) else {
        let end = line_start + line.trim_end().len();
        return Some(insert(end, format!("  # {MARKER} ignore[{name}]")));
    };
    Some(match directive(&line[comment..]) {
        // `# nplint: ignore[a]` -> `# nplint: ignore[a, name]`
        Some((length, names)) => {
            let close = line_start + comment + length - 1;
            let added = if names.is_empty() {
                name.to_owned()
            } else {
                format!(", {name}")
            };
            insert(close, added)
        }
        None => insert(line_start + comment, format!("# {MARKER} ignore[{name}] ")),
    })
}

/// The suppression comments of one file.
fn parse(source: &std::sync::Arc<SourceFile>) -> Vec<Suppression> {
    let text = source.text();
    // Most files have none: one substring search instead of a walk over every line (a lockfile is megabytes).
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if let Some(at) = comment_start(line)
            && let Some((length, names)) = directive(&line[at..])
        {
            let start = offset + at;
            let rules: Vec<(String, Option<&'static str>)> = names
                .into_iter()
                .map(|name| {
                    let rule = find_rule(&name).map(crate::registry::RuleInfo::name);
                    (name, rule)
                })
                .collect();
            out.push(Suppression {
                line: u32::try_from(index + 1).unwrap_or(u32::MAX),
                location: Location::new(source.clone(), Span::from_range(start..start + length)),
                used: vec![false; rules.len()],
                rules,
            });
        }
        offset += line.len();
    }
    out
}

/// Where the line's comment starts: a `#` at the start or after whitespace, outside a double-quoted string.
fn comment_start(line: &str) -> Option<usize> {
    let mut quoted = false;
    let mut previous = None;
    for (at, character) in line.char_indices() {
        match character {
            '"' => quoted = !quoted,
            '#' if !quoted && previous.is_none_or(char::is_whitespace) => return Some(at),
            _ => {}
        }
        previous = Some(character);
    }
    None
}

/// `# nplint: ignore[a, b]` at the start of `comment`: the directive's length and the names.
fn directive(comment: &str) -> Option<(usize, Vec<String>)> {
    let rest = comment.strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix(MARKER)?.trim_start();
    let rest = rest.strip_prefix("ignore[")?;
    let close = rest.find(']')?;
    let names: Vec<String> = rest[..close]
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect();
    let length = comment.len() - rest.len() + close + 1;
    Some((length, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_read_from_comments_only() {
        assert_eq!(comment_start("numpy>=1  # x"), Some(10));
        assert_eq!(comment_start("# whole line"), Some(0));
        assert_eq!(comment_start("pkg @ https://h/x.whl#sha256=0"), None);
        assert_eq!(
            comment_start(r#"  "numpy # not a comment",  # nplint: ignore[x]"#),
            Some(28)
        );
        assert_eq!(
            directive("# nplint: ignore[abi-mismatch, NPL010] more"),
            Some((38, vec!["abi-mismatch".to_owned(), "NPL010".to_owned()]))
        );
        assert_eq!(
            directive("#nplint:ignore[x]"),
            Some((17, vec!["x".to_owned()]))
        );
        assert_eq!(directive("# nplint: ignore"), None);
        assert_eq!(directive("# pinned for nplint"), None);
    }
}
