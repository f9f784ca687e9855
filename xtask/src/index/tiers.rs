//! `cargo xtask index tiers`: which of PyPI's most-downloaded projects reach NumPy, read from their metadata.
//!
//! The input is `data/top-pypi-packages.tsv` (rank and name). For each project, the project page lists its
//! releases; of those the sync keeps ([`release::keep`]), the newest final, non-yanked release of each
//! `major.minor` series is read (the newest release at all when there is no final one), one file each: the pure
//! wheel, else the linux x86_64 wheel, else what [`release::select`] picks. Requirements change with features, which
//! change the minor version; reading every release would multiply the requests by about six for the same graph.
//! Every dependency a read names (under an extra too) that is not itself in the list is read as well, its newest
//! release only: a project that reaches NumPy only through a less popular one is still found.
//!
//! A project **reaches NumPy** when a release read requires `numpy`, or a project that reaches it, at any depth.
//! Extras are followed as pip installs them: a requirement under `extra == "x"` belongs to the extra `x`, which
//! also installs the project itself, and `dep[y]` installs `dep` and its extra `y`. So `networkx`, whose extra
//! `default` requires NumPy, reaches NumPy; a project that requires plain `networkx` does not through it, and
//! one that requires `networkx[default]` does. Without this, test and documentation extras (`pytest` plugins,
//! Sphinx themes) would put nearly every project in reach of NumPy.
//!
//! The output, `data/tiers.tsv`, lists every project of the list, and every dependency read, with its tier: `full`
//! (the project itself reaches NumPy), `extras` (only the extras listed do), or `light` (no release read reaches
//! NumPy); the sync indexes `full` and `extras` projects in full, and nplint knows the `light` ones (and an `extras`
//! project required without those extras) as unrelated to NumPy. Per project: the first dependency on the way to
//! NumPy, the newest release read and its `Requires-Python`, how many releases were kept and read. Projects the
//! index does not have are listed as `missing`.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use super::fetch::Fetcher;
use super::metadata::CoreMetadata;
use super::release::{self, Release};
use super::{normalize, requirement_name};

/// One project as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub name: String,
    /// Its rank in the list; `None` for a dependency read because a listed project needs it.
    pub rank: Option<u32>,
    /// The newest release read (the newest final one, when there is one), as listed, and its `Requires-Python`
    /// (empty when none is declared).
    pub newest: String,
    pub requires_python: String,
    /// Kept releases, and how many were read.
    pub releases: usize,
    pub read: usize,
    /// Every requirement of a release read, as an edge of the graph of what installs what.
    pub dependencies: BTreeSet<Edge>,
}

/// `from_extra` of this project (`None`: the project itself) installs `to` with `to_extras`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from_extra: Option<String>,
    pub to: String,
    pub to_extras: Vec<String>,
}

/// The edges of one `Requires-Dist` entry: from the project itself when the requirement applies
/// without an extra, and from each extra its marker names under which it applies. An entry that does not parse
/// counts as unconditional unless it mentions `extra`, as [`super::is_unconditional`] does.
pub fn edges(requirement: &str) -> Vec<Edge> {
    use std::str::FromStr as _;
    let Ok(parsed) = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement) else {
        return requirement_name(requirement)
            .filter(|_| !requirement.contains("extra"))
            .map(|to| Edge {
                from_extra: None,
                to,
                to_extras: Vec::new(),
            })
            .into_iter()
            .collect();
    };
    let to = parsed.name.to_string();
    let mut to_extras: Vec<String> = parsed.extras.iter().map(ToString::to_string).collect();
    to_extras.sort();
    let edge = |from_extra: Option<String>| Edge {
        from_extra,
        to: to.clone(),
        to_extras: to_extras.clone(),
    };
    if parsed.marker.evaluate_extras(&[]) {
        return vec![edge(None)];
    }
    let marker = parsed.marker.try_to_string().unwrap_or_default();
    extra_names(&marker)
        .into_iter()
        .filter(|extra| {
            pep508_rs::ExtraName::from_str(extra)
                .is_ok_and(|name| parsed.marker.evaluate_extras(std::slice::from_ref(&name)))
        })
        .map(|extra| edge(Some(extra)))
        .collect()
}

/// The extra names a marker compares `extra` with (`extra == "gpu"`, `'gpu' == extra`), normalized.
fn extra_names(marker: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let bytes = marker.as_bytes();
    let quoted_at = |at: usize| -> Option<String> {
        let quote = *bytes.get(at)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let end = marker[at + 1..].find(quote as char)?;
        Some(normalize(&marker[at + 1..at + 1 + end]))
    };
    let skip = |mut at: usize, forward: bool| {
        while let Some(byte) = bytes.get(at) {
            if !(byte.is_ascii_whitespace() || matches!(byte, b'=' | b'!')) {
                break;
            }
            if forward {
                at += 1;
            } else if at == 0 {
                break;
            } else {
                at -= 1;
            }
        }
        at
    };
    let mut from = 0;
    while let Some(found) = marker[from..].find("extra") {
        let at = from + found;
        from = at + "extra".len();
        // `extra == "x"`.
        if let Some(name) = quoted_at(skip(from, true)) {
            names.insert(name);
            continue;
        }
        // `"x" == extra`: the quote closing the value before the operator.
        let before = skip(at.saturating_sub(1), false);
        if let Some(&quote) = bytes.get(before)
            && matches!(quote, b'"' | b'\'')
            && let Some(open) = marker[..before].rfind(quote as char)
        {
            names.insert(normalize(&marker[open + 1..before]));
        }
    }
    names
}

/// A project's tier and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tier {
    /// The project itself reaches NumPy; the dependency through which (`numpy` itself when direct).
    Full(String),
    /// Only some of its extras reach NumPy (`networkx[default]`): the dependency through which the first did, and
    /// the extras. A requirement on the project without one of them does not reach NumPy.
    Extras(String, BTreeSet<String>),
    Light,
}

/// Reads the list: `rank<TAB>name` lines after a header, names normalized, first occurrence kept.
pub fn read_top(path: &Path) -> Result<Vec<(u32, String)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading `{}`", path.display()))?;
    let mut lines = text.lines();
    if lines.next() != Some("rank\tname") {
        bail!(
            "`{}`: the first line must be `rank<TAB>name`",
            path.display()
        );
    }
    let mut seen = BTreeSet::new();
    let mut top = Vec::new();
    for (number, line) in lines.enumerate() {
        let Some((rank, name)) = line.split_once('\t') else {
            bail!(
                "`{}` line {}: `{line}` is not `rank<TAB>name`",
                path.display(),
                number + 2
            );
        };
        let rank: u32 = rank
            .parse()
            .with_context(|| format!("`{}` line {}: rank", path.display(), number + 2))?;
        let name = normalize(name);
        if seen.insert(name.clone()) {
            top.push((rank, name));
        }
    }
    Ok(top)
}

/// The releases read for a project: the newest final, non-yanked release of each `major.minor` series, or the newest
/// release when there is no final one.
pub fn sample<'a, 'b>(releases: &'b [Release<'a>]) -> Vec<&'b Release<'a>> {
    let newest = release::newest_of_each_series(releases, |release| release.yanked().is_none());
    if newest.is_empty() {
        return releases.last().into_iter().collect();
    }
    newest
}

/// Reads one project: its page, then one file of each release of `sample` (or the newest only, `newest_only`).
/// `None` when the index does not have it.
pub fn classify<F: Fetcher>(
    fetcher: &F,
    name: &str,
    rank: Option<u32>,
    newest_only: bool,
) -> Result<Option<Classified>> {
    let Some(page) = fetcher.project(name)? else {
        return Ok(None);
    };
    let (releases, _) = release::group(&page, name);
    let kept: Vec<Release> = releases
        .into_iter()
        .filter(|release| release::keep(name, release))
        .collect();
    let mut chosen = sample(&kept);
    if newest_only {
        chosen = chosen.split_off(chosen.len().saturating_sub(1));
    }
    // Reads run in parallel: a project's series are independent, and each read is one request.
    let reads: Vec<Option<CoreMetadata>> = chosen
        .par_iter()
        .map(|release| -> Result<Option<CoreMetadata>> {
            let selection = release::select(release);
            let Some(read) = selection.representative() else {
                return Ok(None);
            };
            let outcome = fetcher
                .metadata(name, read.file)
                .with_context(|| format!("`{name}` {}", release.display))?;
            Ok(outcome.metadata)
        })
        .collect::<Result<_>>()?;
    let dependencies: BTreeSet<Edge> = reads
        .iter()
        .flatten()
        .flat_map(|metadata| metadata.requires_dist.iter())
        .flat_map(|requirement| edges(requirement))
        .collect();
    let newest_requires_python = reads
        .last()
        .and_then(Option::as_ref)
        .and_then(|metadata| metadata.requires_python.clone())
        .unwrap_or_default();
    // The release whose `Requires-Python` is recorded: the newest read.
    let newest = chosen
        .last()
        .map(|release| release.display.clone())
        .unwrap_or_default();
    Ok(Some(Classified {
        name: name.to_owned(),
        rank,
        newest,
        requires_python: newest_requires_python,
        releases: kept.len(),
        read: chosen.len(),
        dependencies,
    }))
}

/// Every project's tier: `full` when what it or one of its extras installs leads to `numpy`, with the first
/// project on the shortest such chain; breadth-first from `numpy` backwards, so the reason is the nearest.
pub fn tiers(projects: &BTreeMap<String, Classified>) -> BTreeMap<String, Tier> {
    // A node is a project (`None`) or one of its extras; an extra installs the project too.
    type Node<'a> = (&'a str, Option<&'a str>);
    let mut installed_by: BTreeMap<Node, Vec<Node>> = BTreeMap::new();
    for project in projects.values() {
        for edge in &project.dependencies {
            let from = (project.name.as_str(), edge.from_extra.as_deref());
            installed_by
                .entry((edge.to.as_str(), None))
                .or_default()
                .push(from);
            for extra in &edge.to_extras {
                installed_by
                    .entry((edge.to.as_str(), Some(extra.as_str())))
                    .or_default()
                    .push(from);
            }
        }
    }
    let mut reached: BTreeSet<Node> = BTreeSet::new();
    let mut tier: BTreeMap<String, Tier> = BTreeMap::new();
    let mut queue: VecDeque<Node> = VecDeque::from([("numpy", None)]);
    reached.insert(("numpy", None));
    while let Some(node) = queue.pop_front() {
        // Whatever installs `node`; and when `node` is a project, none of its extras needs to be asked for: an
        // extra installs its project, so the extra is reached whenever the project is.
        for &from in installed_by.get(&node).into_iter().flatten() {
            if reached.insert(from) {
                if from.0 != "numpy" {
                    let entry = tier.entry(from.0.to_owned());
                    match (from.1, entry) {
                        // The project itself: full, whatever its extras were found to do before.
                        (None, Entry::Vacant(vacant)) => {
                            vacant.insert(Tier::Full(node.0.to_owned()));
                        }
                        (None, Entry::Occupied(mut occupied)) => {
                            if !matches!(occupied.get(), Tier::Full(_)) {
                                occupied.insert(Tier::Full(node.0.to_owned()));
                            }
                        }
                        // One of its extras; reaching an extra does not reach the project itself.
                        (Some(extra), Entry::Vacant(vacant)) => {
                            vacant.insert(Tier::Extras(
                                node.0.to_owned(),
                                BTreeSet::from([extra.to_owned()]),
                            ));
                        }
                        (Some(extra), Entry::Occupied(mut occupied)) => {
                            if let Tier::Extras(_, extras) = occupied.get_mut() {
                                extras.insert(extra.to_owned());
                            }
                        }
                    }
                }
                queue.push_back(from);
            }
        }
        if node.1.is_none() {
            // Everything that installs any extra of `node.0` installs `node.0` too.
            let extras: Vec<Node> = installed_by
                .range((node.0, Some(""))..)
                .take_while(|(key, _)| key.0 == node.0)
                .map(|(key, _)| *key)
                .collect();
            for extra in extras {
                if reached.insert(extra) {
                    queue.push_back(extra);
                }
            }
        }
    }
    for name in projects.keys() {
        tier.entry(name.clone()).or_insert(Tier::Light);
    }
    if projects.contains_key("numpy") {
        tier.insert("numpy".to_owned(), Tier::Full("numpy".to_owned()));
    }
    tier
}

/// Reads the list and the dependencies it leads to, in parallel on the current rayon pool.
pub fn crawl<F: Fetcher>(
    fetcher: &F,
    top: &[(u32, String)],
    progress: &(dyn Fn(&str) + Sync),
) -> Result<(BTreeMap<String, Classified>, Vec<String>)> {
    let done = AtomicUsize::new(0);
    let total = top.len();
    let read = |name: &str, rank: Option<u32>| -> Result<(String, Option<Classified>)> {
        let classified = classify(fetcher, name, rank, rank.is_none())?;
        let count = done.fetch_add(1, Ordering::Relaxed) + 1;
        if count.is_multiple_of(500) {
            progress(&format!("read {count} projects ({total} listed)"));
        }
        Ok((name.to_owned(), classified))
    };
    let mut projects = BTreeMap::new();
    let mut missing = Vec::new();
    let first: Vec<_> = top
        .par_iter()
        .map(|(rank, name)| read(name, Some(*rank)))
        .collect::<Result<_>>()?;
    file(first, &mut projects, &mut missing);
    // One level of dependencies outside the list, newest release only.
    let outside: BTreeSet<String> = projects
        .values()
        .flat_map(|project| project.dependencies.iter().map(|edge| &edge.to))
        .filter(|dependency| !projects.contains_key(*dependency))
        .filter(|dependency| !missing.contains(*dependency))
        .cloned()
        .collect();
    progress(&format!(
        "reading {} dependencies outside the list",
        outside.len()
    ));
    let second: Vec<_> = outside
        .par_iter()
        .map(|name| read(name, None))
        .collect::<Result<_>>()?;
    file(second, &mut projects, &mut missing);
    missing.sort();
    Ok((projects, missing))
}

/// Files each project read into `projects`, or into `missing` when the index does not have it.
fn file(
    read: Vec<(String, Option<Classified>)>,
    projects: &mut BTreeMap<String, Classified>,
    missing: &mut Vec<String>,
) {
    for (name, classified) in read {
        match classified {
            Some(classified) => {
                projects.insert(name, classified);
            }
            None => missing.push(name),
        }
    }
}

/// `data/tiers.tsv`: a header, then one line per project, sorted by name.
pub fn render(
    projects: &BTreeMap<String, Classified>,
    tiers: &BTreeMap<String, Tier>,
    missing: &[String],
) -> String {
    let mut out =
        String::from("name\trank\ttier\tvia\textras\tnewest\trequires_python\treleases\tread\n");
    let mut rows: Vec<(&str, String)> = Vec::new();
    for (name, project) in projects {
        let (tier, via, extras) = match tiers.get(name) {
            Some(Tier::Full(via)) => ("full", via.as_str(), String::new()),
            Some(Tier::Extras(via, extras)) => (
                "extras",
                via.as_str(),
                extras
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => ("light", "", String::new()),
        };
        let rank = project
            .rank
            .map(|rank| rank.to_string())
            .unwrap_or_default();
        rows.push((
            name,
            format!(
                "{name}\t{rank}\t{tier}\t{via}\t{extras}\t{}\t{}\t{}\t{}",
                project.newest,
                clean(&project.requires_python),
                project.releases,
                project.read
            ),
        ));
    }
    for name in missing {
        rows.push((name, format!("{name}\t\tmissing\t\t\t\t\t0\t0")));
    }
    rows.sort();
    for (_, row) in rows {
        let _ = writeln!(out, "{row}");
    }
    out
}

/// The projects of a `tiers.tsv` (what [`render`] wrote) that the sync indexes in full: those that reach NumPy,
/// themselves or through an extra, ranked within the first `top` of the list when `top` is given (a project outside
/// the list then comes in only as a dependency, through the closure); in the file's order, none when there is no
/// file.
pub fn read_full(path: &Path, top: Option<u32>) -> Result<Vec<String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error).with_context(|| format!("reading `{}`", path.display())),
    };
    let mut full = Vec::new();
    for (number, line) in text.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(name), Some(rank), Some(tier)) = (fields.first(), fields.get(1), fields.get(2))
        else {
            bail!("`{}` line {}: too few columns", path.display(), number + 1);
        };
        let ranked = match top {
            None => true,
            Some(top) => rank.parse::<u32>().is_ok_and(|rank| rank <= top),
        };
        if ranked && matches!(*tier, "full" | "extras") {
            full.push((*name).to_owned());
        }
    }
    Ok(full)
}

/// A field free of the separators of the table.
fn clean(value: &str) -> String {
    value.replace(['\t', '\n', '\r'], " ").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project whose releases require `requirements` (`Requires-Dist` strings).
    fn project(name: &str, requirements: &[&str]) -> (String, Classified) {
        (
            name.to_owned(),
            Classified {
                name: name.to_owned(),
                rank: Some(1),
                newest: "1.0".to_owned(),
                requires_python: String::new(),
                releases: 1,
                read: 1,
                dependencies: requirements
                    .iter()
                    .flat_map(|requirement| edges(requirement))
                    .collect(),
            },
        )
    }

    #[test]
    fn requirements_are_edges_from_the_project_or_its_extras() {
        let edge = |from: Option<&str>, to: &str, extras: &[&str]| Edge {
            from_extra: from.map(ToOwned::to_owned),
            to: to.to_owned(),
            to_extras: extras.iter().map(|extra| (*extra).to_owned()).collect(),
        };
        assert_eq!(edges("numpy>=1.20"), [edge(None, "numpy", &[])]);
        assert_eq!(
            edges("dask[array,dataframe]; python_version >= '3.9'"),
            [edge(None, "dask", &["array", "dataframe"])]
        );
        assert_eq!(
            edges("numpy>=1.24; extra == \"default\""),
            [edge(Some("default"), "numpy", &[])]
        );
        assert_eq!(
            edges("scipy; extra == 'all' or extra == 'Sci_Py'"),
            [
                edge(Some("all"), "scipy", &[]),
                edge(Some("sci-py"), "scipy", &[])
            ]
        );
        assert_eq!(
            edges("pytest; (sys_platform == \"win32\") and 'test' == extra"),
            [edge(Some("test"), "pytest", &[])]
        );
        // An extra that never applies on its own adds nothing.
        assert_eq!(edges("x; extra == 'a' and extra == 'b'"), []);
    }

    #[test]
    fn numpy_is_reached_at_any_depth_with_the_nearest_reason() {
        let projects: BTreeMap<_, _> = [
            project("numpy", &[]),
            project("pandas", &["numpy", "python-dateutil"]),
            project("seaborn", &["pandas", "pillow"]),
            project("matplotlib", &["numpy", "pillow"]),
            project("report-tool", &["seaborn", "requests"]),
            project("requests", &["urllib3", "certifi"]),
            project("urllib3", &["pytest; extra == 'test'"]),
            project("pytest", &["hypothesis-numpy-plugin; extra == 'dev'"]),
            project("hypothesis-numpy-plugin", &["numpy"]),
            project(
                "networkx",
                &["numpy; extra == 'default'", "pytest; extra == 'test'"],
            ),
            project("graph-user", &["networkx"]),
            project("graph-plotter", &["networkx[default]"]),
            project("cycle-a", &["cycle-b"]),
            project("cycle-b", &["cycle-a"]),
        ]
        .into_iter()
        .collect();
        let tiers = tiers(&projects);
        assert_eq!(tiers["pandas"], Tier::Full("numpy".to_owned()));
        assert_eq!(tiers["seaborn"], Tier::Full("pandas".to_owned()));
        assert_eq!(tiers["report-tool"], Tier::Full("seaborn".to_owned()));
        assert_eq!(tiers["requests"], Tier::Light);
        assert_eq!(tiers["cycle-a"], Tier::Light);
        // An extra reaches NumPy: the extra is recorded, a plain dependent is light, one asking for the extra full.
        assert_eq!(
            tiers["networkx"],
            Tier::Extras("numpy".to_owned(), BTreeSet::from(["default".to_owned()]))
        );
        assert_eq!(tiers["graph-user"], Tier::Light);
        assert_eq!(tiers["graph-plotter"], Tier::Full("networkx".to_owned()));
        // A test extra of a test extra does not drag a project in.
        assert_eq!(
            tiers["pytest"],
            Tier::Extras(
                "hypothesis-numpy-plugin".to_owned(),
                BTreeSet::from(["dev".to_owned()])
            )
        );
        assert_eq!(tiers["urllib3"], Tier::Light);
        assert_eq!(tiers["numpy"], Tier::Full("numpy".to_owned()));
    }

    #[test]
    fn reads_the_newest_final_release_of_each_series() {
        use super::super::simple::{File, ProjectPage, Yanked};
        let file = |version: &str, yanked: bool| File {
            filename: format!("pkg-{version}-py3-none-any.whl"),
            url: format!("https://files.example.invalid/pkg-{version}.whl"),
            requires_python: None,
            yanked: if yanked {
                Yanked::Reason(String::new())
            } else {
                Yanked::No
            },
            upload_time: Some("2020-01-01T00:00:00Z".to_owned()),
            size: None,
        };
        let listed = [
            ("1.0.0", false),
            ("1.0.1", false),
            ("1.1.0rc1", false),
            ("1.1.0", false),
            ("2.0.0", false),
            ("2.0.1", true),
            ("3.0.0b1", false),
        ];
        let page = ProjectPage {
            name: "pkg".to_owned(),
            versions: listed
                .iter()
                .map(|(version, _)| (*version).to_owned())
                .collect(),
            files: listed
                .iter()
                .map(|(version, yanked)| file(version, *yanked))
                .collect(),
        };
        let (releases, _) = release::group(&page, "pkg");
        let chosen: Vec<&str> = sample(&releases)
            .iter()
            .map(|release| release.display.as_str())
            .collect();
        assert_eq!(chosen, ["1.0.1", "1.1.0", "2.0.0"]);
        // Only pre-releases: the newest is read.
        let (releases, _) = release::group(&page, "pkg");
        let pre: Vec<_> = releases
            .into_iter()
            .filter(|release| release.version.any_prerelease())
            .collect();
        let chosen: Vec<&str> = sample(&pre)
            .iter()
            .map(|release| release.display.as_str())
            .collect();
        assert_eq!(chosen, ["3.0.0b1"]);
    }

    #[test]
    fn the_table_reads_back() {
        let projects: BTreeMap<_, _> = [
            project("numpy", &[]),
            project("pandas", &["numpy"]),
            project("requests", &["certifi"]),
        ]
        .into_iter()
        .collect();
        let table = render(&projects, &tiers(&projects), &["gone".to_owned()]);
        assert_eq!(
            table.lines().nth(1),
            Some("gone\t\tmissing\t\t\t\t\t0\t0"),
            "{table}"
        );
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("tiers.tsv");
        std::fs::write(&path, &table).unwrap();
        assert_eq!(read_full(&path, None).unwrap(), ["numpy", "pandas"]);
        // Projects outside the list (`e`) have no rank: with a limit, only the closure brings them in.
        let ranked = "name\trank\ttier\n\
                      a\t3\tfull\nb\t12\textras\nc\t5\tlight\nd\t10\textras\ne\t\tfull\n";
        std::fs::write(&path, ranked).unwrap();
        assert_eq!(read_full(&path, Some(10)).unwrap(), ["a", "d"]);
        assert_eq!(read_full(&path, None).unwrap(), ["a", "b", "d", "e"]);
        assert_eq!(
            read_full(&directory.path().join("none.tsv"), None).unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn reads_the_list() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("top.tsv");
        std::fs::write(&path, "rank\tname\n1\tBoto3\n2\tzope.interface\n3\tboto3\n").unwrap();
        assert_eq!(
            read_top(&path).unwrap(),
            [(1, "boto3".to_owned()), (2, "zope-interface".to_owned())]
        );
        std::fs::write(&path, "name\n").unwrap();
        assert!(read_top(&path).is_err());
    }
}
