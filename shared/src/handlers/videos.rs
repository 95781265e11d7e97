//! Reading, listing and deleting videos.

use http::StatusCode;
use lambda_http::{Body, Request, Response};

use super::views::{TranscodeView, VideoList, VideoView, WatchedVideo};
use super::Handler;
use crate::access::Access;
use crate::auth::{optional_session, require_session};
use crate::config::Config;
use crate::domain::account::{Session, Username};
use crate::domain::now_epoch;
use crate::domain::video::{DeletionRecord, Video, VideoStatus};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, json_response, page_request, path_param, video_id_param};
use crate::ports::{
    DownloadUrls, FeedReader, LikedVideoReader, Outcome, OwnerVideos, SessionReader, VideoReader, VideoRemover,
};

/// The video if `viewer` may see it; 404 otherwise, exactly as for a missing one.
pub(crate) async fn visible_video(videos: &impl VideoReader, id: &str, viewer: Option<&Session>) -> ApiResult<Video> {
    match videos.get_video(id).await? {
        Some(video) if video.visible_to(viewer.map(|s| s.username.as_str())) => Ok(video),
        _ => Err(ApiError::NotFound("video")),
    }
}

/// `GET /videos/{id}`: with a presigned, range-capable `stream_url` when the
/// video is ready, so the page plays it without `/stream`'s redirect.
pub struct GetVideo<S, V, D> {
    pub sessions: S,
    pub videos: V,
    pub download_urls: D,
    pub config: Config,
}

impl<S: SessionReader + 'static, V: LikedVideoReader + 'static, D: DownloadUrls + 'static> Handler
    for GetVideo<S, V, D>
{
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.videos.access(), self.download_urls.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let viewer = optional_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        let user = viewer.as_ref().map(|s| s.username.as_str());
        // The caller's like comes in the video's round trip (one BatchGetItem).
        let (video, liked_by_me) = self.videos.video_and_like(&id, user).await?;
        let video = video.filter(|v| v.visible_to(user)).ok_or(ApiError::NotFound("video"))?;
        let stream_url = match video.status {
            VideoStatus::Ready => {
                let ttl = self.config.stream_url_ttl_secs;
                Some(self.download_urls.presign_get(&video.object_key(), &video.content_type, ttl).await?)
            }
            VideoStatus::Pending | VideoStatus::Processing | VideoStatus::Rejected | VideoStatus::Failed => None,
        };
        let transcode =
            video.transcode.as_ref().filter(|_| user == Some(video.owner.as_str())).map(TranscodeView::from);
        let video_view = VideoView::from(&video);
        Ok(json_response(StatusCode::OK, &WatchedVideo { video: video_view, stream_url, liked_by_me, transcode }))
    }
}

/// `GET /videos`: the public feed.
pub struct ListVideos<F> {
    pub feed: F,
}

impl<F: FeedReader + 'static> Handler for ListVideos<F> {
    fn access(&self) -> Vec<Access> {
        self.feed.access()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let page = self.feed.list_feed(&page_request(&req)?).await?;
        Ok(json_response(StatusCode::OK, &VideoList::from(page)))
    }
}

/// `GET /users/{username}/videos`: the owner also sees pending and private ones.
pub struct ListUserVideos<S, V> {
    pub sessions: S,
    pub videos: V,
}

impl<S: SessionReader + 'static, V: OwnerVideos + 'static> Handler for ListUserVideos<S, V> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.videos.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let page_request = page_request(&req)?;
        let username = Username::parse(&path_param(&req, "username")?).map_err(|_| ApiError::NotFound("user"))?;
        let viewer = optional_session(&self.sessions, &req).await?;
        let is_owner = viewer.is_some_and(|s| s.username == username);
        let page = self.videos.list_by_owner(username.as_str(), is_owner, &page_request).await?;
        Ok(json_response(StatusCode::OK, &VideoList::from(page)))
    }
}

/// Deletes `owner`'s video as it is now: a consistent read, then one
/// transaction conditional on what was read (the quota gets back the stored
/// size); read again if the video changed in between.
pub(crate) async fn remove_video(
    videos: &impl VideoReader,
    remover: &impl VideoRemover,
    id: &str,
    owner: &str,
    reason: &str,
    urls_live_for: i64,
) -> ApiResult<Outcome> {
    for _ in 0..3 {
        let Some(video) = videos.get_video(id).await? else { return Ok(Outcome::NotFound) };
        if video.owner != owner {
            return Ok(if video.visible_to(Some(owner)) { Outcome::Forbidden } else { Outcome::NotFound });
        }
        let record = DeletionRecord::for_video(id, reason, now_epoch(), urls_live_for);
        let record = if video.poster_key.is_some() { record } else { record.without_posters() };
        let record = if video.transcode.is_some() { record } else { record.without_renditions() };
        if remover.delete_video(&video, &record).await? {
            return Ok(Outcome::Done);
        }
    }
    Err(ApiError::Conflict("the video kept changing while being deleted; try again"))
}

/// `DELETE /videos/{id}`: owner only. Gone from every read at once and its
/// bytes given back; the sweep deletes the objects, upload and comments later.
pub struct DeleteVideo<S, V, R> {
    pub sessions: S,
    pub videos: V,
    pub remover: R,
    pub config: Config,
}

impl<S: SessionReader + 'static, V: VideoReader + 'static, R: VideoRemover + 'static> Handler for DeleteVideo<S, V, R> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.videos.access(), self.remover.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        let urls_live_for = self.config.upload_url_ttl_secs as i64;
        let me = session.username.as_str();
        match remove_video(&self.videos, &self.remover, &id, me, "deleted", urls_live_for).await? {
            Outcome::Done => Ok(empty_response(StatusCode::NO_CONTENT)),
            Outcome::NotFound => Err(ApiError::NotFound("video")),
            Outcome::Forbidden => Err(ApiError::Forbidden("only the owner can delete a video")),
        }
    }
}
