//! Wording shared by every rule's messages: lists of names and of Python versions.

use nplint_index::PythonVersion;

/// `3.8`, `3.8 and 3.9`, `3.6, 3.10 and 3.11`; runs of three or more as `3.10-3.13`.
pub(crate) fn python_list(pythons: &[PythonVersion]) -> String {
    let mut parts = Vec::new();
    let mut start = 0;
    while start < pythons.len() {
        let mut end = start;
        while end + 1 < pythons.len()
            && pythons[end + 1].major == pythons[end].major
            && pythons[end + 1].minor == pythons[end].minor + 1
        {
            end += 1;
        }
        if end - start >= 2 {
            parts.push(format!("{}-{}", pythons[start], pythons[end]));
        } else {
            parts.extend(pythons[start..=end].iter().map(ToString::to_string));
        }
        start = end + 1;
    }
    and_list(&parts)
}

/// `Python 3.11 and 3.12 on linux-x86_64 and macos-arm64` when the targets are every pair of their Pythons and
/// platforms, else `Python 3.11 on linux-x86_64, Python 3.12 on macos-arm64`: a set of targets in a sentence.
pub fn targets_text(targets: &[nplint_index::Target]) -> String {
    let mut pythons: Vec<PythonVersion> = targets.iter().map(|target| target.python).collect();
    pythons.sort_unstable();
    pythons.dedup();
    let mut platforms: Vec<nplint_index::Platform> =
        targets.iter().map(|target| target.platform).collect();
    platforms.sort_unstable();
    platforms.dedup();
    if pythons.len() * platforms.len() == targets.len() {
        let platforms: Vec<String> = platforms.iter().map(ToString::to_string).collect();
        format!(
            "Python {} on {}",
            python_list(&pythons),
            and_list(&platforms)
        )
    } else {
        let each: Vec<String> = targets
            .iter()
            .map(|target| format!("Python {} on {}", target.python, target.platform))
            .collect();
        each.join(", ")
    }
}

pub(crate) fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}, or {last}", rest.join(", ")),
    }
}

pub(crate) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_lists_read_naturally() {
        let v = |minor| PythonVersion::new(3, minor);
        assert_eq!(python_list(&[v(8)]), "3.8");
        assert_eq!(python_list(&[v(8), v(9)]), "3.8 and 3.9");
        assert_eq!(
            python_list(&[v(6), v(10), v(11), v(12)]),
            "3.6 and 3.10-3.12"
        );
    }

    #[test]
    fn lists_join_with_commas_and_a_last_word() {
        let items = |names: &[&str]| names.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(and_list(&items(&[])), "");
        assert_eq!(and_list(&items(&["a"])), "a");
        assert_eq!(and_list(&items(&["a", "b", "c"])), "a, b and c");
        assert_eq!(or_list(&items(&["a", "b", "c"])), "a, b, or c");
    }
}
