//! One job, start to end: fetch the original, run ffmpeg once for every rung,
//! check what it made, write the master playlist, store the ladder, and
//! tell `transcode-events` how it went.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::domain::ladder::{segment_name, MASTER_PLAYLIST};
use crate::ports::TranscodeJob;

use super::command::ffmpeg_args;
use super::events::{self, codes, EventSink};
use super::master::{master_playlist, MadeRung};
use super::objects::Transfers;
use super::probe;

/// How much of ffmpeg's complaints a failure keeps.
const STDERR_LINES: usize = 12;

/// Why a job failed: an error code of the event, and the cause for the log.
#[derive(Debug)]
pub struct Failure {
    pub code: i64,
    pub message: String,
}

fn failure(code: i64) -> impl Fn(String) -> Failure {
    move |message| Failure { code, message }
}

/// A job with what it needs to run.
pub struct Work {
    pub job: TranscodeJob,
    pub job_id: String,
    pub transfers: Transfers,
    pub events: EventSink,
    pub time_limit: Duration,
}

impl Work {
    /// Runs the job and delivers its final event, COMPLETE or ERROR.
    pub async fn run(self) {
        let (job_id, video_id) = (&self.job_id, &self.job.video_id);
        let event = match self.transcode().await {
            Ok(rungs) => {
                tracing::info!(%job_id, %video_id, rungs = rungs.len(), "ladder made");
                events::complete(job_id, video_id, self.transfers.bucket(), &rungs)
            }
            Err(Failure { code, message }) => {
                tracing::warn!(%job_id, %video_id, code, %message, "transcode failed");
                events::error(job_id, video_id, code, &message)
            }
        };
        self.events.deliver(event).await;
    }

    async fn transcode(&self) -> Result<Vec<MadeRung>, Failure> {
        let job = &self.job;
        let scratch = Scratch::create(&self.job_id).map_err(failure(codes::OUTPUT))?;
        let input = scratch.0.join("original");
        self.transfers.download(&job.input_key, &input).await.map_err(failure(codes::INPUT))?;
        let streams = probe::input_streams(&input).await.map_err(failure(codes::INPUT))?;
        self.events.deliver(events::input_information(&self.job_id, &job.video_id)).await;

        let out = scratch.0.join("ladder");
        tokio::fs::create_dir(&out).await.map_err(|err| failure(codes::OUTPUT)(err.to_string()))?;
        let audio = job.audio && streams.has_audio;
        run_ffmpeg(ffmpeg_args(job, &streams, &input, &out, audio), self.time_limit).await?;

        let mut made = Vec::with_capacity(job.rungs.len());
        for rung in &job.rungs {
            let first_segment = out.join(segment_name(&rung.name, 1));
            let rendition = probe::rendition(&first_segment).await.map_err(failure(codes::TRANSCODE))?;
            made.push(MadeRung { rung: rung.clone(), made: rendition });
        }
        let master = master_playlist(&made, audio, job.frame_rate);
        tokio::fs::write(out.join(MASTER_PLAYLIST), master)
            .await
            .map_err(|err| failure(codes::OUTPUT)(err.to_string()))?;
        self.transfers.upload_ladder(&out, &job.output_prefix).await.map_err(failure(codes::OUTPUT))?;
        Ok(made)
    }
}

/// Runs ffmpeg, killed past `time_limit`; its last complaints on failure.
async fn run_ffmpeg(args: Vec<String>, time_limit: Duration) -> Result<(), Failure> {
    let mut child = Command::new("ffmpeg")
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|err| Failure { code: codes::TRANSCODE, message: format!("ffmpeg could not start: {err}") })?;
    let stderr = child.stderr.take().map(|stderr| tokio::spawn(last_lines(BufReader::new(stderr))));
    let status = match tokio::time::timeout(time_limit, child.wait()).await {
        Ok(status) => status,
        Err(_) => {
            let _ = child.kill().await;
            let message = format!("ffmpeg ran longer than {} s and was stopped", time_limit.as_secs());
            return Err(Failure { code: codes::TIME_LIMIT, message });
        }
    };
    let complaints = match stderr {
        Some(lines) => lines.await.unwrap_or_default(),
        None => String::new(),
    };
    match status {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(Failure { code: codes::TRANSCODE, message: format!("ffmpeg {status}: {complaints}") }),
        Err(err) => Err(Failure { code: codes::TRANSCODE, message: format!("waiting for ffmpeg: {err}") }),
    }
}

/// The last lines of a stream, joined; the rest is dropped as it comes.
async fn last_lines(reader: impl tokio::io::AsyncBufRead + Unpin) -> String {
    let mut kept = VecDeque::with_capacity(STDERR_LINES);
    let mut lines = reader.lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if kept.len() == STDERR_LINES {
            kept.pop_front();
        }
        kept.push_back(line);
    }
    Vec::from(kept).join(" | ")
}

/// A job's own temporary folder, removed with it (also when the job is dropped).
struct Scratch(PathBuf);

impl Scratch {
    fn create(job_id: &str) -> Result<Self, String> {
        let path = std::env::temp_dir().join(format!("vidlet-ffmpeg-{job_id}"));
        std::fs::create_dir_all(&path).map_err(|err| format!("creating {}: {err}", path.display()))?;
        Ok(Scratch(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(err) = std::fs::remove_dir_all(&self.0) {
            tracing::warn!(path = %Path::display(&self.0), error = %err, "a transcode's scratch folder was left behind");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split(' ').map(String::from).collect()
    }

    #[tokio::test]
    async fn ffmpeg_is_stopped_past_its_time_limit() {
        let endless = args("-v error -nostdin -re -f lavfi -i testsrc=rate=5 -f null -");
        let started = std::time::Instant::now();
        let failure = run_ffmpeg(endless, Duration::from_millis(1500)).await.unwrap_err();
        assert_eq!(failure.code, codes::TIME_LIMIT, "{failure:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[tokio::test]
    async fn a_failing_ffmpeg_is_a_transcode_failure_with_its_complaints() {
        let failure = run_ffmpeg(args("-v error -nostdin -i /nonexistent/original -f null -"), Duration::from_secs(60));
        let failure = failure.await.unwrap_err();
        assert_eq!(failure.code, codes::TRANSCODE);
        assert!(failure.message.contains("/nonexistent/original"), "{failure:?}");
    }

    #[tokio::test]
    async fn a_failure_keeps_only_the_last_lines() {
        let text: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let kept = last_lines(BufReader::new(text.as_bytes())).await;
        assert!(kept.starts_with("line 9 | line 10"), "{kept}");
        assert!(kept.ends_with("line 20"), "{kept}");
    }
}
