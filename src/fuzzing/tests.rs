//! Every check over its seeds and random mutations of them: a short run of each fuzz target on
//! stable Rust, for CI (the long runs are `fuzz/run.sh`).

use super::*;

/// A deterministic generator (proptest's, seeded the same every run), so that a failure repeats.
struct Rng(proptest::test_runner::TestRng);

impl Rng {
    fn new() -> Rng {
        use proptest::test_runner::{RngAlgorithm, TestRng};
        Rng(TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    }

    fn next(&mut self) -> u64 {
        proptest::prelude::RngCore::next_u64(&mut self.0)
    }

    fn below(&mut self, n: usize) -> usize {
        proptest::prelude::Rng::random_range(&mut self.0, 0..n.max(1))
    }
}

/// Bytes that matter to the readers, to be inserted now and then.
const INTERESTING: &[&[u8]] = &[
    b"\n",
    b"\r\n",
    b"\r",
    b"\"",
    b";",
    b",",
    b"\t",
    b"=",
    b"[",
    b"]",
    b"{",
    b"}",
    b"&",
    b"%",
    b"+",
    b"--XyZ-1",
    b"\r\n--XyZ-1--\r\n",
    b"\xEF\xBB\xBF",
    b"\xFC",
    b"\xC3",
    b"\0",
    b"'''",
    b"\"\"\"",
    b"-",
    b".",
    b"0",
    b"99999999999999999999",
    b"nan",
    b"inf",
    b"#",
    b"\\u0000",
    b"\\",
];

/// One random change: flip, insert, delete, duplicate, or splice in a piece of another seed.
fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if at < out.len() => out[at] ^= 1 << rng.below(8),
            1 => out.insert(at, rng.next() as u8),
            2 if at < out.len() => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at..end);
            }
            3 if at < out.len() => {
                let end = (at + 1 + rng.below(64)).min(out.len());
                let piece = out[at..end].to_vec();
                out.splice(at..at, piece);
            }
            4 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                out.splice(at..at, piece.iter().copied());
            }
            _ => {
                let other = &seeds[rng.below(seeds.len())];
                let start = rng.below(other.len());
                let end = (start + rng.below(64)).min(other.len());
                out.splice(at..at, other[start..end].iter().copied());
            }
        }
    }
    out
}

/// Runs `check` over every seed and `rounds` mutations.
fn exercise(target: &str, rounds: usize, check: fn(&[u8])) {
    let seeds = seeds(target);
    for seed in &seeds {
        check(seed);
    }
    let mut rng = Rng::new();
    let mut input = seeds[0].clone();
    for round in 0..rounds {
        // Mostly small steps from the last input, now and then a fresh seed.
        if round % 8 == 0 {
            input = seeds[rng.below(seeds.len())].clone();
        }
        input = mutate(&mut rng, &input, &seeds);
        let outcome = std::panic::catch_unwind(|| check(&input));
        if outcome.is_err() {
            panic!(
                "{target}: round {round} fails on {:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }
}

#[test]
fn fuzz_smoke_definition() {
    exercise("definition", 300, definition);
}

#[test]
fn fuzz_smoke_participants() {
    exercise("participants", 3000, participants);
}

#[test]
fn fuzz_smoke_form() {
    exercise("form", 1500, form);
}

#[test]
fn fuzz_smoke_multipart() {
    exercise("multipart", 3000, multipart);
}

/// Found by the `definition` target: TOML syntax errors came in the parser's order (all keys
/// without value first), not sorted by position as `parse_definition` promises.
#[test]
fn regression_toml_syntax_errors_are_sorted_by_position() {
    let bytes = include_bytes!("../../fuzz/regressions/definition-toml-errors-unsorted.toml");
    let problems = match parse_definition("f.toml", bytes, Format::Toml) {
        Ok(survey) => panic!("accepted: {survey:?}"),
        Err(problems) => problems,
    };
    let at: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
    assert_eq!(at, [(1, 1), (1, 2), (2, 2)]);
    definition(bytes);
}

/// Found by the `multipart` target: a body that ended in a field's `\r\n` left the reader waiting
/// for ever (actix-multipart returns `Pending` at the end of the body there); now it is refused.
#[test]
fn regression_multipart_body_ending_in_a_field_is_refused() {
    let bytes = include_bytes!("../../fuzz/regressions/multipart-hangs-at-crlf-end");
    let body = &bytes[1..];
    for chunk in [1, 2, body.len()] {
        let result = read_multipart(body, chunk, 1024);
        assert!(
            matches!(result, Err(AppError::BadRequest)),
            "chunks of {chunk}: {result:?}"
        );
    }
    multipart(bytes);
}

/// Found by the `multipart` target: with a boundary of at most three bytes, actix-multipart 0.7
/// panics on a short line before the first boundary (here `--` and a line break); such a boundary
/// is refused now.
#[test]
fn regression_multipart_short_boundary_is_refused() {
    let mut headers = HeaderMap::new();
    let content_type = HeaderValue::from_static("multipart/form-data; boundary=XyZ");
    headers.insert(header::CONTENT_TYPE, content_type);
    let stream = futures_util::stream::iter([Ok(Bytes::from_static(b"--\n--XyZ--\r\n"))]);
    let result = run_ready(upload::read(Body::new(&headers, stream), "datei", 1024));
    assert!(matches!(result, Err(AppError::BadRequest)), "{result:?}");
}

/// Found by the `multipart` target in its ten-minute run: a form with two file fields, the first
/// small and the second over the limit, was reported as oversized with the first file still in
/// `file` (a page would have taken the wrong file for the upload). Oversized means no file.
#[test]
fn regression_multipart_second_file_over_the_limit_leaves_no_file() {
    let bytes = include_bytes!("../../fuzz/regressions/multipart-second-file-oversized");
    let result = read_multipart(&bytes[1..], bytes.len(), 16);
    let upload = result.expect("read");
    assert!(upload.oversized);
    assert!(upload.file.is_empty(), "{upload:?}");
    multipart(bytes);
}
