//! `POST /videos/{id}/complete`: the server checks the parts, completes the
//! multipart upload itself, then inspects the object before publishing it.

use container_sniffer::{Container, Probe, MAX_MOOV_BYTES, SNIFF_BYTES};
use http::StatusCode;
use lambda_http::{Body, Request, Response};

use super::ladder::{ask_for_ladder, ladder_unasked, publish};
use super::probe::media_facts;
use super::views::VideoEnvelope;
use super::Handler;
use crate::access::Access;
use crate::auth::require_session;
use crate::config::Config;
use crate::domain::now_epoch;
use crate::domain::upload::HeldPart;
use crate::domain::video::{DeletionRecord, Video, VideoStatus};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{json_response, video_id_param};
use crate::metrics;
use crate::ports::{
    ObjectInspector, PartLister, ReadyInfo, SessionReader, Transcoder, UploadCompleter, UploadSettler, VideoReader,
};

/// How long one complete may hold the upload (a crashed one's claim lapses).
const COMPLETION_CLAIM_SECS: i64 = 60;
/// How long a concurrent complete waits for the other's outcome.
const COMPLETION_POLLS: u32 = 20;
const COMPLETION_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(250);

/// Does the container agree with the declared content type?
fn container_matches(container: Container, content_type: &str) -> bool {
    match container {
        Container::Mp4 | Container::QuickTime => matches!(content_type, "video/mp4" | "video/quicktime"),
        Container::WebM | Container::Matroska => content_type == "video/webm",
    }
}

/// Checks the object without downloading it: its size (from the parts, or a
/// HEAD), then ranged GETs for the container header (and an MP4's `moov`).
async fn inspect_upload(
    objects: &impl ObjectInspector,
    video: &Video,
    known_size: Option<u64>,
) -> ApiResult<Result<ReadyInfo, String>> {
    let key = video.object_key();
    let size = match known_size {
        Some(size) => size,
        None => match objects.size_of(&key).await? {
            Some(size) => size,
            None => return Ok(Err("no video was uploaded".into())),
        },
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
    Ok(Ok(ReadyInfo {
        duration_seconds: info.duration_seconds,
        width: info.width,
        height: info.height,
        media: Some(media_facts(container, &info)),
        transcode: None,
    }))
}

/// `POST /videos/{id}/complete`: idempotent; owner only.
pub struct CompleteVideo<S, V, U, O, T, X> {
    pub sessions: S,
    pub videos: V,
    pub uploads: U,
    pub objects: O,
    pub settle: T,
    pub transcoder: X,
    pub config: Config,
}

impl<S, V, U, O, T, X> Handler for CompleteVideo<S, V, U, O, T, X>
where
    S: SessionReader + 'static,
    V: VideoReader + 'static,
    U: PartLister + UploadCompleter + 'static,
    O: ObjectInspector + 'static,
    T: UploadSettler + 'static,
    X: Transcoder + 'static,
{
    fn access(&self) -> Vec<Access> {
        [
            self.sessions.access(),
            self.videos.access(),
            PartLister::access(&self.uploads),
            UploadCompleter::access(&self.uploads),
            self.objects.access(),
            self.settle.access(),
            self.transcoder.access(),
        ]
        .concat()
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
            // Published, but its ladder was never asked for: ask again.
            VideoStatus::Ready | VideoStatus::Processing if ladder_unasked(&video) => {
                ask_for_ladder(&self.settle, &self.transcoder, video).await?
            }
            VideoStatus::Ready | VideoStatus::Processing | VideoStatus::Failed => video,
            VideoStatus::Rejected => return Err(ApiError::InvalidUpload("this upload was rejected".into())),
            VideoStatus::Pending => {
                let now = now_epoch();
                if !self.settle.claim_completion(&id, now, now + COMPLETION_CLAIM_SECS).await? {
                    return self.await_other_completion(&id).await;
                }
                let published = self.publish(&video).await;
                if published.is_err() {
                    // Still pending (parts missing, a fault): let the next complete in. A failed
                    // release only delays it until the claim lapses.
                    let _ = self.settle.release_completion(&id).await;
                }
                match published? {
                    Some(ready) => ready,
                    None => return self.settled(&id).await,
                }
            }
        };
        Ok(json_response(StatusCode::OK, &VideoEnvelope::from(&video)))
    }
}

impl<S, V, U, O, T, X> CompleteVideo<S, V, U, O, T, X>
where
    V: VideoReader,
    U: PartLister + UploadCompleter,
    O: ObjectInspector,
    T: UploadSettler,
    X: Transcoder,
{
    /// Joins the parts, inspects the object, and publishes or rejects it.
    /// None when another request settled it meanwhile.
    async fn publish(&self, video: &Video) -> ApiResult<Option<Video>> {
        let known_size = self.join_parts(video).await?;
        match inspect_upload(&self.objects, video, known_size).await? {
            Ok(info) => publish(&self.videos, &self.settle, &self.transcoder, &self.config, video, info).await,
            Err(reason) => self.reject(video, reason).await.map(|()| None),
        }
    }

    /// Completes the multipart upload once every part is there with its
    /// planned size; 422 naming the missing parts otherwise (still pending).
    /// The object's size when it is known from the parts.
    async fn join_parts(&self, video: &Video) -> ApiResult<Option<u64>> {
        let (Some(plan), Some(upload_id)) = (video.plan(), video.upload_id.as_deref()) else {
            return Ok(None);
        };
        let key = video.object_key();
        // None: completed already (a retry after a crash), or aborted.
        let Some(parts) = self.uploads.list_parts(&key, upload_id).await? else { return Ok(None) };
        let held: Vec<HeldPart> = parts.iter().map(|p| HeldPart { part_number: p.part_number, size: p.size }).collect();
        let missing = plan.missing(&held);
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(u32::to_string).collect();
            return Err(ApiError::InvalidUpload(format!("parts missing: {}", names.join(", "))));
        }
        let mut parts = parts;
        parts.sort_by_key(|p| p.part_number);
        parts.dedup_by_key(|p| p.part_number);
        self.uploads.complete_upload(&key, upload_id, &parts).await?;
        Ok(Some(plan.size))
    }

    async fn reject(&self, video: &Video, reason: String) -> ApiResult<()> {
        let urls_live_for = self.config.upload_url_ttl_secs as i64;
        let record = DeletionRecord::for_video(&video.id, "rejected", now_epoch(), urls_live_for).without_renditions();
        if !self.settle.reject_video(video, &record).await? {
            return Ok(()); // another request settled it meanwhile
        }
        tracing::info!(video_id = %video.id, reason, "upload rejected");
        metrics::upload_rejected();
        Err(ApiError::InvalidUpload(reason))
    }

    /// Another request is completing this upload: answer with its outcome.
    async fn await_other_completion(&self, id: &str) -> ApiResult<Response<Body>> {
        for _ in 0..COMPLETION_POLLS {
            tokio::time::sleep(COMPLETION_POLL_INTERVAL).await;
            match self.videos.get_video(id).await? {
                Some(video) if video.status == VideoStatus::Pending => continue,
                _ => return self.settled(id).await,
            }
        }
        Err(ApiError::Conflict("this upload is being completed; ask again in a moment"))
    }

    /// The answer for a video whose status another request just settled.
    async fn settled(&self, id: &str) -> ApiResult<Response<Body>> {
        match self.videos.get_video(id).await? {
            Some(video) if matches!(video.status, VideoStatus::Ready | VideoStatus::Processing) => {
                Ok(json_response(StatusCode::OK, &VideoEnvelope::from(&video)))
            }
            Some(_) => Err(ApiError::InvalidUpload("this upload was rejected".into())),
            None => Err(ApiError::NotFound("video")),
        }
    }
}
