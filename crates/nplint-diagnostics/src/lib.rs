//! Source files, positions in them, and the one diagnostic type that every rule produces and every reporter prints.
//!
//! This crate is a leaf: it knows nothing of Python packaging, of rules or of output formats. Positions are byte
//! offsets (`u32`: nplint refuses files long before 4 GiB); lines and columns are computed on demand from a line
//! index, 1-based, with columns counted in characters as editors and SARIF count them.

mod diagnostic;
mod source;

pub use diagnostic::{
    Applicability, CONTEXT_LINES, Diagnostic, Edit, Fix, Label, RuleId, Severity, Target,
};
pub use source::portable_path;
pub use source::{Encoding, Location, Position, SourceFile, Span, Window};
