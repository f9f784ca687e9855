//! Poetry version constraints (`^1.2`, `~1.2`, `1.2.*`, `>=1.2 <2`, `^1 || ^2`) converted to PEP 440.
//!
//! The grammar and the meaning of every form follow poetry-core exactly
//! (`src/poetry/core/constraints/version/parser.py` and `patterns.py`, `parse_constraint` and
//! `parse_single_constraint`; bounds from `Version.next_breaking`, `next_major`, `next_minor` and `next_patch` in
//! `constraints/version/version.py` and `version/pep440/version.py`). In particular bounds keep the precision of
//! the version they were computed from (`^1.2` is `>=1.2,<2.0`, `^1.2.3` is `>=1.2.3,<2.0.0`), as poetry-core
//! writes them into a wheel's metadata.
//!
//! PEP 440 has no union. A `||` union whose parts overlap or touch is merged into one range as poetry-core's
//! `VersionUnion.of` does; any other union cannot be written as one specifier set, and [`Constraint::to_specifiers`]
//! says so instead of guessing. As a marker (`python = "..."` on a dependency) a union is always expressible.

use std::str::FromStr;

use pep440_rs::{Operator, Version, VersionSpecifier, VersionSpecifiers};

/// A parsed Poetry constraint: a union of intersections of simple bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Constraint {
    /// Alternatives (`||`); each is a conjunction of bounds, empty for "any version".
    alternatives: Vec<Vec<Bound>>,
}

/// One PEP 440 comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Bound {
    Lower {
        version: Version,
        inclusive: bool,
    },
    Upper {
        version: Version,
        inclusive: bool,
    },
    Exact(Version),
    NotEqual(Version),
    /// `!=1.2.*`: poetry-core's `<1.2.0 || >=1.3.0`, which it also writes as `!=1.2.*`.
    NotWildcard {
        prefix: Version,
        low: Version,
        high: Version,
    },
}

/// A union of ranges that PEP 440 cannot express as one specifier set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Disjoint;

impl Constraint {
    fn any() -> Self {
        Self {
            alternatives: vec![Vec::new()],
        }
    }

    /// Whether every version satisfies the constraint (`*`).
    pub(crate) fn is_any(&self) -> bool {
        self.alternatives.iter().any(Vec::is_empty)
    }

    /// The PEP 440 specifier set allowing the same versions, or [`Disjoint`] for a union of separate ranges.
    pub(crate) fn to_specifiers(&self) -> Result<VersionSpecifiers, Disjoint> {
        if self.is_any() {
            return Ok(VersionSpecifiers::empty());
        }
        let bounds = match self.alternatives.as_slice() {
            [only] => only.clone(),
            alternatives => merge_union(alternatives).ok_or(Disjoint)?,
        };
        Ok(bounds.iter().map(Bound::to_specifier).collect())
    }

    /// The constraint as a marker on `python_version`, written as poetry-core's `create_nested_marker` writes it:
    /// bounds with three or more release segments compare `python_full_version`. `None` for any version.
    pub(crate) fn to_python_marker(&self) -> Option<String> {
        if self.is_any() {
            return None;
        }
        let alternatives: Vec<String> = self
            .alternatives
            .iter()
            .map(|bounds| {
                let parts: Vec<String> = bounds.iter().map(Bound::to_python_marker).collect();
                format!("({})", parts.join(" and "))
            })
            .collect();
        Some(alternatives.join(" or "))
    }
}

impl Bound {
    fn to_specifier(&self) -> VersionSpecifier {
        let (operator, version) = match self {
            Self::Lower { version, inclusive } => (
                if *inclusive {
                    Operator::GreaterThanEqual
                } else {
                    Operator::GreaterThan
                },
                version,
            ),
            Self::Upper { version, inclusive } => (
                if *inclusive {
                    Operator::LessThanEqual
                } else {
                    Operator::LessThan
                },
                version,
            ),
            Self::Exact(version) => (Operator::Equal, version),
            Self::NotEqual(version) => (Operator::NotEqual, version),
            Self::NotWildcard { prefix, .. } => (Operator::NotEqualStar, prefix),
        };
        // Local versions were rejected for every operator but `==` and `!=` when the bound was built.
        VersionSpecifier::from_version(operator, version.clone())
            .expect("bounds are valid PEP 440 specifiers")
    }

    fn to_python_marker(&self) -> String {
        let marker = |operator: &str, version: &Version| {
            let name = if version.release().len() >= 3 {
                "python_full_version"
            } else {
                "python_version"
            };
            format!("{name} {operator} '{version}'")
        };
        match self {
            Self::Lower { version, inclusive } => {
                marker(if *inclusive { ">=" } else { ">" }, version)
            }
            Self::Upper { version, inclusive } => {
                marker(if *inclusive { "<=" } else { "<" }, version)
            }
            Self::Exact(version) => marker("==", version),
            Self::NotEqual(version) => marker("!=", version),
            Self::NotWildcard { low, high, .. } => {
                format!("({} or {})", marker("<", low), marker(">=", high))
            }
        }
    }
}

/// Parse a Poetry version constraint as poetry-core's `parse_constraint` does.
pub(crate) fn parse(input: &str) -> Result<Constraint, String> {
    if input == "*" {
        return Ok(Constraint::any());
    }
    let mut alternatives = Vec::new();
    for alternative in split_alternatives(input.trim()) {
        // poetry-core tolerates trailing commas ("it seems to occur in some packages").
        let alternative = alternative.trim_end_matches(',').trim_end();
        let mut bounds = Vec::new();
        for part in split_conjunction(alternative) {
            // `None` is `*`, which restricts nothing inside a conjunction.
            if let Some(single) = parse_single(part)? {
                bounds.extend(single);
            }
        }
        alternatives.push(bounds);
    }
    Ok(Constraint { alternatives })
}

/// `re.split(r"\s*\|\|?\s*", constraints)`: alternatives are separated by `|` or `||`.
fn split_alternatives(input: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = input;
    while let Some(index) = rest.find('|') {
        parts.push(rest[..index].trim_end());
        let after = &rest[index + 1..];
        rest = after.strip_prefix('|').unwrap_or(after).trim_start();
    }
    parts.push(rest);
    parts
}

/// `re.split("(?<!^)(?<![~=>< ,]) *(?<!-)[, ](?!-) *(?!,|$)", constraints)`: a comma or a space separates the
/// parts of a conjunction, except after an operator, around a hyphen, or at the end.
fn split_conjunction(input: &str) -> Vec<&str> {
    let bytes = input.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut position = 1;
    while position < bytes.len() {
        if let Some(end) = separator_at(bytes, position) {
            parts.push(&input[start..position]);
            start = end;
            position = end.max(position + 1);
        } else {
            position += 1;
        }
    }
    parts.push(&input[start..]);
    parts
}

/// The end of a conjunction separator starting at `position`, trying the regex's alternatives in its order
/// (greedy spaces first, then fewer).
fn separator_at(bytes: &[u8], position: usize) -> Option<usize> {
    if position == 0 || b"~=>< ,".contains(&bytes[position - 1]) {
        return None;
    }
    let spaces = |from: usize| bytes[from..].iter().take_while(|&&b| b == b' ').count();
    for leading in (0..=spaces(position)).rev() {
        let separator = position + leading;
        if separator >= bytes.len()
            || bytes[separator - 1] == b'-'
            || !matches!(bytes[separator], b',' | b' ')
            || bytes.get(separator + 1) == Some(&b'-')
        {
            continue;
        }
        for trailing in (0..=spaces(separator + 1)).rev() {
            let end = separator + 1 + trailing;
            if end < bytes.len() && bytes[end] != b',' {
                return Some(end);
            }
        }
    }
    None
}

/// `parse_single_constraint`: one constraint without `||` or separators. `None` means any version. A bound on a
/// local version is refused but for `==` and `!=` (PEP 440 allows no other operator with one), whatever the
/// operator that made it (`^3+10`, `~1.0+local`).
fn parse_single(input: &str) -> Result<Option<Vec<Bound>>, String> {
    let bounds = parse_single_bounds(input)?;
    if let Some(bounds) = &bounds
        && bounds.iter().any(|bound| {
            version_of(bound).is_local() && !matches!(bound, Bound::Exact(_) | Bound::NotEqual(_))
        })
    {
        return Err(format!(
            "`{input}` compares a local version, which PEP 440 allows only with `==` and `!=`"
        ));
    }
    Ok(bounds)
}

fn parse_single_bounds(input: &str) -> Result<Option<Vec<Bound>>, String> {
    let invalid = || format!("invalid Poetry version constraint `{input}`");

    // `*`, `x`, `x.*`, `v*.*`, ...
    let lower = input.to_ascii_lowercase();
    let wildcard = lower.strip_prefix('v').unwrap_or(&lower);
    if !wildcard.is_empty() && wildcard.split('.').all(|part| part == "*" || part == "x") {
        return Ok(None);
    }

    if let Some(rest) = input.strip_prefix('~') {
        if let Some(rest) = rest.strip_prefix('=') {
            // PEP 440's `~=`, with poetry-core's bounds: `~=1.2` is `<2.0`, every other precision bumps the minor
            // segment (`~=1.2.3.4` is `<1.3.0.0`, where PEP 440 would say `<1.2.4`).
            let version = parse_version(rest.trim_start()).ok_or_else(invalid)?;
            let high = if version.release().len() == 2 {
                next_major(&stable(&version))
            } else {
                next_minor(&stable(&version))
            };
            return Ok(Some(range(version, high)));
        }
        let version = parse_version(rest.trim_start()).ok_or_else(invalid)?;
        let high = if version.release().len() == 1 {
            next_major(&stable(&version))
        } else {
            next_minor(&stable(&version))
        };
        return Ok(Some(range(version, high)));
    }

    if let Some(rest) = input.strip_prefix('^') {
        let version = parse_version(rest.trim_start()).ok_or_else(invalid)?;
        let high = next_breaking(&version);
        return Ok(Some(range(version, high)));
    }

    if let Some(bounds) = parse_x_range(input) {
        return Ok(Some(bounds));
    }

    // Basic comparator: `(<>|!=|>=?|<=?|==?)? \s* version (\.\*)?`.
    let operators = ["<>", "!=", ">=", ">", "<=", "<", "==", "="];
    let (operator, rest) = operators
        .iter()
        .find_map(|operator| input.strip_prefix(operator).map(|rest| (*operator, rest)))
        .unwrap_or(("", input));
    let rest = rest.trim_start();
    // The wildcard is matched and then ignored: `>=1.2.*` means `>=1.2`.
    let rest = rest
        .strip_suffix(".*")
        .filter(|rest| parse_version(rest).is_some())
        .unwrap_or(rest);
    let version = if rest.eq_ignore_ascii_case("dev") {
        Version::from_str("0.0.dev0").expect("a valid version")
    } else {
        parse_version(rest).ok_or_else(invalid)?
    };
    let bound = match operator {
        "<" => Bound::Upper {
            version,
            inclusive: false,
        },
        "<=" => Bound::Upper {
            version,
            inclusive: true,
        },
        ">" => Bound::Lower {
            version,
            inclusive: false,
        },
        ">=" => Bound::Lower {
            version,
            inclusive: true,
        },
        "!=" => Bound::NotEqual(version),
        // poetry-core matches `<>` but has no case for it, so it falls through to an exact version like `==`.
        _ => Bound::Exact(version),
    };
    Ok(Some(vec![bound]))
}

/// `X_CONSTRAINT`: `(!=|==)? \s* v? N(.N)?(.N)? (.*)+`. Only the first two segments count: `1.2.3.*` is
/// `>=1.2.0,<1.3.0` in poetry-core.
fn parse_x_range(input: &str) -> Option<Vec<Bound>> {
    let (negated, rest) = if let Some(rest) = input.strip_prefix("!=") {
        (true, rest)
    } else {
        (false, input.strip_prefix("==").unwrap_or(input))
    };
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    let mut numbers = rest;
    let mut stars = 0;
    while let Some(shorter) = numbers.strip_suffix(".*") {
        numbers = shorter;
        stars += 1;
    }
    if stars == 0 {
        return None;
    }
    let segments: Vec<&str> = numbers.split('.').collect();
    if segments.len() > 3
        || segments
            .iter()
            .any(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let number = |s: &str| s.parse::<u64>().ok();
    let major = number(segments[0])?;
    let (low, high) = if let Some(minor) = segments.get(1) {
        let minor = number(minor)?;
        let low = Version::new([major, minor, 0]);
        let high = next_minor(&low);
        (Some(low), high)
    } else if major == 0 {
        (None, Version::new([1, 0, 0]))
    } else {
        let low = Version::new([major, 0, 0]);
        let high = next_major(&low);
        (Some(low), high)
    };
    let bounds = match (negated, low) {
        (false, Some(low)) => range(low, high),
        (false, None) => vec![Bound::Upper {
            version: high,
            inclusive: false,
        }],
        (true, Some(low)) => {
            let prefix = Version::new(&low.release()[..segments.len().min(2)]);
            vec![Bound::NotWildcard { prefix, low, high }]
        }
        // Everything but `<1.0.0`.
        (true, None) => vec![Bound::Lower {
            version: high,
            inclusive: true,
        }],
    };
    Some(bounds)
}

fn range(low: Version, high: Version) -> Vec<Bound> {
    vec![
        Bound::Lower {
            version: low,
            inclusive: true,
        },
        Bound::Upper {
            version: high,
            inclusive: false,
        },
    ]
}

fn version_of(bound: &Bound) -> &Version {
    match bound {
        Bound::Lower { version, .. }
        | Bound::Upper { version, .. }
        | Bound::Exact(version)
        | Bound::NotEqual(version) => version,
        Bound::NotWildcard { prefix, .. } => prefix,
    }
}

/// A PEP 440 version as packaging's `VERSION_PATTERN` matches it: the whole input, no surrounding whitespace.
fn parse_version(input: &str) -> Option<Version> {
    if input.is_empty() || input.chars().any(char::is_whitespace) {
        return None;
    }
    Version::from_str(input).ok()
}

/// `Version.stable`: a pre- or dev-release without its suffixes (a post segment survives only without a pre).
fn stable(version: &Version) -> Version {
    if version.is_stable() {
        return version.clone();
    }
    let post = if version.pre().is_none() {
        version.post()
    } else {
        None
    };
    Version::new(version.release())
        .with_epoch(version.epoch())
        .with_post(post)
}

/// `Version.next_breaking`: the first version that `^version` excludes.
fn next_breaking(version: &Version) -> Version {
    let release = version.release();
    let (major, minor, patch) = (release[0], release.get(1), release.get(2));
    if major > 0 || minor.is_none() {
        next_major(&stable(version))
    } else if minor.is_some_and(|&minor| minor > 0) || patch.is_none() {
        next_minor(&stable(version))
    } else {
        next_patch(&stable(version))
    }
}

/// `Release.next_major` for a stable version: segments that were written stay written, as zeros.
fn next_major(version: &Version) -> Version {
    let release = version.release();
    let mut next = vec![release[0] + 1];
    next.extend(std::iter::repeat_n(0, release.len() - 1));
    Version::new(next).with_epoch(version.epoch())
}

/// `Release.next_minor` for a stable version: a missing minor segment becomes `1`.
fn next_minor(version: &Version) -> Version {
    let release = version.release();
    let mut next = vec![release[0], release.get(1).map_or(1, |minor| minor + 1)];
    next.extend(std::iter::repeat_n(0, release.len().saturating_sub(2)));
    Version::new(next).with_epoch(version.epoch())
}

/// `Release.next_patch` for a stable version.
fn next_patch(version: &Version) -> Version {
    let release = version.release();
    let mut next = vec![
        release[0],
        release.get(1).copied().unwrap_or(0),
        release.get(2).map_or(1, |patch| patch + 1),
    ];
    next.extend(std::iter::repeat_n(0, release.len().saturating_sub(3)));
    Version::new(next).with_epoch(version.epoch())
}

/// An interval with optional ends: `(version, inclusive)`.
#[derive(Debug, Clone)]
struct Interval {
    low: Option<(Version, bool)>,
    high: Option<(Version, bool)>,
}

/// Merge a union into one range, as `VersionUnion.of` merges overlapping and adjacent ranges; `None` when the
/// alternatives stay apart or one of them is not a plain range (`!=`).
fn merge_union(alternatives: &[Vec<Bound>]) -> Option<Vec<Bound>> {
    let mut intervals = Vec::new();
    for bounds in alternatives {
        let interval = interval_of(bounds)?;
        if !is_empty(&interval) {
            intervals.push(interval);
        }
    }
    intervals.sort_by(|a, b| match (&a.low, &b.low) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some((a, a_inclusive)), Some((b, b_inclusive))) => {
            a.cmp(b).then(b_inclusive.cmp(a_inclusive))
        }
    });
    let mut intervals = intervals.into_iter();
    let mut merged = intervals.next()?;
    for next in intervals {
        let touches = match (&merged.high, &next.low) {
            (None, _) | (_, None) => true,
            (Some((high, high_inclusive)), Some((low, low_inclusive))) => {
                low < high || (low == high && (*high_inclusive || *low_inclusive))
            }
        };
        if !touches {
            return None;
        }
        merged.high = match (merged.high, next.high) {
            (None, _) | (_, None) => None,
            (Some(a), Some(b)) => Some(if b.0 > a.0 || (b.0 == a.0 && b.1) {
                b
            } else {
                a
            }),
        };
    }
    let mut bounds = Vec::new();
    match (merged.low, merged.high) {
        (Some((low, true)), Some((high, true))) if low == high => bounds.push(Bound::Exact(low)),
        (low, high) => {
            if let Some((version, inclusive)) = low {
                bounds.push(Bound::Lower { version, inclusive });
            }
            if let Some((version, inclusive)) = high {
                bounds.push(Bound::Upper { version, inclusive });
            }
        }
    }
    Some(bounds)
}

fn interval_of(bounds: &[Bound]) -> Option<Interval> {
    let mut interval = Interval {
        low: None,
        high: None,
    };
    for bound in bounds {
        let (low, high) = match bound {
            Bound::Lower { version, inclusive } => (Some((version.clone(), *inclusive)), None),
            Bound::Upper { version, inclusive } => (None, Some((version.clone(), *inclusive))),
            Bound::Exact(version) => (Some((version.clone(), true)), Some((version.clone(), true))),
            Bound::NotEqual(_) | Bound::NotWildcard { .. } => return None,
        };
        if let Some(low) = low {
            interval.low = Some(match interval.low.take() {
                Some(current) if current.0 > low.0 || (current.0 == low.0 && !current.1) => current,
                _ => low,
            });
        }
        if let Some(high) = high {
            interval.high = Some(match interval.high.take() {
                Some(current) if current.0 < high.0 || (current.0 == high.0 && !current.1) => {
                    current
                }
                _ => high,
            });
        }
    }
    Some(interval)
}

fn is_empty(interval: &Interval) -> bool {
    match (&interval.low, &interval.high) {
        (Some((low, low_inclusive)), Some((high, high_inclusive))) => {
            low > high || (low == high && !(*low_inclusive && *high_inclusive))
        }
        _ => false,
    }
}

/// The constraint as written back, for messages and tests.
#[cfg(test)]
fn render(constraint: &Constraint) -> String {
    use std::fmt::Write as _;

    let mut out = String::new();
    for (index, alternative) in constraint.alternatives.iter().enumerate() {
        if index > 0 {
            out.push_str(" || ");
        }
        let specifiers: VersionSpecifiers = alternative.iter().map(Bound::to_specifier).collect();
        write!(out, "{specifiers}").expect("writing to a string");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected PEP 440 readings, derived by hand from poetry-core's `parse_constraint` and `parse_single_constraint`
    /// (`src/poetry/core/constraints/version/parser.py`) and the bound arithmetic of `Version.next_breaking` /
    /// `Release.next_major` / `next_minor` / `next_patch` (`constraints/version/version.py`,
    /// `version/pep440/segments.py`), cross-checked with the tables of Poetry's "Dependency specification" page.
    const CASES: &[(&str, &str)] = &[
        // Caret: the left-most non-zero segment may not change.
        ("^1.2.3", ">=1.2.3, <2.0.0"),
        ("^1.2", ">=1.2, <2.0"),
        ("^1", ">=1, <2"),
        ("^0.2.3", ">=0.2.3, <0.3.0"),
        ("^0.0.3", ">=0.0.3, <0.0.4"),
        ("^0.0", ">=0.0, <0.1"),
        ("^0", ">=0, <1"),
        ("^0.0.0", ">=0.0.0, <0.0.1"),
        ("~ 1.2", ">=1.2, <1.3"),
        ("^v1.2", ">=1.2, <2.0"),
        ("^1.2.3.4", ">=1.2.3.4, <2.0.0.0"),
        // Pre-releases: the bound is computed from the stable version.
        ("^1.2.3a1", ">=1.2.3a1, <2.0.0"),
        ("^2.0.0rc1", ">=2.0.0rc1, <3.0.0"),
        ("^0.2.3.dev1", ">=0.2.3.dev1, <0.3.0"),
        ("^1.2.3.post1", ">=1.2.3.post1, <2.0.0"),
        ("^1!2.3", ">=1!2.3, <1!3.0"),
        // Tilde: patch-level changes, minor-level with only a major.
        ("~1.2.3", ">=1.2.3, <1.3.0"),
        ("~1.2", ">=1.2, <1.3"),
        ("~1", ">=1, <2"),
        ("~0.0.1", ">=0.0.1, <0.1.0"),
        ("~1.2.3rc2", ">=1.2.3rc2, <1.3.0"),
        // `~=` with poetry-core's bounds.
        ("~=1.2", ">=1.2, <2.0"),
        ("~=1.2.3", ">=1.2.3, <1.3.0"),
        ("~=1", ">=1, <1.1"),
        ("~=1.2.3.4", ">=1.2.3.4, <1.3.0.0"),
        // Wildcards.
        ("*", ""),
        ("x", ""),
        ("1.2.*", ">=1.2.0, <1.3.0"),
        ("1.*", ">=1.0.0, <2.0.0"),
        ("0.*", "<1.0.0"),
        ("==1.2.*", ">=1.2.0, <1.3.0"),
        ("1.2.3.*", ">=1.2.0, <1.3.0"),
        ("!=1.2.*", "!=1.2.*"),
        ("!=1.*", "!=1.*"),
        ("!=0.*", ">=1.0.0"),
        (">=1.2.*", ">=1.2"),
        // Basic comparators; a bare version is exact.
        ("1.2.3", "==1.2.3"),
        ("1.2", "==1.2"),
        ("=1.2", "==1.2"),
        ("==1.2", "==1.2"),
        ("!=1.2", "!=1.2"),
        ("<2", "<2"),
        ("<=2", "<=2"),
        (">1.2", ">1.2"),
        ("> 1.2", ">1.2"),
        ("<>1.2", "==1.2"),
        ("dev", "==0.0.dev0"),
        ("2.0.0rc1", "==2.0.0rc1"),
        ("1.0+local", "==1.0+local"),
        // Conjunctions: commas or spaces.
        (">=1.2,<2", ">=1.2, <2"),
        (">=1.2, <2", ">=1.2, <2"),
        (">=1.2 <2", ">=1.2, <2"),
        (">= 1.2 , < 2", ">=1.2, <2"),
        (">=1.2,<2,", ">=1.2, <2"),
        (">=1.2,!=1.5,<2", ">=1.2, !=1.5, <2"),
        ("^1.2 !=1.4.0", ">=1.2, !=1.4.0, <2.0"),
        (" >=1.2 ", ">=1.2"),
        // Unions that merge into one range.
        ("^1.26 || ^2.0", ">=1.26, <3.0"),
        ("^1.26 | ^2.0", ">=1.26, <3.0"),
        (">=1.2,<1.5 || >=1.4", ">=1.2"),
        ("1.2 || >1.2,<2", ">=1.2, <2"),
        ("1.2 || 1.2.0", "==1.2"),
        ("* || ^1", ""),
    ];

    #[test]
    fn poetry_constraints_convert_like_poetry_core() {
        for (input, expected) in CASES {
            let constraint = parse(input).unwrap_or_else(|error| panic!("`{input}`: {error}"));
            let specifiers = constraint
                .to_specifiers()
                .unwrap_or_else(|_| panic!("`{input}` is disjoint"));
            assert_eq!(specifiers.to_string(), *expected, "`{input}`");
            // The output must itself be valid PEP 440 that reads back the same.
            let reparsed =
                VersionSpecifiers::from_str(&specifiers.to_string()).expect("valid PEP 440");
            assert_eq!(reparsed, specifiers, "`{input}`");
        }
    }

    #[test]
    fn disjoint_unions_are_reported() {
        for input in [
            "^1.2 || ^3.0",
            ">=2.7,<2.8 || >=3.6",
            "<1 || >2",
            "!=1.2 || ^2",
            "1.2 || 1.4",
        ] {
            let constraint = parse(input).unwrap();
            assert_eq!(
                constraint.to_specifiers(),
                Err(Disjoint),
                "`{input}` reads as `{}`",
                render(&constraint)
            );
        }
    }

    #[test]
    fn invalid_constraints_are_errors() {
        for input in [
            "",
            "^",
            "~",
            "^ 1.2",
            "^abc",
            ">=",
            "1.2 - 2.0",
            ">=1.2 || ",
            "===1",
            "~1.2.*",
            ">=1.0+local",
            // Found by the pyproject fuzz target: these panicked.
            "^3+10",
            "~1.0+local",
            "~=1.0+local",
            "^1 2x",
        ] {
            assert!(parse(input).is_err(), "`{input}` should not parse");
        }
    }

    #[test]
    fn conjunction_splitting_follows_the_regex() {
        assert_eq!(split_conjunction(">=1.2 <2"), [">=1.2", "<2"]);
        assert_eq!(split_conjunction(">= 1.2,  < 2"), [">= 1.2", "< 2"]);
        assert_eq!(split_conjunction("1.2 - 2.0"), ["1.2 - 2.0"]);
        assert_eq!(split_conjunction(">=1"), [">=1"]);
        assert_eq!(split_alternatives("^1||^2 |  ^3"), ["^1", "^2", "^3"]);
    }

    #[test]
    fn python_markers_follow_create_nested_marker() {
        let marker = |input: &str| parse(input).unwrap().to_python_marker();
        assert_eq!(
            marker("^3.8").as_deref(),
            Some("(python_version >= '3.8' and python_version < '4.0')")
        );
        assert_eq!(
            marker(">=3.8.1,<4").as_deref(),
            Some("(python_full_version >= '3.8.1' and python_version < '4')")
        );
        assert_eq!(
            marker("~2.7 || ^3.6").as_deref(),
            Some(
                "(python_version >= '2.7' and python_version < '2.8') or (python_version >= '3.6' and python_version < '4.0')"
            )
        );
        assert_eq!(marker("3.8").as_deref(), Some("(python_version == '3.8')"));
        assert_eq!(
            marker("!=3.8.*").as_deref(),
            Some("((python_full_version < '3.8.0' or python_full_version >= '3.9.0'))")
        );
        assert_eq!(marker("*"), None);
        for input in ["^3.8", ">=3.8.1,<4", "~2.7 || ^3.6", "!=3.8.*", "3.8"] {
            let text = marker(input).unwrap();
            pep508_rs::MarkerTree::from_str(&text)
                .unwrap_or_else(|error| panic!("`{text}`: {error}"));
        }
    }
}
