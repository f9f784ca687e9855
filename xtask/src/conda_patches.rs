//! `cargo xtask index conda-patches DIR`: extracts the NumPy bounds that conda-forge's repodata patches add to conda
//! packages, from a copy of `conda-forge/conda-forge-repodata-patches-feedstock` (a git directory or a checkout,
//! read with `git`; nothing is fetched), into `crates/nplint-index/data/conda-forge-numpy-bounds.toml`.
//!
//! A patch (one YAML document of `recipe/patch_yaml/*.yaml`) has an `if` block of conditions on a package record
//! and a `then` list of actions. A patch is kept when an action bounds NumPy from above or excludes NumPy versions
//! the record did not exclude before (`tighten_depends` on `numpy`, `replace_depends`, `add_depends` or
//! `add_constrains` with a `numpy` spec whose `<`, `<=` or `!=` clauses are new), and its conditions say which
//! versions it covers: `name`, `version` and `version_{lt,le,gt,ge}` become PEP 440 specifiers, `timestamp_{lt,le}`
//! the time the builds were uploaded before, and `has_depends`/`not_has_depends` are kept verbatim as conditions
//! nplint does not evaluate (see the data README for why that is sound for these patches). A patch conditioned on
//! single builds (`build_number`, `build`, `artifact_in`, `subdir_in`) covers some builds of a version only, and
//! conda may install another: it is left out, and listed on the standard output with every other patch left out.
//! `recipe/gen_patch_json.py` holds the patches that YAML cannot express; none of them names NumPy at the commit
//! extracted (checked by this task, which fails if one does).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::PackageName;
use saphyr_parser::{Event, Parser};

/// Where the extracted bounds are written, relative to the workspace root.
pub const OUTPUT: &str = "crates/nplint-index/data/conda-forge-numpy-bounds.toml";

/// The feedstock's public address, for the provenance of the data (the directory read is a copy of it).
const REPOSITORY: &str = "https://github.com/conda-forge/conda-forge-repodata-patches-feedstock";

/// The patches' directory inside the feedstock.
const PATCH_DIR: &str = "recipe/patch_yaml";

/// The reviewed conda → PyPI name table.
const NAMES: &str = "crates/nplint-manifest/data/conda-pypi-names.csv";

/// Runs the task: reads `dir`, writes [`OUTPUT`], prints what was left out.
pub fn run(root: &Path, dir: &Path) -> Result<()> {
    let git = Git { dir };
    let commit = git.output(&["rev-parse", "HEAD"])?;
    let date = git.output(&["log", "-1", "--format=%cs", "HEAD"])?;
    let license_text = git.show("LICENSE.txt")?;
    let Some(license) = license_text
        .lines()
        .next()
        .and_then(|line| line.strip_suffix(" license"))
        .filter(|name| *name == "BSD-3-Clause")
    else {
        bail!(
            "`LICENSE.txt` of {} no longer starts with `BSD-3-Clause license`: check the licence",
            dir.display()
        );
    };
    // BSD-3-Clause asks that the copyright notice travel with what is redistributed.
    let Some(copyright) = license_text
        .lines()
        .find(|line| line.starts_with("Copyright"))
    else {
        bail!("`LICENSE.txt` of {} has no copyright line", dir.display());
    };
    let script = git.show("recipe/gen_patch_json.py")?;
    if script.to_lowercase().contains("numpy") {
        bail!("`recipe/gen_patch_json.py` names NumPy: extend this task to read those patches");
    }
    let names = read_names(&std::fs::read_to_string(root.join(NAMES)).context(NAMES)?);
    let mut bounds = Vec::new();
    let mut skipped = Vec::new();
    for path in git
        .output(&["ls-tree", "--name-only", "HEAD", &format!("{PATCH_DIR}/")])?
        .lines()
    {
        if Path::new(path)
            .extension()
            .is_none_or(|extension| extension != "yaml")
        {
            continue;
        }
        let text = git.show(path)?;
        let documents = parse_documents(&text).with_context(|| format!("`{path}`"))?;
        for (at, document) in documents.iter().enumerate() {
            match extract(document, &names) {
                Extracted::Bounds(found) => bounds.extend(found.into_iter().map(|bound| Bound {
                    patch: path.to_owned(),
                    ..bound
                })),
                Extracted::NotNumpy => {}
                Extracted::Skipped(reason) => skipped.push(format!("{path} #{}: {reason}", at + 1)),
            }
        }
    }
    let source = Source {
        repository: REPOSITORY.to_owned(),
        commit,
        date,
        license: license.to_owned(),
        copyright: copyright.to_owned(),
    };
    let text = render(&source, &bounds);
    std::fs::write(root.join(OUTPUT), &text).context(OUTPUT)?;
    let packages: std::collections::BTreeSet<&str> =
        bounds.iter().map(|bound| bound.package.as_str()).collect();
    println!(
        "wrote {OUTPUT}: {} bounds on {} packages, from {REPOSITORY} at {} ({})",
        bounds.len(),
        packages.len(),
        source.commit,
        source.date
    );
    for reason in &skipped {
        println!("left out: {reason}");
    }
    Ok(())
}

/// `git -C dir`: how the extractors read a repository's snapshot (also `conda_names`).
pub(crate) struct Git<'a> {
    pub(crate) dir: &'a Path,
}

impl Git<'_> {
    pub(crate) fn output(&self, args: &[&str]) -> Result<String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(self.dir)
            .args(args)
            .output()
            .context("running `git`")?;
        if !output.status.success() {
            bail!(
                "`git {}` failed in {}: {}",
                args.join(" "),
                self.dir.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(String::from_utf8(output.stdout)?.trim_end().to_owned())
    }

    pub(crate) fn show(&self, path: &str) -> Result<String> {
        self.output(&["show", &format!("HEAD:{path}")])
    }
}

/// The conda → PyPI names that differ, from the reviewed table (`conda_name,pypi_name,reference`).
fn read_names(csv: &str) -> BTreeMap<String, String> {
    csv.lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.splitn(3, ',');
            Some((fields.next()?.to_owned(), fields.next()?.to_owned()))
        })
        .collect()
}

/// A YAML value, as far as patches use YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Scalar(String),
    Sequence(Vec<Value>),
    Mapping(Vec<(String, Value)>),
}

impl Value {
    fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Mapping(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn scalar(&self) -> Option<&str> {
        match self {
            Value::Scalar(text) => Some(text),
            _ => None,
        }
    }

    /// A scalar or a sequence of scalars, as patches accept for lists.
    fn strings(&self) -> Vec<&str> {
        match self {
            Value::Scalar(text) => vec![text.as_str()],
            Value::Sequence(items) => items.iter().filter_map(Value::scalar).collect(),
            Value::Mapping(_) => Vec::new(),
        }
    }

    /// The value as the patch file writes it, for conditions kept verbatim.
    fn written(&self) -> String {
        match self {
            Value::Scalar(text) => text.clone(),
            Value::Sequence(items) => {
                let items: Vec<String> = items.iter().map(Value::written).collect();
                format!("[{}]", items.join(", "))
            }
            Value::Mapping(_) => "{...}".to_owned(),
        }
    }
}

/// Every document of a YAML stream. Anchors and aliases, which patches do not use, are refused.
pub fn parse_documents(text: &str) -> Result<Vec<Value>> {
    enum Open {
        Sequence(Vec<Value>),
        Mapping(Vec<(String, Value)>, Option<String>),
    }
    let mut documents = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        let (event, _) = event.map_err(|error| anyhow::anyhow!("{error}"))?;
        let value = match event {
            Event::SequenceStart(..) => {
                stack.push(Open::Sequence(Vec::new()));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Open::Mapping(Vec::new(), None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Sequence(items)) => Value::Sequence(items),
                Some(Open::Mapping(entries, _)) => Value::Mapping(entries),
                None => bail!("unbalanced YAML"),
            },
            Event::Scalar(text, ..) => Value::Scalar(text.into_owned()),
            Event::Alias(_) => bail!("YAML aliases are not expected in patches"),
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => continue,
        };
        match stack.last_mut() {
            None => documents.push(value),
            Some(Open::Sequence(items)) => items.push(value),
            Some(Open::Mapping(entries, pending)) => match pending.take() {
                None => match value {
                    Value::Scalar(key) => *pending = Some(key),
                    _ => bail!("a mapping key that is not a string"),
                },
                Some(key) => entries.push((key, value)),
            },
        }
    }
    Ok(documents)
}

/// One bound: the patch's conditions and the NumPy clauses it adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    /// The PyPI name (normalized).
    pub package: String,
    /// The conda name the patch is written for.
    pub conda: String,
    /// PEP 440 specifiers over the package's versions; empty for every version.
    pub versions: String,
    /// PEP 440 specifiers on `numpy`: only what the patch adds (`<`, `<=`, `!=` clauses).
    pub numpy: String,
    /// RFC 3339 (UTC, seconds): the patch covers builds uploaded before this time only.
    pub uploaded_before: Option<String>,
    /// Conditions on a record's other dependencies, verbatim (`has_depends: python >=3.9*`).
    pub conditions: Vec<String>,
    /// The patch file, inside the feedstock.
    pub patch: String,
}

/// What one patch document yields.
#[derive(Debug, PartialEq, Eq)]
pub enum Extracted {
    /// The NumPy bounds it adds (one per action).
    Bounds(Vec<Bound>),
    /// It adds no bound on NumPy.
    NotNumpy,
    /// It adds one, but on conditions the data cannot state; the reason.
    Skipped(String),
}

/// The bounds one patch document adds; `patch` is left empty for the caller.
pub fn extract(document: &Value, names: &BTreeMap<String, String>) -> Extracted {
    let (Some(condition), Some(Value::Sequence(actions))) =
        (document.get("if"), document.get("then"))
    else {
        return Extracted::NotNumpy;
    };
    let clauses: Vec<String> = actions.iter().filter_map(numpy_clauses).flatten().collect();
    let mut numpy: Vec<String> = Vec::new();
    for clause in clauses {
        if !numpy.contains(&clause) {
            numpy.push(clause);
        }
    }
    if numpy.is_empty() {
        return Extracted::NotNumpy;
    }
    let Value::Mapping(entries) = condition else {
        return Extracted::Skipped("an `if` that is not a mapping".to_owned());
    };
    let mut conda = None;
    let mut versions: Vec<String> = Vec::new();
    let mut uploaded_before = None;
    let mut conditions = Vec::new();
    for (key, value) in entries {
        let text = value.scalar();
        match (key.as_str(), text) {
            ("name", Some(name)) if !name.contains(['*', '?', '[']) => {
                conda = Some(name.to_owned());
            }
            ("version", Some(version)) if !version.contains(['*', '?', '[', '(']) => {
                versions.push(format!("=={version}"));
            }
            ("version_lt" | "version_le" | "version_gt" | "version_ge", Some(version)) => {
                let operator = match &key[8..] {
                    "lt" => "<",
                    "le" => "<=",
                    "gt" => ">",
                    _ => ">=",
                };
                versions.push(format!("{operator}{version}"));
            }
            ("timestamp_lt" | "timestamp_le", Some(milliseconds)) => {
                let Ok(milliseconds) = milliseconds.parse::<u64>() else {
                    return Extracted::Skipped(format!(
                        "a timestamp that is not a number: `{milliseconds}`"
                    ));
                };
                uploaded_before = Some(rfc3339(milliseconds / 1000));
            }
            ("has_depends" | "not_has_depends", _) => {
                conditions.push(format!("{key}: {}", value.written()));
            }
            _ => {
                return Extracted::Skipped(format!(
                    "the condition `{key}: {}` selects builds, not versions",
                    value.written()
                ));
            }
        }
    }
    let Some(conda) = conda else {
        return Extracted::Skipped("no package name".to_owned());
    };
    let versions = versions.join(",");
    if VersionSpecifiers::from_str(&versions).is_err() {
        return Extracted::Skipped(format!("versions `{versions}` are not PEP 440"));
    }
    let numpy = numpy.join(",");
    if VersionSpecifiers::from_str(&numpy).is_err() {
        return Extracted::Skipped(format!("numpy `{numpy}` is not PEP 440"));
    }
    let pypi = names.get(&conda).cloned().unwrap_or_else(|| conda.clone());
    let Ok(package) = PackageName::from_str(&pypi) else {
        return Extracted::Skipped(format!("`{pypi}` is not a Python package name"));
    };
    Extracted::Bounds(vec![Bound {
        package: package.to_string(),
        conda,
        versions,
        numpy,
        uploaded_before,
        conditions,
        patch: String::new(),
    }])
}

/// The `numpy` clauses an action adds that bound it from above or exclude versions (PEP 440); `None` when the
/// action is not about `numpy`.
fn numpy_clauses(action: &Value) -> Option<Vec<String>> {
    let Value::Mapping(entries) = action else {
        return None;
    };
    let (kind, value) = entries.first()?;
    match kind.as_str() {
        "tighten_depends" => {
            (value.get("name")?.scalar()? == "numpy").then_some(())?;
            let upper = value.get("upper_bound")?.scalar()?;
            Some(vec![format!("<{}", unalpha(upper))])
        }
        "replace_depends" | "replace_constrains" => {
            let old = value.get("old")?.scalar()?;
            let new = value.get("new")?.scalar()?;
            // `${old},<2.3.0a0` appends to the dependency matched (`old` may be a glob: `numpy >=*`).
            if let Some(appended) = new.strip_prefix("${old}") {
                (split_spec(old).0 == "numpy").then_some(())?;
                return Some(upper_clauses(appended.trim_start_matches(',')));
            }
            let (name, new) = split_spec(new);
            (name == "numpy").then_some(())?;
            let before = if split_spec(old).0 == "numpy" {
                upper_clauses(split_spec(old).1)
            } else {
                Vec::new()
            };
            Some(
                upper_clauses(new)
                    .into_iter()
                    .filter(|clause| !before.contains(clause))
                    .collect(),
            )
        }
        "add_depends" | "add_constrains" => Some(
            value
                .strings()
                .into_iter()
                .map(split_spec)
                .filter(|(name, _)| *name == "numpy")
                .flat_map(|(_, spec)| upper_clauses(spec))
                .collect(),
        ),
        _ => None,
    }
}

/// A conda dependency's name and version spec: `numpy >=1.19,<2` → (`numpy`, `>=1.19,<2`).
fn split_spec(spec: &str) -> (&str, &str) {
    let spec = spec.trim();
    spec.split_once(' ')
        .map_or((spec, ""), |(name, rest)| (name, rest.trim()))
}

/// The `<`, `<=` and `!=` clauses of a conda version spec, in PEP 440 form. A spec with alternatives (`|`) or
/// wildcards yields a clause PEP 440 refuses, so that the patch is reported rather than misread.
fn upper_clauses(spec: &str) -> Vec<String> {
    if spec.contains(['|', '*']) {
        return if spec.contains('<') {
            vec![format!("unsupported {spec}")]
        } else {
            Vec::new()
        };
    }
    spec.split(',')
        .map(str::trim)
        .filter_map(|clause| {
            ["<=", "!=", "<"].into_iter().find_map(|operator| {
                clause
                    .strip_prefix(operator)
                    .map(|version| (operator, version))
            })
        })
        .map(|(operator, version)| format!("{operator}{}", unalpha(version.trim())))
        .collect()
}

/// conda's `2.0a0` upper bounds (which exclude 2.0's pre-releases) as PEP 440 writes them: `<2.0` already excludes
/// 2.0's pre-releases.
fn unalpha(version: &str) -> &str {
    version
        .strip_suffix("a0")
        .filter(|rest| !rest.is_empty() && Version::from_str(rest).is_ok())
        .unwrap_or(version)
}

/// Seconds since the epoch as RFC 3339 UTC: `2024-05-13T05:07:25Z`.
pub(crate) fn rfc3339(seconds: u64) -> String {
    nplint_index::UploadTime::from_seconds(seconds).to_string()
}

/// The data file's provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub repository: String,
    pub commit: String,
    /// The commit's date.
    pub date: String,
    pub license: String,
    /// The licence's copyright line.
    pub copyright: String,
}

/// The data file: the header, the source, then the bounds sorted by package, patch file, versions and NumPy.
pub fn render(source: &Source, bounds: &[Bound]) -> String {
    let mut bounds = bounds.to_vec();
    bounds.sort_by(|a, b| {
        (
            &a.package,
            &a.conda,
            &a.patch,
            &a.versions,
            &a.numpy,
            &a.uploaded_before,
        )
            .cmp(&(
                &b.package,
                &b.conda,
                &b.patch,
                &b.versions,
                &b.numpy,
                &b.uploaded_before,
            ))
    });
    bounds.dedup();
    let mut out = String::new();
    out.push_str(
        "# Generated by `cargo xtask index conda-patches DIR` from a copy of conda-forge's repodata patches. Do not\n\
         # edit; review the diff of a new extraction. The fields are described in README.md beside this file.\n",
    );
    out.push_str("\n[source]\n");
    let _ = writeln!(out, "repository = {}", string(&source.repository));
    let _ = writeln!(out, "commit = {}", string(&source.commit));
    let _ = writeln!(out, "date = {}", string(&source.date));
    let _ = writeln!(out, "license = {}", string(&source.license));
    let _ = writeln!(out, "copyright = {}", string(&source.copyright));
    let _ = writeln!(out, "files = {}", string(&format!("{PATCH_DIR}/*.yaml")));
    for bound in &bounds {
        out.push_str("\n[[bound]]\n");
        let _ = writeln!(out, "package = {}", string(&bound.package));
        let _ = writeln!(out, "conda = {}", string(&bound.conda));
        let _ = writeln!(out, "versions = {}", string(&bound.versions));
        let _ = writeln!(out, "numpy = {}", string(&bound.numpy));
        if let Some(time) = &bound.uploaded_before {
            let _ = writeln!(out, "uploaded-before = {}", string(time));
        }
        if !bound.conditions.is_empty() {
            let conditions: Vec<String> = bound.conditions.iter().map(|c| string(c)).collect();
            let _ = writeln!(out, "conditions = [{}]", conditions.join(", "));
        }
        let _ = writeln!(out, "patch = {}", string(&bound.patch));
    }
    out
}

/// A TOML basic string.
fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract_one(yaml: &str) -> Extracted {
        let documents = parse_documents(yaml).unwrap();
        let names = read_names("conda_name,pypi_name,reference\nmatplotlib-base,matplotlib,ref\n");
        extract(&documents[0], &names)
    }

    fn bound(yaml: &str) -> Bound {
        match extract_one(yaml) {
            Extracted::Bounds(mut bounds) => bounds.remove(0),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_tightened_numpy_dependency_is_an_upper_bound_on_the_versions_named() {
        let found = bound(
            "if:\n  name: pandas\n  version_lt: 2.2.2\n  has_depends: python >=3.9*\n  not_has_depends: numpy *,<2.0a0\n\
             then:\n  - tighten_depends:\n      name: numpy\n      upper_bound: \"2.0\"\n",
        );
        assert_eq!(found.package, "pandas");
        assert_eq!(found.versions, "<2.2.2");
        assert_eq!(found.numpy, "<2.0");
        assert_eq!(found.uploaded_before, None);
        assert_eq!(
            found.conditions,
            [
                "has_depends: python >=3.9*",
                "not_has_depends: numpy *,<2.0a0"
            ]
        );
    }

    #[test]
    fn conda_names_become_pypi_names_and_timestamps_upload_times() {
        let found = bound(
            "if:\n  name: matplotlib-base\n  timestamp_lt: 1715576845035\nthen:\n  - tighten_depends:\n      name: numpy\n      upper_bound: \"2.0\"\n",
        );
        assert_eq!(found.package, "matplotlib");
        assert_eq!(found.conda, "matplotlib-base");
        assert_eq!(found.versions, "");
        assert_eq!(
            found.uploaded_before.as_deref(),
            Some("2024-05-13T05:07:25Z")
        );
    }

    #[test]
    fn only_the_clauses_a_replacement_adds_count() {
        // The upper bound was there before: the patch only raises the lower bound.
        let raised = "if:\n  name: scipy\n  version: 1.14.0\nthen:\n  - replace_depends:\n      old: numpy <2.3\n      new: numpy >=1.23.5,<2.3\n";
        assert_eq!(extract_one(raised), Extracted::NotNumpy);
        let added = bound(
            "if:\n  name: numba\n  version: 0.61.2\n  has_depends: numpy >=1.24\nthen:\n  - replace_depends:\n      old: numpy >=1.24\n      new: ${old},<2.3.0a0\n",
        );
        assert_eq!(added.versions, "==0.61.2");
        assert_eq!(added.numpy, "<2.3.0");
    }

    #[test]
    fn patches_on_single_builds_are_left_out() {
        let yaml = "if:\n  name: scanpy\n  version: 1.10.2\n  build_number: 0\nthen:\n  - replace_depends:\n      old: numpy >=1.23\n      new: numpy >=1.23,<2\n";
        assert!(
            matches!(extract_one(yaml), Extracted::Skipped(reason) if reason.contains("build_number"))
        );
    }

    #[test]
    fn patches_not_about_numpy_yield_nothing() {
        let yaml = "if:\n  name: pandas\n  version: 1.14.0\nthen:\n  - replace_depends:\n      old: pytz >=2017.2\n      new: pytz >=2020.1\n";
        assert_eq!(extract_one(yaml), Extracted::NotNumpy);
    }

    #[test]
    fn added_constraints_and_exclusions_are_bounds() {
        let found = bound(
            "if:\n  name: pint\n  version_lt: 0.23.0\nthen:\n  - add_constrains: numpy <2.0.0a0\n",
        );
        assert_eq!(found.numpy, "<2.0.0");
        let found = bound(
            "if:\n  name: polyagamma\n  version_le: 2.0.2\nthen:\n  - add_depends: numpy !=2.4.0\n",
        );
        assert_eq!(found.versions, "<=2.0.2");
        assert_eq!(found.numpy, "!=2.4.0");
    }

    #[test]
    fn several_documents_are_read() {
        let documents =
            parse_documents("if:\n  name: a\nthen: []\n---\nif:\n  name: b\nthen: []\n").unwrap();
        assert_eq!(documents.len(), 2);
    }

    #[test]
    fn dates_are_civil_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_753_977_379), "2025-07-31T15:56:19Z");
    }

    #[test]
    fn the_data_file_is_in_canonical_form() {
        let path = crate::workspace_root().join(OUTPUT);
        let text = std::fs::read_to_string(&path).unwrap();
        let (source, bounds) = nplint_index::conda::parse(&text).unwrap();
        let source = Source {
            repository: source.repository.to_owned(),
            commit: source.commit.to_owned(),
            date: source.date.to_owned(),
            license: source.license.to_owned(),
            copyright: source.copyright.to_owned(),
        };
        let bounds: Vec<Bound> = bounds
            .iter()
            .map(|bound| Bound {
                package: bound.package.to_string(),
                conda: bound.conda.to_owned(),
                versions: bound.versions_text.to_owned(),
                numpy: bound.numpy_text.to_owned(),
                uploaded_before: bound.uploaded_before.map(str::to_owned),
                conditions: bound.conditions.iter().map(|c| (*c).to_owned()).collect(),
                patch: bound.patch.to_owned(),
            })
            .collect();
        assert_eq!(
            render(&source, &bounds),
            text,
            "{OUTPUT} is not in canonical form: extract it again"
        );
    }
}
