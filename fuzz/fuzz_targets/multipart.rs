#![no_main]
//! The multipart reader under libFuzzer; the check is `mint_survey::fuzzing::multipart`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mint_survey::fuzzing::multipart(data));
