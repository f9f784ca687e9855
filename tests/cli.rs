//! The binary's behaviour as data: one `tests/cmd/<case>.toml` per case, with expected output beside it.
//!
//! Regenerate expectations with `TRYCMD=overwrite cargo test --test cli`, then review the diff.

mod common;

#[test]
fn cli() {
    let set: Vec<&str> = common::CALLER_VARIABLES
        .into_iter()
        .filter(|variable| std::env::var_os(variable).is_some())
        .collect();
    if !set.is_empty() {
        // The cases inherit this process's environment, and neither trycmd nor safe code can remove a variable from
        // it: the variables that change what nplint prints or reads are left out by running this test again in a
        // process without them. (Not `NPLINT_INDEX_SNAPSHOT=embedded` instead: clap would then list the flag as
        // given in usage lines.)
        let mut again = std::process::Command::new(std::env::current_exe().unwrap());
        for variable in common::CALLER_VARIABLES {
            again.env_remove(variable);
        }
        let status = again
            .args(["cli", "--exact", "--nocapture"])
            .status()
            .unwrap();
        assert!(status.success(), "the cases failed, run without {set:?}");
        return;
    }
    trycmd::TestCases::new()
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        // No snapshot installed by `nplint index update` on this machine is found: the cases read the built-in one.
        .env("XDG_CACHE_HOME", common::NO_CACHE)
        .case("tests/cmd/*.toml");
}
