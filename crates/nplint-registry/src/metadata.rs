//! Core metadata (`METADATA`, `PKG-INFO`): the RFC 822-style header block, read with the semantics of Python's
//! `email.parser` that pip and importlib.metadata use, and setuptools' `requires.txt` for old source
//! distributions.

/// The fields of core metadata the index keeps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CoreMetadata {
    pub metadata_version: Option<String>,
    pub requires_python: Option<String>,
    /// Every `Requires-Dist`, verbatim (unfolded), in order.
    pub requires_dist: Vec<String>,
    /// `Dynamic` fields (Metadata 2.2), lower-cased.
    pub dynamic: Vec<String>,
}

impl CoreMetadata {
    /// Reads the header block of a metadata file. Never fails: malformed lines end the header block, as they do in
    /// `email.parser` (which treats them as the start of the body).
    pub fn parse(text: &str) -> Self {
        let mut metadata = Self::default();
        for (name, value) in headers(text) {
            match name.to_ascii_lowercase().as_str() {
                "metadata-version" => metadata.metadata_version = Some(value),
                "requires-python" => metadata.requires_python = Some(value),
                "requires-dist" => metadata.requires_dist.push(value),
                "dynamic" => metadata.dynamic.push(value.to_ascii_lowercase()),
                _ => {}
            }
        }
        metadata
    }

    /// Whether `Requires-Dist` of a source distribution's `PKG-INFO` can be trusted: from Metadata 2.2 on, a
    /// field not marked `Dynamic` is what the built wheel will say. Before 2.2 setuptools left the field out of
    /// `PKG-INFO` and wrote `requires.txt` instead.
    pub fn sdist_requires_are_static(&self) -> bool {
        let version = self.metadata_version.as_deref().unwrap_or("1.0");
        let mut parts = version
            .split('.')
            .map(|part| part.parse::<u32>().unwrap_or(0));
        let major = parts.next().unwrap_or(0);
        let minor = parts.next().unwrap_or(0);
        (major, minor) >= (2, 2) && !self.dynamic.iter().any(|field| field == "requires-dist")
    }
}

/// The header block as `(name, value)` pairs in order, with continuation lines unfolded and the value trimmed.
pub fn headers(text: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        // Only an empty line ends the block: a line of whitespace continues the previous header (a folded
        // license text often has them).
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                // Unfolding removes the line break and keeps the whitespace (RFC 5322, 2.2.3).
                value.push_str(line);
                continue;
            }
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            break;
        };
        if name.is_empty() || name.contains([' ', '\t']) {
            break;
        }
        headers.push((name.to_string(), value.to_string()));
    }
    for (_, value) in &mut headers {
        *value = value.trim().to_string();
    }
    headers
}

/// Converts setuptools' `*.egg-info/requires.txt` to `Requires-Dist` strings, as importlib.metadata does for
/// egg-info distributions: a `[extra]`, `[:marker]` or `[extra:marker]` section header becomes a marker.
pub fn requires_txt_to_requires_dist(text: &str) -> Vec<String> {
    let mut requirements = Vec::new();
    let mut marker = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(section) = line
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            let (extra, markers) = section.split_once(':').unwrap_or((section, ""));
            let mut conditions = Vec::new();
            if !markers.is_empty() {
                conditions.push(if extra.is_empty() {
                    markers.to_string()
                } else {
                    format!("({markers})")
                });
            }
            if !extra.is_empty() {
                conditions.push(format!("extra == \"{extra}\""));
            }
            marker = if conditions.is_empty() {
                String::new()
            } else {
                format!("; {}", conditions.join(" and "))
            };
            continue;
        }
        // A URL requirement needs a space before `;`, or the marker would be read as part of the URL.
        let space = if line.contains('@') && !marker.is_empty() {
            " "
        } else {
            ""
        };
        requirements.push(format!("{line}{space}{marker}"));
    }
    requirements
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_multiple_requires_dist_in_order_and_ignores_the_body() {
        let text = "Metadata-Version: 2.1\nName: demo\nRequires-Python: >=3.8\nRequires-Dist: numpy>=1.20\n\
                    Requires-Dist: scipy; extra == \"all\"\n\nRequires-Dist: not-a-header\n";
        let metadata = CoreMetadata::parse(text);
        assert_eq!(metadata.metadata_version.as_deref(), Some("2.1"));
        assert_eq!(metadata.requires_python.as_deref(), Some(">=3.8"));
        assert_eq!(
            metadata.requires_dist,
            ["numpy>=1.20", "scipy; extra == \"all\""]
        );
    }

    #[test]
    fn unfolds_continuation_lines() {
        let text = "Name: demo\r\nLicense: MIT\r\n        more license\r\n        \r\nRequires-Dist: numpy\r\n \
                    (>=1.0)\r\n\r\nbody";
        let headers = headers(text);
        assert_eq!(
            headers,
            [
                ("Name".to_string(), "demo".to_string()),
                ("License".to_string(), "MIT        more license".to_string()),
                ("Requires-Dist".to_string(), "numpy (>=1.0)".to_string()),
            ]
        );
    }

    #[test]
    fn header_names_are_case_insensitive() {
        let metadata = CoreMetadata::parse("requires-python: >=3.6\nREQUIRES-DIST: numpy\n");
        assert_eq!(metadata.requires_python.as_deref(), Some(">=3.6"));
        assert_eq!(metadata.requires_dist, ["numpy"]);
    }

    #[test]
    fn a_line_that_is_no_header_ends_the_block() {
        let metadata =
            CoreMetadata::parse("Requires-Dist: numpy\nthis is the body\nRequires-Dist: x\n");
        assert_eq!(metadata.requires_dist, ["numpy"]);
    }

    #[test]
    fn trusts_sdist_requirements_from_metadata_2_2_unless_dynamic() {
        let static_ = CoreMetadata::parse("Metadata-Version: 2.2\nRequires-Dist: numpy\n");
        assert!(static_.sdist_requires_are_static());
        let dynamic = CoreMetadata::parse("Metadata-Version: 2.4\nDynamic: Requires-Dist\n");
        assert!(!dynamic.sdist_requires_are_static());
        let old = CoreMetadata::parse("Metadata-Version: 2.1\nRequires-Dist: numpy\n");
        assert!(!old.sdist_requires_are_static());
        let old = CoreMetadata::parse("Metadata-Version: 1.0\n");
        assert!(!old.sdist_requires_are_static());
    }

    #[test]
    fn converts_requires_txt_like_importlib_metadata() {
        let text = "numpy>=1.11.3\nscipy>=0.18.1\n\n[:python_version < \"3.7\"]\ndataclasses\n\n\
                    [distributed]\nPyro4>=4.27\n\n[test:sys_platform == \"win32\"]\npytest\n";
        assert_eq!(
            requires_txt_to_requires_dist(text),
            [
                "numpy>=1.11.3",
                "scipy>=0.18.1",
                "dataclasses; python_version < \"3.7\"",
                "Pyro4>=4.27; extra == \"distributed\"",
                "pytest; (sys_platform == \"win32\") and extra == \"test\"",
            ]
        );
    }

    #[test]
    fn reads_recorded_metadata_files() {
        let tensorflow = CoreMetadata::parse(include_str!("fixtures/tensorflow-2.5.0.METADATA"));
        assert!(
            tensorflow
                .requires_dist
                .iter()
                .any(|requirement| requirement == "numpy (~=1.19.2)")
        );
        assert_eq!(tensorflow.requires_dist.len(), 19);
        assert_eq!(tensorflow.requires_python, None);

        let numpy = CoreMetadata::parse(include_str!("fixtures/numpy-2.1.0.METADATA"));
        assert_eq!(numpy.requires_python.as_deref(), Some(">=3.10"));
        assert!(numpy.requires_dist.is_empty());

        let numpy = CoreMetadata::parse(include_str!("fixtures/numpy-1.19.5.METADATA"));
        assert_eq!(numpy.requires_python.as_deref(), Some(">=3.6"));

        let gensim = CoreMetadata::parse(include_str!("fixtures/gensim-4.0.1.METADATA"));
        assert_eq!(gensim.requires_python.as_deref(), Some(">=3.6"));
        assert_eq!(
            &gensim.requires_dist[..4],
            [
                "numpy (>=1.11.3)",
                "scipy (>=0.18.1)",
                "smart-open (>=1.8.1)",
                "dataclasses ; python_version < \"3.7\"",
            ]
        );
    }
}
