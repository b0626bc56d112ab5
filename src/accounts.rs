//! Staff accounts, pure: roles and what each may do, password rules, argon2id hashes, and the
//! random tokens of sessions and password links.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// What a staff account may do (DESIGN.md "Users").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything: surveys, waves, participants, mailings, raw exports, accounts, the audit log.
    Admin,
    /// The Länderbeirat: every report and download.
    Board,
    /// A Land coordinator: the reports, and which regions of their own Land have answered.
    Coordinator,
}

impl Role {
    /// The word stored and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Board => "board",
            Role::Coordinator => "coordinator",
        }
    }

    /// The role of a stored word.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "board" => Some(Role::Board),
            "coordinator" => Some(Role::Coordinator),
            _ => None,
        }
    }

    /// Whether the role may read reports and downloads (everyone with an account).
    pub fn reads_reports(self) -> bool {
        true
    }

    /// Whether the role may run waves, see contacts, raw data and the audit log.
    pub fn administers(self) -> bool {
        self == Role::Admin
    }
}

impl crate::text::Bilingual for Role {
    /// The German name shown on pages: "Administration", "Länderbeirat", "Landeskoordination".
    fn german(&self) -> String {
        match self {
            Role::Admin => "Administration",
            Role::Board => "Länderbeirat",
            Role::Coordinator => "Landeskoordination",
        }
        .to_owned()
    }

    /// The word typed and printed on the command line.
    fn english(&self) -> String {
        self.as_str().to_owned()
    }
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why a new password is refused (a German sentence for the form).
pub fn password_problem(password: &str, email: &str) -> Option<&'static str> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Some("Das Passwort muss mindestens 12 Zeichen lang sein.");
    }
    if chars > 256 {
        return Some("Das Passwort darf höchstens 256 Zeichen lang sein.");
    }
    if password.trim().to_lowercase() == email.trim().to_lowercase() {
        return Some("Das Passwort darf nicht Ihre E-Mail-Adresse sein.");
    }
    None
}

/// The argon2id hash of a password, in PHC string form (salt chosen inside).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    Ok(Argon2::default()
        .hash_password(password.as_bytes())?
        .to_string())
}

/// Whether `password` matches `hash` (a malformed hash matches nothing).
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A fresh random token (64 hex digits) for a session cookie or a password link.
pub fn random_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// Whether `text` looks like a token of [`random_token`] (checked before any look-up).
pub fn is_token(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hash_verifies_its_password_only() {
        let hash = hash_password("richtig-langes-passwort").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("richtig-langes-passwort", &hash));
        assert!(!verify_password("falsches-langes-passwort", &hash));
        assert!(!verify_password("richtig-langes-passwort", "kein hash"));
    }

    #[test]
    fn short_passwords_and_the_address_itself_are_refused() {
        assert!(password_problem("kurz", "a@example.org").is_some());
        assert!(password_problem("a@example.org!", "a@example.org!").is_some());
        assert_eq!(
            password_problem("lang genug, wirklich", "a@example.org"),
            None
        );
    }

    #[test]
    fn roles_read_and_write_as_their_words() {
        for role in [Role::Admin, Role::Board, Role::Coordinator] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(Role::Admin.administers() && !Role::Board.administers());
    }
}
