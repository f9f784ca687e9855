//! Fuzzes the `Pipfile.lock` reader: any bytes parse to a manifest whose spans and indices are valid.

#![no_main]

use nplint_manifest::Format;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    nplint_fuzz::parse(Format::PipfileLock, "Pipfile.lock", data);
});
