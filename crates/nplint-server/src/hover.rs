//! Hover on a requirement: what the index knows of the package and of the newest release the specifier allows;
//! on `numpy`, the NumPy each target resolves to and what keeps it from a newer one.

use std::fmt::Write as _;
use std::sync::Arc;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};
use nplint_index::{BuildNumpy, Index, Package, PackageName, Release, Target};
use nplint_manifest::{Format, Manifest, Requirement};
use nplint_rules::{Answer, Resolver, Settings, Source};

use crate::convert;
use crate::document::{self, Document, Encoding};
use crate::workspace::{Overlay, Scope};

/// The hover for the requirement at `position` of `document`, if one is there.
pub(crate) fn hover(
    scope: &Scope,
    resolver: &Resolver,
    settings: &Settings,
    document: &Document,
    format: Format,
    position: Position,
    encoding: Encoding,
) -> Option<Hover> {
    let overlay = Overlay::new(scope);
    let manifest = nplint_manifest::load(&document.path, format, &overlay).ok()?;
    let offset = u32::try_from(document::offset(&document.text, position, encoding)).ok()?;
    let root = manifest.sources.first()?;
    let (id, requirement) = manifest.requirements.iter().enumerate().find(|(_, r)| {
        Arc::ptr_eq(&r.location.file, root)
            && r.location.span.start <= offset
            && offset <= r.location.span.end
    })?;
    let name = requirement.name.as_ref()?;
    let index = resolver.index();
    let targets = targets(resolver, &manifest, id, settings);
    let mut text = match index.package(name) {
        Some(package) => package_text(index, package, requirement, &targets),
        None => format!(
            "**{name}** is not in nplint's index (snapshot of {}): it is left out of the solve.\n",
            index.snapshot().newest_upload_date()
        ),
    };
    if name.as_ref() == "numpy" {
        numpy_text(&mut text, resolver, &manifest, id, settings);
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(convert::location_range(&requirement.location, encoding)),
    })
}

/// The targets the environments holding requirement `id` are checked on, Python-major.
fn targets(
    resolver: &Resolver,
    manifest: &Manifest,
    id: usize,
    settings: &Settings,
) -> Vec<Target> {
    let mut targets: Vec<Target> = manifest
        .environments
        .iter()
        .filter(|environment| environment.requirements.contains(&id))
        .flat_map(|environment| resolver.environment_targets(manifest, environment, settings))
        .collect();
    targets.sort_unstable();
    targets.dedup();
    targets
}

/// What the index knows of the package and of the newest release `requirement` allows, on one of `targets`: the
/// newest Python of the first platform that the release has wheels for (else the newest Python).
fn package_text(
    index: &Index,
    package: &Package,
    requirement: &Requirement,
    targets: &[Target],
) -> String {
    let mut text = String::new();
    let name = package.name();
    let allowed: Vec<&Release> = package
        .releases()
        .iter()
        .filter(|release| !release.is_yanked() && !release.is_prerelease())
        .filter(|release| requirement.specifiers.contains(release.version()))
        .collect();
    let _ = writeln!(
        text,
        "**{name}** — nplint's index (snapshot of {}) holds {} releases; {} allowed here",
        index.snapshot().newest_upload_date(),
        package.releases().len(),
        allowed.len()
    );
    let Some(newest) = allowed.iter().max_by(|a, b| a.version().cmp(b.version())) else {
        return text;
    };
    let _ = writeln!(
        text,
        "\nNewest allowed: **{name}=={}** ({})\n",
        newest.version(),
        newest.upload_date()
    );
    let first_platform = targets.iter().map(|target| target.platform).min();
    let on_platform = || {
        targets
            .iter()
            .filter(|target| Some(target.platform) == first_platform)
    };
    let target = on_platform()
        .filter(|target| newest.has_wheel(target.python, target.platform))
        .max()
        .or_else(|| on_platform().max())
        .copied();
    if let Some(target) = target {
        if let Some(requires_python) = newest.requires_python(target.platform) {
            let _ = writeln!(text, "- Requires-Python: `{}`", requires_python.raw());
        }
        match newest.numpy_requirement(target) {
            Some(numpy) if numpy.is_empty() => {
                let _ = writeln!(text, "- requires `numpy` (any version)");
            }
            Some(numpy) => {
                let _ = writeln!(text, "- requires `numpy{numpy}` (on {target})");
            }
            None if name.as_ref() != "numpy" => {
                let _ = writeln!(text, "- does not require NumPy (on {target})");
            }
            None => {}
        }
    }
    if let Some(scan) = newest.build_scan() {
        let built = match scan.numpy {
            BuildNumpy::Numpy1 => "NumPy 1.x: breaks under NumPy 2",
            BuildNumpy::Numpy2 => "NumPy 2.x",
            BuildNumpy::None => "no NumPy C API",
            BuildNumpy::NameOnly => "no NumPy headers (takes NumPy's C API by name at run time)",
        };
        let _ = writeln!(
            text,
            "- binaries built against {built} (read from `{}`)",
            scan.file
        );
    }
    for fact in nplint_index::runtime::facts(index, package, newest, target) {
        let _ = writeln!(
            text,
            "- **{}**: {} {}",
            fact.kind.as_str(),
            name,
            fact.predicate
        );
        let _ = writeln!(text, "  - fails with: {}", fact.symptom);
        if !fact.references.is_empty() {
            let references: Vec<String> = fact
                .references
                .iter()
                .map(|reference| format!("<{reference}>"))
                .collect();
            let _ = writeln!(text, "  - see {}", references.join(", "));
        }
    }
    text
}

/// Which NumPy each target resolves to, and what keeps it from the next newer NumPy that installs there
/// ([`nplint_rules::why_in`], as `nplint why numpy` says it), over the environments holding requirement `id`.
fn numpy_text(
    text: &mut String,
    resolver: &Resolver,
    manifest: &Manifest,
    id: usize,
    settings: &Settings,
) {
    let numpy: PackageName = "numpy".parse().expect("a valid name");
    // Lines of the answer, each with the targets it holds on, in the order first met.
    let mut lines: Vec<(String, Vec<Target>)> = Vec::new();
    for environment in manifest
        .environments
        .iter()
        .filter(|environment| environment.requirements.contains(&id))
    {
        let why = nplint_rules::why_in(resolver, manifest, environment, settings, &numpy);
        for (answer, targets) in why.answers {
            let line = answer_line(&answer);
            match lines.iter_mut().find(|(existing, _)| *existing == line) {
                Some((_, existing)) => existing.extend(targets),
                None => lines.push((line, targets)),
            }
        }
    }
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(text, "\n**NumPy in this environment**\n");
    for (line, targets) in lines {
        let _ = writeln!(
            text,
            "- {line} — on {}",
            nplint_rules::targets_text(&targets)
        );
    }
}

/// One answer as a line of the hover: the NumPy installed, and what holds it below the next one.
fn answer_line(answer: &Answer) -> String {
    match answer {
        Answer::Installed { version, above, .. } => {
            let cap = match &above.next {
                None => ", the newest that installs here".to_owned(),
                Some(next) if above.by.is_empty() => {
                    format!("; numpy {next} would need other versions of the rest")
                }
                Some(next) => {
                    let caps: Vec<String> = above
                        .by
                        .iter()
                        .map(|reason| match &reason.source {
                            Source::File(requirement) => format!("`{requirement}` (this file)"),
                            Source::Release(name, version) => {
                                format!(
                                    "`{name}=={version}` (requires `numpy{}`)",
                                    reason.specifiers
                                )
                            }
                        })
                        .collect();
                    format!(", held below {next} by {}", caps.join(", "))
                }
            };
            format!("**numpy {version}**{cap}")
        }
        Answer::Absent => "no NumPy installed".to_owned(),
        Answer::Fails => "does not install (see the finding)".to_owned(),
    }
}
