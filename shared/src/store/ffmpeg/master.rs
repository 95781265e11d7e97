//! The multivariant playlist (`master.m3u8`): one variant per rung, written with m3u8-rs.

use m3u8_rs::{MasterPlaylist, Resolution, VariantStream};

use crate::domain::ladder::{rounded_frame_rate, rung_playlist, RungOutput};

use super::probe::Rendition;

/// What a rung's codec string says when ffprobe could not name the level:
/// High profile (what the command asks for), level 4.0.
const FALLBACK_VIDEO_CODEC: &str = "avc1.640028";
/// AAC-LC.
const AUDIO_CODEC: &str = "mp4a.40.2";

/// A rung as asked for, and as made.
#[derive(Clone, Debug)]
pub struct MadeRung {
    pub rung: RungOutput,
    pub made: Rendition,
}

/// The playlist's text, highest rung first, relative URIs (`master_720p.m3u8`).
pub fn master_playlist(rungs: &[MadeRung], audio: bool, frame_rate: f64) -> Vec<u8> {
    let variants = rungs
        .iter()
        .map(|MadeRung { rung, made }| {
            let video = made.codec.as_deref().unwrap_or(FALLBACK_VIDEO_CODEC);
            let codecs = if audio { format!("{video},{AUDIO_CODEC}") } else { video.to_owned() };
            VariantStream {
                uri: rung_playlist(&rung.name),
                bandwidth: rung.bandwidth(audio),
                codecs: Some(codecs),
                resolution: Some(Resolution { width: made.width.into(), height: made.height.into() }),
                frame_rate: Some(rounded_frame_rate(frame_rate)),
                ..VariantStream::default()
            }
        })
        .collect();
    let playlist =
        MasterPlaylist { version: Some(3), independent_segments: true, variants, ..MasterPlaylist::default() };
    let mut text = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = playlist.write_to(&mut text);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ladder::rungs_for;

    #[test]
    fn one_variant_per_rung_with_what_was_made() {
        let rungs: Vec<MadeRung> = rungs_for(1280, 720)
            .into_iter()
            .map(|rung| {
                let made = Rendition { width: rung.width, height: rung.height, codec: Some("avc1.64001f".into()) };
                MadeRung { rung, made }
            })
            .collect();
        let text = String::from_utf8(master_playlist(&rungs[..2], true, 30000.0 / 1001.0)).unwrap();
        assert_eq!(
            text,
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n\
             #EXT-X-STREAM-INF:BANDWIDTH=3128000,CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=29.97\n\
             master_720p.m3u8\n\
             #EXT-X-STREAM-INF:BANDWIDTH=2128000,CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=960x540,FRAME-RATE=29.97\n\
             master_540p.m3u8\n"
        );
        let silent = String::from_utf8(master_playlist(&rungs[2..], false, 25.0)).unwrap();
        assert!(
            silent.contains("BANDWIDTH=800000,CODECS=\"avc1.64001f\",RESOLUTION=640x360,FRAME-RATE=25\n"),
            "{silent}"
        );
    }
}
