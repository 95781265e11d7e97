//! Files made by ffmpeg (tests/fixtures/codecs/README.md has the commands),
//! against what ffprobe reports for them.

use super::*;
use std::process::Command;

macro_rules! fixture {
    ($name:literal) => {
        ($name, include_bytes!(concat!("../../../tests/fixtures/codecs/", $name)) as &[u8])
    };
}

pub(super) const CODEC_FIXTURES: [(&str, &[u8]); 12] = [
    fixture!("h264-aac.mp4"),
    fixture!("h264-10bit.mp4"),
    fixture!("h264-60fps-noaudio.mp4"),
    fixture!("hevc-aac.mov"),
    fixture!("hevc10-hlg.mov"),
    fixture!("hevc10-pq.mp4"),
    fixture!("hevc10-hlg.mkv"),
    fixture!("vp9-opus.webm"),
    fixture!("vp9-10bit-pq.webm"),
    fixture!("vp9-opus.mp4"),
    fixture!("av1-10bit.mp4"),
    fixture!("av1-noaudio.webm"),
];

fn bytes_of(name: &str) -> &'static [u8] {
    CODEC_FIXTURES.iter().find(|(n, _)| *n == name).map(|(_, b)| *b).unwrap()
}

use AudioCodec::{Aac, Opus};
use Container::{Matroska, Mp4, QuickTime, WebM};
use Transfer::{Hlg, Pq, Sdr};
use VideoCodec::{Av1, Hevc, Vp9, H264};

/// Name, container, video and audio codecs, bit depth, transfer, frame rate, duration.
type Row = (&'static str, Container, VideoCodec, Option<AudioCodec>, u8, Option<Transfer>, f64, f64);

/// What ffprobe 5.1 reports (README.md): container, codecs, bit depth (from
/// pix_fmt), transfer (color_transfer; "unknown" is None), frame rate
/// (avg_frame_rate), duration (format duration). All are 160x90.
#[rustfmt::skip]
const EXPECTED: [Row; 12] = [
    ("h264-aac.mp4",           Mp4,       H264, Some(Aac),  8,  Some(Sdr), 10.0, 1.0),
    ("h264-10bit.mp4",         Mp4,       H264, Some(Aac),  10, None,      10.0, 1.0),
    ("h264-60fps-noaudio.mp4", Mp4,       H264, None,       8,  None,      60.0, 0.5),
    ("hevc-aac.mov",           QuickTime, Hevc, Some(Aac),  8,  None,      10.0, 1.0),
    ("hevc10-hlg.mov",         QuickTime, Hevc, Some(Aac),  10, Some(Hlg), 10.0, 1.0),
    ("hevc10-pq.mp4",          Mp4,       Hevc, None,       10, Some(Pq),  10.0, 1.0),
    ("hevc10-hlg.mkv",         Matroska,  Hevc, Some(Aac),  10, Some(Hlg), 10.0, 1.021),
    ("vp9-opus.webm",          WebM,      Vp9,  Some(Opus), 8,  None,      10.0, 1.008),
    ("vp9-10bit-pq.webm",      WebM,      Vp9,  None,       10, Some(Pq),  10.0, 1.0),
    ("vp9-opus.mp4",           Mp4,       Vp9,  Some(Opus), 8,  None,      10.0, 1.0),
    ("av1-10bit.mp4",          Mp4,       Av1,  None,       10, None,      10.0, 1.0),
    ("av1-noaudio.webm",       WebM,      Av1,  None,       8,  None,      25.0, 0.52),
];

#[test]
fn codec_fixtures_read_as_ffprobe_reports() {
    assert_eq!(EXPECTED.map(|e| e.0), CODEC_FIXTURES.map(|f| f.0));
    for (name, container, video_codec, audio_codec, depth, transfer, rate, duration) in EXPECTED {
        let info = video(sniff(bytes_of(name)), container);
        let want = MediaInfo {
            duration_seconds: info.duration_seconds,
            width: Some(160),
            height: Some(90),
            video_codec: Some(video_codec),
            audio_codec,
            bit_depth: Some(depth),
            transfer,
            frame_rate: Some(rate),
        };
        assert_eq!(info, want, "{name}");
        assert_eq!(info.has_audio(), audio_codec.is_some(), "{name}");
        let d = info.duration_seconds.expect(name);
        assert!((d - duration).abs() < 0.001, "{name}: duration {d}");
    }
}

#[test]
fn a_moov_beyond_the_head_gives_the_same_answer() {
    for (name, bytes) in CODEC_FIXTURES {
        let Probe::Video { container: Mp4 | QuickTime, info } = sniff(bytes) else { continue };
        let at = offset_of(bytes, b"moov");
        // The route's first read ends before the moov's header is complete.
        let Probe::NeedMoov { offset, length, .. } = probe(&bytes[..at + 4], bytes.len() as u64) else {
            panic!("{name}: expected NeedMoov");
        };
        let range = &bytes[offset as usize..][..length as usize];
        assert_eq!(parse_moov(range), Some(info), "{name}");
    }
}

#[test]
fn webm_cut_before_the_first_cluster_has_no_vp9_depth() {
    let bytes = bytes_of("vp9-opus.webm");
    let whole = video(sniff(bytes), WebM);
    let cluster = bytes.windows(4).position(|w| w == [0x1F, 0x43, 0xB6, 0x75]).unwrap();
    let head = video(probe(&bytes[..cluster], bytes.len() as u64), WebM);
    assert_eq!(head, MediaInfo { bit_depth: None, ..whole.clone() });
    // The Cluster's first block (Opus, 95 bytes) and the first VP9 frame's header are enough.
    let head = video(probe(&bytes[..cluster + 120], bytes.len() as u64), WebM);
    assert_eq!(head, whole);
}

#[test]
fn mp4a_whose_esds_names_mp3_is_not_aac() {
    // hevc-aac.mov: QuickTime sound description version 1, the esds inside `wave`.
    let mut bytes = bytes_of("hevc-aac.mov").to_vec();
    let esds = offset_of(&bytes, b"esds");
    let wave = offset_of(&bytes, b"wave");
    assert!(wave < esds, "the esds is inside the wave box");
    // esds body: full box, ES_Descriptor tag and 4-byte size, ES_ID, flags, then tag 4, 4-byte size, OTI.
    let oti = esds + 8 + 4 + 5 + 3 + 5;
    assert_eq!(bytes[oti], 0x40, "MPEG-4 audio");
    bytes[oti] = 0x6B; // MPEG-1 audio (MP3)
    let info = video(sniff(&bytes), QuickTime);
    assert_eq!(info.audio_codec, Some(AudioCodec::Other(*b"mp4a")));
    assert!(info.has_audio());
}

#[test]
fn a_frame_turned_a_quarter_for_display_reads_as_shown() {
    // h264-aac.mp4 stores 160x90; its tkhd (version 0) holds the identity matrix.
    let mut bytes = bytes_of("h264-aac.mp4").to_vec();
    let tkhd = offset_of(&bytes, b"tkhd");
    let matrix = tkhd + 8 + 40;
    assert_eq!(bytes[matrix..matrix + 4], 0x0001_0000u32.to_be_bytes(), "a = 1.0");
    // Turned 90 degrees, as a phone held upright writes it: {0 1 0, -1 0 0, 0 0 1}.
    for (n, value) in [(0, 0u32), (1, 0x0001_0000), (3, 0xFFFF_0000), (4, 0)] {
        bytes[matrix + 4 * n..matrix + 4 * n + 4].copy_from_slice(&value.to_be_bytes());
    }
    let info = video(sniff(&bytes), Mp4);
    assert_eq!((info.width, info.height), (Some(90), Some(160)));
    // Turned 180 degrees: the sides stay.
    let mut upside_down = bytes_of("h264-aac.mp4").to_vec();
    for (n, value) in [(0, 0xFFFF_0000u32), (4, 0xFFFF_0000)] {
        upside_down[matrix + 4 * n..matrix + 4 * n + 4].copy_from_slice(&value.to_be_bytes());
    }
    let info = video(sniff(&upside_down), Mp4);
    assert_eq!((info.width, info.height), (Some(160), Some(90)));
}

/// The fixtures against ffprobe itself, when it is installed (`make test`
/// installs it): catches a README table gone stale after a regeneration.
#[test]
fn codec_fixtures_agree_with_ffprobe_when_installed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/codecs");
    for (name, bytes) in CODEC_FIXTURES {
        let out = Command::new("ffprobe")
            .args(["-v", "error", "-of", "compact=p=0", "-show_entries"])
            .arg("stream=codec_type,codec_name,pix_fmt,color_transfer,avg_frame_rate,width,height")
            .arg(format!("{dir}/{name}"))
            .output();
        let Ok(out) = out else {
            eprintln!("ffprobe is not installed: skipped");
            return;
        };
        assert!(out.status.success(), "ffprobe {name}");
        let Probe::Video { info, .. } = sniff(bytes) else { panic!("{name}") };
        let text = String::from_utf8(out.stdout).unwrap();
        let mut audio = None;
        for line in text.lines() {
            let field = |key: &str| {
                line.split('|').find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')).unwrap_or_default().to_owned()
            };
            match field("codec_type").as_str() {
                "video" => {
                    let codec = match field("codec_name").as_str() {
                        "h264" => H264,
                        "hevc" => Hevc,
                        "vp9" => Vp9,
                        "av1" => Av1,
                        other => panic!("{name}: {other}"),
                    };
                    assert_eq!(info.video_codec, Some(codec), "{name}");
                    let depth = if field("pix_fmt").contains("p10") { 10 } else { 8 };
                    assert_eq!(info.bit_depth, Some(depth), "{name}");
                    let transfer = match field("color_transfer").as_str() {
                        "unknown" => None,
                        "arib-std-b67" => Some(Hlg),
                        "smpte2084" => Some(Pq),
                        _ => Some(Sdr),
                    };
                    assert_eq!(info.transfer, transfer, "{name}");
                    let (num, den) =
                        field("avg_frame_rate").split_once('/').map(|(n, d)| (n.to_owned(), d.to_owned())).unwrap();
                    let rate = num.parse::<f64>().unwrap() / den.parse::<f64>().unwrap();
                    assert!(info.frame_rate.is_some_and(|r| (r - rate).abs() < 1e-6), "{name}: {rate}");
                    assert_eq!(info.width, field("width").parse().ok(), "{name}");
                    assert_eq!(info.height, field("height").parse().ok(), "{name}");
                }
                "audio" => {
                    audio = Some(match field("codec_name").as_str() {
                        "aac" => Aac,
                        "opus" => Opus,
                        other => panic!("{name}: {other}"),
                    })
                }
                _ => {}
            }
        }
        assert_eq!(info.audio_codec, audio, "{name}");
    }
}
