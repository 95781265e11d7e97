//! Ports: what the handlers need from storage, as traits. The DynamoDB and S3
//! adapters in `store` implement them.

use async_trait::async_trait;

use crate::domain::account::{LoginFailures, Session, User, Username};
use crate::error::ApiResult;

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn get_user(&self, username: &Username) -> ApiResult<Option<User>>;
    /// Creates a user and its first session in one transaction.
    /// A taken name is `ApiError::Conflict`.
    async fn create_user_with_session(&self, user: &User, session: &Session) -> ApiResult<()>;

    async fn put_session(&self, session: &Session) -> ApiResult<()>;
    async fn get_session(&self, session_hash: &str) -> ApiResult<Option<Session>>;
    async fn delete_session(&self, session_hash: &str) -> ApiResult<()>;

    async fn get_login_failures(&self, username: &Username) -> ApiResult<Option<LoginFailures>>;
    /// Counts one failed login, starting a new window if the current one has passed.
    async fn record_login_failure(&self, username: &Username, now: i64, window_secs: i64) -> ApiResult<()>;
    async fn clear_login_failures(&self, username: &Username) -> ApiResult<()>;
    /// Deletes every session of a user, then the user.
    async fn delete_user(&self, username: &Username) -> ApiResult<()>;
}

use crate::domain::video::{Comment, DeletionRecord, Page, PageRequest, Video};

/// What a conditional delete found.
#[derive(Debug, PartialEq, Eq)]
pub enum DeleteOutcome {
    Deleted,
    NotFound,
    Forbidden,
}

/// Fields `/complete` records on a video that passed the checks.
#[derive(Debug, Default, Clone)]
pub struct ReadyInfo {
    pub duration_seconds: Option<f64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

#[async_trait]
pub trait VideoStore: Send + Sync {
    /// Creates a pending video; ids never collide, the put is conditional anyway.
    async fn create_video(&self, video: &Video) -> ApiResult<()>;
    async fn get_video(&self, id: &str) -> ApiResult<Option<Video>>;
    /// pending → ready, listing it if public. None if the video was not pending.
    async fn mark_ready(&self, video: &Video, info: &ReadyInfo) -> ApiResult<Option<Video>>;
    /// pending → rejected, and its objects queued, in one transaction.
    /// False if the video was not pending.
    async fn reject_video(&self, id: &str, record: &DeletionRecord) -> ApiResult<bool>;
    /// Deletes the video item and queues its record, in one transaction, if `owner` owns it.
    async fn delete_video(&self, id: &str, owner: &str, record: &DeletionRecord) -> ApiResult<DeleteOutcome>;
    /// Counts a view (`ADD views 1`) if the viewer may see the video; the updated video.
    async fn count_view(&self, id: &str, viewer: Option<&str>) -> ApiResult<Option<Video>>;
    /// Records the poster's content type if `owner` owns the video.
    async fn set_poster(&self, id: &str, owner: &str, content_type: &str) -> ApiResult<DeleteOutcome>;
    /// Ready, public videos, newest first.
    async fn list_feed(&self, page: &PageRequest) -> ApiResult<Page<Video>>;
    /// An owner's videos, newest first: all of them, or only the listed ones.
    async fn list_by_owner(&self, owner: &str, include_unlisted: bool, page: &PageRequest) -> ApiResult<Page<Video>>;
    /// Ids of videos still pending whose upload URL expired before `before`.
    async fn expired_pending(&self, before: i64, limit: u32) -> ApiResult<Vec<String>>;
    /// Deletes a still-pending video and queues its record, in one transaction.
    async fn expire_pending(&self, id: &str, record: &DeletionRecord) -> ApiResult<bool>;
}

#[async_trait]
pub trait CommentStore: Send + Sync {
    /// Stores the comment if the video exists and `viewer` may see it, in one
    /// transaction. False if not.
    async fn add_comment(&self, comment: &Comment, viewer: &str) -> ApiResult<bool>;
    async fn list_comments(&self, video_id: &str, page: &PageRequest) -> ApiResult<Page<Comment>>;
    /// Deletes a comment if `caller` wrote it or owns the video.
    async fn delete_comment(&self, video_id: &str, comment_id: &str, caller: &str) -> ApiResult<DeleteOutcome>;
    /// Deletes every comment of these videos, in BatchWriteItem calls of 25
    /// across videos; how many were deleted.
    async fn delete_comments_of(&self, video_ids: &[String]) -> ApiResult<usize>;
}

#[async_trait]
pub trait DeletionQueue: Send + Sync {
    /// A page of queued records, oldest video id first.
    async fn queued(&self, limit: u32, after: Option<&str>) -> ApiResult<Vec<DeletionRecord>>;
    /// Removes processed records (batches of 25).
    async fn remove(&self, video_ids: &[String]) -> ApiResult<()>;
}

/// A presigned request the client sends as is.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PresignedRequest {
    pub url: String,
    pub method: String,
    pub headers: std::collections::BTreeMap<String, String>,
    pub expires_at: String,
}

#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// A PUT URL that signs the key, the Content-Type and the Content-Length.
    async fn presign_put(&self, key: &str, content_type: &str, length: u64, ttl_secs: u64) -> ApiResult<PresignedRequest>;
    /// A GET URL (range-capable) that makes S3 answer with `content_type`.
    async fn presign_get(&self, key: &str, content_type: &str, ttl_secs: u64) -> ApiResult<String>;
    /// The object's size, or None if it does not exist.
    async fn size_of(&self, key: &str) -> ApiResult<Option<u64>>;
    /// Bytes `[offset, offset + length)`, fewer at the end of the object.
    async fn read_range(&self, key: &str, offset: u64, length: u64) -> ApiResult<Vec<u8>>;
    /// Deletes keys in `DeleteObjects` calls of up to 1000; a missing key is no error.
    async fn delete_objects(&self, keys: &[String]) -> ApiResult<usize>;
}
