//! Strings of the tables `build.rs` generates (the light tier, conda-forge's conda-only packages): each table's
//! strings are one text, its rows hold ranges of it ([`Span`]), and a list of names is one comma-separated string
//! ([`Names`]).
//!
//! A table of `&'static str` holds a pointer per string, and a position-independent executable has the loader
//! patch every such pointer at each start: the two tables were 104,000 relocations, 2.5 MB of pages copied before
//! `main`, a third of the time of `nplint --version`. Ranges are plain numbers and need none.

use serde::ser::{Serialize, SerializeSeq, Serializer};

/// A range of a table's text: `len` bytes from `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) len: u32,
}

impl Span {
    /// The string this span covers in `text`.
    ///
    /// # Panics
    ///
    /// If the span is not within `text` on a character boundary, which `build.rs` rules out: it wrote both.
    pub(crate) fn of(self, text: &'static str) -> &'static str {
        let start = self.start as usize;
        &text[start..start + self.len as usize]
    }
}

/// A list of names of a generated table (feedstocks, extras), stored as one comma-separated string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Names(&'static str);

impl Names {
    pub(crate) fn new(joined: &'static str) -> Self {
        Self(joined)
    }

    /// The names, in the table's order.
    pub fn iter(self) -> impl Iterator<Item = &'static str> + Clone {
        self.0.split(',').filter(|name| !name.is_empty())
    }

    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    pub fn len(self) -> usize {
        self.iter().count()
    }

    pub fn contains(self, name: &str) -> bool {
        self.iter().any(|candidate| candidate == name)
    }
}

impl Serialize for Names {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for name in self.iter() {
            seq.serialize_element(name)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_names_read_their_text() {
        let text = "torchlibtorch,pytorch";
        assert_eq!(Span { start: 0, len: 5 }.of(text), "torch");
        let names = Names::new(Span { start: 5, len: 16 }.of(text));
        assert_eq!(names.iter().collect::<Vec<_>>(), ["libtorch", "pytorch"]);
        assert_eq!(names.len(), 2);
        assert!(names.contains("pytorch") && !names.contains("torch"));
        assert!(Names::default().is_empty());
        assert_eq!(Names::default().iter().count(), 0);
        assert_eq!(
            serde_json::to_string(&names).unwrap(),
            r#"["libtorch","pytorch"]"#
        );
    }
}
