//! The rendered diagnostics of every parser fixture that has any, as a user sees them in the `full` format.
//!
//! The parsed models are snapshotted in `crates/nplint-manifest/tests/`; this test covers the path from parser
//! issue to rule diagnostic to graphical report, for every malformed input there.

use std::path::{Path, PathBuf};

use nplint_manifest::{Format, LoadError, Loader};
use nplint_report::{CheckedFile, OutputFormat, RenderOptions, Report};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/crates/nplint-manifest/tests/fixtures"
);

struct FixtureLoader;

impl Loader for FixtureLoader {
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        std::fs::read(Path::new(FIXTURES).join(path)).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => LoadError::NotFound,
            _ => LoadError::Io(error),
        })
    }
}

#[test]
fn malformed_fixtures_render() {
    insta::glob!("../crates/nplint-manifest/tests/fixtures", "*/*", |path| {
        if path.is_dir() {
            return;
        }
        let relative: PathBuf = path.strip_prefix(FIXTURES).unwrap().to_path_buf();
        let dir = relative.components().next().unwrap().as_os_str();
        let format = Format::all()
            .find(|format| dir == format.fixture_dir())
            .unwrap_or_else(|| panic!("unknown fixture directory `{}`", dir.display()));
        let manifest = nplint_manifest::load(&relative, format, &FixtureLoader).unwrap();
        let mut diagnostics = nplint_rules::check_manifest(&manifest);
        if diagnostics.is_empty() {
            return;
        }
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let report = Report {
            files: vec![CheckedFile {
                path: relative,
                format: format.name(),
            }],
            diagnostics,
            elapsed: None,
            online: None,
            rules: Vec::new(),
        };
        let mut out = Vec::new();
        nplint_report::render(
            &report,
            OutputFormat::Full,
            RenderOptions::default(),
            &mut out,
        )
        .unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    });
}
