//! Resolution over the index with `pubgrub`: whether an environment's requirements can be installed together on
//! a target (CPython version x platform), and if not, the derivation that explains why, as data.
//!
//! Empty until the index exists: a solver without real package facts would only pretend.
