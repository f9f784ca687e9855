//! `nplint upgrade SPEC [PATH...]`: for each environment, the smallest changes to its own requirements with which
//! it installs with SPEC and works at runtime ([`nplint_rules::plan`]); shown with the lines they change, as a
//! diff, as JSON, or written to the files.
//!
//! A lockfile is planned through the manifest it is made from (`uv.lock` through `pyproject.toml`), followed by
//! the command that makes it again.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use nplint_diagnostics::{Edit, Location};
use nplint_manifest::Format;
use nplint_rules::{Change, Goal, PartOutcome, Plan};
use rayon::prelude::*;
use serde::Serialize;

use crate::Status;
use crate::args::{DataFormat, UpgradeArgs};
use crate::fs::FsLoader;
use crate::why::TargetJson;

pub(crate) fn run(args: &UpgradeArgs) -> anyhow::Result<Status> {
    let goal = match Goal::parse(&args.spec) {
        Ok(goal) => goal,
        Err(reason) => {
            eprintln!("error: `{}` is not a requirement: {reason}", args.spec);
            return Ok(Status::Failure);
        }
    };
    let (found, resolver, mut status) = crate::why::discovered(&args.as_check())?;
    let Some(resolver) = resolver else {
        return Ok(Status::Failure);
    };
    if resolver.index().package(&goal.name).is_none() {
        eprintln!(
            "error: `{}` is not among the packages nplint solves (those that reach NumPy)",
            goal.name
        );
        return Ok(Status::Failure);
    }
    // Files are planned in parallel, each on one thread, and reported in the order they were found.
    let planned: Vec<Result<FilePlan, String>> = manifests(found, &mut status)
        .into_par_iter()
        .map(|(path, format, settings)| {
            let manifest = nplint_manifest::load(&path.path, format, &FsLoader)
                .map_err(|error| format!("cannot read `{}`: {error}", path.path.display()))?;
            Ok(FilePlan {
                path: nplint_diagnostics::portable_path(&path.path),
                relock: path.relock,
                plans: nplint_rules::plan(&resolver, &manifest, &settings, &goal),
            })
        })
        .collect();
    let mut files: Vec<FilePlan> = Vec::new();
    for file in planned {
        match file {
            Ok(file) => files.push(file),
            Err(error) => {
                eprintln!("error: {error}");
                status = Status::Failure;
            }
        }
    }
    let blocked = files.iter().flat_map(|file| &file.plans).any(|plan| {
        plan.parts.iter().any(|part| {
            matches!(
                part.outcome,
                PartOutcome::Blocked(_) | PartOutcome::Unplanned(_)
            )
        })
    });
    if blocked {
        status = status.max(Status::Findings);
    }
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    if args.diff || args.write {
        let edits = writable(&files);
        let fixed = crate::fix::plan_edits(edits.iter().map(Vec::as_slice));
        for file in &fixed {
            if args.write {
                file.write()?;
                eprintln!(
                    "wrote {} change{} to `{}`",
                    file.fixes,
                    if file.fixes == 1 { "" } else { "s" },
                    file.path.display()
                );
            } else {
                write!(stdout, "{}", file.diff())?;
            }
        }
        for file in &files {
            if let Some(relock) = &file.relock
                && file.plans.iter().any(has_changes)
            {
                eprintln!("then lock again: {relock}");
            }
        }
    } else {
        match args.format {
            DataFormat::Text => text(&goal, &files, &mut stdout)?,
            DataFormat::Json => {
                serde_json::to_writer_pretty(&mut stdout, &json(&goal, &files))?;
                writeln!(stdout)?;
            }
        }
    }
    stdout.flush()?;
    Ok(status)
}

/// A manifest to plan, and the lockfile command to run after, when it was reached through its lockfile.
struct ToPlan {
    path: PathBuf,
    relock: Option<String>,
}

/// The manifests to plan: each file found, with a lockfile replaced by the manifest it is made from (once).
fn manifests(
    found: Vec<nplint_rules::Work>,
    status: &mut Status,
) -> Vec<(ToPlan, Format, nplint_rules::Settings)> {
    let mut out: Vec<(ToPlan, Format, nplint_rules::Settings)> = Vec::new();
    for (path, format, settings) in found {
        if !format.is_lock() {
            if !out.iter().any(|(plan, _, _)| plan.path == path) {
                out.push((ToPlan { path, relock: None }, format, settings));
            }
            continue;
        }
        let manifest = format
            .lock_manifest()
            .map(|name| path.parent().unwrap_or_else(|| Path::new("")).join(name))
            .filter(|manifest| manifest.is_file());
        let (Some(manifest), Some(command)) = (manifest, format.relock_command()) else {
            eprintln!(
                "error: `{}` is a lockfile nplint cannot trace to its manifest: plan the file it is made from",
                path.display()
            );
            *status = Status::Failure;
            continue;
        };
        let relock = format!("`{command}` in `{}`", portable_dir(&path));
        if let Some((plan, _, _)) = out.iter_mut().find(|(plan, _, _)| plan.path == manifest) {
            plan.relock = Some(relock);
        } else if let Some(manifest_format) = nplint_manifest::detect_format(&manifest, true) {
            out.push((
                ToPlan {
                    path: manifest,
                    relock: Some(relock),
                },
                manifest_format,
                settings,
            ));
        }
    }
    out
}

fn portable_dir(path: &Path) -> String {
    match path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        Some(parent) => nplint_diagnostics::portable_path(parent),
        None => ".".to_owned(),
    }
}

struct FilePlan {
    path: String,
    relock: Option<String>,
    plans: Vec<Plan>,
}

fn has_changes(plan: &Plan) -> bool {
    plan.parts
        .iter()
        .any(|part| matches!(part.outcome, PartOutcome::Changes(_)))
}

/// The edits `--write` and `--diff` apply: each environment's changes when one plan serves all its targets
/// (otherwise the targets need different versions, which a file without markers cannot say: said so), each edit its
/// own set so that one shared by two environments is written once, and a later environment's move of a requirement
/// an earlier one moved replaces it ([`nplint_rules::written_edits`]).
fn writable(files: &[FilePlan]) -> Vec<Vec<Edit>> {
    let mut out: Vec<Vec<Edit>> = Vec::new();
    for file in files {
        for plan in &file.plans {
            if plan.differs_by_target() {
                eprintln!(
                    "warning: `{}` ({}) not changed: its targets need different changes (see the plan)",
                    file.path, plan.environment
                );
                continue;
            }
            for change in plan.written_changes().unwrap_or_default() {
                if change.edit.is_none() {
                    eprintln!(
                        "warning: `{}`: change `{}` to `{}` by hand (nplint has no place to write it)",
                        file.path,
                        if change.before.is_empty() {
                            "(new)"
                        } else {
                            &change.before
                        },
                        change.after
                    );
                }
            }
        }
        out.extend(
            nplint_rules::written_edits(&file.plans)
                .into_iter()
                .map(|edit| vec![edit]),
        );
    }
    out
}

fn text(goal: &Goal, files: &[FilePlan], out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    if files.is_empty() {
        writeln!(out, "no environment files found")?;
        return Ok(());
    }
    for file in files {
        for plan in &file.plans {
            let mut unsolved_said = false;
            for part in &plan.parts {
                let on = nplint_rules::targets_text(&part.targets);
                match &part.outcome {
                    PartOutcome::Ready => writeln!(
                        out,
                        "{} ({}): installs with `{goal}` and works as it stands, on {on}",
                        file.path, plan.environment
                    )?,
                    PartOutcome::Changes(changes) => {
                        let title = format!(
                            "{} ({}): {} to install with `{goal}` and work, on {on}",
                            file.path,
                            plan.environment,
                            count(changes.len(), "change")
                        );
                        changes_text(&title, changes, out)?;
                    }
                    PartOutcome::Unplanned(reason) => writeln!(
                        out,
                        "{} ({}): {reason}, on {on}",
                        file.path, plan.environment
                    )?,
                    PartOutcome::Blocked(blockers) => {
                        writeln!(
                            out,
                            "{} ({}): no change to its requirements makes it install with `{goal}` and work, on {on}",
                            file.path, plan.environment
                        )?;
                        for blocker in blockers {
                            writeln!(
                                out,
                                "  blocked by `{}`: {}",
                                blocker.package, blocker.reason
                            )?;
                        }
                    }
                }
                if !part.caveats.is_empty() {
                    writeln!(
                        out,
                        "  still breaks when called (no release mends it; `nplint check` warns of it):"
                    )?;
                    for caveat in &part.caveats {
                        writeln!(out, "    {caveat}")?;
                    }
                }
                if matches!(part.outcome, PartOutcome::Changes(_))
                    && !plan.unsolved.is_empty()
                    && !unsolved_said
                {
                    writeln!(out, "  {}", unsolved_text(&plan.unsolved))?;
                    unsolved_said = true;
                }
                writeln!(out)?;
            }
        }
        if let Some(relock) = &file.relock
            && file.plans.iter().any(has_changes)
        {
            writeln!(out, "then lock again: {relock}\n")?;
        }
    }
    let changes: usize = files
        .iter()
        .flat_map(|file| &file.plans)
        .flat_map(|plan| &plan.parts)
        .map(|part| match &part.outcome {
            PartOutcome::Changes(changes) => changes.len(),
            _ => 0,
        })
        .sum();
    writeln!(
        out,
        "{} planned in {}; `--diff` shows them, `--write` applies them",
        count(changes, "change"),
        count(files.len(), "file")
    )?;
    Ok(())
}

/// The note on the requirements a plan cannot see past: "not solved: 22 caps on packages nplint leaves out (...):
/// `blinker==1.4`, `click==8.0.3`, `newtulipy==0.4.6`, ...". At most three are named.
fn unsolved_text(unsolved: &[String]) -> String {
    const NAMED: usize = 3;
    let named: Vec<String> = unsolved
        .iter()
        .take(NAMED)
        .map(|requirement| format!("`{requirement}`"))
        .collect();
    match unsolved.len() {
        1 => format!(
            "not solved: {} caps a package nplint leaves out (it does not reach NumPy, or nplint does not know it); a \
             release this plan moves to may need another version of it",
            named[0]
        ),
        n => format!(
            "not solved: {n} caps on packages nplint leaves out (they do not reach NumPy, or nplint does not know \
             them): {}{}; a release this plan moves to may need other versions of them",
            named.join(", "),
            if n > NAMED { ", ..." } else { "" }
        ),
    }
}

/// The changes in miette's graphical form: the lines they change, labelled with what they become, then each
/// change with its reason.
fn changes_text(
    title: &str,
    changes: &[Change],
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    let labels: Vec<(Location, String)> = changes
        .iter()
        .filter_map(|change| {
            let edit = change.edit.as_ref()?;
            Some((edit.location.clone(), format!("→ {}", change.after)))
        })
        .collect();
    let mut help = String::new();
    for (number, change) in changes.iter().enumerate() {
        let before = if change.before.is_empty() {
            "(new)".to_owned()
        } else {
            format!("`{}`", change.before)
        };
        let _ = write!(
            help,
            "{}{}. {before} → `{}`\n   because {}\n   {}",
            if number == 0 { "" } else { "\n" },
            number + 1,
            change.after,
            change.because,
            change.gives
        );
        if change.edit.is_none() {
            help.push_str("\n   (change it by hand: nplint has no place to write it)");
        }
    }
    let mut rendered = Vec::new();
    nplint_report::render_note(
        title,
        &labels,
        Some(&help),
        nplint_report::RenderOptions::default(),
        &mut rendered,
    )?;
    out.write_all(&rendered)?;
    Ok(())
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// `nplint upgrade --format json`: version 1 of the document (`schemas/nplint-upgrade.schema.json`).
#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    goal: String,
    files: Vec<FileJson<'a>>,
}

#[derive(Serialize)]
struct FileJson<'a> {
    path: &'a str,
    environment: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    relock: Option<&'a str>,
    parts: Vec<PartJson<'a>>,
    /// The environment's caps on packages the solve leaves out, which a plan cannot see past.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    unsolved: &'a [String],
}

#[derive(Serialize)]
struct PartJson<'a> {
    targets: Vec<TargetJson>,
    /// `ready`, `changes`, `blocked` or `unplanned`.
    outcome: &'static str,
    /// Why no plan was found (`unplanned` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changes: Vec<ChangeJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    blockers: Vec<BlockerJson<'a>>,
    /// What still breaks when called, and no release mends.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    caveats: &'a [String],
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    package: String,
    kind: &'static str,
    before: &'a str,
    after: &'a str,
    because: &'a str,
    gives: &'a str,
    /// The fix's shape: edits, each a path, a span and a replacement (empty when nplint cannot write it).
    edits: Vec<EditJson<'a>>,
}

#[derive(Serialize)]
struct EditJson<'a> {
    path: String,
    span: SpanJson,
    replacement: &'a str,
}

#[derive(Serialize)]
struct SpanJson {
    start: nplint_diagnostics::Position,
    end: nplint_diagnostics::Position,
}

#[derive(Serialize)]
struct BlockerJson<'a> {
    package: String,
    reason: &'a str,
}

fn json<'a>(goal: &Goal, files: &'a [FilePlan]) -> Document<'a> {
    let change = |change: &'a Change| ChangeJson {
        package: change.package.to_string(),
        kind: change.kind.as_str(),
        before: &change.before,
        after: &change.after,
        because: &change.because,
        gives: &change.gives,
        edits: change
            .edit
            .iter()
            .map(|edit| EditJson {
                path: nplint_diagnostics::portable_path(edit.location.file.path()),
                span: SpanJson {
                    start: edit.location.start(),
                    end: edit.location.end(),
                },
                replacement: &edit.replacement,
            })
            .collect(),
    };
    let files = files
        .iter()
        .flat_map(|file| {
            file.plans.iter().map(move |plan| FileJson {
                path: &file.path,
                environment: &plan.environment,
                relock: file.relock.as_deref(),
                unsolved: &plan.unsolved,
                parts: plan
                    .parts
                    .iter()
                    .map(|part| PartJson {
                        targets: part
                            .targets
                            .iter()
                            .map(|&target| TargetJson::of(target))
                            .collect(),
                        outcome: match part.outcome {
                            PartOutcome::Ready => "ready",
                            PartOutcome::Changes(_) => "changes",
                            PartOutcome::Blocked(_) => "blocked",
                            PartOutcome::Unplanned(_) => "unplanned",
                        },
                        caveats: &part.caveats,
                        reason: match &part.outcome {
                            PartOutcome::Unplanned(reason) => Some(reason),
                            _ => None,
                        },
                        changes: match &part.outcome {
                            PartOutcome::Changes(changes) => changes.iter().map(change).collect(),
                            _ => Vec::new(),
                        },
                        blockers: match &part.outcome {
                            PartOutcome::Blocked(blockers) => blockers
                                .iter()
                                .map(|blocker| BlockerJson {
                                    package: blocker.package.to_string(),
                                    reason: &blocker.reason,
                                })
                                .collect(),
                            _ => Vec::new(),
                        },
                    })
                    .collect(),
            })
        })
        .collect();
    Document {
        schema_version: 1,
        goal: goal.to_string(),
        files,
    }
}
