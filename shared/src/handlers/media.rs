//! Playback: the video stream, as a presigned, range-capable GET.

use http::{header, StatusCode};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

use super::Handler;
use crate::access::Access;
use crate::auth::optional_session;
use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, json_response, video_id_param};
use crate::ports::{DownloadUrls, SessionReader, ViewCounter};

#[derive(Serialize)]
struct MediaUrl<'a> {
    url: &'a str,
}

/// A 302 to a presigned URL, or, for a client that asks for JSON (a page whose
/// `<video>` cannot send the session header), the URL in a 200 body.
pub(crate) fn media_redirect(req: &Request, location: &str) -> ApiResult<Response<Body>> {
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
