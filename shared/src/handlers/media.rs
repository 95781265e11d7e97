//! Playback: the video stream and the poster, as presigned, range-capable GETs.

use http::{header, StatusCode};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

use super::videos::visible_video;
use super::Handler;
use crate::access::Access;
use crate::auth::optional_session;
use crate::config::Config;
use crate::domain::video::poster_object_key;
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, json_response, video_id_param};
use crate::ports::{DownloadUrls, SessionReader, VideoReader, ViewCounter};

#[derive(Serialize)]
struct MediaUrl<'a> {
    url: &'a str,
}

/// A 302 to a presigned URL, or, for a client that asks for JSON (a page whose
/// `<video>` cannot send the session header), the URL in a 200 body.
fn media_redirect(req: &Request, location: &str) -> ApiResult<Response<Body>> {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    if wants_json {
        return Ok(json_response(StatusCode::OK, &MediaUrl { url: location }));
    }
    let mut response = empty_response(StatusCode::FOUND);
    let value = location.parse().map_err(|e| ApiError::internal_from("presigned URL is not a header value", e))?;
    response.headers_mut().insert(header::LOCATION, value);
    Ok(response)
}

/// `GET /videos/{id}/stream`: counts a view and redirects to a presigned,
/// range-capable S3 GET.
pub struct StreamVideo<S, C, D> {
    pub sessions: S,
    pub views: C,
    pub download_urls: D,
    pub config: Config,
}

impl<S: SessionReader + 'static, C: ViewCounter + 'static, D: DownloadUrls + 'static> Handler for StreamVideo<S, C, D> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.views.access(), self.download_urls.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let viewer = optional_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        let viewer_name = viewer.as_ref().map(|s| s.username.as_str());
        let video = self.views.count_view(&id, viewer_name).await?.ok_or(ApiError::NotFound("video"))?;
        let ttl = self.config.stream_url_ttl_secs;
        let url = self.download_urls.presign_get(&video.object_key(), &video.content_type, ttl).await?;
        media_redirect(&req, &url)
    }
}

/// `GET /videos/{id}/poster`: 302 to the poster, or 404 when there is none.
pub struct GetPoster<S, V, D> {
    pub sessions: S,
    pub videos: V,
    pub download_urls: D,
    pub config: Config,
}

impl<S: SessionReader + 'static, V: VideoReader + 'static, D: DownloadUrls + 'static> Handler for GetPoster<S, V, D> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.videos.access(), self.download_urls.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let viewer = optional_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        let video = visible_video(&self.videos, &id, viewer.as_ref()).await?;
        let content_type = video.poster_content_type.ok_or(ApiError::NotFound("poster"))?;
        let ttl = self.config.stream_url_ttl_secs;
        let url = self.download_urls.presign_get(&poster_object_key(&id), &content_type, ttl).await?;
        let mut response = media_redirect(&req, &url)?;
        response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, max-age=300"));
        Ok(response)
    }
}
