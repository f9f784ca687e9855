//! The binary's behaviour as data: one `tests/cmd/<case>.toml` per case, with expected output beside it.
//!
//! Regenerate expectations with `TRYCMD=overwrite cargo test --test cli`, then review the diff.

#[test]
fn cli() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        // No snapshot installed by `nplint index update` on this machine is found: the cases read the built-in one.
        // (Not `NPLINT_INDEX_SNAPSHOT=embedded`: clap would then list the flag as given in usage lines.)
        .env("XDG_CACHE_HOME", "/nonexistent/nplint-tests-cache")
        .case("tests/cmd/*.toml");
}
