//! Uploads: create a video with a presigned PUT, verify and publish it on
//! `/complete`, and presigned poster uploads.

use container_sniffer::{Container, Probe, MAX_MOOV_BYTES, SNIFF_BYTES};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use super::views::{VideoEnvelope, VideoView};
use super::Handler;
use crate::access::Access;
use crate::auth::require_session;
use crate::config::Config;
use crate::domain::now_epoch;
use crate::domain::video::{
    poster_object_key, text_field, DeletionRecord, Privacy, Video, VideoStatus, ALLOWED_POSTER_TYPES,
    ALLOWED_VIDEO_TYPES, MAX_POSTER_BYTES,
};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{json_body, json_response, video_id_param};
use crate::ports::{
    ObjectInspector, Outcome, PosterSetter, PresignedRequest, ReadyInfo, SessionReader, UploadSettler, UploadUrls,
    VideoCreator, VideoReader,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewVideo {
    name: String,
    content_type: String,
    size: u64,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    privacy: Option<Privacy>,
}

#[derive(Serialize)]
struct VideoCreated {
    video: VideoView,
    upload: PresignedRequest,
}

/// The declared type without parameters (`video/MP4; codecs=...` → `video/mp4`),
/// if it is one of `allowed`; 415 (011) otherwise.
fn allowed_media_type(raw: &str, allowed: &[&str]) -> ApiResult<String> {
    let media_type = raw.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if !allowed.contains(&media_type.as_str()) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "content type {media_type:?} is not allowed; use one of {}",
            allowed.join(", ")
        )));
    }
    Ok(media_type)
}

/// Checks a declared size against `1..=max`.
fn check_size(size: u64, max: u64, what: &str) -> ApiResult<()> {
    if size == 0 {
        return Err(ApiError::bad_request("invalid field `size`: an upload cannot be empty"));
    }
    if size > max {
        return Err(ApiError::PayloadTooLarge(format!("{what} is larger than the limit of {max} bytes")));
    }
    Ok(())
}

/// `POST /videos`
pub struct CreateVideo<S, U, V> {
    pub sessions: S,
    pub upload_urls: U,
    pub videos: V,
    pub config: Config,
}

impl<S: SessionReader + 'static, U: UploadUrls + 'static, V: VideoCreator + 'static> Handler for CreateVideo<S, U, V> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.upload_urls.access(), self.videos.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let input: NewVideo = json_body(&req)?;
        let name = text_field("name", &input.name, 1, 200)?;
        let description = text_field("description", input.description.as_deref().unwrap_or(""), 0, 5000)?;
        check_size(input.size, self.config.max_upload_bytes, "the video")?;
        let content_type = allowed_media_type(&input.content_type, &ALLOWED_VIDEO_TYPES)?;
        let now = now_epoch();
        let ttl = self.config.upload_url_ttl_secs;
        let video = Video {
            id: uuid::Uuid::now_v7().to_string(),
            owner: session.username.to_string(),
            name,
            description,
            content_type,
            size: input.size,
            status: VideoStatus::Pending,
            privacy: input.privacy.unwrap_or_default(),
            views: 0,
            created_at: now,
            upload_expires_at: now + ttl as i64,
            duration_seconds: None,
            width: None,
            height: None,
            poster_content_type: None,
        };
        let upload = self.upload_urls.presign_put(&video.object_key(), &video.content_type, video.size, ttl).await?;
        self.videos.create_video(&video).await?;
        Ok(json_response(StatusCode::CREATED, &VideoCreated { video: (&video).into(), upload }))
    }
}

/// Does the container agree with the declared content type?
fn container_matches(container: Container, content_type: &str) -> bool {
    match container {
        Container::Mp4 | Container::QuickTime => matches!(content_type, "video/mp4" | "video/quicktime"),
        Container::WebM | Container::Matroska => content_type == "video/webm",
    }
}

/// Checks the uploaded object without downloading it: HEAD for the size,
/// ranged GETs for the container header (and an MP4's `moov` box).
async fn inspect_upload(objects: &impl ObjectInspector, video: &Video) -> ApiResult<Result<ReadyInfo, String>> {
    let key = video.object_key();
    let Some(size) = objects.size_of(&key).await? else {
        return Ok(Err("no video was uploaded".into()));
    };
    if size != video.size {
        return Ok(Err(format!("the upload has {size} bytes, not the {} declared", video.size)));
    }
    let head = objects.read_range(&key, 0, SNIFF_BYTES.min(size)).await?;
    let (container, info) = match container_sniffer::probe(&head, size) {
        Probe::NotVideo => return Ok(Err("the upload is not an MP4, QuickTime or WebM video".into())),
        Probe::Video { container, info } => (container, info),
        Probe::NeedMoov { container, offset, length } => {
            let moov = objects.read_range(&key, offset, length.min(MAX_MOOV_BYTES)).await?;
            match container_sniffer::parse_moov(&moov) {
                Some(info) => (container, info),
                None => return Ok(Err("the upload's MP4 index (moov) is corrupt".into())),
            }
        }
    };
    if !container_matches(container, &video.content_type) {
        return Ok(Err(format!("the upload is {container:?}, not {}", video.content_type)));
    }
    Ok(Ok(ReadyInfo { duration_seconds: info.duration_seconds, width: info.width, height: info.height }))
}

/// `POST /videos/{id}/complete`: idempotent; owner only.
pub struct CompleteVideo<S, V, O, T> {
    pub sessions: S,
    pub videos: V,
    pub objects: O,
    pub settle: T,
}

impl<S, V, O, T> Handler for CompleteVideo<S, V, O, T>
where
    S: SessionReader + 'static,
    V: VideoReader + 'static,
    O: ObjectInspector + 'static,
    T: UploadSettler + 'static,
{
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.videos.access(), self.objects.access(), self.settle.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let me = session.username.as_str();
        let id = video_id_param(&req)?;
        let video = self.videos.get_video(&id).await?.ok_or(ApiError::NotFound("video"))?;
        if video.owner != me {
            return Err(if video.visible_to(Some(me)) {
                ApiError::Forbidden("only the owner can complete an upload")
            } else {
                ApiError::NotFound("video")
            });
        }
        let video = match video.status {
            VideoStatus::Ready => video,
            VideoStatus::Rejected => return Err(ApiError::InvalidUpload("this upload was rejected".into())),
            VideoStatus::Pending => match inspect_upload(&self.objects, &video).await? {
                Ok(info) => match self.settle.mark_ready(&video, &info).await? {
                    Some(ready) => ready,
                    // A concurrent complete got there first: answer with its outcome.
                    None => return self.settled(&id).await,
                },
                Err(reason) => {
                    let record = DeletionRecord::for_video(&id, "rejected", now_epoch());
                    if !self.settle.reject_video(&id, &record).await? {
                        return self.settled(&id).await;
                    }
                    tracing::info!(video_id = %id, reason, "upload rejected");
                    return Err(ApiError::InvalidUpload(reason));
                }
            },
        };
        Ok(json_response(StatusCode::OK, &VideoEnvelope::from(&video)))
    }
}

impl<S, V: VideoReader, O, T> CompleteVideo<S, V, O, T> {
    /// The answer for a video whose status another request just settled.
    async fn settled(&self, id: &str) -> ApiResult<Response<Body>> {
        match self.videos.get_video(id).await? {
            Some(video) if video.status == VideoStatus::Ready => {
                Ok(json_response(StatusCode::OK, &VideoEnvelope::from(&video)))
            }
            Some(_) => Err(ApiError::InvalidUpload("this upload was rejected".into())),
            None => Err(ApiError::NotFound("video")),
        }
    }
}

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

/// `POST /videos/{id}/poster`: a presigned PUT for the poster image.
pub struct CreatePoster<S, P, U> {
    pub sessions: S,
    pub posters: P,
    pub upload_urls: U,
    pub config: Config,
}

impl<S: SessionReader + 'static, P: PosterSetter + 'static, U: UploadUrls + 'static> Handler for CreatePoster<S, P, U> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.posters.access(), self.upload_urls.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        let input: NewPoster = json_body(&req)?;
        check_size(input.size, MAX_POSTER_BYTES, "the poster")?;
        let content_type = allowed_media_type(&input.content_type, &ALLOWED_POSTER_TYPES)?;
        match self.posters.set_poster(&id, session.username.as_str(), &content_type).await? {
            Outcome::Done => {}
            Outcome::NotFound => return Err(ApiError::NotFound("video")),
            Outcome::Forbidden => return Err(ApiError::Forbidden("only the owner can set the poster")),
        }
        let ttl = self.config.upload_url_ttl_secs;
        let upload = self.upload_urls.presign_put(&poster_object_key(&id), &content_type, input.size, ttl).await?;
        Ok(json_response(StatusCode::CREATED, &PosterCreated { upload }))
    }
}
