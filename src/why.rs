//! `nplint why PACKAGE [PATH...]`: the versions of a package each environment allows on its targets, and the
//! requirements that bound them, traced back to the file.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use nplint_index::PackageName;
use nplint_rules::{Answer, Bound, Reason, Resolver, Why};
use serde::Serialize;

use crate::Status;
use crate::args::{DataFormat, WhyArgs};
use crate::discover::{Found, discover};
use crate::fs::{FsLoader, ReadOnce};

pub(crate) fn run(args: &WhyArgs) -> anyhow::Result<Status> {
    let package: PackageName = args
        .package
        .parse()
        .with_context(|| format!("`{}` is not a package name", args.package))?;
    let (work, resolver, mut status) = discovered(&args.as_check())?;
    let Some(resolver) = resolver else {
        return Ok(Status::Failure);
    };
    if resolver.index().package(&package).is_none() {
        eprintln!(
            "error: `{package}` is not among the packages nplint solves (those that reach NumPy); `nplint index show \
             {package}` says what the index knows of it"
        );
        return Ok(Status::Failure);
    }
    let mut files = Vec::new();
    for (path, format, settings) in &work {
        match nplint_manifest::load(path, *format, &FsLoader) {
            Ok(manifest) => files.push(FileWhy {
                path: nplint_diagnostics::portable_path(path),
                environments: nplint_rules::why(&resolver, &manifest, settings, &package),
            }),
            Err(error) => {
                eprintln!("error: cannot read `{}`: {error}", path.display());
                status = Status::Failure;
            }
        }
    }
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        DataFormat::Text => write!(stdout, "{}", text(&package, &files))?,
        DataFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &json(&package, &files))?;
            writeln!(stdout)?;
        }
    }
    stdout.flush()?;
    Ok(status)
}

/// The files a check with these arguments would read, each with its settings, a resolver for their targets, and
/// the status so far (a path that cannot be read, or whose format cannot be told, is said so on standard error).
/// No resolver when an online read failed (said so). Shared by `why` and `upgrade`.
pub(crate) fn discovered(
    check: &crate::args::CheckArgs,
) -> anyhow::Result<(Vec<nplint_rules::Work>, Option<Resolver>, Status)> {
    let paths = if check.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        check.paths.clone()
    };
    let reads = Arc::new(ReadOnce::default());
    let configs = match crate::check::configs(check, &reads)? {
        Ok(configs) => Arc::new(configs),
        Err(error) => anyhow::bail!(
            "{}: {}",
            error.location.file.path().display(),
            error.message
        ),
    };
    let mut status = Status::Clean;
    let mut work = Vec::new();
    for found in discover(&paths, &configs, false) {
        match found {
            Found::File { path, format } => {
                let settings = configs.settings(&path);
                work.push((path, format, settings));
            }
            Found::Missing { path, reason } => {
                eprintln!("error: cannot read `{}`: {reason}", path.display());
                status = Status::Failure;
            }
            Found::UnknownFormat { path } => {
                eprintln!("error: cannot tell the format of `{}`", path.display());
                status = Status::Failure;
            }
        }
    }
    if let Some(error) = configs.errors().first() {
        anyhow::bail!(
            "{}: {}",
            error.location.file.path().display(),
            error.message
        );
    }
    // The embedded index, or with `--online` (or `online = true`) what the files need read over it, as a check
    // reads it; a failed read is told on standard error.
    let Some((resolver, _)) = crate::check::resolver(check, &configs, &work, None)? else {
        return Ok((work, None, Status::Failure));
    };
    Ok((work, Some(resolver), status))
}

struct FileWhy {
    path: String,
    environments: Vec<Why>,
}

fn text(package: &PackageName, files: &[FileWhy]) -> String {
    let mut out = String::new();
    for file in files {
        for environment in &file.environments {
            let _ = writeln!(out, "{} ({})", file.path, environment.environment);
            for (answer, targets) in &environment.answers {
                let on = nplint_rules::targets_text(targets);
                match answer {
                    Answer::Installed {
                        version,
                        allowed,
                        above,
                        below,
                    } => {
                        let _ = writeln!(out, "  {package} {version} on {on}");
                        let _ = writeln!(out, "    allowed: {} to {}", allowed.0, allowed.1);
                        bound_text(&mut out, "or newer", above);
                        bound_text(&mut out, "or older", below);
                    }
                    Answer::Absent => {
                        let _ = writeln!(out, "  not installed on {on}");
                    }
                    Answer::Fails => {
                        let _ = writeln!(
                            out,
                            "  the environment does not install on {on} (`nplint check` says why)"
                        );
                    }
                }
            }
        }
    }
    if out.is_empty() {
        out.push_str("no environment files found\n");
    }
    out
}

fn bound_text(out: &mut String, side: &str, bound: &Bound) {
    let Some(next) = &bound.next else {
        return;
    };
    let _ = writeln!(out, "    not {next} {side}, because:");
    for reason in &bound.by {
        let _ = writeln!(out, "      {}", reason.requirement);
        for step in &reason.chain {
            let _ = writeln!(out, "        {step}");
        }
    }
}

/// `nplint why --format json`: version 1 of the document (`schemas/nplint-why.schema.json`).
#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    package: String,
    files: Vec<FileJson<'a>>,
}

#[derive(Serialize)]
struct FileJson<'a> {
    path: &'a str,
    environment: &'a str,
    answers: Vec<AnswerJson<'a>>,
}

#[derive(Serialize)]
struct AnswerJson<'a> {
    targets: Vec<TargetJson>,
    /// `installed`, `absent` or `fails`.
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed: Option<[String; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    above: Option<BoundJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    below: Option<BoundJson<'a>>,
}

/// A target in the JSON documents of `why` and `upgrade`.
#[derive(Serialize)]
pub(crate) struct TargetJson {
    python: String,
    platform: String,
}

impl TargetJson {
    pub(crate) fn of(target: nplint_index::Target) -> Self {
        Self {
            python: target.python.to_string(),
            platform: target.platform.to_string(),
        }
    }
}

#[derive(Serialize)]
struct BoundJson<'a> {
    next: String,
    by: Vec<ReasonJson<'a>>,
}

#[derive(Serialize)]
struct ReasonJson<'a> {
    requirement: &'a str,
    chain: &'a [String],
}

fn json<'a>(package: &PackageName, files: &'a [FileWhy]) -> Document<'a> {
    let bound = |bound: &'a Bound| {
        bound.next.as_ref().map(|next| BoundJson {
            next: next.to_string(),
            by: bound
                .by
                .iter()
                .map(|reason: &'a Reason| ReasonJson {
                    requirement: &reason.requirement,
                    chain: &reason.chain,
                })
                .collect(),
        })
    };
    let files = files
        .iter()
        .flat_map(|file| {
            file.environments.iter().map(move |environment| FileJson {
                path: &file.path,
                environment: &environment.environment,
                answers: environment
                    .answers
                    .iter()
                    .map(|(answer, targets)| {
                        let targets = targets
                            .iter()
                            .map(|&target| TargetJson::of(target))
                            .collect();
                        match answer {
                            Answer::Installed {
                                version,
                                allowed,
                                above,
                                below,
                            } => AnswerJson {
                                targets,
                                outcome: "installed",
                                version: Some(version.to_string()),
                                allowed: Some([allowed.0.to_string(), allowed.1.to_string()]),
                                above: bound(above),
                                below: bound(below),
                            },
                            Answer::Absent | Answer::Fails => AnswerJson {
                                targets,
                                outcome: if matches!(answer, Answer::Absent) {
                                    "absent"
                                } else {
                                    "fails"
                                },
                                version: None,
                                allowed: None,
                                above: None,
                                below: None,
                            },
                        }
                    })
                    .collect(),
            })
        })
        .collect();
    Document {
        schema_version: 1,
        package: package.to_string(),
        files,
    }
}
