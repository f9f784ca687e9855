//! Conda package names whose PyPI distribution is named differently (`pytorch` -> `torch`).
//!
//! The table is reviewed data: `data/conda-pypi-names.csv`, one mapping a row with the public reference that
//! shows it (a conda-forge feedstock recipe, grayskull's curated `strategy/config.yaml`, or conda-forge's
//! `name_mapping.yaml`). Only names that differ are listed; every other conda name is taken as the PyPI name.
//! `pyqt` maps to `pyqt5`, the PyQt series conda-forge has packaged as `pyqt` since 2017 (the mapping is
//! version-dependent upstream: `pyqt` 4.x was PyQt4).

use std::sync::OnceLock;

const DATA: &str = include_str!("../../data/conda-pypi-names.csv");

/// One row of the data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Mapping {
    pub conda: &'static str,
    pub pypi: &'static str,
    pub reference: &'static str,
}

/// The rows in file order (sorted by conda name; a test keeps them so).
pub(super) fn table() -> &'static [Mapping] {
    static TABLE: OnceLock<Vec<Mapping>> = OnceLock::new();
    TABLE.get_or_init(|| {
        DATA.lines()
            .skip(1)
            .filter(|line| !line.trim().is_empty())
            .filter_map(|line| {
                let mut fields = line.splitn(3, ',');
                Some(Mapping {
                    conda: fields.next()?,
                    pypi: fields.next()?,
                    reference: fields.next()?,
                })
            })
            .collect()
    })
}

/// The PyPI name of the conda package `conda_name` (lower case), when it differs.
pub(crate) fn pypi_name(conda_name: &str) -> Option<&'static str> {
    let table = table();
    table
        .binary_search_by(|mapping| mapping.conda.cmp(conda_name))
        .ok()
        .map(|index| table[index].pypi)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use pep508_rs::PackageName;

    use super::*;

    #[test]
    fn data_file_is_canonical() {
        assert_eq!(DATA.lines().next(), Some("conda_name,pypi_name,reference"));
        let rows: Vec<&str> = DATA.lines().skip(1).collect();
        assert_eq!(
            rows.len(),
            table().len(),
            "every row parses into three fields"
        );
        assert!(
            DATA.ends_with('\n') && !DATA.ends_with("\n\n"),
            "one trailing newline"
        );
        for pair in table().windows(2) {
            assert!(
                pair[0].conda < pair[1].conda,
                "sorted and unique: `{}` before `{}`",
                pair[0].conda,
                pair[1].conda
            );
        }
        for mapping in table() {
            assert_eq!(
                mapping.conda,
                mapping.conda.trim().to_ascii_lowercase(),
                "conda names are lower case"
            );
            let pypi = PackageName::from_str(mapping.pypi).expect("a valid PyPI name");
            assert_eq!(
                pypi.as_ref(),
                mapping.pypi,
                "PyPI names are written normalized"
            );
            assert_ne!(
                mapping.conda, mapping.pypi,
                "only names that differ are listed"
            );
            assert!(
                mapping.reference.starts_with("https://github.com/"),
                "`{}` has a reference",
                mapping.conda
            );
            assert!(!mapping.reference.contains(','), "references are one field");
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(pypi_name("pytorch"), Some("torch"));
        assert_eq!(pypi_name("py-opencv"), Some("opencv-python"));
        assert_eq!(pypi_name("matplotlib-base"), Some("matplotlib"));
        assert_eq!(pypi_name("numpy"), None);
        assert_eq!(pypi_name("scikit-learn"), None);
    }
}
