//! The adaptive ladder: which renditions a video gets, their sizes and bitrates,
//! and where they are stored. Both transcoders (MediaConvert, ffmpeg) take it from here.

use serde::{Deserialize, Serialize};

/// One rung, named by its short side (a portrait video's 720p is 720 wide).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rung {
    pub short_side: u32,
    /// Peak video bitrate, bits/s.
    pub video_bitrate: u32,
}

/// Highest first, as players list them.
pub const LADDER: [Rung; 4] = [
    Rung { short_side: 1080, video_bitrate: 5_000_000 },
    Rung { short_side: 720, video_bitrate: 3_000_000 },
    Rung { short_side: 540, video_bitrate: 2_000_000 },
    Rung { short_side: 360, video_bitrate: 800_000 },
];

/// Every rung is AAC stereo at this rate when the source has sound.
pub const AUDIO_BITRATE: u32 = 128_000;
pub const AUDIO_SAMPLE_RATE: u32 = 48_000;
/// No rendition has more frames per second.
pub const MAX_FRAME_RATE: f64 = 30.0;
/// Segment length, seconds.
pub const SEGMENT_SECONDS: u32 = 6;

/// One rendition to make for a given source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RungOutput {
    /// `720p`: the suffix of its playlist and segments.
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub video_bitrate: u32,
}

impl RungOutput {
    /// What the multivariant playlist announces: video plus audio, bits/s.
    pub fn bandwidth(&self, audio: bool) -> u64 {
        u64::from(self.video_bitrate) + if audio { u64::from(AUDIO_BITRATE) } else { 0 }
    }
}

/// The rungs for a `width` x `height` source: none above its short side (no
/// upscaling), but always at least the lowest. Sizes keep the aspect ratio
/// and are even, as H.264 4:2:0 needs.
pub fn rungs_for(width: u32, height: u32) -> Vec<RungOutput> {
    let (width, height) = (width.max(2), height.max(2));
    let short = width.min(height);
    let mut chosen: Vec<Rung> = LADDER.iter().copied().filter(|r| r.short_side <= short).collect();
    if chosen.is_empty() {
        chosen.push(LADDER[LADDER.len() - 1]);
    }
    chosen
        .into_iter()
        .map(|rung| {
            let long = even(u64::from(width.max(height)) * u64::from(rung.short_side) / u64::from(short));
            let (w, h) = if width >= height { (long, rung.short_side) } else { (rung.short_side, long) };
            RungOutput { name: format!("{}p", rung.short_side), width: w, height: h, video_bitrate: rung.video_bitrate }
        })
        .collect()
}

fn even(value: u64) -> u32 {
    let value = u32::try_from(value).unwrap_or(u32::MAX - 1);
    value + (value % 2)
}

/// A rendition's frame rate: the source's, capped.
pub fn output_frame_rate(source: Option<f64>) -> f64 {
    match source {
        Some(rate) if rate.is_finite() && rate > 0.0 => rate.min(MAX_FRAME_RATE),
        _ => MAX_FRAME_RATE,
    }
}

/// Where a video's renditions live: `hls/{id}/`.
pub fn hls_prefix(video_id: &str) -> String {
    format!("hls/{video_id}/")
}

/// The multivariant playlist's key.
pub fn master_key(video_id: &str) -> String {
    format!("{}{MASTER_PLAYLIST}", hls_prefix(video_id))
}

pub const MASTER_PLAYLIST: &str = "master.m3u8";

/// What the ladder's playlists and segments are stored and served as.
pub const PLAYLIST_CONTENT_TYPE: &str = "application/vnd.apple.mpegurl";
pub const SEGMENT_CONTENT_TYPE: &str = "video/mp2t";

/// A file name the ladder may use: not empty, not hidden, and only
/// `[A-Za-z0-9_.-]` (no directory, scheme or query).
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
}

/// A rung's playlist file name, e.g. `master_720p.m3u8`.
pub fn rung_playlist(rung_name: &str) -> String {
    format!("master_{rung_name}.m3u8")
}

/// A rung's segment file name, counted from 1, e.g. `master_720p_00001.ts`.
pub fn segment_name(rung_name: &str, number: u32) -> String {
    format!("master_{rung_name}_{number:05}.ts")
}

/// `segment_name` as ffmpeg's `-hls_segment_filename` pattern: `master_720p_%05d.ts`.
pub fn segment_pattern(rung_name: &str) -> String {
    format!("master_{rung_name}_%05d.ts")
}

/// A frame rate as playlists and ffmpeg write it: at most three decimals.
pub fn rounded_frame_rate(rate: f64) -> f64 {
    (rate * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(rungs: &[RungOutput]) -> Vec<&str> {
        rungs.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn no_rung_is_above_the_source() {
        assert_eq!(names(&rungs_for(3840, 2160)), ["1080p", "720p", "540p", "360p"]);
        assert_eq!(names(&rungs_for(1280, 720)), ["720p", "540p", "360p"]);
        assert_eq!(names(&rungs_for(640, 480)), ["360p"]);
        assert_eq!(names(&rungs_for(320, 240)), ["360p"], "a tiny source still gets the lowest rung");
    }

    #[test]
    fn sizes_keep_the_aspect_ratio_either_way_up_and_are_even() {
        let landscape = rungs_for(3840, 2160);
        assert_eq!((landscape[0].width, landscape[0].height), (1920, 1080));
        assert_eq!((landscape[3].width, landscape[3].height), (640, 360));
        let portrait = rungs_for(1080, 1920);
        assert_eq!((portrait[0].width, portrait[0].height), (1080, 1920));
        assert_eq!((portrait[1].width, portrait[1].height), (720, 1280));
        let odd = rungs_for(1000, 562);
        assert!(odd.iter().all(|r| r.width % 2 == 0 && r.height % 2 == 0), "{odd:?}");
    }

    #[test]
    fn frame_rate_is_capped_at_30() {
        assert_eq!(output_frame_rate(Some(59.94)), 30.0);
        assert_eq!(output_frame_rate(Some(25.0)), 25.0);
        assert_eq!(output_frame_rate(None), 30.0);
        assert_eq!(output_frame_rate(Some(f64::NAN)), 30.0);
    }

    #[test]
    fn keys_follow_mediaconverts_naming() {
        let id = "0190a8c4-0000-7000-8000-000000000000";
        assert_eq!(master_key(id), format!("hls/{id}/master.m3u8"));
        assert_eq!(rung_playlist("720p"), "master_720p.m3u8");
        assert_eq!(segment_name("720p", 1), "master_720p_00001.ts");
        assert_eq!(
            RungOutput { name: "360p".into(), width: 640, height: 360, video_bitrate: 800_000 }.bandwidth(true),
            928_000
        );
    }
}
