#![no_main]
//! The participants reader under libFuzzer; the check is `mint_survey::fuzzing::participants`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mint_survey::fuzzing::participants(data));
