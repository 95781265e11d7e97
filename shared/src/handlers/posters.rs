//! Posters: a presigned PUT that writes a fresh key once, and the redirect.

use http::{header, StatusCode};
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use super::media::media_redirect;
use super::uploads::{allowed_media_type, check_size};
use super::videos::visible_video;
use super::Handler;
use crate::access::Access;
use crate::auth::{optional_session, require_session};
use crate::config::Config;
use crate::domain::now_epoch;
use crate::domain::video::{legacy_poster_key, new_poster_key, DeletionRecord, ALLOWED_POSTER_TYPES, MAX_POSTER_BYTES};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{json_body, json_response, video_id_param};
use crate::ports::{
    DownloadUrls, Outcome, PosterSetter, PresignedRequest, RecordQueuer, SessionReader, UploadUrls, VideoReader,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPoster {
    content_type: String,
    size: u64,
}

#[derive(Serialize)]
struct PosterCreated {
    upload: PresignedRequest,
}

/// `POST /videos/{id}/poster`: a presigned PUT for the poster image, to a
/// fresh key and signed with `If-None-Match: *`, so it writes once. The
/// poster it replaces is queued for the sweep, so posters never pile up.
pub struct CreatePoster<S, P, Q, U> {
    pub sessions: S,
    pub posters: P,
    pub replaced: Q,
    pub upload_urls: U,
    pub config: Config,
}

impl<S, P, Q, U> Handler for CreatePoster<S, P, Q, U>
where
    S: SessionReader + 'static,
    P: PosterSetter + 'static,
    Q: RecordQueuer + 'static,
    U: UploadUrls + 'static,
{
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.posters.access(), self.replaced.access(), self.upload_urls.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        let input: NewPoster = json_body(&req)?;
        check_size(input.size, MAX_POSTER_BYTES, "the poster")?;
        let content_type = allowed_media_type(&input.content_type, &ALLOWED_POSTER_TYPES)?;
        let key = new_poster_key(&id);
        let ttl = self.config.upload_url_ttl_secs;
        match self.posters.set_poster(&id, session.username.as_str(), &key, &content_type).await? {
            (Outcome::Done, None) => {}
            (Outcome::Done, Some(old)) => {
                let record = DeletionRecord::for_replaced_poster(&id, &old, now_epoch(), ttl as i64);
                self.replaced.queue(&record).await?;
            }
            (Outcome::NotFound, _) => return Err(ApiError::NotFound("video")),
            (Outcome::Forbidden, _) => return Err(ApiError::Forbidden("only the owner can set the poster")),
        }
        let upload = self.upload_urls.presign_put(&key, &content_type, input.size, ttl).await?;
        Ok(json_response(StatusCode::CREATED, &PosterCreated { upload }))
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
        let key = video.poster_key.unwrap_or_else(|| legacy_poster_key(&id));
        let ttl = self.config.stream_url_ttl_secs;
        let url = self.download_urls.presign_get(&key, &content_type, ttl).await?;
        let mut response = media_redirect(&req, &url)?;
        response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, max-age=300"));
        Ok(response)
    }
}
