//! The log: every line goes through one redaction before it is written, whatever crate wrote it and
//! at whatever level (`RUST_LOG=trace` included). Every secret of the product has one of two
//! shapes: a UUID (personal and test links) or a long run of hex digits (password links, sessions,
//! CSRF tokens, open-link resume cookies, the key); both are replaced by `…`. The access log cuts
//! tokens out of paths itself (`web::redact_path`), so its lines stay readable.

use std::io::Write;
use std::sync::LazyLock;

/// UUIDs, and runs of 32 or more hex digits (`None` only if the pattern did not compile).
static SECRET: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32,}",
    )
    .ok()
});

/// `text` with every token-shaped part replaced by `…` (nothing at all, should the pattern be
/// unusable: better no log line than a secret).
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    match SECRET.as_ref() {
        Some(secret) => secret.replace_all(text, "…"),
        None => "…\n".into(),
    }
}

/// Writes log lines to stderr, redacted.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactedStderr;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RedactedStderr {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line(Vec::new())
    }
}

/// One event's text, collected and written (redacted) when the formatter is done with it.
#[derive(Debug)]
pub struct Line(Vec<u8>);

impl Write for Line {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let _ = std::io::stderr().write_all(redact(&text).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn every_token_shape_is_cut_out() {
        let line = "GET /t/0B1C2D3E-0000-4000-8000-000000000001 session=\
            aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa wave=fruehjahr-2020 id=42";
        assert_eq!(redact(line), "GET /t/… session=… wave=fruehjahr-2020 id=42");
        assert_eq!(
            redact("sha 0123456789abcdef"),
            "sha 0123456789abcdef",
            "short hex stays"
        );
    }
}
