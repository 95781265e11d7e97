//! Views, as PeerTube counts them: a viewer's report of having watched a
//! video counts at most once per video in each window.

use sha2::{Digest, Sha256};

use super::now_epoch;

/// A viewer's views of one video count once in this window.
pub const VIEW_WINDOW_SECS: i64 = 6 * 3600;

/// The salt of anonymous viewer keys when `VIEWER_SALT` is unset (`make dev`,
/// tests). The template gives deployed functions a generated secret.
pub const DEV_VIEWER_SALT: &str = "vidlet-dev-viewer-salt";

/// Who watched: a signed-in user, or for anonymous viewers a salted hash of
/// their source address and User-Agent (no address is stored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewerKey(String);

impl ViewerKey {
    /// One user is one viewer, whatever address or browser they use.
    pub fn user(username: &str) -> Self {
        ViewerKey(format!("user:{username}"))
    }

    /// 128 bits of SHA-256 over the salt, the address and the User-Agent,
    /// each length-prefixed so that no two inputs run together.
    pub fn anonymous(salt: &str, source_ip: &str, user_agent: &str) -> Self {
        let mut hash = Sha256::new();
        for part in [salt, source_ip, user_agent] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
        ViewerKey(format!("anon:{}", hex::encode(&hash.finalize()[..16])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
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
    fn a_user_is_one_viewer_and_never_an_anonymous_one() {
        assert_eq!(ViewerKey::user("alice").as_str(), "user:alice");
        assert_ne!(ViewerKey::user("alice"), ViewerKey::anonymous("", "alice", ""));
    }

    #[test]
    fn a_fixed_clock_reads_its_time() {
        assert_eq!(Clock::Fixed(42).now(), 42);
        assert!(Clock::System.now() > 1_700_000_000);
    }
}
