//! Posters: a presigned PUT that writes a fresh key once, its confirmation,
//! and the redirect. What is served changes only once an upload is confirmed.

use http::{header, StatusCode};
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use super::media::media_redirect;
use super::uploads::{allowed_media_type, check_size};
use super::videos::visible_video;
use super::views::VideoEnvelope;
use super::Handler;
use crate::access::Access;
use crate::auth::{optional_session, require_session};
use crate::config::Config;
use crate::domain::now_epoch;
use crate::domain::video::{
    legacy_poster_key, new_poster_key, DeletionRecord, VideoStatus, ALLOWED_POSTER_TYPES, MAX_POSTER_BYTES,
    POSTER_CONFIRM_GRACE_SECS,
};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{json_body, json_response, video_id_param};
use crate::ports::{
    DownloadUrls, ObjectStat, PendingPoster, PosterConfirmer, PosterOutcome, PosterSetter, PresignedRequest,
    SessionReader, UploadUrls, VideoReader,
};

const NOT_OWNER: &str = "only the owner can set the poster";
const REJECTED: &str = "a rejected video gets no poster";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPoster {
    content_type: String,
    size: u64,
}

#[derive(Serialize)]
struct PosterCreated {
    upload: PresignedRequest,
    /// Until when `POST /videos/{id}/poster/complete` accepts it (RFC 3339).
    complete_by: String,
}

/// `POST /videos/{id}/poster`: a presigned PUT for the poster image, to a
/// fresh key and signed with `If-None-Match: *`, so it writes once. The
/// video records it as pending, and the sweep deletes its object unless
/// `POST /videos/{id}/poster/complete` confirms it in time. Owner only, on a
/// pending or ready video.
pub struct CreatePoster<S, P, U> {
    pub sessions: S,
    pub posters: P,
    pub upload_urls: U,
    pub config: Config,
}

impl<S, P, U> Handler for CreatePoster<S, P, U>
where
    S: SessionReader + 'static,
    P: PosterSetter + 'static,
    U: UploadUrls + 'static,
{
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.posters.access(), self.upload_urls.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        let input: NewPoster = json_body(&req)?;
        check_size(input.size, MAX_POSTER_BYTES, "the poster")?;
        let content_type = allowed_media_type(&input.content_type, &ALLOWED_POSTER_TYPES)?;
        let ttl = self.config.upload_url_ttl_secs;
        let now = now_epoch();
        let until = now + ttl as i64 + POSTER_CONFIRM_GRACE_SECS;
        let pending = PendingPoster { key: new_poster_key(&id), content_type, until };
        let record = DeletionRecord::for_poster_upload(&id, &pending.key, now, until);
        match self.posters.offer_poster(&id, session.username.as_str(), &pending, &record).await? {
            PosterOutcome::Done => {}
            PosterOutcome::NotFound => return Err(ApiError::NotFound("video")),
            PosterOutcome::Forbidden => return Err(ApiError::Forbidden(NOT_OWNER)),
            PosterOutcome::Rejected => return Err(ApiError::Conflict(REJECTED)),
        }
        let upload = self.upload_urls.presign_put(&pending.key, &pending.content_type, input.size, ttl).await?;
        let complete_by = crate::domain::rfc3339(until);
        Ok(json_response(StatusCode::CREATED, &PosterCreated { upload, complete_by }))
    }
}

/// `POST /videos/{id}/poster/complete`: checks that the pending upload is in
/// the bucket, of an allowed size and its announced type (HeadObject), then
/// makes it the poster and queues the one it replaces, in one transaction.
/// Answers the video.
pub struct CompletePoster<S, P, O> {
    pub sessions: S,
    pub posters: P,
    pub objects: O,
    pub config: Config,
}

impl<S, P, O> Handler for CompletePoster<S, P, O>
where
    S: SessionReader + 'static,
    P: PosterConfirmer + 'static,
    O: ObjectStat + 'static,
{
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.posters.access(), self.objects.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        let me = session.username.as_str();
        let found = self.posters.video_with_pending_poster(&id).await?;
        let (mut video, pending) =
            found.filter(|(video, _)| video.visible_to(Some(me))).ok_or(ApiError::NotFound("video"))?;
        if video.owner != me {
            return Err(ApiError::Forbidden(NOT_OWNER));
        }
        if video.status == VideoStatus::Rejected {
            return Err(ApiError::Conflict(REJECTED));
        }
        let now = now_epoch();
        let pending = pending.ok_or(ApiError::Conflict("no poster upload to complete: ask for one first"))?;
        if now >= pending.until {
            return Err(ApiError::Conflict("this poster upload has expired: ask for a new one"));
        }
        let head = self.objects.stat(&pending.key).await?;
        let head = head.ok_or_else(|| ApiError::InvalidUpload("the poster has not been uploaded".into()))?;
        if head.size == 0 || head.size > MAX_POSTER_BYTES {
            return Err(ApiError::InvalidUpload(format!("the poster has {} bytes", head.size)));
        }
        if head.content_type.as_deref() != Some(pending.content_type.as_str()) {
            return Err(ApiError::InvalidUpload("the poster is not of the type it was announced as".into()));
        }
        // The poster it replaces goes once no GET URL handed out for it works.
        let old =
            video.poster_key.clone().or_else(|| video.poster_content_type.as_ref().map(|_| legacy_poster_key(&id)));
        let urls_live_for = self.config.stream_url_ttl_secs as i64;
        let replaced = old.map(|key| DeletionRecord::for_replaced_poster(&id, &key, now, urls_live_for));
        if !self.posters.confirm_poster(&video, &pending, replaced.as_ref()).await? {
            return Err(ApiError::Conflict("the poster or the video changed meanwhile; try again"));
        }
        video.poster_key = Some(pending.key);
        video.poster_content_type = Some(pending.content_type);
        Ok(json_response(StatusCode::OK, &VideoEnvelope::from(&video)))
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
