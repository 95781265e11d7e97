//! Following: who follows whom, the follower's counter, and the videos of the
//! creators a user follows.

use std::future::Future;

use crate::access::Access;
use crate::domain::page::{Page, PageRequest};
use crate::domain::video::Video;
use crate::error::ApiResult;

/// What a follow or an unfollow did. Both successes look the same to the caller.
#[derive(Debug, PartialEq, Eq)]
pub enum FollowOutcome {
    Changed,
    /// Already following (a follow) or not following (an unfollow): nothing written.
    Unchanged,
    /// No such user, or a deleted one.
    NotFound,
    /// The follower already follows as many users as one may.
    LimitReached,
}

/// One user the caller follows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Followed {
    #[serde(rename = "followee")]
    pub username: String,
    /// When the follow began (epoch seconds).
    pub created_at: i64,
}

pub trait Follower: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// In one transaction: `follower` follows `followee` unless it does, if
    /// `followee` is a live user, and the follower's count goes up by one if
    /// it stays within `max_following`.
    fn follow(
        &self,
        follower: &str,
        followee: &str,
        now: i64,
        max_following: u32,
    ) -> impl Future<Output = ApiResult<FollowOutcome>> + Send;
}

pub trait Unfollower: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// In one transaction: the follow deleted if it exists, the follower's
    /// count down by one, if `followee` is a live user.
    fn unfollow(&self, follower: &str, followee: &str) -> impl Future<Output = ApiResult<FollowOutcome>> + Send;
}

pub trait FollowingReader: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Whom `follower` follows, by name, a page at a time.
    fn list_following(
        &self,
        follower: &str,
        page: &PageRequest,
    ) -> impl Future<Output = ApiResult<Page<Followed>>> + Send;
    /// `follower`'s follow of `followee`, if there is one (read consistently).
    fn following(&self, follower: &str, followee: &str) -> impl Future<Output = ApiResult<Option<Followed>>> + Send;
}

/// The newest public, ready videos of the creators a user follows.
pub trait FollowingFeedReader: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Newest first; the cursor is the last video's id (ids grow with time).
    fn following_feed(&self, follower: &str, page: &PageRequest)
        -> impl Future<Output = ApiResult<Page<Video>>> + Send;
}
