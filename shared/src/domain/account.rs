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

/// A stored user. `generation` tells one holder of a name from a later one:
/// sessions and device tokens name it, so they never outlive their account.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    pub username: Username,
    #[serde(default)]
    pub password_hash: String,
    #[serde(default)]
    pub generation: String,
    pub created_at: i64,
    /// Bytes of the user's videos, pending ones included (the quota's count).
    #[serde(default)]
    pub used_bytes: u64,
    /// Set when the account was deleted: the name stays taken until the sweep
    /// has removed everything the account left (`purge_after` on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
}

impl User {
    pub fn new(username: Username, password_hash: String, now: i64) -> Self {
        User {
            username,
            password_hash,
            generation: uuid::Uuid::new_v4().simple().to_string(),
            created_at: now,
            used_bytes: 0,
            deleted_at: None,
        }
    }

    pub fn is_live(&self) -> bool {
        self.deleted_at.is_none()
    }
}

/// A secret the client holds, `<username>.<256 random bits>`: the name lets one
/// read fetch the token's record and its user together. Only its hash is stored.
pub struct SecretToken(pub String);

impl SecretToken {
    pub fn generate(username: &Username) -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        SecretToken(format!("{username}.{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The only form stored: the hex SHA-256 of the token.
    pub fn hash(&self) -> String {
        hash_token(&self.0)
    }
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What a presented token says: the user it names and its hash. None when it
/// cannot be one of ours.
pub fn parse_token(token: &str) -> Option<(Username, String)> {
    let (name, secret) = token.split_once('.')?;
    if secret.len() != 43 {
        return None;
    }
    Some((Username::parse(name).ok()?, hash_token(token)))
}

/// A stored session, keyed by the token's hash.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Session {
    pub session_hash: String,
    pub username: Username,
    #[serde(default)]
    pub generation: String,
    pub created_at: i64,
    /// Epoch seconds; also the table's TTL attribute.
    pub expires_at: i64,
    /// How long it lives from its last extension: short, or "keep me signed in".
    #[serde(default = "default_lifetime")]
    pub lifetime_secs: i64,
}

fn default_lifetime() -> i64 {
    1800
}

impl Session {
    /// When a session used at `now` should live to instead: used in the last
    /// half of its lifetime, it gets a whole one again. At most one extension
    /// per half lifetime, and none for a session still in its first half.
    pub fn extended_expiry(&self, now: i64) -> Option<i64> {
        let left = self.expires_at - now;
        (left > 0 && left < self.lifetime_secs / 2).then_some(now + self.lifetime_secs)
    }

    /// Live: not expired, and its user is the same live account that signed in.
    pub fn is_valid_for(&self, user: &User, now: i64) -> bool {
        self.expires_at > now && user.is_live() && user.username == self.username && user.generation == self.generation
    }
}

/// A device that logged in successfully (OWASP's "device cookie"): its own
/// failures are throttled apart from a stranger's guesses at the same name.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Device {
    pub device_hash: String,
    pub username: Username,
    pub generation: String,
    pub created_at: i64,
    /// Epoch seconds; also the table's TTL attribute.
    pub expires_at: i64,
}

impl Device {
    pub fn is_valid_for(&self, user: &User, now: i64) -> bool {
        self.expires_at > now && user.is_live() && user.username == self.username && user.generation == self.generation
    }
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
    fn tokens_are_random_name_their_user_and_are_stored_hashed() {
        let alice = Username::parse("alice").unwrap();
        let a = SecretToken::generate(&alice);
        let b = SecretToken::generate(&alice);
        assert_ne!(a.0, b.0);
        assert_eq!(a.0.len(), "alice.".len() + 43);
        assert_eq!(a.hash().len(), 64);
        assert_eq!(parse_token(&a.0), Some((alice, a.hash())));
        for bad in ["", "alice", "alice.short", "no body.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", &a.hash()] {
            assert_eq!(parse_token(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_session_is_valid_only_for_the_live_account_that_opened_it() {
        let user = User::new(Username::parse("alice").unwrap(), String::new(), 0);
        let session = Session {
            session_hash: "h".into(),
            username: user.username.clone(),
            generation: user.generation.clone(),
            created_at: 0,
            expires_at: 100,
            lifetime_secs: 100,
        };
        assert!(session.is_valid_for(&user, 99));
        assert!(!session.is_valid_for(&user, 100), "expired");
        let successor = User::new(user.username.clone(), String::new(), 50);
        assert!(!session.is_valid_for(&successor, 99), "a later holder of the name");
        let deleted = User { deleted_at: Some(60), ..user };
        assert!(!session.is_valid_for(&deleted, 99), "a deleted account");
    }

    #[test]
    fn a_session_used_in_the_last_half_of_its_lifetime_gets_a_whole_one_again() {
        let session = Session {
            session_hash: "h".into(),
            username: Username::parse("alice").unwrap(),
            generation: String::new(),
            created_at: 0,
            expires_at: 1800,
            lifetime_secs: 1800,
        };
        assert_eq!(session.extended_expiry(0), None, "fresh");
        assert_eq!(session.extended_expiry(900), None, "half left");
        assert_eq!(session.extended_expiry(901), Some(2701));
        assert_eq!(session.extended_expiry(1800), None, "expired is expired");
    }
}
