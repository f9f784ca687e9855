//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use nplint_index::Platform;
use nplint_rules::{PythonValue, Selector};

/// Checks Python environment files for NumPy incompatibilities, offline.
///
/// nplint reads requirements files, conda environment.yml files and pyproject.toml, and reports what would make
/// the environment fail to install or crash at import.
#[derive(Debug, Parser)]
#[command(
    name = "nplint",
    version = env!("CARGO_PKG_VERSION"),
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub globals: GlobalArgs,
}

/// Options of every command: which index snapshot to read.
#[derive(Debug, Clone, Args)]
pub(crate) struct GlobalArgs {
    /// Which package index snapshot to read: `auto` takes the one `nplint index update` installed when it is
    /// valid and newer than the one built in, `embedded` the built-in one (for reproducible runs), `cached` the
    /// installed one [default: auto]
    #[arg(
        long,
        value_enum,
        global = true,
        env = "NPLINT_INDEX_SNAPSHOT",
        hide_env_values = true,
        value_name = "SNAPSHOT"
    )]
    // Not `default_value_t`: clap's usage line of a conflict error would list a defaulted flag as given.
    pub index_snapshot: Option<SnapshotChoice>,

    /// Where `nplint index update` installs snapshots [default: `$XDG_CACHE_HOME/nplint`, else the platform's
    /// cache directory's `nplint`]
    #[arg(
        long,
        global = true,
        env = "NPLINT_CACHE_DIR",
        hide_env_values = true,
        value_name = "DIR"
    )]
    pub cache_dir: Option<PathBuf>,
}

/// `--index-snapshot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SnapshotChoice {
    // What each does is told by the flag's help, once, rather than as a list of possible values under it in
    // every command's help.
    Auto,
    Embedded,
    Cached,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check environment files and report problems.
    Check(Box<CheckArgs>),
    /// Show what nplint reads from a file.
    #[command(subcommand)]
    Debug(DebugCommand),
    /// Show a rule's documentation, or list the rules.
    Rule(RuleArgs),
    /// Show what the package index knows, or install its newest snapshot.
    #[command(subcommand)]
    Index(IndexCommand),
    /// Show the versions of a package each environment allows, and the requirements that bound them on each side
    /// (`nplint why numpy`)
    Why(WhyArgs),
    /// Plan the smallest changes to each environment's own requirements with which it installs with a requirement
    /// and works at runtime (`nplint upgrade 'numpy>=2'`)
    Upgrade(UpgradeArgs),
    /// Run the language server on standard input and output, for editors (see the README's "Editors").
    Server,
    /// Show or empty the cache directory (`check --online`'s HTTP cache, the installed index snapshot).
    #[command(subcommand)]
    Cache(CacheCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum CacheCommand {
    /// Print the cache directory's path.
    Dir,
    /// Remove everything nplint keeps in the cache directory: the HTTP cache and the installed index snapshot.
    Clean,
}

#[derive(Debug, Subcommand)]
pub(crate) enum IndexCommand {
    /// Show a package's releases, or one release in full (`NAME==VERSION`): Python support, wheels, requirements,
    /// and where each fact came from.
    Show(IndexShowArgs),
    /// Show the size, date and source of the index snapshot in use.
    Stats(IndexStatsArgs),
    /// Download and install the newest published index snapshot, for runs to use instead of the built-in one
    /// when it is newer.
    Update(IndexUpdateArgs),
}

#[derive(Debug, Args)]
pub(crate) struct IndexUpdateArgs {
    /// The URL of the snapshot's manifest (`index.json`) [default: the project's `index-latest` release]
    #[arg(long, value_name = "URL")]
    pub from: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct IndexShowArgs {
    /// A package name, or `NAME==VERSION` for one release.
    pub package: String,

    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub format: DataFormat,
}

#[derive(Debug, Args)]
pub(crate) struct IndexStatsArgs {
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub format: DataFormat,
}

/// How `nplint index` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DataFormat {
    /// For people.
    Text,
    /// A versioned JSON document (see `docs/index.md`).
    Json,
}

#[derive(Debug, Clone, Args)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "each is a command-line flag, as clap reads it"
)]
pub(crate) struct CheckArgs {
    /// Files to check, or directories to search for environment files [default: .]
    pub paths: Vec<PathBuf>,

    /// How to print findings [default: `github` when `GITHUB_ACTIONS=true`, else `full`]
    #[arg(long, value_enum)]
    pub format: Option<OutputFormatArg>,

    /// Write the report to this file instead of standard output; with `--output-file-format`, write it there in
    /// that format and print the `--format` report as well (annotations and SARIF from one run)
    #[arg(long, value_name = "PATH")]
    pub output_file: Option<PathBuf>,

    /// The format of `--output-file` [default: `--format`'s]
    #[arg(long, value_enum, value_name = "FORMAT", requires = "output_file")]
    pub output_file_format: Option<OutputFormatArg>,

    /// When to use colour in the `full` format. `auto` honours `NO_COLOR`.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Python versions to check, such as `3.9,3.10`, or `all` for every CPython version the index knows wheels
    /// for [default: the configuration's `python`, else the file's own Python constraint, else the CPython
    /// versions supported upstream on the index's date]
    #[arg(long, value_delimiter = ',', value_name = "VERSION")]
    pub python: Vec<PythonValue>,

    /// Platforms to check [default: the configuration's `platforms`, else
    /// linux-x86_64,macos-arm64,windows-x86_64]
    #[arg(long, value_delimiter = ',', value_name = "PLATFORM")]
    pub platform: Vec<Platform>,

    /// Rules to run, replacing the configuration's selection: names, codes, code prefixes or `ALL`
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "RULE",
        help_heading = "Rule selection"
    )]
    pub select: Option<Vec<Selector>>,

    /// Rules to run in addition to the selection
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "RULE",
        help_heading = "Rule selection"
    )]
    pub extend_select: Vec<Selector>,

    /// Rules not to run
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "RULE",
        help_heading = "Rule selection"
    )]
    pub ignore: Vec<Selector>,

    /// Use this configuration file for every path, instead of the closest `.nplint.toml`, `nplint.toml` or
    /// `pyproject.toml` with `[tool.nplint]`
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "isolated",
        help_heading = "Configuration"
    )]
    pub config: Option<PathBuf>,

    /// Ignore every configuration file
    #[arg(long, help_heading = "Configuration")]
    pub isolated: bool,

    /// Globs of files and directories a directory walk skips, replacing the configuration's `exclude` (relative
    /// to the working directory)
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "GLOB",
        help_heading = "File selection"
    )]
    pub exclude: Option<Vec<String>>,

    /// Globs to skip in addition to `exclude`
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "GLOB",
        help_heading = "File selection"
    )]
    pub extend_exclude: Vec<String>,

    /// Walk directories without reading `.gitignore`, `.ignore` and git's exclude files (hidden files and the
    /// configuration's exclusions still apply)
    #[arg(long, help_heading = "File selection")]
    pub no_ignore: bool,

    /// Check the document on standard input as the file at this path: its format comes from the name, its
    /// includes and configuration from the path's directory, and findings name the path (for editors, on unsaved
    /// buffers)
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with = "paths",
        help_heading = "File selection"
    )]
    pub stdin_filename: Option<PathBuf>,

    /// Apply the fixes that keep what gets installed (`safe`), then check again and report what remains (with
    /// `--stdin-filename`: print the fixed document, and the report on standard error)
    #[arg(long, help_heading = "Fixes")]
    pub fix: bool,

    /// With `--fix` or `--diff`, also the fixes that change what gets installed (`unsafe`: every fix nplint
    /// offers today pins or bounds a version, or raises a Python floor)
    #[arg(long, help_heading = "Fixes")]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff and change nothing; exit 1 when there is something to fix
    #[arg(long, conflicts_with = "fix", help_heading = "Fixes")]
    pub diff: bool,

    #[command(flatten)]
    pub network: OnlineArgs,
}

/// Reading what the embedded index does not know from a package index: `check`, `why` and `upgrade` alike.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct OnlineArgs {
    /// Read what nplint's index does not know (packages, releases newer than its snapshot) from the package
    /// index, declared metadata only; cached under the cache directory [default: the configuration's `online`]
    #[arg(long, help_heading = "Online")]
    pub online: bool,

    /// The package index `--online` reads [default: `UV_DEFAULT_INDEX`, else `UV_INDEX_URL`, else
    /// `PIP_INDEX_URL`]; credentials in it, or in netrc for its host, are used and never printed
    #[arg(long, value_name = "URL", help_heading = "Online")]
    pub index_url: Option<String>,

    /// Revalidate every cached project page with the index, however fresh (as uv's `--refresh`)
    #[arg(long, help_heading = "Online")]
    pub refresh: bool,
}

#[derive(Debug, Args)]
pub(crate) struct WhyArgs {
    /// The package, such as `numpy`
    pub package: String,

    /// Files to read, or directories to search for environment files [default: .]
    pub paths: Vec<PathBuf>,

    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub format: DataFormat,

    /// Python versions, as for `nplint check`
    #[arg(long, value_delimiter = ',', value_name = "VERSION")]
    pub python: Vec<PythonValue>,

    /// Platforms, as for `nplint check`
    #[arg(long, value_delimiter = ',', value_name = "PLATFORM")]
    pub platform: Vec<Platform>,

    #[command(flatten)]
    pub network: OnlineArgs,
}

impl WhyArgs {
    /// The check these arguments ask the same files and targets of: its configuration and discovery.
    pub(crate) fn as_check(&self) -> CheckArgs {
        check_of(&self.paths, &self.python, &self.platform, &self.network)
    }
}

#[derive(Debug, Args)]
pub(crate) struct UpgradeArgs {
    /// The requirement every environment should install with, such as `numpy>=2` or `numpy>=2.3`
    pub spec: String,

    /// Files to read, or directories to search for environment files [default: .]
    pub paths: Vec<PathBuf>,

    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub format: DataFormat,

    /// Show the plan's edits as a unified diff instead
    #[arg(long, conflicts_with = "write")]
    pub diff: bool,

    /// Apply the plan's edits to the files (never to a lockfile: lock again after)
    #[arg(long)]
    pub write: bool,

    /// Python versions, as for `nplint check`
    #[arg(long, value_delimiter = ',', value_name = "VERSION")]
    pub python: Vec<PythonValue>,

    /// Platforms, as for `nplint check`
    #[arg(long, value_delimiter = ',', value_name = "PLATFORM")]
    pub platform: Vec<Platform>,

    #[command(flatten)]
    pub network: OnlineArgs,
}

impl UpgradeArgs {
    /// The check these arguments ask the same files and targets of: its configuration and discovery.
    pub(crate) fn as_check(&self) -> CheckArgs {
        check_of(&self.paths, &self.python, &self.platform, &self.network)
    }
}

/// A check of `paths` on these targets, with every other option at its default.
fn check_of(
    paths: &[PathBuf],
    python: &[PythonValue],
    platform: &[Platform],
    network: &OnlineArgs,
) -> CheckArgs {
    CheckArgs {
        paths: paths.to_vec(),
        format: None,
        output_file: None,
        output_file_format: None,
        color: ColorChoice::Never,
        python: python.to_vec(),
        platform: platform.to_vec(),
        select: None,
        extend_select: Vec::new(),
        ignore: Vec::new(),
        config: None,
        isolated: false,
        exclude: None,
        extend_exclude: Vec::new(),
        no_ignore: false,
        stdin_filename: None,
        fix: false,
        unsafe_fixes: false,
        diff: false,
        network: network.clone(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormatArg {
    /// The offending lines with labels, the explanation and how to fix it.
    Full,
    /// One line per finding: `path:line:col: severity[rule] message`.
    Concise,
    /// A versioned JSON document for editors and other tools.
    Json,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DebugCommand {
    /// Print the parsed model of one file: every requirement with its specifier, markers, origin and span.
    Manifest(DebugManifestArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DebugManifestArgs {
    /// The file to parse.
    pub file: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DebugFormat::Json)]
    pub format: DebugFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DebugFormat {
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct RuleArgs {
    /// A rule name (`parse-error`) or code (`NPL001`); without one, list every rule.
    pub name: Option<String>,
}
