//! Transcoding: asking for a ladder, and recording what the transcoder made.

use std::future::Future;

use crate::access::Access;
use crate::domain::ladder::RungOutput;
use crate::domain::transcode::JobOutcome;
use crate::domain::video::Video;
use crate::error::ApiResult;

/// One video's ladder, as a transcoder is asked for it.
#[derive(Clone, Debug, PartialEq)]
pub struct TranscodeJob {
    pub video_id: String,
    /// The original, `videos/{id}`.
    pub input_key: String,
    /// Where the renditions go, `hls/{id}/`.
    pub output_prefix: String,
    /// Highest first.
    pub rungs: Vec<RungOutput>,
    /// Whether the source has sound (no audio rendition otherwise).
    pub audio: bool,
    /// HDR source: tone-map it to SDR BT.709.
    pub tone_map: bool,
    /// The renditions' frame rate (the source's, capped at 30).
    pub frame_rate: f64,
}

/// Makes a video's ladder somewhere else; its outcome comes back as an event.
pub trait Transcoder: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Asks for the ladder; idempotent per video. The job's id.
    fn submit(&self, job: &TranscodeJob) -> impl Future<Output = ApiResult<String>> + Send;
}

/// What recording a job's outcome did.
#[derive(Debug)]
pub enum Recorded {
    /// The video changed: as it now is.
    Applied(Box<Video>),
    /// Nothing to change: the job had ended already, or the event is older.
    Unchanged,
    /// No such video (deleted while its job ran).
    Gone,
}

/// Applies transcoders' events to videos, each at most once.
pub trait RenditionRecorder: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Applies `outcome` of job `job_id` to video `video_id` in one
    /// conditional write, unless its job already ended. A complete ladder
    /// publishes a processing video (listing and indexing it if public); a
    /// failure marks it failed; a ready video only gains or loses its ladder.
    fn record(
        &self,
        video_id: &str,
        job_id: &str,
        outcome: &JobOutcome,
    ) -> impl Future<Output = ApiResult<Recorded>> + Send;
}
