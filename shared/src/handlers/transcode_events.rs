//! `transcode-events`: the transcoder's "MediaConvert Job State Change" events
//! (EventBridge on AWS; the ffmpeg adapter sends the same locally), recorded
//! on their videos. Idempotent and order-proof: a job's end is final.

use std::collections::HashMap;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use serde::{Deserialize, Serialize};

use crate::access::Access;
use crate::config::Config;
use crate::domain::now_epoch;
use crate::domain::transcode::{playlist_in, Hls, HlsRung, JobOutcome};
use crate::domain::video::{parse_id, DeletionRecord};
use crate::domain::Invalid;
use crate::error::ApiResult;
use crate::metrics;
use crate::ports::{RecordQueuer, Recorded, RenditionRecorder};

pub const DETAIL_TYPE: &str = "MediaConvert Job State Change";
/// The `userMetadata` key that names the video; `app` marks vidlet's jobs.
pub const VIDEO_ID_KEY: &str = "video_id";
pub const APP_KEY: &str = "app";
pub const APP: &str = "vidlet";

/// The event's `detail`, as MediaConvert documents it (only what is read here).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStateDetail {
    pub job_id: String,
    pub status: String,
    #[serde(default)]
    pub user_metadata: HashMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_group_details: Vec<OutputGroupDetail>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputGroupDetail {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub playlist_file_paths: Vec<String>,
    #[serde(default)]
    pub output_details: Vec<OutputDetail>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputDetail {
    #[serde(default)]
    pub output_file_paths: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_details: Option<VideoDetails>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoDetails {
    pub width_in_px: u32,
    pub height_in_px: u32,
}

pub type JobEvent = EventBridgeEvent<JobStateDetail>;

/// What one event did, as the function answers and logs it.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct EventSummary {
    pub job_id: String,
    pub video_id: Option<String>,
    /// applied, unchanged, gone, ignored
    pub result: &'static str,
}

/// A job's outcome from its event; None for states that change nothing
/// (PROGRESSING, STATUS_UPDATE, …).
pub fn outcome(detail: &JobStateDetail, bucket: &str, video_id: &str) -> Result<Option<JobOutcome>, Invalid> {
    Ok(match detail.status.as_str() {
        "INPUT_INFORMATION" => Some(JobOutcome::Started),
        "COMPLETE" => Some(match ladder(detail, bucket, video_id) {
            Ok(hls) => JobOutcome::Complete(hls),
            // A job that ended without a usable ladder has failed, as far as viewers go.
            Err(invalid) => {
                JobOutcome::Failed { message: format!("the transcoder made no usable ladder: {}", invalid.rule) }
            }
        }),
        "ERROR" | "CANCELED" => Some(JobOutcome::Failed {
            // The transcoder's own message may name buckets and roles: logged, not shown.
            message: match detail.error_code {
                Some(code) => format!("the video could not be converted (transcoder error {code})"),
                None => "the video could not be converted".to_owned(),
            },
        }),
        _ => None,
    })
}

/// The ladder a COMPLETE event reports: its HLS group's master and rungs.
fn ladder(detail: &JobStateDetail, bucket: &str, video_id: &str) -> Result<Hls, Invalid> {
    let group = detail
        .output_group_details
        .iter()
        .find(|g| g.kind == "HLS_GROUP")
        .ok_or_else(|| Invalid::new("outputGroupDetails", "no HLS group"))?;
    let master = group.playlist_file_paths.first().ok_or_else(|| Invalid::new("playlistFilePaths", "empty"))?;
    if playlist_in(master, bucket, video_id)? != crate::domain::ladder::MASTER_PLAYLIST {
        return Err(Invalid::new("playlistFilePaths", format!("{master} is not the master playlist")));
    }
    let mut rungs = Vec::new();
    for output in &group.output_details {
        let path = output.output_file_paths.first().ok_or_else(|| Invalid::new("outputFilePaths", "empty"))?;
        let size = output.video_details.as_ref().ok_or_else(|| Invalid::new("videoDetails", "missing"))?;
        rungs.push(HlsRung {
            width: size.width_in_px,
            height: size.height_in_px,
            playlist: playlist_in(path, bucket, video_id)?,
        });
    }
    if rungs.is_empty() {
        return Err(Invalid::new("outputDetails", "no rendition"));
    }
    rungs.sort_by_key(|r| std::cmp::Reverse(r.width.min(r.height)));
    Ok(Hls { rungs })
}

/// Records job events on videos.
pub struct TranscodeEvents<R, Q> {
    pub videos: R,
    pub queue: Q,
    pub config: Config,
}

impl<R: RenditionRecorder, Q: RecordQueuer> TranscodeEvents<R, Q> {
    pub fn access(&self) -> Vec<Access> {
        [self.videos.access(), self.queue.access()].concat()
    }

    /// Applies one event. Events of other sources or of other apps' jobs, and
    /// malformed ones, change nothing (logged); a storage fault is an error, so
    /// that EventBridge delivers the event again.
    pub async fn handle(&self, event: &JobEvent) -> ApiResult<EventSummary> {
        let detail = &event.detail;
        let summary = |video_id: Option<&str>, result| EventSummary {
            job_id: detail.job_id.clone(),
            video_id: video_id.map(str::to_owned),
            result,
        };
        let ours = event.source == "aws.mediaconvert"
            && event.detail_type == DETAIL_TYPE
            && detail.user_metadata.get(APP_KEY).map(String::as_str) == Some(APP);
        let video_id = detail.user_metadata.get(VIDEO_ID_KEY).and_then(|id| parse_id(id));
        let Some(video_id) = video_id.filter(|_| ours) else {
            tracing::warn!(job_id = %detail.job_id, source = %event.source, "an event of no vidlet job: ignored");
            return Ok(summary(None, "ignored"));
        };
        let outcome = match outcome(detail, &self.config.bucket, &video_id) {
            Ok(Some(outcome)) => outcome,
            Ok(None) => return Ok(summary(Some(&video_id), "ignored")),
            Err(invalid) => {
                tracing::warn!(job_id = %detail.job_id, %video_id, error = %invalid, "a malformed job event: ignored");
                return Ok(summary(Some(&video_id), "ignored"));
            }
        };
        if let JobOutcome::Failed { .. } = outcome {
            tracing::warn!(job_id = %detail.job_id, %video_id, code = ?detail.error_code, message = ?detail.error_message, "transcode failed");
        }
        let ended = !matches!(outcome, JobOutcome::Started);
        let result = match self.videos.record(&video_id, &detail.job_id, &outcome).await? {
            Recorded::Applied(_) => {
                if ended {
                    metrics::transcode_ended(matches!(outcome, JobOutcome::Complete(_)));
                }
                "applied"
            }
            Recorded::Unchanged => "unchanged",
            Recorded::Gone => {
                // Deleted while its job ran: what the job wrote goes with it.
                if ended {
                    let urls = self.config.stream_url_ttl_secs as i64;
                    self.queue.queue(&DeletionRecord::for_orphaned_renditions(&video_id, now_epoch(), urls)).await?;
                }
                "gone"
            }
        };
        Ok(summary(Some(&video_id), result))
    }
}
