//! Device tokens, kept across logins (a logout keeps them): a login that sends
//! its device's token is not held up by strangers guessing the same name.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{CliError, Result};
use crate::session::{read_if_exists, write_private_file};

const DEVICES_FILE: &str = "devices.json";

/// Tokens by site and user name.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Devices(BTreeMap<String, String>);

fn key(base_url: &str, username: &str) -> String {
    format!("{} {}", base_url.trim_end_matches('/'), username.to_lowercase())
}

impl Devices {
    /// The stored tokens; a missing or unreadable file is no tokens, never an error.
    pub fn load(config_dir: &Path) -> Devices {
        let bytes = read_if_exists(&config_dir.join(DEVICES_FILE)).ok().flatten();
        bytes.and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
    }

    pub fn token(&self, base_url: &str, username: &str) -> Option<&str> {
        self.0.get(&key(base_url, username)).map(String::as_str)
    }

    pub fn remember(&mut self, base_url: &str, username: &str, token: String) {
        self.0.insert(key(base_url, username), token);
    }

    pub fn save(&self, config_dir: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| CliError::Protocol(e.to_string()))?;
        write_private_file(&config_dir.join(DEVICES_FILE), &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_kept_per_site_and_name_in_a_private_file() {
        let dir = std::env::temp_dir().join(format!("vidlet-cli-test-devices-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(Devices::load(&dir), Devices::default());
        let mut devices = Devices::default();
        devices.remember("http://site/", "Alice", "alice.token".into());
        devices.save(&dir).unwrap();
        let loaded = Devices::load(&dir);
        assert_eq!(loaded.token("http://site", "alice"), Some("alice.token"));
        assert_eq!(loaded.token("http://other", "alice"), None);
        std::fs::write(dir.join(DEVICES_FILE), b"{corrupt").unwrap();
        assert_eq!(Devices::load(&dir), Devices::default());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
