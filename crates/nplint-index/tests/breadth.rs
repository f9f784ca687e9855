//! The breadth the embedded index holds itself to: the widely used direct NumPy dependents are in it.
//!
//! "Widely used direct NumPy dependents" are, from the checked-in data:
//! - the projects `tiers.tsv` puts in the full tier through a requirement on `numpy` itself (`via` is `numpy`) and
//!   ranks among the [`RANKED_WITHIN`] most-downloaded projects;
//! - the reviewed `ml-repositories` group of `packages.toml`: direct NumPy dependents that real projects' environment
//!   files name, whatever their rank.
//!
//! At least [`FLOOR`] of them must be indexed; the test names the ones that are not.

use std::collections::BTreeSet;
use std::str::FromStr;

use nplint_index::{Index, PackageName};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
const RANKED_WITHIN: u32 = 1000;
const FLOOR: f64 = 0.95;

fn widely_used() -> BTreeSet<String> {
    let tiers = std::fs::read_to_string(format!("{DATA}/tiers.tsv")).unwrap();
    let mut names: BTreeSet<String> = tiers
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let rank: u32 = fields.get(1)?.parse().ok()?;
            (fields.get(2) == Some(&"full")
                && fields.get(3) == Some(&"numpy")
                && rank <= RANKED_WITHIN)
                .then(|| fields[0].to_string())
        })
        .collect();
    let seeds: toml::Table = std::fs::read_to_string(format!("{DATA}/packages.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let group = seeds["group"]
        .as_array()
        .unwrap()
        .iter()
        .find(|group| group["name"].as_str() == Some("ml-repositories"))
        .expect("the `ml-repositories` group");
    names.extend(
        group["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|name| name.as_str().unwrap().to_string()),
    );
    names
}

#[test]
fn widely_used_numpy_dependents_are_indexed() {
    let names = widely_used();
    // The list is data, not a handful: if `tiers.tsv` lost its ranks, this would pass on nothing.
    assert!(names.len() >= 80, "{} names", names.len());
    let index = Index::embedded();
    let missing: Vec<&String> = names
        .iter()
        .filter(|name| {
            index
                .package(&PackageName::from_str(name).unwrap())
                .is_none()
        })
        .collect();
    #[allow(clippy::cast_precision_loss, reason = "a few hundred names")]
    let held = 1.0 - missing.len() as f64 / names.len() as f64;
    assert!(
        held >= FLOOR,
        "{:.1}% of {} widely used direct NumPy dependents are indexed (floor {:.0}%); missing: {missing:?}",
        held * 100.0,
        names.len(),
        FLOOR * 100.0
    );
}
