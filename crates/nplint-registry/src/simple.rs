//! The simple repository API: one project page, in its JSON form (PEP 691, with PEP 700's `versions` and
//! `upload-time`) or, from indexes that serve only that, its HTML form (PEP 503, with PEP 592's `data-yanked` and
//! `data-requires-python`).

use serde::Deserialize;

/// The media type of the JSON form.
pub const MEDIA_TYPE: &str = "application/vnd.pypi.simple.v1+json";

/// `Accept` for project pages: JSON preferred, HTML accepted (what uv asks for).
pub const ACCEPT: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

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
    /// A page as served: JSON when it is a JSON object, else HTML (which names no project: `name` is taken as
    /// the page's).
    pub fn parse(body: &[u8], name: &str) -> Result<Self, String> {
        if body.trim_ascii_start().starts_with(b"{") {
            return serde_json::from_slice(body).map_err(|error| error.to_string());
        }
        let text = std::str::from_utf8(body).map_err(|error| error.to_string())?;
        let lower = text.to_ascii_lowercase();
        if !lower.contains("<html") && !lower.contains("<a ") && !lower.contains("<!doctype") {
            return Err("not HTML".to_owned());
        }
        Ok(Self {
            name: name.to_owned(),
            files: html_files(text),
            versions: Vec::new(),
        })
    }

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

/// The files of a PEP 503 page: one per anchor, named by its text (else the last segment of its `href`). The
/// URL's fragment (the file's hash) is dropped, as JSON pages give URLs without one: the metadata file's URL is
/// the file's with `.metadata` appended.
fn html_files(text: &str) -> Vec<File> {
    let lower = text.to_ascii_lowercase();
    let mut files = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find("<a") {
        let start = at + found;
        at = start + 2;
        // `<abbr>`, `<area>`: not anchors.
        if !lower[at..].starts_with(|c: char| c.is_ascii_whitespace()) {
            continue;
        }
        let Some(tag_end) = lower[at..].find('>').map(|end| at + end) else {
            break;
        };
        let attributes = attributes(&text[at..tag_end]);
        let text_end = lower[tag_end..]
            .find("</a")
            .map_or(text.len(), |end| tag_end + end);
        at = text_end;
        let attribute = |name: &str| {
            attributes
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let Some(href) = attribute("href") else {
            continue;
        };
        let label = unescape(text[tag_end + 1..text_end].trim());
        let filename = if label.is_empty() {
            let path = href.split(['#', '?']).next().unwrap_or_default();
            path.rsplit('/').next().unwrap_or_default().to_owned()
        } else {
            label
        };
        let yanked = match attribute("data-yanked") {
            None => Yanked::No,
            Some(reason) if reason.is_empty() => Yanked::Flag(true),
            Some(reason) => Yanked::Reason(reason),
        };
        files.push(File {
            filename,
            url: href.split('#').next().unwrap_or_default().to_owned(),
            requires_python: attribute("data-requires-python"),
            yanked,
            upload_time: None,
            size: None,
        });
    }
    files
}

/// A tag's attributes, names lower-cased and values unescaped; a name without a value has an empty one.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = tag.trim_start();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (raw, remaining) = if let Some(quote @ ('"' | '\'')) = after.chars().next() {
                let body = &after[1..];
                let end = body.find(quote).unwrap_or(body.len());
                (&body[..end], body.get(end + 1..).unwrap_or_default())
            } else {
                let end = after
                    .find(|c: char| c.is_ascii_whitespace())
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            };
            value = unescape(raw);
            rest = remaining;
        } else if name.is_empty() {
            // A stray `/` or `=`: skip it.
            rest = rest.get(1..).unwrap_or_default();
        }
        if !name.is_empty() {
            found.push((name, value));
        }
        rest = rest.trim_start();
    }
    found
}

/// HTML character references: the five named ones XML has, and numeric ones (`&gt;` in `data-requires-python`
/// is how PEP 503 pages write `>=3.8`). Anything else is kept as written.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let entity = &rest[1..end];
            let character = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            character.map(|character| (character, end))
        });
        if let Some((character, end)) = decoded {
            out.push(character);
            rest = &rest[end + 1..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
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
    fn reads_html_pages() {
        let html = br#"<!DOCTYPE html>
<html><body><h1>Links for fakepkg</h1>
<a href="../../files/fakepkg-1.0-py3-none-any.whl#sha256=00" data-requires-python="&gt;=3.8" data-dist-info-metadata="sha256=11">fakepkg-1.0-py3-none-any.whl</a><br/>
<A HREF='/files/fakepkg-2.0.tar.gz' data-yanked="broken &amp; &#x27;bad&#39;">fakepkg-2.0.tar.gz</A>
<a href="/files/fakepkg-3.0.tar.gz" data-yanked></a>
<abbr title="x">not a link</abbr>
</body></html>"#;
        let mut page = ProjectPage::parse(html, "fakepkg").unwrap();
        page.resolve_urls("http://127.0.0.1:1/simple/fakepkg/");
        let files: Vec<_> = page
            .files
            .iter()
            .map(|file| {
                (
                    file.filename.as_str(),
                    file.url.as_str(),
                    file.requires_python.as_deref(),
                    file.yanked.reason(),
                )
            })
            .collect();
        assert_eq!(
            files,
            [
                (
                    "fakepkg-1.0-py3-none-any.whl",
                    "http://127.0.0.1:1/files/fakepkg-1.0-py3-none-any.whl",
                    Some(">=3.8"),
                    None
                ),
                (
                    "fakepkg-2.0.tar.gz",
                    "http://127.0.0.1:1/files/fakepkg-2.0.tar.gz",
                    None,
                    Some("broken & 'bad'")
                ),
                (
                    "fakepkg-3.0.tar.gz",
                    "http://127.0.0.1:1/files/fakepkg-3.0.tar.gz",
                    None,
                    Some("")
                ),
            ]
        );
        assert_eq!(page.name, "fakepkg");
        assert!(ProjectPage::parse(b"not a page", "fakepkg").is_err());
        assert_eq!(unescape("a &unknown; &#62; &"), "a &unknown; > &");
    }

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
