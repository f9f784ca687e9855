//! Agreement with real installs: every pair of `tests/runtime/installs.toml` (a package release and a NumPy
//! installed together on the CPython the pair names, linux x86_64, and imported; recorded by
//! `tests/runtime/record.py`) is checked as the requirements file `PACKAGE==VERSION`, `numpy==N` (plus the pins the
//! experiment installed beside them) on that Python and platform, and nplint's verdict must match the experiment's:
//!
//! - the pair failed at import: nplint reports an error, by a runtime rule when the metadata admits the pair, else
//!   at least by `numpy-conflict` (resolvers refuse the pair; the experiment forced it with `--no-deps`);
//! - the pair imported but failed in use (a function calling a removed NumPy name): a runtime rule reports it, as a
//!   warning at least, or `numpy-conflict` does when the metadata refuses the pair;
//! - the pair worked and the metadata admits it: nplint reports no error and no warning, except an advisory
//!   `removed-numpy-api` warning (a function whose body uses a name the pair's NumPy lacks, which fails when
//!   called): the experiment imports the package and runs one smoke operation, which calls none of those functions
//!   (statsmodels 0.14.1 imports and fits OLS with NumPy 1.26.4; its `fftconvolveinv` uses `numpy.complex`, gone
//!   since 1.24, and fails when called);
//! - the pair worked but the metadata refuses it: nplint reports `numpy-conflict`, and no runtime rule.

use std::path::PathBuf;
use std::str::FromStr;

use nplint_diagnostics::{Diagnostic, Severity};
use nplint_index::{Index, PackageName, Version};
use nplint_manifest::{Format, MemoryLoader, load};
use nplint_rules::{PythonRequest, Resolver, Settings, TargetOptions, check_manifest_resolved};
use nplint_solver::{Platform, PythonVersion};

const TABLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/runtime/installs.toml");
const RUNTIME_RULES: [&str; 3] = ["abi-mismatch", "removed-numpy-api", "known-pitfall"];

struct Pair {
    package: String,
    version: String,
    numpy: String,
    python: PythonVersion,
    with: Vec<String>,
    metadata_allows: bool,
    works: bool,
    /// Where a failing pair failed: `import` or `use`.
    stage: Option<String>,
    error: Option<String>,
}

impl Pair {
    fn name(&self) -> String {
        format!(
            "{}=={} with numpy=={} on Python {}",
            self.package, self.version, self.numpy, self.python
        )
    }
}

fn pairs() -> Vec<Pair> {
    let text = std::fs::read_to_string(TABLE).unwrap();
    let document: toml_edit::DocumentMut = text.parse().unwrap();
    let field = |pair: &toml_edit::Table, key: &str| {
        pair.get(key)
            .and_then(|item| item.as_str())
            .map(str::to_owned)
    };
    document["pair"]
        .as_array_of_tables()
        .expect("`[[pair]]` tables")
        .iter()
        .map(|pair| {
            assert_eq!(field(pair, "platform").as_deref(), Some("linux-x86_64"));
            let python = field(pair, "python").expect("`python`");
            Pair {
                package: field(pair, "package").unwrap(),
                version: field(pair, "version").unwrap(),
                numpy: field(pair, "numpy").unwrap(),
                python: PythonVersion::from_str(&python)
                    .unwrap_or_else(|_| panic!("`python = {python:?}` is not `X.Y`")),
                with: pair
                    .get("with")
                    .and_then(|item| item.as_array())
                    .map(|array| {
                        array
                            .iter()
                            .filter_map(|value| value.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
                metadata_allows: pair
                    .get("metadata_allows")
                    .and_then(toml_edit::Item::as_bool)
                    .expect("`metadata_allows`"),
                works: match field(pair, "result").as_deref() {
                    Some("works") => true,
                    Some("fails") => false,
                    other => panic!("unknown result {other:?}"),
                },
                stage: field(pair, "stage"),
                error: field(pair, "error"),
            }
        })
        .collect()
}

/// Whether a pin of `with` names a release newer than every release the index holds of an indexed package: the
/// experiments were recorded after the snapshot, with the newest releases of the packages installed beside, which
/// the index cannot know (`fonttools==4.69.1`). Such a pin is left out of the check, as a release past the snapshot
/// is not the pair's subject; a pin to a missing release the index should hold stays, and fails the check.
fn past_the_snapshot(pin: &str) -> bool {
    let Some((name, version)) = pin.split_once("==") else {
        return false;
    };
    let (Ok(name), Ok(version)) = (PackageName::from_str(name), Version::from_str(version)) else {
        return false;
    };
    Index::embedded().package(&name).is_some_and(|package| {
        package
            .releases()
            .iter()
            .all(|release| *release.version() < version)
    })
}

fn check(pair: &Pair, resolver: &Resolver, settings: &Settings) -> Vec<Diagnostic> {
    let mut text = format!(
        "{}=={}\nnumpy=={}\n",
        pair.package, pair.version, pair.numpy
    );
    for pin in pair.with.iter().filter(|pin| !past_the_snapshot(pin)) {
        text.push_str(pin);
        text.push('\n');
    }
    let manifest = load(
        &PathBuf::from("requirements.txt"),
        Format::RequirementsTxt,
        &MemoryLoader::from([("requirements.txt", text)]),
    )
    .unwrap();
    check_manifest_resolved(&manifest, resolver, settings)
}

#[test]
fn nplint_agrees_with_every_install_experiment() {
    let pairs = pairs();
    assert!(pairs.len() >= 25, "{} pairs", pairs.len());
    let pythons: Vec<PythonVersion> = pairs
        .iter()
        .map(|pair| pair.python)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    // Experiments on several Pythons, so that facts about old releases are checked where those releases install.
    assert!(pythons.len() >= 3, "{pythons:?}");
    let resolver = Resolver::new(Index::embedded(), &pythons);
    let mut disagreements = Vec::new();
    for pair in &pairs {
        let settings = Settings {
            targets: TargetOptions {
                pythons: PythonRequest::Versions(vec![pair.python]),
                platforms: vec![Platform::LinuxX86_64],
            },
            ..Settings::default()
        };
        let diagnostics = check(pair, &resolver, &settings);
        let rules: Vec<&str> = diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity >= Severity::Warning)
            .map(|diagnostic| diagnostic.rule.name)
            .collect();
        let errors = diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == Severity::Error)
            .count();
        let runtime = rules.iter().any(|rule| RUNTIME_RULES.contains(rule));
        // Warnings other than an advisory `removed-numpy-api` (see the module's header).
        let not_advisory = diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity >= Severity::Warning)
            .any(|diagnostic| {
                diagnostic.severity == Severity::Error
                    || diagnostic.rule.name != "removed-numpy-api"
            });
        let runtime_error = diagnostics.iter().any(|diagnostic| {
            diagnostic.severity == Severity::Error && RUNTIME_RULES.contains(&diagnostic.rule.name)
        });
        let conflict = rules.contains(&"numpy-conflict");
        let agrees = match (pair.works, pair.metadata_allows) {
            (false, true) if pair.stage.as_deref() == Some("use") => runtime,
            (false, true) => runtime_error,
            (false, false) => errors > 0,
            (true, true) => !not_advisory,
            (true, false) => conflict && !runtime,
        };
        if !agrees {
            disagreements.push(format!(
                "{}: experiment {} (metadata {}{}), nplint reports {rules:?}",
                pair.name(),
                if pair.works { "works" } else { "fails" },
                if pair.metadata_allows {
                    "admits it"
                } else {
                    "refuses it"
                },
                pair.error
                    .as_deref()
                    .map(|error| format!("; {error}"))
                    .unwrap_or_default(),
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} pairs disagree:\n{}",
        disagreements.len(),
        pairs.len(),
        disagreements.join("\n")
    );
}
