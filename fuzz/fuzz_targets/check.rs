//! Fuzzes the whole check: the first byte picks a format, the rest is the file; it is parsed, checked by every
//! rule on one target, and rendered in every output format.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    nplint_fuzz::check(data);
});
