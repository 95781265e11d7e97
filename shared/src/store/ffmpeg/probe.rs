//! ffprobe: what the original holds (sound, colour), and what a rendition came out as.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use tokio::process::Command;

/// The transfer functions of HDR video, as ffmpeg names them (HLG, PQ).
pub const HDR_TRANSFERS: [&str; 2] = ["arib-std-b67", "smpte2084"];

/// An ffprobe call never takes this long on a local file.
const PROBE_TIME_LIMIT: Duration = Duration::from_secs(60);

/// What the transcode needs to know of the original.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InputStreams {
    pub has_audio: bool,
    /// The first video stream's colour, None when the file does not say.
    pub color_transfer: Option<String>,
    pub color_space: Option<String>,
    pub color_primaries: Option<String>,
}

/// A rendition as ffprobe sees its first segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendition {
    pub width: u32,
    pub height: u32,
    /// The `avc1.PPCCLL` of its video (RFC 6381), when ffprobe names profile and level.
    pub codec: Option<String>,
}

#[derive(Deserialize)]
struct Probed {
    #[serde(default)]
    streams: Vec<Stream>,
}

#[derive(Deserialize)]
struct Stream {
    codec_type: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    profile: Option<String>,
    level: Option<i64>,
    color_transfer: Option<String>,
    color_space: Option<String>,
    color_primaries: Option<String>,
}

async fn ffprobe(path: &Path, entries: &str) -> Result<Probed, String> {
    let mut command = Command::new("ffprobe");
    command.args(["-v", "error", "-of", "json", "-show_entries", entries]).arg(path).kill_on_drop(true);
    let output = match tokio::time::timeout(PROBE_TIME_LIMIT, command.output()).await {
        Ok(Ok(output)) => output,
        Ok(Err(err)) => return Err(format!("ffprobe could not run: {err}")),
        Err(_) => return Err("ffprobe took too long".into()),
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("ffprobe failed ({}): {}", output.status, stderr.trim()));
    }
    serde_json::from_slice(&output.stdout).map_err(|err| format!("ffprobe's answer: {err}"))
}

/// A colour property that says something (ffmpeg writes `unknown` for the rest).
fn known(value: Option<String>) -> Option<String> {
    value.filter(|v| !matches!(v.as_str(), "" | "unknown" | "unspecified" | "reserved"))
}

/// The original's streams; an error when ffprobe cannot read it or it has no video.
pub async fn input_streams(path: &Path) -> Result<InputStreams, String> {
    let entries = "stream=codec_type,color_transfer,color_space,color_primaries";
    let probed = ffprobe(path, entries).await?;
    let kind = |s: &Stream, wanted: &str| s.codec_type.as_deref() == Some(wanted);
    let video = probed.streams.iter().find(|s| kind(s, "video")).ok_or("the original has no video stream")?;
    Ok(InputStreams {
        has_audio: probed.streams.iter().any(|s| kind(s, "audio")),
        color_transfer: known(video.color_transfer.clone()),
        color_space: known(video.color_space.clone()),
        color_primaries: known(video.color_primaries.clone()),
    })
}

/// The first video stream of a rendition's segment.
pub async fn rendition(path: &Path) -> Result<Rendition, String> {
    let probed = ffprobe(path, "stream=codec_type,width,height,profile,level").await?;
    let video = probed
        .streams
        .into_iter()
        .find(|s| s.codec_type.as_deref() == Some("video"))
        .ok_or_else(|| format!("{} has no video", path.display()))?;
    match (video.width, video.height) {
        (Some(width), Some(height)) if width > 0 && height > 0 => {
            Ok(Rendition { width, height, codec: avc_codec(video.profile.as_deref(), video.level) })
        }
        _ => Err(format!("{} has no frame size", path.display())),
    }
}

/// RFC 6381's `avc1.PPCCLL` from ffprobe's H.264 profile name and level.
pub fn avc_codec(profile: Option<&str>, level: Option<i64>) -> Option<String> {
    let (profile_idc, constraints) = match profile? {
        "Constrained Baseline" => (66, 0xE0),
        "Baseline" => (66, 0x00),
        "Main" => (77, 0x00),
        "High" => (100, 0x00),
        _ => return None,
    };
    let level = u8::try_from(level?).ok().filter(|l| *l > 0)?;
    Some(format!("avc1.{profile_idc:02x}{constraints:02x}{level:02x}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codec_strings_follow_rfc_6381() {
        assert_eq!(avc_codec(Some("High"), Some(40)).as_deref(), Some("avc1.640028"));
        assert_eq!(avc_codec(Some("High"), Some(31)).as_deref(), Some("avc1.64001f"));
        assert_eq!(avc_codec(Some("Main"), Some(30)).as_deref(), Some("avc1.4d001e"));
        assert_eq!(avc_codec(Some("Constrained Baseline"), Some(30)).as_deref(), Some("avc1.42e01e"));
        assert_eq!(avc_codec(Some("High 10"), Some(40)), None);
        assert_eq!(avc_codec(Some("High"), Some(-99)), None);
        assert_eq!(avc_codec(None, Some(40)), None);
    }

    #[test]
    fn unknown_colour_is_no_colour() {
        assert_eq!(known(Some("unknown".into())), None);
        assert_eq!(known(Some("bt709".into())).as_deref(), Some("bt709"));
    }
}
