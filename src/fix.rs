//! `--fix`, `--unsafe-fixes` and `--diff`: the findings' fixes applied to the files they edit, or shown as a
//! unified diff.
//!
//! A fix is applied only where it is sure to do what it says: never to a lockfile (its tool writes it), only to a
//! file that is UTF-8 (a byte order mark is kept: the text the check read holds it, as `U+FEFF`), and only when
//! the text each edit replaces is still what the check read (otherwise the file changed underneath, and the file
//! is left alone). Edits replace their spans and nothing else, so formatting, comments and line endings stay as
//! they were. A file is written whole, to a temporary file beside it that then replaces it, with the original's
//! permissions; a symbolic link stays one (the file it points to is replaced).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use nplint_diagnostics::{Applicability, Diagnostic, Edit};
use nplint_manifest::{Format, detect_format, normalize_lexically};

/// Which fixes apply: the safe ones, or every one that is not for display only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    Safe,
    All,
}

impl Which {
    fn admits(self, applicability: Applicability) -> bool {
        match applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => self == Which::All,
            Applicability::DisplayOnly => false,
        }
    }
}

/// One file's new text, and how many fixes made it.
#[derive(Debug)]
pub(crate) struct Fixed {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
    pub fixes: usize,
}

/// What the fixes of `diagnostics` that `which` admits make of the files they edit. A fix whose edits overlap an
/// earlier one's is left for the next run, as ruff does; a file that cannot be fixed is said so on standard error
/// and left out.
pub(crate) fn plan(diagnostics: &[Diagnostic], which: Which) -> Vec<Fixed> {
    apply_to_files(by_file(diagnostics, which))
}

/// What `fixes` (each a set of edits applied together, as a fix's) make of the files they edit: `nplint upgrade
/// --write`'s plan goes through the same checks as `--fix`.
pub(crate) fn plan_edits<'a>(fixes: impl IntoIterator<Item = &'a [Edit]>) -> Vec<Fixed> {
    apply_to_files(group_by_file(fixes))
}

fn apply_to_files(by_file: BTreeMap<PathBuf, Vec<&[Edit]>>) -> Vec<Fixed> {
    by_file
        .into_iter()
        .filter_map(|(path, fixes)| match fixed(&path, &fixes) {
            Ok(fixed) => fixed,
            Err(reason) => {
                eprintln!("warning: `{}` not fixed: {reason}", path.display());
                None
            }
        })
        .collect()
}

/// The document `text` (standard input's, checked as `path`) with the fixes of `diagnostics` that `which` admits
/// and that edit it; fixes of other files (an included one) are not applied, and said so on standard error.
pub(crate) fn in_memory(
    diagnostics: &[Diagnostic],
    which: Which,
    path: &Path,
    text: String,
) -> Result<Option<Fixed>, String> {
    let path = normalize_lexically(path);
    let mut own = Vec::new();
    for (file, fixes) in by_file(diagnostics, which) {
        if normalize_lexically(&file) == path {
            own = fixes;
        } else {
            eprintln!(
                "warning: `{}` not fixed: only the document on standard input is",
                file.display()
            );
        }
    }
    apply(&path, text, &own)
}

/// The edits of the fixes `which` admits, by the file they edit. A fix edits one file (every fix nplint makes
/// does); one that does not is shown, never applied.
fn by_file(diagnostics: &[Diagnostic], which: Which) -> BTreeMap<PathBuf, Vec<&[Edit]>> {
    group_by_file(
        diagnostics
            .iter()
            .filter_map(|diagnostic| diagnostic.fix.as_ref())
            .filter(|fix| which.admits(fix.applicability))
            .map(|fix| fix.edits.as_slice()),
    )
}

/// Sets of edits by the file they edit; a set that edits several files is left out (shown, never applied).
fn group_by_file<'a>(
    fixes: impl IntoIterator<Item = &'a [Edit]>,
) -> BTreeMap<PathBuf, Vec<&'a [Edit]>> {
    let mut by_file: BTreeMap<PathBuf, Vec<&[Edit]>> = BTreeMap::new();
    for edits in fixes {
        let Some(first) = edits.first() else {
            continue;
        };
        let path = first.location.file.path();
        if edits.iter().any(|edit| edit.location.file.path() != path) {
            continue;
        }
        by_file.entry(path.to_path_buf()).or_default().push(edits);
    }
    by_file
}

/// `path` with `fixes` applied, `None` when none changes it.
fn fixed(path: &Path, fixes: &[&[Edit]]) -> Result<Option<Fixed>, String> {
    if detect_format(path, true).is_some_and(Format::is_lock) {
        return Err("a lockfile is written by its tool: lock again instead".to_owned());
    }
    let bytes = std::fs::read(path).map_err(|error| format!("cannot read it: {error}"))?;
    // A byte order mark is kept as `U+FEFF`, as the check read it: spans count it.
    let before = String::from_utf8(bytes)
        .map_err(|_| "it is not UTF-8, and nplint writes only UTF-8".to_owned())?;
    apply(path, before, fixes)
}

/// `before`, the text of `path`, with `fixes` applied; `None` when none changes it.
fn apply(path: &Path, before: String, fixes: &[&[Edit]]) -> Result<Option<Fixed>, String> {
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut edits: Vec<&Edit> = Vec::new();
    let mut count = 0;
    for fix in fixes {
        let spans: Vec<(usize, usize)> = fix
            .iter()
            .map(|edit| {
                (
                    edit.location.span.start as usize,
                    edit.location.span.end as usize,
                )
            })
            .collect();
        let overlaps = spans.iter().any(|&(start, end)| {
            taken
                .iter()
                .any(|&(a, b)| (start < b && a < end) || (start, end) == (a, b))
        });
        if overlaps {
            continue;
        }
        for (edit, &(start, end)) in fix.iter().zip(&spans) {
            // What the check read there must still be there.
            if before.get(start..end) != Some(edit.location.text()) {
                return Err("it changed since it was read".to_owned());
            }
        }
        taken.extend(spans);
        edits.extend(fix.iter());
        count += 1;
    }
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.location.span.start));
    let mut after = before.clone();
    for edit in edits {
        let span = edit.location.span;
        after.replace_range(span.start as usize..span.end as usize, &edit.replacement);
    }
    Ok((after != before).then(|| Fixed {
        path: path.to_path_buf(),
        before,
        after,
        fixes: count,
    }))
}

impl Fixed {
    /// Writes the new text: to a temporary file beside the file, with its permissions, then renamed over it.
    pub(crate) fn write(&self) -> anyhow::Result<()> {
        // The file a symbolic link points to, so that the link stays.
        let target = std::fs::canonicalize(&self.path)
            .with_context(|| format!("cannot read `{}`", self.path.display()))?;
        let dir = target.parent().unwrap_or_else(|| Path::new("."));
        let permissions = std::fs::metadata(&target)
            .with_context(|| format!("cannot read `{}`", self.path.display()))?
            .permissions();
        let mut temporary = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write beside `{}`", self.path.display()))?;
        temporary.write_all(self.after.as_bytes())?;
        temporary.as_file().sync_all()?;
        std::fs::set_permissions(temporary.path(), permissions)?;
        temporary
            .persist(&target)
            .with_context(|| format!("cannot replace `{}`", self.path.display()))?;
        Ok(())
    }

    /// The change as a unified diff, as `diff -u` and ruff's `--diff` print it.
    pub(crate) fn diff(&self) -> String {
        let name = self.path.display().to_string();
        similar::TextDiff::from_lines(&self.before, &self.after)
            .unified_diff()
            .header(&name, &name)
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use nplint_diagnostics::{Location, SourceFile, Span};

    use super::*;

    /// An edit replacing `start..end` of `text`, as read from `path`, with `replacement`.
    fn edit(path: &Path, text: &str, start: u32, end: u32, replacement: &str) -> Edit {
        Edit {
            location: Location::new(SourceFile::new(path, text), Span::new(start, end)),
            replacement: replacement.to_owned(),
        }
    }

    #[test]
    fn a_file_that_changed_since_it_was_read_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requirements.txt");
        let read = "numpy>=1.21\n";
        std::fs::write(&path, "numpy>=1.22\n").unwrap();
        let fix = [edit(&path, read, 5, 11, "==1.19.5")];
        assert_eq!(
            fixed(&path, &[&fix]).unwrap_err(),
            "it changed since it was read"
        );
        std::fs::write(&path, read).unwrap();
        let fixed = fixed(&path, &[&fix]).unwrap().unwrap();
        assert_eq!(fixed.after, "numpy==1.19.5\n");
    }

    #[test]
    fn lockfiles_are_never_edited() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("uv.lock");
        let text = "version = 1\n";
        std::fs::write(&path, text).unwrap();
        let fix = [edit(&path, text, 10, 11, "2")];
        assert!(fixed(&path, &[&fix]).unwrap_err().contains("lockfile"));
    }

    #[test]
    fn a_fix_overlapping_an_earlier_one_waits_for_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requirements.txt");
        let text = "numpy>=1.21\nscipy\n";
        std::fs::write(&path, text).unwrap();
        let first = [edit(&path, text, 5, 11, "==1.19.5")];
        let overlapping = [edit(&path, text, 5, 11, "<2")];
        let elsewhere = [edit(&path, text, 17, 17, "<2")];
        let fixed = fixed(&path, &[&first, &overlapping, &elsewhere])
            .unwrap()
            .unwrap();
        assert_eq!(fixed.after, "numpy==1.19.5\nscipy<2\n");
        assert_eq!(fixed.fixes, 2);
    }
}
