#![no_main]
//! The definition reader under libFuzzer; the check is `mint_survey::fuzzing::definition`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mint_survey::fuzzing::definition(data));
