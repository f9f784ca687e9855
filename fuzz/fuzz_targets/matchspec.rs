//! Fuzzes the conda MatchSpec parser and its conversion to PEP 440.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(spec) = std::str::from_utf8(data) {
        nplint_manifest::fuzzing::matchspec(spec);
    }
});
