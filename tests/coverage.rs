//! How much of real environment files nplint knows: over the files of `tests/coverage/` (copied from public
//! repositories, a folder per repository, each listed in `SOURCES.tsv`), the share of requirements and of locked
//! packages whose package nplint can answer for ([`Knowledge::is_known`], what `unknown-package` reports), per
//! format and overall. The test fails when either share drops below its floor ([`REQUIREMENTS_FLOOR`],
//! [`LOCKED_FLOOR`]); the per-file counts are a
//! snapshot, so that an index sync shows which files it covers better (`cargo nextest run --test coverage
//! --no-capture` prints the table and the names most often unknown).
//!
//! The requirements counted are those `nplint check` counts: for each environment of a file, the requirements
//! whose marker holds on a target it is checked on with the default settings ([`environment_requirements`]; an
//! environment that installs on no supported Python is also checked on older ones, which only a solve can tell and
//! this test does not make).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use nplint_manifest::{Format, LoadError, Loader, Manifest, Section, detect_format, load};
use nplint_rules::{Knowledge, Resolver, Settings, environment_requirements};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/coverage");

/// The least share of locked packages that nplint must know (99.2% on the index of this commit: 6 of the 17 it
/// does not know are a conda lock's pins of releases older than the newest 25 the index holds of their project).
const LOCKED_FLOOR: f64 = 0.99;

/// The least share of requirements that nplint must know: 95%, the aim (97.0% on the index of this commit, the
/// whole full tier). The 91 not known are a uv workspace's own members, direct references, conda-only names
/// (`blas`, `hdf5`, `c-compiler`), projects outside the list of the 15,000 most downloaded (`jax2onnx`,
/// `pysdl2-dll`, `pytest-pystack`, ...) and pins older than the releases the index holds. Never lower it.
const REQUIREMENTS_FLOOR: f64 = 0.95;

/// Reads the corpus's files and what they include, as `nplint check` would from a checkout.
struct FsLoader;

impl Loader for FsLoader {
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        std::fs::read(path).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => LoadError::NotFound,
            _ => LoadError::Io(error),
        })
    }
}

/// How many requirements of each [`Knowledge`] one file (or a group of files) has.
#[derive(Debug, Default, Clone)]
struct Counts(BTreeMap<Knowledge, usize>);

impl Counts {
    fn add(&mut self, other: &Self) {
        for (&knowledge, &count) in &other.0 {
            *self.0.entry(knowledge).or_default() += count;
        }
    }

    fn total(&self) -> usize {
        self.0.values().sum()
    }

    fn known(&self) -> usize {
        self.0
            .iter()
            .filter(|(knowledge, _)| knowledge.is_known())
            .map(|(_, count)| count)
            .sum()
    }

    #[allow(
        clippy::cast_precision_loss,
        reason = "counts of requirements, far below 2^52"
    )]
    fn share(&self) -> Option<f64> {
        (self.total() > 0).then(|| self.known() as f64 / self.total() as f64)
    }

    /// "1204/1250 (96.3%)", or "-" when there is nothing to count.
    fn ratio(&self) -> String {
        match self.share() {
            Some(share) => format!("{}/{} ({:.1}%)", self.known(), self.total(), share * 100.0),
            None => "-".to_owned(),
        }
    }

    /// "120 indexed, 30 light, 2 unknown": each kind present.
    fn breakdown(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(knowledge, count)| {
                let what = match knowledge {
                    Knowledge::Indexed => "indexed",
                    Knowledge::Unrelated => "light",
                    Knowledge::Expected => "not on PyPI",
                    Knowledge::Direct => "direct",
                    Knowledge::Predates => "before the index's history",
                    Knowledge::PastSnapshot => "after the index's snapshot",
                    Knowledge::NoSuchRelease => "never released",
                    Knowledge::NotHeld => "version not held",
                    Knowledge::Unknown => "unknown",
                };
                format!("{count} {what}")
            })
            .collect();
        parts.join(", ")
    }
}

/// One corpus file: its path in its repository's folder, its format, and its counts.
struct File {
    path: String,
    format: Format,
    requirements: Counts,
    locked: Counts,
    /// The names of the unknown requirements, for the table of those most often unknown.
    unknown: Vec<String>,
}

/// The corpus's environment files, by path under [`CORPUS`] (a repository's folder, then its path there).
fn corpus_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    for entry in std::fs::read_dir(CORPUS).unwrap() {
        let path = entry.unwrap().path();
        // Files at the top (`SOURCES.tsv`) describe the corpus.
        if path.is_dir() {
            walk(&path, &mut found);
        }
    }
    found.sort();
    found
}

fn measure(resolver: &Resolver, path: &Path) -> File {
    let relative = path.strip_prefix(CORPUS).unwrap();
    let mut components = relative.components();
    components.next();
    let in_repository = components.as_path();
    // Discovered as in its repository's checkout: by its name and the folders it is in there.
    let format = detect_format(in_repository, false).unwrap_or_else(|| {
        panic!(
            "`{}` is not an environment file nplint discovers",
            relative.display()
        )
    });
    let manifest = load(path, format, &FsLoader).unwrap();
    let settings = Settings::default();
    let mut of_file: BTreeSet<usize> = BTreeSet::new();
    for environment in &manifest.environments {
        let targets = resolver.environment_targets(&manifest, environment, &settings);
        of_file.extend(environment_requirements(&manifest, environment, &targets));
    }
    let mut file = File {
        path: relative.display().to_string(),
        format,
        requirements: Counts::default(),
        locked: Counts::default(),
        unknown: Vec::new(),
    };
    for id in of_file {
        let requirement = &manifest.requirements[id];
        let knowledge = Knowledge::of(nplint_index::Index::embedded(), requirement);
        let counts = if is_locked(&manifest, id) {
            &mut file.locked
        } else {
            &mut file.requirements
        };
        *counts.0.entry(knowledge).or_default() += 1;
        if knowledge == Knowledge::Unknown
            && let Some(name) = &requirement.name
        {
            file.unknown.push(name.to_string());
        }
    }
    file
}

/// Whether a requirement is a lockfile's pin rather than a requirement someone wrote.
fn is_locked(manifest: &Manifest, id: usize) -> bool {
    matches!(
        manifest.requirements[id].origin.section,
        Section::Locked | Section::LockedConda
    )
}

#[test]
#[allow(
    clippy::print_stdout,
    reason = "the per-format table is the test's report, shown with `--no-capture`"
)]
fn nplint_knows_the_packages_of_real_environment_files() {
    let resolver = Resolver::new(nplint_index::Index::embedded(), &[]);
    let files: Vec<File> = corpus_files()
        .iter()
        .map(|path| measure(&resolver, path))
        .collect();
    assert!(files.len() >= 40, "{} files", files.len());
    let lockfiles = files.iter().filter(|file| file.locked.total() > 0).count();
    assert!(lockfiles >= 10, "{lockfiles} lockfiles");

    let mut kinds: BTreeMap<&str, (usize, Counts, Counts)> = BTreeMap::new();
    let (mut requirements, mut locked) = (Counts::default(), Counts::default());
    let mut unknown: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_file = String::new();
    for file in &files {
        let kind = kinds.entry(file.format.name()).or_default();
        kind.0 += 1;
        kind.1.add(&file.requirements);
        kind.2.add(&file.locked);
        requirements.add(&file.requirements);
        locked.add(&file.locked);
        for name in &file.unknown {
            *unknown.entry(name).or_default() += 1;
        }
        let _ = writeln!(per_file, "{}", file.path);
        for (what, counts) in [
            ("requirements", &file.requirements),
            ("locked", &file.locked),
        ] {
            if counts.total() > 0 {
                let _ = writeln!(
                    per_file,
                    "  {what}: {} known; {}",
                    counts.ratio(),
                    counts.breakdown()
                );
            }
        }
    }

    let mut table = format!(
        "{:<18} {:>5}  {:<22} {:<22}\n",
        "format", "files", "requirements known", "locked known"
    );
    for (name, (count, requirements, locked)) in &kinds {
        let _ = writeln!(
            table,
            "{name:<18} {count:>5}  {:<22} {:<22}",
            requirements.ratio(),
            locked.ratio()
        );
    }
    let _ = writeln!(
        table,
        "{:<18} {:>5}  {:<22} {:<22}",
        "all",
        files.len(),
        requirements.ratio(),
        locked.ratio()
    );
    let mut often: Vec<(&str, usize)> = unknown.into_iter().collect();
    often.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let often: Vec<String> = often
        .iter()
        .take(30)
        .map(|(name, count)| format!("{name} ({count})"))
        .collect();
    let _ = writeln!(table, "\nmost often unknown: {}", often.join(", "));
    println!("{table}");

    insta::with_settings!({
        description => "Per corpus file, the requirements and locked packages nplint counts and how many it knows \
            (indexed, light, not on PyPI), or not (direct, unknown). An index sync changes these counts: read which \
            files changed and by how much, then accept.",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("coverage_per_file", per_file);
    });
    for (what, counts, floor) in [
        ("requirements", &requirements, REQUIREMENTS_FLOOR),
        ("locked packages", &locked, LOCKED_FLOOR),
    ] {
        let share = counts.share().unwrap();
        assert!(
            share >= floor,
            "nplint knows {} of the corpus's {what}, below {:.0}%\n{table}",
            counts.ratio(),
            floor * 100.0
        );
    }
}

#[test]
fn every_file_names_its_source() {
    let sources = std::fs::read_to_string(Path::new(CORPUS).join("SOURCES.tsv")).unwrap();
    let mut lines = sources.lines();
    assert_eq!(lines.next(), Some("repository\tcommit\tpath\tlicence"));
    let listed: BTreeSet<PathBuf> = lines
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let [repository, commit, path, licence] = fields[..] else {
                panic!("four fields: {line:?}");
            };
            assert!(
                commit.len() == 40 && commit.bytes().all(|byte| byte.is_ascii_hexdigit()),
                "{line:?}"
            );
            assert!(!licence.is_empty(), "{line:?}");
            Path::new(CORPUS)
                .join(repository.replace('/', "__"))
                .join(path)
        })
        .collect();
    let found: BTreeSet<PathBuf> = corpus_files().into_iter().collect();
    assert_eq!(
        found.difference(&listed).collect::<Vec<_>>(),
        Vec::<&PathBuf>::new(),
        "files without a row in `SOURCES.tsv`"
    );
    assert_eq!(
        listed.difference(&found).collect::<Vec<_>>(),
        Vec::<&PathBuf>::new(),
        "rows of `SOURCES.tsv` without their file"
    );
}
