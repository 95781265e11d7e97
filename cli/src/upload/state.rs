//! The resume state: one small file per pending upload, `uploads/<key>.json` in the config dir.

use std::fs::Metadata;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{CliError, Result};
use crate::session::{read_if_exists, remove_if_exists, write_private_file};

/// What identifies a file's content well enough to resume: its canonical path, size and mtime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileIdentity {
    pub path: PathBuf,
    pub size: u64,
    pub mtime_seconds: i64,
    pub mtime_nanoseconds: i64,
}

impl FileIdentity {
    pub fn new(canonical_path: PathBuf, metadata: &Metadata) -> Self {
        FileIdentity {
            path: canonical_path,
            size: metadata.len(),
            mtime_seconds: metadata.mtime(),
            mtime_nanoseconds: metadata.mtime_nsec(),
        }
    }

    /// The state file's name: SHA-256 of path, size and mtime, in hex.
    pub fn key(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.path.as_os_str().as_bytes());
        hash.update([0]);
        hash.update(self.size.to_be_bytes());
        hash.update(self.mtime_seconds.to_be_bytes());
        hash.update(self.mtime_nanoseconds.to_be_bytes());
        hex::encode(hash.finalize())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadState {
    pub video_id: String,
    pub base_url: String,
    #[serde(flatten)]
    pub file: FileIdentity,
}

pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    pub fn for_file(config_dir: &Path, file: &FileIdentity) -> Self {
        StateFile { path: config_dir.join("uploads").join(format!("{}.json", file.key())) }
    }

    #[cfg(test)]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved state, if any; an unreadable one is ignored (the upload starts over).
    pub fn load(&self) -> Result<Option<UploadState>> {
        let Some(bytes) = read_if_exists(&self.path)? else { return Ok(None) };
        Ok(serde_json::from_slice(&bytes).ok())
    }

    pub fn save(&self, state: &UploadState) -> Result<()> {
        let json = serde_json::to_vec_pretty(state).map_err(|e| CliError::Protocol(e.to_string()))?;
        write_private_file(&self.path, &json)
    }

    pub fn remove(&self) -> Result<()> {
        remove_if_exists(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(path: &str, size: u64, mtime_seconds: i64) -> FileIdentity {
        FileIdentity { path: path.into(), size, mtime_seconds, mtime_nanoseconds: 7 }
    }

    #[test]
    fn the_key_changes_with_path_size_and_mtime() {
        let base = identity("/videos/a.mp4", 100, 1_700_000_000);
        let key = base.key();
        assert_eq!(key.len(), 64);
        assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(key, base.clone().key(), "stable");
        assert_ne!(key, identity("/videos/b.mp4", 100, 1_700_000_000).key());
        assert_ne!(key, identity("/videos/a.mp4", 101, 1_700_000_000).key());
        assert_ne!(key, identity("/videos/a.mp4", 100, 1_700_000_001).key());
        assert_ne!(key, FileIdentity { mtime_nanoseconds: 8, ..base }.key());
    }

    #[test]
    fn state_round_trips_and_garbage_is_ignored() {
        let dir = std::env::temp_dir().join(format!("vidlet-cli-test-state-{}", std::process::id()));
        let file = identity("/videos/a.mp4", 100, 1);
        let state_file = StateFile::for_file(&dir, &file);
        assert!(state_file.path().starts_with(dir.join("uploads")));
        let state = UploadState { video_id: "v1".into(), base_url: "http://x".into(), file };
        state_file.save(&state).unwrap();
        assert_eq!(state_file.load().unwrap(), Some(state));
        std::fs::write(state_file.path(), b"garbage").unwrap();
        assert_eq!(state_file.load().unwrap(), None);
        state_file.remove().unwrap();
        assert_eq!(state_file.load().unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
