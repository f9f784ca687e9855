//! `Requires-Python` as a range of the virtual `python` package, whose versions are CPython minor versions.
//!
//! A target "3.9" means *some* 3.9.z, so the `python` package's version on that target is `3.9`, and a
//! `Requires-Python` is converted to the set of minor versions `X.Y` for which **some** patch release `X.Y.z`
//! satisfies it (release-only semantics, as uv uses for `Requires-Python`: pre-releases of Python are not a
//! concern). So `>=3.9.1` admits 3.9, `!=3.9.0` admits 3.9, and `<3.9.3` admits 3.9 too. This is the permissive
//! reading on purpose: nplint must not call an environment uninstallable because of a patch-level bound that
//! most 3.9 installations meet. (Markers are evaluated differently, at `X.Y.99`, see `nplint_index::Target`: a
//! marker selects one branch and needs one answer; the two agree on every lower bound, the usual shape.)
//!
//! The minors are then written back as intervals over `X.Y` versions (runs of admitted minors merged), so the
//! range reads as the user would write it: `>=3.10`, `>=3.6, <3.10`.

use rustc_hash::FxHashMap;
use std::ops::Bound;
use std::sync::{LazyLock, Mutex, PoisonError};

use nplint_index::PythonVersion;
use pep440_rs::{Version, VersionSpecifiers, release_specifiers_to_ranges};
use version_ranges::Ranges;

/// The newest CPython 3 minor version considered; past it, a range's upper end is left open.
const NEWEST_MINOR: u8 = 40;

/// Every Python minor version a range is built over, ascending: 2.0-2.7 and 3.0-3.[`NEWEST_MINOR`].
fn minors() -> impl Iterator<Item = PythonVersion> {
    (0..=7)
        .map(|minor| PythonVersion::new(2, minor))
        .chain((0..=NEWEST_MINOR).map(|minor| PythonVersion::new(3, minor)))
}

/// The range of `python` versions (CPython minors) that `specifiers` admits; see the module documentation.
/// [`python_range`] of an index's `Requires-Python` string, computed once per process: a few hundred distinct
/// strings recur across thousands of releases and every target.
pub fn cached_python_range(raw: &'static str, specifiers: &VersionSpecifiers) -> Ranges<Version> {
    static CACHE: LazyLock<Mutex<FxHashMap<&'static str, Ranges<Version>>>> =
        LazyLock::new(|| Mutex::new(FxHashMap::default()));
    let lock = || CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(range) = lock().get(raw) {
        return range.clone();
    }
    let range = python_range(specifiers);
    lock().insert(raw, range.clone());
    range
}

pub fn python_range(specifiers: &VersionSpecifiers) -> Ranges<Version> {
    let releases = release_specifiers_to_ranges(specifiers.clone());
    let all: Vec<PythonVersion> = minors().collect();
    let mut range = Ranges::empty();
    for (at, &minor) in all.iter().enumerate() {
        let next = all.get(at + 1).copied();
        // Every patch release of `minor`: [X.Y, X.(Y+1)).
        let patches = Ranges::from_range_bounds((
            Bound::Included(minor.version()),
            Bound::Excluded(PythonVersion::new(minor.major, minor.minor + 1).version()),
        ));
        if releases.is_disjoint(&patches) {
            continue;
        }
        // The interval reaches up to the next minor considered, and is open at either end of the list, so that
        // adjacent minors merge and the ends read `>=3.10` rather than `>=3.10, <3.41`.
        let lower = if at == 0 {
            Bound::Unbounded
        } else {
            Bound::Included(minor.version())
        };
        let upper = next.map_or(Bound::Unbounded, |next| Bound::Excluded(next.version()));
        range = range.union(&Ranges::from_range_bounds((lower, upper)));
    }
    range
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn range(specifiers: &str) -> String {
        python_range(&VersionSpecifiers::from_str(specifiers).unwrap()).to_string()
    }

    #[test]
    fn lower_bounds_read_as_written() {
        assert_eq!(range(">=3.10"), ">=3.10");
        assert_eq!(range(">=3.6, <3.10"), ">=3.6, <3.10");
        assert_eq!(range(""), "*");
    }

    #[test]
    fn a_minor_is_admitted_when_some_patch_release_is() {
        assert_eq!(range(">=3.9.1"), ">=3.9");
        assert_eq!(range("!=3.9.0"), "*");
        assert_eq!(range("<3.9.3"), "<3.10");
        assert_eq!(range(">3.9"), ">=3.9");
        assert_eq!(range("<3.9"), "<3.9");
        assert_eq!(range("==3.9.*"), ">=3.9, <3.10");
        assert_eq!(range(">=2.7, !=3.0.*, !=3.1.*"), ">=2.7, <3.0 | >=3.2");
        assert_eq!(range("~=3.8"), ">=3.8");
    }

    #[test]
    fn target_versions_compare_as_expected() {
        let v = |major, minor| PythonVersion::new(major, minor).version();
        let at_least_3_10 = python_range(&VersionSpecifiers::from_str(">=3.10").unwrap());
        assert!(!at_least_3_10.contains(&v(3, 9)));
        assert!(at_least_3_10.contains(&v(3, 10)));
        assert!(at_least_3_10.contains(&v(3, 13)));
        let patch = python_range(&VersionSpecifiers::from_str(">=3.9.1").unwrap());
        assert!(patch.contains(&v(3, 9)));
        assert!(!patch.contains(&v(3, 8)));
    }
}
