//! The embedded package index: real PyPI metadata for NumPy and the packages that depend on it.
//!
//! The facts every verdict rests on (releases, `Requires-Python`, `Requires-Dist`, wheel tags) are synced from
//! the package index by `cargo xtask index sync`, checked in under `data/` in a reviewable source form
//! ([`source`]), and embedded in the binary.

pub mod source;
