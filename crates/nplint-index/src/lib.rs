//! The embedded package index: real PyPI metadata for NumPy and the packages that depend on it.
//!
//! This crate will hold the facts every verdict rests on (releases, `Requires-Python`, `Requires-Dist`, wheel
//! tags, build-time NumPy), synced from PyPI by `cargo xtask index sync`, checked in, and embedded in the binary.
//! It holds nothing yet: no package fact is written by hand.
