//! The local transcoder (`TRANSCODER=ffmpeg`, for `make dev` and the tests):
//! the ladder MediaConvert makes on AWS, made by ffmpeg in this process,
//! stored under the same keys, and reported with the same events.
//!
//! `submit` answers at once; the job runs in a task, one at a time per
//! process, and ends with a COMPLETE or ERROR event to `transcode-events`.

mod command;
pub mod events;
mod job;
mod master;
mod objects;
mod probe;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Semaphore;

pub use events::EventSink;

use crate::access::Access;
use crate::config::Config;
use crate::error::ApiResult;
use crate::ports::{TranscodeJob, Transcoder};
use job::Work;
use objects::Transfers;

/// One ffmpeg at a time: it uses every core it is given.
static SLOTS: Semaphore = Semaphore::const_new(1);
/// The jobs of this process not yet ended, by video: a second submit answers the first job.
static RUNNING: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());
/// ffmpeg is stopped past this, and the job fails.
const TIME_LIMIT: Duration = Duration::from_secs(600);

pub struct Ffmpeg {
    transfers: Transfers,
    events: EventSink,
    time_limit: Duration,
}

impl Ffmpeg {
    /// On the configured bucket (with a client sized for whole files rather
    /// than API calls); events to `TRANSCODE_EVENTS_URL`.
    pub fn from_env(config: &Config) -> Self {
        Ffmpeg { transfers: Transfers::new(&config.bucket), events: EventSink::from_env(), time_limit: TIME_LIMIT }
    }

    /// The same, its events sent to `events` instead.
    pub fn with_events(self, events: EventSink) -> Self {
        Ffmpeg { events, ..self }
    }
}

impl Transcoder for Ffmpeg {
    /// None on AWS: this adapter runs against the local stack only.
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }

    async fn submit(&self, job: &TranscodeJob) -> ApiResult<String> {
        let job_id = {
            let mut running = RUNNING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(job_id) = running.get(&job.video_id) {
                return Ok(job_id.clone());
            }
            let job_id = new_job_id();
            running.insert(job.video_id.clone(), job_id.clone());
            job_id
        };
        let running = Running(job.video_id.clone());
        let work = Work {
            job: job.clone(),
            job_id: job_id.clone(),
            transfers: self.transfers.clone(),
            events: self.events.clone(),
            time_limit: self.time_limit,
        };
        tracing::info!(%job_id, video_id = %job.video_id, rungs = job.rungs.len(), "transcode submitted");
        tokio::spawn(async move {
            let _running = running;
            // Never closed, so always granted.
            let _slot = SLOTS.acquire().await;
            work.run().await;
        });
        Ok(job_id)
    }
}

/// MediaConvert's shape: milliseconds since the epoch, a dash, six characters.
fn new_job_id() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{}-{}", chrono::Utc::now().timestamp_millis(), &random[..6])
}

/// A video's entry in `RUNNING`, removed when its job ends or is dropped.
struct Running(String);

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids_look_like_mediaconverts() {
        let id = new_job_id();
        let (millis, random) = id.split_once('-').unwrap();
        assert!(millis.len() >= 13 && millis.chars().all(|c| c.is_ascii_digit()), "{id}");
        assert_eq!(random.len(), 6, "{id}");
        assert_ne!(new_job_id(), id);
    }
}
