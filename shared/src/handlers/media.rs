//! Playback: the video stream, as a presigned, range-capable GET, and the
//! views the page reports once it has played a video.

use http::{header, StatusCode};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

use super::videos::visible_video;
use super::Handler;
use crate::access::Access;
use crate::auth::optional_session;
use crate::config::Config;
use crate::domain::view::{Clock, ViewOutcome, ViewerKey, VIEW_WINDOW_SECS};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, json_response, source_ip, user_agent, video_id_param};
use crate::ports::{DownloadUrls, SessionReader, VideoReader, ViewCounter};

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

/// `GET /videos/{id}/stream`: a redirect to a presigned, range-capable S3 GET
/// for a caller who may see the video. It counts no view: the page reports one.
pub struct StreamVideo<S, V, D> {
    pub sessions: S,
    pub videos: V,
    pub download_urls: D,
    pub config: Config,
}

impl<S: SessionReader + 'static, V: VideoReader + 'static, D: DownloadUrls + 'static> Handler for StreamVideo<S, V, D> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.videos.access(), self.download_urls.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let viewer = optional_session(&self.sessions, &req).await?;
        let video = visible_video(&self.videos, &video_id_param(&req)?, viewer.as_ref()).await?;
        let ttl = self.config.stream_url_ttl_secs;
        let url = self.download_urls.presign_get(&video.object_key(), &video.content_type, ttl).await?;
        media_redirect(&req, &url)
    }
}

/// `POST /videos/{id}/views`: the page reports that it played the video (10 s,
/// or to the end of a shorter one). Counts once per viewer, video and window;
/// a report already counted answers the same 204, so nothing is revealed.
pub struct CountView<S, C> {
    pub sessions: S,
    pub views: C,
    pub config: Config,
    pub clock: Clock,
}

impl<S: SessionReader + 'static, C: ViewCounter + 'static> Handler for CountView<S, C> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.views.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = optional_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        let user = session.as_ref().map(|s| s.username.as_str());
        let viewer = match &session {
            Some(session) => ViewerKey::user(&self.config.viewer_salt, session.username.as_str(), &session.generation),
            None => {
                let address = source_ip(&req, self.config.origin_verify_secret.as_deref()).unwrap_or_default();
                ViewerKey::anonymous(&self.config.viewer_salt, &address, user_agent(&req))
            }
        };
        let now = self.clock.now();
        match self.views.count_view(&id, user, &viewer, now, VIEW_WINDOW_SECS).await? {
            ViewOutcome::Counted => crate::metrics::view_counted(),
            ViewOutcome::AlreadyCounted => {}
            ViewOutcome::NotFound => return Err(ApiError::NotFound("video")),
        }
        Ok(empty_response(StatusCode::NO_CONTENT))
    }
}
