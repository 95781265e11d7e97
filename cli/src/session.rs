//! The config directory and the session file, both readable by their owner only.

use std::ffi::OsString;
use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CliError, Result};

const SESSION_FILE: &str = "session.json";

/// `$VIDLET_CONFIG_DIR`, else `$XDG_CONFIG_HOME/vidlet`, else `~/.config/vidlet`.
pub fn config_dir() -> Result<PathBuf> {
    config_dir_from(|name| std::env::var_os(name))
        .ok_or_else(|| CliError::Input("no config directory: set VIDLET_CONFIG_DIR or HOME".into()))
}

fn config_dir_from(env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let var = |name: &str| env(name).filter(|value| !value.is_empty()).map(PathBuf::from);
    if let Some(dir) = var("VIDLET_CONFIG_DIR") {
        return Some(dir);
    }
    let xdg = var("XDG_CONFIG_HOME").filter(|dir| dir.is_absolute());
    xdg.or_else(|| var("HOME").map(|home| home.join(".config"))).map(|dir| dir.join("vidlet"))
}

/// Creates `dir` and its missing parents with mode 0700; an existing directory is left as is.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| CliError::io_at("create", dir, e))
}

/// Replaces `path` with `contents` in a new file of mode 0600 (written aside, then renamed, so a
/// crash never leaves half a file and an older file's wider mode never carries over).
pub fn write_private_file(path: &Path, contents: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    let temporary = path.with_extension("tmp");
    remove_if_exists(&temporary)?;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temporary)
        .map_err(|e| CliError::io_at("create", &temporary, e))?;
    file.write_all(contents).and_then(|()| file.sync_all()).map_err(|e| CliError::io_at("write", &temporary, e))?;
    fs::rename(&temporary, path).map_err(|e| CliError::io_at("write", path, e))
}

/// Reads `path`, or `None` when it does not exist.
pub fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CliError::io_at("read", path, e)),
    }
}

pub fn remove_if_exists(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(CliError::io_at("remove", path, e)),
        _ => Ok(()),
    }
}

/// What `vidlet login` keeps: where, who, and the bearer token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub base_url: String,
    pub session_id: String,
    pub username: String,
}

impl Session {
    pub fn load(config_dir: &Path) -> Result<Option<Session>> {
        let path = config_dir.join(SESSION_FILE);
        let Some(bytes) = read_if_exists(&path)? else { return Ok(None) };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| CliError::Input(format!("{} is corrupt ({e}); run `vidlet login`", path.display())))
    }

    pub fn save(&self, config_dir: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| CliError::Protocol(e.to_string()))?;
        write_private_file(&config_dir.join(SESSION_FILE), &json)
    }

    pub fn remove(config_dir: &Path) -> Result<()> {
        remove_if_exists(&config_dir.join(SESSION_FILE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("vidlet-cli-test-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_config_dir_follows_the_environment() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| vars.iter().find(|(key, _)| *key == name).map(|(_, value)| OsString::from(value))
        };
        const ALL: &[(&str, &str)] = &[("VIDLET_CONFIG_DIR", "/v"), ("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")];
        assert_eq!(config_dir_from(env(ALL)), Some("/v".into()));
        assert_eq!(config_dir_from(env(&ALL[1..])), Some("/x/vidlet".into()));
        assert_eq!(
            config_dir_from(env(&[("XDG_CONFIG_HOME", "rel"), ("HOME", "/h")])),
            Some("/h/.config/vidlet".into())
        );
        assert_eq!(
            config_dir_from(env(&[("VIDLET_CONFIG_DIR", ""), ("HOME", "/h")])),
            Some("/h/.config/vidlet".into())
        );
        assert_eq!(config_dir_from(env(&[])), None);
    }

    #[test]
    fn session_round_trips_in_private_files() {
        let dir = scratch_dir("session").join("nested");
        let session = Session { base_url: "http://x".into(), session_id: "s".into(), username: "alice".into() };
        assert_eq!(Session::load(&dir).unwrap(), None);
        session.save(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(SESSION_FILE)), 0o600);
        assert_eq!(Session::load(&dir).unwrap(), Some(session));
        Session::remove(&dir).unwrap();
        Session::remove(&dir).unwrap();
        assert_eq!(Session::load(&dir).unwrap(), None);
        fs::remove_dir_all(dir.parent().unwrap()).unwrap();
    }

    #[test]
    fn rewriting_narrows_a_wider_mode() {
        let dir = scratch_dir("narrow");
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("file.json");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write_private_file(&path, b"new").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(fs::read(&path).unwrap(), b"new");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_corrupt_session_is_an_error_not_a_panic() {
        let dir = scratch_dir("corrupt");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(SESSION_FILE), b"{not json").unwrap();
        assert!(matches!(Session::load(&dir), Err(CliError::Input(_))));
        fs::remove_dir_all(&dir).unwrap();
    }
}
