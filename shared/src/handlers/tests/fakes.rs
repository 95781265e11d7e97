//! In-memory capabilities: maps behind mutexes, no I/O.

use std::collections::{HashMap, HashSet};
use std::ops::Deref;
use std::sync::{Arc, Mutex};

use crate::access::Access;
use crate::domain::account::{Device, SecretToken, Session, User, Username};
use crate::domain::throttle::Bucket;
use crate::domain::video::Video;
use crate::domain::view::{ViewOutcome, ViewerKey};
use crate::error::ApiResult;
use crate::ports::{
    DeviceReader, DownloadUrls, GuessThrottle, LikeOutcome, LikedVideoReader, Liker, SessionReader, SessionStarter,
    Unliker, UserReader, VideoReader, ViewCounter,
};

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
    pub devices: Mutex<HashMap<String, Device>>,
    /// Failures counted per throttle bucket key.
    pub failures: Mutex<HashMap<String, u32>>,
    pub videos: Mutex<HashMap<String, Video>>,
    /// (video id, viewer) → when the mark expires.
    pub view_marks: Mutex<HashMap<(String, String), i64>>,
    /// (video id, user name) of each like.
    pub likes: Mutex<HashSet<(String, String)>>,
}

impl Memory {
    /// A live session for `username` (registered if new); the token to send.
    pub fn sign_in(&self, username: &str) -> String {
        let name = Username::parse(username).unwrap();
        let user = User::new(name.clone(), String::new(), 0);
        let user = self.users.lock().unwrap().entry(username.to_owned()).or_insert(user).clone();
        let token = SecretToken::generate(&name);
        let session = Session {
            session_hash: token.hash(),
            username: name,
            generation: user.generation,
            created_at: 0,
            expires_at: i64::MAX,
            lifetime_secs: 1800,
        };
        self.sessions.lock().unwrap().insert(session.session_hash.clone(), session);
        token.0
    }
}

impl UserReader for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn get_user(&self, username: &Username) -> ApiResult<Option<User>> {
        Ok(self.users.lock().unwrap().get(username.as_str()).filter(|u| u.is_live()).cloned())
    }
}

impl SessionReader for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn get_session(&self, username: &Username, hash: &str) -> ApiResult<(Option<Session>, Option<User>)> {
        let session = self.sessions.lock().unwrap().get(hash).cloned();
        Ok((session, self.users.lock().unwrap().get(username.as_str()).cloned()))
    }
    async fn extend_session(&self, hash: &str, from: i64, to: i64) -> ApiResult<()> {
        if let Some(session) = self.sessions.lock().unwrap().get_mut(hash).filter(|s| s.expires_at == from) {
            session.expires_at = to;
        }
        Ok(())
    }
}

impl SessionStarter for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn start_session(&self, session: &Session, new_device: Option<&Device>) -> ApiResult<()> {
        self.sessions.lock().unwrap().insert(session.session_hash.clone(), session.clone());
        if let Some(device) = new_device {
            self.devices.lock().unwrap().insert(device.device_hash.clone(), device.clone());
        }
        Ok(())
    }
}

impl DeviceReader for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn get_device(&self, device_hash: &str) -> ApiResult<Option<Device>> {
        Ok(self.devices.lock().unwrap().get(device_hash).cloned())
    }
}

impl GuessThrottle for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn reserve(&self, bucket: &Bucket) -> ApiResult<bool> {
        let mut failures = self.failures.lock().unwrap();
        let count = failures.entry(bucket.key.clone()).or_default();
        let room = *count < bucket.max_failures;
        *count += u32::from(room);
        Ok(room)
    }
    async fn release(&self, bucket: &Bucket) -> ApiResult<()> {
        if let Some(count) = self.failures.lock().unwrap().get_mut(&bucket.key) {
            *count = count.saturating_sub(1);
        }
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

impl Memory {
    /// Adds or removes a like with the video's counter, if `user` may see it.
    fn set_like(&self, id: &str, user: &str, like: bool) -> LikeOutcome {
        let mut videos = self.videos.lock().unwrap();
        let Some(video) = videos.get_mut(id).filter(|v| v.visible_to(Some(user))) else { return LikeOutcome::NotFound };
        let mut likes = self.likes.lock().unwrap();
        let key = (id.to_owned(), user.to_owned());
        let changed = if like { likes.insert(key) } else { likes.remove(&key) };
        if !changed {
            return LikeOutcome::Unchanged;
        }
        video.likes = if like { video.likes + 1 } else { video.likes - 1 };
        LikeOutcome::Changed
    }
}

impl Liker for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn like(&self, id: &str, user: &str, _now: i64) -> ApiResult<LikeOutcome> {
        Ok(self.set_like(id, user, true))
    }
}

impl Unliker for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn unlike(&self, id: &str, user: &str) -> ApiResult<LikeOutcome> {
        Ok(self.set_like(id, user, false))
    }
}

impl LikedVideoReader for Memory {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn video_and_like(&self, id: &str, user: Option<&str>) -> ApiResult<(Option<Video>, Option<bool>)> {
        let video = self.videos.lock().unwrap().get(id).cloned();
        let liked = user.map(|u| self.likes.lock().unwrap().contains(&(id.to_owned(), u.to_owned())));
        Ok((video, liked))
    }
}
