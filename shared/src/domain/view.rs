//! Views, as PeerTube counts them: a viewer's report of having watched a
//! video counts at most once per video in each window.

use sha2::{Digest, Sha256};

use super::now_epoch;

/// A viewer's views of one video count once in this window.
pub const VIEW_WINDOW_SECS: i64 = 6 * 3600;

/// The salt of viewer keys when `VIEWER_SALT` is unset (`make dev`,
/// tests). The template gives deployed functions a generated secret.
pub const DEV_VIEWER_SALT: &str = "vidlet-dev-viewer-salt";

/// Who watched: a signed-in user, or for anonymous viewers their source
/// address and User-Agent; stored only as a salted hash, so the marks tell
/// no one who watched what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewerKey(String);

impl ViewerKey {
    /// One user is one viewer, whatever address or browser they use. The
    /// account's generation keeps a later holder of the name a new viewer.
    pub fn user(salt: &str, username: &str, generation: &str) -> Self {
        ViewerKey(format!("user:{}", salted_hash(salt, &[username, generation])))
    }

    pub fn anonymous(salt: &str, source_ip: &str, user_agent: &str) -> Self {
        ViewerKey(format!("anon:{}", salted_hash(salt, &[source_ip, user_agent])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 128 bits of SHA-256 over the salt and the parts, each length-prefixed so
/// that no two inputs run together.
fn salted_hash(salt: &str, parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in std::iter::once(&salt).chain(parts) {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(&hash.finalize()[..16])
}

/// What a view report did. Both successes look the same to the caller.
#[derive(Debug, PartialEq, Eq)]
pub enum ViewOutcome {
    Counted,
    /// This viewer's view of the video was counted less than a window ago.
    AlreadyCounted,
    /// No such video, or one the caller may not see.
    NotFound,
}

/// Where "now" comes from: the system clock, or a fixed time (tests).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    Fixed(i64),
}

impl Clock {
    pub fn now(self) -> i64 {
        match self {
            Clock::System => now_epoch(),
            Clock::Fixed(at) => at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_viewers_differ_by_address_agent_and_salt() {
        let key = ViewerKey::anonymous("salt", "192.0.2.1", "Firefox");
        assert_eq!(key, ViewerKey::anonymous("salt", "192.0.2.1", "Firefox"));
        assert_ne!(key, ViewerKey::anonymous("salt", "192.0.2.2", "Firefox"));
        assert_ne!(key, ViewerKey::anonymous("salt", "192.0.2.1", "Chrome"));
        assert_ne!(key, ViewerKey::anonymous("pepper", "192.0.2.1", "Firefox"));
        // Length prefixes: moving a character from one part to the next is another viewer.
        assert_ne!(ViewerKey::anonymous("s", "1.2.3.4", "ab"), ViewerKey::anonymous("s", "1.2.3.4a", "b"));
        assert!(key.as_str().starts_with("anon:") && key.as_str().len() == 5 + 32, "{key:?}");
        assert!(!key.as_str().contains("192.0.2.1"));
    }

    #[test]
    fn a_user_is_one_viewer_never_named_and_never_an_anonymous_one() {
        let alice = ViewerKey::user("salt", "alice", "g1");
        assert_eq!(alice, ViewerKey::user("salt", "alice", "g1"));
        assert_ne!(alice, ViewerKey::user("salt", "bob", "g1"));
        assert_ne!(alice, ViewerKey::user("salt", "alice", "g2"), "a re-registered name is another viewer");
        assert!(alice.as_str().starts_with("user:") && !alice.as_str().contains("alice"), "{alice:?}");
        assert_ne!(alice.as_str()[5..], ViewerKey::anonymous("salt", "alice", "").as_str()[5..]);
    }

    #[test]
    fn a_fixed_clock_reads_its_time() {
        assert_eq!(Clock::Fixed(42).now(), 42);
        assert!(Clock::System.now() > 1_700_000_000);
    }
}
