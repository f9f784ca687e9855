//! The simple repository API's JSON form (PEP 691, with PEP 700's `versions` and `upload-time`, and PEP 658/714's
//! metadata keys): one project page.

use serde::Deserialize;

/// The media type asked for in `Accept`.
pub const MEDIA_TYPE: &str = "application/vnd.pypi.simple.v1+json";

/// A project's page: `GET <index>/<name>/`.
#[derive(Debug, Clone, Deserialize)]
pub struct ProjectPage {
    pub name: String,
    pub files: Vec<File>,
    /// Every version of the project as the index spells it (PEP 700); empty from indexes that predate it.
    #[serde(default)]
    pub versions: Vec<String>,
}

/// `text` with `<index>` for the scheme and host of `index_url` (`Please migrate to ...
/// https://<host>/project/datacommons-client/`, a yank reason): the data names no package registry's host; the
/// index it was read from is the sync's configuration, not one of its facts.
pub fn redact_index_host(text: &str, index_url: &str) -> String {
    let host = index_url
        .split_once("://")
        .and_then(|(_, rest)| rest.split('/').next())
        .filter(|host| !host.is_empty());
    match host {
        Some(host) if text.contains(host) => ["https://", "http://"]
            .iter()
            .fold(text.to_owned(), |text, scheme| {
                text.replace(&format!("{scheme}{host}"), "<index>")
            }),
        _ => text.to_owned(),
    }
}

/// `2024-08-18T21:51:09.966467Z` → `2024-08-18T21:51:09Z`; an offset of `+00:00` is written `Z`.
/// Upload times are compared as strings, so they are written one way.
pub fn normalize_time(time: &str) -> String {
    let time = time.trim();
    let seconds = time.get(..19).unwrap_or(time);
    format!("{seconds}Z")
}

/// One distribution file.
#[derive(Debug, Clone, Deserialize)]
pub struct File {
    pub filename: String,
    /// Absolute after [`ProjectPage::resolve_urls`].
    pub url: String,
    #[serde(rename = "requires-python", default)]
    pub requires_python: Option<String>,
    #[serde(default)]
    pub yanked: Yanked,
    /// RFC 3339 (PEP 700).
    #[serde(rename = "upload-time", default)]
    pub upload_time: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
}

/// `yanked`: `false`, `true`, or the reason (PEP 592, PEP 691).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(untagged)]
pub enum Yanked {
    #[default]
    No,
    Flag(bool),
    Reason(String),
}

impl Yanked {
    /// The reason when yanked (empty when none was given), `None` when not.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::No | Self::Flag(false) => None,
            Self::Flag(true) => Some(""),
            Self::Reason(reason) => Some(reason),
        }
    }
}

impl ProjectPage {
    /// [`redact_index_host`] in the yank reasons, the page's only free text that the data keeps.
    pub fn redact_index_host(&mut self, index_url: &str) {
        for file in &mut self.files {
            if let Yanked::Reason(reason) = &mut file.yanked {
                *reason = redact_index_host(reason, index_url);
            }
        }
    }

    /// Makes every file URL absolute: PEP 691 allows URLs relative to the page's.
    pub fn resolve_urls(&mut self, page_url: &str) {
        for file in &mut self.files {
            file.url = resolve(page_url, &file.url);
        }
    }
}

/// Resolves a reference against an absolute base URL (RFC 3986, section 5.2, without query handling of the
/// base, which simple pages do not have).
pub fn resolve(base: &str, reference: &str) -> String {
    if reference.contains("://") {
        return reference.to_string();
    }
    let Some(scheme_end) = base.find("://") else {
        return reference.to_string();
    };
    let authority_end = base[scheme_end + 3..]
        .find('/')
        .map_or(base.len(), |index| scheme_end + 3 + index);
    if let Some(rest) = reference.strip_prefix("//") {
        return format!("{}//{rest}", &base[..=scheme_end]);
    }
    let origin = &base[..authority_end];
    let (path, suffix) = match reference.find(['?', '#']) {
        Some(index) => reference.split_at(index),
        None => (reference, ""),
    };
    let merged = if path.starts_with('/') {
        path.to_string()
    } else {
        let base_path = &base[authority_end..];
        let base_path = base_path.split(['?', '#']).next().unwrap_or_default();
        let directory = base_path
            .rfind('/')
            .map_or("/", |index| &base_path[..=index]);
        format!("{directory}{path}")
    };
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = merged.split('/').collect();
    for (index, segment) in parts.iter().enumerate() {
        let last = index + 1 == parts.len();
        match *segment {
            "." => {
                if last {
                    segments.push("");
                }
            }
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
                if last {
                    segments.push("");
                }
            }
            segment => segments.push(segment),
        }
    }
    format!("{origin}{}{suffix}", segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_upload_times() {
        assert_eq!(
            normalize_time("2024-08-18T21:51:09.966467Z"),
            "2024-08-18T21:51:09Z"
        );
        assert_eq!(
            normalize_time("2024-08-18T21:51:09Z"),
            "2024-08-18T21:51:09Z"
        );
        assert_eq!(
            normalize_time("2024-08-18T21:51:09+00:00"),
            "2024-08-18T21:51:09Z"
        );
    }

    #[test]
    fn resolves_relative_urls() {
        let base = "https://index.example.invalid/simple/numpy/";
        assert_eq!(
            resolve(base, "https://files.example.invalid/a/numpy-1.0.tar.gz"),
            "https://files.example.invalid/a/numpy-1.0.tar.gz"
        );
        assert_eq!(
            resolve(base, "../../packages/ab/numpy-1.0.tar.gz#sha256=00"),
            "https://index.example.invalid/packages/ab/numpy-1.0.tar.gz#sha256=00"
        );
        assert_eq!(
            resolve(base, "/files/numpy-1.0.tar.gz"),
            "https://index.example.invalid/files/numpy-1.0.tar.gz"
        );
        assert_eq!(
            resolve(base, "numpy-1.0.tar.gz"),
            "https://index.example.invalid/simple/numpy/numpy-1.0.tar.gz"
        );
        assert_eq!(
            resolve(base, "//files.example.invalid/x.whl"),
            "https://files.example.invalid/x.whl"
        );
    }

    #[test]
    fn yank_reasons_name_no_index_host() {
        let mut page: ProjectPage = serde_json::from_str(
            r#"{"name": "x", "files": [
                {"filename": "a", "url": "a", "yanked": "Deprecated: use https://index.example.invalid/project/y/"},
                {"filename": "b", "url": "b", "yanked": "see https://elsewhere.example.invalid/z"},
                {"filename": "c", "url": "c", "yanked": true}
            ]}"#,
        )
        .unwrap();
        page.redact_index_host("https://index.example.invalid/simple");
        let reasons: Vec<Option<&str>> =
            page.files.iter().map(|file| file.yanked.reason()).collect();
        assert_eq!(
            reasons,
            [
                Some("Deprecated: use <index>/project/y/"),
                Some("see https://elsewhere.example.invalid/z"),
                Some("")
            ]
        );
    }

    #[test]
    fn reads_yanked_in_every_form() {
        let page: ProjectPage = serde_json::from_str(
            r#"{"name": "x", "files": [
                {"filename": "a", "url": "a", "yanked": false},
                {"filename": "b", "url": "b", "yanked": true},
                {"filename": "c", "url": "c", "yanked": "broken"},
                {"filename": "d", "url": "d"}
            ]}"#,
        )
        .unwrap();
        let reasons: Vec<_> = page.files.iter().map(|file| file.yanked.reason()).collect();
        assert_eq!(reasons, [None, Some(""), Some("broken"), None]);
    }

    #[test]
    fn reads_recorded_pages() {
        let page: ProjectPage =
            serde_json::from_str(include_str!("fixtures/simple-numpy.json")).unwrap();
        assert_eq!(page.name, "numpy");
        assert_eq!(page.versions, ["1.19.5", "2.1.0"]);
        let sdist = page
            .files
            .iter()
            .find(|file| file.filename == "numpy-2.1.0.tar.gz")
            .unwrap();
        assert_eq!(sdist.requires_python.as_deref(), Some(">=3.10"));
        assert!(sdist.url.starts_with("https://files.example.invalid/"));
        assert!(
            sdist
                .upload_time
                .as_deref()
                .unwrap()
                .starts_with("2024-08-18T")
        );
    }
}
