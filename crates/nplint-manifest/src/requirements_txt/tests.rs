//! Tests of whole files: includes, roles, spans, and a property test of spans over generated files.

use std::fmt::Write as _;
use std::path::Path;

use nplint_diagnostics::{SourceFile, Span};
use proptest::prelude::*;

use super::*;
use crate::test_support::messages;
use crate::{Format, IssueKind, MemoryLoader, RequirementSource};

fn load(loader: &MemoryLoader, path: &str) -> Manifest {
    crate::load(Path::new(path), Format::RequirementsTxt, loader).expect("root file exists")
}

fn parse_text(text: &str) -> Manifest {
    load(
        &MemoryLoader::from([("requirements.txt", text)]),
        "requirements.txt",
    )
}

fn names(manifest: &Manifest) -> Vec<String> {
    manifest
        .requirements
        .iter()
        .map(|r| {
            r.name
                .as_ref()
                .map_or_else(|| "?".to_owned(), ToString::to_string)
        })
        .collect()
}

#[test]
fn discovery() {
    for name in [
        "requirements.txt",
        "requirements-dev.txt",
        "requirements_test.txt",
        "Requirements.txt",
        "dev-requirements.txt",
        "test_requirements.txt",
        "constraints.txt",
        "constraints-py38.txt",
        "package_constraints.txt",
        "pip-constraints.txt",
        "requirement.txt",
        "requirements.in",
        "requirements-dev.in",
        "dev.in",
    ] {
        assert!(discover(name), "{name}");
    }
    for name in [
        "MANIFEST.in",
        "Makefile.in",
        "config.h.in",
        "setup.py.in",
        ".in",
        "notes.txt",
        "requirements.md",
    ] {
        assert!(!discover(name), "{name}");
    }
}

#[test]
fn one_environment_with_every_requirement() {
    let loader = MemoryLoader::from([
        ("r.txt", "numpy\n-c c.txt\nscipy\n"),
        ("c.txt", "numpy<2\n"),
    ]);
    let manifest = load(&loader, "r.txt");
    assert_eq!(names(&manifest), ["numpy", "numpy", "scipy"]);
    assert_eq!(manifest.environments.len(), 1);
    assert_eq!(manifest.environments[0].name, "requirements");
    assert_eq!(manifest.environments[0].requirements, [0, 1, 2]);
    assert_eq!(manifest.requirements[1].role, Role::Constraint);
    assert_eq!(
        manifest.requirements[1].origin.section,
        Section::Constraints
    );
    assert_eq!(
        manifest.requirements[1].origin.include_chain[0].text(),
        "-c c.txt"
    );
    assert!(manifest.python.is_none());
}

#[test]
fn includes_are_relative_to_the_including_file() {
    let loader = MemoryLoader::from([
        ("app/requirements.txt", "-r base/common.txt\n"),
        ("app/base/common.txt", "--requirement=../../shared.txt\n"),
        ("shared.txt", "numpy==1.26.4\n"),
    ]);
    let manifest = load(&loader, "app/requirements.txt");
    assert!(manifest.issues.is_empty(), "{:?}", manifest.issues);
    let numpy = &manifest.requirements[0];
    assert_eq!(
        portable_path(numpy.location.file.path()),
        "app/base/../../shared.txt"
    );
    let chain: Vec<_> = numpy
        .origin
        .include_chain
        .iter()
        .map(Location::text)
        .collect();
    assert_eq!(
        chain,
        ["-r base/common.txt", "--requirement=../../shared.txt"]
    );
    assert_eq!(manifest.sources.len(), 3);
}

/// Lightning-AI/pytorch-lightning's `requirements.txt` is `-r ./requirements/fabric/base.txt` and
/// `-r ./requirements/pytorch/base.txt`: the files are named without the `./`, and `..` is kept.
#[test]
fn included_paths_drop_current_dir_components() {
    let loader = MemoryLoader::from([
        (
            "project/requirements.txt",
            "-r ./requirements/fabric/base.txt\n-r requirements/./pytorch/../pytorch/base.txt\n",
        ),
        (
            "project/requirements/fabric/base.txt",
            "torch >=2.1.0, <2.6.0\n",
        ),
        (
            "project/requirements/pytorch/base.txt",
            "tqdm >=4.57.0, <4.67.0\n",
        ),
    ]);
    let manifest = load(&loader, "project/requirements.txt");
    assert!(manifest.issues.is_empty(), "{:?}", manifest.issues);
    let paths: Vec<_> = manifest
        .requirements
        .iter()
        .map(|requirement| portable_path(requirement.location.file.path()))
        .collect();
    assert_eq!(
        paths,
        [
            "project/requirements/fabric/base.txt",
            "project/requirements/pytorch/../pytorch/base.txt"
        ]
    );
}

#[test]
fn a_file_included_twice_is_read_once_and_counted_twice() {
    let loader = MemoryLoader::from([
        ("r.txt", "-r a.txt\n-r b.txt\n"),
        ("a.txt", "-r common.txt\n"),
        ("b.txt", "-r ./common.txt\n"),
        ("common.txt", "numpy\n"),
    ]);
    let manifest = load(&loader, "r.txt");
    assert!(manifest.issues.is_empty(), "{:?}", manifest.issues);
    assert_eq!(names(&manifest), ["numpy", "numpy"]);
    assert_eq!(manifest.sources.len(), 4);
}

#[test]
fn cycles_are_reported_at_the_closing_include() {
    let loader = MemoryLoader::from([
        ("r.txt", "numpy\n-r a.txt\n"),
        ("a.txt", "scipy\n-r b.txt\n"),
        ("b.txt", "-r a.txt\npandas\n"),
    ]);
    let manifest = load(&loader, "r.txt");
    assert_eq!(names(&manifest), ["numpy", "scipy", "pandas"]);
    assert_eq!(
        messages(&manifest),
        ["include cycle: `a.txt` -> `b.txt` -> `a.txt`"]
    );
    let issue = &manifest.issues[0];
    assert_eq!(issue.kind, IssueKind::Invalid);
    assert_eq!(portable_path(issue.location.file.path()), "b.txt");
    assert_eq!(issue.location.text(), "-r a.txt");
    assert_eq!(issue.related.len(), 1);
    assert_eq!(portable_path(issue.related[0].0.file.path()), "a.txt");
    assert_eq!(issue.related[0].0.text(), "-r b.txt");
}

#[test]
fn a_file_including_itself_is_a_cycle() {
    let manifest = parse_text("numpy\n-r ./requirements.txt\n");
    assert_eq!(names(&manifest), ["numpy"]);
    assert_eq!(
        messages(&manifest),
        ["include cycle: `requirements.txt` -> `requirements.txt`"]
    );
    assert!(manifest.issues[0].related.is_empty());
}

#[test]
fn deep_include_chains_do_not_overflow() {
    const DEPTH: usize = 1_000;
    let mut loader = MemoryLoader::default();
    for level in 0..DEPTH {
        loader.insert(
            format!("r{level}.txt"),
            format!("-r r{}.txt\npkg{level}\n", level + 1),
        );
    }
    loader.insert(format!("r{DEPTH}.txt"), "numpy==1.26.4\n");
    let manifest = load(&loader, "r0.txt");
    assert!(manifest.issues.is_empty(), "{:?}", manifest.issues.first());
    assert_eq!(manifest.requirements.len(), DEPTH + 1);
    let numpy = &manifest.requirements[0];
    assert_eq!(numpy.name.as_ref().unwrap().to_string(), "numpy");
    assert_eq!(numpy.origin.include_chain.len(), DEPTH);
    assert_eq!(manifest.requirements[DEPTH].origin.include_chain.len(), 0);
    assert_eq!(manifest.sources.len(), DEPTH + 1);
}

#[test]
fn include_depth_is_capped() {
    let mut loader = MemoryLoader::default();
    for level in 0..=MAX_INCLUDE_DEPTH + 1 {
        loader.insert(format!("r{level}"), format!("-r r{}", level + 1));
    }
    let manifest = load(&loader, "r0");
    assert_eq!(
        messages(&manifest),
        ["includes nest more than 10000 files deep"]
    );
    assert_eq!(manifest.issues[0].kind, IssueKind::Unread);
    assert_eq!(
        portable_path(manifest.issues[0].location.file.path()),
        "r10000"
    );
}

#[test]
fn missing_and_remote_includes() {
    let manifest = parse_text(
        "-r missing.txt\n-c https://files.example.com/constraints.txt\n-r ${CONFIG_DIR}/base.txt\nnumpy\n",
    );
    assert_eq!(names(&manifest), ["numpy"]);
    assert_eq!(
        messages(&manifest),
        [
            "cannot read included file `missing.txt`: file not found",
            "remote file `https://files.example.com/constraints.txt` was not read",
            "`${CONFIG_DIR}/base.txt` was not read because nplint does not expand `${CONFIG_DIR}`",
        ]
    );
    let kinds: Vec<_> = manifest.issues.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [IssueKind::Invalid, IssueKind::Unread, IssueKind::Unread]
    );
    assert_eq!(manifest.issues[0].location.text(), "-r missing.txt");
}

#[test]
fn file_urls_are_read_as_paths() {
    let loader = MemoryLoader::from([
        ("dir/r.txt", "-r file:///abs/base.txt\n"),
        ("/abs/base.txt", "numpy\n"),
    ]);
    let manifest = load(&loader, "dir/r.txt");
    assert!(manifest.issues.is_empty(), "{:?}", manifest.issues);
    assert_eq!(names(&manifest), ["numpy"]);
}

#[test]
fn invalid_utf8_in_an_included_file() {
    let mut loader = MemoryLoader::from([("r.txt", "-r bad.txt\nnumpy\n")]);
    loader.insert("bad.txt", b"sci\xffpy\n");
    let manifest = load(&loader, "r.txt");
    assert_eq!(names(&manifest), ["numpy"]);
    assert_eq!(messages(&manifest), ["file is not valid UTF-8"]);
    assert_eq!(manifest.issues[0].location.span, Span::new(3, 6));
    assert_eq!(manifest.issues[0].related[0].0.text(), "-r bad.txt");
}

#[test]
fn requirements_in_a_constraints_file_include_follow_pip() {
    // pip's `nested_constraint`: `-r` in a constraints file includes requirements, `-c` constraints.
    let loader = MemoryLoader::from([
        ("r.txt", "-c c.txt\n"),
        ("c.txt", "numpy<2\n-r more.txt\n-c more-constraints.txt\n"),
        ("more.txt", "scipy\n"),
        ("more-constraints.txt", "pandas<2\n"),
    ]);
    let manifest = load(&loader, "r.txt");
    let roles: Vec<_> = manifest.requirements.iter().map(|r| r.role).collect();
    assert_eq!(
        roles,
        [Role::Constraint, Role::Requirement, Role::Constraint]
    );
    assert_eq!(
        manifest.requirements[1].origin.section,
        Section::Requirements
    );
}

#[test]
fn invalid_constraints() {
    let loader = MemoryLoader::from([
        ("r.txt", "-c c.txt\n"),
        ("c.txt", "-e ./pkg\n./other\nnumpy[dev]<2\nscipy<2\n"),
    ]);
    let manifest = load(&loader, "r.txt");
    assert_eq!(
        messages(&manifest),
        [
            "editable requirements are not allowed as constraints",
            "unnamed requirements are not allowed as constraints",
            "constraints cannot have extras",
        ]
    );
    assert_eq!(manifest.requirements.len(), 4);
}

#[test]
fn what_pip_takes_from_a_line() {
    let manifest = parse_text(
        "numpy -r other.txt\n-e ./a -e ./b\n-r x.txt -c y.txt\nscipy --hash=sha256:abc pandas\n",
    );
    assert_eq!(names(&manifest), ["numpy", "?", "scipy"]);
    assert_eq!(
        messages(&manifest),
        [
            "pip ignores `-r other.txt` on this line",
            "pip ignores `-e ./b` on this line",
            "pip ignores `-c y.txt` on this line",
            "cannot read included file `x.txt`: file not found",
            "pip ignores `pandas` after the options of a line",
        ]
    );
    assert!(manifest.requirements[1].editable);
}

#[test]
fn options_only_lines() {
    let manifest = parse_text(
        "--index-url https://example.invalid/simple\n--extra-index-url=https://files.example.com/simple\n\
         --no-index\n-f ./wheels\n--pre\n--prefer-binary\n--only-binary=:all:\n--no-binary numpy\n\
         --require-hashes\n--trusted-host example.invalid\n--use-feature=fast-deps\n-Z\n-i https://x.invalid\n",
    );
    assert!(manifest.issues.is_empty(), "{:?}", messages(&manifest));
    assert!(manifest.requirements.is_empty());
    // The indexes, in order and as written, whichever spelling names them.
    assert_eq!(
        manifest.indexes,
        [
            "https://example.invalid/simple",
            "https://files.example.com/simple",
            "https://x.invalid"
        ]
    );
}

#[test]
fn per_requirement_options_are_excluded_from_the_span() {
    let text = "numpy==1.26.4 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\n\
                scipy --global-option=--quiet --install-option=--x -C key=value --config-settings=a=b\n";
    let manifest = parse_text(text);
    assert!(manifest.issues.is_empty(), "{:?}", messages(&manifest));
    let spans: Vec<_> = manifest
        .requirements
        .iter()
        .map(|r| r.location.text())
        .collect();
    assert_eq!(spans, ["numpy==1.26.4", "scipy"]);
    assert_eq!(
        manifest.requirements[0]
            .version_location
            .as_ref()
            .unwrap()
            .text(),
        "==1.26.4"
    );
}

#[test]
fn unknown_options_are_located() {
    let manifest = parse_text("numpy --upgrade\n--user\n");
    assert_eq!(
        messages(&manifest),
        ["unknown option `--upgrade`", "unknown option `--user`"]
    );
    assert_eq!(manifest.issues[0].location.text(), "--upgrade");
    assert_eq!(manifest.issues[1].location.start().line, 2);
    assert_eq!(
        names(&manifest),
        ["numpy"],
        "the requirement itself is still read"
    );
}

#[test]
fn env_variables() {
    let manifest = parse_text(
        "numpy==${NUMPY_VERSION}\npkg @ https://${HOST}/pkg-1.0.tar.gz\n${lower}\n-e git+https://${TOKEN}@example.invalid/r.git#egg=r\n",
    );
    assert_eq!(names(&manifest), ["pkg", "r"]);
    let issues: Vec<_> = manifest
        .issues
        .iter()
        .map(|i| (i.kind, i.location.text()))
        .collect();
    assert_eq!(
        issues,
        [
            (IssueKind::Unread, "numpy==${NUMPY_VERSION}"),
            (IssueKind::Unread, "${HOST}"),
            // Not a variable to pip (lowercase): an invalid requirement, located where PEP 508 parsing fails.
            (IssueKind::Invalid, "$"),
            (IssueKind::Unread, "${TOKEN}"),
        ]
    );
    assert_eq!(super::env_variables("${A}${B_1} ${c} $X ${"), [0..4, 4..10]);
}

#[test]
fn invalid_requirements_point_at_the_failure() {
    let manifest = parse_text("numpy>=1.20\n  scipy>>1.5  # typo\n");
    assert_eq!(names(&manifest), ["numpy"]);
    let issue = &manifest.issues[0];
    assert_eq!(issue.message, "`scipy>>1.5` is not a valid requirement");
    assert_eq!(issue.location.text(), ">>1.5");
    assert_eq!(
        (issue.location.start().line, issue.location.start().column),
        (2, 8)
    );
    assert!(issue.label.is_some());
}

#[test]
fn bom_and_crlf() {
    let manifest = parse_text("\u{feff}numpy==1.26.4\r\nscipy \\\r\n  >=1.11\r\n");
    assert!(manifest.issues.is_empty(), "{:?}", messages(&manifest));
    let numpy = &manifest.requirements[0];
    assert_eq!(numpy.location.span, Span::new(3, 16));
    assert_eq!(
        (numpy.location.start().line, numpy.location.start().column),
        (1, 1)
    );
    assert_eq!(
        manifest.requirements[1].location.text(),
        "scipy \\\r\n  >=1.11"
    );
    assert_eq!(
        manifest.requirements[1]
            .version_location
            .as_ref()
            .unwrap()
            .text(),
        ">=1.11"
    );
}

#[test]
fn pip_entries_verbatim_and_escaped() {
    let yml = "dependencies:\n  - pip:\n    - numpy>=1.20 # pinned\n    - \"scipy\\u003e=1\"\n    - -r reqs.txt\n";
    let source = SourceFile::new("env/environment.yml", yml);
    let loader = MemoryLoader::from([("env/reqs.txt", "pandas\n")]);
    let mut manifest = Manifest::new(Format::CondaEnvironment, source.clone());
    let entry = |needle: &str| {
        let start = yml.find(needle).unwrap();
        Span::from_range(start..start + needle.len())
    };
    parse_pip_entry(
        &mut manifest,
        &loader,
        &source,
        "numpy>=1.20 # pinned",
        entry("numpy>=1.20 # pinned"),
        Section::CondaPip,
    );
    parse_pip_entry(
        &mut manifest,
        &loader,
        &source,
        "scipy>=1",
        entry("\"scipy\\u003e=1\""),
        Section::CondaPip,
    );
    parse_pip_entry(
        &mut manifest,
        &loader,
        &source,
        "-r reqs.txt",
        entry("-r reqs.txt"),
        Section::CondaPip,
    );
    assert!(manifest.issues.is_empty(), "{:?}", messages(&manifest));
    assert_eq!(names(&manifest), ["numpy", "scipy", "pandas"]);
    let [numpy, scipy, pandas] = &manifest.requirements[..] else {
        panic!()
    };
    assert_eq!(numpy.location.text(), "numpy>=1.20");
    assert_eq!(numpy.version_location.as_ref().unwrap().text(), ">=1.20");
    assert_eq!(scipy.location.text(), "\"scipy\\u003e=1\"");
    assert!(
        scipy
            .version_location
            .as_ref()
            .is_none_or(|v| v.span == scipy.location.span)
    );
    assert_eq!(pandas.origin.section, Section::CondaPip);
    assert_eq!(pandas.origin.include_chain[0].text(), "-r reqs.txt");
    assert!(
        manifest.environments.is_empty(),
        "the conda parser makes the environments"
    );
}

#[test]
fn urls_paths_and_editables() {
    let manifest = parse_text(
        "./vendor/pkg[gpu]\n../wheels/numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl\n\
         https://files.example.com/scipy-1.11.4.tar.gz ; python_version >= \"3.9\"\n\
         -e git+https://example.invalid/org/tool.git@v2#egg=tool\n--editable=.[dev]\n",
    );
    assert!(manifest.issues.is_empty(), "{:?}", messages(&manifest));
    assert_eq!(names(&manifest), ["?", "numpy", "scipy", "tool", "?"]);
    let sources: Vec<_> = manifest.requirements.iter().map(|r| &r.source).collect();
    assert!(matches!(sources[0], RequirementSource::Path(p) if p == "./vendor/pkg"));
    assert!(
        matches!(sources[2], RequirementSource::Url(u) if u == "https://files.example.com/scipy-1.11.4.tar.gz")
    );
    assert_eq!(
        manifest.requirements[3].location.text(),
        "git+https://example.invalid/org/tool.git@v2#egg=tool"
    );
    assert_eq!(manifest.requirements[4].location.text(), ".[dev]");
    assert!(manifest.requirements[4].editable);
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "\\",
        "\\\\\n",
        "-",
        "--",
        "-e",
        "-r",
        "#",
        " \\\n#",
        "numpy ;",
        "[",
        "]",
        "./[x]",
        "-r ''",
        "'",
        "\"",
        "-e \"",
        "a @",
        "@",
        "numpy\u{2028}scipy",
        "\u{feff}",
        "\u{feff}\\",
        "${",
        "-C",
        "--hash",
        "-Zr",
        "pkg[",
        "x.whl",
        "-e x.whl[",
        ";",
        "; ",
        "http://",
        "git+",
        "-e git:",
        "file:",
        "-r file:",
    ] {
        let manifest = parse_text(text);
        for requirement in &manifest.requirements {
            assert!(!requirement.location.span.is_empty(), "{text:?}");
        }
    }
}

/// A generated requirement: its text and the part of it that is the version.
#[derive(Debug, Clone)]
struct Generated {
    text: String,
    version: Option<String>,
}

fn requirement_strategy() -> impl Strategy<Value = Generated> {
    let name = prop::sample::select(vec![
        "numpy",
        "SciPy",
        "scikit_learn",
        "torch",
        "py.test",
        "tensorflow-gpu",
    ]);
    let extras = prop::option::of(prop::sample::select(vec!["[dev]", "[a,b]", " [gpu]"]));
    let operator = prop::sample::select(vec!["==", "!=", "<=", ">=", "<", ">", "~=", "==="]);
    let version = prop::sample::select(vec!["1.26.4", "2", "1.19.5", "0.24.2rc1", "2.0.post1"]);
    let spec = prop::option::of((
        operator,
        prop::bool::ANY,
        version,
        prop::option::of(Just((">=", "1.0"))),
    ));
    let marker = prop::option::of(prop::sample::select(vec![
        "; python_version < \"3.12\"",
        " ; sys_platform == 'linux' and platform_machine == 'x86_64'",
    ]));
    (name, extras, spec, marker).prop_map(|(name, extras, spec, marker)| {
        let mut text = name.to_owned();
        text.push_str(extras.unwrap_or(""));
        let version = spec.map(|(operator, space, version, second)| {
            let wildcard = if operator == "==" && version == "2" {
                ".*"
            } else {
                ""
            };
            // `~=` needs two release segments.
            let version = if operator == "~=" && version == "2" {
                "2.0"
            } else {
                version
            };
            let mut spec = format!(
                "{operator}{}{version}{wildcard}",
                if space { " " } else { "" }
            );
            if let Some((op, v)) = second {
                write!(spec, ",{op}{v}").expect("writing to a string");
            }
            spec
        });
        if let Some(version) = &version {
            text.push_str(version);
        }
        text.push_str(marker.unwrap_or(""));
        Generated { text, version }
    })
}

/// How a generated requirement is written into the file.
#[derive(Debug, Clone)]
struct Layout {
    /// Byte offsets of `text` (at ASCII spaces or operator starts) after which a `\` + line break is inserted.
    breaks: Vec<prop::sample::Index>,
    indent: &'static str,
    comment: Option<&'static str>,
    hashes: usize,
    blank_before: bool,
}

fn layout_strategy() -> impl Strategy<Value = Layout> {
    (
        prop::collection::vec(any::<prop::sample::Index>(), 0..3),
        prop::sample::select(vec!["", " ", "\t"]),
        prop::option::of(prop::sample::select(vec![
            " # pinned",
            "\t#comment",
            "  # see #123",
        ])),
        0usize..3,
        prop::bool::ANY,
    )
        .prop_map(|(breaks, indent, comment, hashes, blank_before)| Layout {
            breaks,
            indent,
            comment,
            hashes,
            blank_before,
        })
}

proptest! {
    /// Every requirement's location is exactly its generated text, once the `\` + line break sequences inserted
    /// inside it are removed; its version location is exactly the generated specifier, likewise.
    #[test]
    fn spans_cover_exactly_the_requirement(
        items in prop::collection::vec((requirement_strategy(), layout_strategy()), 1..8),
        crlf in prop::bool::ANY,
    ) {
        let newline = if crlf { "\r\n" } else { "\n" };
        let mut file = String::new();
        for (generated, layout) in &items {
            if layout.blank_before {
                file.push_str(newline);
                file.push_str("# a comment line");
                file.push_str(newline);
            }
            file.push_str(layout.indent);
            // Continuations only at places where pip's joining keeps the text: not inside a marker's quoted
            // string, which does not matter to pip but keeps the expected text simple.
            let mut cuts: Vec<usize> = layout.breaks.iter().map(|index| index.index(generated.text.len())).collect();
            cuts.sort_unstable();
            cuts.dedup();
            let mut last = 0;
            for cut in cuts.into_iter().filter(|&cut| cut > 0) {
                file.push_str(&generated.text[last..cut]);
                file.push('\\');
                file.push_str(newline);
                last = cut;
            }
            file.push_str(&generated.text[last..]);
            for hash in 0..layout.hashes {
                file.push_str(" \\");
                file.push_str(newline);
                write!(file, "    --hash=sha256:{hash:064x}").expect("writing to a string");
            }
            if let Some(comment) = layout.comment {
                file.push_str(comment);
            }
            file.push_str(newline);
        }
        let manifest = parse_text(&file);
        prop_assert!(manifest.issues.is_empty(), "{:?}\n{file}", messages(&manifest));
        prop_assert_eq!(manifest.requirements.len(), items.len());
        let unbroken = |text: &str| text.replace(&format!("\\{newline}"), "");
        for (requirement, (generated, _)) in manifest.requirements.iter().zip(&items) {
            prop_assert_eq!(unbroken(requirement.location.text()), generated.text.trim());
            let version = requirement.version_location.as_ref().map(|v| unbroken(v.text()));
            prop_assert_eq!(version.as_deref(), generated.version.as_deref());
        }
    }

    /// Whatever the text, parsing does not panic and every requirement span is non-empty and trimmed of the
    /// whitespace pip splits on. pip's `shlex` splits on ASCII whitespace only, so another space character belongs
    /// to the value it stands in: `-e\u{a0}a` is the editable path `\u{a0}a`.
    #[test]
    fn arbitrary_text_never_panics(text in "[-a-z0-9 =<>!~.;@/\\\\#\\[\\]'\"${}\r\n\t\u{a0}\u{2028}\u{feff}é]{0,80}") {
        let manifest = parse_text(&text);
        for requirement in &manifest.requirements {
            let located = requirement.location.text();
            prop_assert!(!located.is_empty());
            prop_assert_eq!(located.trim_matches(|c: char| c.is_ascii_whitespace()), located);
        }
    }

    /// The same with text made of the pieces requirements files are made of, to reach deeper into the parsers.
    #[test]
    fn requirement_like_text_never_panics(pieces in prop::collection::vec(prop::sample::select(vec![
        "numpy", "a", "[", "]", ",", "==", "~=", "===", ">", "1.0", ".*", "-e ", "-r ", "-c ", "--hash=", "sha256:",
        ";", "; ", "extra == 'a-'", "python_version", " and ", "'3.8'", "${X}", "\\\n", " #", "#egg=", "@", " @ ",
        "file:", "git+", "https://", "x.invalid/", "p-1.0-py3-none-any.whl", ".tar.gz", ".whl", "-", "_", ".", " ",
        "\n", "\r\n", "'", "\"", "-C", "k=v", "-Z", "--pre", "./", "..", "\u{2028}",
    ]), 0..30)) {
        let text = pieces.concat();
        let manifest = parse_text(&text);
        for requirement in &manifest.requirements {
            let located = requirement.location.text();
            prop_assert!(!located.is_empty());
            prop_assert_eq!(located.trim(), located);
        }
    }
}
