//! A video's transcode job and the renditions it made.

use serde::{Deserialize, Serialize};

use super::ladder::{hls_prefix, is_plain_file_name, MASTER_PLAYLIST};
use super::Invalid;

/// Where a video's one job is. `Complete` and `Error` are final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Recorded before the transcoder was asked: a `/complete` that finds it asks again.
    Submitting,
    Submitted,
    /// The transcoder read the input.
    Progressing,
    Complete,
    Error,
}

impl JobState {
    pub fn is_final(self) -> bool {
        matches!(self, JobState::Complete | JobState::Error)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscodeState {
    pub state: JobState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// Why it failed, for the owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub submitted_at: i64,
}

impl TranscodeState {
    pub fn submitting(now: i64) -> Self {
        TranscodeState { state: JobState::Submitting, job_id: None, error: None, submitted_at: now }
    }
}

/// One rendition of the ladder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HlsRung {
    pub width: u32,
    pub height: u32,
    /// Its media playlist, e.g. `master_720p.m3u8` (under the video's `hls/{id}/`).
    pub playlist: String,
}

/// The adaptive ladder of a video.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hls {
    pub rungs: Vec<HlsRung>,
}

impl Hls {
    /// Whether `file` is one of this ladder's playlists (the only files a
    /// playlist route serves).
    pub fn serves_playlist(&self, file: &str) -> bool {
        file == MASTER_PLAYLIST || self.rungs.iter().any(|r| r.playlist == file)
    }
}

/// What a transcoder said of a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    Started,
    Complete(Hls),
    Failed { message: String },
}

/// A playlist's name within `hls/{video_id}/`, from the `s3://bucket/key` a
/// transcoder reports; refused unless it is in this bucket, under that
/// prefix, directly, and an `.m3u8`.
pub fn playlist_in(uri: &str, bucket: &str, video_id: &str) -> Result<String, Invalid> {
    let refused = || Invalid::new("outputFilePaths", format!("{uri} is not a playlist of this video"));
    let key = uri.strip_prefix("s3://").and_then(|rest| rest.strip_prefix(bucket)).and_then(|k| k.strip_prefix('/'));
    let name = key.and_then(|k| k.strip_prefix(&hls_prefix(video_id))).ok_or_else(refused)?;
    if !is_plain_file_name(name) || !name.ends_with(".m3u8") {
        return Err(refused());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0190a8c4-0000-7000-8000-000000000000";

    #[test]
    fn playlists_are_taken_only_from_the_videos_own_prefix() {
        let ok = format!("s3://bucket/hls/{ID}/master_720p.m3u8");
        assert_eq!(playlist_in(&ok, "bucket", ID).unwrap(), "master_720p.m3u8");
        for bad in [
            format!("s3://other/hls/{ID}/master.m3u8"),
            format!("s3://bucket/hls/{ID}/../videos/x.m3u8"),
            format!("s3://bucket/hls/{ID}/sub/master.m3u8"),
            format!("s3://bucket/hls/{ID}/master_720p_00001.ts"),
            "s3://bucket/hls/another-id/master.m3u8".to_owned(),
            format!("https://bucket/hls/{ID}/master.m3u8"),
            format!("s3://bucket/hls/{ID}/"),
        ] {
            assert!(playlist_in(&bad, "bucket", ID).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_ladder_serves_its_own_playlists_only() {
        let hls = Hls { rungs: vec![HlsRung { width: 640, height: 360, playlist: "master_360p.m3u8".into() }] };
        assert!(hls.serves_playlist("master.m3u8"));
        assert!(hls.serves_playlist("master_360p.m3u8"));
        assert!(!hls.serves_playlist("master_720p.m3u8"));
        assert!(!hls.serves_playlist("master_360p_00001.ts"));
    }
}
