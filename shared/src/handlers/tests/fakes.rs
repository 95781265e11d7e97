//! In-memory capabilities: maps behind mutexes, no I/O.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, Mutex};

use crate::access::Access;
use crate::domain::account::{hash_session_token, LoginFailures, Session, User, Username};
use crate::domain::video::Video;
use crate::domain::view::{ViewOutcome, ViewerKey};
use crate::error::ApiResult;
use crate::ports::{DownloadUrls, LoginThrottle, SessionReader, SessionWriter, UserReader, VideoReader, ViewCounter};

/// Cheap to clone: every clone sees the same state, as every clone of an adapter sees one table.
#[derive(Clone, Default)]
pub struct Memory(Arc<State>);

impl Deref for Memory {
    type Target = State;
    fn deref(&self) -> &State {
        &self.0
    }
}

#[derive(Default)]
pub struct State {
    pub users: Mutex<HashMap<String, User>>,
    pub sessions: Mutex<HashMap<String, Session>>,
    pub failures: Mutex<HashMap<String, LoginFailures>>,
    pub videos: Mutex<HashMap<String, Video>>,
    /// (video id, viewer) → when the mark expires.
    pub view_marks: Mutex<HashMap<(String, String), i64>>,
}

impl Memory {
    /// A live session for `username`; the token to send.
    pub fn sign_in(&self, username: &str) -> String {
        let token = format!("token-of-{username}");
        let session = Session {
            session_hash: hash_session_token(&token),
            username: Username::parse(username).unwrap(),
            created_at: 0,
            expires_at: i64::MAX,
        };
        self.sessions.lock().unwrap().insert(session.session_hash.clone(), session);
        token
    }
}

impl UserReader for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn get_user(&self, username: &Username) -> ApiResult<Option<User>> {
        Ok(self.users.lock().unwrap().get(username.as_str()).cloned())
    }
}

impl SessionReader for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn get_session(&self, session_hash: &str) -> ApiResult<Option<Session>> {
        Ok(self.sessions.lock().unwrap().get(session_hash).cloned())
    }
}

impl SessionWriter for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn put_session(&self, session: &Session) -> ApiResult<()> {
        self.sessions.lock().unwrap().insert(session.session_hash.clone(), session.clone());
        Ok(())
    }
}

impl LoginThrottle for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn get_login_failures(&self, username: &Username) -> ApiResult<Option<LoginFailures>> {
        Ok(self.failures.lock().unwrap().get(username.as_str()).cloned())
    }
    async fn record_login_failure(&self, username: &Username, now: i64, window_secs: i64) -> ApiResult<()> {
        let mut failures = self.failures.lock().unwrap();
        let entry = failures.entry(username.to_string()).or_insert(LoginFailures {
            username: username.to_string(),
            failures: 0,
            window_start: now,
            expires_at: now + window_secs,
        });
        if entry.window_start <= now - window_secs {
            *entry = LoginFailures { failures: 0, window_start: now, expires_at: now + window_secs, ..entry.clone() };
        }
        entry.failures += 1;
        Ok(())
    }
    async fn clear_login_failures(&self, username: &Username) -> ApiResult<()> {
        self.failures.lock().unwrap().remove(username.as_str());
        Ok(())
    }
}

impl VideoReader for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn get_video(&self, id: &str) -> ApiResult<Option<Video>> {
        Ok(self.videos.lock().unwrap().get(id).cloned())
    }
}

impl DownloadUrls for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn presign_get(&self, key: &str, content_type: &str, ttl_secs: u64) -> ApiResult<String> {
        Ok(format!("https://s3.test/{key}?type={content_type}&ttl={ttl_secs}"))
    }
}

impl ViewCounter for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn count_view(
        &self,
        id: &str,
        user: Option<&str>,
        viewer: &ViewerKey,
        now: i64,
        window_secs: i64,
    ) -> ApiResult<ViewOutcome> {
        let mut videos = self.videos.lock().unwrap();
        let Some(video) = videos.get_mut(id).filter(|v| v.visible_to(user)) else { return Ok(ViewOutcome::NotFound) };
        let mut marks = self.view_marks.lock().unwrap();
        let mark = marks.entry((id.to_owned(), viewer.as_str().to_owned())).or_insert(i64::MIN);
        if *mark > now {
            return Ok(ViewOutcome::AlreadyCounted);
        }
        *mark = now + window_secs;
        video.views += 1;
        Ok(ViewOutcome::Counted)
    }
}
