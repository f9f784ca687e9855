//! `cargo xtask index conda-names --mapping DIR --outputs DIR`: extracts the names of conda-forge's conda-only
//! packages (system libraries, compilers, mutexes, BLAS variants, `python_abi`, ...: packages that install no
//! Python distribution) into `crates/nplint-index/data/conda-forge-conda-only.tsv`, from copies of two public
//! repositories read with `git` (nothing is fetched):
//!
//! - `prefix-dev/parselmouth`'s `files/v0/conda-forge/compressed_mapping.json`: every package name of the
//!   conda-forge channel with the PyPI names its builds install (the `.dist-info` or `.egg-info` directories in
//!   their `site-packages`, the union over the builds read), or `null` when no build installs one;
//! - `conda-forge/feedstock-outputs`' `outputs/`: one file per package name with the feedstocks that build it.
//!
//! A name is conda-only when parselmouth maps it to `null`, unless it is a PyPI name itself: one that another conda
//! package installs (`graphviz`, the C library, shares its name with the Python binding that conda calls
//! `python-graphviz`; `darts` is a metapackage of the Python project `darts`), or a name of the reviewed conda →
//! PyPI table (`opencv`, a metapackage of `opencv-python`). Those are left to be read as PyPI names, as they were.
//! Each row also records the feedstocks that build the package and the PyPI names the other packages of those
//! feedstocks install, from which nplint tells a conda-only package of a NumPy-related feedstock (`libtorch`, built
//! with `pytorch`) from one that is not.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::conda_patches::Git;
use anyhow::{Context, Result, bail};

/// Where the names are written, relative to the workspace root.
pub const OUTPUT: &str = "crates/nplint-index/data/conda-forge-conda-only.tsv";

/// The public addresses of the two repositories, for the provenance of the data (the directories read are copies).
const MAPPING_REPOSITORY: &str = "https://github.com/prefix-dev/parselmouth";
const OUTPUTS_REPOSITORY: &str = "https://github.com/conda-forge/feedstock-outputs";

/// conda-forge's conda → PyPI names in parselmouth's repository.
const MAPPING_FILE: &str = "files/v0/conda-forge/compressed_mapping.json";

/// The reviewed conda → PyPI name table.
const NAMES: &str = "crates/nplint-manifest/data/conda-pypi-names.csv";

/// The table's column names, after the provenance lines.
pub const COLUMNS: &str = "name\tfeedstocks\tbuilds";

/// Runs the task: reads both copies, writes [`OUTPUT`], prints a summary.
pub fn run(root: &Path, mapping_dir: &Path, outputs_dir: &Path) -> Result<()> {
    let mapping_git = Git { dir: mapping_dir };
    let outputs_git = Git { dir: outputs_dir };
    let mapping_source = Source::read(&mapping_git, MAPPING_REPOSITORY, MAPPING_FILE)?;
    let outputs_source = Source::read(&outputs_git, OUTPUTS_REPOSITORY, "outputs/")?;
    let mapping: BTreeMap<String, Option<Vec<String>>> =
        serde_json::from_str(&mapping_git.show(MAPPING_FILE)?)
            .with_context(|| format!("`{MAPPING_FILE}` is not a map of names to lists or null"))?;
    let outputs = read_outputs(&outputs_git)?;
    let reviewed = read_reviewed(&std::fs::read_to_string(root.join(NAMES)).context(NAMES)?);
    let rows = conda_only(&mapping, &outputs, &reviewed);
    let text = render(&[mapping_source, outputs_source], &rows);
    std::fs::write(root.join(OUTPUT), &text).context(OUTPUT)?;
    let null = mapping.values().filter(|names| names.is_none()).count();
    println!(
        "wrote {OUTPUT}: {} conda-only names ({} bytes) of {} conda-forge package names, {null} of which install \
         no Python distribution; {} rows name a feedstock that builds a Python package too",
        rows.len(),
        text.len(),
        mapping.len(),
        rows.iter().filter(|row| !row.builds.is_empty()).count(),
    );
    Ok(())
}

/// A repository read, as the data's header records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub repository: String,
    /// The part of it read.
    pub path: String,
    pub commit: String,
    pub date: String,
    pub license: String,
    pub copyright: String,
}

impl Source {
    /// The commit, date and licence of the copy in `git`. Fails unless its `LICENSE` is still BSD-3-Clause, so that
    /// a change of licence is seen before the data is redistributed.
    fn read(git: &Git, repository: &str, path: &str) -> Result<Self> {
        let commit = git.output(&["rev-parse", "HEAD"])?;
        let date = git.output(&["log", "-1", "--format=%cs", "HEAD"])?;
        let license = git.show("LICENSE")?;
        if license.lines().next().map(str::trim) != Some("BSD 3-Clause License") {
            bail!(
                "`LICENSE` of {} no longer starts with `BSD 3-Clause License`: check the licence",
                git.dir.display()
            );
        }
        // BSD-3-Clause asks that the copyright notice travel with what is redistributed.
        let Some(copyright) = license.lines().find(|line| line.starts_with("Copyright")) else {
            bail!("`LICENSE` of {} has no copyright line", git.dir.display());
        };
        Ok(Source {
            repository: repository.to_owned(),
            path: path.to_owned(),
            commit,
            date,
            license: "BSD-3-Clause".to_owned(),
            copyright: copyright.trim().to_owned(),
        })
    }
}

/// One conda-only package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The conda name, as the channel spells it (lower case).
    pub name: String,
    /// The feedstocks that build it; empty when the registry of outputs does not list it.
    pub feedstocks: Vec<String>,
    /// The PyPI names (normalized) that the other packages of those feedstocks install.
    pub builds: Vec<String>,
}

/// PEP 503's normalized form of `name`: each run of `-`, `_` and `.` becomes one `-` (a leading or trailing run
/// too, as `re.sub(r"[-_.]+", "-", name).lower()` does), letters lower case.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for character in name.chars() {
        if matches!(character, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(character.to_ascii_lowercase());
        }
    }
    out
}

/// The conda-only rows of `mapping` (conda name → the PyPI names its builds install, or `None`), with the
/// feedstocks of `outputs` (conda name → feedstocks); the names of `reviewed` (conda and PyPI names of the
/// reviewed table) are left out.
pub fn conda_only(
    mapping: &BTreeMap<String, Option<Vec<String>>>,
    outputs: &BTreeMap<String, Vec<String>>,
    reviewed: &BTreeSet<String>,
) -> Vec<Row> {
    let installed: BTreeSet<String> = mapping
        .values()
        .flatten()
        .flatten()
        .map(|name| normalize(name))
        .collect();
    let mut by_feedstock: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (output, feedstocks) in outputs {
        for feedstock in feedstocks {
            by_feedstock.entry(feedstock).or_default().push(output);
        }
    }
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for (name, pypi) in mapping {
        let name = name.to_ascii_lowercase();
        if pypi.is_some()
            || installed.contains(&normalize(&name))
            || reviewed.contains(&name)
            || reviewed.contains(&normalize(&name))
        {
            continue;
        }
        let feedstocks: Vec<String> = outputs.get(&name).cloned().unwrap_or_default();
        let builds: BTreeSet<String> = feedstocks
            .iter()
            .filter_map(|feedstock| by_feedstock.get(feedstock.as_str()))
            .flatten()
            .filter_map(|output| mapping.get(*output).cloned().flatten())
            .flatten()
            .map(|pypi| normalize(&pypi))
            .collect();
        let row = rows.entry(name.clone()).or_insert_with(|| Row {
            name,
            feedstocks: Vec::new(),
            builds: Vec::new(),
        });
        row.feedstocks.extend(feedstocks);
        row.feedstocks.sort();
        row.feedstocks.dedup();
        row.builds.extend(builds);
        row.builds.sort();
        row.builds.dedup();
    }
    rows.into_values().collect()
}

/// The data file: provenance lines, the column names, one row per name (sorted).
pub fn render(sources: &[Source], rows: &[Row]) -> String {
    let mut out = String::from(
        "# conda-forge's conda-only packages: no build of each installs a Python distribution.\n\
         # Generated by `cargo xtask index conda-names`. Do not edit.\n",
    );
    for source in sources {
        let _ = writeln!(
            out,
            "# source: {} {} at {} ({}); {}, {}",
            source.repository,
            source.path,
            source.commit,
            source.date,
            source.license,
            source.copyright
        );
    }
    out.push_str(COLUMNS);
    out.push('\n');
    for row in rows {
        let _ = writeln!(
            out,
            "{}\t{}\t{}",
            row.name,
            row.feedstocks.join(","),
            row.builds.join(",")
        );
    }
    out
}

/// The sources and rows of a data file written by [`render`] (for the test that keeps it canonical).
#[cfg(test)]
fn parse(text: &str) -> Result<(Vec<Source>, Vec<Row>)> {
    let mut sources = Vec::new();
    let mut lines = text.lines();
    for line in lines.by_ref() {
        if line == COLUMNS {
            break;
        }
        let Some(rest) = line.strip_prefix("# source: ") else {
            continue;
        };
        let parse = || -> Option<Source> {
            let (repository, rest) = rest.split_once(' ')?;
            let (path, rest) = rest.split_once(" at ")?;
            let (commit, rest) = rest.split_once(" (")?;
            let (date, rest) = rest.split_once("); ")?;
            let (license, copyright) = rest.split_once(", ")?;
            Some(Source {
                repository: repository.to_owned(),
                path: path.to_owned(),
                commit: commit.to_owned(),
                date: date.to_owned(),
                license: license.to_owned(),
                copyright: copyright.to_owned(),
            })
        };
        sources.push(parse().with_context(|| format!("`{line}` is not a source line"))?);
    }
    let list = |field: &str| -> Vec<String> {
        field
            .split(',')
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let rows = lines
        .map(|line| {
            let [name, feedstocks, builds] = line.split('\t').collect::<Vec<_>>()[..] else {
                bail!("`{line}` does not have the columns `{COLUMNS}`");
            };
            Ok(Row {
                name: name.to_owned(),
                feedstocks: list(feedstocks),
                builds: list(builds),
            })
        })
        .collect::<Result<_>>()?;
    Ok((sources, rows))
}

/// The conda names and PyPI names of the reviewed table (`conda_name,pypi_name,reference`).
fn read_reviewed(csv: &str) -> BTreeSet<String> {
    csv.lines()
        .skip(1)
        .flat_map(|line| line.splitn(3, ',').take(2))
        .map(str::to_owned)
        .collect()
}

/// One `outputs/**/NAME.json` of feedstock-outputs.
#[derive(serde::Deserialize)]
struct Output {
    feedstocks: Vec<String>,
}

/// Every `outputs/**/NAME.json` of feedstock-outputs: the package name and its `feedstocks`. Read in one `git
/// cat-file --batch`, since there are tens of thousands.
fn read_outputs(git: &Git) -> Result<BTreeMap<String, Vec<String>>> {
    let listing = git.output(&["ls-tree", "-r", "HEAD", "outputs/"])?;
    let mut names = Vec::new();
    let mut blobs = String::new();
    for line in listing.lines() {
        // `<mode> blob <id>\t<path>`
        let Some((meta, path)) = line.split_once('\t') else {
            continue;
        };
        let Some(name) = Path::new(path)
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_suffix(".json"))
        else {
            continue;
        };
        let Some(id) = meta.split(' ').nth(2) else {
            continue;
        };
        names.push(name.to_ascii_lowercase());
        blobs.push_str(id);
        blobs.push('\n');
    }
    let bodies = git.cat_blobs(&blobs)?;
    if bodies.len() != names.len() {
        bail!(
            "`git cat-file` returned {} of {} files",
            bodies.len(),
            names.len()
        );
    }
    let mut outputs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, body) in names.into_iter().zip(bodies) {
        let output: Output = serde_json::from_slice(&body)
            .with_context(|| format!("`outputs/.../{name}.json` has no `feedstocks` list"))?;
        outputs.entry(name).or_default().extend(output.feedstocks);
    }
    Ok(outputs)
}

impl Git<'_> {
    /// The contents of the blobs whose ids `ids` lists, one a line, in order.
    fn cat_blobs(&self, ids: &str) -> Result<Vec<Vec<u8>>> {
        let mut child = Command::new("git")
            .arg("-C")
            .arg(self.dir)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .context("running `git cat-file`")?;
        // Written from another thread: git answers while it reads, and a full pipe would stop both.
        let mut stdin = child.stdin.take().context("`git cat-file` has no stdin")?;
        let ids = ids.to_owned();
        let writer = std::thread::spawn(move || stdin.write_all(ids.as_bytes()));
        let output = child.wait_with_output().context("reading `git cat-file`")?;
        writer
            .join()
            .map_err(|_| anyhow::anyhow!("writing to `git cat-file` panicked"))?
            .context("writing to `git cat-file`")?;
        if !output.status.success() {
            bail!("`git cat-file --batch` failed in {}", self.dir.display());
        }
        // `<id> <type> <size>\n<contents>\n` per blob.
        let mut bodies = Vec::new();
        let mut rest = output.stdout.as_slice();
        while !rest.is_empty() {
            let end = memchr::memchr(b'\n', rest)
                .context("`git cat-file`: a header without a line end")?;
            let header = std::str::from_utf8(&rest[..end])?;
            let size: usize = header
                .rsplit(' ')
                .next()
                .and_then(|size| size.parse().ok())
                .with_context(|| format!("`git cat-file`: `{header}`"))?;
            let body = rest
                .get(end + 1..end + 1 + size)
                .with_context(|| format!("`git cat-file`: `{header}` is cut short"))?;
            bodies.push(body.to_vec());
            rest = rest.get(end + 2 + size..).unwrap_or_default();
        }
        Ok(bodies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(entries: &[(&str, Option<&[&str]>)]) -> BTreeMap<String, Option<Vec<String>>> {
        entries
            .iter()
            .map(|(name, pypi)| {
                (
                    (*name).to_owned(),
                    pypi.map(|names| names.iter().map(|name| (*name).to_owned()).collect()),
                )
            })
            .collect()
    }

    fn outputs(entries: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        entries
            .iter()
            .map(|(name, feedstocks)| {
                (
                    (*name).to_owned(),
                    feedstocks.iter().map(|name| (*name).to_owned()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn names_that_install_no_python_distribution_are_conda_only() {
        let mapping = mapping(&[
            ("libblas", None),
            ("_openmp_mutex", None),
            ("pandas", Some(&["pandas"])),
            ("pytorch", Some(&["torch"])),
            ("libtorch", None),
            // A metapackage named after the Python project it installs through another package.
            ("matplotlib", None),
            ("matplotlib-base", Some(&["matplotlib"])),
            // A C library sharing its name with a Python binding that conda calls otherwise.
            ("graphviz", None),
            ("python-graphviz", Some(&["graphviz"])),
            ("opencv", None),
        ]);
        let outputs = outputs(&[
            ("libblas", &["blas", "lapack"]),
            ("libtorch", &["pytorch-cpu"]),
            ("pytorch", &["pytorch-cpu"]),
        ]);
        let reviewed = read_reviewed("conda_name,pypi_name,reference\nopencv,opencv-python,ref\n");
        let rows = conda_only(&mapping, &outputs, &reviewed);
        let names: Vec<&str> = rows.iter().map(|row| row.name.as_str()).collect();
        assert_eq!(names, ["_openmp_mutex", "libblas", "libtorch"]);
        assert_eq!(rows[0].feedstocks, Vec::<String>::new());
        assert_eq!(rows[1].feedstocks, ["blas", "lapack"]);
        assert_eq!(rows[1].builds, Vec::<String>::new());
        assert_eq!(rows[2].builds, ["torch"]);
    }

    #[test]
    fn names_are_normalized_as_pep_503_says() {
        assert_eq!(normalize("Foo__Bar.baz"), "foo-bar-baz");
        assert_eq!(normalize("python_abi"), "python-abi");
        // `_dvc-azure` is not `dvc-azure`.
        assert_eq!(normalize("_dvc-azure"), "-dvc-azure");
    }

    #[test]
    fn the_data_file_is_in_canonical_form() {
        let path = crate::workspace_root().join(OUTPUT);
        let text = std::fs::read_to_string(&path).unwrap();
        let (sources, rows) = parse(&text).unwrap();
        assert_eq!(sources.len(), 2, "both repositories are recorded");
        assert!(
            rows.windows(2).all(|pair| pair[0].name < pair[1].name),
            "sorted, no duplicates"
        );
        assert_eq!(
            render(&sources, &rows),
            text,
            "{OUTPUT} is not in canonical form: extract it again"
        );
    }
}
