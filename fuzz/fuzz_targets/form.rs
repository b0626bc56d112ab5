#![no_main]
//! The form reader under libFuzzer; the check is `mint_survey::fuzzing::form`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mint_survey::fuzzing::form(data));
