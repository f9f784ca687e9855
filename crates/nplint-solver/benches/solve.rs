//! How long a solve takes over the embedded index once it is warm.
//!
//! Run with `cargo bench -p nplint-solver`. The environment is `tensorflow==2.5.0`, `gensim==4.1.0` and `pandas`:
//! on one target (CPython 3.8, linux-x86_64) and across the default targets (CPython 3.8-3.13 x linux-x86_64,
//! macos-arm64, windows-x86_64), each with a fresh [`Solver`] (per-target caches empty, the index's own parse
//! caches warm) and with a reused one (as when a file's several environments are checked on one target).
//!
//! Medians on the 2-core development machine (2026-11-26, measured with `gensim==4.0.1`, then curated as 4.1.0 is
//! now): one target reused 0.14 ms, fresh 0.17 ms; the 18 default targets reused 0.38 ms, fresh 0.47 ms. The
//! runtime solve of the same environment on one target (a conflict, found early): reused 0.018 ms, fresh 0.027 ms.

use std::str::FromStr;

use divan::Bencher;
use nplint_solver::{Input, Platform, PythonVersion, Solver, Target};
use pep440_rs::VersionSpecifiers;
use pep508_rs::PackageName;

fn main() {
    divan::main();
}

fn inputs() -> Vec<Input> {
    [
        ("tensorflow", "==2.5.0"),
        ("gensim", "==4.1.0"),
        ("pandas", ""),
    ]
    .into_iter()
    .enumerate()
    .map(|(id, (name, specifiers))| {
        Input::requirement(
            id,
            PackageName::from_str(name).unwrap(),
            VersionSpecifiers::from_str(specifiers).unwrap(),
        )
    })
    .collect()
}

fn default_targets() -> Vec<Target> {
    let platforms = [
        Platform::LinuxX86_64,
        Platform::MacosArm64,
        Platform::WindowsX86_64,
    ];
    (8..=13)
        .flat_map(|minor| {
            platforms
                .into_iter()
                .map(move |platform| Target::new(PythonVersion::new(3, minor), platform))
        })
        .collect()
}

/// Solves once on every target so that the index has decoded and parsed everything the solves touch.
fn warm(inputs: &[Input], targets: &[Target]) {
    for &target in targets {
        Solver::new(nplint_index::Index::embedded(), target).solve(inputs);
    }
}

const LINUX_38: Target = Target::new(PythonVersion::new(3, 8), Platform::LinuxX86_64);

#[divan::bench]
fn one_target_fresh_solver(bencher: Bencher<'_, '_>) {
    let inputs = inputs();
    warm(&inputs, &[LINUX_38]);
    bencher.bench(|| {
        Solver::new(nplint_index::Index::embedded(), LINUX_38).solve(divan::black_box(&inputs))
    });
}

#[divan::bench]
fn one_target_reused_solver(bencher: Bencher<'_, '_>) {
    let inputs = inputs();
    let solver = Solver::new(nplint_index::Index::embedded(), LINUX_38);
    solver.solve(&inputs);
    bencher.bench(|| solver.solve(divan::black_box(&inputs)));
}

#[divan::bench]
fn default_targets_fresh_solvers(bencher: Bencher<'_, '_>) {
    let inputs = inputs();
    let targets = default_targets();
    warm(&inputs, &targets);
    bencher.bench(|| {
        targets
            .iter()
            .map(|&target| {
                Solver::new(nplint_index::Index::embedded(), target)
                    .solve(divan::black_box(&inputs))
                    .is_solved()
            })
            .filter(|solved| *solved)
            .count()
    });
}

#[divan::bench]
fn default_targets_reused_solvers(bencher: Bencher<'_, '_>) {
    let inputs = inputs();
    let solvers: Vec<Solver> = default_targets()
        .into_iter()
        .map(|target| Solver::new(nplint_index::Index::embedded(), target))
        .collect();
    for solver in &solvers {
        solver.solve(&inputs);
    }
    bencher.bench(|| {
        solvers
            .iter()
            .map(|solver| solver.solve(divan::black_box(&inputs)).is_solved())
            .filter(|solved| *solved)
            .count()
    });
}

/// The runtime solve of the same environment on one target (it has no solution: gensim 4.1.0 needs NumPy 1.20 at
/// runtime on linux-x86_64, TensorFlow 2.5.0 NumPy 1.19): what `nplint check` adds when a declared resolution breaks.
#[divan::bench]
fn one_target_runtime_reused_solver(bencher: Bencher<'_, '_>) {
    let inputs = inputs();
    let solver = Solver::new(nplint_index::Index::embedded(), LINUX_38);
    solver.solve_runtime(&inputs);
    bencher.bench(|| solver.solve_runtime(divan::black_box(&inputs)));
}

/// [`one_target_runtime_reused_solver`] with a fresh solver: the runtime facts of every release met are derived
/// again.
#[divan::bench]
fn one_target_runtime_fresh_solver(bencher: Bencher<'_, '_>) {
    let inputs = inputs();
    warm(&inputs, &[LINUX_38]);
    bencher.bench(|| {
        Solver::new(nplint_index::Index::embedded(), LINUX_38)
            .solve_runtime(divan::black_box(&inputs))
    });
}
