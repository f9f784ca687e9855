//! CPython's release history: which minor versions had a final release, and until when each is supported upstream.
//!
//! The source is `data/python-releases.toml`, CPython's own record of every release (the `release_management`
//! data of the PEPs repository, public domain / CC0-1.0; provenance in `data/README.md`), read by `build.rs` into a
//! table of minors. nplint's default Pythons are those supported upstream on the index's snapshot date
//! ([`supported_on`]): a minor counts from its `X.Y.0` final release (recorded as `actual`, on or before the date;
//! a planned date does not count) until its end-of-life date. Dates are ISO 8601 (`YYYY-MM-DD`), compared as text.

use crate::PythonVersion;

/// One CPython minor version and its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpythonMinor {
    pub version: PythonVersion,
    /// The date of the `X.Y.0` final release: past when `released`, else the planned date.
    pub final_release: &'static str,
    /// Whether the final release happened (`state = "actual"` in the data), rather than being planned.
    pub released: bool,
    /// The end of upstream support (planned, for a minor still supported when the data was written).
    pub end_of_life: &'static str,
}

impl CpythonMinor {
    /// Whether the minor had its final release on or before `date`.
    pub fn released_on(&self, date: &str) -> bool {
        self.released && self.final_release <= date
    }

    /// Whether the minor was released and not yet at its end of life on `date`.
    pub fn supported_on(&self, date: &str) -> bool {
        self.released_on(date) && date < self.end_of_life
    }
}

/// Every CPython 3 minor the data records, ascending.
pub fn minors() -> &'static [CpythonMinor] {
    static MINORS: &[CpythonMinor] = include!(concat!(env!("OUT_DIR"), "/cpython.rs"));
    MINORS
}

/// The minors with a final release on or before `date` (`YYYY-MM-DD`, or a longer RFC 3339 time), ascending.
pub fn released_on(date: &str) -> Vec<PythonVersion> {
    minors_where(|minor| minor.released_on(day(date)))
}

/// The minors supported upstream on `date`: released and not at their end of life, ascending.
pub fn supported_on(date: &str) -> Vec<PythonVersion> {
    minors_where(|minor| minor.supported_on(day(date)))
}

fn minors_where(keep: impl Fn(&CpythonMinor) -> bool) -> Vec<PythonVersion> {
    minors()
        .iter()
        .filter(|minor| keep(minor))
        .map(|minor| minor.version)
        .collect()
}

/// The day of a date or an RFC 3339 time (`2026-11-21T12:24:32Z` → `2026-11-21`).
fn day(date: &str) -> &str {
    date.get(..10).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(list: &[PythonVersion]) -> Vec<String> {
        list.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_table_holds_every_minor_from_3_2_in_order() {
        let minors = minors();
        assert!(minors.windows(2).all(|w| w[0].version < w[1].version));
        assert!(
            minors
                .iter()
                .any(|minor| minor.version == PythonVersion::new(3, 2))
        );
        for minor in minors {
            assert_eq!(minor.final_release.len(), 10, "{minor:?}");
            assert!(minor.final_release < minor.end_of_life, "{minor:?}");
        }
    }

    #[test]
    fn a_minor_counts_from_its_final_release_until_its_end_of_life() {
        // 3.14.0 was released on 2025-10-07; 3.9 reached its end of life on 2025-10-31.
        assert_eq!(
            versions(&supported_on("2025-10-06")),
            ["3.9", "3.10", "3.11", "3.12", "3.13"]
        );
        assert_eq!(
            versions(&supported_on("2025-10-07T00:00:00Z")),
            ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]
        );
        assert_eq!(
            versions(&supported_on("2025-10-31")),
            ["3.10", "3.11", "3.12", "3.13", "3.14"]
        );
    }

    #[test]
    fn a_planned_release_does_not_count() {
        let planned = minors()
            .iter()
            .find(|minor| !minor.released)
            .expect("the data plans a future minor");
        assert!(!released_on("2099-01-01").contains(&planned.version));
        assert!(released_on("2099-01-01").contains(&PythonVersion::new(3, 6)));
    }
}
