//! Uploads: create a video with an S3 multipart upload, hand out part URLs,
//! and tell a client which parts S3 already holds so that it can resume.

use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use super::views::VideoView;
use super::Handler;
use crate::access::Access;
use crate::auth::require_session;
use crate::config::Config;
use crate::domain::account::Session;
use crate::domain::upload::{UploadPlan, MAX_PART_URLS_PER_CALL};
use crate::domain::video::{video_description, video_name, Privacy, Video, VideoStatus, ALLOWED_VIDEO_TYPES};
use crate::domain::{now_epoch, rfc3339, Invalid};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{json_body, json_response, video_id_param};
use crate::ports::{
    MultipartStarter, PartLister, PartUrls, PresignedRequest, SessionReader, UploadAborter, VideoCreator, VideoReader,
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

/// How the client sends the bytes.
#[derive(Serialize)]
struct UploadView {
    part_size: u64,
    part_count: u32,
    /// Until then the upload can be resumed; the sweep then removes it.
    expires_at: String,
}

#[derive(Serialize)]
struct VideoCreated {
    video: VideoView,
    upload: UploadView,
}

/// The declared type without parameters (`video/MP4; codecs=...` → `video/mp4`),
/// if it is one of `allowed`; 415 (011) otherwise.
pub(crate) fn allowed_media_type(raw: &str, allowed: &[&str]) -> ApiResult<String> {
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
pub(crate) fn check_size(size: u64, max: u64, what: &str) -> ApiResult<()> {
    if size == 0 {
        return Err(ApiError::bad_request("invalid field `size`: an upload cannot be empty"));
    }
    if size > max {
        return Err(ApiError::PayloadTooLarge(format!("{what} is larger than the limit of {max} bytes")));
    }
    Ok(())
}

/// `POST /videos`: reserves the size on the quota and starts the upload.
pub struct CreateVideo<S, M, V> {
    pub sessions: S,
    pub uploads: M,
    pub videos: V,
    pub config: Config,
}

impl<S, M, V> Handler for CreateVideo<S, M, V>
where
    S: SessionReader + 'static,
    M: MultipartStarter + UploadAborter + 'static,
    V: VideoCreator + 'static,
{
    fn access(&self) -> Vec<Access> {
        let uploads = [MultipartStarter::access(&self.uploads), UploadAborter::access(&self.uploads)].concat();
        [self.sessions.access(), uploads, self.videos.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let input: NewVideo = json_body(&req)?;
        let name = video_name(&input.name)?;
        let description = video_description(input.description.as_deref().unwrap_or(""))?;
        check_size(input.size, self.config.max_upload_bytes, "the video")?;
        let content_type = allowed_media_type(&input.content_type, &ALLOWED_VIDEO_TYPES)?;
        let plan = UploadPlan::for_size(input.size, self.config.min_part_bytes);
        let now = now_epoch();
        let mut video = Video {
            id: uuid::Uuid::now_v7().to_string(),
            owner: session.username.to_string(),
            name,
            description,
            content_type,
            size: input.size,
            status: VideoStatus::Pending,
            privacy: input.privacy.unwrap_or_default(),
            views: 0,
            likes: 0,
            created_at: now,
            upload_expires_at: now + self.config.upload_window_secs,
            duration_seconds: None,
            width: None,
            height: None,
            poster_content_type: None,
            poster_key: None,
            upload_id: None,
            part_size: Some(plan.part_size),
            media: None,
            transcode: None,
            hls: None,
        };
        let upload_id = self.uploads.start_upload(&video.object_key(), &video.content_type).await?;
        video.upload_id = Some(upload_id.clone());
        if let Err(err) = self.videos.create_video(&video, self.config.user_quota_bytes).await {
            // Refused (the quota) or failed: no upload is left behind. Should the
            // abort fail too, the bucket's lifecycle rule removes it within a day.
            let _ = self.uploads.abort_upload(&video.object_key(), &upload_id).await;
            return Err(err);
        }
        let upload = UploadView {
            part_size: plan.part_size,
            part_count: plan.part_count,
            expires_at: rfc3339(video.upload_expires_at),
        };
        Ok(json_response(StatusCode::CREATED, &VideoCreated { video: (&video).into(), upload }))
    }
}

/// The caller's own pending upload: its plan and upload id. A stranger gets
/// 404, as for a missing video; a finished upload is a 409.
pub(crate) async fn own_pending_upload(
    videos: &impl VideoReader,
    id: &str,
    session: &Session,
) -> ApiResult<(Video, UploadPlan, String)> {
    let video = videos.get_video(id).await?.filter(|v| v.owner == session.username.as_str());
    let video = video.ok_or(ApiError::NotFound("video"))?;
    if video.status != VideoStatus::Pending {
        return Err(ApiError::Conflict("this upload is finished"));
    }
    match (video.plan(), video.upload_id.clone()) {
        (Some(plan), Some(upload_id)) => Ok((video, plan, upload_id)),
        _ => Err(ApiError::Conflict("this upload has no parts to send")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartRequest {
    part_numbers: Vec<u32>,
}

#[derive(Serialize)]
struct PartUrl {
    part_number: u32,
    #[serde(flatten)]
    request: PresignedRequest,
}

#[derive(Serialize)]
struct PartUrlList {
    parts: Vec<PartUrl>,
}

/// Checks the part numbers a client asks URLs for.
fn requested_parts(numbers: &[u32], plan: &UploadPlan) -> Result<(), Invalid> {
    if numbers.is_empty() || numbers.len() > MAX_PART_URLS_PER_CALL {
        return Err(Invalid::new("part_numbers", format!("ask for 1-{MAX_PART_URLS_PER_CALL} parts at a time")));
    }
    if let Some(bad) = numbers.iter().find(|&&n| plan.part_len(n).is_none()) {
        return Err(Invalid::new("part_numbers", format!("part {bad} is not in 1-{}", plan.part_count)));
    }
    let mut sorted = numbers.to_vec();
    sorted.sort_unstable();
    if sorted.windows(2).any(|pair| pair[0] == pair[1]) {
        return Err(Invalid::new("part_numbers", "a part is asked for twice"));
    }
    Ok(())
}

/// `POST /videos/{id}/upload/parts`: short-lived UploadPart URLs, each signing
/// its part's exact length.
pub struct UploadParts<S, V, P> {
    pub sessions: S,
    pub videos: V,
    pub part_urls: P,
    pub config: Config,
}

impl<S: SessionReader + 'static, V: VideoReader + 'static, P: PartUrls + 'static> Handler for UploadParts<S, V, P> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.videos.access(), self.part_urls.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        let input: PartRequest = json_body(&req)?;
        let (video, plan, upload_id) = own_pending_upload(&self.videos, &id, &session).await?;
        requested_parts(&input.part_numbers, &plan)?;
        let ttl = self.config.upload_url_ttl_secs;
        let mut parts = Vec::with_capacity(input.part_numbers.len());
        for &part_number in &input.part_numbers {
            let length = plan.part_len(part_number).expect("checked above");
            let request =
                self.part_urls.presign_part(&video.object_key(), &upload_id, part_number, length, ttl).await?;
            parts.push(PartUrl { part_number, request });
        }
        Ok(json_response(StatusCode::OK, &PartUrlList { parts }))
    }
}

#[derive(Serialize)]
struct HeldPartView {
    part_number: u32,
    size: u64,
}

#[derive(Serialize)]
struct UploadProgress {
    part_size: u64,
    part_count: u32,
    parts: Vec<HeldPartView>,
}

/// `GET /videos/{id}/upload`: the parts S3 holds with their planned size, so
/// that a client sends only the others.
pub struct GetUpload<S, V, L> {
    pub sessions: S,
    pub videos: V,
    pub parts: L,
}

impl<S: SessionReader + 'static, V: VideoReader + 'static, L: PartLister + 'static> Handler for GetUpload<S, V, L> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.videos.access(), self.parts.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        let (video, plan, upload_id) = own_pending_upload(&self.videos, &id, &session).await?;
        let held = self.parts.list_parts(&video.object_key(), &upload_id).await?;
        let held = held.ok_or(ApiError::Conflict("this upload is finished"))?;
        let parts = held
            .iter()
            .filter(|p| plan.part_len(p.part_number) == Some(p.size))
            .map(|p| HeldPartView { part_number: p.part_number, size: p.size })
            .collect();
        let progress = UploadProgress { part_size: plan.part_size, part_count: plan.part_count, parts };
        Ok(json_response(StatusCode::OK, &progress))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_requests_are_checked_against_the_plan() {
        let plan = UploadPlan::for_size(11 * 1024 * 1024, 5 * 1024 * 1024);
        assert!(requested_parts(&[1, 2, 3], &plan).is_ok());
        assert!(requested_parts(&[3], &plan).is_ok());
        for bad in [vec![], vec![0], vec![4], vec![1, 1], (1..=101).collect::<Vec<u32>>()] {
            let err = requested_parts(&bad, &plan).unwrap_err();
            assert_eq!(err.field, "part_numbers", "{bad:?}");
        }
    }
}
