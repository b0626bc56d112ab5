//! Personal tokens: derived, never stored.
//!
//! A participant's token is a UUID (version 4 form: 122 bits) made from an HMAC-SHA256 of the
//! installation's secret key, the participant's id and the link's generation. Reminders can thus
//! rebuild the same link, renewing a link (generation + 1) makes a new one, and the database holds
//! only the token's SHA-256: a dump of it does not let anyone answer as a region.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Domain separation: tokens made for another purpose with the same key never collide with these.
const PARTICIPANT_TOKEN_CONTEXT: &[u8] = b"mint-survey/participant-token/v1\0";

/// Context label of test-link tokens.
const TEST_TOKEN_CONTEXT: &[u8] = b"mint-survey test link v1";

/// Context label of password-link tokens.
const PASSWORD_TOKEN_CONTEXT: &[u8] = b"mint-survey password link v1";

/// The installation's secret key (at least 32 bytes). Never printed.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// A secret key that is too short to be safe.
#[derive(Debug, thiserror::Error)]
#[error(
    "SECRET_KEY must be at least 32 characters long (it has {0}); generate one with `openssl rand -hex 32`"
)]
pub struct WeakKey(usize);

impl SecretKey {
    /// A key from its text form (any text of at least 32 characters; `generate` makes 64 hex digits).
    pub fn from_text(text: &str) -> Result<SecretKey, WeakKey> {
        let text = text.trim();
        if text.len() < 32 {
            return Err(WeakKey(text.len()));
        }
        Ok(SecretKey(text.as_bytes().to_vec()))
    }

    /// A new random key in text form: 64 hex digits (256 bits) from the operating system.
    pub fn generate() -> Result<String, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(hex::encode(bytes))
    }

    /// HMAC-SHA256 of `parts` under this key, after a context label.
    pub fn sign(&self, context: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(context);
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

/// The token of a participant's link, as it appears in `/t/{token}`.
pub fn participant_token(key: &SecretKey, participant_id: i64, generation: i32) -> String {
    let mac = key.sign(
        PARTICIPANT_TOKEN_CONTEXT,
        &[&participant_id.to_be_bytes(), &generation.to_be_bytes()],
    );
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&mac[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The token of a wave's test link (`/test/{wave}/{token}`, UUID form), derived from the wave's
/// id: the link runs the real questionnaire, and its responses never count.
pub fn test_token(key: &SecretKey, wave_id: i64) -> String {
    let mac = key.sign(TEST_TOKEN_CONTEXT, &[&wave_id.to_be_bytes()]);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&mac[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The token of a staff account's password link (`/passwort/{token}`, 64 hex characters), derived
/// from the id of its `password_tokens` row: a queued mail carries only the id, and the database
/// only the token's SHA-256.
pub fn password_token(key: &SecretKey, token_id: i64) -> String {
    hex::encode(key.sign(PASSWORD_TOKEN_CONTEXT, &[&token_id.to_be_bytes()]))
}

/// A participant's personal link, `{PUBLIC_URL}/t/{token}`: what mails, exports and the demo show.
pub fn personal_link(
    public_url: &str,
    key: &SecretKey,
    participant_id: i64,
    generation: i32,
) -> String {
    format!(
        "{public_url}/t/{}",
        participant_token(key, participant_id, generation)
    )
}

/// The SHA-256 under which a token is stored and looked up.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A token as typed or pasted (any case, braces, surrounding space) in its canonical form, if it is one.
pub fn canonical_token(text: &str) -> Option<String> {
    let uuid = uuid::Uuid::try_parse(text.trim()).ok()?;
    (uuid.get_version_num() == 4).then(|| uuid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::from_text("0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn tokens_are_uuid_v4_and_rebuildable() {
        let token = participant_token(&key(), 42, 1);
        let uuid = uuid::Uuid::parse_str(&token).unwrap();
        assert_eq!(uuid.get_version_num(), 4);
        assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(token, participant_token(&key(), 42, 1));
        assert_eq!(canonical_token(&token.to_uppercase()), Some(token));
    }

    #[test]
    fn participant_generation_and_key_all_change_the_token() {
        let base = participant_token(&key(), 42, 1);
        assert_ne!(base, participant_token(&key(), 43, 1));
        assert_ne!(base, participant_token(&key(), 42, 2));
        let other = SecretKey::from_text("fedcba9876543210fedcba9876543210").unwrap();
        assert_ne!(base, participant_token(&other, 42, 1));
    }

    #[test]
    fn short_keys_are_refused_and_keys_never_print() {
        assert!(SecretKey::from_text("short").is_err());
        assert_eq!(format!("{:?}", key()), "SecretKey(***)");
        assert_eq!(SecretKey::generate().unwrap().len(), 64);
    }
}
