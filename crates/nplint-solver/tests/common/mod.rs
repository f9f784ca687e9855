//! What the solver's integration tests share: targets, requirements as inputs.

use std::str::FromStr;

use nplint_index::{Index, RawUrl};
use nplint_solver::{Input, Outcome, Platform, PythonVersion, Role, Target};
use pep508_rs::VersionOrUrl;

/// Solves `inputs` on `target` over the embedded index: these tests are end-to-end, on the real data.
pub fn solve(inputs: &[Input], target: Target) -> Outcome {
    nplint_solver::solve(Index::embedded(), inputs, target)
}

pub fn target(minor: u8) -> Target {
    Target::new(PythonVersion::new(3, minor), Platform::LinuxX86_64)
}

pub fn input(id: usize, requirement: &str, role: Role) -> Input {
    let requirement = pep508_rs::Requirement::<RawUrl>::from_str(requirement).unwrap();
    let specifiers = match requirement.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers,
        _ => pep440_rs::VersionSpecifiers::empty(),
    };
    Input {
        id,
        name: requirement.name,
        specifiers,
        extras: requirement.extras,
        marker: requirement.marker,
        role,
        conda: false,
    }
}

/// Requirements, with ids in order.
pub fn requirements(lines: &[&str]) -> Vec<Input> {
    lines
        .iter()
        .enumerate()
        .map(|(id, line)| input(id, line, Role::Requirement))
        .collect()
}
