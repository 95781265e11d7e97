//! Videos, comments and the deletion queue.

use std::future::Future;

use super::Outcome;
use crate::access::Access;
use crate::domain::page::{Page, PageRequest};
use crate::domain::playback::MediaFacts;
use crate::domain::transcode::TranscodeState;
use crate::domain::video::{Comment, DeletionRecord, Video, VideoEdit, VideoStatus};
use crate::domain::view::{ViewOutcome, ViewerKey};
use crate::error::ApiResult;

/// Fields `/complete` records on a video that passed the checks.
#[derive(Debug, Default, Clone)]
pub struct ReadyInfo {
    pub duration_seconds: Option<f64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub media: Option<MediaFacts>,
    /// Set when a ladder is asked for (state `submitting`).
    pub transcode: Option<TranscodeState>,
}

pub trait VideoReader: Send + Sync {
    fn access(&self) -> Vec<Access>;
    fn get_video(&self, id: &str) -> impl Future<Output = ApiResult<Option<Video>>> + Send;
}

pub trait VideoCreator: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Creates a pending video and reserves its size on the owner's quota, in
    /// one transaction; `ApiError::QuotaExceeded` when it does not fit.
    fn create_video(&self, video: &Video, quota_bytes: u64) -> impl Future<Output = ApiResult<()>> + Send;
}

/// Ready, public videos, newest first.
pub trait FeedReader: Send + Sync {
    fn access(&self) -> Vec<Access>;
    fn list_feed(&self, page: &PageRequest) -> impl Future<Output = ApiResult<Page<Video>>> + Send;
}

/// An owner's videos, newest first: all of them, or only the listed ones.
pub trait OwnerVideos: Send + Sync {
    fn access(&self) -> Vec<Access>;
    fn list_by_owner(
        &self,
        owner: &str,
        include_unlisted: bool,
        page: &PageRequest,
    ) -> impl Future<Output = ApiResult<Page<Video>>> + Send;
}

/// Every video of an owner, whatever its state (to delete an account).
pub trait OwnedVideos: Send + Sync {
    fn access(&self) -> Vec<Access>;
    fn owned_videos(&self, owner: &str, page: &PageRequest) -> impl Future<Output = ApiResult<Page<Video>>> + Send;
}

/// Ends a pending upload: ready, or rejected with its objects queued.
pub trait UploadSettler: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Claims the right to complete a pending upload until `until`, so that
    /// two concurrent completes never join the parts twice. False if another
    /// request holds a live claim or the video is no longer pending.
    fn claim_completion(&self, id: &str, now: i64, until: i64) -> impl Future<Output = ApiResult<bool>> + Send;
    /// Gives the claim up when the upload stays pending (parts missing, a fault).
    fn release_completion(&self, id: &str) -> impl Future<Output = ApiResult<()>> + Send;
    /// pending → ready, listing it if public (and indexing it for search).
    /// None if the video was not pending.
    fn mark_ready(&self, video: &Video, info: &ReadyInfo) -> impl Future<Output = ApiResult<Option<Video>>> + Send;
    /// pending → processing: its owner's only until its ladder exists. None
    /// if the video was not pending.
    fn mark_processing(&self, video: &Video, info: &ReadyInfo)
        -> impl Future<Output = ApiResult<Option<Video>>> + Send;
    /// Records the transcoder's job id (submitting → submitted), unless an
    /// event already moved the job on.
    fn job_submitted(&self, id: &str, job_id: &str) -> impl Future<Output = ApiResult<()>> + Send;
    /// pending → rejected, its objects queued and its bytes given back, in one
    /// transaction. False if the video was not pending.
    fn reject_video(&self, video: &Video, record: &DeletionRecord) -> impl Future<Output = ApiResult<bool>> + Send;
}

pub trait VideoRemover: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Deletes the video item, queues its record and gives its bytes back to
    /// the owner's quota (unless a rejection did), in one transaction. False
    /// if the item is gone or no longer as read. Then its search terms go.
    fn delete_video(&self, video: &Video, record: &DeletionRecord) -> impl Future<Output = ApiResult<bool>> + Send;
}

/// What a conditional edit found.
#[derive(Debug)]
pub enum EditOutcome {
    /// The video as it now is.
    Edited(Video),
    /// The condition failed: the video as it was (None: there is none).
    Refused(Option<Video>),
}

/// Changes a video's name, description and privacy.
pub trait VideoEditor: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Applies `edit` in one conditional write if `owner` owns video `id`.
    /// With `status`, the write also requires that status and sets or removes
    /// the video's index keys to match it and the new privacy, so the feed
    /// and the owner's public list change with it; without, any status but
    /// rejected, and the edit must not change the privacy. Then the video's
    /// search terms follow the edit.
    fn edit_video(
        &self,
        id: &str,
        owner: &str,
        edit: &VideoEdit,
        status: Option<VideoStatus>,
    ) -> impl Future<Output = ApiResult<EditOutcome>> + Send;
}

pub trait ViewCounter: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// In one transaction: marks `viewer` as having watched video `id` until
    /// `now + window_secs` unless a live mark exists, and adds a view, if
    /// `user` (None: anonymous) may see the video.
    fn count_view(
        &self,
        id: &str,
        user: Option<&str>,
        viewer: &ViewerKey,
        now: i64,
        window_secs: i64,
    ) -> impl Future<Output = ApiResult<ViewOutcome>> + Send;
}

/// A poster upload handed out and not confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPoster {
    pub key: String,
    pub content_type: String,
    /// It may be confirmed until then (epoch seconds); its object is swept after.
    pub until: i64,
}

/// What a poster write found.
#[derive(Debug, PartialEq, Eq)]
pub enum PosterOutcome {
    Done,
    /// No such video, or one the caller may not see.
    NotFound,
    /// Someone else's video.
    Forbidden,
    /// The caller's own video, rejected: it gets no poster.
    Rejected,
}

/// Hands out poster uploads. What is served changes only on confirmation.
pub trait PosterSetter: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Records `pending` as the video's poster upload if `owner` owns it and
    /// it is pending or ready, and queues `record` (the upload's object, swept
    /// unless confirmed), in one transaction. It replaces an earlier pending
    /// upload, whose own record sweeps it.
    fn offer_poster(
        &self,
        id: &str,
        owner: &str,
        pending: &PendingPoster,
        record: &DeletionRecord,
    ) -> impl Future<Output = ApiResult<PosterOutcome>> + Send;
}

/// Swaps an uploaded poster in.
pub trait PosterConfirmer: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// The video, read consistently, with its pending poster upload.
    fn video_with_pending_poster(
        &self,
        id: &str,
    ) -> impl Future<Output = ApiResult<Option<(Video, Option<PendingPoster>)>>> + Send;
    /// Makes `pending` the poster, cancels its upload's record and queues
    /// `replaced` (the poster it replaces), in one transaction, if the video
    /// is still as read: its owner's, pending or ready, with this pending
    /// upload and that poster. False if not.
    fn confirm_poster(
        &self,
        video: &Video,
        pending: &PendingPoster,
        replaced: Option<&DeletionRecord>,
    ) -> impl Future<Output = ApiResult<bool>> + Send;
}

/// Queues objects for the sweep (a replaced poster, say).
pub trait RecordQueuer: Send + Sync {
    fn access(&self) -> Vec<Access>;
    fn queue(&self, record: &DeletionRecord) -> impl Future<Output = ApiResult<()>> + Send;
}

/// Abandoned uploads, for the sweep.
pub trait PendingExpirer: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Videos still pending whose upload window closed before `before`.
    fn expired_pending(&self, before: i64, limit: u32) -> impl Future<Output = ApiResult<Vec<Video>>> + Send;
    /// Deletes a still-pending video, queues its record and gives its bytes
    /// back, in one transaction.
    fn expire_pending(&self, video: &Video, record: &DeletionRecord) -> impl Future<Output = ApiResult<bool>> + Send;
}

pub trait CommentWriter: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Stores the comment if the video exists and `viewer` may see it, in one
    /// transaction. False if not.
    fn add_comment(&self, comment: &Comment, viewer: &str) -> impl Future<Output = ApiResult<bool>> + Send;
}

pub trait CommentReader: Send + Sync {
    fn access(&self) -> Vec<Access>;
    fn list_comments(
        &self,
        video_id: &str,
        page: &PageRequest,
    ) -> impl Future<Output = ApiResult<Page<Comment>>> + Send;
}

pub trait CommentRemover: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Deletes a comment if `caller` wrote it or owns the video. `NotFound`,
    /// never `Forbidden`, on a video the caller may not see.
    fn delete_comment(
        &self,
        video_id: &str,
        comment_id: &str,
        caller: &str,
    ) -> impl Future<Output = ApiResult<Outcome>> + Send;
}

/// A comment's key: what the sweep needs to delete it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentKey {
    pub video_id: String,
    pub comment_id: String,
}

/// One page of a video's comment keys.
#[derive(Debug, Default)]
pub struct CommentKeys {
    pub keys: Vec<CommentKey>,
    /// The page was full: more may remain (a later query finds them once
    /// this page is deleted).
    pub more: bool,
}

/// Deletes the comments of deleted videos, a page at a time.
pub trait CommentPurger: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Up to `limit` comment keys of a video, from its first, read
    /// consistently: a comment a read missed would outlive its video.
    fn comment_keys(&self, video_id: &str, limit: u32) -> impl Future<Output = ApiResult<CommentKeys>> + Send;
    /// Deletes comments by key, of any videos, in BatchWriteItem calls of 25;
    /// a missing one is no error. How many were deleted.
    fn delete_comments(&self, keys: &[CommentKey]) -> impl Future<Output = ApiResult<usize>> + Send;
}

pub trait DeletionQueue: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// A page of queued records, oldest video id first, read consistently (a
    /// record a read missed would wait a run).
    fn queued(&self, limit: u32, after: Option<&str>) -> impl Future<Output = ApiResult<Vec<DeletionRecord>>> + Send;
    /// How many records are queued after `after` (all with None), counting
    /// no further than `at_most`: the backlog.
    fn count_queued(&self, after: Option<&str>, at_most: usize) -> impl Future<Output = ApiResult<usize>> + Send;
    /// Removes processed records (batches of 25).
    fn remove(&self, video_ids: &[String]) -> impl Future<Output = ApiResult<()>> + Send;
}
