//! Reading, listing and deleting videos.

use http::StatusCode;
use lambda_http::{Body, Request, Response};

use super::views::{VideoList, VideoView};
use super::Handler;
use crate::access::Access;
use crate::auth::{optional_session, require_session};
use crate::config::Config;
use crate::domain::account::{Session, Username};
use crate::domain::now_epoch;
use crate::domain::video::{DeletionRecord, Video};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, json_response, page_request, path_param, video_id_param};
use crate::ports::{FeedReader, OwnerVideos, SessionReader, VideoReader, VideoRemover};

/// The video if `viewer` may see it; 404 otherwise, exactly as for a missing one.
pub(crate) async fn visible_video(videos: &impl VideoReader, id: &str, viewer: Option<&Session>) -> ApiResult<Video> {
    match videos.get_video(id).await? {
        Some(video) if video.visible_to(viewer.map(|s| s.username.as_str())) => Ok(video),
        _ => Err(ApiError::NotFound("video")),
    }
}

/// `GET /videos/{id}`
pub struct GetVideo<S, V> {
    pub sessions: S,
    pub videos: V,
}

impl<S: SessionReader + 'static, V: VideoReader + 'static> Handler for GetVideo<S, V> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.videos.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let viewer = optional_session(&self.sessions, &req).await?;
        let video = visible_video(&self.videos, &video_id_param(&req)?, viewer.as_ref()).await?;
        Ok(json_response(StatusCode::OK, &VideoView::from(&video)))
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
        // Read first: the quota gets back the stored size.
        let video = visible_video(&self.videos, &id, Some(&session)).await?;
        if video.owner != session.username.as_str() {
            return Err(ApiError::Forbidden("only the owner can delete a video"));
        }
        let record = DeletionRecord::for_video(&id, "deleted", now_epoch(), self.config.upload_url_ttl_secs as i64);
        let record = if video.poster_key.is_some() { record } else { record.without_posters() };
        if !self.remover.delete_video(&video, &record).await? {
            return Err(ApiError::NotFound("video"));
        }
        Ok(empty_response(StatusCode::NO_CONTENT))
    }
}
