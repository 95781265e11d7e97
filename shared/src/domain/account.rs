//! Users, passwords and sessions.

use argon2::password_hash::{rand_core::OsRng, rand_core::RngCore, PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Invalid;

/// A validated user name: 3–32 characters of `[a-z0-9_-]`, lowercased.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = raw.to_lowercase();
        let valid_chars = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !(3..=32).contains(&name.chars().count()) || !valid_chars {
            return Err(Invalid::new("username", "use 3-32 characters of a-z, 0-9, _ and -"));
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks the password rule: 8–128 bytes.
pub fn validate_password(password: &str) -> Result<(), Invalid> {
    if !(8..=128).contains(&password.len()) {
        return Err(Invalid::new("password", "use 8-128 bytes"));
    }
    Ok(())
}

/// Hashes a password with argon2id into a PHC string.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|hash| hash.to_string())
}

/// Verifies a password against a PHC string. An unknown user is verified
/// against a fixed dummy hash so that both cases take the same time.
pub fn verify_password(password: &str, phc: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("dummy password, never matches").unwrap_or_default());
    let (phc, known) = match phc {
        Some(phc) => (phc, true),
        None => (dummy.as_str(), false),
    };
    let matches = PasswordHash::new(phc)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false);
    matches && known
}

/// A stored user.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    pub username: Username,
    pub password_hash: String,
    pub created_at: i64,
    /// Bytes of the user's videos, pending ones included (the quota's count).
    #[serde(default)]
    pub used_bytes: u64,
}

/// A session token as the client holds it: 256 random bits, base64url.
pub struct SessionToken(pub String);

impl SessionToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        SessionToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The only form stored: the hex SHA-256 of the token.
    pub fn hash(&self) -> String {
        hash_session_token(&self.0)
    }
}

pub fn hash_session_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A stored session, keyed by the token's hash.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Session {
    pub session_hash: String,
    pub username: Username,
    pub created_at: i64,
    /// Epoch seconds; also the table's TTL attribute.
    pub expires_at: i64,
}

/// Failed logins of one user name within the current window.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoginFailures {
    pub username: String,
    pub failures: u32,
    pub window_start: i64,
    /// Epoch seconds; also the table's TTL attribute.
    pub expires_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_checked() {
        assert_eq!(Username::parse("Alice_1").unwrap().as_str(), "alice_1");
        for bad in ["ab", "a b c", "ali\0ce", &"x".repeat(33), "élan", "../etc"] {
            assert!(Username::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn passwords_hash_as_argon2id_and_verify() {
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", Some(&phc)));
        assert!(!verify_password("wrong horse", Some(&phc)));
        assert!(!verify_password("correct horse", None));
    }

    #[test]
    fn session_tokens_are_random_and_stored_hashed() {
        let a = SessionToken::generate();
        let b = SessionToken::generate();
        assert_ne!(a.0, b.0);
        assert_eq!(a.0.len(), 43);
        assert_eq!(a.hash().len(), 64);
        assert_ne!(a.hash(), a.0);
    }
}
