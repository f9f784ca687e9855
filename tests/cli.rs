//! The binary's behaviour as data: one `tests/cmd/<case>.toml` per case, with expected output beside it.
//!
//! Regenerate expectations with `TRYCMD=overwrite cargo test --test cli`, then review the diff.

#[test]
fn cli() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .case("tests/cmd/*.toml");
}
