//! Reading configurations, the closest-wins rule, overrides, and every located error.

use std::fmt::Write;

use nplint_diagnostics::Severity;
use nplint_index::PythonVersion;
use nplint_manifest::MemoryLoader;

use super::*;

fn read(text: &str, kind: ConfigKind) -> Result<Option<Options>, ConfigError> {
    let name = match kind {
        ConfigKind::Nplint => "nplint.toml",
        ConfigKind::Pyproject => "pyproject.toml",
    };
    parse(&SourceFile::new(name, text), kind)
}

fn rule(name: &str) -> nplint_diagnostics::RuleId {
    nplint_rules::find_rule(name).unwrap().id
}

/// The codes of the rules enabled for `path`.
fn enabled(configs: &Configs, path: &str) -> Vec<&'static str> {
    configs
        .settings(Path::new(path))
        .rules
        .enabled()
        .map(nplint_rules::RuleInfo::code)
        .collect()
}

#[test]
fn every_key_is_read() {
    let options = read(
        r#"
select = ["NPL0", "abi-mismatch"]
extend-select = ["NPL020"]
ignore = ["unknown-package"]
python = ["3.10", "3.11"]
platforms = "linux-x86_64"
exclude = ["legacy"]
extend-exclude = ["vendor/**"]
extend-include = ["pins/*.txt"]
online = true

[severity]
ALL = "warning"
abi-mismatch = "error"
"#,
        ConfigKind::Nplint,
    )
    .unwrap()
    .unwrap();
    assert_eq!(options.select.as_ref().map(Vec::len), Some(2));
    assert_eq!(options.extend_select.len(), 1);
    assert_eq!(options.ignore.len(), 1);
    assert_eq!(
        options.python,
        Some(PythonRequest::Versions(vec![
            PythonVersion::new(3, 10),
            PythonVersion::new(3, 11)
        ]))
    );
    assert_eq!(options.platforms, Some(vec![Platform::LinuxX86_64]));
    assert_eq!(options.exclude.unwrap().written(), ["legacy"]);
    assert_eq!(options.extend_exclude.unwrap().written(), ["vendor/**"]);
    assert_eq!(options.extend_include.unwrap().written(), ["pins/*.txt"]);
    assert_eq!(options.online, Some(true));
    // A boolean, and nothing else.
    let error = read("online = \"yes\"\n", ConfigKind::Nplint).unwrap_err();
    assert_eq!(error.message, "`online` must be `true` or `false`");
    // Broad first, so that the rule named exactly wins when they are applied in order.
    assert_eq!(
        options.severity,
        [
            (Selector::All, Severity::Warning),
            (Selector::Rule(rule("abi-mismatch")), Severity::Error)
        ]
    );
}

#[test]
fn a_pyproject_configures_only_with_a_tool_nplint_table() {
    assert!(
        read("[project]\nname = \"x\"\n", ConfigKind::Pyproject)
            .unwrap()
            .is_none()
    );
    assert!(
        read("[tool.ruff]\nselect = [\"E\"]\n", ConfigKind::Pyproject)
            .unwrap()
            .is_none()
    );
    // A broken pyproject.toml is the manifest check's to report.
    assert!(read("[project\n", ConfigKind::Pyproject).unwrap().is_none());
    let options = read(
        "[tool.nplint]\nignore = [\"NPL012\"]\n",
        ConfigKind::Pyproject,
    )
    .unwrap()
    .unwrap();
    assert_eq!(options.ignore, [Selector::Rule(rule("unknown-package"))]);
    // Dotted keys are the same table.
    let dotted = read("tool.nplint.python = \"3.12\"\n", ConfigKind::Pyproject)
        .unwrap()
        .unwrap();
    assert_eq!(
        dotted.python,
        Some(PythonRequest::Versions(vec![PythonVersion::new(3, 12)]))
    );
    let all = read("python = \"all\"\n", ConfigKind::Nplint)
        .unwrap()
        .unwrap();
    assert_eq!(all.python, Some(PythonRequest::All));
}

/// Each error as `path:line:col: message`, with its label and help, for review in one snapshot.
#[test]
fn errors_are_located_and_say_how_to_fix_them() {
    let cases: &[(&str, ConfigKind, &str)] = &[
        (
            "unknown key, close to one",
            ConfigKind::Pyproject,
            "[tool.nplint]\nselct = [\"ALL\"]\n",
        ),
        ("unknown key", ConfigKind::Nplint, "line-length = 88\n"),
        ("not an array", ConfigKind::Nplint, "select = \"ALL\"\n"),
        (
            "not a string in the array",
            ConfigKind::Nplint,
            "ignore = [\"NPL010\", 12]\n",
        ),
        (
            "unknown rule, close to one",
            ConfigKind::Nplint,
            "ignore = [\"abi-missmatch\"]\n",
        ),
        ("unknown rule", ConfigKind::Nplint, "select = [\"E501\"]\n"),
        (
            "prefix of nothing",
            ConfigKind::Nplint,
            "select = [\"NPL9\"]\n",
        ),
        (
            "bad severity",
            ConfigKind::Nplint,
            "[severity]\nknown-pitfall = \"fatal\"\n",
        ),
        (
            "severity not a string",
            ConfigKind::Nplint,
            "[severity]\nknown-pitfall = 2\n",
        ),
        (
            "severity not a table",
            ConfigKind::Nplint,
            "severity = \"error\"\n",
        ),
        (
            "io-error re-rated",
            ConfigKind::Nplint,
            "severity = { io-error = \"warning\" }\n",
        ),
        (
            "python all and a version",
            ConfigKind::Nplint,
            "python = [\"all\", \"3.10\"]\n",
        ),
        (
            "bad python",
            ConfigKind::Nplint,
            "python = [\"3.10\", \"3\"]\n",
        ),
        ("no python", ConfigKind::Nplint, "python = []\n"),
        (
            "bad platform",
            ConfigKind::Nplint,
            "platforms = [\"linux\"]\n",
        ),
        ("bad glob", ConfigKind::Nplint, "exclude = [\"a/[b\"]\n"),
        (
            "tool.nplint not a table",
            ConfigKind::Pyproject,
            "[tool]\nnplint = 1\n",
        ),
        ("invalid TOML", ConfigKind::Nplint, "select = [\n"),
    ];
    let mut out = String::new();
    for (name, kind, text) in cases {
        let error = read(text, *kind).unwrap_err();
        writeln!(out, "# {name}").unwrap();
        writeln!(out, "{error}").unwrap();
        writeln!(out, "  at: {:?}", error.location.text()).unwrap();
        if let Some(label) = &error.label {
            writeln!(out, "  label: {label}").unwrap();
        }
        if let Some(help) = &error.help {
            writeln!(out, "  help: {help}").unwrap();
        }
    }
    insta::assert_snapshot!(out);
}

/// A tree with configurations at several depths, in memory under a made-up absolute root, read through the
/// loader the configurations are given (as the command line gives them one that reads the file system).
struct Tree(Arc<MemoryLoader>);

impl Tree {
    fn new(files: &[(&str, &str)]) -> Self {
        Self(Arc::new(
            files
                .iter()
                .map(|(path, text)| (Self::root().join(path), *text))
                .collect(),
        ))
    }

    fn root() -> &'static Path {
        Path::new("/project")
    }

    fn configs(&self, discovery: Discovery, overrides: Overrides) -> Configs {
        Configs::new(discovery, overrides, Self::root(), self.0.clone())
    }

    /// The file name of the configuration that governs `path`, relative to the tree.
    fn governing(configs: &Configs, path: &str) -> Option<String> {
        configs
            .config_for(Path::new(path))
            .map(|config| config.file.path().display().to_string())
    }
}

#[test]
fn the_closest_configuration_wins() {
    let tree = Tree::new(&[
        (
            "pyproject.toml",
            "[tool.nplint]\nignore = [\"unknown-package\"]\n",
        ),
        ("a/nplint.toml", "select = [\"NPL010\"]\n"),
        ("a/.nplint.toml", "select = [\"NPL011\"]\n"),
        ("b/pyproject.toml", "[project]\nname = \"b\"\n"),
        ("c/d/pyproject.toml", "[tool.nplint]\npython = \"3.9\"\n"),
    ]);
    let configs = tree.configs(Discovery::Closest, Overrides::default());
    for (file, governing) in [
        ("requirements.txt", "pyproject.toml"),
        // `.nplint.toml` beats `nplint.toml` in the same directory.
        ("a/requirements.txt", "a/.nplint.toml"),
        ("a/x/y/requirements.txt", "a/.nplint.toml"),
        // A pyproject.toml without `[tool.nplint]` is no configuration.
        ("b/requirements.txt", "pyproject.toml"),
        ("c/requirements.txt", "pyproject.toml"),
        ("c/d/environment.yml", "c/d/pyproject.toml"),
    ] {
        assert_eq!(
            Tree::governing(&configs, file).as_deref(),
            Some(governing),
            "{file}"
        );
    }
    assert!(configs.errors().is_empty());

    // Configurations do not merge: `a`'s does not inherit the root's `ignore`.
    assert_eq!(
        enabled(&configs, "a/requirements.txt"),
        ["NPL002", "NPL011"]
    );
    let settings = configs.settings(Path::new("requirements.txt"));
    assert!(!settings.rules.is_enabled(rule("unknown-package")));
    assert!(settings.rules.is_enabled(rule("abi-mismatch")));
    let settings = configs.settings(Path::new("c/d/pyproject.toml"));
    assert_eq!(
        settings.targets.pythons,
        PythonRequest::Versions(vec![PythonVersion::new(3, 9)])
    );
}

#[test]
fn the_command_line_overrides_and_can_replace_discovery() {
    let tree = Tree::new(&[(
        "nplint.toml",
        "select = [\"NPL01\"]\nignore = [\"NPL012\"]\npython = \"3.9\"\nplatforms = [\"linux-aarch64\"]\n",
    )]);
    let overrides = Overrides {
        ignore: vec!["NPL010".parse().unwrap()],
        python: Some(PythonRequest::Versions(vec![PythonVersion::new(3, 12)])),
        ..Overrides::default()
    };
    let configs = tree.configs(Discovery::Closest, overrides);
    let settings = configs.settings(Path::new("requirements.txt"));
    assert_eq!(
        enabled(&configs, "requirements.txt"),
        ["NPL002", "NPL011", "NPL013", "NPL014", "NPL015"]
    );
    assert_eq!(
        settings.targets.pythons,
        PythonRequest::Versions(vec![PythonVersion::new(3, 12)])
    );
    assert_eq!(settings.targets.platforms, [Platform::LinuxAarch64]);

    // A `--select` starts afresh, dropping the configuration's `ignore` too.
    let overrides = Overrides {
        select: Some(vec!["NPL012".parse().unwrap()]),
        ..Overrides::default()
    };
    let configs = tree.configs(Discovery::Closest, overrides);
    assert_eq!(enabled(&configs, "requirements.txt"), ["NPL002", "NPL012"]);

    let configs = tree.configs(Discovery::Isolated, Overrides::default());
    assert!(configs.config_for(Path::new("requirements.txt")).is_none());
    assert_eq!(
        configs
            .settings(Path::new("requirements.txt"))
            .targets
            .pythons,
        PythonRequest::Default
    );

    let fixed = Config::load_explicit(
        &*tree.0,
        &Tree::root().join("nplint.toml"),
        Path::new("nplint.toml"),
    )
    .unwrap();
    let configs = tree.configs(Discovery::Fixed(Arc::new(fixed)), Overrides::default());
    assert!(
        configs
            .config_for(Path::new("/elsewhere/requirements.txt"))
            .is_some()
    );
}

#[test]
fn paths_are_normalized_lexically() {
    assert_eq!(normalize(Path::new("/a/./b/../c")), Path::new("/a/c"));
    assert_eq!(normalize(Path::new("/a/b/../../..")), Path::new("/"));
}

#[test]
fn exclusions_are_relative_to_their_configuration() {
    let tree = Tree::new(&[
        (
            "nplint.toml",
            "extend-exclude = [\"legacy\", \"services/*/old.txt\"]\n",
        ),
        (
            "services/nplint.toml",
            "exclude = [\"generated\"]\nextend-include = [\"pins/*.txt\"]\n",
        ),
    ]);
    let configs = tree.configs(Discovery::Closest, Overrides::default());
    // The root's configuration: the defaults plus its extensions.
    assert!(configs.is_excluded(Path::new(".venv")));
    assert!(configs.is_excluded(Path::new("a/legacy")));
    assert!(!configs.is_excluded(Path::new("a/requirements.txt")));
    // `services/` has its own: `exclude` replaces the defaults, and the root's extensions do not apply.
    assert!(configs.is_excluded(Path::new("services/x/generated")));
    assert!(!configs.is_excluded(Path::new("services/.venv")));
    assert!(!configs.is_excluded(Path::new("services/legacy")));
    // Its patterns are relative to `services/`.
    assert!(configs.is_included(Path::new("services/pins/prod.txt")));
    assert!(!configs.is_included(Path::new("pins/prod.txt")));

    let mut exclude = Patterns::builder();
    exclude.add("services").unwrap();
    let overrides = Overrides {
        exclude: Some(exclude.build().unwrap()),
        ..Overrides::default()
    };
    let configs = tree.configs(Discovery::Closest, overrides);
    assert!(configs.is_excluded(Path::new("services")));
    assert!(
        !configs.is_excluded(Path::new(".venv")),
        "`--exclude` replaces the defaults"
    );
}

#[test]
fn a_broken_configuration_is_an_error_once() {
    let tree = Tree::new(&[("nplint.toml", "selct = []\n")]);
    let configs = tree.configs(Discovery::Closest, Overrides::default());
    assert!(
        configs
            .config_for(Path::new("a/requirements.txt"))
            .is_none()
    );
    assert!(
        configs
            .config_for(Path::new("b/requirements.txt"))
            .is_none()
    );
    let errors = configs.errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].message, "unknown key `selct` in `nplint.toml`");
    // Named relative to the working directory.
    assert_eq!(errors[0].location.file.path(), Path::new("nplint.toml"));

    let missing = Config::load_explicit(
        &*tree.0,
        &Tree::root().join("absent.toml"),
        Path::new("absent.toml"),
    )
    .unwrap_err();
    assert!(missing.message.starts_with("cannot read the configuration"));
    let tree = Tree::new(&[("pyproject.toml", "[project]\nname = \"x\"\n")]);
    let error = Config::load_explicit(
        &*tree.0,
        &Tree::root().join("pyproject.toml"),
        Path::new("pyproject.toml"),
    )
    .unwrap_err();
    assert!(error.message.ends_with("has no `[tool.nplint]` table"));
}

#[test]
fn a_directory_named_like_a_configuration_is_not_one() {
    let tree = Tree::new(&[
        ("nplint.toml/notes.txt", "not a configuration\n"),
        ("pyproject.toml", "[tool.nplint]\npython = \"3.11\"\n"),
    ]);
    let configs = tree.configs(Discovery::Closest, Overrides::default());
    assert_eq!(
        Tree::governing(&configs, "requirements.txt").as_deref(),
        Some("pyproject.toml")
    );
    assert!(configs.errors().is_empty());
}
