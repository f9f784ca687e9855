//! Every output format, snapshotted for one shared set of findings, and the JSON validated against its schema.

use std::path::PathBuf;
use std::sync::Arc;

use nplint_diagnostics::{
    Applicability, Diagnostic, Edit, Fix, Location, RuleId, Severity, SourceFile, Span, Target,
};
use nplint_report::{CheckedFile, OutputFormat, RenderOptions, Report, RuleMeta, render};

const PARSE_ERROR: RuleId = RuleId {
    name: "parse-error",
    code: "NPL001",
};
const UNREAD: RuleId = RuleId {
    name: "unread-requirements",
    code: "NPL003",
};
const CONFLICT: RuleId = RuleId {
    name: "numpy-conflict",
    code: "NPL010",
};

fn at(file: &Arc<SourceFile>, needle: &str) -> Location {
    let start = file.text().find(needle).expect("needle in source");
    Location::new(file.clone(), Span::from_range(start..start + needle.len()))
}

/// Findings that exercise every field: labels in the same and in another file, help, targets, explanation, a fix,
/// non-ASCII text before a span, and each severity.
fn report() -> Report {
    let requirements = SourceFile::new(
        "ml/requirements.txt",
        "# Modèle: entraînement\n-r base.txt\ntensorflow==2.5.0\nnumpy>=1.21  # wanted for np.typing\nscipy>>1\n",
    );
    let base = SourceFile::new(
        "ml/base.txt",
        "-r https://example.invalid/shared.txt\nnumpy~=1.19.2\n",
    );
    let conflict = Diagnostic::new(
        CONFLICT,
        Severity::Error,
        "no version of `numpy` satisfies both `tensorflow==2.5.0` and `numpy>=1.21`",
        at(&requirements, ">=1.21"),
    )
    .with_primary_label("requires `numpy>=1.21`")
    .with_label(
        at(&requirements, "tensorflow==2.5.0"),
        "requires `numpy~=1.19.2`",
    )
    .with_label(at(&base, "~=1.19.2"), "also pins `numpy~=1.19.2`")
    .with_help("drop `numpy>=1.21`, or upgrade to `tensorflow>=2.7`");
    let conflict = Diagnostic {
        targets: vec![
            Target { python: "3.8".into(), platform: "linux-x86_64".into() },
            Target { python: "3.9".into(), platform: "linux-x86_64".into() },
        ],
        explanation: Some(
            "Because tensorflow==2.5.0 depends on numpy>=1.19.2,<1.20\nand you require numpy>=1.21, we can conclude that your requirements are unsatisfiable."
                .into(),
        ),
        fix: Some(Fix {
            message: "Relax `numpy` to what `tensorflow==2.5.0` accepts".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit { location: at(&requirements, ">=1.21"), replacement: "~=1.19.2".into() }],
        }),
        ..conflict
    };
    let parse = Diagnostic::new(
        PARSE_ERROR,
        Severity::Error,
        "expected a version specifier after `>`",
        at(&requirements, ">>1"),
    )
    .with_primary_label("not a PEP 440 operator")
    .with_help("did you mean `>=1`?");
    let unread = Diagnostic::new(
        UNREAD,
        Severity::Warning,
        "requirements in `https://example.invalid/shared.txt` were not read: nplint never fetches remote files",
        at(&base, "-r https://example.invalid/shared.txt"),
    );
    let info = Diagnostic::new(
        UNREAD,
        Severity::Info,
        "dependencies are `dynamic`",
        Location::file_start(base.clone()),
    );
    let mut diagnostics = vec![conflict, parse, unread, info];
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Report {
        files: vec![CheckedFile {
            path: PathBuf::from("ml/requirements.txt"),
            format: "requirements-txt",
        }],
        diagnostics,
        elapsed: None,
        online: None,
        rules: [
            (PARSE_ERROR, "Reports a file nplint could not parse."),
            (UNREAD, "Reports requirements nplint did not read."),
            (
                CONFLICT,
                "Reports requirements no NumPy version satisfies together.",
            ),
        ]
        .into_iter()
        .map(|(id, summary)| RuleMeta {
            id,
            default_severity: Severity::Error,
            summary: summary.into(),
            documentation: format!("## What it does\n{summary}\n"),
            help_uri: Some(format!("https://example.invalid/docs/rules/{}.md", id.name)),
        })
        .collect(),
    }
}

fn rendered(format: OutputFormat) -> String {
    let mut out = Vec::new();
    render(&report(), format, RenderOptions::default(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Every format renders the same report; each has its snapshot (`formats__<name>.snap`).
#[test]
fn every_format() {
    for (name, format) in [
        ("full", OutputFormat::Full),
        ("concise", OutputFormat::Concise),
        ("github", OutputFormat::Github),
        ("sarif", OutputFormat::Sarif),
        ("json", OutputFormat::Json),
    ] {
        insta::assert_snapshot!(name, rendered(format));
    }
}

#[test]
fn sarif_matches_the_official_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator =
        jsonschema::validator_for(&schema).expect("the SARIF schema is a valid JSON Schema");
    let document: serde_json::Value = serde_json::from_str(&rendered(OutputFormat::Sarif)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // What code scanning needs of each result.
    for result in document["runs"][0]["results"].as_array().unwrap() {
        assert!(result["ruleId"].as_str().unwrap().starts_with("NPL"));
        assert!(result["partialFingerprints"]["nplint/v1"].is_string());
        assert!(result["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64());
    }
}

#[test]
fn sarif_fingerprints_survive_moved_lines() {
    let fingerprints = |text: &str, needle: &str| {
        let file = SourceFile::new("requirements.txt", text);
        let report = Report {
            files: vec![],
            diagnostics: vec![Diagnostic::new(
                CONFLICT,
                Severity::Error,
                "no version of `numpy` satisfies these requirements",
                at(&file, needle),
            )],
            elapsed: None,
            online: None,
            rules: Vec::new(),
        };
        let mut out = Vec::new();
        render(
            &report,
            OutputFormat::Sarif,
            RenderOptions::default(),
            &mut out,
        )
        .unwrap();
        let document: serde_json::Value = serde_json::from_slice(&out).unwrap();
        document["runs"][0]["results"][0]["partialFingerprints"]["nplint/v1"].clone()
    };
    let before = fingerprints("numpy>=1.21\n", "numpy>=1.21");
    assert_eq!(
        before,
        fingerprints("# a comment added above\n\nnumpy>=1.21\n", "numpy>=1.21")
    );
    assert_ne!(before, fingerprints("numpy>=1.22\n", "numpy>=1.22"));
}

#[test]
fn json_matches_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../schemas/nplint-output.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    for report in [
        report(),
        Report {
            files: vec![],
            diagnostics: vec![],
            elapsed: None,
            online: None,
            rules: Vec::new(),
        },
    ] {
        let mut out = Vec::new();
        render(
            &report,
            OutputFormat::Json,
            RenderOptions::default(),
            &mut out,
        )
        .unwrap();
        let document: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn full_format_with_colour_differs_only_by_escapes() {
    let mut coloured = Vec::new();
    render(
        &report(),
        OutputFormat::Full,
        RenderOptions {
            color: true,
            width: 100,
        },
        &mut coloured,
    )
    .unwrap();
    let coloured = String::from_utf8(coloured).unwrap();
    assert!(coloured.contains('\u{1b}'), "colour was requested");
    let stripped: String = {
        let mut out = String::new();
        let mut chars = coloured.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    assert_eq!(stripped, rendered(OutputFormat::Full));
}

/// A workflow command as the runner reads it: kind, properties and message, unescaped.
type Command = (String, Vec<(String, String)>, String);

fn parse_command(line: &str) -> Option<Command> {
    let unescape = |text: &str| {
        text.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let rest = line.strip_prefix("::")?;
    let (head, message) = rest.split_once("::")?;
    let (kind, properties) = head.split_once(' ').unwrap_or((head, ""));
    let properties = properties
        .split(',')
        .filter(|property| !property.is_empty())
        .map(|property| {
            let (key, value) = property.split_once('=').unwrap();
            (key.to_owned(), unescape(value))
        })
        .collect();
    Some((kind.to_owned(), properties, unescape(message)))
}

#[test]
fn github_commands_read_back_as_written() {
    let file = SourceFile::new("a,b:c/requirements.txt", "numpy>=1.21\n");
    let diagnostic = Diagnostic::new(
        CONFLICT,
        Severity::Warning,
        "100% sure:\nline two, with a comma",
        at(&file, ">=1.21"),
    );
    let report = Report {
        files: vec![],
        diagnostics: vec![diagnostic],
        elapsed: None,
        online: None,
        rules: Vec::new(),
    };
    let mut out = Vec::new();
    render(
        &report,
        OutputFormat::Github,
        RenderOptions::default(),
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    let (kind, properties, message) = parse_command(text.lines().next().unwrap()).unwrap();
    assert_eq!(kind, "warning");
    assert_eq!(message, "100% sure:\nline two, with a comma");
    let property = |key: &str| {
        properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, value)| value.as_str())
    };
    assert_eq!(property("file"), Some("a,b:c/requirements.txt"));
    assert_eq!((property("line"), property("col")), (Some("1"), Some("6")));
    assert_eq!(property("endColumn"), Some("11"));
    assert_eq!(property("title"), Some("nplint numpy-conflict (NPL010)"));
}

#[test]
fn github_puts_errors_first_and_counts_what_it_cannot_show() {
    let file = SourceFile::new("requirements.txt", "numpy>=1.21\n");
    let mut diagnostics: Vec<Diagnostic> = (0..3)
        .map(|i| {
            Diagnostic::new(
                UNREAD,
                Severity::Warning,
                format!("warning {i}"),
                Location::file_start(file.clone()),
            )
        })
        .collect();
    diagnostics.extend((0..12).map(|i| {
        Diagnostic::new(
            CONFLICT,
            Severity::Error,
            format!("error {i:02}"),
            at(&file, ">=1.21"),
        )
    }));
    let report = Report {
        files: vec![],
        diagnostics,
        elapsed: None,
        online: None,
        rules: Vec::new(),
    };
    let mut out = Vec::new();
    render(
        &report,
        OutputFormat::Github,
        RenderOptions::default(),
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    let kinds: Vec<String> = text
        .lines()
        .filter_map(parse_command)
        .map(|(kind, _, _)| kind)
        .collect();
    assert_eq!(kinds.len(), 16, "{text}");
    assert!(kinds[..12].iter().all(|kind| kind == "error"), "{text}");
    assert!(kinds[12..15].iter().all(|kind| kind == "warning"), "{text}");
    let (kind, _, notice) = parse_command(text.lines().nth(15).unwrap()).unwrap();
    assert_eq!(kind, "notice");
    assert!(
        notice.contains("2 more error(s) and 0 more warning(s)"),
        "{notice}"
    );
    assert_eq!(
        text.lines().last(),
        Some("12 errors, 3 warnings in 0 files")
    );
}

/// A finding on a long file with labels far apart, and the same finding on excerpts of its files.
fn long_file_report(excerpts: bool) -> Report {
    let text: String = (1..=2000)
        .map(|n| format!("internal-package-{n}==1.0\n"))
        .chain(["numpy>=2\n".to_owned()])
        .collect();
    let requirements = SourceFile::new("big/requirements.txt", text);
    let base = SourceFile::new("big/base.txt", "tensorflow==2.5.0\n");
    let conflict = Diagnostic::new(
        CONFLICT,
        Severity::Error,
        "no version of `numpy` satisfies both `tensorflow==2.5.0` and `numpy>=2`",
        at(&requirements, "numpy>=2"),
    )
    .with_primary_label("requires `numpy>=2`")
    .with_label(at(&requirements, "internal-package-3=="), "listed here")
    .with_label(at(&requirements, "internal-package-5=="), "and here")
    .with_label(at(&base, "tensorflow==2.5.0"), "requires `numpy~=1.19.2`");
    let conflict = Diagnostic {
        fix: Some(Fix {
            message: "Relax `numpy`".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                location: at(&requirements, ">=2"),
                replacement: "~=1.19.2".into(),
            }],
        }),
        ..conflict
    };
    let conflict = if excerpts {
        conflict.into_excerpts()
    } else {
        conflict
    };
    Report {
        files: vec![CheckedFile {
            path: PathBuf::from("big/requirements.txt"),
            format: "requirements.txt",
        }],
        diagnostics: vec![conflict],
        elapsed: None,
        online: None,
        rules: Vec::new(),
    }
}

#[test]
fn excerpts_render_as_whole_files_do() {
    let excerpted = long_file_report(true);
    let file = &excerpted.diagnostics[0].location.file;
    assert!(file.is_excerpt());
    assert!(Arc::ptr_eq(
        file,
        &excerpted.diagnostics[0].labels[0].location.file
    ));
    for format in [
        OutputFormat::Full,
        OutputFormat::Concise,
        OutputFormat::Github,
        OutputFormat::Json,
        OutputFormat::Sarif,
    ] {
        let render_one = |report: &Report| {
            let mut out = Vec::new();
            render(report, format, RenderOptions::default(), &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            render_one(&excerpted),
            render_one(&long_file_report(false)),
            "{format:?}"
        );
    }
}

/// Labels far apart in one file are shown as separate snippets, not as one snippet of every line between them;
/// labels a few lines apart share one.
#[test]
fn far_apart_labels_get_their_own_snippets() {
    let mut out = Vec::new();
    render(
        &long_file_report(false),
        OutputFormat::Full,
        RenderOptions::default(),
        &mut out,
    )
    .unwrap();
    let out = String::from_utf8(out).unwrap();
    insta::assert_snapshot!(out);
}
