//! Likes: who likes which video, and the video's counter, kept together.

use std::future::Future;

use crate::access::Access;
use crate::domain::video::Video;
use crate::error::ApiResult;

/// What a like or an unlike did. Both successes look the same to the caller.
#[derive(Debug, PartialEq, Eq)]
pub enum LikeOutcome {
    Changed,
    /// Already liked (a like) or not liked (an unlike): nothing written.
    Unchanged,
    /// No such video, or one the caller may not see.
    NotFound,
}

pub trait Liker: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// In one transaction: `user`'s like of video `id`, unless it exists, and
    /// `likes + 1` on the video, if `user` may see it.
    fn like(&self, id: &str, user: &str, now: i64) -> impl Future<Output = ApiResult<LikeOutcome>> + Send;
}

pub trait Unliker: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// In one transaction: deletes `user`'s like of video `id`, if it exists,
    /// and `likes - 1` on the video, if `user` may see it.
    fn unlike(&self, id: &str, user: &str) -> impl Future<Output = ApiResult<LikeOutcome>> + Send;
}

/// A video read with the caller's like in the same round trip.
pub trait LikedVideoReader: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// The video, and for a signed-in `user` whether they like it (None when
    /// anonymous), read consistently.
    fn video_and_like(
        &self,
        id: &str,
        user: Option<&str>,
    ) -> impl Future<Output = ApiResult<(Option<Video>, Option<bool>)>> + Send;
}
