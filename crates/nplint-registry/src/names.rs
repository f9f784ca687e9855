//! Package names and requirement strings: PEP 503 normalization, the name a `Requires-Dist` entry names, and
//! whether it applies without an extra.

use std::str::FromStr;

/// PEP 503 normalization: lower case, runs of `-`, `_`, `.` as one `-`.
pub fn normalize(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut separator = false;
    for character in name.chars() {
        if matches!(character, '-' | '_' | '.') {
            separator = true;
        } else {
            if separator && !normalized.is_empty() {
                normalized.push('-');
            }
            separator = false;
            normalized.push(character.to_ascii_lowercase());
        }
    }
    normalized
}

/// The normalized name a `Requires-Dist` entry starts with; `None` when it does not start with one.
pub fn requirement_name(requirement: &str) -> Option<String> {
    let requirement = requirement.trim_start();
    let end = requirement
        .find(|character: char| {
            !(character.is_ascii_alphanumeric() || matches!(character, '-' | '_' | '.'))
        })
        .unwrap_or(requirement.len());
    let name = normalize(&requirement[..end]);
    (!name.is_empty()).then_some(name)
}

/// Whether a requirement can apply without any extra: its marker (if any) is satisfiable with no extra active.
/// A requirement pep508_rs cannot parse counts as conditional only if it mentions `extra`.
pub fn is_unconditional(requirement: &str) -> bool {
    match pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement) {
        Ok(parsed) => parsed.marker.evaluate_extras(&[]),
        Err(_) => !requirement.contains("extra"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_names() {
        assert_eq!(normalize("Scikit_Learn"), "scikit-learn");
        assert_eq!(normalize("zope.interface"), "zope-interface");
        assert_eq!(normalize("a--_.b"), "a-b");
        assert_eq!(normalize("numpy"), "numpy");
    }

    #[test]
    fn reads_requirement_names() {
        assert_eq!(
            requirement_name("numpy (~=1.19.2)").as_deref(),
            Some("numpy")
        );
        assert_eq!(
            requirement_name("Keras_Preprocessing>=1.1").as_deref(),
            Some("keras-preprocessing")
        );
        assert_eq!(
            requirement_name("sphinxcontrib.programoutput ; extra == 'docs'").as_deref(),
            Some("sphinxcontrib-programoutput")
        );
        assert_eq!(
            requirement_name("torch[cuda]; python_version>'3.8'").as_deref(),
            Some("torch")
        );
        assert_eq!(requirement_name("; nothing"), None);
    }

    #[test]
    fn tells_extras_from_other_markers() {
        assert!(is_unconditional("numpy>=1.20"));
        assert!(is_unconditional("dataclasses ; python_version < \"3.7\""));
        assert!(is_unconditional(
            "tensorflow-io-gcs-filesystem>=0.23.1; platform_machine != \"arm64\""
        ));
        assert!(!is_unconditional("scipy ; extra == 'all'"));
        assert!(!is_unconditional(
            "pytest; (sys_platform == \"win32\") and extra == \"test\""
        ));
        assert!(is_unconditional("x; extra == 'a' or python_version >= '3'"));
    }
}
