//! Videos: create with a presigned upload, verified complete, read, list,
//! stream, posters and delete.

use http::{header, StatusCode};
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::auth::{optional_session, require_session};
use crate::domain::media::{self, Container, Probe, MAX_MOOV_BYTES, SNIFF_BYTES};
use crate::domain::video::{
    parse_video_id, poster_object_key, text_field, DeletionRecord, Page, PageRequest, Privacy, Video, VideoStatus,
    VideoView, ALLOWED_POSTER_TYPES, ALLOWED_VIDEO_TYPES, MAX_POSTER_BYTES,
};
use crate::domain::account::Username;
use crate::domain::now_epoch;
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, json_body, json_response, path_param, query_param};
use crate::ports::{DeleteOutcome, PresignedRequest, ReadyInfo};

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

#[derive(Serialize)]
struct VideoEnvelope {
    video: VideoView,
}

#[derive(Serialize)]
struct VideoList {
    videos: Vec<VideoView>,
    next_cursor: Option<String>,
}

impl From<Page<Video>> for VideoList {
    fn from(page: Page<Video>) -> Self {
        VideoList { videos: page.items.iter().map(VideoView::from).collect(), next_cursor: page.next_cursor }
    }
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

fn video_id_param(req: &Request) -> ApiResult<String> {
    parse_video_id(&path_param(req, "id")?)
}

fn page_request(req: &Request) -> ApiResult<PageRequest> {
    PageRequest::parse(query_param(req, "limit").as_deref(), query_param(req, "cursor"))
}

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
    let value = location.parse().map_err(|_| ApiError::Internal("presigned URL is not a header value".into()))?;
    response.headers_mut().insert(header::LOCATION, value);
    Ok(response)
}

/// `POST /videos`
pub async fn create_video(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let session = require_session(app, &req).await?;
    let input: NewVideo = json_body(&req)?;
    let name = text_field("name", &input.name, 1, 200)?;
    let description = text_field("description", input.description.as_deref().unwrap_or(""), 0, 5000)?;
    check_size(input.size, app.config.max_upload_bytes, "the video")?;
    let content_type = allowed_media_type(&input.content_type, &ALLOWED_VIDEO_TYPES)?;
    let now = now_epoch();
    let ttl = app.config.upload_url_ttl_secs;
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
    let upload = app.objects.presign_put(&video.object_key(), &video.content_type, video.size, ttl).await?;
    app.videos.create_video(&video).await?;
    Ok(json_response(StatusCode::CREATED, &VideoCreated { video: (&video).into(), upload }))
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
async fn inspect_upload(app: &App, video: &Video) -> ApiResult<Result<ReadyInfo, String>> {
    let key = video.object_key();
    let Some(size) = app.objects.size_of(&key).await? else {
        return Ok(Err("no video was uploaded".into()));
    };
    if size != video.size {
        return Ok(Err(format!("the upload has {size} bytes, not the {} declared", video.size)));
    }
    let head = app.objects.read_range(&key, 0, SNIFF_BYTES.min(size)).await?;
    let (container, info) = match media::probe(&head, size) {
        Probe::NotVideo => return Ok(Err("the upload is not an MP4, QuickTime or WebM video".into())),
        Probe::Video { container, info } => (container, info),
        Probe::NeedMoov { container, offset, length } => {
            let moov = app.objects.read_range(&key, offset, length.min(MAX_MOOV_BYTES)).await?;
            match media::parse_moov(&moov) {
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
pub async fn complete_video(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let session = require_session(app, &req).await?;
    let me = session.username.as_str();
    let id = video_id_param(&req)?;
    let video = app.videos.get_video(&id).await?.ok_or(ApiError::NotFound("video"))?;
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
        VideoStatus::Pending => match inspect_upload(app, &video).await? {
            Ok(info) => match app.videos.mark_ready(&video, &info).await? {
                Some(ready) => ready,
                // A concurrent complete got there first: answer with its outcome.
                None => return settled(app, &id).await,
            },
            Err(reason) => {
                let record = DeletionRecord::for_video(&id, "rejected", now_epoch());
                if !app.videos.reject_video(&id, &record).await? {
                    return settled(app, &id).await;
                }
                tracing::info!(video_id = %id, reason, "upload rejected");
                return Err(ApiError::InvalidUpload(reason));
            }
        },
    };
    Ok(json_response(StatusCode::OK, &VideoEnvelope { video: (&video).into() }))
}

/// The answer for a video whose status another request just settled.
async fn settled(app: &App, id: &str) -> ApiResult<Response<Body>> {
    match app.videos.get_video(id).await? {
        Some(video) if video.status == VideoStatus::Ready => {
            Ok(json_response(StatusCode::OK, &VideoEnvelope { video: (&video).into() }))
        }
        Some(_) => Err(ApiError::InvalidUpload("this upload was rejected".into())),
        None => Err(ApiError::NotFound("video")),
    }
}

/// `GET /videos/{id}`
pub async fn get_video(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let viewer = optional_session(app, &req).await?;
    let id = video_id_param(&req)?;
    let video = app.videos.get_video(&id).await?.ok_or(ApiError::NotFound("video"))?;
    if !video.visible_to(viewer.as_ref().map(|s| s.username.as_str())) {
        return Err(ApiError::NotFound("video"));
    }
    Ok(json_response(StatusCode::OK, &VideoView::from(&video)))
}

/// `GET /videos`: the public feed.
pub async fn list_videos(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let page = app.videos.list_feed(&page_request(&req)?).await?;
    Ok(json_response(StatusCode::OK, &VideoList::from(page)))
}

/// `GET /users/{username}/videos`: the owner also sees pending and private ones.
pub async fn list_user_videos(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let page_request = page_request(&req)?;
    let username = Username::parse(&path_param(&req, "username")?).map_err(|_| ApiError::NotFound("user"))?;
    let viewer = optional_session(app, &req).await?;
    let is_owner = viewer.is_some_and(|s| s.username == username);
    let page = app.videos.list_by_owner(username.as_str(), is_owner, &page_request).await?;
    Ok(json_response(StatusCode::OK, &VideoList::from(page)))
}

/// `GET /videos/{id}/stream`: counts a view and redirects to a presigned,
/// range-capable S3 GET.
pub async fn stream_video(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let viewer = optional_session(app, &req).await?;
    let id = video_id_param(&req)?;
    let video = app
        .videos
        .count_view(&id, viewer.as_ref().map(|s| s.username.as_str()))
        .await?
        .ok_or(ApiError::NotFound("video"))?;
    let url = app.objects.presign_get(&video.object_key(), &video.content_type, app.config.stream_url_ttl_secs).await?;
    media_redirect(&req, &url)
}

/// `DELETE /videos/{id}`: owner only. Gone from every read at once; the sweep
/// deletes the objects and comments later.
pub async fn delete_video(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let session = require_session(app, &req).await?;
    let id = video_id_param(&req)?;
    let record = DeletionRecord::for_video(&id, "deleted", now_epoch());
    match app.videos.delete_video(&id, session.username.as_str(), &record).await? {
        DeleteOutcome::Deleted => Ok(empty_response(StatusCode::NO_CONTENT)),
        DeleteOutcome::NotFound => Err(ApiError::NotFound("video")),
        DeleteOutcome::Forbidden => Err(ApiError::Forbidden("only the owner can delete a video")),
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
pub async fn create_poster(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let session = require_session(app, &req).await?;
    let id = video_id_param(&req)?;
    let input: NewPoster = json_body(&req)?;
    check_size(input.size, MAX_POSTER_BYTES, "the poster")?;
    let content_type = allowed_media_type(&input.content_type, &ALLOWED_POSTER_TYPES)?;
    match app.videos.set_poster(&id, session.username.as_str(), &content_type).await? {
        DeleteOutcome::Deleted => {}
        DeleteOutcome::NotFound => return Err(ApiError::NotFound("video")),
        DeleteOutcome::Forbidden => return Err(ApiError::Forbidden("only the owner can set the poster")),
    }
    let upload = app
        .objects
        .presign_put(&poster_object_key(&id), &content_type, input.size, app.config.upload_url_ttl_secs)
        .await?;
    Ok(json_response(StatusCode::CREATED, &PosterCreated { upload }))
}

/// `GET /videos/{id}/poster`: 302 to the poster, or 404 when there is none.
pub async fn get_poster(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let viewer = optional_session(app, &req).await?;
    let id = video_id_param(&req)?;
    let video = app.videos.get_video(&id).await?.ok_or(ApiError::NotFound("video"))?;
    if !video.visible_to(viewer.as_ref().map(|s| s.username.as_str())) {
        return Err(ApiError::NotFound("video"));
    }
    let content_type = video.poster_content_type.ok_or(ApiError::NotFound("poster"))?;
    let url = app.objects.presign_get(&poster_object_key(&id), &content_type, app.config.stream_url_ttl_secs).await?;
    let mut response = media_redirect(&req, &url)?;
    response.headers_mut().insert(header::CACHE_CONTROL, "private, max-age=300".parse().expect("static"));
    Ok(response)
}
