//! conda-lock's unified `conda-lock.yml` (`version: 1`).
//!
//! The file lists every package of every platform in one `package` list; each entry names its `platform`, and
//! `metadata.platforms` lists the platforms the lock was solved for. Each platform is one environment,
//! `conda-lock` on that platform, declared even when no package is locked for it. An entry with `manager: conda`
//! is a conda package, its channel and build read from its `url`
//! (`https://conda.channel.invalid/conda-forge/linux-64/numpy-1.26.4-py311h64a7726_0.conda`); one with
//! `manager: pip` is a PyPI package. Categories (`main`, `dev`, ...) are not told apart: every category is
//! installed by `conda-lock install` unless the user opts out.
//!
//! This module also holds what `pixi.lock` shares with it: reading a conda package's file name.

use nplint_diagnostics::Span;

use super::yaml::{YamlLock, field, first_key, node, outer_end, read_yaml_lock};
use super::{CondaLocked, LockBuilder, Locked};
use crate::conda::yaml::Node;
use crate::{Loader, Manifest};

/// The environment of every platform; the platform tells them apart.
const ENVIRONMENT: &str = "conda-lock";

/// conda-lock.yml reads as `version: 1`, the only version conda-lock writes.
const LOCK: YamlLock = YamlLock {
    file: "conda-lock.yml",
    versions: &["1"],
    supported: "1",
};

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    read_yaml_lock(manifest, &LOCK, |builder, _text, entries| {
        if let Ok(Some(metadata)) = node(builder, entries, "metadata", "mapping")
            && let Node::Mapping(metadata, _) = metadata
            && let Ok(Some(platforms)) = node(builder, metadata, "platforms", "list")
            && let Node::Sequence(platforms, _) = platforms
        {
            for platform in platforms {
                match platform {
                    Node::Scalar(platform) if platform.non_string_kind().is_none() => {
                        builder.environment(ENVIRONMENT, Some(&platform.value));
                    }
                    other => builder.invalid(
                        format!("a platform must be a string, found a {}", other.kind()),
                        other.span(),
                    ),
                }
            }
        }
        if let Ok(Some(Node::Sequence(packages, _))) = node(builder, entries, "package", "list") {
            for package in packages {
                read_package(builder, package);
            }
        }
    })
}

fn read_package(builder: &mut LockBuilder, package: &Node) {
    let Node::Mapping(entries, span) = package else {
        builder.invalid(
            format!(
                "a `package` entry must be a mapping, found a {}",
                package.kind()
            ),
            package.span(),
        );
        return;
    };
    let start = first_key(entries, *span);
    let Ok(name) = field(builder, entries, "name") else {
        return;
    };
    let Some(name) = name else {
        builder.invalid("a `package` entry without a `name`", start);
        return;
    };
    let Ok(platform) = field(builder, entries, "platform") else {
        return;
    };
    let Some(platform) = platform else {
        builder.invalid(
            format!("`{}` is locked without a `platform`", name.value),
            name.inner,
        );
        return;
    };
    let Ok(manager) = field(builder, entries, "manager") else {
        return;
    };
    // conda-lock's own default when the key is missing.
    let is_conda = match manager.map(|manager| (manager.value.as_str(), manager.inner)) {
        None | Some(("conda", _)) => true,
        Some(("pip", _)) => false,
        Some((other, span)) => {
            builder.invalid(
                format!("unknown package manager `{other}`, expected `conda` or `pip`"),
                span,
            );
            return;
        }
    };
    let Ok(url) = field(builder, entries, "url") else {
        return;
    };
    let Ok(version) = field(builder, entries, "version") else {
        return;
    };
    let Some(version) = version else {
        super::unversioned(builder, &name.value, name.inner);
        return;
    };
    let file = url
        .filter(|_| is_conda)
        .and_then(|url| conda_file(&url.value));
    let end = outer_end(name).max(outer_end(version)) as usize;
    let locked = Locked {
        name: &name.value,
        version: &version.value,
        version_span: version.inner,
        entry: Span::from_range(start.start as usize..end),
        marker: None,
        conda: is_conda.then(|| CondaLocked {
            channel: file.as_ref().and_then(|file| file.channel),
            build: file.as_ref().map(|file| file.build),
        }),
    };
    if let Some(index) = builder.package(&locked) {
        builder.add_to(ENVIRONMENT, Some(&platform.value), index);
    }
}

/// A conda package file as its URL names it:
/// `https://conda.channel.invalid/<channel>/<subdir>/<name>-<version>-<build>.conda` (or `.tar.bz2`).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct CondaFile<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub build: &'a str,
    /// The URL's path between the host and the subdir (`conda-forge`, `pkgs/main`); `None` for a local path.
    pub channel: Option<&'a str>,
    /// Where `version` starts in the URL.
    pub version_offset: usize,
}

/// Reads a conda package's URL; `None` when its file name is not `<name>-<version>-<build>` with a conda
/// package extension.
pub(super) fn conda_file(url: &str) -> Option<CondaFile<'_>> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let (directory, file) = path.rsplit_once('/').unwrap_or(("", path));
    let stem = file
        .strip_suffix(".conda")
        .or_else(|| file.strip_suffix(".tar.bz2"))?;
    let (rest, build) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || build.is_empty() {
        return None;
    }
    let channel = directory
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('/'))
        .and_then(|(_host, path)| path.rsplit_once('/'))
        .map(|(channel, _subdir)| channel.trim_matches('/'))
        .filter(|channel| !channel.is_empty());
    Some(CondaFile {
        name,
        version,
        build,
        channel,
        version_offset: path.len() - file.len() + name.len() + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conda_file_names() {
        let url =
            "https://conda.channel.invalid/conda-forge/linux-64/numpy-1.26.4-py311h64a7726_0.conda";
        let file = conda_file(url).unwrap();
        assert_eq!(
            file,
            CondaFile {
                name: "numpy",
                version: "1.26.4",
                build: "py311h64a7726_0",
                channel: Some("conda-forge"),
                version_offset: url.find("1.26.4").unwrap(),
            }
        );
    }

    #[test]
    fn conda_file_names_with_dashes() {
        let url = "https://conda.channel.invalid/conda-forge/noarch/typing-extensions-4.12.2-hd8ed1ab_0.tar.bz2";
        let file = conda_file(url).unwrap();
        assert_eq!(file.name, "typing-extensions");
        assert_eq!(file.version, "4.12.2");
        assert_eq!(file.build, "hd8ed1ab_0");
        assert_eq!(&url[file.version_offset..][..6], "4.12.2");
    }

    #[test]
    fn conda_channels() {
        let channel = |url| conda_file(url).unwrap().channel;
        assert_eq!(
            channel("https://repo.channel.invalid/pkgs/main/linux-64/bzip2-1.0.8-h5eee18b_6.conda"),
            Some("pkgs/main")
        );
        assert_eq!(
            channel("https://conda.channel.invalid/conda-forge/label/dev/osx-arm64/a-1-b.conda"),
            Some("conda-forge/label/dev")
        );
        assert_eq!(channel("https://host.invalid/linux-64/a-1-b.conda"), None);
        assert_eq!(channel("./local/linux-64/a-1-b.conda"), None);
        assert_eq!(channel("a-1-b.conda"), None);
    }

    #[test]
    fn not_conda_files() {
        assert_eq!(conda_file("https://host.invalid/numpy-1.26.4.tar.gz"), None);
        assert_eq!(
            conda_file("https://host.invalid/x/numpy-1.26.4.conda"),
            None
        );
        assert_eq!(conda_file("https://host.invalid/x/-1-b.conda"), None);
        assert_eq!(conda_file("https://host.invalid/x/a--b.conda"), None);
        assert_eq!(conda_file(""), None);
        assert_eq!(conda_file("/"), None);
    }

    #[test]
    fn conda_file_query() {
        let file = conda_file("https://host.invalid/c/linux-64/a-1.0-b_0.conda?x=y-z").unwrap();
        assert_eq!((file.name, file.version, file.build), ("a", "1.0", "b_0"));
    }

    /// A real lock's conda names: reports name each package as the lock does, whether or not it has a Python
    /// name, and two conda packages that one PyPI name would merge stay apart.
    #[test]
    fn conda_names_are_kept() {
        let manifest = crate::test_support::read(
            parse,
            crate::Format::CondaLock,
            "conda-lock.yml",
            include_str!("../../tests/fixtures/conda-lock/conda-names.yml"),
        );
        assert!(manifest.issues.is_empty(), "{:?}", manifest.issues);
        let named: Vec<_> = manifest
            .requirements
            .iter()
            .map(|requirement| {
                (
                    requirement.display(),
                    requirement.name.as_ref().map(ToString::to_string),
                )
            })
            .collect();
        assert_eq!(
            named,
            [
                ("_libgcc_mutex==0.1".to_owned(), None),
                ("_openmp_mutex==4.5".to_owned(), None),
                (
                    "typing-extensions==4.15.0".to_owned(),
                    Some("typing-extensions".to_owned())
                ),
                (
                    "typing_extensions==4.15.0".to_owned(),
                    Some("typing-extensions".to_owned())
                ),
                ("tzdata==2025b".to_owned(), Some("tzdata".to_owned())),
            ]
        );
    }
}
