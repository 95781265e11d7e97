//! `GET /videos/{id}/playback`: what the page plays, the adaptive ladder or the
//! original file, and for how long it may.

use http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

use super::videos::visible_video;
use super::Handler;
use crate::access::Access;
use crate::auth::optional_session;
use crate::config::Config;
use crate::domain::ladder::MASTER_PLAYLIST;
use crate::domain::video::{Video, VideoStatus};
use crate::domain::{now_epoch, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{json_response, site_host, video_id_param};
use crate::ports::{CookieGrant, DownloadUrls, PlaybackCookies, SessionReader, VideoReader};

/// What to play. The page asks again after `renew_after_seconds`, before
/// `expires_at`, so that long playback never meets an expired URL or cookie.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PlaybackSource {
    /// The multivariant playlist (hls.js, or Safari natively).
    Hls { url: String, expires_at: String, renew_after_seconds: u64 },
    /// The original, as a presigned, range-capable GET.
    File { url: String, content_type: String, expires_at: String, renew_after_seconds: u64 },
}

impl PlaybackSource {
    /// The multivariant playlist at `url`, good until `expires_at` (epoch seconds) of a `ttl_secs` lifetime.
    fn hls(url: String, expires_at: i64, ttl_secs: u64) -> Self {
        PlaybackSource::Hls { url, expires_at: rfc3339(expires_at), renew_after_seconds: renew_after(ttl_secs) }
    }
}

/// Renew once two thirds of a lifetime have passed.
pub fn renew_after(ttl_secs: u64) -> u64 {
    ttl_secs * 2 / 3
}

/// `GET /videos/{id}/playback`: for a caller who may see the video. With a
/// ladder, its master playlist: on AWS through CloudFront with signed cookies
/// scoped to `/hls/{id}/`, locally through `GET /videos/{id}/hls/{file}`.
/// Without one, the original of a ready video (or of the owner's processing one).
pub struct GetPlayback<S, V, D, C> {
    pub sessions: S,
    pub videos: V,
    /// Presigns the originals (`videos/`).
    pub download_urls: D,
    pub cookies: C,
    pub config: Config,
}

impl<S, V, D, C> Handler for GetPlayback<S, V, D, C>
where
    S: SessionReader + 'static,
    V: VideoReader + 'static,
    D: DownloadUrls + 'static,
    C: PlaybackCookies + 'static,
{
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.videos.access(), self.download_urls.access(), self.cookies.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let viewer = optional_session(&self.sessions, &req).await?;
        let video = visible_video(&self.videos, &video_id_param(&req)?, viewer.as_ref()).await?;
        let now = now_epoch();
        if video.hls.is_some() {
            let host = site_host(&req, self.config.origin_verify_secret.as_deref());
            return match self.cookies.grant(&video.id, host.as_deref(), now)? {
                Some(grant) => cookie_response(&video.id, &grant),
                None => {
                    let ttl = self.config.stream_url_ttl_secs;
                    let url = format!("/videos/{}/hls/{MASTER_PLAYLIST}", video.id);
                    Ok(json_response(StatusCode::OK, &PlaybackSource::hls(url, now + ttl as i64, ttl)))
                }
            };
        }
        // Only its owner gets past `visible_video` with a video that is not ready.
        match video.status {
            VideoStatus::Ready | VideoStatus::Processing => self.original(&video, now).await,
            VideoStatus::Pending => Err(ApiError::Conflict("the upload is not complete: nothing to play yet")),
            VideoStatus::Failed => Err(ApiError::Conflict("the transcode failed: there is nothing to play")),
            VideoStatus::Rejected => Err(ApiError::Conflict("the video has nothing to play")),
        }
    }
}

impl<S, V, D: DownloadUrls, C> GetPlayback<S, V, D, C> {
    async fn original(&self, video: &Video, now: i64) -> ApiResult<Response<Body>> {
        let ttl = self.config.stream_url_ttl_secs;
        let url = self.download_urls.presign_get(&video.object_key(), &video.content_type, ttl).await?;
        let source = PlaybackSource::File {
            url,
            content_type: video.content_type.clone(),
            expires_at: rfc3339(now + ttl as i64),
            renew_after_seconds: renew_after(ttl),
        };
        Ok(json_response(StatusCode::OK, &source))
    }
}

/// The CDN's master playlist, and its cookies: sent only to `/hls/{id}/`, only
/// over HTTPS, never to scripts, never with another site's request.
fn cookie_response(video_id: &str, grant: &CookieGrant) -> ApiResult<Response<Body>> {
    let source = PlaybackSource::hls(format!("{}{MASTER_PLAYLIST}", grant.path), grant.expires_at, grant.ttl_secs);
    let mut response = json_response(StatusCode::OK, &source);
    for (name, value) in &grant.cookies {
        let cookie = format!(
            "{name}={value}; Path={}; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
            grant.path, grant.ttl_secs
        );
        let cookie = HeaderValue::from_str(&cookie)
            .map_err(|e| ApiError::internal_from(format!("a cookie of video {video_id} is not a header value"), e))?;
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}
