//! Playback everywhere: what the probe found in an upload, whether every
//! browser plays it as it is, and the adaptive ladder that replaces it when not.

use serde::{Deserialize, Serialize};

/// When to make an adaptive ladder (the `TRANSCODE` setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TranscodeMode {
    /// Only what some browser cannot play, or what is too large or too dense.
    #[default]
    Needed,
    /// Every video gets a ladder.
    Always,
    /// Originals only, as before transcoding existed.
    Off,
}

impl TranscodeMode {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "needed" => Some(TranscodeMode::Needed),
            "always" => Some(TranscodeMode::Always),
            "off" => Some(TranscodeMode::Off),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerKind {
    Mp4,
    Quicktime,
    Webm,
    Matroska,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VideoCodec {
    H264,
    Hevc,
    DolbyVision,
    Vp9,
    Av1,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AudioCodec {
    Aac,
    Opus,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DynamicRange {
    Sdr,
    /// Hybrid log-gamma (the phones' HDR).
    Hlg,
    /// Perceptual quantizer (HDR10, Dolby Vision).
    Pq,
}

/// What `/complete` read of the upload's streams.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MediaFacts {
    pub container: ContainerKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_codec: Option<VideoCodec>,
    /// None: no audio track.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_codec: Option<AudioCodec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bit_depth: Option<u8>,
    /// None: the file says nothing of its colour, which players take as SDR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamic_range: Option<DynamicRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_rate: Option<f64>,
}

impl MediaFacts {
    pub fn is_hdr(&self) -> bool {
        matches!(self.dynamic_range, Some(DynamicRange::Hlg | DynamicRange::Pq))
            || self.video_codec == Some(VideoCodec::DolbyVision)
    }
}

/// The largest frame every browser plays as is: 1080p, either way up.
pub const MAX_PLAYABLE_SHORT_SIDE: u32 = 1080;
pub const MAX_PLAYABLE_LONG_SIDE: u32 = 1920;

/// Whether every current browser (Chrome, Firefox, Safari, on any OS and
/// without hardware decoders) plays the original as it is.
pub fn plays_everywhere(facts: &MediaFacts, width: Option<u32>, height: Option<u32>) -> bool {
    let container = matches!(facts.container, ContainerKind::Mp4 | ContainerKind::Webm);
    let video = matches!(facts.video_codec, Some(VideoCodec::H264 | VideoCodec::Vp9 | VideoCodec::Av1));
    let audio = matches!(facts.audio_codec, None | Some(AudioCodec::Aac | AudioCodec::Opus));
    let depth = facts.bit_depth.is_none_or(|bits| bits <= 8);
    let sdr = !facts.is_hdr();
    let size = match (width, height) {
        (Some(w), Some(h)) => w.min(h) <= MAX_PLAYABLE_SHORT_SIDE && w.max(h) <= MAX_PLAYABLE_LONG_SIDE,
        _ => false,
    };
    container && video && audio && depth && sdr && size
}

/// The upload as `/complete` found it, for the decision below.
#[derive(Clone, Debug)]
pub struct Upload<'a> {
    pub facts: Option<&'a MediaFacts>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub size: u64,
    pub duration_seconds: Option<f64>,
}

impl Upload<'_> {
    /// Bits per second, when the duration is known.
    pub fn bitrate(&self) -> Option<f64> {
        self.duration_seconds.filter(|d| *d > 0.0).map(|d| self.size as f64 * 8.0 / d)
    }

    fn plays_everywhere(&self) -> bool {
        self.facts.is_some_and(|facts| plays_everywhere(facts, self.width, self.height))
    }
}

/// How a verified upload is published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Publication {
    /// Ready at once; with a ladder made for it afterwards or not.
    ReadyNow { ladder: bool },
    /// Shown to its owner only until its ladder exists.
    AfterLadder,
}

/// Publish first: what plays everywhere is ready at once; the rest waits for
/// its ladder. `max_bitrate` (bits/s) caps what `Needed` serves as is.
pub fn publication(mode: TranscodeMode, max_bitrate: u64, upload: &Upload) -> Publication {
    let plays = upload.plays_everywhere();
    match mode {
        TranscodeMode::Off => Publication::ReadyNow { ladder: false },
        TranscodeMode::Always if plays => Publication::ReadyNow { ladder: true },
        TranscodeMode::Needed if plays => {
            let dense = upload.bitrate().is_some_and(|rate| rate > max_bitrate as f64);
            Publication::ReadyNow { ladder: dense }
        }
        TranscodeMode::Always | TranscodeMode::Needed => Publication::AfterLadder,
    }
}

#[cfg(test)]
#[path = "playback_tests.rs"]
mod tests;
