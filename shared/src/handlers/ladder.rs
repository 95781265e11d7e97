//! `/complete`'s second half: publish first, and ask for a ladder when needed.

use crate::config::Config;
use crate::domain::ladder::{hls_prefix, output_frame_rate, rungs_for};
use crate::domain::now_epoch;
use crate::domain::playback::{publication, Publication, Upload};
use crate::domain::transcode::{JobState, TranscodeState};
use crate::domain::video::{Video, VideoStatus};
use crate::error::{ApiError, ApiResult};
use crate::metrics;
use crate::ports::{ReadyInfo, TranscodeJob, Transcoder, UploadSettler, VideoReader};

/// The job that makes `video`'s ladder, from what its probe found.
pub fn job_for(video: &Video) -> TranscodeJob {
    let facts = video.media.as_ref();
    let (width, height) = (video.width.unwrap_or(640), video.height.unwrap_or(360));
    TranscodeJob {
        video_id: video.id.clone(),
        input_key: video.object_key(),
        output_prefix: hls_prefix(&video.id),
        rungs: rungs_for(width, height),
        // Unknown: ask for sound; a transcoder drops what is not there.
        audio: facts.is_none_or(|f| f.audio_codec.is_some()),
        tone_map: facts.is_some_and(|f| f.is_hdr()),
        frame_rate: output_frame_rate(facts.and_then(|f| f.frame_rate)),
    }
}

/// Publishes a verified upload: ready at once when every browser plays it,
/// otherwise processing; asks for its ladder when one is wanted. None when
/// another request settled it meanwhile.
pub async fn publish(
    videos: &impl VideoReader,
    settle: &impl UploadSettler,
    transcoder: &impl Transcoder,
    config: &Config,
    video: &Video,
    mut info: ReadyInfo,
) -> ApiResult<Option<Video>> {
    let upload = Upload {
        facts: info.media.as_ref(),
        width: info.width,
        height: info.height,
        size: video.size,
        duration_seconds: info.duration_seconds,
    };
    let decision = publication(config.transcode_mode, config.transcode_max_bitrate, &upload);
    let ladder = !matches!(decision, Publication::ReadyNow { ladder: false });
    if ladder {
        info.transcode = Some(TranscodeState::submitting(now_epoch()));
    }
    let mut video = video.clone();
    for _ in 0..3 {
        let settled = match decision {
            Publication::ReadyNow { .. } => settle.mark_ready(&video, &info).await?,
            Publication::AfterLadder => settle.mark_processing(&video, &info).await?,
        };
        if let Some(published) = settled {
            metrics::upload_completed();
            if ladder {
                return ask_for_ladder(settle, transcoder, published).await.map(Some);
            }
            return Ok(Some(published));
        }
        // An edit changed the privacy meanwhile: publish the video as it is now.
        match videos.get_video(&video.id).await? {
            Some(now) if now.status == VideoStatus::Pending => video = now,
            _ => return Ok(None),
        }
    }
    Err(ApiError::Conflict("the video kept changing while being published; try again"))
}

/// Whether a published video's ladder was recorded but never asked for (the
/// transcoder failed to answer): a later `/complete` asks again.
pub fn ladder_unasked(video: &Video) -> bool {
    video.transcode.as_ref().is_some_and(|t| t.state == JobState::Submitting)
}

/// Asks the transcoder for `video`'s ladder and records the job. A video that
/// is ready already stays so if the transcoder fails (logged); a processing
/// one answers the failure, so that the client's retry asks again.
pub async fn ask_for_ladder(
    settle: &impl UploadSettler,
    transcoder: &impl Transcoder,
    video: Video,
) -> ApiResult<Video> {
    let job = job_for(&video);
    match transcoder.submit(&job).await {
        Ok(job_id) => {
            metrics::transcode_submitted();
            settle.job_submitted(&video.id, &job_id).await?;
            let mut video = video;
            if let Some(transcode) = video.transcode.as_mut() {
                transcode.state = JobState::Submitted;
                transcode.job_id = Some(job_id);
            }
            Ok(video)
        }
        Err(err) if video.status == VideoStatus::Ready => {
            tracing::warn!(video_id = %video.id, cause = err.cause(), "asking for a ladder failed; the original plays");
            Ok(video)
        }
        Err(err) => Err(err),
    }
}
