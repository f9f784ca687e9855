//! Tests of the MatchSpec conversion (against `rattler_conda_types` as the oracle), discovery and robustness.

use std::fmt::Write as _;
use std::str::FromStr;
use std::time::{Duration, Instant};

use pep440_rs::{Version, VersionSpecifiers};

use super::matchspec::{self, Unconvertible};
use super::*;
use crate::{Format, MemoryLoader};

/// Release versions the oracle was asked about. Pre- and post-releases are left out on purpose: conda admits them
/// where PEP 440 specifiers do not (see the module documentation).
const SAMPLES: &[&str] = &[
    "1.18.5", "1.19", "1.19.0", "1.19.1", "1.19.2", "1.19.5", "1.20", "1.20.3", "1.21.6", "1.22",
    "1.190", "2.0.0", "2.1",
];

#[derive(Debug)]
enum Expected {
    /// The PEP 440 reading, and the samples `rattler_conda_types` 0.58.1 `VersionSpec::matches` accepted for
    /// this spec (printed by a scratch program, filtered to [`SAMPLES`]; `None` for all of them).
    Pep440(&'static str, Option<&'static [&'static str]>),
    /// conda accepts the version, PEP 440 cannot say it.
    Unread,
    /// conda refuses the version.
    Invalid,
    /// Not a MatchSpec at all.
    BadSpec,
}

use Expected::{BadSpec, Invalid, Pep440, Unread};

const P119: &[&str] = &["1.19", "1.19.0", "1.19.1", "1.19.2", "1.19.5"];
const GE120: &[&str] = &["1.20", "1.20.3", "1.21.6", "1.22", "1.190", "2.0.0", "2.1"];
const GE119: &[&str] = &[
    "1.19", "1.19.0", "1.19.1", "1.19.2", "1.19.5", "1.20", "1.20.3", "1.21.6", "1.22", "1.190",
    "2.0.0", "2.1",
];

const CASES: &[(&str, Expected)] = &[
    ("numpy", Pep440("", None)),
    ("numpy=1.19", Pep440("==1.19.*", Some(P119))),
    ("numpy==1.19", Pep440("==1.19", Some(&["1.19", "1.19.0"]))),
    // PEP 440 has no prefix match after a post-release: conda's `=1.6.4.post1` is that release exactly.
    ("cftime=1.6.4.post1", Pep440("==1.6.4.post1", Some(&[]))),
    (
        "python-dateutil=2.9.0.post0",
        Pep440("==2.9.0.post0", Some(&[])),
    ),
    ("numpy==1.19.5", Pep440("==1.19.5", Some(&["1.19.5"]))),
    (
        "numpy>=1.20,<1.22",
        Pep440(">=1.20, <1.22", Some(&["1.20", "1.20.3", "1.21.6"])),
    ),
    ("numpy 1.19.*", Pep440("==1.19.*", Some(P119))),
    (
        "numpy=1.19.5=py38h1234_0",
        Pep440("==1.19.5", Some(&["1.19.5"])),
    ),
    ("conda-forge::numpy", Pep440("", None)),
    ("numpy[version='>=1.20']", Pep440(">=1.20", Some(GE120))),
    ("numpy >=1.20", Pep440(">=1.20", Some(GE120))),
    ("numpy 1.19.5 py38_0", Pep440("==1.19.5", Some(&["1.19.5"]))),
    ("numpy[build=py38*]", Pep440("", None)),
    ("conda-forge/linux-64::numpy", Pep440("", None)),
    ("numpy=1.19|1.20", Unread),
    (
        "numpy !=1.19.1",
        Pep440(
            "!=1.19.1",
            Some(&[
                "1.18.5", "1.19", "1.19.0", "1.19.2", "1.19.5", "1.20", "1.20.3", "1.21.6", "1.22",
                "1.190", "2.0.0", "2.1",
            ]),
        ),
    ),
    (
        "numpy >=1.20,<2.0a0",
        Pep440(
            ">=1.20, <2.0a0",
            Some(&["1.20", "1.20.3", "1.21.6", "1.22", "1.190"]),
        ),
    ),
    ("numpy 1.19", Pep440("==1.19", Some(&["1.19", "1.19.0"]))),
    ("numpy 1.19*", Pep440("==1.19.*", Some(P119))),
    (
        "numpy ~=1.19.2",
        Pep440("~=1.19.2", Some(&["1.19.2", "1.19.5"])),
    ),
    (
        "numpy !=1.19.*",
        Pep440(
            "!=1.19.*",
            Some(&[
                "1.18.5", "1.20", "1.20.3", "1.21.6", "1.22", "1.190", "2.0.0", "2.1",
            ]),
        ),
    ),
    ("numpy >=1.19.*", Pep440(">=1.19", Some(GE119))),
    ("numpy=1.19.*", Pep440("==1.19.*", Some(P119))),
    ("numpy *", Pep440("", None)),
    ("numpy=*", Pep440("", None)),
    ("numpy 1.19.5_1", Unread),
    ("numpy 1.*.3", Unread),
    ("numpy ^1\\.19\\..*$", Unread),
    (
        "numpy >1.19,<=1.21",
        Pep440(
            ">1.19, <=1.21",
            Some(&["1.19.1", "1.19.2", "1.19.5", "1.20", "1.20.3"]),
        ),
    ),
    ("numpy <1.20|>=1.22", Unread),
    (
        "numpy 1.19|1.19",
        Pep440("==1.19", Some(&["1.19", "1.19.0"])),
    ),
    ("numpy==1.19.*", Pep440("==1.19.*", Some(P119))),
    ("numpy >=1.19 py38*", Pep440(">=1.19", Some(GE119))),
    (
        "numpy=1.19=py38*",
        Pep440("==1.19", Some(&["1.19", "1.19.0"])),
    ),
    ("numpy 1.0.0-1", Unread),
    ("numpy >= 1.20", Pep440(">=1.20", Some(GE120))),
    (
        "numpy >=1.20, <1.22",
        Pep440(">=1.20, <1.22", Some(&["1.20", "1.20.3", "1.21.6"])),
    ),
    (
        "numpy=1.19,<1.19.3",
        Pep440(
            "==1.19.*, <1.19.3",
            Some(&["1.19", "1.19.0", "1.19.1", "1.19.2"]),
        ),
    ),
    (
        "numpy[version=\">=1.20,<2\", build=py38*]",
        Pep440(
            ">=1.20, <2",
            Some(&["1.20", "1.20.3", "1.21.6", "1.22", "1.190"]),
        ),
    ),
    ("numpy>=", Invalid),
    ("numpy==", Invalid),
    ("=1.19", BadSpec),
    // rattler reads `<1.22` as a build string here; conda's `_parse_version_plus_build` refuses it.
    ("numpy >=1.20 <1.22", Invalid),
    ("numpy <1.19.*", Pep440("<1.19", Some(&["1.18.5"]))),
    (
        "numpy ==1.19.* py38_0",
        Pep440("==1.19", Some(&["1.19", "1.19.0"])),
    ),
    ("numpy =1.19 *", Pep440("==1.19", Some(&["1.19", "1.19.0"]))),
    (
        "numpy (>=1.19,<2)",
        Pep440(
            ">=1.19, <2",
            Some(&[
                "1.19", "1.19.0", "1.19.1", "1.19.2", "1.19.5", "1.20", "1.20.3", "1.21.6", "1.22",
                "1.190",
            ]),
        ),
    ),
    ("numpy >=1.19,<2|==1.18.5", Unread),
    (
        "numpy ~=1.19",
        Pep440(
            "~=1.19",
            Some(&[
                "1.19", "1.19.0", "1.19.1", "1.19.2", "1.19.5", "1.20", "1.20.3", "1.21.6", "1.22",
                "1.190",
            ]),
        ),
    ),
    // rattler accepts `~=1` (everything from 1 on); conda fails on its empty compatible-release prefix.
    ("numpy ~=1", Invalid),
    ("numpy ~=1.19.*", Invalid),
    ("numpy=1.19#comment", Pep440("==1.19.*", Some(P119))),
    ("numpy 1.19.5.*", Pep440("==1.19.5.*", Some(&["1.19.5"]))),
    ("numpy=1.19.5=*", Pep440("==1.19.5", Some(&["1.19.5"]))),
    ("numpy >=1!2.0", Pep440(">=1!2.0", Some(&[]))),
    ("numpy *|1.19", Pep440("", None)),
    ("numpy 1.19@abc", Unread),
    ("numpy >>1.19", Invalid),
    ("numpy 1.19,", Invalid),
    ("numpy ((1.19)", Invalid),
    ("numpy[version=]", BadSpec),
    ("numpy[version='>=1.20'", BadSpec),
    ("num%py", BadSpec),
    ("", BadSpec),
];

/// Where `pep440_rs` 0.7.3 itself departs from PEP 440: it accepts `1.19` for `==1.19.5.*`, where PEP 440 pads
/// the candidate to `1.19.0` before the prefix comparison (and conda's `startswith` refuses it too).
const PEP440_RS_DEVIATIONS: &[(&str, &str)] = &[("numpy 1.19.5.*", "1.19")];

fn read(spec: &str) -> Result<VersionSpecifiers, Expected> {
    let parsed = matchspec::parse(spec).map_err(|_| BadSpec)?;
    match parsed.conda_version.as_deref().map(matchspec::to_pep440) {
        None => Ok(VersionSpecifiers::empty()),
        Some(Ok(specifiers)) => Ok(specifiers),
        Some(Err(Unconvertible::Unread(_))) => Err(Unread),
        Some(Err(Unconvertible::Invalid(_))) => Err(Invalid),
    }
}

#[test]
fn match_spec_versions_as_pep440() {
    assert!(CASES.len() >= 30);
    for (spec, expected) in CASES {
        let actual = read(spec);
        match (expected, &actual) {
            (Pep440(text, oracle), Ok(specifiers)) => {
                let expected_specifiers = VersionSpecifiers::from_str(text).unwrap();
                assert_eq!(
                    specifiers.to_string(),
                    expected_specifiers.to_string(),
                    "`{spec}`"
                );
                let accepted: Vec<&str> = SAMPLES
                    .iter()
                    .copied()
                    .filter(|sample| specifiers.contains(&Version::from_str(sample).unwrap()))
                    .filter(|sample| !PEP440_RS_DEVIATIONS.contains(&(*spec, *sample)))
                    .collect();
                let oracle = oracle.unwrap_or(SAMPLES);
                assert_eq!(
                    accepted, oracle,
                    "`{spec}` read as `{specifiers}` agrees with rattler"
                );
            }
            (Unread, Err(Unread)) | (Invalid, Err(Invalid)) | (BadSpec, Err(BadSpec)) => {}
            _ => panic!("`{spec}`: expected {expected:?}, got {actual:?}"),
        }
    }
}

#[test]
fn match_spec_parts() {
    let spec = matchspec::parse("conda-forge/linux-64::numpy=1.19.5=py38h1234_0").unwrap();
    assert_eq!(spec.channel, Some("conda-forge/linux-64"));
    assert_eq!(spec.name, "numpy");
    assert_eq!(spec.version, Some(("=1.19.5", 27..34)));
    assert_eq!(spec.build, Some("py38h1234_0"));

    let spec = matchspec::parse("numpy >=1.0 , < 2.0 py34_0").unwrap();
    assert_eq!(spec.version.map(|(text, _)| text), Some(">=1.0 , < 2.0"));
    assert_eq!(spec.build, Some("py34_0"));
    assert_eq!(spec.conda_version.as_deref(), Some(">=1.0,<2.0"));

    let spec = matchspec::parse(
        "pkgs/main::numpy[version='>=1.20', build=\"py38*\", channel=conda-forge]",
    )
    .unwrap();
    assert_eq!(
        spec.channel,
        Some("conda-forge"),
        "the bracket channel wins"
    );
    assert_eq!(spec.version, Some((">=1.20", 26..32)));
    assert_eq!(spec.build, Some("py38*"));

    let spec = matchspec::parse("  numpy 1.19  # pinned for gensim").unwrap();
    assert_eq!(spec.range, 2..12);
    assert_eq!(spec.version, Some(("1.19", 8..12)));
}

#[test]
fn discovery() {
    for name in [
        "environment.yml",
        "environment.yaml",
        "Environment.YML",
        "environment-gpu.yaml",
        "environment_dev.yml",
        "ci.environment.yml",
    ] {
        assert!(discover(name), "{name}");
    }
    for name in [
        "env.yml",
        "environments.yml",
        "ci.yml",
        "environment.yml.bak",
        "environment.txt",
        "myenvironment.yml",
    ] {
        assert!(!discover(name), "{name}");
    }
}

fn parse_text(text: &str) -> Manifest {
    let source = SourceFile::new("environment.yml", text);
    parse(
        Manifest::new(Format::CondaEnvironment, source),
        &MemoryLoader::new(),
    )
}

#[test]
fn alias_bomb_is_cheap() {
    let mut text = String::from(
        "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    let mut previous = 'a';
    for name in 'b'..='z' {
        let items = vec![format!("*{previous}"); 9].join(", ");
        writeln!(text, "{name}: &{name} [{items}]").unwrap();
        previous = name;
    }
    text.push_str("dependencies:\n  - numpy\n  - *z\n");
    let start = Instant::now();
    let manifest = parse_text(&text);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(manifest.requirements.len(), 1);
    assert_eq!(manifest.issues.len(), 1, "{:?}", manifest.issues);
    assert_eq!(manifest.issues[0].location.text(), "*z");
}

#[test]
fn deep_nesting_is_refused_without_overflow() {
    let flow = format!(
        "dependencies: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let manifest = parse_text(&flow);
    assert_eq!(manifest.issues.len(), 1, "{:?}", manifest.issues);
    let block: String = (0..200).map(|depth| "  ".repeat(depth) + "- \n").collect();
    let manifest = parse_text(&format!("dependencies:\n{block}"));
    assert_eq!(manifest.issues.len(), 1, "{:?}", manifest.issues);
    assert!(
        manifest.issues[0].message.contains("deeper"),
        "{}",
        manifest.issues[0].message
    );
}

#[test]
fn positions_survive_multibyte_text_bom_and_crlf() {
    let manifest = parse_text(
        "\u{feff}name: ümlaut-ñ\r\ndependencies:\r\n  - \"numpy >=1.20\" # ä\r\n  - 'scipy=1.5'\r\n",
    );
    let texts: Vec<&str> = manifest
        .requirements
        .iter()
        .map(|r| r.location.text())
        .collect();
    assert_eq!(texts, ["numpy >=1.20", "scipy=1.5"]);
    let versions: Vec<&str> = manifest
        .requirements
        .iter()
        .map(|r| r.version_location.as_ref().unwrap().text())
        .collect();
    assert_eq!(versions, [">=1.20", "=1.5"]);
    assert_eq!(manifest.requirements[0].location.start().line, 3);
    assert_eq!(manifest.requirements[0].location.start().column, 6);
}

#[test]
fn escaped_values_fall_back_to_the_whole_value() {
    let manifest = parse_text("dependencies:\n  - \"numpy\\x3e=1.20\"\n");
    let requirement = &manifest.requirements[0];
    assert_eq!(requirement.specifiers.to_string(), ">=1.20");
    assert_eq!(requirement.location.text(), "numpy\\x3e=1.20");
    assert_eq!(
        requirement.version_location.as_ref().unwrap().text(),
        "numpy\\x3e=1.20"
    );
}

#[test]
fn python_sets_the_python_constraint() {
    let manifest = parse_text("dependencies:\n  - python=3.8\n  - numpy\n");
    let python = manifest.python.as_ref().unwrap();
    assert_eq!(python.specifiers.to_string(), "==3.8.*");
    assert_eq!(python.location.text(), "python=3.8");
    assert_eq!(manifest.requirements.len(), 1);
    assert_eq!(manifest.environments[0].requirements, [0]);
}

#[test]
fn never_panics_on_arbitrary_input() {
    for text in [
        "",
        "\u{feff}",
        "---",
        "- a",
        "a: [",
        "dependencies: {pip: 3}",
        "dependencies:\n- pip:\n  - {a: b}\n",
        "? [a]\n: b",
        "!!binary x: y",
        "dependencies: &a [*a]",
    ] {
        let _ = parse_text(text);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Generated environment files: every requirement's span is the spec as written, and its version span the
    /// version part as written.
    #[test]
    fn spans_are_the_written_text(
        specs in proptest::collection::vec(
            (
                proptest::option::of("(conda-forge|pytorch|pkgs/main|conda-forge/linux-64)::"),
                "(numpy|scipy|py-opencv|pytorch|scikit-learn|_libgcc_mutex)",
                proptest::option::of((
                    "(=|==|>=|<=|!=|~=| |  >=| <)",
                    "1\\.[0-9]{1,2}(\\.[0-9])?(\\.\\*)?",
                    proptest::option::of(",<2\\.0a0"),
                )),
                proptest::option::of("py3[0-9]h[0-9a-f]{4}_[0-9]"),
                0..3usize,
                "[ ]{0,2}",
            ),
            1..6,
        )
    ) {
        let mut text = String::from("name: prop\ndependencies:\n");
        let mut expected = Vec::new();
        for (channel, name, version, build, quoting, trailing) in &specs {
            let version_text = version
                .as_ref()
                .map(|(op, number, upper)| format!("{op}{number}{}", upper.clone().unwrap_or_default()));
            let mut spec = format!("{}{name}", channel.clone().unwrap_or_default());
            if let Some(version_text) = &version_text {
                spec.push_str(version_text);
            }
            // A build needs a version before it, separated by `=` (after `=`) or a blank.
            let build = build.as_ref().filter(|_| version.as_ref().is_some_and(|(op, _, upper)| *op == "=" && upper.is_none()));
            if let Some(build) = build {
                spec.push('=');
                spec.push_str(build);
            }
            let line = match quoting {
                0 => format!("  - {spec}{trailing}\n"),
                1 => format!("  - '{spec}'{trailing}\n"),
                _ => format!("  - \"{spec}\"{trailing} # note\n"),
            };
            text.push_str(&line);
            expected.push((spec, version_text.map(|v| v.trim().to_owned())));
        }
        let manifest = parse_text(&text);
        let mut requirements = manifest.requirements.iter().peekable();
        for (spec, version) in &expected {
            if let Some(requirement) = requirements.next_if(|r| r.location.text() == spec.trim()) {
                proptest::prop_assert_eq!(
                    requirement.version_location.as_ref().map(|l| l.text().to_owned()),
                    version.clone(),
                    "{}", text
                );
            } else {
                // A version conda refuses (`~=1.5.*`) is an issue at the version instead of a requirement.
                let version = version.as_deref().unwrap_or_default();
                proptest::prop_assert!(
                    manifest.issues.iter().any(|issue| issue.location.text() == version),
                    "`{}` is neither a requirement nor an issue in\n{}\n{:?}", spec, text, manifest.issues
                );
            }
        }
        proptest::prop_assert!(requirements.next().is_none());
    }
}
