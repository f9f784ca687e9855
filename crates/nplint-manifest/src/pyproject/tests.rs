//! Tests of the pyproject.toml reader that fixtures cannot express: properties, limits, exact spans.

use proptest::prelude::*;

use crate::test_support::{self, environment, messages};
use crate::{Format, IssueKind, Manifest};

fn parse(text: &str) -> Manifest {
    test_support::read(super::parse, Format::Pyproject, "pyproject.toml", text)
}

#[test]
fn a_dotted_key_over_a_value_is_an_error_not_a_panic() {
    // toml_edit 0.23 panicked on this ("all items have spans"), found by the pyproject fuzz target; 0.25 reports it.
    let manifest = parse("==1\"o\"W\0\0\0\u{1}\u{1}\u{7}\0]\n.am.e''' =\"0u[proje=1\", \"=");
    assert_eq!(manifest.issues.len(), 1);
    assert_eq!(manifest.issues[0].kind, IssueKind::Invalid);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for depth in [100, 10_000, 100_000] {
        let arrays = format!("a = {}1{}", "[".repeat(depth), "]".repeat(depth));
        let tables = format!("a = {}1{}", "{b = ".repeat(depth), "}".repeat(depth));
        let keys = format!("{} = 1", vec!["a"; depth].join("."));
        let dependencies = format!(
            "[project]\ndependencies = {}\"numpy\"{}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        for text in [arrays, tables, keys, dependencies] {
            let manifest = parse(&text);
            assert_eq!(manifest.issues.len(), 1, "{:?}", messages(&manifest));
            assert_eq!(manifest.issues[0].kind, IssueKind::Invalid);
        }
    }
}

#[test]
fn nesting_below_the_limit_reads_types() {
    let manifest = parse("[project]\ndependencies = [[[\"numpy\"]]]\n");
    assert_eq!(
        messages(&manifest),
        ["expected a string for `project.dependencies`, found an array"]
    );
    assert_eq!(manifest.issues[0].location.text(), "[[\"numpy\"]]");
}

#[test]
fn included_groups_are_shared_not_copied() {
    let manifest = parse(
        r#"
[project]
name = "demo"
dependencies = ["numpy>=1.26"]
[project.optional-dependencies]
plot = ["matplotlib"]
all = ["demo[plot]", "pandas"]
[dependency-groups]
test = ["pytest", {include-group = "lint"}]
lint = ["ruff"]
ci = [{include-group = "test"}, {include-group = "Lint"}, "demo[plot]"]
[tool.uv]
constraint-dependencies = ["scipy<2"]
"#,
    );
    assert!(manifest.issues.is_empty(), "{:?}", messages(&manifest));
    let names: Vec<_> = manifest
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "project",
            "project[plot]",
            "project[all]",
            "group:test",
            "group:lint",
            "group:ci"
        ]
    );
    // Each requirement exists once; environments refer to them.
    assert_eq!(manifest.requirements.len(), 8);
    assert_eq!(
        environment(&manifest, "project"),
        ["numpy>=1.26", "scipy<2"]
    );
    assert_eq!(
        environment(&manifest, "project[all]"),
        ["numpy>=1.26", "matplotlib", "pandas", "scipy<2"]
    );
    assert_eq!(
        environment(&manifest, "group:test"),
        ["numpy>=1.26", "pytest", "ruff", "scipy<2"]
    );
    assert_eq!(
        environment(&manifest, "group:ci"),
        ["numpy>=1.26", "matplotlib", "pytest", "ruff", "scipy<2"]
    );
}

#[test]
fn include_cycles_and_unknown_groups_are_located() {
    let text = r#"[dependency-groups]
a = ["numpy", {include-group = "b"}]
b = [{include-group = "c"}]
c = [{include-group = "a"}, {include-group = "missing"}]
"#;
    let manifest = parse(text);
    assert_eq!(
        messages(&manifest),
        [
            "dependency groups include each other in a cycle: `a` -> `b` -> `c` -> `a`",
            "dependency group `c` includes `missing`, which is not defined",
        ]
    );
    assert_eq!(
        manifest.issues[0].location.text(),
        r#"{include-group = "a"}"#
    );
    assert_eq!(manifest.issues[0].location.start().line, 4);
    // Every group of the cycle still gets the others' requirements, once.
    for group in ["group:a", "group:b", "group:c"] {
        assert_eq!(environment(&manifest, group), ["numpy"], "{group}");
    }
}

#[test]
fn escaped_strings_fall_back_to_the_whole_string() {
    let manifest = parse("[project]\ndependencies = [\"numpy\\u003e=1.26\", 'scipy >= 1.11']\n");
    let [numpy, scipy] = manifest.requirements.as_slice() else {
        panic!("two requirements")
    };
    assert_eq!(numpy.specifiers.to_string(), ">=1.26");
    assert_eq!(numpy.location.text(), r"numpy\u003e=1.26");
    assert_eq!(
        numpy.version_location.as_ref().unwrap().text(),
        r"numpy\u003e=1.26"
    );
    assert_eq!(scipy.version_location.as_ref().unwrap().text(), ">= 1.11");
}

#[test]
fn a_bom_does_not_hide_the_first_table() {
    let manifest = parse("\u{feff}[project]\ndependencies = [\"numpy\"]\n");
    assert!(manifest.issues.is_empty(), "{:?}", messages(&manifest));
    assert_eq!(manifest.requirements.len(), 1);
}

#[test]
fn never_panics_on_arbitrary_text() {
    let mut runner = proptest::test_runner::TestRunner::default();
    let strategy = "(\\[project\\]|\\[tool\\.poetry\\.dependencies\\]|\\[dependency-groups\\]|[a-z=\"'{}\\[\\],.^~*|<> \n0-9-]){0,80}";
    runner
        .run(&strategy, |text| {
            let manifest = parse(&text);
            for requirement in &manifest.requirements {
                prop_assert!(!requirement.location.span.is_empty());
            }
            Ok(())
        })
        .unwrap();
}

/// A PEP 508 requirement as parts, so that the expected spans are known.
fn requirement() -> impl Strategy<Value = (String, String)> {
    let name = "[a-zA-Z][a-zA-Z0-9]{0,6}([-_.][a-zA-Z0-9]{1,4})?";
    let extras = prop_oneof![
        Just(String::new()),
        "\\[[a-z]{1,5}(, ?[a-z]{1,5})?\\]".prop_map(String::from)
    ];
    let release = "(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){0,3}";
    let suffix = "(a1|rc2|\\.post1|\\.dev0)?";
    let operator = prop_oneof![
        Just(">="),
        Just("<"),
        Just("=="),
        Just("!="),
        Just("~="),
        Just(">"),
        Just("<=")
    ];
    let clause =
        (operator, release, suffix, "( ?)").prop_map(|(operator, release, suffix, space)| {
            // `~=` needs at least two release segments.
            let release = if operator == "~=" && !release.contains('.') {
                format!("{release}.0")
            } else {
                release
            };
            format!("{operator}{space}{release}{suffix}")
        });
    let specifiers = prop::collection::vec(clause, 0..3).prop_map(|clauses| clauses.join(","));
    let marker = prop_oneof![
        Just(String::new()),
        Just("; python_version < '3.12'".to_owned()),
        Just(" ; sys_platform == 'linux' and extra == 'x'".to_owned()),
    ];
    (name, extras, specifiers, marker, any::<bool>()).prop_map(
        |(name, extras, specifiers, marker, paren)| {
            let version = match (specifiers.is_empty(), paren) {
                (true, _) => String::new(),
                (false, true) => format!("({specifiers})"),
                (false, false) => specifiers,
            };
            let space = if version.is_empty() || paren { "" } else { " " };
            (format!("{name}{extras}{space}{version}{marker}"), version)
        },
    )
}

proptest! {
    #[test]
    fn spans_point_at_the_generated_text(
        dependencies in prop::collection::vec((requirement(), any::<bool>()), 1..5),
        group in prop::collection::vec((requirement(), any::<bool>()), 0..4),
    ) {
        let quote = |text: &str, literal: bool| if literal { format!("'{text}'") } else { format!("\"{text}\"") };
        let array = |entries: &[((String, String), bool)]| {
            let mut out = String::new();
            for ((text, _), literal) in entries {
                // A literal string cannot hold the markers' single quotes.
                let literal = *literal && !text.contains('\'');
                out.push_str("\n    ");
                out.push_str(&quote(text, literal));
                out.push_str(",  # comment");
            }
            out
        };
        let toml = format!(
            "[project]\nname = \"the-project-name\"\ndependencies = [{}\n]\n\n[dependency-groups]\ndev = [{}\n]\n",
            array(&dependencies),
            array(&group)
        );
        let manifest = parse(&toml);
        prop_assert!(manifest.issues.is_empty(), "{:?}\n{}", messages(&manifest), toml);
        let expected: Vec<_> = dependencies.iter().chain(&group).map(|(requirement, _)| requirement).collect();
        prop_assert_eq!(manifest.requirements.len(), expected.len());
        for (requirement, (text, version)) in manifest.requirements.iter().zip(expected) {
            prop_assert_eq!(requirement.location.text(), text.as_str());
            let version_text = requirement.version_location.as_ref().map(nplint_diagnostics::Location::text);
            prop_assert_eq!(version_text, (!version.is_empty()).then_some(version.as_str()), "{}", text);
        }
        prop_assert_eq!(environment(&manifest, "group:dev").len(), dependencies.len() + group.len());
    }
}

#[test]
fn uv_sources_take_dependencies_off_the_index() {
    let manifest = parse(
        r#"
[project]
name = "app"
dependencies = ["member", "local>=1", "fork", "wheel", "torch>=2", "mixed", "numpy>=2"]
[dependency-groups]
dev = ["member"]
[build-system]
requires = ["member"]
[tool.uv]
constraint-dependencies = ["member<2"]
[tool.uv.sources]
member = { workspace = true }
local = { path = "../local", editable = true }
fork = { git = "https://example.invalid/fork", tag = "v1" }
wheel = { url = "https://example.invalid/wheel-1.0-py3-none-any.whl" }
torch = { index = "pytorch-cpu" }
mixed = [
    { path = "./mixed", marker = "sys_platform == 'linux'" },
    { index = "other", marker = "sys_platform != 'linux'" },
]
"#,
    );
    let sources: Vec<(String, String, String)> = manifest
        .requirements
        .iter()
        .map(|requirement| {
            (
                requirement.display(),
                format!("{:?}", requirement.origin.section),
                format!("{:?}", requirement.source),
            )
        })
        .collect();
    let source_of = |display: &str, section: &str| {
        sources
            .iter()
            .find(|(text, from, _)| text == display && from.starts_with(section))
            .map_or_else(
                || panic!("no `{display}` in {section}: {sources:?}"),
                |(_, _, source)| source.clone(),
            )
    };
    let workspace = r#"Path("workspace member")"#;
    assert_eq!(source_of("member", "ProjectDependencies"), workspace);
    assert_eq!(source_of("member", "DependencyGroup"), workspace);
    assert_eq!(
        source_of("local>=1", "ProjectDependencies"),
        r#"Path("../local")"#
    );
    assert_eq!(
        source_of("fork", "ProjectDependencies"),
        r#"Url("git+https://example.invalid/fork")"#
    );
    assert!(source_of("wheel", "ProjectDependencies").starts_with("Url("));
    // An index is still an index; so is a name with an index among its sources.
    assert_eq!(source_of("torch>=2", "ProjectDependencies"), "Registry");
    assert_eq!(source_of("mixed", "ProjectDependencies"), "Registry");
    assert_eq!(source_of("numpy>=2", "ProjectDependencies"), "Registry");
    // uv does not apply sources to the build system; a constraint stays a constraint on the index's versions.
    assert_eq!(source_of("member", "BuildSystem"), "Registry");
    assert_eq!(source_of("member<2", "UvConstraints"), "Registry");
}
